// The light client's start-up time, memory and bandwidth (issue 33), printed as figures.
// Run by scripts/light-bench, which starts a network and its public node; by hand:
//
//   node --expose-gc tools/light-bench.mjs --spec raw-spec.json --public /ip4/127.0.0.1/tcp/30336/ws/p2p/<id> \
//        [--runs 5] [--health-id 0x…] [--rpc ws://127.0.0.1:9944]
//
// Each run starts smoldot (the npm package the apps embed) in this process, from the raw chain
// spec with the public node as its only boot node, reached through a TCP proxy that counts the
// bytes both ways, and times it until it is usable: a GRANDPA-finalized block above genesis is
// known and a storage read at it (the demo patient's consent record, or System.Number) has been
// answered with a proof smoldot checked. Runs go first without a database (a first visit),
// then with the database the previous run saved (`chainHead_unstable_finalizedDatabase`, what
// the apps keep in the browser). Memory is this process's resident set and the array-buffer
// smoldot's wasm memory and the process's resident set at that point (and its growth since the
// client started: compiled code and allocator slack included).
// Then the browser: headless Chromium opens the built patient app (apps/dist) with the same chain
// spec, the time until the page says it is verified by its light client, and the page's memory
// as Chromium measures it (`measureUserAgentSpecificMemory`) and its wasm memories; the same
// page without a light client (RPC alone) for comparison.
import { createServer, connect } from 'node:net';
import { createServer as createHttp } from 'node:http';
import { readFile, writeFile, mkdtemp } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as smoldot from 'smoldot';

const { values: args } = parseArgs({
  options: {
    spec: { type: 'string' },
    public: { type: 'string' },
    runs: { type: 'string', default: '5' },
    'health-id': { type: 'string' },
    rpc: { type: 'string', default: 'ws://127.0.0.1:9944' },
    chromium: { type: 'string', default: process.env.HEALTHCHAIN_CHROMIUM ?? '/usr/bin/chromium' },
    child: { type: 'string' },
    database: { type: 'string' },
  },
});
if (!args.spec || !args.public) {
  console.error('usage: node --expose-gc tools/light-bench.mjs --spec raw-spec.json --public <ws multiaddr> [--runs N]');
  process.exit(2);
}
const runs = Number(args.runs);
const raw = JSON.parse(await readFile(args.spec, 'utf8'));
const [, , host, , port, , , peer] = args.public.split('/');

// ---------------------------------------------------------------- a byte-counting TCP proxy
const counted = { down: 0, up: 0 };
const proxy = createServer((client) => {
  const node = connect(Number(port), host);
  client.on('data', (b) => { counted.up += b.length; node.write(b); });
  node.on('data', (b) => { counted.down += b.length; client.write(b); });
  client.on('close', () => node.destroy());
  node.on('close', () => client.destroy());
  client.on('error', () => node.destroy());
  node.on('error', () => client.destroy());
});
await new Promise((ok) => proxy.listen(0, '127.0.0.1', ok));
const spec = JSON.stringify({ ...raw, bootNodes: [`/ip4/127.0.0.1/tcp/${proxy.address().port}/ws/p2p/${peer}`] });

// The storage key read once usable: the demo patient's consent record, or System.Number.
const SYSTEM_NUMBER = '0x26aa394eea5630e07c48ae0c9558cef702a5c1b19ab7a04f536c519aca4983ac';

