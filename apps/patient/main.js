// The patient's consent app: a pending rebind of the health ID to another key (cancel or
// confirm it), membership, source hospitals, the sensitive opt-in, live requests, grants and
// the verified access log. Every change is a transaction signed by the patient's key; every
// refusal is shown as a sentence.
import { Chain } from '../shared/chain.js';
import { chooseEndpoint, configuredChainSpec, configuredPatience } from '../shared/endpoint.js';
import { t, day, when, onLanguage, languageSwitch } from '../shared/i18n.js';
import { el, renderLog, renderRecords, doctor, categoryWords, connectionSection, labelUnverified } from '../shared/view.js';
import { savedKey, saveKey, unlockKey, forgetKey, extensionAccounts, extensionKey } from './keys.js';
import { seenFrom, noticesSince, anyNotice, toNotify } from './notices.js';

const app = document.getElementById('app');
const state = {
  url: null,
  endpointSource: null,
  configured: null,
  asked: null,
  askedInvalid: null,
  chain: null,
  connection: 'connecting',
  block: 0,
  key: null,
  keyError: null,
  extension: null,
  healthId: null,
  consent: undefined,
  hospitals: [],
  pending: [],
  grants: [],
  rebind: null,
  log: null,
  records: null,
  notices: null,
  notified: new Set(),
  draft: null,
  busy: false,
  message: null,
};

const names = () => new Map(state.hospitals.map((h) => [h.code, h.name]));
const hospitalName = (code) => names().get(code) ?? code;

// ---------------------------------------------------------------- chain reads

let refreshing = false;

async function refresh() {
  const { chain, healthId } = state;
  if (!chain || !healthId || refreshing) return;
  refreshing = true;
  try {
    await read(chain, healthId);
  } finally {
    refreshing = false;
  }
}

async function read(chain, healthId) {
  // One finalized block for everything this refresh reads.
  const block = await chain.finalized();
  const [{ consent, pending, grants }, rebind] = await Promise.all([
    chain.consentState(healthId, block),
    readRebind(chain, healthId, block),
  ]);
  state.consent = consent;
  state.pending = pending;
  state.grants = grants;
  state.rebind = rebind;
  if (!state.draft && consent) state.draft = draftOf(consent.sources);
  render();
  [state.log, state.records] = await Promise.all([
    chain.verifiedAccessLog(healthId, block),
    chain.verifiedLog('records', healthId, block),
  ]);
  await readNotices(chain, healthId, block);
  render();
}

// ---------------------------------------------------------------- since you last looked

const seenKey = (healthId) => `healthchain.seen.${healthId}`;

/** What this browser marked as seen for the health ID, or null (never). */
function loadSeen(healthId) {
  try {
    return JSON.parse(localStorage.getItem(seenKey(healthId)) ?? 'null');
  } catch {
    return null;
  }
}

/** What is new since the patient last looked, each emergency access with its reason and
 * review from the chain; and a browser notification for each new request or emergency access,
 * once, when the patient allowed them. */
async function readNotices(chain, healthId, block) {
  const now = { log: state.log, pending: state.pending, grants: state.grants };
  const notices = noticesSince(loadSeen(healthId), now);
  for (const a of notices.accesses) {
    if (a.emergency) a.detail = await chain.emergencyAccess(a.entry.basis.id, block);
  }
  state.notices = { ...notices, now };
  if (typeof Notification !== 'undefined' && Notification.permission === 'granted') {
    for (const n of toNotify(notices, state.notified)) notify(n);
  }
}

function notify({ key, kind, item }) {
  const title = t(kind === 'request' ? 'notify.request' : 'notify.emergency');
  const body = kind === 'request'
    ? t('notices.request', { doctor: doctor(item.practitioner), hospital: hospitalName(item.hospital), categories: categoryWords(item.categories), purpose: t(`purpose.${item.purpose}`) })
    : t('notices.emergencyShort', { doctor: doctor(item.entry.practitioner), hospital: hospitalName(item.entry.hospital) });
  try {
    new Notification(title, { body, tag: key });
  } catch {
    // A browser that only notifies from a service worker: the page still lists it.
  }
}

function markSeen() {
  const previous = loadSeen(state.healthId);
  localStorage.setItem(seenKey(state.healthId), JSON.stringify(seenFrom(state.notices.now, previous)));
  state.notices = { ...noticesSince(loadSeen(state.healthId), state.notices.now), now: state.notices.now };
  render();
}

