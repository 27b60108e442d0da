// The view pieces both apps share: the connection line (with the endpoint in use and the
// question a `?rpc=` link raises), and a patient's access log in plain words with the
// verification shown as a check mark (the patient app and the auditor's drill-down).
import { t, when, words } from './i18n.js';
import { answerEndpoint, forgetEndpoint } from './endpoint.js';

const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') node.className = v;
    else if (k.startsWith('on')) node[k] = v;
    else node.setAttribute(k, v);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
};
export { el };

/** The connection's state as a section: the question a `?rpc=` link raises (nothing is
 * connected until it is answered), connecting, unreachable, or the chain and a block; then
 * the endpoint in use and where it comes from, with a way back to the app's own endpoint
 * when the user chose another. */
export function connectionSection({ connection, url, chain, asked, askedInvalid, endpointSource, configured }, block) {
  if (connection === 'asking') {
    return el('section', { 'data-testid': 'endpoint-question', class: 'alert' },
      el('h2', {}, t('conn.askTitle')),
      el('p', {}, t('conn.ask', { asked, current: url })),
      el('p', { class: 'notice' }, t('conn.askWarning')),
      el('div', { class: 'row' },
        el('button', { onclick: () => answerEndpoint(false), 'data-testid': 'endpoint-keep' }, t('conn.keep', { url })),
        el('button', { class: 'secondary', onclick: () => answerEndpoint(true), 'data-testid': 'endpoint-accept' },
          t('conn.accept', { url: asked }))));
  }
  const s = el('section', { 'data-testid': 'connection' });
  if (connection === 'connecting') s.append(el('p', {}, t('conn.connecting', { url })));
  else if (connection === 'failed') s.append(el('p', { class: 'refusal' }, t('conn.failed', { url })));
  else {
    s.append(el('p', { class: 'muted' }, t('conn.connected', { chain: chain.name, block })));
    s.append(trustLine(chain, url));
  }
  if (endpointSource) {
    const line = el('p', { class: 'muted', 'data-testid': 'endpoint' },
      `${t('conn.endpoint')}: `, el('code', { 'data-testid': 'endpoint-url' }, url), ' ',
      t(endpointSource === 'kept' ? 'conn.fromUser' : 'conn.fromConfig'));
    if (endpointSource === 'kept') {
      line.append(' ', el('button', {
        class: 'secondary',
        'data-testid': 'endpoint-forget',
        onclick: () => { forgetEndpoint(); location.reload(); },
      }, t('conn.useConfigured', { url: configured })));
    }
    s.append(line);
  }
  if (askedInvalid) s.append(el('p', { class: 'notice' }, t('conn.askedInvalid', { asked: askedInvalid })));
  return s;
}

/** What the page's chain state rests on: the light client in this page (proven against
 * finalized blocks) or the word of the node at `url` (unverified, and why the light client
 * is not in use when it failed). */
function trustLine(chain, url) {
  if (chain.verified) {
    return el('p', { class: 'verified', 'data-testid': 'trust-light' },
      el('span', { class: 'check', 'aria-hidden': 'true' }, '✓'), ' ', t('trust.light'));
  }
  return el('p', { class: 'unverified', 'data-testid': 'trust-unverified' },
    el('span', { class: 'cross', 'aria-hidden': 'true' }, '!'), ' ', t('trust.rpc', { url }),
    chain.lightError ? ` ${t('trust.lightFailed', { error: chain.lightError })}` : '');
}

/** Marks every section heading under `root` "unverified": the page reads through an RPC node
 * alone. */
export function labelUnverified(root) {
  for (const h of root.querySelectorAll('h2')) {
    if (h.querySelector('.tag-unverified')) continue; // a section kept from an earlier render
    h.append(' ', el('span', { class: 'tag-unverified', 'data-testid': 'unverified-tag' }, t('trust.tag')));
  }
}

/** The categories in words. */
export const categoryWords = (categories) => words(categories.map((c) => t(`cat.${c}`)));

