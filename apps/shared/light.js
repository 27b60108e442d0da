// The light client both apps embed: smoldot (npm `smoldot`) runs in the page, connects to the
// network's public nodes over libp2p (WebSocket), follows the chain by checking every header's
// Aura seal and GRANDPA's finality proofs itself, and answers JSON-RPC by asking peers for
// Merkle proofs that it checks against the state root of a header it verified. No RPC node is
// trusted for what it answers. @polkadot/api talks to it through its own ScProvider, handed a
// small `@substrate/connect`-shaped adapter so the saved database (below) can be passed in.
//
// The chain spec is the one the app ships (`config.json`'s `light.chainSpec`). smoldot can
// start from a checkpoint only for BABE chains (a chain spec's `lightSyncState`); this chain
// runs Aura, so it starts from genesis and warp-syncs: one GRANDPA proof per change of the
// validator set, not one header per block. What the page keeps between visits is smoldot's
// own database (the runtime code and the peers it knew), in this browser's storage for this
// origin, the same trust as the app and its chain spec; it saves downloading the runtime.
import * as smoldot from 'smoldot';
import { ScProvider } from '@polkadot/rpc-provider/substrate-connect';

/** The largest database kept (bytes of text); smoldot trims to fit. */
const DATABASE_LIMIT = 1_500_000;

const storage = () => (typeof localStorage === 'undefined' ? null : localStorage);
const databaseKey = (spec) => `healthchain.light.${spec.id}`;

/** A started light client for `chainSpec` (the raw chain spec as text): `{ provider, save,
 * stop }`. `provider` is an @polkadot/api provider; `save()` stores smoldot's database for
 * the next start; `stop()` ends the client. `log(level, target, message)` receives smoldot's
 * warnings and errors. */
export function startLightClient(chainSpec, { log = () => {}, database = true } = {}) {
  const spec = JSON.parse(chainSpec);
  const client = smoldot.start({ maxLogLevel: 3, logCallback: log });
  const saved = database ? storage()?.getItem(databaseKey(spec)) ?? undefined : undefined;
  // The shape ScProvider expects of `@substrate/connect`: a client whose `addChain` answers a
  // chain with `sendJsonRpc` and `remove`, responses going to `callback`.
  const connect = {
    WellKnownChain: {},
    createScClient: () => ({
      addWellKnownChain: () => Promise.reject(new Error('no well-known chains here')),
      addChain: async (text, callback) => {
        const chain = await client.addChain({ chainSpec: text, databaseContent: saved });
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
    async save() {
      if (!database || !storage()) return;
      try {
        const content = await provider.send('chainHead_unstable_finalizedDatabase', [DATABASE_LIMIT]);
        if (typeof content === 'string') storage().setItem(databaseKey(spec), content);
      } catch {
        // Not connected or storage full: the next start downloads the runtime again.
      }
    },
    async stop() {
      try { await provider.disconnect(); } catch { /* already gone */ }
      client.terminate().catch(() => {});
    },
  };
}
