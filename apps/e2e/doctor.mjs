// End-to-end story of the doctor app (issue 31) in headless Chromium (Debian's `chromium`,
// driven by playwright-core) on a tablet-sized screen (768×1024), against a development
// node, two real gateways that serve the app, and the development OpenID provider
// (apps/idp/server.mjs, npm oidc-provider). Run by tests/tests/e2e/doctor.rs
// (`a_doctor_signs_in_and_reads_records_in_a_real_browser`), which starts all of them and
// afterwards checks the chain; by hand, with the same services running:
//
//   HEALTHCHAIN_WS=ws://127.0.0.1:9944 HEALTHCHAIN_GATEWAY_A=http://127.0.0.1:8701 \
//   HEALTHCHAIN_GATEWAY_B=http://127.0.0.1:8702 HEALTHCHAIN_IDP=http://127.0.0.1:8790 \
//   HEALTHCHAIN_SMART_PORT=8799 node e2e/doctor.mjs
//
// Environment: HEALTHCHAIN_WS (the node), HEALTHCHAIN_GATEWAY_A (hospital H0001, one-time
// consent), HEALTHCHAIN_GATEWAY_B (H0002, per-request consent), HEALTHCHAIN_IDP (the
// provider's issuer), HEALTHCHAIN_SMART_PORT (where this script serves the SMART test page;
// the gateways allow that origin by CORS and the provider its redirect URI),
// HEALTHCHAIN_SCREENSHOTS (default e2e/doctor-screenshots), HEALTHCHAIN_CHROMIUM (default
// /usr/bin/chromium).
//
// The story: the participants set up through the chain (shared/chain.js) and the hospitals'
// systems put records; a new doctor signs in (a wrong PIN first), accepts the terms, finds
// the patient by ID card (a wrong check digit first), asks, and the patient approves live;
// a doctor of the one-time hospital gets the records at once; a doctor opens an emergency
// access; a nurse and an expired token are refused in words; and a SMART app, with SMART's
// own JavaScript client (npm fhirclient), launches standalone and reads $everything.
import { createServer } from 'node:http';
import { readFile, mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { Chain } from '../shared/chain.js';

const here = import.meta.dirname;
const need = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: see the head of e2e/doctor.mjs`);
  return value.replace(/\/+$/, '');
};
const ws = need('HEALTHCHAIN_WS');
const gatewayA = need('HEALTHCHAIN_GATEWAY_A');
const gatewayB = need('HEALTHCHAIN_GATEWAY_B');
const idp = need('HEALTHCHAIN_IDP');
const smartPort = Number(need('HEALTHCHAIN_SMART_PORT'));
const shots = resolve(process.env.HEALTHCHAIN_SCREENSHOTS ?? join(here, 'doctor-screenshots'));
const chromiumPath = process.env.HEALTHCHAIN_CHROMIUM ?? '/usr/bin/chromium';
const STEP_TIMEOUT = 60_000;
const ASK_TIMEOUT = 120_000; // a per-request fetch: the request, the answer, the attestation, the peer
const CARD = '1101700230708'; // the demo patient's Thai ID card (key //Two)
const TABLET = { width: 768, height: 1024 };

const started = Date.now();
const log = (...args) => console.log(`[doctor-e2e +${((Date.now() - started) / 1000).toFixed(1)}s]`, ...args);

// ------------------------------------------------------------------ the participants' side
await cryptoWaitReady();
const chain = await Chain.connect(ws);
const ring = new Keyring({ type: 'sr25519', ss58Format: chain.api.registry.chainSS58 });
const authority = ring.addFromUri('//One'); // the licensing authority
const eve = ring.addFromUri('//Eve'); // gateway of H0002
const patientKey = ring.addFromUri('//Two'); // the demo patient's wallet
const healthId = (await chain.api.query.healthIds.controllers(patientKey.address)).unwrap().toHex();
const tx = chain.api.tx;

async function asParticipant(pair, call) {
  const r = await chain.send(call, pair);
  assert.equal(r.ok, true, `transaction: ${JSON.stringify(r)}`);
  return r;
}

/** A hospital system's access token for the gateway at `url` (client_credentials). */
const discovery = await (await fetch(`${idp}/.well-known/openid-configuration`)).json();
async function systemToken(clientId, url) {
  const answer = await fetch(discovery.token_endpoint, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${clientId}:${clientId}-development-secret`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'records.write', resource: `${url}/fhir` }),
  });
  const body = await answer.json();
  assert.equal(answer.status, 200, `token for ${clientId}: ${JSON.stringify(body)}`);
  return body.access_token;
}

