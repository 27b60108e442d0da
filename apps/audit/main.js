// The auditor's view: per hospital and day, the accesses attested, the accesses refused (by
// reason), emergency accesses and their reviews, read from the chain's blocks and events;
// and one patient's verified access log by health ID.
import { Chart, BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip } from 'chart.js';
import { Chain, camel, text, plainEntry } from '../shared/chain.js';
import { chooseEndpoint, configuredChainSpec, configuredPatience } from '../shared/endpoint.js';
import { moduleError } from '../shared/errors.js';
import { t, when, onLanguage, languageSwitch } from '../shared/i18n.js';
import { el, renderLog, doctor, connectionSection, labelUnverified } from '../shared/view.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

const app = document.getElementById('app');
const params = new URLSearchParams(location.search);
const state = {
  url: null,
  endpointSource: null,
  configured: null,
  asked: null,
  askedInvalid: null,
  chain: null,
  connection: 'connecting',
  blocks: Number(params.get('blocks')) || 600,
  scan: null,
  progress: null,
  drillId: params.get('healthId') ?? '',
  drillError: null,
  log: undefined,
};
let chart = null;

/** The calendar day (Bangkok, the network's zone) of a time, as YYYY-MM-DD. */
const dayOf = (ms) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Bangkok' }).format(new Date(ms));

// ---------------------------------------------------------------- reading blocks

/** Which hospital a gateway account belongs to. */
async function gatewayHospitals(chain) {
  const byGateway = new Map();
  for (const h of await chain.allHospitals()) for (const g of h.gateways ?? []) byGateway.set(g, h.code);
  return byGateway;
}

/** A block's body, events and time, from the RPC node: a light client serves recent blocks
 * only, so the scan is as the node says (the page labels it unverified). */
async function readBlock(chain, n) {
  const api = await chain.rpcApi();
  const hash = await api.rpc.chain.getBlockHash(n);
  const [block, at] = await Promise.all([api.rpc.chain.getBlock(hash), api.at(hash)]);
  const [events, now] = await Promise.all([at.query.system.events(), at.query.timestamp.now()]);
  return { n, block: block.block, events, time: now.toNumber() };
}

function fold(scan, api, gateways, { block, events, time }) {
  const row = (day, hospital) => {
    const key = `${day} ${hospital}`;
    if (!scan.rows.has(key)) scan.rows.set(key, { day, hospital, attestations: 0, denials: 0, emergencies: 0, reviews: 0 });
    return scan.rows.get(key);
  };
  const signerHospital = (i) => {
    const x = block.extrinsics[i];
    return x?.isSigned ? gateways.get(x.signer.toString()) ?? x.signer.toString() : '?';
  };
  const deny = (day, hospital, reason) => {
    row(day, hospital).denials += 1;
    const key = `${hospital} ${reason}`;
    scan.denials.set(key, { hospital, reason, count: (scan.denials.get(key)?.count ?? 0) + 1 });
  };
  for (const { event, phase } of events) {
    const i = phase.isApplyExtrinsic ? phase.asApplyExtrinsic.toNumber() : -1;
    const { section, method } = event;
    if (section === 'accessLog' && method === 'AccessAttested') {
      const entry = plainEntry(event.data.entry);
      row(dayOf(entry.at), entry.hospital).attestations += 1;
    } else if (section === 'accessLog' && method === 'AttestationRefused') {
      const reason = event.data.reason;
      deny(dayOf(time), signerHospital(i), camel(reason.isAccessDenied ? reason.asAccessDenied.type : reason.type));
    } else if (section === 'system' && method === 'ExtrinsicFailed') {
      const x = block.extrinsics[i];
      const err = event.data.dispatchError;
      if (x?.method.section === 'accessLog' && err.isModule) {
        const e = moduleError(api, err);
        deny(dayOf(time), signerHospital(i), camel(e.detail ?? e.name));
      }
    } else if (section === 'consent' && method === 'EmergencyAccessOpened') {
      const d = event.data;
      const hospital = text(d.hospital);
      row(dayOf(time), hospital).emergencies += 1;
      scan.emergencies.set(d.emergencyId.toString(), {
        id: d.emergencyId.toString(), healthId: d.healthId.toHex(), hospital,
        practitioner: text(d.practitioner), reason: camel(d.reason.type), at: time,
        afterRefusal: d.afterRefusal.isTrue, review: 'pending',
      });
    } else if (section === 'consent' && method === 'EmergencyAccessReviewed') {
      const d = event.data;
      row(dayOf(time), text(d.hospital)).reviews += 1;
      const e = scan.emergencies.get(d.emergencyId.toString());
      if (e) e.review = camel(d.review.type);
    }
  }
}