/** One light-client start: `{ ms, rssMb, buffersMb, downKb, upKb, database }`. */
async function once(databaseContent) {
  // smoldot's own wasm memory: its instance's `memory`, caught as smoldot instantiates it.
  const memories = [];
  const instantiate = WebAssembly.instantiate;
  WebAssembly.instantiate = async (...a) => {
    const made = await instantiate.apply(WebAssembly, a);
    const instance = made.instance ?? made;
    if (instance.exports?.memory) memories.push(instance.exports.memory);
    return made;
  };
  globalThis.gc?.();
  const before = process.memoryUsage();
  counted.down = 0;
  counted.up = 0;
  const t0 = performance.now();
  const client = smoldot.start({ maxLogLevel: Number(process.env.LIGHT_LOG ?? 1) });
  const chain = await client.addChain({ chainSpec: spec, databaseContent });
  let id = 0;
  const waiting = new Map();
  (async () => {
    for (;;) {
      let r;
      try { r = JSON.parse(await chain.nextJsonRpcResponse()); } catch { return; }
      waiting.get(r.id)?.(r);
      waiting.delete(r.id);
    }
  })();
  const call = (method, params = []) => new Promise((ok) => {
    id += 1;
    waiting.set(id, ok);
    chain.sendJsonRpc(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
  });
  let usable = null;
  for (let attempt = 0; attempt < 600 && !usable; attempt += 1) {
    const fin = await call('chain_getFinalizedHead');
    const header = fin.result ? await call('chain_getHeader', [fin.result]) : null;
    if (header?.result && parseInt(header.result.number, 16) > 0) {
      const read = await call('state_getStorage', [SYSTEM_NUMBER, fin.result]);
      if (read.result) usable = { block: parseInt(header.result.number, 16), hash: fin.result };
    }
    if (!usable) await new Promise((r) => setTimeout(r, 50));
  }
  if (!usable) throw new Error('the light client was not usable after 30 s');
  const ms = performance.now() - t0;
  const after = process.memoryUsage();
  const traffic = { down: counted.down, up: counted.up };
  const database = (await call('chainHead_unstable_finalizedDatabase', [1_500_000])).result;
  chain.remove();
  await client.terminate();
  const wasmMb = memories.reduce((n, m) => n + m.buffer.byteLength, 0) / 2 ** 20;
  return {
    ms,
    block: usable.block,
    wasmMb,
    rssMb: (after.rss - before.rss) / 2 ** 20,
    totalRssMb: after.rss / 2 ** 20,
    downKb: traffic.down / 1024,
    upKb: traffic.up / 1024,
    database,
  };
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0], median: s[Math.floor(s.length / 2)], max: s[s.length - 1] };
};
const line = (name, xs, unit, digits = 0) => {
  const { min, median, max } = stats(xs);
  console.log(`  ${name.padEnd(34)} min ${min.toFixed(digits)}  median ${median.toFixed(digits)}  max ${max.toFixed(digits)} ${unit}`);
};

// One start a process: the memory a start takes is then the process's own, not what an earlier
// start left to the garbage collector. A child runs `once` and answers JSON on stdout.
if (args.child) {
  const databaseContent = args.database ? await readFile(args.database, 'utf8') : undefined;
  const result = await once(databaseContent);
  if (args.child !== '-') await writeFile(args.child, result.database ?? '');
  delete result.database;
  process.stdout.write(JSON.stringify(result));
  proxy.close();
  process.exit(0);
}

/** `once` in a fresh Node.js process (this script with `--child`). */
function inChild(databaseFile, saveTo) {
  const argv = ['--expose-gc', import.meta.filename, '--spec', args.spec, '--public', args.public, '--child', saveTo];
  if (databaseFile) argv.push('--database', databaseFile);
  const out = execFileSync(process.execPath, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return JSON.parse(out);
}

const smoldotVersion = JSON.parse(await readFile(resolve(import.meta.dirname, '../node_modules/smoldot/package.json'), 'utf8')).version;
console.log(`light client: smoldot ${smoldotVersion}, chain ${raw.id}, ${runs} runs each`);
const scratch = await mkdtemp(join(tmpdir(), 'light-bench-'));
const saved = join(scratch, 'database.txt');
for (const withDatabase of [false, true]) {
  const results = [];
  for (let r = 0; r < runs; r += 1) results.push(inChild(withDatabase ? saved : null, saved));
  console.log(withDatabase
    ? "with smoldot's database saved by the previous start (runtime code, known peers; the apps keep none):"
    : 'from the chain spec alone (what the apps do on every visit):');
  line('usable (finalized block, proven read)', results.map((x) => x.ms), 'ms');
  line('memory: smoldot wasm memory', results.map((x) => x.wasmMb), 'MiB', 1);
  line('memory: resident set growth', results.map((x) => x.rssMb), 'MiB', 1);
  line('memory: whole process resident set', results.map((x) => x.totalRssMb), 'MiB', 1);
  line('bandwidth: received', results.map((x) => x.downKb), 'KiB');
  line('bandwidth: sent', results.map((x) => x.upKb), 'KiB');
  console.log(`  finalized block reached: #${results[results.length - 1].block}; database saved: ${((await readFile(saved, 'utf8')).length / 1024) | 0} KiB`);
}

// ---------------------------------------------------------------- the patient app in Chromium
const { chromium } = await import('playwright-core');
const dist = resolve(import.meta.dirname, '..', 'dist');
const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm', '.json': 'application/json' };
let light = true;
const site = createHttp(async (req, res) => {
  // Cross-origin isolated, so the page may measure its own memory (wasm included).
  const headers = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };
  const path = new URL(req.url, 'http://x').pathname;
  if (path === '/config.json') {
    res.writeHead(200, headers).end(JSON.stringify(light ? { rpc: args.rpc, light: { chainSpec: 'chain-spec.json' } } : { rpc: args.rpc }));
    return;
  }
  if (path === '/chain-spec.json') { res.writeHead(200, headers).end(spec); return; }
  let file = join(dist, path);
  if (path.endsWith('/')) file = join(file, 'index.html');
  let body;
  try { body = await readFile(file); } catch { res.writeHead(404).end(); return; }
  res.writeHead(200, { ...headers, 'content-type': types[extname(file)] ?? 'application/octet-stream' }).end(body);
});
await new Promise((ok) => site.listen(0, '127.0.0.1', ok));
const browser = await chromium.launch({
  executablePath: args.chromium,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--enable-blink-features=ForceEagerMeasureMemory'],
});

