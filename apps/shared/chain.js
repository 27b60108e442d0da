// The connection to a HealthChain node shared by both apps: @polkadot/api for state, events
// and transactions (types from the runtime metadata), the node's `health_*` JSON-RPC for the
// consent views and the log pages (docs/rpc.md), and the verified access log. Which node is
// the apps' configuration's, or the user's confirmed choice (shared/endpoint.js).
import { ApiPromise, WsProvider } from '@polkadot/api';
import { hexToU8a, u8aToString } from '@polkadot/util';
import { camel } from './i18n.js';
import { verifyPage } from './verify.js';
import { dispatchSentence, submitSentence } from './errors.js';

/** A connected node. */
export class Chain {
  static async connect(url) {
    const provider = new WsProvider(url, 2_000);
    const api = await ApiPromise.create({ provider, noInitWarn: true, throwOnConnect: true });
    const chain = new Chain(api, provider);
    chain.name = (await api.rpc.system.chain()).toString();
    return chain;
  }

  constructor(api, provider) {
    this.api = api;
    this.provider = provider;
    this.hospitals = new Map();
  }

  /** A `health_*` method of the node (docs/rpc.md), answering its JSON. */
  health(method, params = []) {
    return this.provider.send(`health_${method}`, params);
  }

  /** A hospital's code and name (`health_hospital`), cached. */
  async hospital(code) {
    if (!this.hospitals.has(code)) {
      const h = await this.health('hospital', [code]);
      this.hospitals.set(code, h ?? { code, name: code });
    }
    return this.hospitals.get(code);
  }

  /** Every registered hospital: code, name, policy, active. */
  async allHospitals() {
    const entries = await this.api.query.participants.hospitals.entries();
    const codes = entries.map(([key]) => u8aToString(key.args[0].toU8a(true))).sort();
    return Promise.all(codes.map((c) => this.hospital(c)));
  }

  /** The chain's block time in milliseconds: the runtime's Aura slot duration (one block
   * per slot), read once. */
  async blockTime() {
    if (this.slot === undefined) {
      this.slot = this.api.consts.aura?.slotDuration
        ? this.api.consts.aura.slotDuration.toNumber()
        : (await this.api.call.auraApi.slotDuration()).toNumber();
    }
    return this.slot;
  }

  /** Calls `f(header)` for every new best block; answers the unsubscribe function. */
  onNewBlock(f) {
    return this.api.rpc.chain.subscribeNewHeads(f);
  }

  /** Signs and sends `tx`, resolving when it is in a block: `{ ok, block, sentence }`, the
   * sentence saying why the chain refused it. Never rejects. */
  send(tx, account, signer) {
    return new Promise((resolve) => {
      let unsub = () => {};
      const options = signer ? { signer, nonce: -1 } : { nonce: -1 };
      tx.signAndSend(account, options, async (result) => {
        if (result.isError || result.status.isDropped || result.status.isInvalid || result.status.isUsurped) {
          unsub();
          resolve({ ok: false, sentence: submitSentence(result.status.type) });
          return;
        }
        if (!result.status.isInBlock) return;
        unsub();
        const header = await this.api.rpc.chain.getHeader(result.status.asInBlock);
        const block = header.number.toNumber();
        if (result.dispatchError) {
          resolve({ ok: false, block, sentence: dispatchSentence(this.api, result.dispatchError) });
        } else {
          resolve({ ok: true, block });
        }
      }).then((u) => { unsub = u; }, (err) => resolve({ ok: false, sentence: submitSentence(err) }));
    });
  }

  /** The SCALE type of an access-log entry, named by the metadata (the `entry` of
   * `AccessLog.AccessAttested`). */
  accessEntryType() {
    const field = this.api.events.accessLog.AccessAttested.meta.fields
      .find((f) => f.name.toString() === 'entry');
    return this.api.registry.createLookupType(field.type);
  }

  /** A patient's access-log head at block `hash`, from chain state: `{ count, head }` (hex),
   * kept in their consent record (an empty log if they never enrolled). */
  async accessLogHeadAt(hash, healthId) {
    const record = await (await this.api.at(hash)).query.consent.consents(healthId);
    if (record.isNone) return { count: 0, head: `0x${'00'.repeat(32)}` };
    const log = record.unwrap().accessLog;
    return { count: log.count.toNumber(), head: log.head.toHex() };
  }

  /** A patient's whole access log, newest first, every page verified against the log head
   * read from chain state at the page's block, and every entry decoded from its verified
   * bytes, up to `maxPages` pages of `limit`. Answers `{ verified, reason?, count, block,
   * entries }`; `entries` may hold fewer than `count` (the newest ones), each verified. */
  async verifiedAccessLog(healthId, limit = 100, maxPages = 10) {
    const type = this.accessEntryType();
    let page = await this.health('accessLog', [healthId, { limit }]);
    const state = await this.accessLogHeadAt(page.at.hash, healthId);
    const onChainHead = state.head;
    const result = { verified: true, count: state.count, block: page.at.number, entries: [] };
    let expected = onChainHead;
    for (let n = 0; n < maxPages; n += 1) {
      const { verdict, index } = await verifyPage(expected, page);
      if (verdict !== 0) {
        return { ...result, verified: false, reason: `verdict.${verdict}`, index };
      }
      for (const item of page.entries) {
        const entry = this.api.registry.createType(type, hexToU8a(item.encoded));
        result.entries.push({ index: item.index, block: item.blockNumber, entry: plainEntry(entry) });
      }
      if (!page.nextCursor) return result;
      expected = page.nextCursor;
      page = await this.health('accessLog', [healthId, { limit, cursor: page.nextCursor }]);
    }
    return result;
  }
}

export { camel } from './i18n.js';

/** A bounded byte string (codes, licences) as text. */
export const text = (codec) => u8aToString(codec.toU8a(true));

/** An access-log entry decoded from SCALE, as plain values. */
export function plainEntry(entry) {
  const basis = entry.basis;
  return {
    hospital: text(entry.hospital),
    practitioner: text(entry.practitioner),
    categories: entry.categories.map((c) => camel(c.type)),
    records: entry.records.length,
    purpose: camel(entry.purpose.type),
    basis: { kind: camel(basis.type), id: basis.isEnrolment ? null : basis.value.toString() },
    at: entry.at.toNumber(),
  };
}