/** A gateway's local API call (JSON-RPC over HTTP POST with a bearer token). */
async function gatewayCall(url, token, method, params) {
  const answer = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  const body = await answer.json();
  if (body.error) throw new Error(`${method} at ${url}: HTTP ${answer.status} ${JSON.stringify(body.error)}`);
  return body.result;
}

const collection = (...resources) => ({ resourceType: 'Bundle', type: 'collection', entry: resources.map((resource) => ({ resource })) });
const coded = (system, code, display) => ({ coding: [{ system, code, display }], text: display });
const SNOMED = 'http://snomed.info/sct';
const LOINC = 'http://loinc.org';

const RECORDS = {
  // A drug allergy of high criticality, and a newer one of low criticality: the high one
  // must still come first.
  allergy: collection(
    {
      resourceType: 'AllergyIntolerance',
      clinicalStatus: coded('http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', 'active', 'Active'),
      type: 'allergy',
      category: ['medication'],
      criticality: 'high',
      code: coded(SNOMED, '764146007', 'Penicillin'),
      recordedDate: '2019-02-10',
      reaction: [{ manifestation: [coded(SNOMED, '39579001', 'Anaphylaxis')], severity: 'severe' }],
    },
    {
      resourceType: 'AllergyIntolerance',
      type: 'allergy',
      category: ['medication'],
      criticality: 'low',
      code: coded(SNOMED, '387406002', 'Sulfonamide'),
      recordedDate: '2023-08-01',
      reaction: [{ manifestation: [coded(SNOMED, '271807003', 'Rash')], severity: 'mild' }],
    },
  ),
  lab: collection({
    resourceType: 'Observation',
    status: 'final',
    category: [coded('http://terminology.hl7.org/CodeSystem/observation-category', 'laboratory', 'Laboratory')],
    code: coded(LOINC, '2823-3', 'Potassium'),
    effectiveDateTime: '2024-06-09T08:00:00+07:00',
    valueQuantity: { value: 5.9, unit: 'mmol/L', system: 'http://unitsofmeasure.org', code: 'mmol/L' },
    referenceRange: [{ low: { value: 3.5, unit: 'mmol/L' }, high: { value: 5.1, unit: 'mmol/L' } }],
  }),
  medication: collection({
    resourceType: 'MedicationDispense',
    status: 'completed',
    medicationCodeableConcept: { text: 'Metformin 500 mg tablet' },
    quantity: { value: 60, unit: 'tablet' },
    whenHandedOver: '2024-06-10T09:30:00+07:00',
    dosageInstruction: [{ text: '1 tablet twice a day after meals' }],
  }),
  diagnosis: collection({
    resourceType: 'Condition',
    clinicalStatus: coded('http://terminology.hl7.org/CodeSystem/condition-clinical', 'active', 'Active'),
    code: coded(SNOMED, '44054006', 'Type 2 diabetes mellitus'),
    onsetDateTime: '2015-06-01',
  }),
};

// ------------------------------------------------------------------ the SMART test page
// A page that launches standalone with SMART's own client (fhirclient's browser build) and,
// back from the provider, reads the patient's $everything and writes what it got.
const buildDir = join(here, '..', 'node_modules', 'fhirclient', 'build');
const fhirClientFile = ['fhir-client.min.js', 'fhir-client.js', 'fhir-client.pure.min.js']
  .map((f) => join(buildDir, f)).find((f) => existsSync(f));