/** The health ID's pending controller rebind (`HealthIds.PendingRebinds`, decoded with the
 * metadata's types) at the finalized `block`, or null: the new key (null for assisted
 * service), the registrar, the block it can take effect in and its estimated time, whether
 * it is contested. */
async function readRebind(chain, healthId, block) {
  const { number: finalized, at } = block;
  const [pending, now, slot] = await Promise.all([
    at.query.healthIds.pendingRebinds(healthId),
    at.query.timestamp.now(),
    chain.blockTime(),
  ]);
  if (pending.isNone) return null;
  const p = pending.unwrap();
  const effectiveAt = p.effectiveAt.toNumber();
  return {
    key: p.controller.isKey ? p.controller.asKey.toString() : null,
    registrar: p.registrar.toString(),
    effectiveAt,
    due: effectiveAt <= finalized,
    at: now.toNumber() + Math.max(0, effectiveAt - finalized) * slot,
    contested: p.contested.isTrue,
  };
}

/** An address shortened for reading: its first and last six characters. */
const short = (address) => (address.length > 14 ? `${address.slice(0, 6)}…${address.slice(-6)}` : address);

const draftOf = (sources) => (sources === 'all'
  ? { all: true, only: new Set() }
  : { all: false, only: new Set(sources) });

const selection = () => (state.draft.all ? 'All' : { Only: [...state.draft.only].sort() });

// ---------------------------------------------------------------- actions

async function act(tx) {
  state.busy = true;
  state.message = { kind: 'notice', key: 'tx.sending' };
  render();
  const r = await state.chain.send(tx, state.key.account, state.key.signer);
  state.busy = false;
  state.message = r.ok
    ? { kind: 'done', key: 'tx.done', vars: { block: r.block } }
    : { kind: 'refusal', key: 'tx.refusedBy', vars: { sentence: r.sentence } };
  if (r.ok) state.draft = null;
  render();
  await refresh();
  return r;
}

const txs = () => state.chain.api.tx.consent;
const ids = () => state.chain.api.tx.healthIds;

const actions = {
  enrol: () => act(txs().enrol(state.healthId, selection())),
  sources: () => act(txs().setSources(state.healthId, selection())),
  sensitive: (on) => act(txs().setSensitiveOptIn(state.healthId, on)),
  respond: (id, approve) => act(txs().respond(id, approve)),
  revoke: (g) => act(txs().revokeGrant(state.healthId, g.hospital, g.practitioner)),
  withdraw: () => {
    if (window.confirm(t('action.withdrawConfirm'))) act(txs().withdraw(state.healthId));
  },
  cancelRebind: () => act(ids().cancelRebind(state.healthId)),
  confirmRebind: async () => {
    const key = state.rebind?.key ? short(state.rebind.key) : t('rebind.assisted');
    if (!window.confirm(t('action.confirmRebindConfirm', { key }))) return;
    const r = await act(ids().confirmRebind(state.healthId));
    if (!r.ok) return;
    // This key no longer controls the health ID: the app now says so.
    await useKey(state.key);
    state.message = { kind: 'done', key: 'rebind.moved' };
    render();
  },
};

// The key form is rebuilt only when what it shows changes, never under the patient's typing.
let keyVersion = 0;
let keyCache = { version: -1, node: null };
const keyChanged = () => { keyVersion += 1; };

async function useKey(key) {
  state.key = key;
  state.keyError = null;
  keyChanged();
  const { at } = await state.chain.finalized();
  const id = await at.query.healthIds.controllers(key.address);
  state.healthId = id.isSome ? id.unwrap().toHex() : null;
  render();
  await refresh();
}

// ---------------------------------------------------------------- views

function button(label, onclick, cls = '', testid = '') {
  const b = el('button', { class: cls, onclick, 'data-testid': testid }, label);
  b.disabled = state.busy;
  return b;
}

