// The doctor's app: sign in at the hospital's identity provider (OpenID Connect, code +
// PKCE, a SMART standalone launch against the hospital's gateway), accept the exchange's
// terms once, find a patient by identity document, see what the chain says about them, get
// their records (at once at a one-time-consent hospital; by asking the patient, live, at a
// per-request hospital), open an emergency access, and list one's own accesses. It talks only
// to the hospital's gateway (JSON-RPC, bearer token); the token lives in memory (auth.js).
//
// Screens and their data-testid attributes (the end-to-end tests drive the app by these;
// keep them stable):
//
//   sign-in      `signin` (section); `hospital-<code>` (hospital choice buttons, when the
//                configuration names several gateways; aria-pressed on the chosen one);
//                `sign-in` (button); `signin-note` (why the doctor is here again: session
//                expired, signed out, a sign-in failure: a sentence); `signing-in` (the
//                code exchange under way); `config-error`
//   session bar  `session` (section); `signed-in` (who and where); `session-expiry`;
//                `show-patient`, `show-accesses` (tabs); `sign-out`
//   blocked      `blocked` (a sentence: no licence claim, not licensed, not affiliated)
//   terms        `terms` (section with the terms); `accept-terms` (button)
//   message      `message` (a refusal or notice sentence; class refusal/notice/done),
//                `message-detail` (the small print: code and the gateway's words)
//   find         `find` (section); `doc-kind` (select: thai-citizen | thai-non-citizen |
//                passport); `id-number` (input); `country` (input, passports only);
//                `id-hint` (live hint, data-valid="true|false"); `identify` (button)
//   patient      `patient-status` (section, data-health-id); `patient-enrolled`
//                (data-enrolled); `patient-policy` (data-policy); `patient-sensitive`
//                (data-opt-in); `patient-grants` (`patient-grant` items, data-mine);
//                `patient-pending` (`patient-request` items, data-mine);
//                `patient-emergency`
//   get records  `fetch-panel`; `fetch` (button "Get records": one-time hospital, or a live
//                grant of this doctor) or `ask` (button "Ask the patient": per-request);
//                `include-sensitive` (checkbox, when the patient opted in); `fetching`
//                (a fetch under way); `request-state` (data-state =
//                sending|waiting|approved|refused|expired; `request-countdown` inside while
//                waiting, data-deadline in ms)
//   emergency    `emergency` (the red button); `emergency-panel`; `emergency-reason`
//                (select: unconscious | lifeThreatening | unableToConsent);
//                `emergency-warning`; `emergency-confirm`; `emergency-cancel`;
//                `emergency-countdown` (data-deadline in ms, while the time box lasts);
//                `emergency-fetch` (get records again under the open emergency access)
//   records      `records` (section, data-count); `records-summary`; `records-group`
//                (data-group = allergy|diagnosis|medication|vaccine|procedure|lab|imaging|
//                measurement|visit|sensitive|other); `record` (data-type, data-group,
//                data-hash); `record-source`; `record-date`; `verified` (the check mark);
//                `flag` (data-flag = high|low|abnormal); `criticality-high`; `narrative`;
//                `record-json`; `unavailable`; `more` (next page)
//   my accesses  `my-accesses` (section with the table); `access-row` (data-basis,
//                data-review); `accesses-empty`; `reload-accesses`
//
// The sign-in: `sign-in` leaves for the identity provider (authorization code + PKCE); the
// provider redirects back to this page (redirect URI: the page's address without query, e.g.
// `https://gateway.hospital.example/doctor/`), which exchanges the code and keeps the tokens in
// memory only. After `sign-out` the next sign-in sends `prompt=login`.
import { el, categoryWords } from '../shared/view.js';
import { languageSwitch, onLanguage, language } from '../shared/i18n.js';
import { t, when, clock, countdown } from './i18n.js';
import { gatewayClient, GatewayError } from './api.js';
import { beginSignIn, completeSignIn, isCallback, expired, markSignedOut } from './auth.js';
import { refusal } from './errors.js';
import { KINDS, COUNTRIES, checkThaiId, checkPassport, checkCountry, documentOf } from './identity.js';
import { recordsSection } from './records-view.js';

const app = document.getElementById('app');
const CHOSEN = 'healthchain.doctor.hospital';
const ALL_CATEGORIES = ['allergy', 'diagnosis', 'medication', 'vaccine', 'procedure', 'measurement', 'labAndImaging', 'visit', 'sensitive'];
const REASONS = ['unconscious', 'lifeThreatening', 'unableToConsent'];
const POLL_MS = 2000;
const WAIT_SECS = 120;

const state = {
  phase: 'loading', // loading | config-error | signin | signing-in | working | blocked | terms | ready
  clientId: null,
  gateways: [],
  gateway: null,
  session: null, // in memory only: the tokens never reach any storage
  api: null,
  note: null, // { text, detail, kind } on the sign-in screen
  blocked: null, // { text, detail }
  me: null,
  tab: 'patient',
  doc: { kind: 'thai-citizen', number: '', country: '' },
  identifying: false,
  healthId: null,
  patient: null,
  includeSensitive: false,
  fetch: null, // { mode: fetch|ask|emergency, state, startedAt, requestId, expiresAt }
  pages: null, // the FetchResult, pages merged
  lastFetch: null, // the parameters of the last successful fetch (for "More")
  emergencyOpen: false,
  emergencyReason: '',
  accesses: null,
  accessesLoading: false,
  message: null, // { kind: refusal|notice|done, text, detail }
  busy: false,
};

