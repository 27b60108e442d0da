// A lying RPC node for the browser test (issue 33): a WebSocket JSON-RPC proxy in front of a
// real node. Until told to lie it passes everything through. Its lies (`lie(mode)`):
// - `drop`: hides the patient's pending consent requests (`state_call` of
//   `HealthApi_pending_requests` answers an empty list), rewrites the access-log head in their
//   consent record (`state_getStorage` of `Consent.Consents` answers the head before the newest
//   entry) and drops the newest entry from every `health_accessLog` page, adjusting the page's
//   head and count to match. This lie is consistent: an app that trusts the node sees a smaller
//   log that verifies against the (false) head.
// - `empty`: answers every `health_accessLog` page with no entries, its next cursor the cursor
//   asked with (a page that claims to continue where it started).
// - `renumber`: serves the true entries numbered two lower, with a count to match.
// It records every method it was asked, so the test can tell what a page read from the node
// and what it did not.
import { WebSocketServer, WebSocket } from 'ws';

/** Starts the proxy in front of `upstream` (a ws:// URL). `api` is an @polkadot/api connected
 * to the same chain, for the storage prefix and the record's SCALE type. Answers `{ url,
 * lie(mode), seen, forget(), close() }`: `lie` takes `drop`, `empty`, `renumber` or a false
 * value (honest); `seen` counts the methods asked since `forget()`. */
export async function startLyingNode(upstream, api) {
  const consentsPrefix = api.query.consent.consents.keyPrefix();
  const recordType = api.registry.createLookupType(api.query.consent.consents.creator.meta.type.asMap.value);
  let lying = null;
  const seen = new Map();
  const count = (method) => seen.set(method, (seen.get(method) ?? 0) + 1);

  /** The true newest entry of `healthId`'s access log (its index and previous head), or null
   * for an empty log, asked of the real node. */
  async function newest(healthId) {
    const page = await rpc(upstream, 'health_accessLog', [healthId, { limit: 1 }]);
    return page.entries[0] ? { count: page.count, prevHead: page.entries[0].prevHead } : null;
  }

  /** The answer to `request` (already answered upstream as `response`), as the liar gives it. */
  async function tamper(request, response) {
    if (!lying || !response || response.result === undefined || response.result === null) return response;
    const { method, params } = request;
    if (lying === 'empty' && method === 'health_accessLog') {
      return { ...response, result: { ...response.result, entries: [], nextCursor: params[1]?.cursor ?? response.result.head } };
    }
    if (lying === 'renumber' && method === 'health_accessLog') {
      const page = response.result;
      return { ...response, result: { ...page, count: page.count - 2, entries: page.entries.map((e) => ({ ...e, index: e.index - 2 })) } };
    }
    if (lying !== 'drop') return response;
    if (method === 'state_call' && params[0] === 'HealthApi_pending_requests') {
      return { ...response, result: '0x00' }; // SCALE: an empty list
    }
    if (method === 'state_getStorage' && String(params[0]).startsWith(consentsPrefix)) {
      const healthId = `0x${String(params[0]).slice(-64)}`;
      const last = await newest(healthId);
      if (!last) return response;
      const record = api.registry.createType(recordType, response.result).toJSON();
      record.accessLog = { count: last.count - 1, head: last.prevHead };
      return { ...response, result: api.registry.createType(recordType, record).toHex() };
    }
    if (method === 'health_accessLog') {
      const page = response.result;
      const drop = page.entries.find((e) => e.index === page.count - 1);
      if (!drop) return response;
      return {
        ...response,
        result: { ...page, count: page.count - 1, head: drop.prevHead, entries: page.entries.filter((e) => e !== drop) },
      };
    }
    return response;
  }

  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  server.on('connection', (client) => {
    const node = new WebSocket(upstream);
    const asked = new Map();
    const early = [];
    node.on('open', () => { for (const m of early.splice(0)) node.send(m); });
    client.on('message', (data) => {
      const text = data.toString();
      try {
        const request = JSON.parse(text);
        if (request.id !== undefined) asked.set(request.id, request);
        count(request.method);
      } catch {
        // Not JSON: passed on as it is, the node answers the error.
      }
      if (node.readyState === WebSocket.OPEN) node.send(text); else early.push(text);
    });
    node.on('message', async (data) => {
      const response = JSON.parse(data.toString());
      const request = response.id !== undefined ? asked.get(response.id) : undefined;
      if (request) asked.delete(response.id);
      const answer = request ? await tamper(request, response) : response;
      if (client.readyState === WebSocket.OPEN) client.send(JSON.stringify(answer));
    });
    client.on('close', () => node.close());
    client.on('error', () => node.close());
    node.on('close', () => client.close());
    node.on('error', () => client.close());
  });
  await new Promise((ok) => server.on('listening', ok));
  return {
    url: `ws://127.0.0.1:${server.address().port}`,
    lie(mode) { lying = mode || null; },
    seen,
    forget() { seen.clear(); },
    close() { for (const c of server.clients) c.terminate(); server.close(); },
  };
}

/** One JSON-RPC call over a fresh WebSocket. */
function rpc(url, method, params) {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.on('open', () => socket.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method, params })));
    socket.on('message', (data) => {
      const r = JSON.parse(data.toString());
      socket.close();
      if (r.error) reject(new Error(r.error.message)); else resolve(r.result);
    });
    socket.on('error', reject);
  });
}
