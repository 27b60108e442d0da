// Signing in with OpenID Connect (authorization code + PKCE, oauth4webapi) at the hospital's
// identity provider, as a SMART standalone-launch app: the authorization server comes from
// the gateway's `GET <url>/fhir/.well-known/smart-configuration` (its issuer, confirmed by
// OpenID discovery on that issuer when the issuer answers it), the access token's audience is
// the gateway's FHIR base (`resource` and SMART's `aud`), and the redirect comes back to this
// page.
//
// What is kept where: the PKCE verifier, state and nonce survive the redirect in
// sessionStorage and are deleted as soon as the answer is read. The TOKENS are kept in memory
// only (the returned session object, held by the app): never localStorage or
// sessionStorage. A reload therefore signs the doctor out; the identity provider's own session
// makes signing in again one click. No refresh token is used: when the access token expires,
// the doctor signs in again.
import * as oauth from 'oauth4webapi';
import { fhirBase } from './api.js';

/** What a doctor's token may do (`records.read` fetch, `records.emergency` emergency
 * fetch, `patients.identify` identify). */
export const SCOPE = 'openid records.read records.emergency patients.identify';

const PENDING = 'healthchain.doctor.signin';
const SIGNED_OUT = 'healthchain.doctor.signedOut';

/** A sign-in failure: `kind` names its sentence in errors.js (`signin.<kind>`). */
export class SignInError extends Error {
  constructor(kind, detail = '') {
    super(detail || kind);
    this.kind = kind;
    this.detail = detail;
  }
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Plain HTTP to the identity provider only in a development set-up: a loopback issuer, or
 * a page itself served over HTTP. */
const insecureOk = (issuer) => issuer.protocol === 'http:'
  && (LOOPBACK.has(issuer.hostname) || globalThis.location?.protocol === 'http:');

/** The redirect URI: this page, without its query or fragment. */
export const redirectUri = () => `${location.origin}${location.pathname}`;

/** The authorization server of the gateway at `url`: `{ as, options }` (options for
 * oauth4webapi's requests). */
export async function authorizationServer(url) {
  let smart;
  try {
    const answer = await fetch(`${fhirBase(url)}/.well-known/smart-configuration`, { cache: 'no-store' });
    if (!answer.ok) throw new Error(`HTTP ${answer.status}`);
    smart = await answer.json();
  } catch (e) {
    throw new SignInError('noGateway', String(e?.message ?? e));
  }
  if (!smart?.issuer || !smart.authorization_endpoint || !smart.token_endpoint) {
    throw new SignInError('badConfiguration', 'smart-configuration lacks issuer, authorization_endpoint or token_endpoint');
  }
  let issuer;
  try {
    issuer = new URL(smart.issuer);
  } catch {
    throw new SignInError('badConfiguration', `issuer ${smart.issuer}`);
  }
  const options = { [oauth.allowInsecureRequests]: insecureOk(issuer) };
  let as;
  try {
    // The issuer's own metadata (validated against the issuer the gateway names).
    as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, options));
  } catch {
    // The identity provider does not answer discovery from this page: the SMART
    // configuration holds what the code flow needs.
    as = {
      issuer: smart.issuer,
      authorization_endpoint: smart.authorization_endpoint,
      token_endpoint: smart.token_endpoint,
      jwks_uri: smart.jwks_uri,
      code_challenge_methods_supported: smart.code_challenge_methods_supported,
    };
  }
  return { as, options };
}

/** Starts the sign-in at the gateway `{ hospital, url }` for the client `clientId`: saves
 * the PKCE verifier, state and nonce for the way back and leaves for the identity
 * provider. After an explicit sign-out the provider is asked to ask for the credentials
 * again (`prompt=login`), so that another doctor can sign in on the same tablet. */