// ---------------------------------------------------------------- helpers

const names = () => {
  const m = new Map();
  if (state.me?.hospital && state.me.hospitalName) m.set(state.me.hospital, state.me.hospitalName);
  return m;
};

/** A health ID shortened for reading (the whole in the title). */
const shortId = (id) => (id && id.length > 14 ? `${id.slice(0, 8)}…${id.slice(-6)}` : id ?? '');

const say = (kind, text, detail = '') => { state.message = { kind, text, detail }; };
const fail = (e) => {
  if (e instanceof GatewayError && e.code === 4001) return; // the sign-in screen says it
  const r = refusal(e, { url: state.gateway?.url ?? '' });
  say('refusal', r.text, r.detail);
};

function button(label, onclick, cls = '', testid = '', disabled = state.busy) {
  const b = el('button', { class: cls, onclick, 'data-testid': testid }, label);
  b.disabled = disabled;
  return b;
}

/** A countdown to `deadline` (ms): the ticker keeps its text current. */
const countdownNode = (deadline, testid) => el('span', {
  class: 'countdown', 'data-testid': testid, 'data-deadline': String(deadline),
}, countdown(deadline - Date.now()));

const call = (method, params = []) => state.api.call(method, params);

// ---------------------------------------------------------------- configuration

async function loadConfig() {
  try {
    const answer = await fetch(new URL('../config.json', location.href), { cache: 'no-store' });
    if (!answer.ok) throw new Error(`HTTP ${answer.status}`);
    const config = await answer.json();
    const doctor = config?.doctor;
    const gateways = (doctor?.gateways ?? []).filter((g) => g && typeof g.hospital === 'string' && typeof g.url === 'string');
    if (!doctor?.clientId || gateways.length === 0) throw new Error('config.json has no doctor.clientId or doctor.gateways');
    state.clientId = doctor.clientId;
    state.gateways = gateways;
    return true;
  } catch (e) {
    state.phase = 'config-error';
    state.note = { text: t('doctor.configError'), detail: String(e?.message ?? e) };
    return false;
  }
}

function chooseGateway(hospital) {
  state.gateway = state.gateways.find((g) => g.hospital === hospital) ?? null;
  if (state.gateway) sessionStorage.setItem(CHOSEN, state.gateway.hospital);
  render();
}

// ---------------------------------------------------------------- session

async function signIn() {
  if (!state.gateway) return;
  state.busy = true;
  state.note = null;
  render();
  try {
    await beginSignIn(state.gateway, state.clientId);
    // The page now leaves for the identity provider.
  } catch (e) {
    state.busy = false;
    state.note = { kind: 'refusal', ...refusal(e, { url: state.gateway.url }) };
    render();
  }
}

function useSession(session) {
  state.session = session;
  state.gateway = state.gateways.find((g) => g.hospital === session.hospital) ?? { hospital: session.hospital, url: session.url };
  sessionStorage.setItem(CHOSEN, session.hospital);
  state.api = gatewayClient(session.url, {
    token: () => (state.session && !expired(state.session) ? state.session.accessToken : null),
    onUnauthenticated: () => sessionEnded(),
  });
}

/** Forgets everything about the patient on screen (and the typed document with
 * `withDocument`). */
function clearPatient(withDocument = true) {
  stopPolling();
  Object.assign(state, {
    healthId: null, patient: null, fetch: null, pages: null, lastFetch: null, includeSensitive: false,
    emergencyOpen: false, emergencyReason: '', accesses: null, message: null, identifying: false,
  });
  if (withDocument) {
    state.doc = { kind: 'thai-citizen', number: '', country: '' };
    findChanged();
  }
}

/** Drops the session (tokens gone) and everything read with it. */
function dropSession() {
  state.api?.abort();
  state.session = null;
  state.api = null;
  state.me = null;
  state.busy = false;
  state.tab = 'patient';
  clearPatient();
}

/** The token expired, or the gateway answered 401 / code 4001: back to the sign-in screen. */
function sessionEnded() {
  if (!state.session) return;
  dropSession();
  state.phase = 'signin';
  state.note = { kind: 'notice', text: t('doctor.signin.expired'), detail: '' };
  render();
}

function signOut() {
  markSignedOut();
  dropSession();
  state.phase = 'signin';
  state.note = { kind: 'done', text: t('doctor.signin.signedOut'), detail: '' };
  render();
}

