// End-to-end test of the two apps in headless Chromium (Debian's `chromium`, driven by
// playwright-core) on the four-validator local network through the light client (issue 33).
// Run by tests/tests/e2e/apps.rs, which starts the network and a public node; by hand:
//
//   HEALTHCHAIN_WS=ws://127.0.0.1:9945 HEALTHCHAIN_CHAIN_SPEC=spec.json \
//   HEALTHCHAIN_VALIDATOR_WS=ws://127.0.0.1:9944 node e2e/run.mjs
//
// Environment: HEALTHCHAIN_WS (the public node's RPC), HEALTHCHAIN_CHAIN_SPEC (the raw chain
// spec the pages' light client starts from, its boot nodes the public node's WebSocket address
// and a validator's), HEALTHCHAIN_VALIDATOR_WS (that validator's RPC), HEALTHCHAIN_CHROMIUM
// (default /usr/bin/chromium), HEALTHCHAIN_SCREENSHOTS (where each step's screenshot goes;
// default e2e/screenshots).
// The test acts as the hospitals' gateways, the registrar and the licensing authority (the
// development keys the chain's genesis names for them) through the apps' own chain client,
// shared/chain.js, over RPC. The pages find the network in the `config.json` served with
// them, as an operator configures a deployment: the chain spec for the light client, and an
// RPC node, which here is a proxy (e2e/lying-node.mjs) that passes everything through until
// the test makes it lie.
import { createServer } from 'node:http';
import { readFile, mkdir } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady, randomAsHex } from '@polkadot/util-crypto';
import { Chain } from '../shared/chain.js';
import { verifyWith } from '../shared/verify.js';
import { startLyingNode } from './lying-node.mjs';

const here = import.meta.dirname;
const dist = resolve(here, '..', 'dist');
const ws = process.env.HEALTHCHAIN_WS ?? 'ws://127.0.0.1:9944';
const specPath = process.env.HEALTHCHAIN_CHAIN_SPEC;
const validatorWs = process.env.HEALTHCHAIN_VALIDATOR_WS;
assert.ok(specPath && validatorWs, 'HEALTHCHAIN_CHAIN_SPEC and HEALTHCHAIN_VALIDATOR_WS name the light client\'s chain spec and a validator');
const chainSpec = await readFile(specPath, 'utf8');
const shots = resolve(process.env.HEALTHCHAIN_SCREENSHOTS ?? join(here, 'screenshots'));
const chromiumPath = process.env.HEALTHCHAIN_CHROMIUM ?? '/usr/bin/chromium';
const STEP_TIMEOUT = 60_000;

const log = (...args) => console.log('[apps-e2e]', ...args);

// ------------------------------------------------------------------ the participants' side
await cryptoWaitReady();
const chain = await Chain.connect(ws);
const liar = await startLyingNode(ws, chain.api);
// What the genesis of each demo chain names (runtime/src/genesis_config_presets.rs).
const casts = {
  'HealthChain Development': { gatewayA: '//Dave', gatewayB: '//Eve', registrar: '//Ferdie', authority: '//One', patient: '//Two' },
  'HealthChain Local Testnet': { gatewayA: '//Eve', gatewayB: '//Ferdie', registrar: '//One', authority: '//Two', patient: '//Alice//stash' },
};
const cast = casts[chain.name];
assert.ok(cast, `a demo chain: ${chain.name}`);
const ring = new Keyring({ type: 'sr25519', ss58Format: chain.api.registry.chainSS58 });
const gatewayA = ring.addFromUri(cast.gatewayA); // gateway of H0001 (one-time consent)
const gatewayB = ring.addFromUri(cast.gatewayB); // gateway of H0002 (per-request consent)
const registrar = ring.addFromUri(cast.registrar);
const authority = ring.addFromUri(cast.authority); // the licensing authority
const patientKey = ring.addFromUri(cast.patient);
const newPhone = ring.addFromUri(`${cast.patient}//new-phone`); // the key a rebind would bind
const healthId = (await chain.api.query.healthIds.controllers(patientKey.address)).unwrap().toHex();
const tx = chain.api.tx;

