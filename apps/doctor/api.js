// The gateway's local API (JSON-RPC 2.0 over HTTP POST, `Authorization: Bearer <access
// token>`). Every refusal becomes a `GatewayError` with the contract's code; `errors.js`
// turns it into a sentence. A 401 (code 4001) or a token past its expiry calls
// `onUnauthenticated` (the app drops the token and shows the sign-in screen).

/** A refusal of the gateway: `code` (the contract's, or `0` when the gateway could not be
 * reached) and its `message` (the gateway's words, for the detail line only). */
export class GatewayError extends Error {
  constructor(code, message, status = null) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

/** Codes this client uses itself. */
export const UNREACHABLE = 0;
export const UNAUTHENTICATED = 4001;

/** The FHIR base of a gateway (the token's audience): `<url>/fhir`. */
export const fhirBase = (url) => `${String(url).replace(/\/+$/, '')}/fhir`;

let nextId = 1;

/** A client of the gateway at `url`. `token()` answers the current access token or null
 * (no session, or expired); `onUnauthenticated(error)` is told when the gateway (or the
 * expiry) ends the session. `abort()` cancels the calls in flight (sign-out). */
export function gatewayClient(url, { token, onUnauthenticated = () => {} }) {
  let controller = new AbortController();
  async function call(method, params = []) {
    const bearer = token();
    if (!bearer) {
      const e = new GatewayError(UNAUTHENTICATED, 'token expired');
      onUnauthenticated(e);
      throw e;
    }
    let answer;
    try {
      answer = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` },
        body: JSON.stringify({ jsonrpc: '2.0', id: nextId++, method, params }),
        signal: controller.signal,
        cache: 'no-store',
      });
    } catch (e) {
      if (e?.name === 'AbortError') throw new GatewayError(UNREACHABLE, 'aborted');
      throw new GatewayError(UNREACHABLE, String(e?.message ?? e));
    }
    let body = null;
    try {
      body = await answer.json();
    } catch {
      body = null;
    }
    if (answer.status === 401 || body?.error?.code === UNAUTHENTICATED) {
      const e = new GatewayError(UNAUTHENTICATED, body?.error?.message ?? 'unauthenticated', answer.status);
      onUnauthenticated(e);
      throw e;
    }
    if (body?.error) throw new GatewayError(body.error.code, String(body.error.message ?? ''), answer.status);
    if (!answer.ok || !body || !('result' in body)) {
      throw new GatewayError(UNREACHABLE, `HTTP ${answer.status}`, answer.status);
    }
    return body.result;
  }
  return {
    url,
    call,
    abort() {
      controller.abort();
      controller = new AbortController();
    },
  };
}
