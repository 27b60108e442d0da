// Tests of the development identity provider, driven over HTTP like a browser and a hospital
// system would: node --test apps/idp/idp.test.mjs
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { strict as assert } from 'node:assert';

import { createRemoteJWKSet, decodeJwt, errors as joseErrors, jwtVerify } from 'jose';

import {
  authorizationUrl as flowAuthorizationUrl, clientCredentialsRequest, follow, Jar, pkce, signIn as flowSignIn,
  submitLogin,
} from './flow.mjs';

const SERVER = new URL('./server.mjs', import.meta.url).pathname;
const TOKEN_CLI = new URL('./token.mjs', import.meta.url).pathname;
const GW_A = 'http://127.0.0.1:18701/fhir';
const GW_B = 'http://127.0.0.1:18702/fhir';
// Registered on one port; the clients are loopback ("native"), so any port matches.
const DOCTOR_CB = 'http://127.0.0.1:18701/doctor/';
const DOCTOR_CB_OTHER_PORT = 'http://127.0.0.1:43210/doctor/';
const SMART_CB = 'http://127.0.0.1:18799/smart/callback';
const SECRET_B = 'his-H0002-test-secret-0123456789';
const APP_ORIGIN = 'http://127.0.0.1:18702';

let child;
let ready;
let stdout = '';
let stderr = '';
let tmp;
let JWKS;

