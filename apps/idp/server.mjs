// HealthChain's development and test identity provider: a real, certified OpenID Connect
// provider (npm oidc-provider 9) for demos (`scripts/dev`) and tests. It is NOT part of a
// deployment: a hospital signs its doctors in with its own identity provider (Keycloak,
// Microsoft Entra ID, …); the gateway only needs the same few facts about it.
//
//   node apps/idp/server.mjs [--port N] [--config FILE]      (port 0: any free port)
//   node apps/idp/token.mjs doctor|system …                  (a token without a browser: see token.mjs)
//
// On start it prints one JSON line on stdout:
//   {"event":"ready","issuer":"http://127.0.0.1:PORT","jwks_uri":…,"authorization_endpoint":…,"token_endpoint":…}
//
// How a gateway trusts it (the gateway's config, section [auth]):
//   issuer                 = the `issuer` above (the `iss` of every token)
//   audience               = the gateway's FHIR base URL, e.g. "http://127.0.0.1:8701/fhir"
//                            (listed in this provider's `resources`; the tokens' `aud`)
//   jwks_url               = the `jwks_uri` above (ES256 keys, made fresh at every start)
//   authorization_endpoint = the `authorization_endpoint` above  (published to SMART apps)
//   token_endpoint         = the `token_endpoint` above
//
// Access tokens are JWTs (RFC 9068) for exactly one resource (RFC 8707): `aud` = that
// gateway's FHIR base, `sub` = the account id (or the client id for a hospital system),
// `scope`, `client_id`, and `licence` (the Medical Council licence number; absent for an
// account without one). Doctors sign in with their licence number and a PIN (demo accounts,
// see accounts.mjs) on one page (consent is granted without a page: first-party clients);
// hospital systems use client_credentials with a secret.
//
// Every token request must name its gateway: `resource` = the FHIR base URL, or for SMART
// apps (fhirclient) `aud` in the authorization request; a client allowed only one resource
// gets it by default. A gateway knows the scopes in RESOURCE_SCOPES; each client gets only
// its own share of them (`clientScopes`, `systems[].scope`). PKCE (S256) is required, so a
// fhirclient app must see "code_challenge_methods_supported": ["S256"] in the gateway's
// .well-known/smart-configuration (or be set to pkceMode "required").
//
// Config (JSON, every key optional; see DEFAULTS below):
//   { "port": 8790,
//     "resources": ["http://127.0.0.1:8701/fhir", "http://127.0.0.1:8702/fhir"],
//     "redirectUris": {"doctor-app": ["http://127.0.0.1:8701/doctor/"], "smart-test": [...]},
//                     (or one array, for both public clients)
//     "postLogoutRedirectUris": {"doctor-app": [...]}            (default: the redirect URIs)
//     "clientScopes": {"doctor-app": "openid records.read ..."}  (what each client may get)
//     "systems": [{"clientId": "his-H0001", "secret": "…", "resources": [...]?,
//                  "scope": "…"?, "authMethod": "client_secret_basic"|"client_secret_post"?}],
//     "accounts": [{"id": "MD10001", "pin": "1111", "name": "Dr. Somchai", "hospital": "H0001",
//                   "licence": "MD10001" (default: the id; null: none), "accessTokenTtl": 5?}],
//     "accessTokenTtl": 900, "loginAttempts": {"max": 5, "windowSeconds": 300} }
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import * as http from 'node:http';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

import Provider, { errors, interactionPolicy } from 'oidc-provider';

import {
  createAccounts, createAttemptLimiter, DEFAULT_ACCOUNTS, normalizeLogin,
} from './accounts.mjs';
import {
  errorPage, loggedOutPage, loginPage, logoutPage, PAGE_CSP, tooManyAttempts, WRONG_CREDENTIALS,
} from './login.mjs';

// oidc-provider prints its notices with console.info, i.e. on stdout; stdout carries only
// the ready line, so anything else goes to stderr.
console.info = (...args) => console.error(...args);

/** Every scope a gateway knows (the resource server's scopes). */
export const RESOURCE_SCOPES = [
  'records.read', 'records.emergency', 'patients.identify', 'records.write',
  'gateway.status', 'consent.read', 'audit.read',
];
const OIDC_SCOPES = ['openid'];
const DOCTOR_SCOPES = 'openid records.read records.emergency patients.identify';
const SYSTEM_SCOPES = 'records.write patients.identify gateway.status';
const PUBLIC_CLIENTS = {
  'doctor-app': 'HealthChain doctor app / แอปแพทย์ HealthChain',
  'smart-test': 'SMART on FHIR test app',
};