/** `gateway_me`: who the token says the doctor is, and whether the chain lets them work. */
async function loadMe() {
  state.phase = 'working';
  render();
  let me;
  try {
    me = await call('gateway_me');
  } catch (e) {
    if (!state.session) return;
    state.phase = 'blocked';
    state.blocked = refusal(e, { url: state.gateway.url });
    render();
    return;
  }
  state.me = me;
  if (!me.licence) {
    state.phase = 'blocked';
    state.blocked = { text: t('doctor.err.noLicence'), detail: '' };
  } else if (!me.licensed) {
    state.phase = 'blocked';
    state.blocked = { text: t('doctor.blocked.notLicensed', { licence: me.licence }), detail: '' };
  } else if (!me.affiliated) {
    state.phase = 'blocked';
    state.blocked = { text: t('doctor.blocked.notAffiliated', { licence: me.licence, hospital: me.hospitalName || me.hospital }), detail: '' };
  } else if (!me.termsAccepted) {
    state.phase = 'terms';
  } else {
    state.phase = 'ready';
  }
  render();
}

async function acceptTerms() {
  state.busy = true;
  state.message = null;
  render();
  try {
    const { block } = await call('gateway_acceptTerms');
    state.busy = false;
    await loadMe();
    say('done', t('doctor.terms.accepted', { block }));
  } catch (e) {
    state.busy = false;
    fail(e);
  }
  render();
}

// ---------------------------------------------------------------- patient

async function identify() {
  const doc = documentOf(state.doc.kind, state.doc.number, state.doc.country);
  if (doc.error) {
    updateHint();
    return;
  }
  clearPatient(false);
  state.identifying = true;
  state.busy = true;
  render();
  try {
    const { healthId } = await call('gateway_identify', [doc]);
    state.healthId = healthId;
    state.patient = await call('gateway_patient', [{ healthId }]);
  } catch (e) {
    fail(e);
  }
  state.identifying = false;
  state.busy = false;
  render();
}

async function refreshPatient() {
  if (!state.healthId || !state.api) return;
  try {
    state.patient = await call('gateway_patient', [{ healthId: state.healthId }]);
  } catch (e) {
    if (!(e instanceof GatewayError && e.code === 4001)) fail(e);
  }
  render();
}

const mine = (x) => x.practitioner === state.me?.licence;

/** Whether this doctor holds a live grant for the patient (the fetch needs no request). */
const myGrant = () => (state.patient?.grants ?? []).find((g) => mine(g) && Number(g.expiresAt) > Date.now());

/** This doctor's live emergency access to the patient, if any. */
const myEmergency = () => {
  const e = state.patient?.emergency;
  return e && Number(e.expiresAt) > Date.now() ? e : null;
};

// ---------------------------------------------------------------- getting records

let poller = null;

function stopPolling() {
  if (poller) clearInterval(poller);
  poller = null;
}

/** While a per-request fetch waits for the patient: `gateway_patient` every 2 s, to show
 * the request as the chain has it. */
function startPolling() {
  stopPolling();
  let inFlight = false;
  poller = setInterval(async () => {
    const f = state.fetch;
    if (!f || f.mode !== 'ask' || !state.api || inFlight) return;
    inFlight = true;
    try {
      const patient = await call('gateway_patient', [{ healthId: state.healthId }]);
      if (state.fetch !== f) return;
      state.patient = patient;
      const since = f.startedAt - 60_000;
      const request = (patient.pending ?? []).filter((r) => mine(r) && Number(r.createdAt) >= since)
        .sort((a, b) => Number(b.createdAt) - Number(a.createdAt))[0];
      const grant = (patient.grants ?? []).find((g) => mine(g) && Number(g.grantedAt) >= since);
      if (grant && ['sending', 'waiting'].includes(f.state)) f.state = 'approved';
      else if (request && f.state === 'sending') Object.assign(f, { state: 'waiting', requestId: request.id, expiresAt: Number(request.expiresAt) });
      if (f.state === 'waiting' && f.expiresAt && Date.now() > f.expiresAt) f.state = 'expired';
      render();
    } catch {
      // A missed poll: the next one, or the fetch's answer, tells.
    } finally {
      inFlight = false;
    }
  }, POLL_MS);
}

function fetchParams(mode, offset) {
  const params = { healthId: state.healthId };
  if (state.includeSensitive) params.categories = ALL_CATEGORIES;
  if (mode === 'emergency') {
    params.purpose = 'emergency';
    params.emergencyReason = state.emergencyReason || state.patient?.emergency?.reason;
  }
  if (mode === 'ask') params.waitSecs = WAIT_SECS;
  if (offset !== undefined && offset !== null) params.offset = offset;
  return params;
}

/** `gateway_fetch` for `mode` (`fetch`, `ask` or `emergency`): the records load, or the
 * refusal is said. */