function keyView() {
  const s = el('section', { 'data-testid': 'key' }, el('h2', {}, t('key.title')));
  if (state.key) {
    s.append(el('p', { class: 'muted' }, t('key.account', { address: state.key.address })));
    return s;
  }
  const ss58 = state.chain.api.registry.chainSS58;
  const password = el('input', { type: 'password', 'data-testid': 'key-password', autocomplete: 'current-password' });
  const saved = savedKey();
  if (saved) {
    s.append(el('p', {}, saved.address),
      el('label', {}, t('key.password'), password),
      el('div', { class: 'row' },
        button(t('key.unlock'), async () => {
          try { await useKey(await unlockKey(password.value, ss58)); } catch { state.keyError = 'key.badPassword'; keyChanged(); render(); }
        }, '', 'key-unlock'),
        button(t('key.forget'), () => { forgetKey(); keyChanged(); render(); }, 'secondary')));
  } else {
    const secret = el('input', { type: 'password', 'data-testid': 'key-secret', autocomplete: 'off' });
    s.append(el('h3', {}, t('key.local')),
      el('label', {}, t('key.secret'), secret),
      el('label', {}, t('key.password'), password),
      button(t('key.save'), async () => {
        try { await useKey(await saveKey(secret.value, password.value, ss58)); } catch { state.keyError = 'key.badSecret'; keyChanged(); render(); }
      }, '', 'key-save'));
  }
  const ext = el('div', {}, button(t('key.extension'), async () => {
    state.extension = await extensionAccounts().catch(() => []);
    keyChanged();
    render();
  }, 'secondary'));
  if (state.extension && state.extension.length === 0) ext.append(el('p', { class: 'notice' }, t('key.extensionNone')));
  if (state.extension && state.extension.length > 0) {
    ext.append(el('p', {}, t('key.extensionPick')), ...state.extension.map((a) => button(
      `${a.meta.name ?? ''} ${a.address}`, async () => useKey(await extensionKey(a.address)), 'secondary')));
  }
  s.append(el('hr'), ext);
  if (state.keyError) s.append(el('p', { class: 'refusal' }, t(state.keyError)));
  return s;
}

function sourcesEditor() {
  const d = state.draft ?? draftOf('all');
  state.draft = d;
  const radio = (all) => {
    const r = el('input', { type: 'radio', name: 'sources', 'data-testid': all ? 'sources-all' : 'sources-only' });
    r.checked = d.all === all;
    r.onchange = () => { d.all = all; render(); };
    return r;
  };
  const box = el('div', { class: 'sources' },
    el('label', {}, radio(true), ' ', t('sources.all')),
    el('label', {}, radio(false), ' ', t('sources.only')));
  if (!d.all) {
    for (const h of state.hospitals.filter((x) => x.active)) {
      const c = el('input', { type: 'checkbox', 'data-testid': `source-${h.code}` });
      c.checked = d.only.has(h.code);
      c.onchange = () => { if (c.checked) d.only.add(h.code); else d.only.delete(h.code); };
      box.append(el('label', { style: 'margin-left:1.5rem' }, c, ` ${h.name} (${h.code})`));
    }
  }
  return box;
}

/** When a pending rebind takes effect, in words: a contested one only by the council's
 * approval or the key's confirmation, otherwise from its block (and estimated time) on. */
function rebindWhen(r) {
  if (r.contested) return t('rebind.whenContested');
  if (r.due) return t('rebind.due', { block: r.effectiveAt });
  return t('rebind.when', { when: when(r.at), block: r.effectiveAt });
}

/** The pending rebind, if any: to which key, when, contested or not; cancel (unless
 * contested) and confirm. */
function rebindView() {
  const r = state.rebind;
  if (!r) return null;
  const registrar = short(r.registrar);
  const s = el('section', { class: 'alert', 'data-testid': 'rebind' }, el('h2', {}, t('rebind.title')),
    el('p', { 'data-testid': 'rebind-target', title: r.key ?? '' },
      r.key ? t('rebind.toKey', { registrar, key: short(r.key) }) : t('rebind.toAssisted', { registrar })),
    el('p', { 'data-testid': 'rebind-when' }, rebindWhen(r)),
    el('p', { class: 'notice', 'data-testid': 'rebind-contest' }, t(r.contested ? 'rebind.contested' : 'rebind.uncontested')));
  const row = el('div', { class: 'row' });
  if (!r.contested) row.append(button(t('action.cancelRebind'), actions.cancelRebind, '', 'rebind-cancel'));
  row.append(button(t('action.confirmRebind'), actions.confirmRebind, 'secondary', 'rebind-confirm'));
  s.append(row, el('p', { class: 'muted' }, t('rebind.confirmHint')));
  return s;
}