export async function beginSignIn(gateway, clientId) {
  if (!globalThis.crypto?.subtle) throw new SignInError('insecurePage');
  const { as } = await authorizationServer(gateway.url);
  const verifier = oauth.generateRandomCodeVerifier();
  const challenge = await oauth.calculatePKCECodeChallenge(verifier);
  const state = oauth.generateRandomState();
  const nonce = oauth.generateRandomNonce();
  const audience = fhirBase(gateway.url);
  const redirect = redirectUri();
  sessionStorage.setItem(PENDING, JSON.stringify({
    verifier, state, nonce, hospital: gateway.hospital, url: gateway.url, clientId, redirect,
  }));
  const target = new URL(as.authorization_endpoint);
  const p = target.searchParams;
  p.set('client_id', clientId);
  p.set('redirect_uri', redirect);
  p.set('response_type', 'code');
  p.set('scope', SCOPE);
  p.set('code_challenge', challenge);
  p.set('code_challenge_method', 'S256');
  p.set('state', state);
  p.set('nonce', nonce);
  p.set('resource', audience);
  p.set('aud', audience);
  if (sessionStorage.getItem(SIGNED_OUT)) p.set('prompt', 'login');
  location.assign(target.href);
}

/** Whether this page load is the identity provider's answer (a `code` or an `error`, with
 * a `state`). */
export function isCallback() {
  const p = new URLSearchParams(location.search);
  return p.has('state') && (p.has('code') || p.has('error'));
}

/** Removes the answer's parameters from the address bar, so that a reload does not replay it. */
function dropCallback() {
  const url = new URL(location.href);
  for (const k of ['code', 'state', 'iss', 'error', 'error_description', 'error_uri', 'session_state']) url.searchParams.delete(k);
  history.replaceState(history.state, '', url);
}

/** Completes the sign-in from the identity provider's answer: exchanges the code (with the
 * PKCE verifier) for tokens and answers the session, held in memory by the caller:
 * `{ hospital, url, accessToken, idToken, expiresAt, scope, claims, licence }`. The saved
 * verifier, state and nonce are deleted first, whatever the outcome. */
export async function completeSignIn() {
  const params = new URLSearchParams(location.search);
  const saved = sessionStorage.getItem(PENDING);
  sessionStorage.removeItem(PENDING);
  dropCallback();
  if (!saved) throw new SignInError('noPending');
  const pending = JSON.parse(saved);
  const { as, options } = await authorizationServer(pending.url);
  const client = { client_id: pending.clientId };
  let callback;
  try {
    callback = oauth.validateAuthResponse(as, client, params, pending.state);
  } catch (e) {
    if (e instanceof oauth.AuthorizationResponseError) {
      throw new SignInError(e.error === 'access_denied' ? 'refused' : 'failed', [e.error, e.error_description].filter(Boolean).join(': '));
    }
    throw new SignInError('failed', String(e?.message ?? e));
  }
  let tokens;
  try {
    const response = await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), callback,
      pending.redirect, pending.verifier, { ...options, additionalParameters: { resource: fhirBase(pending.url) } });
    tokens = await oauth.processAuthorizationCodeResponse(as, client, response, {
      expectedNonce: pending.nonce, requireIdToken: true,
    });
  } catch (e) {
    const detail = e?.error ? [e.error, e.error_description].filter(Boolean).join(': ') : String(e?.message ?? e);
    throw new SignInError('failed', detail);
  }
  sessionStorage.removeItem(SIGNED_OUT);
  const claims = jwtClaims(tokens.access_token);
  const lifetime = Number(tokens.expires_in);
  const expiresAt = Number.isFinite(lifetime) && lifetime > 0
    ? Date.now() + lifetime * 1000
    : (claims?.exp ? claims.exp * 1000 : Date.now() + 5 * 60_000);
  return {
    hospital: pending.hospital,
    url: pending.url,
    accessToken: tokens.access_token,
    idToken: tokens.id_token ?? null,
    expiresAt,
    scope: tokens.scope ?? SCOPE,
    claims,
    licence: typeof claims?.licence === 'string' ? claims.licence : null,
  };
}

/** Whether a session's access token has expired (or is about to, within `marginMs`). */
export const expired = (session, marginMs = 0) => !session || Date.now() + marginMs >= session.expiresAt;

/** Marks an explicit sign-out: the next sign-in asks the provider for the credentials again. */
export function markSignedOut() {
  sessionStorage.setItem(SIGNED_OUT, '1');
}

/** The claims of a JWT access token (not verified here: the gateway verifies it), or null
 * for an opaque token. */
export function jwtClaims(token) {
  const parts = String(token ?? '').split('.');
  if (parts.length !== 3) return null;
  try {
    const b64 = parts[1].replace(/-/g, '+').replace(/_/g, '/');
    const bytes = Uint8Array.from(atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4)), (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return null;
  }
}