assert.ok(fhirClientFile, `no fhirclient browser build in ${buildDir}`);
const fhirClientJs = await readFile(fhirClientFile);
const smartOrigin = `http://127.0.0.1:${smartPort}`;
const smartConfig = JSON.stringify({ iss: `${gatewayA}/fhir`, healthId });
const smartPage = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>SMART on FHIR test app</title>
<style>body { font-family: system-ui, sans-serif; margin: 1.5rem; } .error { color: #a33; } li { margin: 0.2rem 0; }</style>
<script src="/smart/fhir-client.js"></script>
</head>
<body>
<h1>SMART on FHIR test app</h1>
<p>A standalone launch with SMART's own JavaScript client (fhirclient) against hospital A's gateway.</p>
<p id="status">Starting…</p>
<div id="result"></div>
<pre id="error" class="error"></pre>
<script>
const CONFIG = ${smartConfig};
const status = document.getElementById('status');
const failed = (e) => { document.getElementById('error').textContent = String(e && (e.stack || e.message) || e); status.textContent = 'Failed.'; };
const params = new URLSearchParams(location.search);
if (params.has('code') || params.has('error')) {
  status.textContent = 'Signed in: reading the patient\\'s records…';
  FHIR.oauth2.ready().then(async (client) => {
    const bundle = await client.request('Patient/' + CONFIG.healthId + '/$everything');
    // Every resource type in the answer, nested Bundles (one per record) included.
    const types = [];
    const ul = document.createElement('ul');
    for (const e of bundle.entry || []) {
      const r = e.resource || {};
      const inner = r.resourceType === 'Bundle' ? (r.entry || []).map((x) => (x.resource || {}).resourceType) : [];
      types.push(r.resourceType, ...inner);
      const li = document.createElement('li');
      li.textContent = r.resourceType + (inner.length ? ' (' + (r.type || '') + '): ' + inner.join(', ') : '');
      ul.append(li);
    }
    const result = document.getElementById('result');
    result.dataset.bundleType = bundle.type;
    result.dataset.count = String((bundle.entry || []).length);
    result.dataset.types = types.join(',');
    const h = document.createElement('h2');
    h.textContent = 'Patient/' + CONFIG.healthId.slice(0, 10) + '…/$everything: a ' + bundle.type + ' Bundle of ' + (bundle.entry || []).length + ' entries';
    const who = document.createElement('p');
    who.textContent = 'Server: ' + client.state.serverUrl + ' · scope: ' + (client.state.tokenResponse && client.state.tokenResponse.scope);
    result.append(h, who, ul);
    status.textContent = 'Done.';
  }).catch(failed);
} else {
  FHIR.oauth2.authorize({ iss: CONFIG.iss, clientId: 'smart-test', scope: 'openid records.read', redirectUri: '/smart/' }).catch(failed);
}
</script>
</body>
</html>`;
const smartServer = createServer((req, res) => {
  const path = new URL(req.url, smartOrigin).pathname;
  if (path === '/smart/' || path === '/smart/index.html') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(smartPage);
  } else if (path === '/smart/fhir-client.js') {
    res.writeHead(200, { 'content-type': 'text/javascript' }).end(fhirClientJs);
  } else {
    res.writeHead(404).end();
  }
});
await new Promise((ok, fail) => smartServer.once('error', fail).listen(smartPort, '127.0.0.1', ok));

// ------------------------------------------------------------------ the browser
await mkdir(shots, { recursive: true });
const browser = await chromium.launch({
  executablePath: chromiumPath,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

/** The tablet in use: its page and what went wrong in it (for the failure report). */
let current = null;
const contexts = [];

/** A fresh tablet (a new browser context: no cookies, no storage, no provider session). */
async function tablet(label) {
  if (current?.problems.length) log(`what went wrong on the tablet "${current.label}" (expected or not):\n  ${current.problems.join('\n  ')}`);
  const context = await browser.newContext({ viewport: TABLET, locale: 'en-GB', timezoneId: 'Asia/Bangkok' });
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT);
  const problems = [];
  // The browser's own favicon requests are not the app's (the gateway answers them 401).
  const ours = (url) => !url.endsWith('/favicon.ico');
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error' && ours(m.location().url ?? '')) problems.push(`console: ${m.text()} (${m.location().url})`); });
  page.on('response', (r) => { if (r.status() >= 400 && ours(r.url())) problems.push(`HTTP ${r.status()}: ${r.request().method()} ${r.url()}`); });
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.method()} ${r.url()} ${r.failure()?.errorText ?? ''}`));
  page.on('dialog', (d) => d.accept());
  current = { label, page, problems };
  log(`tablet: ${label}`);
  return page;
}

