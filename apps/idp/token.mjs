#!/usr/bin/env node
// An access token from the development identity provider (server.mjs), without a browser, for
// the README walkthrough and scripts. It prints ONLY the access token (and a newline) on
// stdout, so TOKEN=$(node apps/idp/token.mjs …) works; a refusal or failure is one sentence on
// stderr and exit status 1. The PIN and the secret are never printed.
//
//   node apps/idp/token.mjs doctor --issuer http://127.0.0.1:8790 --resource http://127.0.0.1:8702/fhir \
//       --licence MD10002 --pin 2222 [--client doctor-app] [--redirect-uri http://127.0.0.1:8702/doctor/] [--scope "…"]
//     A demo doctor signs in through the real authorization code + PKCE flow (flow.mjs).
//   node apps/idp/token.mjs system --issuer http://127.0.0.1:8790 --resource http://127.0.0.1:8702/fhir \
//       --client his-H0001 [--secret his-H0001-development-secret] [--scope "records.write patients.identify gateway.status"]
//     A hospital system's token (client_credentials, client_secret_basic).
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

import {
  DOCTOR_SCOPE, FlowError, signIn, SYSTEM_SCOPE, systemToken,
} from './flow.mjs';

const DEFAULT_ISSUER = 'http://127.0.0.1:8790';
// Where a gateway serves each public client's app (server.mjs registers them on loopback, where
// any port matches): the default redirect URI is that path on the resource's origin.
const APP_PATHS = { 'doctor-app': '/doctor/', 'smart-test': '/smart-test/' };
const DEFAULT_APP_ORIGIN = 'http://127.0.0.1:8701';

export const USAGE = `Usage:
  node apps/idp/token.mjs doctor [--issuer URL] --resource FHIR_BASE --licence LICENCE --pin PIN
                                 [--client doctor-app] [--redirect-uri URI] [--scope SCOPES]
  node apps/idp/token.mjs system [--issuer URL] --resource FHIR_BASE --client CLIENT_ID
                                 [--secret SECRET] [--scope SCOPES]
Prints the access token (only) on stdout; errors go to stderr, with exit status 1.
  --issuer        the identity provider (default ${DEFAULT_ISSUER})
  --resource      the gateway's FHIR base URL, the token's audience (e.g. http://127.0.0.1:8702/fhir)
  --licence/--pin a demo doctor's sign-in (apps/idp/accounts.mjs)
  --client        doctor: the public client (default doctor-app); system: the hospital system's client id
  --redirect-uri  doctor: a redirect URI registered for the client (default: /doctor/ on the resource's origin)
  --secret        system: the client secret (default CLIENT_ID-development-secret)
  --scope         the scopes asked for (doctor default "${DOCTOR_SCOPE}";
                  system default "${SYSTEM_SCOPE}")
`;

const OPTIONS = {
  issuer: { type: 'string' },
  resource: { type: 'string' },
  licence: { type: 'string' },
  pin: { type: 'string' },
  client: { type: 'string' },
  'redirect-uri': { type: 'string' },
  secret: { type: 'string' },
  scope: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};
const ONLY = { doctor: ['licence', 'pin', 'redirect-uri'], system: ['secret'] };

class UsageError extends Error {}

function parse(argv) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    // Name the option, never echo a value (it could be the PIN).
    const option = /'(-[^' ]*)/.exec(err.message)?.[1];
    if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new UsageError(`unknown option ${option ?? ''}`.trim());
    if (err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') throw new UsageError(`option ${option ?? ''} needs a value`.replace('  ', ' '));
    throw new UsageError('the arguments could not be read');
  }
  const { values, positionals } = parsed;
  if (values.help) return { help: true };
  const [command, ...extra] = positionals;
  if (!command) throw new UsageError('name the subcommand, doctor or system');
  if (!ONLY[command]) throw new UsageError(`unknown subcommand ${JSON.stringify(command)} (doctor or system)`);
  if (extra.length) throw new UsageError(`${extra.length} unexpected argument${extra.length > 1 ? 's' : ''} after "${command}" (every value follows its --option)`);
  for (const [other, names] of Object.entries(ONLY)) {
    if (other === command) continue;
    for (const name of names) {
      if (values[name] !== undefined) throw new UsageError(`--${name} is for the ${other} subcommand, not ${command}`);
    }
  }
  for (const [name, value] of Object.entries(values)) {
    if (typeof value === 'string' && !value.trim()) throw new UsageError(`--${name} is empty`);
  }
  return { command, values };
}

function redirectUriFor(clientId, resource) {
  const path = APP_PATHS[clientId];
  if (!path) throw new UsageError(`name a redirect URI registered for client ${clientId} with --redirect-uri`);
  const origin = resource ? URL.parse(resource)?.origin : DEFAULT_APP_ORIGIN;
  if (!origin || origin === 'null') throw new UsageError(`--resource ${JSON.stringify(resource)} is not a URL`);
  return `${origin}${path}`;
}

/** The access token for `argv` (the arguments after the script); throws UsageError or FlowError. */
export async function token(argv) {
  const { help, command, values } = parse(argv);
  if (help) return { help: true };
  const issuer = values.issuer ?? DEFAULT_ISSUER;
  const { resource } = values;
  if (command === 'doctor') {
    if (values.licence === undefined) throw new UsageError('name the doctor with --licence');
    if (values.pin === undefined) throw new UsageError('give the doctor\'s PIN with --pin');
    const clientId = values.client ?? 'doctor-app';
    const { body } = await signIn({
      issuer,
      resource,
      licence: values.licence,
      pin: values.pin,
      clientId,
      redirectUri: values['redirect-uri'] ?? redirectUriFor(clientId, resource),
      scope: values.scope ?? DOCTOR_SCOPE,
    });
    return { accessToken: body.access_token };
  }
  if (values.client === undefined) throw new UsageError('name the hospital system with --client');
  const { body } = await systemToken({
    issuer,
    resource,
    clientId: values.client,
    secret: values.secret ?? `${values.client}-development-secret`,
    scope: values.scope ?? SYSTEM_SCOPE,
  });
  return { accessToken: body.access_token };
}

const argvHas = (name) => process.argv.slice(2).some((a) => a === name || a.startsWith(`${name}=`));

async function main() {
  try {
    const result = await token(process.argv.slice(2));
    if (result.help) {
      process.stdout.write(USAGE);
      return;
    }
    process.stdout.write(`${result.accessToken}\n`);
  } catch (err) {
    let sentence;
    if (err instanceof UsageError) {
      sentence = `${err.message[0].toUpperCase()}${err.message.slice(1)}; see node apps/idp/token.mjs --help.`;
    } else if (err instanceof FlowError) {
      sentence = err.message;
      if (err.code === 'invalid_redirect_uri') sentence = sentence.replace(/\.$/, '; give a registered one with --redirect-uri.');
      if (err.code === 'invalid_target' && !argvHas('--resource')) sentence = sentence.replace(/\.$/, '; give it with --resource.');
    } else {
      sentence = `Unexpected failure: ${String(err?.message ?? err).split('\n')[0]}.`;
    }
    process.stderr.write(`token.mjs: ${sentence}\n`);
    process.exitCode = 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  await main();
}
