// Which node the apps talk to. The endpoint comes from the app's own configuration,
// `config.json` served next to the pages (`{"rpc": "wss://…", "light": {"chainSpec":
// "chain-spec.json"}}`; `ws://127.0.0.1:9944` when it is missing), or from an endpoint the
// user chose and confirmed earlier in this browser. With `light`, chain state comes from the
// light client started from that chain spec and the endpoint serves only log pages.
// A `?rpc=` in the address is only a request: the page shows it and asks before using it,
// keeps it only when the user accepts, and then drops it from the address. A link can
// therefore not silently point the patient's wallet at another network.

/** The endpoint when the configuration names none. */
export const DEFAULT_RPC = 'ws://127.0.0.1:9944';

const KEPT = 'healthchain.rpc';

/** Whether `url` is a WebSocket URL (`ws://` or `wss://`). */
export function isWsUrl(url) {
  try {
    const u = new URL(url);
    return (u.protocol === 'ws:' || u.protocol === 'wss:') && u.host !== '';
  } catch {
    return false;
  }
}

let config = null;

/** The app's configuration (`../config.json` from the page), `{}` when none is served. */
export async function appConfig() {
  if (!config) {
    config = (async () => {
      try {
        const answer = await fetch(new URL('../config.json', location.href), { cache: 'no-store' });
        if (answer.ok) return (await answer.json()) ?? {};
      } catch {
        // No configuration served.
      }
      return {};
    })();
  }
  return config;
}

/** The endpoint of the app's configuration, or the default when it is missing or names no
 * WebSocket URL. */
export async function configuredEndpoint() {
  const c = await appConfig();
  return isWsUrl(c?.rpc) ? c.rpc : DEFAULT_RPC;
}

/** How long the configuration lets the light client take to be ready (`light.patienceSeconds`)
 * before the page falls back to the RPC node, in milliseconds; `undefined` for the default. */
export async function configuredPatience() {
  const seconds = (await appConfig())?.light?.patienceSeconds;
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined;
}

/** The chain spec the app ships for its light client (`light.chainSpec` in the
 * configuration: an address relative to the configuration), as text; null when the
 * configuration names none (the app then reads through the RPC node alone, unverified) or
 * it cannot be fetched. */
export async function configuredChainSpec() {
  const c = await appConfig();
  const name = c?.light?.chainSpec;
  if (typeof name !== 'string' || name === '') return null;
  try {
    const answer = await fetch(new URL(name, new URL('../config.json', location.href)), { cache: 'no-store' });
    return answer.ok ? await answer.text() : null;
  } catch {
    return null;
  }
}

/** The endpoint the user chose and confirmed earlier in this browser, if any. */
export function keptEndpoint() {
  const kept = localStorage.getItem(KEPT);
  return kept && isWsUrl(kept) ? kept : null;
}

/** Forgets the endpoint the user chose: the configuration's applies again. */
export const forgetEndpoint = () => localStorage.removeItem(KEPT);

/** Removes `?rpc=` from the address bar (other parameters stay), so that a reload does not
 * ask again. */
function dropAsked() {
  const url = new URL(location.href);
  if (!url.searchParams.has('rpc')) return;
  url.searchParams.delete('rpc');
  history.replaceState(history.state, '', url);
}

let answer = null;

/** Answers the pending question (see `chooseEndpoint`): `true` uses and keeps the endpoint
 * of the link, `false` keeps the current one. */
export function answerEndpoint(accept) {
  const f = answer;
  answer = null;
  if (f) f(accept);
}

/** Decides the endpoint and fills `state.url` and `state.endpointSource` (`config` or
 * `kept`). When the address carries a `?rpc=` other than the current endpoint, sets
 * `state.connection = 'asking'` and `state.asked`, calls `render()` and waits for
 * `answerEndpoint`; an address that is not a WebSocket URL is ignored
 * (`state.askedInvalid`). */
export async function chooseEndpoint(state, render) {
  const configured = await configuredEndpoint();
  const kept = keptEndpoint();
  state.configured = configured;
  state.url = kept ?? configured;
  state.endpointSource = kept ? 'kept' : 'config';
  const asked = new URLSearchParams(location.search).get('rpc');
  if (asked && asked !== state.url) {
    if (!isWsUrl(asked)) {
      state.askedInvalid = asked;
    } else {
      state.connection = 'asking';
      state.asked = asked;
      render();
      const accepted = await new Promise((resolve) => { answer = resolve; });
      state.asked = null;
      state.connection = 'connecting';
      if (accepted && asked === configured) {
        forgetEndpoint();
        state.url = configured;
        state.endpointSource = 'config';
      } else if (accepted) {
        localStorage.setItem(KEPT, asked);
        state.url = asked;
        state.endpointSource = 'kept';
      }
    }
  }
  dropAsked();
  render();
}