async function scan() {
  const { chain } = state;
  const api = await chain.rpcApi();
  const head = (await api.rpc.chain.getHeader()).number.toNumber();
  const from = Math.max(1, head - state.blocks + 1);
  const gateways = await gatewayHospitals(chain);
  const result = { from, to: head, rows: new Map(), denials: new Map(), emergencies: new Map() };
  state.scan = null;
  const batch = 16;
  for (let n = from; n <= head; n += batch) {
    state.progress = { n: n - from, total: head - from + 1 };
    render();
    const numbers = Array.from({ length: Math.min(batch, head - n + 1) }, (_, k) => n + k);
    const blocks = await Promise.all(numbers.map((k) => readBlock(chain, k)));
    for (const b of blocks) fold(result, api, gateways, b);
  }
  state.progress = null;
  state.scan = result;
  render();
}

async function drill() {
  const id = state.drillId.trim();
  if (!/^0x[0-9a-fA-F]{64}$/.test(id)) {
    state.drillError = t('audit.badHealthId');
    state.log = undefined;
    render();
    return;
  }
  state.drillError = null;
  state.log = null;
  render();
  state.log = await state.chain.verifiedAccessLog(id.toLowerCase());
  render();
}

// ---------------------------------------------------------------- views

const names = () => new Map([...state.chain.hospitals.values()].map((h) => [h.code, h.name]));

