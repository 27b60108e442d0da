// The development identity provider's flows driven over plain HTTP, no browser: a doctor's
// authorization code + PKCE sign-in (discovery, the authorization request, the licence+PIN
// form, redirects followed with cookies, the code exchange) and a hospital system's
// client_credentials. Shared by token.mjs (tokens for the README and scripts) and
// idp.test.mjs, so the tests drive the very code the scripts use.
//
// Refusals and failures are thrown as FlowError: `message` is one sentence for a person (it
// never contains the PIN or a secret), `code` the OAuth error or one of ours.
import { createHash, randomBytes } from 'node:crypto';

/** What server.mjs gives a doctor app and a hospital system by default. */
export const DOCTOR_SCOPE = 'openid records.read records.emergency patients.identify';
export const SYSTEM_SCOPE = 'records.write patients.identify gateway.status';

const TIMEOUT_MS = 15000;
const MAX_REDIRECTS = 15;

export class FlowError extends Error {
  constructor(message, { code, status } = {}) {
    super(message);
    this.name = 'FlowError';
    this.code = code;
    this.status = status;
  }
}

const b64url = (buf) => Buffer.from(buf).toString('base64url');
const unescapeHtml = (text) => text.replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n)))
  .replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>')
  .replace(/&amp;/g, '&');
// "description (error)", or the error alone; no final full stop (the caller ends the sentence).
const describe = (error, description) => {
  const text = String(description ?? '').trim().replace(/\.+$/, '');
  return text && text !== error ? `${text} (${error})` : String(error);
};

/** A minimal cookie jar: host-only cookies with names, values, paths and deletions (all the provider uses). */
export class Jar {
  #cookies = new Map();