const DEFAULTS = {
  port: 8790,
  resources: ['http://127.0.0.1:8701/fhir', 'http://127.0.0.1:8702/fhir'],
  redirectUris: {
    // The gateways serve the doctor app at /doctor/; `scripts/dev` also serves the apps on
    // 8080. Being loopback http URIs of "native" clients, any port matches (see below).
    'doctor-app': ['http://127.0.0.1:8701/doctor/', 'http://127.0.0.1:8701/doctor/index.html'],
    'smart-test': ['http://127.0.0.1:8701/smart-test/', 'http://127.0.0.1:8701/smart-test/index.html'],
  },
  systems: [
    { clientId: 'his-H0001', secret: 'his-H0001-development-secret' },
    { clientId: 'his-H0002', secret: 'his-H0002-development-secret' },
  ],
  accounts: DEFAULT_ACCOUNTS,
  accessTokenTtl: 15 * 60,
  loginAttempts: { max: 5, windowSeconds: 5 * 60 },
};

function fail(message) {
  throw new TypeError(`idp config: ${message}`);
}

function checkUrl(value, what) {
  const url = URL.parse(String(value));
  if (!url || !['http:', 'https:'].includes(url.protocol) || url.hash) {
    fail(`${what} ${JSON.stringify(value)} is not an absolute http(s) URL without a fragment`);
  }
  return String(value);
}

function positiveInt(value, what) {
  if (!Number.isSafeInteger(value) || value <= 0) fail(`${what} must be a positive whole number`);
  return value;
}

/** The config with defaults filled in and every value checked. */
export function resolveConfig(raw = {}) {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) fail('must be a JSON object');
  const config = { ...DEFAULTS, ...raw };
  const resources = config.resources;
  if (!Array.isArray(resources) || !resources.length) fail('resources must be a non-empty array');
  resources.forEach((r) => checkUrl(r, 'resource'));

  const perClient = (value, what) => {
    if (Array.isArray(value)) return Object.fromEntries(Object.keys(PUBLIC_CLIENTS).map((id) => [id, value]));
    if (value === null || typeof value !== 'object') fail(`${what} must be an object or an array`);
    return value;
  };
  const redirects = { ...DEFAULTS.redirectUris, ...perClient(config.redirectUris, 'redirectUris') };
  const postLogout = perClient(config.postLogoutRedirectUris ?? {}, 'postLogoutRedirectUris');
  const clientScopes = config.clientScopes ?? {};
  const publicClients = Object.keys(PUBLIC_CLIENTS).map((id) => {
    const uris = redirects[id];
    if (!Array.isArray(uris) || !uris.length) fail(`redirectUris.${id} must be a non-empty array`);
    uris.forEach((u) => checkUrl(u, `redirectUris.${id}`));
    const logoutUris = postLogout[id] ?? uris;
    logoutUris.forEach((u) => checkUrl(u, `postLogoutRedirectUris.${id}`));
    return {
      id, uris, logoutUris, scope: String(clientScopes[id] ?? DOCTOR_SCOPES),
    };
  });

  if (!Array.isArray(config.systems)) fail('systems must be an array');
  const systems = config.systems.map((s, i) => {
    if (!s || typeof s.clientId !== 'string' || !/^[A-Za-z0-9._-]{1,64}$/.test(s.clientId)) {
      fail(`systems[${i}].clientId must be a plain identifier`);
    }
    if (PUBLIC_CLIENTS[s.clientId]) fail(`systems[${i}].clientId ${s.clientId} is a public client's`);
    if (typeof s.secret !== 'string' || s.secret.length < 16) fail(`systems[${i}].secret must be 16 or more characters`);
    const allowed = s.resources ?? resources;
    if (!Array.isArray(allowed) || allowed.some((r) => !resources.includes(r))) {
      fail(`systems[${i}].resources must be a list of configured resources`);
    }
    const authMethod = s.authMethod ?? 'client_secret_basic';
    if (!['client_secret_basic', 'client_secret_post'].includes(authMethod)) {
      fail(`systems[${i}].authMethod must be client_secret_basic or client_secret_post`);
    }
    return {
      id: s.clientId, secret: s.secret, resources: allowed, scope: String(s.scope ?? SYSTEM_SCOPES), authMethod,
    };
  });
  const ids = [...publicClients.map((c) => c.id), ...systems.map((s) => s.id)];
  if (new Set(ids).size !== ids.length) fail('client ids must be unique');

  const attempts = config.loginAttempts ?? {};
  return {
    port: config.port,
    resources,
    publicClients,
    systems,
    accounts: config.accounts,
    accessTokenTtl: positiveInt(config.accessTokenTtl, 'accessTokenTtl'),
    loginAttempts: {
      max: positiveInt(attempts.max ?? 5, 'loginAttempts.max'),
      windowMs: positiveInt(attempts.windowSeconds ?? 300, 'loginAttempts.windowSeconds') * 1000,
    },
  };
}