let step = 0;
const taken = [];
/** A screenshot of the current tablet: the viewport, or the whole page with `full`. */
async function shot(name, { full = false } = {}) {
  step += 1;
  const file = join(shots, `${String(step).padStart(2, '0')}-${name}.png`);
  await current.page.screenshot({ path: file, fullPage: full });
  taken.push(file);
  log('screenshot', file);
}

const tid = (id) => current.page.getByTestId(id);

/** A sentence as the doctor reads it: an element's text without its small print (the code
 * and the gateway's words go to `.detail`). */
const sentenceOf = (locator) => locator.evaluate((node) => {
  const copy = node.cloneNode(true);
  copy.querySelectorAll('.detail, [data-testid="message-detail"]').forEach((n) => n.remove());
  return copy.textContent.replace(/\s+/g, ' ').trim();
});
/** No bare codes in what a doctor reads (4003, -32602, HTTP 401…). */
const inWords = (text, what) => {
  assert.doesNotMatch(text, /\b[45]\d{3}\b|-32\d{3}|HTTP \d{3}|undefined|null|\{\w+\}/, `${what} is a sentence: ${text}`);
  assert.ok(text.length > 20, `${what} says something: ${text}`);
};

/** The provider's sign-in page: licence number and PIN. */
async function providerSignIn(licence, pin) {
  const page = current.page;
  await page.waitForURL((u) => u.href.startsWith(`${idp}/interaction/`));
  await page.locator('#licence').fill(licence);
  await page.locator('#pin').fill(pin);
  await page.locator('#sign-in').click();
}

/** Opens the doctor app at `gateway` and signs in there as `licence`. */
async function signInAt(gateway, licence, pin) {
  const page = current.page;
  await page.goto(`${gateway}/doctor/`);
  await tid('sign-in').waitFor();
  await tid('sign-in').click();
  await providerSignIn(licence, pin);
  await page.waitForURL((u) => u.href.startsWith(`${gateway}/doctor/`));
}

/** Finds the demo patient by ID card and waits for what the chain says about them. */
async function findPatient() {
  await tid('find').waitFor();
  await tid('id-number').fill(CARD);
  await tid('id-hint').and(current.page.locator('[data-valid="true"]')).waitFor();
  await tid('identify').click();
  const status = tid('patient-status');
  await status.waitFor();
  assert.equal(await status.getAttribute('data-health-id'), healthId);
  assert.equal(await tid('patient-enrolled').getAttribute('data-enrolled'), 'true');
  return status;
}

/** The records section's checks common to every fetch: each record has the on-chain mark. */
async function recordsShown(min) {
  const records = tid('records');
  await records.waitFor({ timeout: ASK_TIMEOUT });
  const count = await tid('record').count();
  assert.ok(count >= min, `at least ${min} records shown, got ${count}`);
  assert.equal(await records.getByTestId('verified').count(), count, 'every record carries the check mark');
  return records;
}