async function getRecords(mode) {
  stopPolling();
  const f = { mode, state: mode === 'ask' ? 'sending' : 'loading', startedAt: Date.now() };
  state.fetch = f;
  state.pages = null;
  state.message = null;
  state.busy = true;
  state.emergencyOpen = false;
  if (mode === 'ask') startPolling();
  render();
  const params = fetchParams(mode);
  try {
    const result = await call('gateway_fetch', [params]);
    if (state.fetch !== f) return;
    state.pages = { ...result, records: [...(result.records ?? [])], unavailable: [...(result.unavailable ?? [])] };
    state.lastFetch = { ...params, waitSecs: undefined };
    f.state = mode === 'ask' ? 'approved' : 'done';
  } catch (e) {
    if (state.fetch !== f) return;
    if (mode === 'ask' && e instanceof GatewayError && (e.code === 4011 || e.code === 4012)) {
      f.state = e.code === 4011 ? 'refused' : 'expired';
    } else {
      f.state = mode === 'ask' ? 'error' : 'failed';
      fail(e);
    }
  } finally {
    if (state.fetch === f) {
      stopPolling();
      state.busy = false;
    }
  }
  render();
  await refreshPatient();
}

/** The next page (`offset` = the last answer's `nextOffset`), with the same parameters. */
async function more() {
  if (!state.pages || state.pages.nextOffset === undefined || state.pages.nextOffset === null) return;
  state.busy = true;
  render();
  try {
    const params = { ...state.lastFetch, offset: state.pages.nextOffset };
    delete params.waitSecs;
    const result = await call('gateway_fetch', [params]);
    state.pages = {
      ...result,
      records: [...state.pages.records, ...(result.records ?? [])],
      unavailable: [...state.pages.unavailable, ...(result.unavailable ?? [])],
    };
  } catch (e) {
    fail(e);
  }
  state.busy = false;
  render();
}

// ---------------------------------------------------------------- my accesses

async function loadAccesses() {
  state.accessesLoading = true;
  render();
  try {
    state.accesses = await call('gateway_myAccesses', [{ limit: 50 }]);
  } catch (e) {
    fail(e);
  }
  state.accessesLoading = false;
  render();
}

function showTab(tab) {
  state.tab = tab;
  state.message = null;
  if (tab === 'accesses') loadAccesses();
  render();
}

// ---------------------------------------------------------------- views: sign-in, session

function signinView() {
  const s = el('section', { 'data-testid': 'signin', class: 'signin' }, el('h2', {}, t('doctor.signin.title')),
    el('p', {}, t('doctor.signin.intro')));
  if (state.note) {
    s.append(el('p', { class: state.note.kind ?? 'notice', 'data-testid': 'signin-note' }, state.note.text,
      state.note.detail ? el('small', { class: 'detail', 'data-testid': 'message-detail' }, state.note.detail) : null));
  }
  if (state.gateways.length > 1) {
    const choices = el('div', { class: 'hospitals' });
    for (const g of state.gateways) {
      const chosen = state.gateway?.hospital === g.hospital;
      const b = button(t('doctor.hospitalCode', { code: g.hospital }), () => chooseGateway(g.hospital),
        chosen ? 'hospital chosen' : 'hospital secondary', `hospital-${g.hospital}`);
      b.setAttribute('aria-pressed', String(chosen));
      choices.append(b);
    }
    s.append(el('p', {}, t('doctor.signin.choose')), choices);
  }
  const go = button(state.gateway ? t('doctor.signin.button', { hospital: state.gateway.hospital }) : t('doctor.signin.chooseFirst'),
    signIn, 'big', 'sign-in', state.busy || !state.gateway);
  s.append(el('div', { class: 'row' }, go),
    el('p', { class: 'muted' }, t('doctor.signin.memory')));
  return s;
}

function sessionBar() {
  const me = state.me;
  const who = me?.licence
    ? t('doctor.session.who', { licence: me.licence, hospital: me.hospitalName ? `${me.hospitalName} (${me.hospital})` : me.hospital })
    : t('doctor.session.whoUnknown', { hospital: state.session?.hospital ?? '' });
  const bar = el('section', { class: 'session', 'data-testid': 'session' },
    el('div', { class: 'row session-row' },
      el('span', { class: 'who', 'data-testid': 'signed-in' }, el('strong', {}, who)),
      el('span', { class: 'muted', 'data-testid': 'session-expiry', title: when(state.session.expiresAt) },
        t('doctor.session.until', { time: clock(state.session.expiresAt) })),
      button(t('doctor.session.signOut'), signOut, 'secondary', 'sign-out', false)));
  if (state.phase === 'ready') {
    const tab = (id, label, testid) => {
      const b = button(label, () => showTab(id), state.tab === id ? 'tab active' : 'tab', testid, false);
      b.setAttribute('aria-pressed', String(state.tab === id));
      return b;
    };
    bar.append(el('div', { class: 'row tabs' },
      tab('patient', t('doctor.tab.patient'), 'show-patient'),
      tab('accesses', t('doctor.tab.accesses'), 'show-accesses')));
  }
  return bar;
}

function termsView() {
  const s = el('section', { 'data-testid': 'terms', class: 'terms' }, el('h2', {}, t('doctor.terms.title')),
    el('p', {}, t('doctor.terms.intro')));
  const ol = el('ol');
  for (let i = 1; i <= 5; i += 1) ol.append(el('li', {}, t(`doctor.terms.${i}`)));
  s.append(ol, el('p', { class: 'muted' }, t('doctor.terms.record')),
    button(t('doctor.terms.accept'), acceptTerms, 'big', 'accept-terms'));
  return s;
}