async function startIdp(config) {
  tmp = mkdtempSync(join(tmpdir(), 'idp-test-'));
  const file = join(tmp, 'config.json');
  writeFileSync(file, JSON.stringify(config));
  child = spawn(process.execPath, [SERVER, '--port', '0', '--config', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr.on('data', (d) => { stderr += d; });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ready line; stderr: ${stderr}`)), 15000);
    child.once('exit', (code) => reject(new Error(`idp exited ${code}; stderr: ${stderr}`)));
    child.stdout.on('data', (d) => {
      stdout += d;
      if (stdout.includes('\n')) {
        clearTimeout(timer);
        resolve(JSON.parse(stdout.slice(0, stdout.indexOf('\n'))));
      }
    });
  });
}

/** An authorization request to the test's provider (the doctor app and DOCTOR_CB by default). */
function authorizationUrl({ redirectUri = DOCTOR_CB, ...rest }) {
  return flowAuthorizationUrl({ endpoint: ready.authorization_endpoint, redirectUri, ...rest });
}

/** The whole authorization code + PKCE flow of flow.mjs, checking the sign-in page on the way. */
function signIn({
  licence, pin, clientId = 'doctor-app', redirectUri = DOCTOR_CB, resource, aud, scope,
}) {
  return flowSignIn({
    issuer: ready.issuer,
    licence,
    pin,
    clientId,
    redirectUri,
    resource,
    aud,
    scope,
    tokenHeaders: { origin: APP_ORIGIN },
    onLoginPage(page) {
      assert.equal(page.status, 200, `the login page, got ${page.html}`);
      assert.match(page.html, /id="licence"/);
      assert.match(page.html, /id="pin"/);
      assert.match(page.html, /id="sign-in"/);
      assert.match(page.html, /เลขที่ใบอนุญาตประกอบวิชาชีพ \/ Medical Council licence number/);
    },
  });
}

function clientCredentials({ clientId = 'his-H0002', secret = SECRET_B, resource, scope }) {
  return clientCredentialsRequest({
    tokenEndpoint: ready.token_endpoint, clientId, secret, resource, scope,
  });
}

/** Runs token.mjs; resolves with its exit code, stdout and stderr. */
function runToken(args) {
  return new Promise((resolve) => {
    execFile(process.execPath, [TOKEN_CLI, ...args], { timeout: 30000 }, (err, out, errOut) => {
      resolve({ code: err ? (err.code ?? err.signal) : 0, stdout: out, stderr: errOut });
    });
  });
}

/** A loopback port nothing listens on (just closed). */
async function closedPort() {
  const server = createServer();
  await new Promise((resolve) => { server.listen(0, '127.0.0.1', resolve); });
  const { port } = server.address();
  await new Promise((resolve) => { server.close(resolve); });
  return port;
}

describe('development identity provider', () => {
  before(async () => {
    ready = await startIdp({
      resources: [GW_A, GW_B],
      redirectUris: { 'doctor-app': [DOCTOR_CB], 'smart-test': [SMART_CB] },
      systems: [
        { clientId: 'his-H0001', secret: 'his-H0001-test-secret-0123456789', resources: [GW_A] },
        { clientId: 'his-H0002', secret: SECRET_B },
      ],
    });
    JWKS = createRemoteJWKSet(new URL(ready.jwks_uri));
  });

  after(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => { child.once('exit', (code, signal) => resolve({ code, signal })); });
      child.kill('SIGTERM');
      const { code } = await exited;
      assert.equal(code, 0, 'stops cleanly on SIGTERM');
    }
    rmSync(tmp, { recursive: true, force: true });
    assert.equal(stdout.trim().split('\n').length, 1, 'nothing but the ready line on stdout');
    assert.doesNotMatch(stderr, /MD1000|N2000|\b(1111|2222|3333|4444|9999)\b/, `nothing personal logged: ${stderr}`);
  });

  test('prints one ready line and answers discovery', async () => {
    const port = new URL(ready.issuer).port;
    assert.match(ready.issuer, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(ready.event, 'ready');
    const res = await fetch(`${ready.issuer}/.well-known/openid-configuration`);
    assert.equal(res.status, 200);
    const discovery = await res.json();
    assert.equal(discovery.issuer, ready.issuer);
    assert.equal(discovery.jwks_uri, ready.jwks_uri);
    assert.equal(discovery.authorization_endpoint, ready.authorization_endpoint);
    assert.equal(discovery.token_endpoint, ready.token_endpoint);
    assert.ok(ready.token_endpoint.startsWith(`http://127.0.0.1:${port}/`));
    assert.deepEqual(discovery.code_challenge_methods_supported, ['S256']);
    assert.ok(discovery.grant_types_supported.includes('client_credentials'));
    const jwks = await (await fetch(ready.jwks_uri)).json();
    assert.equal(jwks.keys.length, 1);
    assert.equal(jwks.keys[0].alg, 'ES256');
    assert.ok(jwks.keys[0].kid);
    assert.equal(jwks.keys[0].d, undefined, 'no private part published');
    assert.equal(stdout.trim().split('\n').length, 1, 'exactly one line on stdout');
  });

  test('client_credentials: a hospital system gets a JWT for the gateway it names', async () => {
    const res = await clientCredentials({ resource: GW_B, scope: 'records.write' });
    const body = await res.json();
    assert.equal(res.status, 200, JSON.stringify(body));
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.scope, 'records.write');
    const { payload, protectedHeader } = await jwtVerify(body.access_token, JWKS, { issuer: ready.issuer, audience: GW_B });
    assert.equal(protectedHeader.alg, 'ES256');
    assert.equal(protectedHeader.typ, 'at+jwt');
    assert.equal(payload.aud, GW_B);
    assert.equal(payload.scope, 'records.write');
    assert.equal(payload.sub, 'his-H0002');
    assert.equal(payload.client_id, 'his-H0002');
    assert.equal(payload.licence, undefined);
    assert.equal(payload.exp - payload.iat, 900);

    // Only its own scopes: records.read is not a hospital system's.
    const wider = await (await clientCredentials({ resource: GW_B, scope: 'records.write records.read gateway.status' })).json();
    assert.equal(decodeJwt(wider.access_token).scope, 'records.write gateway.status');
  });

  test('client_credentials: unknown or unallowed resource, missing resource and a wrong secret are refused', async () => {
    let res = await clientCredentials({ resource: 'http://127.0.0.1:1/fhir', scope: 'records.write' });
    assert.equal(res.status, 400);
    assert.equal((await res.json()).error, 'invalid_target');
    // his-H0001 may only get tokens for gateway A.
    res = await clientCredentials({
      clientId: 'his-H0001', secret: 'his-H0001-test-secret-0123456789', resource: GW_B, scope: 'records.write',
    });
    assert.equal(res.status, 400);
    assert.equal((await res.json()).error, 'invalid_target');
    // ... and its only resource is the default.
    res = await clientCredentials({ clientId: 'his-H0001', secret: 'his-H0001-test-secret-0123456789', scope: 'records.write' });
    assert.equal(res.status, 200);
    assert.equal(decodeJwt((await res.json()).access_token).aud, GW_A);
    // his-H0002 has two: it must name one.
    res = await clientCredentials({ scope: 'records.write' });
    assert.equal(res.status, 400);
    assert.equal((await res.json()).error, 'invalid_target');
    res = await clientCredentials({ secret: 'wrong-secret-wrong-secret', resource: GW_B, scope: 'records.write' });
    assert.equal(res.status, 401);
    assert.equal((await res.json()).error, 'invalid_client');
  });

  test('a doctor signs in (authorization code + PKCE) and gets a JWT for the gateway with the licence', async () => {
    const { body, res } = await signIn({ licence: 'MD10002', pin: '2222', resource: GW_B });
    assert.equal(res.headers.get('access-control-allow-origin'), APP_ORIGIN, 'CORS for a browser app');
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.expires_in, 900);
    assert.equal(body.refresh_token, undefined);
    const { payload } = await jwtVerify(body.access_token, JWKS, { issuer: ready.issuer, audience: GW_B });
    assert.equal(payload.iss, ready.issuer);
    assert.equal(payload.aud, GW_B);
    assert.equal(payload.sub, 'MD10002');
    assert.equal(payload.licence, 'MD10002');
    assert.equal(payload.client_id, 'doctor-app');
    assert.equal(payload.scope, 'records.read records.emergency patients.identify');
    assert.equal(payload.exp - payload.iat, 900);
    assert.ok(payload.exp > Date.now() / 1000);
    // The ID token: for the app, with the doctor's name and licence.
    const id = await jwtVerify(body.id_token, JWKS, { issuer: ready.issuer, audience: 'doctor-app' });
    assert.equal(id.payload.sub, 'MD10002');
    assert.equal(id.payload.name, 'Dr. Malee');
    assert.equal(id.payload.licence, 'MD10002');
  });

  test('a loopback redirect URI matches on any port; another path is refused', async () => {
    const { body } = await signIn({
      licence: 'MD10003', pin: '3333', redirectUri: DOCTOR_CB_OTHER_PORT, resource: GW_B,
    });
    assert.equal(decodeJwt(body.access_token).licence, 'MD10003');
    const jar = new Jar();
    const page = await follow(jar, authorizationUrl({ redirectUri: 'http://127.0.0.1:18701/elsewhere/', challenge: pkce().challenge, resource: GW_B }).href, 'http://127.0.0.1:18701/elsewhere/');
    assert.equal(page.callback, undefined);
    assert.equal(page.status, 400);
    assert.match(page.html, /redirect_uri did not match any of the client&#39;s registered redirect_uris/);
  });

  test('a SMART app names the FHIR base in aud (no resource; a trailing slash is fine) and gets a token for it', async () => {
    const { body } = await signIn({
      licence: 'MD10002', pin: '2222', clientId: 'smart-test', redirectUri: SMART_CB, aud: `${GW_A}/`,
      scope: 'openid fhirUser launch/patient records.read patients.identify',
    });
    const { payload } = await jwtVerify(body.access_token, JWKS, { issuer: ready.issuer, audience: GW_A });
    assert.equal(payload.aud, GW_A);
    assert.equal(payload.client_id, 'smart-test');
    assert.equal(payload.scope, 'records.read patients.identify');
    assert.equal(payload.licence, 'MD10002');
  });

  test('an unknown resource or aud, or none, is refused at the authorization endpoint', async () => {
    for (const extra of [{ resource: 'http://127.0.0.1:1/fhir' }, { aud: 'http://127.0.0.1:1/fhir' }, {}]) {
      const jar = new Jar();
      const result = await follow(jar, authorizationUrl({ challenge: pkce().challenge, ...extra }).href, DOCTOR_CB);
      assert.ok(result.callback, `an error redirect, got ${result.status}`);
      assert.equal(result.callback.searchParams.get('error'), 'invalid_target');
      assert.equal(result.callback.searchParams.get('code'), null);
    }
  });

  test('the code is bound to the PKCE verifier and used once', async () => {
    const jar = new Jar();
    const { verifier, challenge } = pkce();
    const page = await follow(jar, authorizationUrl({ challenge, resource: GW_B }).href, DOCTOR_CB);
    const done = await submitLogin(jar, page, DOCTOR_CB, 'MD10002', '2222');
    const code = done.callback.searchParams.get('code');
    const exchange = (codeVerifier) => fetch(ready.token_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code', code, redirect_uri: DOCTOR_CB, client_id: 'doctor-app', code_verifier: codeVerifier,
      }),
    });
    let res = await exchange(pkce().verifier);
    assert.equal(res.status, 400);
    assert.equal((await res.json()).error, 'invalid_grant');
    res = await exchange(verifier);
    assert.equal(res.status, 200);
    res = await exchange(verifier);
    assert.equal(res.status, 400, 'a code is used once');
    assert.equal((await res.json()).error, 'invalid_grant');
  });

  test('PKCE is required for the public clients', async () => {
    const result = await follow(new Jar(), authorizationUrl({ resource: GW_B }).href, DOCTOR_CB);
    assert.ok(result.callback);
    assert.equal(result.callback.searchParams.get('error'), 'invalid_request');
    assert.match(result.callback.searchParams.get('error_description'), /PKCE/);
  });

  test('a wrong PIN re-shows the form with the error and gives no code', async () => {
    const jar = new Jar();
    const page = await follow(jar, authorizationUrl({ challenge: pkce().challenge, resource: GW_B }).href, DOCTOR_CB);
    const wrong = await submitLogin(jar, page, DOCTOR_CB, 'MD10002', '0000');
    assert.equal(wrong.callback, undefined, 'no redirect back to the app');
    assert.match(wrong.html, /id="login-error"/);
    assert.match(wrong.html, /Wrong licence number or PIN\. \/ เลขที่ใบอนุญาตหรือ PIN ไม่ถูกต้อง/);
    assert.match(wrong.html, /id="licence"[^>]*value="MD10002"/, 'the licence number is kept');
    assert.doesNotMatch(wrong.html, /0000/, 'the PIN is not echoed');
    // An unknown licence number reads the same.
    const unknown = await submitLogin(jar, wrong, DOCTOR_CB, 'MD99999', '2222');
    assert.match(unknown.html, /id="login-error"/);
    // The same interaction still signs in with the right PIN.
    const right = await submitLogin(jar, unknown, DOCTOR_CB, 'md10002', '2222');
    assert.ok(right.callback?.searchParams.get('code'));
  });

  test('Cancel goes back to the app with access_denied', async () => {
    const jar = new Jar();
    const page = await follow(jar, authorizationUrl({ challenge: pkce().challenge, resource: GW_B }).href, DOCTOR_CB);
    const action = /<form id="abort-form" method="post" action="([^"]+)"/.exec(page.html)?.[1];
    assert.ok(action);
    const back = await follow(jar, new URL(action, page.url).href, DOCTOR_CB, { method: 'POST' });
    assert.equal(back.callback?.searchParams.get('error'), 'access_denied');
    assert.equal(back.callback.searchParams.get('code'), null);
  });

  test('after 5 wrong PINs for a licence number it says to wait, even for the right PIN', async () => {
    const jar = new Jar();
    let page = await follow(jar, authorizationUrl({ challenge: pkce().challenge, resource: GW_A }).href, DOCTOR_CB);
    for (let i = 0; i < 5; i += 1) {
      page = await submitLogin(jar, page, DOCTOR_CB, 'MD10001', `99${i}9`);
      assert.match(page.html, /Wrong licence number or PIN/);
    }
    page = await submitLogin(jar, page, DOCTOR_CB, 'MD10001', '1111');
    assert.equal(page.callback, undefined);
    assert.equal(page.status, 429);
    assert.match(page.html, /id="login-error"[^>]*>Too many wrong attempts for this licence number: wait 5 minutes/);
    assert.match(page.html, /กรุณารอ 5 นาที/);
  });

  test('everything put into the page is escaped', async () => {
    const page = await follow(new Jar(), authorizationUrl({
      challenge: pkce().challenge, resource: GW_B, extra: { login_hint: '"><script>alert(1)</script>' },
    }).href, DOCTOR_CB);
    assert.equal(page.status, 200);
    assert.doesNotMatch(page.html, /<script>/);
    assert.match(page.html, /&#34;&#62;&#60;SCRIPT&#62;/);
    assert.doesNotMatch(page.html, /<script/i);
  });

  test('the app can sign the doctor out (RP-initiated logout), and the next sign-in asks again', async () => {
    const { body, jar } = await signIn({ licence: 'MD10002', pin: '2222', resource: GW_B });
    const discovery = await (await fetch(`${ready.issuer}/.well-known/openid-configuration`)).json();
    // Signed in: a second authorization needs no page.
    const silent = await follow(jar, authorizationUrl({ challenge: pkce().challenge, resource: GW_B }).href, DOCTOR_CB);
    assert.ok(silent.callback?.searchParams.get('code'), 'already signed in');
    const url = new URL(discovery.end_session_endpoint);
    url.searchParams.set('id_token_hint', body.id_token);
    url.searchParams.set('post_logout_redirect_uri', DOCTOR_CB);
    const page = await follow(jar, url.href, DOCTOR_CB);
    assert.equal(page.status, 200);
    assert.match(page.html, /id="sign-out"/);
    const form = /<form id="op.logoutForm" method="post" action="([^"]+)"><input type="hidden" name="xsrf" value="([^"]+)"/.exec(page.html);
    assert.ok(form, page.html);
    const out = await follow(jar, form[1], DOCTOR_CB, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ xsrf: form[2], logout: 'yes' }).toString(),
    });
    assert.ok(out.callback, `back at the app, got ${out.status}`);
    const again = await follow(jar, authorizationUrl({ challenge: pkce().challenge, resource: GW_B }).href, DOCTOR_CB);
    assert.equal(again.status, 200);
    assert.match(again.html, /id="sign-in"/);
  });

  test("the nurse's token carries no licence claim", async () => {
    const { body } = await signIn({ licence: 'N20001', pin: '4444', resource: GW_A });
    const { payload } = await jwtVerify(body.access_token, JWKS, { issuer: ready.issuer, audience: GW_A });
    assert.equal(payload.sub, 'N20001');
    assert.equal('licence' in payload, false);
    const id = decodeJwt(body.id_token);
    assert.equal('licence' in id, false);
  });

  test("MD10009's access token expires 5 seconds after issue", async () => {
    const { body } = await signIn({ licence: 'MD10009', pin: '9999', resource: GW_A });
    assert.equal(body.expires_in, 5);
    const { payload } = await jwtVerify(body.access_token, JWKS, { issuer: ready.issuer, audience: GW_A });
    assert.equal(payload.exp - payload.iat, 5);
    assert.equal(payload.licence, 'MD10009');
    const wait = payload.exp * 1000 - Date.now() + 1100;
    await new Promise((resolve) => { setTimeout(resolve, Math.max(0, wait)); });
    await assert.rejects(
      jwtVerify(body.access_token, JWKS, { issuer: ready.issuer, audience: GW_A }),
      joseErrors.JWTExpired,
    );
  });

  test('the discovery and JWKS answer CORS preflights; the token endpoint accepts the app origin', async () => {
    const res = await fetch(ready.token_endpoint, {
      method: 'OPTIONS',
      headers: { origin: APP_ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    assert.equal(res.status, 204);
    assert.equal(res.headers.get('access-control-allow-origin'), APP_ORIGIN);
  });

  test('token.mjs prints only the access token: a doctor signed in (code + PKCE), a hospital system (client_credentials)', async () => {
    const issuer = ['--issuer', ready.issuer];
    // The doctor: the redirect URI defaults to /doctor/ on the resource's origin (loopback: any port).
    let run = await runToken(['doctor', ...issuer, '--resource', GW_B, '--licence', 'MD10002', '--pin', '2222']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, '');
    assert.match(run.stdout, /^[\w-]+\.[\w-]+\.[\w-]+\n$/, 'the token and a newline, nothing else');
    let { payload } = await jwtVerify(run.stdout.trim(), JWKS, { issuer: ready.issuer, audience: GW_B });
    assert.equal(payload.sub, 'MD10002');
    assert.equal(payload.licence, 'MD10002');
    assert.equal(payload.client_id, 'doctor-app');
    assert.equal(payload.scope, 'records.read records.emergency patients.identify');
    // ... with the client and redirect URI named.
    run = await runToken([
      'doctor', ...issuer, '--resource', GW_A, '--licence', 'md10003', '--pin', '3333', '--client', 'doctor-app', '--redirect-uri', DOCTOR_CB,
    ]);
    assert.equal(run.code, 0, run.stderr);
    ({ payload } = await jwtVerify(run.stdout.trim(), JWKS, { issuer: ready.issuer, audience: GW_A }));
    assert.equal(payload.licence, 'MD10003');

    // A hospital system: the system scopes by default, or those asked for.
    run = await runToken(['system', ...issuer, '--resource', GW_B, '--client', 'his-H0002', '--secret', SECRET_B]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, '');
    assert.match(run.stdout, /^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    ({ payload } = await jwtVerify(run.stdout.trim(), JWKS, { issuer: ready.issuer, audience: GW_B }));
    assert.equal(payload.sub, 'his-H0002');
    assert.equal(payload.client_id, 'his-H0002');
    assert.equal(payload.scope, 'records.write patients.identify gateway.status');
    assert.equal(payload.licence, undefined);
    run = await runToken([
      'system', ...issuer, '--resource', GW_A, '--client', 'his-H0001', '--secret', 'his-H0001-test-secret-0123456789', '--scope', 'gateway.status',
    ]);
    assert.equal(run.code, 0, run.stderr);
    ({ payload } = await jwtVerify(run.stdout.trim(), JWKS, { issuer: ready.issuer, audience: GW_A }));
    assert.equal(payload.scope, 'gateway.status');
  });

  test('token.mjs: a wrong PIN, an unknown resource, a wrong secret or no provider is one sentence on stderr and exit 1', async () => {
    const refused = (run, sentence) => {
      assert.equal(run.code, 1, `exit 1, got ${run.code}: ${run.stderr}`);
      assert.equal(run.stdout, '', 'no token');
      assert.match(run.stderr, /^token\.mjs: [^\n]+\.\n$/, `one sentence on one line: ${run.stderr}`);
      assert.match(run.stderr, sentence);
    };
    const issuer = ['--issuer', ready.issuer];
    let run = await runToken(['doctor', ...issuer, '--resource', GW_B, '--licence', 'MD10002', '--pin', '8642']);
    refused(run, /^token\.mjs: Sign-in as MD10002 was refused: Wrong licence number or PIN\.\n$/);
    assert.doesNotMatch(run.stderr, /8642/, 'the PIN is never printed');
    run = await runToken(['doctor', ...issuer, '--resource', 'http://127.0.0.1:1/fhir', '--licence', 'MD10002', '--pin', '2222']);
    refused(run, /refused the sign-in: resource is not a gateway this client may get tokens for \(invalid_target\)/);
    assert.doesNotMatch(run.stderr, /2222/);
    run = await runToken(['system', ...issuer, '--resource', 'http://127.0.0.1:1/fhir', '--client', 'his-H0002', '--secret', SECRET_B]);
    refused(run, /The token request of client his-H0002 was refused: .*\(invalid_target\)/);
    run = await runToken(['system', ...issuer, '--resource', GW_B, '--client', 'his-H0002', '--secret', 'wrong-secret-wrong-secret']);
    refused(run, /client his-H0002 was refused: .*\(invalid_client\)/);
    assert.doesNotMatch(run.stderr, /wrong-secret/, 'nor the secret');
    const down = `http://127.0.0.1:${await closedPort()}`;
    run = await runToken(['doctor', '--issuer', down, '--resource', GW_B, '--licence', 'MD10002', '--pin', '2222']);
    refused(run, new RegExp(`Cannot reach the identity provider at ${down} \\(ECONNREFUSED\\)`));
    run = await runToken(['doctor', ...issuer, '--resource', GW_B, '--licence', 'MD10002', '2222']);
    refused(run, /unexpected argument/);
    assert.doesNotMatch(run.stderr, /2222/);
  });
});
