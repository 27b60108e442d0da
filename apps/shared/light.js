// The light client both apps embed: smoldot (npm `smoldot`) runs in the page, connects to the
// network's public nodes over libp2p (WebSocket), follows the chain by checking every header's
// Aura seal and GRANDPA's finality proofs itself, and answers JSON-RPC by asking peers for
// Merkle proofs that it checks against the state root of a header it verified. No RPC node is
// trusted for what it answers. @polkadot/api talks to it through its own ScProvider, handed a
// small `@substrate/connect`-shaped adapter around the smoldot package it pins.
//
// The chain spec is the one the app ships (`config.json`'s `light.chainSpec`). smoldot can
// start from a checkpoint only for BABE chains (a chain spec's `lightSyncState`); this chain
// runs Aura, so it starts from genesis and warp-syncs: one GRANDPA proof per change of the
// validator set, not one header per block (scripts/light-bench measures it). Nothing is kept
// between visits: smoldot's database (runtime code, known peers) would be trusted input kept
// in the browser, and it did not make a start faster where measured (docs/PERFORMANCE.md).
import * as smoldot from 'smoldot';
import { ScProvider } from '@polkadot/rpc-provider/substrate-connect';

/** A started light client for `chainSpec` (the raw chain spec as text): `{ provider, stop }`.
 * `provider` is an @polkadot/api provider; `stop()` ends the client. `log(level, target,
 * message)` receives smoldot's warnings and errors. */
export function startLightClient(chainSpec, { log = () => {} } = {}) {
  const client = smoldot.start({ maxLogLevel: 3, logCallback: log });
  // The shape ScProvider expects of `@substrate/connect`: a client whose `addChain` answers a
  // chain with `sendJsonRpc` and `remove`, responses going to `callback`.
  const connect = {
    WellKnownChain: {},
    createScClient: () => ({
      addWellKnownChain: () => Promise.reject(new Error('no well-known chains here')),
      addChain: async (text, callback) => {
        const chain = await client.addChain({ chainSpec: text });
        (async () => {
          for (;;) {
            let response;
            try {
              response = await chain.nextJsonRpcResponse();
            } catch {
              return; // the chain was removed
            }
            callback(response);
          }
        })();
        return { sendJsonRpc: (request) => chain.sendJsonRpc(request), remove: () => chain.remove() };
      },
    }),
  };
  const provider = new ScProvider(connect, chainSpec);
  return {
    provider,
    async stop() {
      try { await provider.disconnect(); } catch { /* already gone */ }
      client.terminate().catch(() => {});
    },
  };
}