function messageView() {
  const m = state.message;
  if (!m) return null;
  return el('p', { class: m.kind, 'data-testid': 'message' }, m.text,
    m.detail ? el('small', { class: 'detail', 'data-testid': 'message-detail' }, m.detail) : null);
}

// ---------------------------------------------------------------- views: find

// The find form is built once per language and kind: typing never rebuilds it (the hint is
// updated in place), so focus and caret stay where the doctor types.
let findVersion = 0;
let findCache = { version: -1, node: null };
let hint = null;
let identifyButton = null;
const findChanged = () => { findVersion += 1; };

function hintOf() {
  const { kind, number, country } = state.doc;
  if (kind === 'passport') {
    const c = checkCountry(country);
    const p = checkPassport(number);
    if (c.state === 'bad') return { valid: false, text: t('doctor.hint.country') };
    if (p.state === 'bad') return { valid: false, text: t('doctor.hint.passport') };
    if (c.state === 'ok' && p.state === 'ok') return { valid: true, text: t('doctor.hint.passportOk', { country: c.country }) };
    return { valid: false, typing: true, text: t('doctor.hint.passportTyping') };
  }
  const c = checkThaiId(number, kind);
  switch (c.state) {
    case 'ok': return { valid: true, text: t('doctor.hint.ok') };
    case 'empty': return { valid: false, typing: true, text: t('doctor.hint.empty') };
    case 'notDigit': return { valid: false, text: t('doctor.hint.notDigit', { char: c.char }) };
    case 'wrongKind': return { valid: false, text: t(kind === 'thai-citizen' ? 'doctor.hint.notCitizen' : 'doctor.hint.citizen', { first: c.first }) };
    case 'short': return { valid: false, typing: true, text: t('doctor.hint.short', { count: c.count }) };
    case 'long': return { valid: false, text: t('doctor.hint.long', { count: c.count }) };
    case 'checkDigit': return { valid: false, text: t('doctor.hint.checkDigit', { expected: c.expected, found: c.found }) };
    default: return { valid: false, text: '' };
  }
}

/** The live hint and the identify button, updated in place: a number still being typed
 * is a quiet hint, a wrong one (bad character, wrong kind, too long, wrong check digit) a
 * red one. */
function updateHint() {
  if (!hint) return;
  const h = hintOf();
  hint.textContent = h.text;
  hint.dataset.valid = String(h.valid);
  hint.className = h.valid ? 'hint ok' : h.typing ? 'hint muted' : 'hint bad';
  if (identifyButton) identifyButton.disabled = state.busy || !h.valid;
}

function findView() {
  const kind = el('select', { 'data-testid': 'doc-kind', id: 'doc-kind' },
    ...KINDS.map((k) => {
      const o = el('option', { value: k }, t(`doctor.kind.${k}`));
      o.selected = state.doc.kind === k;
      return o;
    }));
  kind.onchange = () => { state.doc.kind = kind.value; findChanged(); render(); };
  const number = el('input', {
    type: 'text', 'data-testid': 'id-number', id: 'id-number', autocomplete: 'off', spellcheck: 'false',
    inputmode: state.doc.kind === 'passport' ? 'text' : 'numeric',
    placeholder: state.doc.kind === 'passport' ? 'AB1234567' : '1-2345-67890-12-3',
  });
  number.value = state.doc.number;
  number.oninput = () => { state.doc.number = number.value; updateHint(); };
  number.onkeydown = (ev) => { if (ev.key === 'Enter' && !identifyButton.disabled) identify(); };
  const fields = el('div', { class: 'find-fields' },
    el('label', { for: 'doc-kind' }, t('doctor.find.kind'), kind));
  if (state.doc.kind === 'passport') {
    const list = el('datalist', { id: 'countries' }, ...COUNTRIES.map((c) => el('option', { value: c })));
    const country = el('input', {
      type: 'text', 'data-testid': 'country', id: 'country', list: 'countries', maxlength: '3',
      autocomplete: 'off', placeholder: 'MMR', class: 'country',
    });
    country.value = state.doc.country;
    country.oninput = () => { state.doc.country = country.value; updateHint(); };
    fields.append(el('label', { for: 'country' }, t('doctor.find.country'), country, list));
  }
  fields.append(el('label', { for: 'id-number', class: 'grow' }, t(state.doc.kind === 'passport' ? 'doctor.find.passportNumber' : 'doctor.find.number'), number));
  hint = el('p', { class: 'hint', 'data-testid': 'id-hint', 'aria-live': 'polite' });
  identifyButton = button(t('doctor.find.button'), identify, 'big', 'identify');
  const s = el('section', { 'data-testid': 'find', class: 'find' }, el('h2', {}, t('doctor.find.title')),
    fields, hint, el('div', { class: 'row' }, identifyButton));
  updateHint();
  return s;
}

// ---------------------------------------------------------------- views: patient