try {
  // 1. Set-up. The patient enrols with every hospital as a source; the licensing authority
  //    licenses a new doctor, MD10003, whom hospital B's gateway affiliates (the terms are
  //    left to the doctor, in the app).
  log('set-up: health ID', healthId);
  await Promise.all([
    asParticipant(patientKey, tx.consent.enrol(healthId, 'All')),
    (async () => {
      await asParticipant(authority, tx.participants.licensePractitioner('MD10003'));
      await asParticipant(eve, tx.participants.affiliatePractitioner('MD10003'));
    })(),
  ]);
  //    The hospitals' systems put records (tokens by client_credentials at the provider):
  //    A an allergy, a lab result and a dispensed medication; B a diagnosis.
  const [tokenA, tokenB] = await Promise.all([systemToken('his-H0001', gatewayA), systemToken('his-H0002', gatewayB)]);
  const put = (url, token, category, bundle) => gatewayCall(url, token, 'gateway_put', [{ healthId, category, bundle }]);
  await Promise.all([
    (async () => {
      await put(gatewayA, tokenA, 'allergy', RECORDS.allergy);
      await put(gatewayA, tokenA, 'labAndImaging', RECORDS.lab);
      await put(gatewayA, tokenA, 'medication', RECORDS.medication);
    })(),
    put(gatewayB, tokenB, 'diagnosis', RECORDS.diagnosis),
  ]);
  const anchored = await chain.health('records', [healthId, { limit: 20 }]);
  log(`set-up done: ${anchored.entries?.length ?? '?'} records anchored`);

  // 2. A new doctor of hospital B (per-request consent) signs in on the tablet; a wrong PIN
  //    first: the provider says so in words, and the right one passes.
  let page = await tablet('MD10003 at hospital B');
  await page.goto(`${gatewayB}/doctor/`);
  await tid('sign-in').waitFor();
  await shot('b-sign-in');
  await tid('sign-in').click();
  await providerSignIn('MD10003', '0000');
  const loginError = page.locator('#login-error');
  await loginError.waitFor();
  const wrongPin = (await loginError.textContent()).trim();
  assert.match(wrongPin, /Wrong licence number or PIN/);
  inWords(wrongPin, 'the wrong-PIN sentence');
  assert.equal(await page.locator('#licence').inputValue(), 'MD10003', 'the licence number is kept');
  await shot('provider-wrong-pin');
  await page.locator('#pin').fill('3333');
  await page.locator('#sign-in').click();
  await page.waitForURL((u) => u.href.startsWith(`${gatewayB}/doctor/`));

  // 3. First sign-in: the exchange's terms, accepted once (recorded on chain), then the
  //    find screen.
  await tid('terms').waitFor();
  assert.match(await tid('signed-in').textContent(), /MD10003/);
  await shot('b-terms-first-sign-in', { full: true });
  await tid('accept-terms').click();
  await tid('find').waitFor();
  await tid('message').and(page.locator('.done')).waitFor();
  assert.match(await tid('message').textContent(), /#\d+/, 'the block that recorded the terms');

  // 4. The patient's ID card: a wrong check digit is caught as typed; the right number finds
  //    the patient, enrolled, at a per-request hospital.
  await tid('id-number').fill('1101700230709');
  const hint = tid('id-hint');
  await hint.and(page.locator('[data-valid="false"]')).waitFor();
  assert.match(await hint.textContent(), /last digit should be 8, not 9/);
  assert.ok(await tid('identify').isDisabled(), 'no look-up with a wrong check digit');
  await shot('b-find-wrong-check-digit');
  const status = await findPatient();
  assert.equal(await tid('patient-policy').getAttribute('data-policy'), 'perRequest');
  assert.match(await status.textContent(), /asks the patient for each access/);
  await shot('b-patient-enrolled-per-request');

  // 5. The doctor asks; the request waits for the patient, who approves on their phone
  //    (here: the wallet key //Two signs Consent.respond); the records come.
  await tid('ask').click();
  const requestState = tid('request-state');
  await requestState.and(page.locator('[data-state="waiting"]')).waitFor();
  await tid('request-countdown').waitFor();
  await shot('b-ask-waiting-for-patient');
  let request = null;
  for (let i = 0; i < 60 && !request; i += 1) {
    const pending = await chain.health('pendingRequests', [healthId]);
    request = pending.find((r) => r.practitioner === 'MD10003' && r.hospital === 'H0002') ?? null;
    if (!request) await new Promise((ok) => setTimeout(ok, 1000));
  }
  assert.ok(request, 'the gateway filed a consent request for MD10003');
  log('the patient approves request', request.id);
  await asParticipant(patientKey, tx.consent.respond(request.id, true));
  await requestState.and(page.locator('[data-state="approved"]')).waitFor({ timeout: ASK_TIMEOUT });
  const records = await recordsShown(5);
  //    As a clinician reads them: drug allergies first, the high-criticality one on top; the
  //    lab value with its unit and reference range, flagged high; every source named.
  const groups = await records.getByTestId('records-group').evaluateAll((ns) => ns.map((n) => n.dataset.group));
  assert.equal(groups[0], 'allergy', `groups in reading order: ${groups}`);
  for (const g of ['diagnosis', 'medication', 'lab']) assert.ok(groups.includes(g), `${g} in ${groups}`);
  const allergies = records.locator('[data-testid="records-group"][data-group="allergy"] [data-testid="record"]');
  assert.equal(await allergies.count(), 2);
  const firstAllergy = allergies.first();
  assert.match(await firstAllergy.locator('.record-title').textContent(), /Penicillin/);
  await firstAllergy.getByTestId('criticality-high').waitFor();
  assert.equal(await allergies.nth(1).getByTestId('criticality-high').count(), 0, 'the low-criticality allergy comes second');
  const lab = records.locator('[data-testid="record"][data-group="lab"]').first();
  assert.match(await lab.locator('.record-title').textContent(), /Potassium/);
  assert.equal((await lab.locator('dd[data-field="value"]').textContent()).trim(), '5.9 mmol/L');
  assert.equal((await lab.locator('dd[data-field="referenceRange"]').textContent()).trim(), '3.5–5.1 mmol/L');
  assert.equal(await lab.getByTestId('flag').getAttribute('data-flag'), 'high');
  const sources = await records.getByTestId('record-source').allTextContents();
  assert.ok(sources.some((s) => /H0001/.test(s)) && sources.some((s) => /H0002/.test(s)), `both sources: ${sources}`);
  await shot('b-approved-records', { full: true });
  //    The doctor's own accesses: the one just made, under the patient's permission.
  await tid('show-accesses').click();
  const row = tid('access-row').first();
  await row.waitFor();
  assert.equal(await row.getAttribute('data-basis'), 'grant');
  await shot('b-my-accesses');
  await tid('sign-out').click();
  await tid('signin-note').waitFor();
  assert.match(await tid('signin-note').textContent(), /You signed out/);

  // 6. At hospital A (one-time consent), its doctor MD10001 gets the records at once: no
  //    request, no waiting.
  page = await tablet('MD10001 at hospital A');
  await signInAt(gatewayA, 'MD10001', '1111');
  await findPatient();
  assert.equal(await tid('patient-policy').getAttribute('data-policy'), 'oneTime');
  assert.equal(await tid('ask').count(), 0, 'no asking at a one-time hospital');
  await tid('fetch').click();
  await recordsShown(5);
  assert.equal(await tid('request-state').count(), 0);
  assert.match(await tid('records-summary').textContent(), /\d+/);
  await shot('a-one-time-records', { full: true });

  // 7. At hospital B, its doctor MD10002 opens an emergency access: the warning, the reason,
  //    then the records and the time box counting down.
  page = await tablet('MD10002 at hospital B (emergency)');
  await signInAt(gatewayB, 'MD10002', '2222');
  await findPatient();
  await tid('emergency').click();
  await tid('emergency-panel').waitFor();
  assert.ok(await tid('emergency-warning').isVisible(), 'the warning is shown');
  assert.match(await tid('emergency-warning').textContent(), /without the patient's consent/);
  assert.ok(await tid('emergency-confirm').isDisabled(), 'no emergency without a reason');
  await tid('emergency-reason').selectOption('unconscious');
  assert.ok(await tid('emergency-confirm').isEnabled());
  await tid('emergency-panel').evaluate((n) => n.scrollIntoView({ block: 'center' }));
  await shot('b-emergency-warning');
  await tid('emergency-confirm').click();
  await recordsShown(5);
  const countdown = tid('emergency-countdown');
  await countdown.waitFor();
  const before = await countdown.textContent();
  await page.waitForTimeout(2_100);
  const after = await countdown.textContent();
  assert.notEqual(after, before, `the emergency countdown ticks: ${before} → ${after}`);
  assert.ok(Number(await countdown.getAttribute('data-deadline')) > Date.now(), 'the time box is open');
  await tid('patient-emergency').waitFor();
  await countdown.evaluate((n) => n.closest('section').scrollIntoView({ block: 'start' }));
  await shot('b-emergency-records-countdown');

  // 8. Refused in words. A nurse's account carries no licence number.
  page = await tablet('nurse N20001 at hospital A');
  await signInAt(gatewayA, 'N20001', '4444');
  const blocked = tid('blocked');
  await blocked.waitFor();
  const nurseSentence = await sentenceOf(blocked);
  assert.match(nurseSentence, /licence/i);
  inWords(nurseSentence, 'the nurse\'s refusal');
  await shot('a-nurse-blocked-no-licence');
  //    MD10009 (not in the exchange) holds 5-second tokens: after 6 s the app is back at the
  //    sign-in, saying why.
  page = await tablet('MD10009 at hospital A (short token)');
  await signInAt(gatewayA, 'MD10009', '9999');
  await tid('session').or(tid('signin-note')).first().waitFor();
  if (await tid('blocked').isVisible()) {
    const notHere = await sentenceOf(tid('blocked'));
    inWords(notHere, 'MD10009\'s refusal');
    log('MD10009 after sign-in:', notHere);
  }
  await page.waitForTimeout(6_000);
  const note = tid('signin-note');
  await note.waitFor();
  const expiredSentence = await sentenceOf(note);
  assert.match(expiredSentence, /Your sign-in has expired\. Sign in again\./);
  inWords(expiredSentence, 'the expiry notice');
  await tid('signin').waitFor();
  await tid('sign-in').waitFor();
  assert.equal(await tid('session').count(), 0, 'the session is gone');
  await shot('a-token-expired-sign-in-again');

  // 9. A SMART on FHIR app launches standalone against hospital A's gateway with SMART's own
  //    client: discovery, the provider's sign-in, PKCE, the token, and $everything.
  page = await tablet('SMART app (fhirclient) at hospital A');
  await page.goto(`${smartOrigin}/smart/`);
  await page.waitForURL((u) => u.href.startsWith(`${idp}/interaction/`));
  assert.match(await page.locator('main').textContent(), /SMART on FHIR test app/);
  await shot('smart-provider-sign-in');
  await providerSignIn('MD10001', '1111');
  const result = page.locator('#result[data-types]');
  await result.or(page.locator('#error:not(:empty)')).first().waitFor();
  const error = (await page.locator('#error').textContent()).trim();
  assert.equal(error, '', `the SMART app failed: ${error}`);
  const types = (await result.getAttribute('data-types')).split(',');
  log(`SMART $everything: ${await result.getAttribute('data-count')} entries:`, types.join(' '));
  assert.equal(await result.getAttribute('data-bundle-type'), 'searchset');
  assert.ok(Number(await result.getAttribute('data-count')) > 0);
  assert.ok(types.includes('AllergyIntolerance'), `the Bundle holds the AllergyIntolerance: ${types}`);
  await shot('smart-everything', { full: true });

  log(`passed: ${taken.length} screenshots in ${shots}`);
} catch (e) {
  if (current) {
    console.error(`FAILED on the tablet "${current.label}" at ${current.page.url()}`);
    const text = await current.page.evaluate(() => document.body?.innerText ?? '').catch((err) => `(no text: ${err})`);
    console.error(`--- page text ---\n${text}\n--- page problems ---\n${current.problems.join('\n') || '(none)'}`);
    step += 1;
    await current.page.screenshot({ path: join(shots, `${String(step).padStart(2, '0')}-failure.png`), fullPage: true }).catch(() => {});
  }
  console.error(e);
  process.exitCode = 1;
} finally {
  for (const c of contexts) await c.close().catch(() => {});
  await browser.close();
  await chain.api.disconnect();
  smartServer.close();
  log(`run time ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
