// The log verification, run in the browser: `healthchain-log-chain`'s `verify_served_page`
// compiled to wasm (apps/verifier, built by scripts/common.sh into log-verifier.wasm). This
// file only lays a served page out in the module's input format; the rule is the Rust one.
import { hexToU8a } from '@polkadot/util';

let module = null;

async function verifier() {
  if (!module) {
    // Both apps live one folder below the site's root, where the build puts the module.
    const url = new URL('../log-verifier.wasm', document.baseURI);
    const { instance } = await WebAssembly.instantiateStreaming(fetch(url), {});
    module = instance.exports;
  }
  return module;
}

function layout(expected, page) {
  const parts = [];
  const u64 = (n) => { const b = new Uint8Array(8); new DataView(b.buffer).setBigUint64(0, BigInt(n), true); return b; };
  const u32 = (n) => { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, n, true); return b; };
  parts.push(hexToU8a(expected), hexToU8a(page.head), u64(page.count));
  parts.push(Uint8Array.of(page.nextCursor ? 1 : 0), page.nextCursor ? hexToU8a(page.nextCursor) : new Uint8Array(32));
  parts.push(u32(page.entries.length));
  for (const e of page.entries) {
    const bytes = hexToU8a(e.encoded);
    parts.push(u64(e.index), hexToU8a(e.prevHead), hexToU8a(e.head), u32(bytes.length), bytes);
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

/** Verifies a served page with the module's exports `m` (an instance of
 * log-verifier.wasm) against `expected` (the on-chain head for a first page, the cursor
 * asked with for later ones). Answers `{ verdict, index }`: verdict 0 is verified, 1 to 5
 * name the failure (see `Verdict` in apps/verifier), `index` the entry at fault. */
export function verifyWith(m, expected, page) {
  const input = layout(expected, page);
  if (input.length > m.buffer_len()) return { verdict: 5, index: null };
  new Uint8Array(m.memory.buffer, m.buffer(), input.length).set(input);
  const verdict = m.verify(input.length);
  const index = verdict >= 1 && verdict <= 3
    ? Number(new DataView(m.memory.buffer, m.buffer(), 8).getBigUint64(0, true))
    : null;
  return { verdict, index };
}

/** `verifyWith` the module this page loads. */
export async function verifyPage(expected, page) {
  return verifyWith(await verifier(), expected, page);
}