function statusView() {
  const p = state.patient;
  const s = el('section', { 'data-testid': 'patient-status', 'data-health-id': state.healthId, class: 'patient' },
    el('h2', {}, t('doctor.patient.title')),
    el('p', { class: 'muted' }, `${t('doctor.patient.healthId')}: `, el('code', { title: state.healthId }, shortId(state.healthId))));
  const facts = el('ul', { class: 'facts' });
  facts.append(el('li', { 'data-testid': 'patient-enrolled', 'data-enrolled': String(Boolean(p.enrolled)), class: p.enrolled ? 'yes' : 'no' },
    t(p.enrolled ? 'doctor.patient.enrolled' : 'doctor.patient.notEnrolled')));
  if (p.enrolled) {
    facts.append(
      el('li', { 'data-testid': 'patient-policy', 'data-policy': p.policy },
        t(p.policy === 'perRequest' ? 'doctor.patient.perRequest' : 'doctor.patient.oneTime', { hospital: state.me.hospitalName || state.me.hospital })),
      el('li', { 'data-testid': 'patient-sensitive', 'data-opt-in': String(Boolean(p.sensitiveOptIn)) },
        t(p.sensitiveOptIn ? 'doctor.patient.sensitiveOn' : 'doctor.patient.sensitiveOff')));
  }
  const grants = (p.grants ?? []).filter((g) => Number(g.expiresAt) > Date.now());
  const grantList = el('li', { 'data-testid': 'patient-grants' });
  if (grants.length === 0) grantList.append(t('doctor.patient.noGrant'));
  else {
    grantList.append(t('doctor.patient.grants'));
    grantList.append(el('ul', {}, ...grants.map((g) => el('li', { 'data-testid': 'patient-grant', 'data-mine': String(mine(g)) },
      t(mine(g) ? 'doctor.patient.grantMine' : 'doctor.patient.grant', {
        doctor: g.practitioner, categories: categoryWords(g.categories ?? []), until: when(g.expiresAt),
      })))));
  }
  // Grants matter at a per-request hospital; at a one-time hospital only when there are some.
  if ((p.enrolled && p.policy === 'perRequest') || grants.length) facts.append(grantList);
  const pending = (p.pending ?? []).filter((r) => Number(r.expiresAt) > Date.now());
  if (pending.length) {
    facts.append(el('li', { 'data-testid': 'patient-pending' }, t('doctor.patient.pending'),
      el('ul', {}, ...pending.map((r) => el('li', { 'data-testid': 'patient-request', 'data-mine': String(mine(r)) },
        t(mine(r) ? 'doctor.patient.requestMine' : 'doctor.patient.request', {
          doctor: r.practitioner, categories: categoryWords(r.categories ?? []), when: when(r.createdAt), until: when(r.expiresAt),
        }))))));
  }
  const e = myEmergency();
  if (e) {
    facts.append(el('li', { 'data-testid': 'patient-emergency', class: 'emergency' },
      t('doctor.patient.emergency', { reason: t(`doctor.reason.${e.reason}`), when: when(e.openedAt), until: when(e.expiresAt) })));
  }
  s.append(facts);
  return s;
}

const REQUEST_STATE_KEYS = {
  sending: 'doctor.ask.sending', waiting: 'doctor.ask.waiting', approved: 'doctor.ask.approved',
  refused: 'doctor.ask.refused', expired: 'doctor.ask.expired',
};

function requestStateView(f) {
  if (f.mode !== 'ask' || !REQUEST_STATE_KEYS[f.state]) return null;
  const box = el('div', { class: `request-state state-${f.state}`, 'data-testid': 'request-state', 'data-state': f.state, 'aria-live': 'polite' },
    el('strong', {}, t(REQUEST_STATE_KEYS[f.state])));
  if (f.state === 'waiting' && f.expiresAt) {
    box.append(' ', t('doctor.ask.until'), ' ', countdownNode(f.expiresAt, 'request-countdown'));
  }
  if (f.state === 'sending' || f.state === 'waiting') box.append(el('p', { class: 'muted' }, t('doctor.ask.hint')));
  if (f.state === 'approved' && !state.pages) box.append(' ', t('doctor.ask.loading'));
  return box;
}

function fetchView() {
  const p = state.patient;
  if (!p.enrolled) return null;
  const s = el('section', { 'data-testid': 'fetch-panel', class: 'fetch' }, el('h2', {}, t('doctor.fetch.title')));
  const ask = p.policy === 'perRequest' && !myGrant();
  if (p.sensitiveOptIn) {
    const box = el('input', { type: 'checkbox', 'data-testid': 'include-sensitive' });
    box.checked = state.includeSensitive;
    box.disabled = state.busy;
    box.onchange = () => { state.includeSensitive = box.checked; };
    s.append(el('label', { class: 'check-label' }, box, ' ', t('doctor.fetch.sensitive')));
  }
  s.append(el('p', { class: 'muted' }, t(ask ? 'doctor.fetch.askIntro' : (myGrant() ? 'doctor.fetch.grantIntro' : 'doctor.fetch.intro'))));
  const main = ask
    ? button(t('doctor.fetch.ask'), () => getRecords('ask'), 'big', 'ask')
    : button(t('doctor.fetch.button'), () => getRecords('fetch'), 'big', 'fetch');
  s.append(el('div', { class: 'row' }, main));
  if (state.fetch) {
    const rs = requestStateView(state.fetch);
    if (rs) s.append(rs);
    if (state.fetch.mode === 'fetch' && state.fetch.state === 'loading') {
      s.append(el('p', { class: 'muted', 'data-testid': 'fetching' }, t('doctor.fetch.loading')));
    }
  }
  return s;
}

