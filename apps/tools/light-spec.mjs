// The chain spec the apps' light client starts from: a node's raw chain spec (standard
// input, from `healthchain-node build-spec --chain <chain> --raw`) with its boot nodes
// replaced by the public nodes' WebSocket multiaddresses given as arguments (a light client in
// a browser can dial nothing else). Writes the result to standard output.
//
//   healthchain-node build-spec --chain dev --raw | node tools/light-spec.mjs /ip4/…/ws/p2p/… > spec.json
import { text } from 'node:stream/consumers';

const bootNodes = process.argv.slice(2);
if (bootNodes.length === 0 || bootNodes.some((a) => !/\/(ws|wss)\/p2p\/\w+$/.test(a))) {
  console.error('usage: node tools/light-spec.mjs <multiaddr ending in /ws/p2p/<peer id>>... < raw-spec.json');
  process.exit(2);
}
const spec = JSON.parse(await text(process.stdin));
if (!spec.genesis?.raw) {
  console.error('the chain spec on standard input is not raw (build-spec --raw)');
  process.exit(2);
}
spec.bootNodes = bootNodes;
process.stdout.write(JSON.stringify(spec));