/** Opens the patient app in a fresh context: the time until `ready` shows, and the page's
 * memory as Chromium measures it (`performance.measureUserAgentSpecificMemory`: JS and wasm). */
async function visit(ready) {
  const context = await browser.newContext();
  const page = await context.newPage();
  // Every wasm memory the page instantiates (smoldot's, and the 1-page log verifier's).
  await page.addInitScript(() => {
    window.wasmMemories = [];
    const instantiate = WebAssembly.instantiate;
    WebAssembly.instantiate = async (...a) => {
      const made = await instantiate.apply(WebAssembly, a);
      const instance = made.instance ?? made;
      if (instance.exports?.memory) window.wasmMemories.push(instance.exports.memory);
      return made;
    };
  });
  const t0 = performance.now();
  await page.goto(`http://127.0.0.1:${site.address().port}/patient/`);
  await page.getByTestId(ready).waitFor({ timeout: 60_000 });
  const ms = performance.now() - t0;
  const { bytes, wasm } = await page.evaluate(async () => ({
    bytes: (await performance.measureUserAgentSpecificMemory()).bytes,
    wasm: window.wasmMemories.reduce((n, m) => n + m.buffer.byteLength, 0),
  }));
  await context.close();
  return { ms, mb: bytes / 2 ** 20, wasmMb: wasm / 2 ** 20 };
}

const withLight = [];
const without = [];
for (let r = 0; r < runs; r += 1) {
  light = true;
  withLight.push(await visit('trust-light'));
  light = false;
  without.push(await visit('trust-unverified'));
}
console.log('the patient app in headless Chromium (a first visit each time):');
line('usable through the light client', withLight.map((x) => x.ms), 'ms');
line('usable through the RPC node alone', without.map((x) => x.ms), 'ms');
line('page memory with the light client (JS, DOM)', withLight.map((x) => x.mb), 'MiB', 1);
line('page memory without it', without.map((x) => x.mb), 'MiB', 1);
line('wasm memories with the light client', withLight.map((x) => x.wasmMb), 'MiB', 1);
line('wasm memories without it', without.map((x) => x.wasmMb), 'MiB', 1);
const median = (xs) => stats(xs).median;
// Chromium's measure leaves wasm memories out: the light client's share is both differences.
const js = median(withLight.map((x) => x.mb)) - median(without.map((x) => x.mb));
const wasm = median(withLight.map((x) => x.wasmMb)) - median(without.map((x) => x.wasmMb));
console.log(`  the light client's share of the page's memory (medians): ${js.toFixed(1)} MiB of JavaScript and DOM + ${wasm.toFixed(1)} MiB of wasm = ${(js + wasm).toFixed(1)} MiB`);
await browser.close();
site.close();
proxy.close();
process.exit(0);