/** The emergency controls wait only for another call in flight, never for a patient's
 * answer: an emergency does not wait for a per-request consent. */
const emergencyBlocked = () => state.busy && state.fetch?.mode !== 'ask';

function emergencyView() {
  const p = state.patient;
  if (!p.enrolled) return null;
  const s = el('section', { class: 'emergency-box' }, el('h2', {}, t('doctor.emergency.title')));
  const open = myEmergency();
  if (open) {
    s.append(el('p', { class: 'emergency-live' }, t('doctor.emergency.open', { reason: t(`doctor.reason.${open.reason}`) }), ' ',
      countdownNode(Number(open.expiresAt), 'emergency-countdown'), ' ', t('doctor.emergency.left')),
    el('p', { class: 'muted' }, t('doctor.emergency.review', { review: t(`doctor.review.${open.review ?? 'pending'}`) })));
    if (!state.pages || state.fetch?.mode !== 'emergency') {
      s.append(button(t('doctor.emergency.fetchAgain'), () => getRecords('emergency'), 'danger', 'emergency-fetch', emergencyBlocked()));
    }
    return s;
  }
  if (state.fetch?.mode === 'emergency' && state.fetch.state === 'loading') {
    s.append(el('p', { class: 'muted', 'data-testid': 'fetching' }, t('doctor.emergency.opening')));
    return s;
  }
  if (!state.emergencyOpen) {
    s.append(el('p', { class: 'muted' }, t('doctor.emergency.intro')),
      button(t('doctor.emergency.button'), () => { state.emergencyOpen = true; state.emergencyReason = ''; render(); },
        'danger big', 'emergency', emergencyBlocked()));
    return s;
  }
  const reason = el('select', { 'data-testid': 'emergency-reason', id: 'emergency-reason' },
    el('option', { value: '' }, t('doctor.emergency.choose')),
    ...REASONS.map((r) => {
      const o = el('option', { value: r }, t(`doctor.reason.${r}`));
      o.selected = state.emergencyReason === r;
      return o;
    }));
  const confirm = button(t('doctor.emergency.confirm'), () => getRecords('emergency'), 'danger big', 'emergency-confirm',
    emergencyBlocked() || !state.emergencyReason);
  reason.onchange = () => { state.emergencyReason = reason.value; confirm.disabled = emergencyBlocked() || !reason.value; };
  s.classList.add('open');
  s.setAttribute('data-testid', 'emergency-panel');
  s.append(
    el('p', { class: 'refusal', 'data-testid': 'emergency-warning' }, t('doctor.emergency.warning')),
    el('label', { for: 'emergency-reason' }, t('doctor.emergency.reason'), reason),
    el('div', { class: 'row' }, confirm,
      button(t('doctor.emergency.cancel'), () => { state.emergencyOpen = false; render(); }, 'secondary', 'emergency-cancel')));
  return s;
}

let recordsCache = { pages: null, lang: null, busy: null, node: null };

function recordsView() {
  if (!state.pages) return null;
  const lang = language();
  if (recordsCache.pages !== state.pages || recordsCache.lang !== lang || recordsCache.busy !== state.busy) {
    recordsCache = {
      pages: state.pages, lang, busy: state.busy,
      node: recordsSection(state.pages, { names: names(), onMore: more, busy: state.busy }),
    };
  }
  return recordsCache.node;
}

function patientViews() {
  if (state.identifying) return [el('section', {}, el('p', { class: 'muted' }, t('doctor.find.looking')))];
  if (!state.patient) return [];
  // The emergency controls stay above the records, however long those are.
  return [statusView(), fetchView(), emergencyView(), recordsView()].filter(Boolean);
}

// ---------------------------------------------------------------- views: my accesses