function statusView() {
  const c = state.consent;
  const s = el('section', { 'data-testid': 'status' }, el('h2', {}, t('status.title')),
    el('p', { class: 'muted' }, `${t('status.healthId')}: `, el('code', {}, state.healthId)));
  if (!c || !c.enrolled) {
    if (!c) s.append(el('p', { 'data-testid': 'status-text' }, t('status.never')));
    else {
      s.append(el('p', { 'data-testid': 'status-text' }, t('status.withdrawn', { date: day(c.withdrawnOn) })),
        el('p', { class: c.canEnrolToday ? 'muted' : 'notice' },
          c.canEnrolToday ? t('status.rejoinToday') : t('status.rejoinFrom', { date: day(c.withdrawnOn + 1) })));
    }
    s.append(el('h3', {}, t('sources.title')), sourcesEditor(), button(t('action.enrol'), actions.enrol, '', 'enrol'));
    return s;
  }
  s.append(el('p', { 'data-testid': 'status-text' }, t('status.enrolled', { date: day(c.enrolledOn) })),
    button(t('action.withdraw'), actions.withdraw, 'danger', 'withdraw'));
  return s;
}

function sourcesView() {
  const c = state.consent;
  if (!c?.enrolled) return null;
  const current = c.sources === 'all' ? t('sources.everyHospital') : c.sources.map(hospitalName).join(', ');
  return el('section', { 'data-testid': 'sources' }, el('h2', {}, t('sources.title')),
    el('p', {}, t('sources.current', { list: current })),
    el('p', { class: c.canChangeSourcesToday ? 'muted' : 'notice', 'data-testid': 'sources-rule' },
      t('sources.rule'), c.canChangeSourcesToday ? '' : ` ${t('sources.changedToday')}`),
    sourcesEditor(),
    button(t('action.saveSources'), actions.sources, '', 'save-sources'));
}

function sensitiveView() {
  const c = state.consent;
  if (!c?.enrolled) return null;
  return el('section', { 'data-testid': 'sensitive' }, el('h2', {}, t('sensitive.title')),
    el('p', {}, c.sensitiveOptIn ? t('sensitive.on') : t('sensitive.off')),
    button(c.sensitiveOptIn ? t('action.sensitiveOff') : t('action.sensitiveOn'),
      () => actions.sensitive(!c.sensitiveOptIn), 'secondary', 'sensitive-toggle'));
}

function requestsView() {
  if (!state.consent?.enrolled) return null;
  const s = el('section', { 'data-testid': 'requests' }, el('h2', {}, t('requests.title')));
  if (state.pending.length === 0) s.append(el('p', { class: 'muted' }, t('requests.none')));
  const list = el('ul', { class: 'items' });
  for (const r of state.pending) {
    list.append(el('li', { 'data-testid': `request-${r.id}` },
      t('requests.item', {
        doctor: doctor(r.practitioner), hospital: hospitalName(r.hospital),
        categories: categoryWords(r.categories), purpose: t(`purpose.${r.purpose}`), until: when(r.expiresAt),
      }), ' ',
      button(t('action.approve'), () => actions.respond(r.id, true), '', `approve-${r.id}`), ' ',
      button(t('action.refuse'), () => actions.respond(r.id, false), 'secondary', `refuse-${r.id}`)));
  }
  s.append(list);
  return s;
}

function grantsView() {
  if (!state.consent?.enrolled) return null;
  const s = el('section', { 'data-testid': 'grants' }, el('h2', {}, t('grants.title')));
  if (state.grants.length === 0) s.append(el('p', { class: 'muted' }, t('grants.none')));
  const list = el('ul', { class: 'items' });
  for (const g of state.grants) {
    list.append(el('li', {},
      t('grants.item', {
        doctor: doctor(g.practitioner), hospital: hospitalName(g.hospital),
        categories: categoryWords(g.categories), until: when(g.expiresAt),
      }), ' ',
      button(t('action.revoke'), () => actions.revoke(g), 'secondary', `revoke-${g.hospital}-${g.practitioner}`)));
  }
  s.append(list);
  return s;
}

