// apps/tools/light-spec.mjs: the light client's chain spec keeps the raw genesis and takes only
// WebSocket boot nodes; anything else is refused with a usage line, and nothing is written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const tool = new URL('./light-spec.mjs', import.meta.url).pathname;
const peer = '12D3KooWSuTq6MG9gPt7qZqLFKkYrfxMewTZhj9nmRHJkPwzWDG2';
const raw = JSON.stringify({ id: 'x', bootNodes: ['/ip4/10.0.0.1/tcp/30333/p2p/old'], genesis: { raw: { top: {} } } });
const run = (args, input) => spawnSync(process.execPath, [tool, ...args], { input, encoding: 'utf8' });

test('the boot nodes are replaced by the WebSocket addresses given, the genesis kept', () => {
  const ws = `/ip4/127.0.0.1/tcp/30344/ws/p2p/${peer}`;
  const wss = `/dns/p2p.example/tcp/443/wss/p2p/${peer}`;
  const out = run([ws, wss], raw);
  assert.equal(out.status, 0, out.stderr);
  const spec = JSON.parse(out.stdout);
  assert.deepEqual(spec.bootNodes, [ws, wss]);
  assert.deepEqual(spec.genesis, { raw: { top: {} } });
});

test('a TCP address (a browser cannot dial it) is refused', () => {
  const out = run([`/ip4/127.0.0.1/tcp/30333/p2p/${peer}`], raw);
  assert.equal(out.status, 2);
  assert.match(out.stderr, /usage/);
  assert.equal(out.stdout, '');
});

test('a chain spec that is not raw is refused', () => {
  const out = run([`/ip4/127.0.0.1/tcp/30344/ws/p2p/${peer}`], JSON.stringify({ id: 'x', genesis: { runtimeGenesis: {} } }));
  assert.equal(out.status, 2);
  assert.match(out.stderr, /not raw/);
});