function accessesView() {
  const s = el('section', { 'data-testid': 'my-accesses', class: 'accesses' }, el('h2', {}, t('doctor.accesses.title')),
    el('p', { class: 'muted' }, t('doctor.accesses.intro')));
  if (state.accessesLoading && !state.accesses) {
    s.append(el('p', { class: 'muted' }, t('doctor.accesses.loading')));
    return s;
  }
  const rows = state.accesses ?? [];
  if (rows.length === 0) {
    s.append(el('p', { 'data-testid': 'accesses-empty' }, t('doctor.accesses.none')));
    return s;
  }
  const table = el('table', {}, el('thead', {}, el('tr', {},
    ...['when', 'patient', 'categories', 'records', 'basis', 'review'].map((c) => el('th', {}, t(`doctor.accesses.col.${c}`))))));
  const body = el('tbody');
  for (const a of rows) {
    const em = a.emergency;
    body.append(el('tr', { 'data-testid': 'access-row', 'data-basis': a.basis, 'data-review': em?.review ?? '', class: em ? 'emergency' : '' },
      el('td', {}, when(a.at)),
      el('td', {}, el('code', { title: a.healthId }, shortId(a.healthId))),
      el('td', {}, categoryWords(a.categories ?? [])),
      el('td', { class: 'n' }, String(a.records ?? '')),
      el('td', {}, t(`doctor.basis.${a.basis}`), a.purpose === 'emergency' && a.basis !== 'emergency' ? ` (${t('purpose.emergency')})` : ''),
      el('td', {}, em ? `${t(`doctor.reason.${em.reason}`)}: ${t(`doctor.review.${em.review ?? 'pending'}`)}` : '—')));
  }
  table.append(body);
  s.append(el('div', { class: 'table-wrap' }, table),
    el('div', { class: 'row' }, button(t('doctor.accesses.reload'), loadAccesses, 'secondary', 'reload-accesses', state.accessesLoading)));
  return s;
}

// ---------------------------------------------------------------- render

// Stable slots for the signed-in screens: re-rendering replaces the slots' contents, never
// the find slot while the doctor types in it.
const slots = {
  session: el('div', { class: 'slot' }),
  message: el('div', { class: 'slot', 'aria-live': 'polite' }),
  find: el('div', { class: 'slot' }),
  patient: el('div', { class: 'slot patient-slot' }),
  accesses: el('div', { class: 'slot' }),
};

function place(...nodes) {
  const current = [...app.children];
  if (current.length === nodes.length && current.every((n, i) => n === nodes[i])) return;
  app.replaceChildren(...nodes);
}

function render() {
  document.getElementById('title').textContent = t('doctor.app');
  document.title = `HealthChain · ${t('doctor.app')}`;
  switch (state.phase) {
    case 'loading':
      place(el('section', {}, el('p', { class: 'muted' }, t('doctor.loading'))));
      return;
    case 'config-error':
      place(el('section', { 'data-testid': 'config-error' },
        el('p', { class: 'refusal' }, state.note.text, el('small', { class: 'detail' }, state.note.detail))));
      return;
    case 'signin':
      place(signinView());
      return;
    case 'signing-in':
      place(el('section', { 'data-testid': 'signing-in' }, el('p', { class: 'muted' }, t('doctor.signin.completing'))));
      return;
    default:
  }
  slots.session.replaceChildren(sessionBar());
  slots.message.replaceChildren(...[messageView()].filter(Boolean));
  if (state.phase === 'working') {
    place(slots.session, el('section', {}, el('p', { class: 'muted' }, t('doctor.checking'))));
    return;
  }
  if (state.phase === 'blocked') {
    place(slots.session, el('section', { class: 'alert' },
      el('p', { class: 'refusal', 'data-testid': 'blocked' }, state.blocked.text,
        state.blocked.detail ? el('small', { class: 'detail', 'data-testid': 'message-detail' }, state.blocked.detail) : null)));
    return;
  }
  if (state.phase === 'terms') {
    place(slots.session, slots.message, termsView());
    return;
  }
  if (state.tab === 'accesses') {
    slots.accesses.replaceChildren(accessesView());
    place(slots.session, slots.message, slots.accesses);
    return;
  }
  if (findCache.version !== findVersion) {
    findCache = { version: findVersion, node: findView() };
    slots.find.replaceChildren(findCache.node);
  } else {
    updateHint();
  }
  slots.patient.replaceChildren(...patientViews());
  place(slots.session, slots.message, slots.find, slots.patient);
}

// ---------------------------------------------------------------- the ticker

// Every second: the token's expiry (back to sign-in when it passes) and the countdowns; a
// countdown that reaches zero re-renders (the request or the emergency access ended).
setInterval(() => {
  if (state.session && expired(state.session)) {
    sessionEnded();
    return;
  }
  let ended = false;
  for (const node of document.querySelectorAll('[data-deadline]')) {
    const left = Number(node.dataset.deadline) - Date.now();
    node.textContent = countdown(left);
    if (left <= 0 && !node.dataset.ended) {
      node.dataset.ended = '1';
      ended = true;
    }
  }
  if (ended) {
    if (state.fetch?.state === 'waiting' && state.fetch.expiresAt <= Date.now()) state.fetch.state = 'expired';
    render();
  }
}, 1000);

// ---------------------------------------------------------------- start

languageSwitch(document.getElementById('languages'));
onLanguage(() => { findChanged(); render(); });
render();
if (await loadConfig()) {
  const kept = sessionStorage.getItem(CHOSEN);
  state.gateway = state.gateways.find((g) => g.hospital === kept) ?? (state.gateways.length === 1 ? state.gateways[0] : null);
  if (isCallback()) {
    state.phase = 'signing-in';
    render();
    try {
      useSession(await completeSignIn());
      await loadMe();
    } catch (e) {
      state.phase = 'signin';
      state.note = { kind: 'refusal', ...refusal(e, { url: state.gateway?.url ?? '' }) };
    }
  } else {
    state.phase = 'signin';
  }
}
render();