/** A doctor, by licence number (the chain keeps no names). */
export const doctor = (licence) => t('doctor', { licence });

/** The verification line of `log` (from `Chain.verifiedLog`) into `parent`: the check mark
 * when its pages match the head the light client proved, a warning when they do not match,
 * "unverified" when the head is the node's word. Answers whether the entries may be shown. */
function renderCheck(parent, log) {
  if (!log.verified) {
    parent.append(el('p', { class: 'unverified', 'data-testid': 'log-unverified' },
      el('span', { class: 'cross', 'aria-hidden': 'true' }, '✗'), ' ',
      t('log.notVerified', { reason: t(log.reason) })));
    return false;
  }
  if (log.proven) {
    // The check mark: the entries match the head the light client proved.
    const summary = t(log.count === 0 ? 'log.verifiedEmpty' : log.entries.length < log.count ? 'log.verifiedPart' : 'log.verified',
      { count: log.count, shown: log.entries.length, block: log.block });
    parent.append(el('p', { class: 'verified', 'data-testid': 'log-verified' },
      el('span', { class: 'check', 'aria-hidden': 'true' }, '✓'), ' ', summary));
  } else {
    // The entries match the head the same node reported: no check mark.
    parent.append(el('p', { class: 'unverified', 'data-testid': 'log-unproven' },
      el('span', { class: 'cross', 'aria-hidden': 'true' }, '!'), ' ', t('log.unproven', { count: log.count, block: log.block })));
  }
  return true;
}

/** Renders a verified `log` (from `Chain.verifiedLog`) into `parent`: "checking" while it is
 * null, then its verification line and, if its entries may be shown, `none` (a label) for an
 * empty log or a list (test id `testid`) of `item(entry, index)`. */
function renderVerifiedLog(parent, log, none, testid, item) {
  parent.replaceChildren();
  if (!log) {
    parent.append(el('p', { class: 'muted' }, t('log.checking')));
    return;
  }
  if (!renderCheck(parent, log)) return;
  if (log.entries.length === 0) {
    parent.append(el('p', { class: 'muted' }, t(none)));
    return;
  }
  const list = el('ul', { class: 'log', 'data-testid': testid });
  for (const { index, entry } of log.entries) list.append(item(entry, index));
  parent.append(list);
}

/** Renders a patient's record log (from `Chain.verifiedLog('records', …)`) into `parent`:
 * which hospital added or withdrew a record, of what, when; `names` maps hospital codes to
 * names. */
export function renderRecords(parent, log, names) {
  renderVerifiedLog(parent, log, 'records.none', 'record-log', (entry, index) => {
    const hospital = names.get(entry.hospital) ?? entry.hospital;
    return el('li', { 'data-index': index }, entry.op === 'anchor'
      ? t('records.anchor', { hospital, category: t(`cat.${entry.category}`), when: when(entry.at) })
      : t('records.revoke', { hospital, reason: t(`revoke.${entry.reason}`), when: when(entry.at) }));
  });
}

/** Renders `log` (from `Chain.verifiedAccessLog`) into `parent`; `names` maps hospital codes
 * to names. */
export function renderLog(parent, log, names) {
  renderVerifiedLog(parent, log, 'log.none', 'access-log', (entry, index) => {
    const emergency = entry.basis.kind === 'emergency' || entry.purpose === 'emergency';
    const basis = t(`basis.${entry.basis.kind}`, { id: entry.basis.id });
    const sentence = t('log.item', {
      doctor: doctor(entry.practitioner),
      hospital: names.get(entry.hospital) ?? entry.hospital,
      categories: categoryWords(entry.categories),
      when: when(entry.at),
      basis,
    });
    return el('li', { class: emergency ? 'emergency' : '', 'data-index': index },
      emergency ? el('strong', { class: 'badge' }, t('log.emergency')) : null,
      emergency ? ' ' : null, sentence);
  });
}