function summaryView() {
  const s = el('section', { 'data-testid': 'summary' });
  const blocks = el('input', { type: 'text', value: String(state.blocks), style: 'width:6rem', 'data-testid': 'blocks' });
  s.append(el('div', { class: 'row' }, blocks,
    el('button', { onclick: () => { state.blocks = Math.max(1, Number(blocks.value) || 600); scan(); } },
      t('audit.scan', { n: state.blocks }))));
  if (state.progress) s.append(el('p', { class: 'muted' }, t('audit.scanning', state.progress)));
  const r = state.scan;
  if (!r) return s;
  s.append(el('p', { class: 'muted' }, t('audit.range', { from: r.from, to: r.to })));
  // Old blocks' bodies and events come from the RPC node, whatever the drill-down uses.
  s.append(el('p', { class: 'unverified-note', 'data-testid': 'scan-unverified' }, t('audit.scanUnverified', { url: state.url })));

  s.append(el('h2', {}, t('audit.chart')));
  const canvas = el('canvas', { height: '110', 'data-testid': 'chart' });
  s.append(canvas);
  const days = [...new Set([...r.rows.values()].map((x) => x.day))].sort();
  const sum = (day, f) => [...r.rows.values()].filter((x) => x.day === day).reduce((a, x) => a + x[f], 0);
  if (chart) chart.destroy();
  chart = new Chart(canvas, {
    type: 'bar',
    data: {
      labels: days,
      datasets: [
        { label: t('audit.col.attestations'), data: days.map((d) => sum(d, 'attestations')), backgroundColor: '#0f5e7a' },
        { label: t('audit.col.denials'), data: days.map((d) => sum(d, 'denials')), backgroundColor: '#e0a800' },
        { label: t('audit.col.emergencies'), data: days.map((d) => sum(d, 'emergencies')), backgroundColor: '#a33' },
      ],
    },
    options: { animation: false, responsive: true, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  });

  s.append(el('h2', {}, t('audit.byHospitalDay')));
  const table = el('table', { 'data-testid': 'by-hospital-day' }, el('tr', {},
    ...['day', 'hospital', 'attestations', 'denials', 'emergencies', 'reviews'].map((c) => el('th', {}, t(`audit.col.${c}`)))));
  const hospitalNames = names();
  for (const x of [...r.rows.values()].sort((a, b) => (a.day + a.hospital).localeCompare(b.day + b.hospital))) {
    table.append(el('tr', { 'data-hospital': x.hospital },
      el('td', {}, x.day), el('td', {}, `${hospitalNames.get(x.hospital) ?? x.hospital} (${x.hospital})`),
      el('td', { class: 'n', 'data-col': 'attestations' }, String(x.attestations)),
      el('td', { class: 'n', 'data-col': 'denials' }, String(x.denials)),
      el('td', { class: 'n', 'data-col': 'emergencies' }, String(x.emergencies)),
      el('td', { class: 'n', 'data-col': 'reviews' }, String(x.reviews))));
  }
  s.append(table);

  s.append(el('h2', {}, t('audit.denialsByReason')));
  if (r.denials.size === 0) s.append(el('p', { class: 'muted' }, t('audit.noDenials')));
  else {
    const d = el('table', { 'data-testid': 'denials' }, el('tr', {},
      el('th', {}, t('audit.col.hospital')), el('th', {}, t('audit.col.reason')), el('th', {}, t('audit.col.count'))));
    for (const x of r.denials.values()) {
      d.append(el('tr', {}, el('td', {}, hospitalNames.get(x.hospital) ?? x.hospital),
        el('td', {}, t(`deny.${x.reason}`)), el('td', { class: 'n' }, String(x.count))));
    }
    s.append(d);
  }

  s.append(el('h2', {}, t('audit.emergencies')));
  if (r.emergencies.size === 0) s.append(el('p', { class: 'muted' }, t('audit.noEmergencies')));
  const list = el('ul', { class: 'items', 'data-testid': 'emergencies' });
  for (const e of r.emergencies.values()) {
    list.append(el('li', { class: e.review === 'pending' ? 'emergency' : '' },
      t('audit.emergencyItem', {
        doctor: doctor(e.practitioner), hospital: hospitalNames.get(e.hospital) ?? e.hospital,
        when: when(e.at), reason: t(`reason.${e.reason}`), review: t(`audit.review.${e.review}`),
      }), e.afterRefusal ? ` ${t('audit.afterRefusal')}` : '', ' ',
      el('button', { class: 'secondary', onclick: () => { state.drillId = e.healthId; drill(); } }, t('audit.showLog'))));
  }
  s.append(list);
  return s;
}

function drillView() {
  const s = el('section', { 'data-testid': 'drill' }, el('h2', {}, t('audit.drill')));
  const input = el('input', { type: 'text', value: state.drillId, 'data-testid': 'drill-id' });
  input.oninput = () => { state.drillId = input.value; };
  s.append(el('label', {}, t('audit.healthId'), input),
    el('button', { onclick: drill, 'data-testid': 'drill-show' }, t('audit.show')));
  if (state.drillError) s.append(el('p', { class: 'refusal' }, state.drillError));
  if (state.log !== undefined) {
    const body = el('div');
    renderLog(body, state.log, names());
    s.append(body);
  }
  return s;
}

function render() {
  document.getElementById('title').textContent = t('app.audit');
  const connection = connectionSection(state, state.scan?.to ?? '');
  app.replaceChildren(connection, ...(state.connection === 'connected' ? [summaryView(), drillView()] : []));
  if (state.connection === 'connected' && !state.chain.verified) labelUnverified(app);
}

// ---------------------------------------------------------------- start

languageSwitch(document.getElementById('languages'));
onLanguage(render);
// The endpoint: the app's configuration, or the user's confirmed choice; a `?rpc=` link is
// asked about first, and nothing is connected before the answer.
await chooseEndpoint(state, render);
try {
  state.chain = await Chain.connect(state.url, { chainSpec: await configuredChainSpec(), patience: await configuredPatience() });
  state.connection = 'connected';
  await state.chain.allHospitals();
  render();
  await scan();
  if (state.drillId) await drill();
} catch {
  state.connection = 'failed';
  render();
}
