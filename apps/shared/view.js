// The view pieces both apps share: the connection line, and a patient's access log in plain
// words with the verification shown as a check mark (the patient app and the auditor's
// drill-down).
import { t, when, words } from './i18n.js';

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

/** The connection's state as a section: connecting, unreachable, or the chain and a block. */
export function connectionSection({ connection, url, chain }, block) {
  const s = el('section', { 'data-testid': 'connection' });
  if (connection === 'connecting') s.append(el('p', {}, t('conn.connecting', { url })));
  else if (connection === 'failed') s.append(el('p', { class: 'refusal' }, t('conn.failed', { url })));
  else s.append(el('p', { class: 'muted' }, t('conn.connected', { chain: chain.name, block })));
  return s;
}

/** The categories in words. */
export const categoryWords = (categories) => words(categories.map((c) => t(`cat.${c}`)));

/** A doctor, by licence number (the chain keeps no names). */
export const doctor = (licence) => t('doctor', { licence });

/** Renders `log` (from `Chain.verifiedAccessLog`) into `parent`; `names` maps hospital codes
 * to names. */
export function renderLog(parent, log, names) {
  parent.replaceChildren();
  if (!log) {
    parent.append(el('p', { class: 'muted' }, t('log.checking')));
    return;
  }
  if (log.verified) {
    parent.append(el('p', { class: 'verified', 'data-testid': 'log-verified' },
      el('span', { class: 'check', 'aria-hidden': 'true' }, '✓'), ' ',
      t(log.count === 0 ? 'log.verifiedEmpty' : log.entries.length < log.count ? 'log.verifiedPart' : 'log.verified',
        { count: log.count, shown: log.entries.length, block: log.block })));
  } else {
    parent.append(el('p', { class: 'unverified', 'data-testid': 'log-unverified' },
      el('span', { class: 'cross', 'aria-hidden': 'true' }, '✗'), ' ',
      t('log.notVerified', { reason: t(log.reason) })));
    return;
  }
  if (log.entries.length === 0) {
    parent.append(el('p', { class: 'muted' }, t('log.none')));
    return;
  }
  const list = el('ul', { class: 'log', 'data-testid': 'access-log' });
  for (const { index, entry } of log.entries) {
    const emergency = entry.basis.kind === 'emergency' || entry.purpose === 'emergency';
    const basis = t(`basis.${entry.basis.kind}`, { id: entry.basis.id });
    const sentence = t('log.item', {
      doctor: doctor(entry.practitioner),
      hospital: names.get(entry.hospital) ?? entry.hospital,
      categories: categoryWords(entry.categories),
      when: when(entry.at),
      basis,
    });
    list.append(el('li', { class: emergency ? 'emergency' : '', 'data-index': index },
      emergency ? el('strong', { class: 'badge' }, t('log.emergency')) : null,
      emergency ? ' ' : null, sentence));
  }
  parent.append(list);
}