/** Signs `call` as a participant (a gateway, the registrar, the licensing authority) and checks
 * that the chain accepted it (or refused it, with `expectOk` false). */
async function asParticipant(pair, call, expectOk = true) {
  const r = await chain.send(call, pair);
  assert.equal(r.ok, expectOk, `transaction: ${JSON.stringify(r)}`);
  return r;
}

/** Anchors a record of `category` for the patient as hospital A's gateway (the patient's one
 * source after step 3): an attestation names only records live in the patient's record log.
 * Answers the record's hash. */
async function anchored(category) {
  const hash = randomAsHex(32);
  await asParticipant(gatewayA, tx.records.anchor(healthId, category, hash, 1024, null));
  return hash;
}

// ------------------------------------------------------------------ a static server for dist/
// The built default configuration names the development node; this deployment's names the
// proxy as its RPC node and this network's chain spec for the light client (or, to show the
// fallback, no chain spec).
const built = JSON.parse(await readFile(join(dist, 'config.json'), 'utf8'));
assert.equal(built.rpc, 'ws://127.0.0.1:9944', 'dist/config.json names the development node');
assert.equal(built.light?.chainSpec, 'chain-spec.json', 'dist/config.json starts the light client');
const rpcUrl = liar.url;
// The same chain with a boot node nobody listens at: a light client that cannot reach it.
const unreachableSpec = JSON.stringify({
  ...JSON.parse(chainSpec),
  bootNodes: ['/ip4/127.0.0.1/tcp/9/ws/p2p/12D3KooWSuTq6MG9gPt7qZqLFKkYrfxMewTZhj9nmRHJkPwzWDG2'],
});
let config = { rpc: rpcUrl, light: { chainSpec: 'chain-spec.json' } };
const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm', '.json': 'application/json' };
const server = createServer(async (req, res) => {
  const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname));
  if (path === '/config.json') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(config));
    return;
  }
  if (path === '/chain-spec.json') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(chainSpec);
    return;
  }
  if (path === '/chain-spec-unreachable.json') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(unreachableSpec);
    return;
  }
  let file = join(dist, path);
  if (!file.startsWith(dist)) { res.writeHead(403).end(); return; }
  if (path.endsWith('/')) file = join(file, 'index.html');
  try {
    const body = await readFile(file);
    res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' }).end(body);
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const site = `http://127.0.0.1:${server.address().port}`;

// ------------------------------------------------------------------ the browser
await mkdir(shots, { recursive: true });
const browser = await chromium.launch({
  executablePath: chromiumPath,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const page = await browser.newPage({ viewport: { width: 1100, height: 1400 } });
// The patient allows notifications (the browser's prompt, answered); every notification the
// page shows is also recorded, for the test to read.
await page.context().grantPermissions(['notifications'], { origin: site });
await page.addInitScript(() => {
  window.notifications = [];
  const Real = window.Notification;
  window.Notification = class extends Real {
    constructor(title, options) {
      super(title, options);
      window.notifications.push({ title, body: options?.body ?? '' });
    }
  };
});
/** Waits for a notification titled `title` whose body matches `pattern`. */
const notified = (title, pattern) => page.waitForFunction(
  ([t, p]) => window.notifications.some((n) => n.title === t && new RegExp(p).test(n.body)),
  [title, pattern.source], { timeout: STEP_TIMEOUT });
page.setDefaultTimeout(STEP_TIMEOUT);
page.on('pageerror', (e) => log('page error:', e.message));
page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') log('page console:', m.text().slice(0, 300)); });
page.on('dialog', (d) => d.accept());
// Every WebSocket the pages open: a `?rpc=` link must open none before the user accepts it.
const sockets = [];
page.on('websocket', (w) => sockets.push(w.url()));
let step = 0;
async function shot(name) {
  step += 1;
  const file = join(shots, `${String(step).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  log('screenshot', file);
}
const byTest = (id) => page.getByTestId(id);
async function messageIs(kind, pattern) {
  const m = byTest('message');
  await m.and(page.locator(`.${kind}`)).waitFor();
  const text = await m.textContent();
  assert.match(text, pattern);
  return text;
}
async function done() {
  await messageIs('done', /Done: recorded in block #\d+/);
}

/** The endpoint the page shows it uses. */
const endpointShown = () => byTest('endpoint-url').textContent();
/** The endpoint kept in the browser, if any. */
const kept = () => page.evaluate(() => localStorage.getItem('healthchain.rpc'));
/** The access-log section's element with test id `id` (the record log has its own). */
const accessLog = (id) => byTest('log').getByTestId(id);
/** Unlocks the patient's saved key after a reload, and waits for their consent state. */
async function unlock() {
  await byTest('key-password').fill('correct horse battery staple');
  await byTest('key-unlock').click();
  await byTest('status-text').waitFor();
}
/** Peers of the node at `url` (`system_peers`) that are light clients. */
async function lightPeers(url) {
  const node = await Chain.connect(url);
  const peers = (await node.api.rpc.system.peers()).toJSON();
  await node.api.disconnect();
  return peers.filter((p) => String(p.roles).toUpperCase() === 'LIGHT');
}
/** An address as the patient app shortens it. */
const short = (address) => `${address.slice(0, 6)}…${address.slice(-6)}`;

try {
  // 0. The endpoint comes from the app's configuration. A link naming another network only
  //    asks: nothing connects to it, and the patient keeps the configured one.
  const phishing = 'wss://node.phishing.invalid';
  await page.goto(`${site}/patient/?rpc=${encodeURIComponent(phishing)}`);
  const question = byTest('endpoint-question');
  await question.waitFor();
  assert.match(await question.textContent(), new RegExp(`asks this app to use the network at ${phishing} instead of ${rpcUrl}`));
  await shot('patient-rpc-link-asks');
  await byTest('endpoint-keep').click();
  await byTest('connection').filter({ hasText: 'Connected to' }).waitFor();
  assert.equal(await endpointShown(), rpcUrl);
  await byTest('endpoint').filter({ hasText: 'the app\'s own setting' }).waitFor();
  assert.equal(await kept(), null, 'a refused endpoint is not kept');
  assert.doesNotMatch(page.url(), /rpc=/, 'the question is not asked again on reload');
  assert.ok(!sockets.some((u) => u.startsWith(phishing)), `no connection to the refused endpoint: ${sockets}`);
  //    Accepted, a link's endpoint is used and kept, shown as the patient's choice, until the
  //    patient goes back to the app's own.
  const chosen = `${rpcUrl}/`;
  await page.goto(`${site}/patient/?rpc=${encodeURIComponent(chosen)}`);
  await byTest('endpoint-accept').click();
  await byTest('connection').filter({ hasText: 'Connected to' }).waitFor();
  assert.equal(await endpointShown(), chosen);
  await byTest('endpoint').filter({ hasText: 'chosen by you in this browser' }).waitFor();
  assert.equal(await kept(), chosen);
  await shot('patient-rpc-link-accepted');
  await page.goto(`${site}/patient/`);
  await byTest('connection').filter({ hasText: 'Connected to' }).waitFor();
  assert.equal(await endpointShown(), chosen);
  await byTest('endpoint-forget').click();
  await byTest('endpoint').filter({ hasText: 'the app\'s own setting' }).waitFor();
  assert.equal(await endpointShown(), rpcUrl);
  assert.equal(await kept(), null);

  // 1. The patient opens the app and unlocks a development key kept encrypted in the browser.
  await page.goto(`${site}/patient/`);
  await byTest('key-secret').fill(cast.patient);
  await byTest('key-password').fill('correct horse battery staple');
  await byTest('key-save').click();
  await byTest('status-text').filter({ hasText: 'You have not joined the exchange.' }).waitFor();
  //    The key stays in the browser only encrypted: after a reload, a wrong password is
  //    refused in words and the right one unlocks it.
  const stored = await page.evaluate(() => localStorage.getItem('healthchain.patient.key'));
  assert.ok(!stored.includes(cast.patient.slice(2)), 'the secret is not stored in clear');
  assert.match(JSON.parse(stored).encoding.type.join(','), /scrypt,xsalsa20-poly1305/);
  await page.reload();
  await byTest('key-password').fill('wrong password');
  await byTest('key-unlock').click();
  await byTest('key').getByText('That password does not unlock the saved key.').waitFor();
  await byTest('key-password').fill('correct horse battery staple');
  await byTest('key-unlock').click();
  await byTest('status-text').filter({ hasText: 'You have not joined the exchange.' }).waitFor();
  await shot('patient-not-joined');

  // 1b. A registrar schedules binding the patient's health ID to another key (as if the
  //     phone were lost). The app shows it at once: the new key, when it takes effect, not
  //     contested; the patient, who still holds the phone, cancels it.
  await asParticipant(registrar, tx.healthIds.rebindController(healthId, { Key: newPhone.address }));
  const scheduled = (await chain.api.query.healthIds.pendingRebinds(healthId)).unwrap();
  const rebind = byTest('rebind');
  await rebind.waitFor();
  assert.match(await byTest('rebind-target').textContent(),
    new RegExp(`A registrar \\(${short(registrar.address)}\\) scheduled binding your health ID to a new key: ${short(newPhone.address)}\\.`));
  const whenText = await byTest('rebind-when').textContent();
  assert.match(whenText, new RegExp(`It takes effect from about .+ \\(block #${scheduled.effectiveAt.toNumber()}\\)`));
  // One day of blocks from now (RebindDelay), in Bangkok time, as the app writes dates.
  const tomorrow = (ms) => new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Bangkok', dateStyle: 'medium' }).format(new Date(ms));
  const dayAhead = Date.now() + 86_400_000;
  assert.ok(whenText.includes(tomorrow(dayAhead - 120_000)) || whenText.includes(tomorrow(dayAhead + 120_000)),
    `the rebind takes effect in a day: ${whenText}`);
  assert.match(await byTest('rebind-contest').textContent(), /^Not contested\./);
  await shot('patient-rebind-pending');
  await byTest('rebind-cancel').click();
  await done();
  await rebind.waitFor({ state: 'detached' });
  //     On chain: the rebind is gone, and the key's cancellation is recorded.
  assert.ok((await chain.api.query.healthIds.pendingRebinds(healthId)).isNone, 'the rebind is cancelled on chain');
  assert.ok((await chain.api.query.healthIds.keyCancelledRebind(healthId)).isSome, 'the patient\'s key cancelled it');
  assert.equal((await chain.api.query.healthIds.controllers(patientKey.address)).unwrap().toHex(), healthId);
  await shot('patient-rebind-cancelled');

  //     A second rebind soon after is contested: the app says so and offers no cancel (the
  //     council decides); the registrar that scheduled it withdraws it.
  await asParticipant(registrar, tx.healthIds.rebindController(healthId, { Key: newPhone.address }));
  await byTest('rebind-contest').filter({ hasText: 'Contested: this key cancelled an earlier request recently' }).waitFor();
  assert.equal(await byTest('rebind-cancel').count(), 0, 'no cancel for a contested rebind');
  await byTest('rebind-confirm').waitFor();
  await shot('patient-rebind-contested');
  await page.getByRole('button', { name: 'ไทย' }).click();
  await byTest('rebind').filter({ hasText: 'นายทะเบียนขอย้ายหมายเลขสุขภาพของคุณไปยังกุญแจอื่น' }).waitFor();
  await byTest('rebind-contest').filter({ hasText: 'มีการคัดค้าน' }).waitFor();
  await shot('patient-rebind-contested-thai');
  await page.getByRole('button', { name: 'English' }).click();
  await asParticipant(registrar, tx.healthIds.cancelRebind(healthId));
  await rebind.waitFor({ state: 'detached' });

  // 2. Enrols with every hospital as a source.
  await byTest('sources-all').check();
  await byTest('enrol').click();
  await done();
  await byTest('status-text').filter({ hasText: 'You take part in the exchange since' }).waitFor();
  await shot('patient-enrolled');

  // 3. Changes the sources to H0001 only: allowed once today.
  await byTest('sources').getByTestId('sources-only').check();
  await byTest('source-H0001').check();
  await byTest('save-sources').click();
  await done();
  await byTest('sources-rule').filter({ hasText: 'You already changed it today' }).waitFor();
  await shot('patient-sources-changed');

  // 4. A second change the same day: the chain refuses, and the app says why in words.
  await byTest('sources').getByTestId('sources-all').check();
  await byTest('save-sources').click();
  const refusal = await messageIs('refusal', /You already changed your hospitals today\. You can change them again tomorrow\./);
  assert.doesNotMatch(refusal, /SourcesAlreadyChangedToday|\b1010\b|Custom error/);
  await shot('patient-second-change-refused');

  // 5. A doctor of the per-request hospital asks; the request appears without a reload.
  const before = await page.evaluate(() => performance.getEntriesByType('navigation').length);
  await asParticipant(gatewayB, tx.consent.requestAccess(healthId, 'MD10002', ['Diagnosis'], 'Treatment', null));
  const pending = await chain.health('pendingRequests', [healthId]);
  assert.equal(pending.length, 1);
  const requestId = pending[0].id;
  await byTest(`request-${requestId}`).waitFor();
  assert.match(await byTest(`request-${requestId}`).textContent(), /Doctor MD10002 at Demo Hospital B .* asks to see your diagnoses for treatment/);
  assert.equal(await page.evaluate(() => performance.getEntriesByType('navigation').length), before, 'no reload');
  //    Notifications are allowed in this browser: the request is also a notification.
  await notified('A doctor asks to see your records', /Doctor MD10002 at Demo Hospital B .* asks to see your diagnoses for treatment/);
  await shot('patient-live-request');

  // 6. The patient approves in front of the doctor; the grant shows.
  await byTest(`approve-${requestId}`).click();
  await done();
  await byTest('grants').filter({ hasText: 'Doctor MD10002 at Demo Hospital B' }).waitFor();
  await shot('patient-approved');
  //    Nothing is new for the patient now; they mark it as seen (the grant is remembered, so
  //    its end will be news), and notifications are on.
  await byTest('notices-seen').click();
  await byTest('notices-none').waitFor();
  await byTest('notify-on').waitFor();

  // 7. The hospital reads under the grant, and the access appears in the patient's log,
  //    verified against the chain.
  const diagnosis = await anchored('Diagnosis');
  await asParticipant(gatewayB, tx.accessLog.attest(healthId, 'MD10002', ['Diagnosis'], [diagnosis], 'Treatment'));
  await byTest('access-log').filter({ hasText: 'Doctor MD10002 at Demo Hospital B' }).waitFor();
  await accessLog('log-verified').filter({ hasText: 'Verified: all 1 entries' }).waitFor();
  assert.match(await byTest('access-log').textContent(), /saw your diagnoses on .*with the permission you gave \(request \d+\)/);
  await shot('patient-access-in-log');
  //    Everything the page read and signed went through its light client: the log check mark
  //    rests on a proven head, and the RPC node was asked for log pages only, never for state,
  //    a runtime call or a transaction.
  await byTest('trust-light').waitFor();
  const logPages = ['health_accessLog', 'health_records'];
  assert.deepEqual([...liar.seen.keys()].filter((m) => !logPages.includes(m)), [],
    `the light client page asked the RPC node for log pages only: ${[...liar.seen.keys()]}`);
  assert.ok(logPages.every((m) => (liar.seen.get(m) ?? 0) > 0), 'the log pages came from the RPC node');
  //    The public node serves the page's light client; the validator it was also given as a
  //    boot node accepts only the council's well-known nodes and keeps it out.
  assert.ok((await lightPeers(ws)).length >= 1, 'the public node has the light client as a peer');
  assert.deepEqual(await lightPeers(validatorWs), [], 'no validator takes a light client as a peer');

  //    The patient then revokes the grant: the doctor holds no permission any more.
  await byTest('revoke-H0002-MD10002').click();
  await done();
  await byTest('grants').filter({ hasText: 'No doctor holds your permission now.' }).waitFor();

  // 8. An emergency access at H0001 (no consent needed, flagged), one refused attempt, and a
  //    read under the emergency: the log highlights it.
  await asParticipant(gatewayA, tx.consent.openEmergencyAccess(healthId, 'MD10001', 'Unconscious'));
  const denied = await asParticipant(gatewayA, tx.accessLog.attest(healthId, 'MD10001', ['Sensitive'], [randomAsHex(32)], 'Emergency'), false);
  assert.equal(denied.sentence, 'The consent decision denies this access, for the reason given: sensitive data without the patient\'s opt-in.');
  const allergy = await anchored('Allergy');
  await asParticipant(gatewayA, tx.accessLog.attest(healthId, 'MD10001', ['Allergy', 'Medication'], [allergy], 'Emergency'));
  await accessLog('log-verified').filter({ hasText: 'Verified: all 2 entries' }).waitFor();
  const emergency = byTest('access-log').locator('li.emergency').filter({ hasText: 'Doctor MD10001 at Demo Hospital A' });
  await emergency.waitFor();
  assert.match(await emergency.textContent(), /Emergency access.*under an emergency access/);
  //    Since the patient last looked: the emergency access first (doctor, hospital, reason,
  //    review state), then the access under their grant, then the grant they revoked; and a
  //    browser notification for the emergency access, none for the ordinary one.
  const notices = byTest('notices');
  await notices.getByTestId('notice-access-1').waitFor();
  const items = await notices.locator('li').allTextContents();
  assert.equal(items.length, 3, `${items}`);
  assert.match(items[0], /^Emergency access Doctor MD10001 at Demo Hospital A .* opened your records in an emergency and saw your drug allergies and medicines on .*Reason given: the patient was unconscious\. Review pending\./);
  assert.match(items[1], /^Doctor MD10002 at Demo Hospital B .* saw your diagnoses on /);
  assert.match(items[2], /^The permission you gave Doctor MD10002 at Demo Hospital B .* for your diagnoses has ended\./);
  await notified('Emergency access to your records', /Doctor MD10001 at Demo Hospital A .* opened your records in an emergency/);
  const emergencyNotes = await page.evaluate(() => window.notifications.filter((n) => n.title === 'Emergency access to your records').map((n) => n.body));
  assert.ok(emergencyNotes.length >= 1 && emergencyNotes.every((b) => /MD10001/.test(b)), `no notification for the ordinary access: ${emergencyNotes}`);
  await shot('patient-notices');
  await byTest('notices-seen').click();
  await byTest('notices-none').waitFor();
  //    The record log too, checked against the record-log head the light client proved: the
  //    two records hospital A anchored for the story.
  await byTest('records').getByTestId('log-verified').filter({ hasText: 'Verified: all 2 entries' }).waitFor();
  assert.match(await byTest('record-log').textContent(),
    /Demo Hospital A \(one-time consent\) added a record of your drug allergies on .*Demo Hospital A \(one-time consent\) added a record of your diagnoses on/);
  await shot('patient-emergency-in-log');

  // The same verification, here in Node.js with the built module: the served page verifies,
  // and each kind of tampering is caught and named.
  const wasm = (await WebAssembly.instantiate(await readFile(join(dist, 'log-verifier.wasm')), {})).instance.exports;
  const served = await chain.health('accessLog', [healthId, { limit: 10 }]);
  const { head } = await chain.accessLogHeadAt(served.at.hash, healthId);
  assert.deepEqual(verifyWith(wasm, head, served), { verdict: 0, index: null });
  const flip = (hex) => hex.slice(0, -2) + (hex.endsWith('00') ? '01' : '00');
  const altered = structuredClone(served);
  altered.entries[1].encoded = flip(altered.entries[1].encoded);
  assert.deepEqual(verifyWith(wasm, head, altered), { verdict: 2, index: 0 }, 'an altered entry');
  const dropped = { ...served, entries: served.entries.slice(1) };
  assert.deepEqual(verifyWith(wasm, head, dropped), { verdict: 3, index: 0 }, 'the newest entry left out');
  assert.deepEqual(verifyWith(wasm, flip(head), served).verdict, 1, 'another log state');
  assert.deepEqual(verifyWith(wasm, head, { ...served, entries: served.entries.slice(0, 1) }).verdict, 4, 'a page cut short');

  // The licensing authority reviews the emergency access (never the hospital that opened
  // it): justified.
  const opened = await chain.api.query.consent.nextEmergencyId();
  await asParticipant(authority, tx.consent.reviewEmergencyAccess(opened.toNumber() - 1, 'Justified'));

  // The sensitive-data opt-in, on and off again.
  await byTest('sensitive-toggle').click();
  await done();
  await byTest('sensitive').filter({ hasText: 'Sensitive data (such as mental health or HIV status) may be shared.' }).waitFor();
  await byTest('sensitive-toggle').click();
  await done();
  await byTest('sensitive').filter({ hasText: 'Sensitive data is never shared.' }).waitFor();

  // 9. The same page in Thai.
  await page.getByRole('button', { name: 'ไทย' }).click();
  await byTest('log').filter({ hasText: 'ใครดูข้อมูลของคุณบ้าง' }).waitFor();
  await accessLog('log-verified').filter({ hasText: 'ตรวจสอบแล้ว' }).waitFor();
  await shot('patient-thai');
  await page.getByRole('button', { name: 'English' }).click();

  // 9b. A lying RPC node. Hospital B's doctor asks again; then the proxy the pages use as
  //     their RPC node starts lying: it hides pending requests, rewrites the log head in the
  //     consent record it serves and drops the newest entry from every log page.
  await asParticipant(gatewayB, tx.consent.requestAccess(healthId, 'MD10002', ['Medication'], 'Treatment', null));
  const second = (await chain.health('pendingRequests', [healthId]))[0].id;
  await byTest(`request-${second}`).waitFor();
  //     The new request is news, and a notification.
  await byTest('notices').getByTestId(`notice-request-${second}`).waitFor();
  await notified('A doctor asks to see your records', /Doctor MD10002 at Demo Hospital B .* asks to see your medicines for treatment/);
  liar.lie('drop');
  //     Through the light client the page shows the true state (the request is there) and
  //     refuses the altered log: a warning, no check mark.
  await page.reload();
  await unlock();
  await byTest('trust-light').waitFor();
  await byTest(`request-${second}`).waitFor();
  await accessLog('log-unverified').filter({ hasText: 'an entry is missing or does not belong to this log' }).waitFor();
  assert.equal(await accessLog('log-verified').count(), 0, 'no check mark over an altered log');
  await byTest('records').getByTestId('log-verified').waitFor(); // the record log, not altered, verifies
  await byTest('notices').filter({ hasText: 'Your access log cannot be relied on here' }).waitFor();
  await shot('lying-node-light-client');
  //     Two more lies the light-client page refuses: pages without the entries (a cursor that
  //     goes nowhere), and the true entries under other positions (the positions are the
  //     proven count's, not the node's).
  for (const [mode, words] of [['empty', 'the node served a page without the entries the chain says are there'],
    ['renumber', 'entries are out of order']]) {
    liar.lie(mode);
    await page.reload();
    await unlock();
    await accessLog('log-unverified').filter({ hasText: words }).waitFor();
    assert.equal(await accessLog('log-verified').count(), 0, `no check mark over a log the node ${mode === 'empty' ? 'withholds' : 'renumbers'}`);
    await byTest('notices').filter({ hasText: 'Your access log cannot be relied on here' }).waitFor();
  }
  liar.lie('drop');
  //     Without a light client (a configuration naming no chain spec) the page has only the
  //     node's word: the request is hidden and the shortened log matches the false head, and
  //     the page labels everything unverified, with no check mark.
  config = { rpc: rpcUrl };
  await page.reload();
  await unlock();
  await byTest('trust-unverified').filter({ hasText: `everything on this page is what the node at ${rpcUrl} says` }).waitFor();
  await accessLog('log-unproven').filter({ hasText: 'the 1 entries match the fingerprint this same node reports' }).waitFor();
  //     Nor does "since you last looked" list accesses from a log that rests on the node's word.
  await byTest('notices').filter({ hasText: 'Your access log cannot be relied on here' }).waitFor();
  assert.equal(await byTest(`request-${second}`).count(), 0, 'the lying node hid the request');
  assert.equal(await page.getByTestId('log-verified').count(), 0, 'no check mark anywhere without the light client');
  assert.equal(await byTest('unverified-tag').count(), await page.locator('section h2').count(), 'every section is labelled unverified, once');
  await shot('lying-node-fallback-unverified');
  //     A light client that cannot reach the network within its patience (5 s here): the
  //     page falls back to the RPC node, says why, and labels everything unverified.
  config = { rpc: rpcUrl, light: { chainSpec: 'chain-spec-unreachable.json', patienceSeconds: 5 } };
  await page.reload();
  await unlock();
  await byTest('trust-unverified').filter({ hasText: 'The light client did not start: the light client was not ready after 5 s.' }).waitFor();
  assert.equal(await page.getByTestId('log-verified').count(), 0, 'no check mark when the light client failed');
  await shot('light-client-unreachable-fallback');
  //     Back to the light client and an honest node: the patient refuses the request.
  liar.lie(null);
  config = { rpc: rpcUrl, light: { chainSpec: 'chain-spec.json' } };
  await page.reload();
  await unlock();
  await byTest('trust-light').waitFor();
  await byTest(`refuse-${second}`).click();
  await done();
  await byTest(`request-${second}`).waitFor({ state: 'detached' });

  // 10. The patient withdraws; open grants end and the app says when they can rejoin.
  await byTest('withdraw').click();
  await done();
  await byTest('status-text').filter({ hasText: 'You left the exchange on' }).waitFor();
  await page.getByText('You can join again from').waitFor();
  const consent = await chain.health('consent', [healthId]);
  assert.equal(consent.enrolled, false);
  assert.equal(consent.canEnrolToday, false);
  await shot('patient-withdrawn');

  // 11. The auditor: per hospital and day, the access, the refusal and the emergency access.
  await page.goto(`${site}/audit/?blocks=2000`);
  const table = byTest('by-hospital-day');
  await table.waitFor();
  const cell = (hospital, col) => table.locator(`tr[data-hospital="${hospital}"] td[data-col="${col}"]`);
  assert.equal(await cell('H0002', 'attestations').textContent(), '1');
  assert.equal(await cell('H0001', 'attestations').textContent(), '1');
  assert.equal(await cell('H0001', 'emergencies').textContent(), '1');
  assert.equal(await cell('H0001', 'denials').textContent(), '1');
  assert.equal(await cell('H0001', 'reviews').textContent(), '1');
  assert.match(await byTest('denials').textContent(), /sensitive data without the patient's opt-in/);
  assert.match(await byTest('emergencies').textContent(), /Doctor MD10001 at Demo Hospital A.* opened an emergency access .*\(the patient was unconscious\)\. Reviewed: justified\./);
  await byTest('chart').waitFor();
  //     The scan reads old blocks, which a light client does not keep: it is the RPC node's
  //     word, and says so.
  await byTest('scan-unverified').waitFor();
  await shot('audit-overview');

  // 12. The auditor drills down to the patient's verified log.
  await byTest('drill-id').fill(healthId);
  await byTest('drill-show').click();
  //     Through the light client: the check mark rests on the head it proved.
  await byTest('trust-light').waitFor();
  await byTest('drill').getByTestId('log-verified').filter({ hasText: 'Verified: all 2 entries' }).waitFor();
  await shot('audit-patient-log');

  // 13. A malformed health ID gets a sentence, not a crash.
  await byTest('drill-id').fill('0x12');
  await byTest('drill-show').click();
  await byTest('drill').getByText('A health ID is 0x followed by 64 hexadecimal digits.').waitFor();
  log(`passed: ${step} screenshots in ${shots}`);
} catch (e) {
  await shot('failure').catch(() => {});
  throw e;
} finally {
  await browser.close();
  await chain.api.disconnect();
  liar.close();
  server.close();
}