  absorb(res, url) {
    const { host, pathname } = new URL(url);
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';').map((s) => s.trim());
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      let path = pathname.replace(/\/[^/]*$/, '') || '/';
      let expired = value === '';
      for (const attr of attrs) {
        const [k, v = ''] = attr.split('=');
        const key = k.toLowerCase();
        if (key === 'path') path = v || '/';
        if (key === 'max-age' && Number(v) <= 0) expired = true;
        if (key === 'expires' && Date.parse(v) <= Date.now()) expired = true;
      }
      const id = `${host}\n${name}\n${path}`;
      if (expired) this.#cookies.delete(id); else this.#cookies.set(id, { host, name, value, path });
    }
  }

  header(url) {
    const { host, pathname } = new URL(url);
    return [...this.#cookies.values()]
      .filter((c) => c.host === host)
      .filter((c) => pathname === c.path || pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`))
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }
}

/** fetch, with a network failure or a timeout turned into a FlowError naming the provider. */
async function request(url, init = {}) {
  try {
    return await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS), ...init });
  } catch (err) {
    const { origin } = new URL(url);
    if (err?.name === 'TimeoutError' || err?.name === 'AbortError') {
      throw new FlowError(`The identity provider at ${origin} did not answer within ${TIMEOUT_MS / 1000} seconds.`, { code: 'timeout' });
    }
    const cause = err?.cause?.code ?? err?.cause?.message ?? err?.message;
    throw new FlowError(`Cannot reach the identity provider at ${origin} (${cause}); it may not be running.`, { code: 'unreachable' });
  }
}

/**
 * Follows redirects by hand (keeping cookies) until one leads to `redirectUri`, the app:
 * then { callback: URL }, else the page it ends on: { status, url, html }.
 */
export async function follow(jar, url, redirectUri, init = {}) {
  let next = url;
  let options = init;
  for (let hops = 0; hops < MAX_REDIRECTS; hops += 1) {
    const cookie = jar.header(next);
    const res = await request(next, {
      ...options, redirect: 'manual', headers: { ...options.headers, ...(cookie ? { cookie } : {}) },
    });
    jar.absorb(res, next);
    if (res.status >= 300 && res.status < 400) {
      const location = res.headers.get('location');
      await res.arrayBuffer();
      if (!location) throw new FlowError(`The identity provider answered HTTP ${res.status} without a Location.`);
      const target = new URL(location, next).href;
      if (target.startsWith(redirectUri)) return { callback: new URL(target) };
      next = target;
      options = {};
      continue;
    }
    return { status: res.status, url: next, html: await res.text() };
  }
  throw new FlowError(`The identity provider redirected more than ${MAX_REDIRECTS} times without coming back to the app.`);
}

export function pkce() {
  const verifier = b64url(randomBytes(32));
  return { verifier, challenge: b64url(createHash('sha256').update(verifier).digest()) };
}

/** An authorization request (response_type code) to `endpoint`, the provider's authorization_endpoint. */
export function authorizationUrl({
  endpoint, clientId = 'doctor-app', redirectUri, scope = DOCTOR_SCOPE, resource, aud, challenge,
  state = b64url(randomBytes(12)), nonce = b64url(randomBytes(12)), extra = {},
}) {
  const url = new URL(endpoint);
  const params = {
    client_id: clientId, redirect_uri: redirectUri, response_type: 'code', scope, state, nonce,
    ...(challenge ? { code_challenge: challenge, code_challenge_method: 'S256' } : {}),
    ...(resource ? { resource } : {}),
    ...(aud ? { aud } : {}),
    ...extra,
  };
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url;
}

/** The sign-in form's action on a page, or undefined. */
export function loginFormAction(page) {
  const action = /<form id="login-form" method="post" action="([^"]+)"/.exec(page.html ?? '')?.[1];
  return action === undefined ? undefined : new URL(unescapeHtml(action), page.url).href;
}

/** The English half of the sign-in page's error ("Wrong licence number or PIN."), or undefined. */
export function loginError(page) {
  const text = /id="login-error"[^>]*>([^<]*)</.exec(page.html ?? '')?.[1];
  return text === undefined ? undefined : unescapeHtml(text).split(' / ')[0].trim();
}

/** Posts the sign-in form of a login page; the result as `follow` gives it. */
export function submitLogin(jar, page, redirectUri, licence, pin) {
  const action = loginFormAction(page);
  if (!action) throw new FlowError(`The identity provider answered HTTP ${page.status} without a sign-in form.`);
  return follow(jar, action, redirectUri, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ licence: String(licence), pin: String(pin) }).toString(),
  });
}

/** A page that is not the sign-in form (an error page) as a FlowError. */
function pageRefusal(page) {
  const match = /id="error"[^>]*>([^<]*)<\/p>\s*(?:<p class="muted">([^<]*)<\/p>)?/.exec(page.html ?? '');
  if (match) {
    const error = unescapeHtml(match[1]);
    return new FlowError(`The identity provider refused the sign-in: ${describe(error, match[2] && unescapeHtml(match[2]))}.`, {
      code: /^[a-z_]+$/.test(error) ? error : undefined, status: page.status,
    });
  }
  return new FlowError(`The identity provider answered HTTP ${page.status} instead of its sign-in page.`, { status: page.status });
}

/** The provider's discovery document, checked to be its own. */
export async function discover(issuer) {
  const base = URL.parse(String(issuer ?? ''));
  if (!base || !['http:', 'https:'].includes(base.protocol)) {
    throw new FlowError(`The issuer ${JSON.stringify(issuer)} is not an http(s) URL.`, { code: 'usage' });
  }
  const trimmed = String(issuer).replace(/\/+$/, '');
  const url = `${trimmed}/.well-known/openid-configuration`;
  const res = await request(url, { headers: { accept: 'application/json' } });
  let doc;
  try {
    doc = await res.json();
  } catch {
    doc = undefined;
  }
  if (res.status !== 200 || typeof doc?.token_endpoint !== 'string' || typeof doc?.authorization_endpoint !== 'string') {
    throw new FlowError(`${trimmed} is not an OpenID provider: ${url} answered HTTP ${res.status} without a discovery document.`, {
      code: 'discovery', status: res.status,
    });
  }
  if (String(doc.issuer).replace(/\/+$/, '') !== trimmed) {
    throw new FlowError(`The provider at ${trimmed} says its issuer is ${doc.issuer}: use that issuer.`, { code: 'discovery' });
  }
  return doc;
}

/** The token endpoint's answer: the token response, or a FlowError saying who refused what. */
async function tokenResponse(res, what) {
  let body;
  try {
    body = await res.json();
  } catch {
    body = undefined;
  }
  if (res.status === 200 && typeof body?.access_token === 'string') return body;
  if (typeof body?.error === 'string') {
    throw new FlowError(`${what} was refused: ${describe(body.error, body.error_description)}.`, { code: body.error, status: res.status });
  }
  throw new FlowError(`${what} failed: the token endpoint answered HTTP ${res.status} without a token.`, { status: res.status });
}

/**
 * Signs a demo doctor in: authorization code + PKCE with the licence+PIN form, then the code
 * exchange. `resource` (or SMART's `aud`) names the gateway; `redirectUri` must be one the
 * client is registered with (the provider is never left: the redirect to it is not followed).
 * `onLoginPage(page)` sees the sign-in page; `tokenHeaders` go with the token request.
 * Returns { body (the token response), res, jar, discovery }.
 */
export async function signIn({
  issuer, resource, aud, licence, pin, clientId = 'doctor-app', redirectUri, scope = DOCTOR_SCOPE,
  discovery, tokenHeaders = {}, onLoginPage,
}) {
  if (!redirectUri) throw new TypeError('signIn: redirectUri is required');
  const meta = discovery ?? await discover(issuer);
  const jar = new Jar();
  const { verifier, challenge } = pkce();
  const state = b64url(randomBytes(12));
  const url = authorizationUrl({
    endpoint: meta.authorization_endpoint, clientId, redirectUri, scope, resource, aud, challenge, state,
  });
  const page = await follow(jar, url.href, redirectUri);
  if (page.callback) throw callbackRefusal(page.callback);
  if (!loginFormAction(page)) throw pageRefusal(page);
  await onLoginPage?.(page);

  const done = await submitLogin(jar, page, redirectUri, licence, pin);
  if (!done.callback) {
    const error = loginError(done);
    if (error) {
      throw new FlowError(`Sign-in as ${String(licence).trim()} was refused: ${error.replace(/\.+$/, '')}.`, {
        code: done.status === 429 ? 'too_many_attempts' : 'wrong_credentials', status: done.status,
      });
    }
    throw pageRefusal(done);
  }
  const callback = done.callback;
  if (callback.searchParams.get('error')) throw callbackRefusal(callback);
  if (callback.searchParams.get('state') !== state) {
    throw new FlowError('The identity provider came back with another sign-in\'s state.', { code: 'state_mismatch' });
  }
  const iss = callback.searchParams.get('iss');
  if ((iss !== null || meta.authorization_response_iss_parameter_supported) && iss !== meta.issuer) {
    throw new FlowError(`The sign-in came back from issuer ${iss ?? '(none)'} instead of ${meta.issuer}.`, { code: 'issuer_mismatch' });
  }
  const code = callback.searchParams.get('code');
  if (!code) throw new FlowError('The identity provider came back without an authorization code.', { code: 'no_code' });

  const res = await request(meta.token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', ...tokenHeaders },
    body: new URLSearchParams({
      grant_type: 'authorization_code', code, redirect_uri: redirectUri, client_id: clientId, code_verifier: verifier,
    }),
  });
  const body = await tokenResponse(res, 'The code exchange');
  return { body, res, jar, discovery: meta };
}

function callbackRefusal(callback) {
  const error = callback.searchParams.get('error') ?? 'no_code';
  return new FlowError(`The identity provider refused the sign-in: ${describe(error, callback.searchParams.get('error_description'))}.`, { code: error });
}

/**
 * A client_credentials request to `tokenEndpoint` (client_secret_basic, or
 * client_secret_post): the Response as it comes, for callers that look at refusals.
 */
export function clientCredentialsRequest({
  tokenEndpoint, clientId, secret, resource, scope, authMethod = 'client_secret_basic', headers = {},
}) {
  const form = new URLSearchParams({ grant_type: 'client_credentials', ...(resource ? { resource } : {}), ...(scope ? { scope } : {}) });
  const auth = {};
  if (authMethod === 'client_secret_post') {
    form.set('client_id', clientId);
    form.set('client_secret', secret);
  } else {
    // RFC 6749 section 2.3.1: both parts form-encoded before Basic.
    auth.authorization = `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`;
  }
  return request(tokenEndpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', ...auth, ...headers,
    },
    body: form,
  });
}

/**
 * A hospital system's token (client_credentials) for the gateway `resource`.
 * Returns { body (the token response), res, discovery }.
 */
export async function systemToken({
  issuer, resource, clientId, secret, scope = SYSTEM_SCOPE, authMethod, discovery,
}) {
  const meta = discovery ?? await discover(issuer);
  const res = await clientCredentialsRequest({
    tokenEndpoint: meta.token_endpoint, clientId, secret, resource, scope, authMethod,
  });
  const body = await tokenResponse(res, `The token request of client ${clientId}`);
  return { body, res, discovery: meta };
}