function noticesView() {
  const n = state.notices;
  if (!n) return null;
  const s = el('section', { 'data-testid': 'notices' }, el('h2', {}, t('notices.title')));
  if (n.unchecked) s.append(el('p', { class: 'notice' }, t('notices.unchecked')));
  if (!anyNotice(n)) {
    s.append(el('p', { class: 'muted', 'data-testid': 'notices-none' }, t('notices.none')));
  } else {
    const list = el('ul', { class: 'items' });
    for (const a of n.accesses) {
      const e = a.entry;
      const who = { doctor: doctor(e.practitioner), hospital: hospitalName(e.hospital), categories: categoryWords(e.categories), when: when(e.at) };
      list.append(a.emergency
        ? el('li', { class: 'emergency', 'data-testid': `notice-access-${a.index}` },
          el('strong', { class: 'badge' }, t('log.emergency')), ' ',
          t('notices.emergency', {
            ...who,
            reason: a.detail ? t(`reason.${a.detail.reason}`) : t('notices.gone'),
            review: a.detail ? t(`audit.review.${a.detail.review}`) : '',
          }))
        : el('li', { 'data-testid': `notice-access-${a.index}` }, t('notices.access', who)));
    }
    for (const r of n.requests) {
      list.append(el('li', { 'data-testid': `notice-request-${r.id}` }, t('notices.request', {
        doctor: doctor(r.practitioner), hospital: hospitalName(r.hospital),
        categories: categoryWords(r.categories), purpose: t(`purpose.${r.purpose}`),
      })));
    }
    for (const g of n.endedGrants) {
      list.append(el('li', { 'data-testid': `notice-grant-${g.requestId}` }, t('notices.grantEnded', {
        doctor: doctor(g.practitioner), hospital: hospitalName(g.hospital), categories: categoryWords(g.categories),
      })));
    }
    s.append(list);
  }
  s.append(el('div', { class: 'row' }, button(t('notices.markSeen'), markSeen, 'secondary', 'notices-seen')));
  if (typeof Notification !== 'undefined') {
    if (Notification.permission === 'granted') {
      s.append(el('p', { class: 'muted', 'data-testid': 'notify-on' }, t('notices.notifyOn')));
    } else if (Notification.permission !== 'denied') {
      s.append(button(t('notices.notifyAsk'), async () => { await Notification.requestPermission(); render(); }, 'secondary', 'notify-enable'));
    }
  }
  return s;
}

function recordsView() {
  const s = el('section', { 'data-testid': 'records' }, el('h2', {}, t('records.title')));
  const body = el('div');
  renderRecords(body, state.records, names());
  s.append(body);
  return s;
}

function logView() {
  const s = el('section', { 'data-testid': 'log' }, el('h2', {}, t('log.title')));
  const body = el('div');
  renderLog(body, state.log, names());
  s.append(body);
  return s;
}

function render() {
  document.getElementById('title').textContent = t('app.patient');
  const parts = [connectionSection(state, state.block)];
  const unverified = state.connection === 'connected' && !state.chain.verified;
  if (state.connection === 'connected') {
    if (keyCache.version !== keyVersion) keyCache = { version: keyVersion, node: keyView() };
    parts.push(keyCache.node);
    if (state.key && !state.healthId) parts.push(el('section', {}, el('p', { class: 'notice' }, t('key.noHealthId'))));
    if (state.message) parts.push(el('section', {}, el('p', { class: state.message.kind, 'data-testid': 'message' }, t(state.message.key, state.message.vars))));
    if (state.healthId && state.consent !== undefined) {
      parts.push(rebindView(), noticesView(), statusView(), sourcesView(), sensitiveView(), requestsView(), grantsView(), recordsView(), logView());
    }
  }
  app.replaceChildren(...parts.filter(Boolean));
  if (unverified) labelUnverified(app);
}

// ---------------------------------------------------------------- start

languageSwitch(document.getElementById('languages'));
onLanguage(() => { keyChanged(); render(); });
// The endpoint: the app's configuration, or the user's confirmed choice; a `?rpc=` link is
// asked about first, and nothing is connected before the answer.
await chooseEndpoint(state, render);
try {
  state.chain = await Chain.connect(state.url, { chainSpec: await configuredChainSpec(), patience: await configuredPatience() });
  state.connection = 'connected';
  state.hospitals = await state.chain.allHospitals();
  // Live: every new block re-reads the requests, grants, status and log.
  await state.chain.onNewBlock((header) => {
    state.block = header.number.toNumber();
    if (state.key && state.healthId && !state.busy) refresh();
    else render();
  });
} catch {
  state.connection = 'failed';
}
render();