// oidc-provider refuses nothing about http for "web" clients using the code flow (only the
// implicit flow must use https), but it matches a web client's redirect URI exactly, port
// included. For "native" clients (RFC 8252) it ignores the port of loopback http redirect
// URIs (section 7.3), so one registered "http://127.0.0.1:8701/doctor/" also accepts the
// doctor app served by a gateway on any port, which tests with random ports need. A public
// client whose redirect URIs are all loopback http is therefore registered as native; one
// with any other URI is a web client (exact match). Native clients would also get a consent
// interaction at every authorization; that check is removed below (first-party clients).
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
function applicationType(uris) {
  return uris.every((u) => {
    const url = new URL(u);
    return url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
  }) ? 'native' : 'web';
}

async function readForm(ctx, limit = 8192) {
  if (!ctx.is('application/x-www-form-urlencoded')) {
    ctx.throw(415, 'expected a form (application/x-www-form-urlencoded)');
  }
  const chunks = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += chunk.length;
    if (size > limit) ctx.throw(413, 'form too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function sendPage(ctx, status, html) {
  ctx.status = status;
  ctx.type = 'html';
  ctx.set('Content-Security-Policy', PAGE_CSP);
  ctx.set('X-Frame-Options', 'DENY');
  ctx.set('Referrer-Policy', 'no-referrer');
  ctx.set('Cache-Control', 'no-store');
  ctx.body = html;
}

/** Builds the provider for `issuer` (keys, clients, accounts, policies). */
export async function createProvider(issuer, config) {
  const accounts = await createAccounts(config.accounts);
  const limiter = createAttemptLimiter(config.loginAttempts);

  // The signing key, new at every start (node:crypto rather than jose: the `jose` that
  // resolves from apps/ is fhirclient's copy, oidc-provider keeps its own).
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = {
    ...privateKey.export({ format: 'jwk' }), kid: `es256-${randomBytes(8).toString('hex')}`, alg: 'ES256', use: 'sig',
  };

  const resources = new Set(config.resources);
  // The configured resource SMART's `aud` names; a trailing slash does not matter.
  const resourceForAud = (aud) => (typeof aud === 'string'
    ? config.resources.find((r) => r.replace(/\/+$/, '') === aud.replace(/\/+$/, ''))
    : undefined);
  // A client's `scope` metadata may only name the provider's own (OpenID) scopes; the
  // gateway scopes a client may get are kept here and applied in getResourceServerInfo.
  const oidcScope = (scope) => {
    const own = scope.split(' ').filter((s) => OIDC_SCOPES.includes(s));
    return own.length ? { scope: own.join(' ') } : {};
  };
  const clientScope = new Map();
  const clientResources = new Map();
  const clients = [];
  for (const c of config.publicClients) {
    clientScope.set(c.id, new Set(c.scope.split(' ')));
    clientResources.set(c.id, config.resources);
    clients.push({
      client_id: c.id,
      client_name: PUBLIC_CLIENTS[c.id],
      application_type: applicationType([...c.uris, ...c.logoutUris]),
      redirect_uris: c.uris,
      post_logout_redirect_uris: c.logoutUris,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      ...oidcScope(c.scope),
    });
  }
  for (const s of config.systems) {
    clientScope.set(s.id, new Set(s.scope.split(' ')));
    clientResources.set(s.id, s.resources);
    clients.push({
      client_id: s.id,
      client_name: `Hospital information system ${s.id}`,
      client_secret: s.secret,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: s.authMethod,
      ...oidcScope(s.scope),
    });
  }
  const firstParty = new Set(clients.map((c) => c.client_id));
  const accessTokenTtlFor = (accountId) => accounts.get(accountId)?.accessTokenTtl ?? config.accessTokenTtl;

  // The consent prompt without the "native clients always need an interaction" check: every
  // client here is first party, and its consent is granted in the interaction (no page).
  const policy = interactionPolicy.base();
  policy.get('consent').checks.remove('native_client_prompt');

  const provider = new Provider(issuer, {
    clients,
    jwks: { keys: [jwk] },
    clientDefaults: { id_token_signed_response_alg: 'ES256' },
    cookies: { keys: [randomBytes(32).toString('base64url'), randomBytes(32).toString('base64url')] },
    scopes: OIDC_SCOPES,
    claims: { openid: ['sub', 'name', 'licence'] },
    // ID tokens carry name and licence even when an access token is issued too.
    conformIdTokenClaims: false,
    responseTypes: ['code'],
    pkce: { required: () => true },
    // Any origin may call the token endpoint (and the others with CORS) for these clients:
    // the doctor app runs in a browser on a gateway's origin or a dev server's.
    clientBasedCORS: () => true,
    // SMART apps (fhirclient) name the FHIR base in `aud` and send no `resource`. An `aud`
    // that is not a configured resource is refused, as SMART requires.
    extraParams: {
      aud(_ctx, value) {
        if (value !== undefined && !resourceForAud(value)) {
          throw new errors.InvalidTarget('aud is not a FHIR server this identity provider issues tokens for');
        }
      },
    },
    async findAccount(_ctx, sub) {
      const account = accounts.get(sub);
      if (!account) return undefined;
      return {
        accountId: account.id,
        async claims() {
          return {
            sub: account.id,
            name: account.name,
            ...(account.licence ? { licence: account.licence } : {}),
          };
        },
      };
    },
    async extraTokenClaims(_ctx, token) {
      const account = token.accountId ? accounts.get(token.accountId) : undefined;
      return account?.licence ? { licence: account.licence } : undefined;
    },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        // The resource of a request without `resource` (authorization or client_credentials):
        // SMART's `aud` when it names a configured resource, else the client's only resource
        // if it has just one. Otherwise the request is refused: without a resource
        // oidc-provider would issue an opaque token for its userinfo endpoint, which no
        // gateway accepts.
        async defaultResource(ctx, client, oneOf) {
          if (oneOf) return oneOf;
          const aud = resourceForAud(ctx.oidc.params?.aud);
          if (aud) return aud;
          const allowed = clientResources.get(client.clientId) ?? [];
          if (allowed.length === 1) return allowed[0];
          throw new errors.InvalidTarget('name the gateway: resource (or SMART aud) = its FHIR base URL');
        },
        // The token request need not repeat the resource of the authorization.
        async useGrantedResource() {
          return true;
        },
        async getResourceServerInfo(_ctx, indicator, client) {
          if (!resources.has(indicator) || !(clientResources.get(client.clientId) ?? []).includes(indicator)) {
            throw new errors.InvalidTarget('resource is not a gateway this client may get tokens for');
          }
          const allowed = clientScope.get(client.clientId) ?? new Set();
          return {
            audience: indicator,
            scope: RESOURCE_SCOPES.filter((s) => allowed.has(s)).join(' '),
            accessTokenFormat: 'jwt',
            accessTokenTTL: config.accessTokenTtl,
            jwt: { sign: { alg: 'ES256' } },
          };
        },
      },
      rpInitiatedLogout: {
        enabled: true,
        async logoutSource(ctx, form) {
          sendPage(ctx, 200, logoutPage({ form }));
        },
        async postLogoutSuccessSource(ctx) {
          sendPage(ctx, 200, loggedOutPage());
        },
      },
    },
    ttl: {
      AccessToken: (_ctx, token) => accessTokenTtlFor(token.accountId),
      ClientCredentials: () => config.accessTokenTtl,
      IdToken: () => config.accessTokenTtl,
      AuthorizationCode: 60,
      Interaction: 10 * 60,
      Session: 10 * 60 * 60,
      Grant: 10 * 60 * 60,
    },
    interactions: {
      policy,
      url: (_ctx, interaction) => `/interaction/${interaction.uid}`,
    },
    async renderError(ctx, out) {
      sendPage(ctx, ctx.status >= 400 ? ctx.status : 400, errorPage({
        heading: out.error, detail: out.error_description,
      }));
    },
  });

  provider.on('server_error', (_ctx, err) => {
    console.error(JSON.stringify({ event: 'server_error', error: String(err?.message ?? err) }));
  });

  // The interaction routes: the sign-in page (login prompt) and the consent, granted here
  // without a page for these first-party clients.
  provider.use(async (ctx, next) => {
    const match = /^\/interaction\/([A-Za-z0-9_-]{1,64})(?:\/(login|abort))?$/.exec(ctx.path);
    if (!match) return next();
    const [, uid, action] = match;
    const expected = action ? 'POST' : 'GET';
    if (ctx.method !== expected) {
      ctx.set('Allow', expected);
      sendPage(ctx, 405, errorPage({ heading: 'method not allowed' }));
      return undefined;
    }
    ctx.set('Cache-Control', 'no-store');
    let details;
    try {
      details = await provider.interactionDetails(ctx.req, ctx.res);
    } catch (err) {
      if (err instanceof errors.SessionNotFound) {
        sendPage(ctx, 400, errorPage({
          heading: 'This sign-in has expired or was already used. / การเข้าสู่ระบบนี้หมดอายุหรือถูกใช้ไปแล้ว',
        }));
        return undefined;
      }
      throw err;
    }
    if (details.uid !== uid) {
      sendPage(ctx, 400, errorPage({ heading: 'This sign-in does not match this browser. / การเข้าสู่ระบบนี้ไม่ตรงกับเบราว์เซอร์นี้' }));
      return undefined;
    }
    const { prompt, params } = details;
    const finish = async (result, merge) => {
      const returnTo = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: merge });
      ctx.redirect(returnTo);
      ctx.status = 303;
    };

    if (action === 'abort') {
      await finish({ error: 'access_denied', error_description: 'End-User aborted interaction' }, false);
      return undefined;
    }

    if (prompt.name === 'consent' && !action) {
      if (!firstParty.has(params.client_id)) {
        await finish({ error: 'access_denied', error_description: 'client is not first party' }, false);
        return undefined;
      }
      const { details: missing } = prompt;
      let grant = details.grantId ? await provider.Grant.find(details.grantId) : undefined;
      grant ||= new provider.Grant({ accountId: details.session.accountId, clientId: params.client_id });
      if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
      if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
      for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
        grant.addResourceScope(indicator, scopes.join(' '));
      }
      await finish({ consent: { grantId: await grant.save() } }, true);
      return undefined;
    }

    if (prompt.name !== 'login') {
      sendPage(ctx, 400, errorPage({ heading: `unexpected step ${prompt.name}` }));
      return undefined;
    }
    const client = await provider.Client.find(String(params.client_id));
    const show = (status, licence, error) => sendPage(ctx, status, loginPage({
      action: `/interaction/${uid}/login`,
      abortUrl: `/interaction/${uid}/abort`,
      client: client?.clientName ?? params.client_id,
      licence,
      error,
    }));
    if (!action) {
      show(200, typeof params.login_hint === 'string' ? normalizeLogin(params.login_hint).slice(0, 64) : '');
      return undefined;
    }

    const form = await readForm(ctx);
    const licence = normalizeLogin(form.get('licence')).slice(0, 64);
    const pin = form.get('pin') ?? '';
    const key = licence || '(empty)';
    const wait = limiter.retryAfter(key);
    if (wait > 0) {
      show(429, licence, tooManyAttempts(wait));
      return undefined;
    }
    const account = await accounts.verify(licence, pin);
    if (!account) {
      limiter.fail(key);
      show(401, licence, WRONG_CREDENTIALS);
      return undefined;
    }
    limiter.succeed(key);
    // remember: false makes the sign-in last until the browser closes (shared workstations).
    await finish({ login: { accountId: account.id, remember: false } }, false);
    return undefined;
  });

  return provider;
}

async function main() {
  const { values } = parseArgs({
    options: { port: { type: 'string' }, config: { type: 'string' } },
    strict: true,
  });
  const raw = values.config ? JSON.parse(await readFile(values.config, 'utf8')) : {};
  const config = resolveConfig(raw);
  const port = values.port !== undefined ? Number(values.port) : config.port;
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail('port must be 0 to 65535');

  const server = http.createServer();
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = await createProvider(issuer, config);
  delete config.accounts; // the PINs in clear: only their hashes are kept
  server.on('request', provider.callback());

  const discovery = await (await fetch(`${issuer}/.well-known/openid-configuration`)).json();
  process.stdout.write(`${JSON.stringify({
    event: 'ready',
    issuer: discovery.issuer,
    jwks_uri: discovery.jwks_uri,
    authorization_endpoint: discovery.authorization_endpoint,
    token_endpoint: discovery.token_endpoint,
  })}\n`);

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    server.close(() => process.exit(0));
    server.closeAllConnections();
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  main().catch((err) => {
    console.error(JSON.stringify({ event: 'fatal', error: String(err?.message ?? err) }));
    process.exit(1);
  });
}
