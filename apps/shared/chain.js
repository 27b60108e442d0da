// The apps' view of the chain, shared by both apps. Chain state (consent, pending requests,
// grants, hospitals, the access-log head, a pending rebind) is read at the latest finalized
// block through @polkadot/api, with the runtime's `HealthApi` and storage types from the
// metadata. Through the light client (shared/light.js) every such value is checked by a
// storage or call proof against a GRANDPA-finalized header smoldot verified itself
// (`verified`); through an RPC node alone it is whatever that node says, and the pages label
// it unverified. The access log's entries come from a node's `health_accessLog` (its offchain
// index, which no light client can prove) and are checked entry by entry against the head
// read from chain state (shared/verify.js); transactions go through the light client too.
import { ApiPromise, WsProvider } from '@polkadot/api';
import { hexToU8a, u8aToString } from '@polkadot/util';
import { camel } from './i18n.js';
import { verifyPage } from './verify.js';
import { dispatchSentence, submitSentence } from './errors.js';

/** How long the light client may take to be ready before the page falls back to the RPC
 * node (and says so), in milliseconds. */
export const LIGHT_PATIENCE = 60_000;

/** A connected chain. */
export class Chain {
  /** Connects to the chain. With `chainSpec` (the raw chain spec, as text), through the light
   * client, the RPC node at `url` serving only log pages; without one, or when the light
   * client is not ready within `patience` ms, through the RPC node alone (`verified` false,
   * `lightError` says why when the light client failed). */
  static async connect(url, { chainSpec = null, patience = LIGHT_PATIENCE, log = lightLog } = {}) {
    const rpc = new WsProvider(url, 2_000, {}, 10_000);
    let light = null;
    let lightError = null;
    if (chainSpec) {
      try {
        // Loaded only when used: smoldot with its wasm is most of a page's code.
        const { startLightClient } = await import('./light.js');
        light = startLightClient(chainSpec, { log });
        const { provider } = light;
        const api = await withPatience(provider.connect()
          .then(() => ApiPromise.create({ provider, noInitWarn: true, throwOnConnect: true })), patience);
        const chain = new Chain(api, rpc, { light });
        chain.name = (await api.rpc.system.chain()).toString();
        return chain;
      } catch (e) {
        lightError = String(e?.message ?? e);
        if (light) await light.stop();
      }
    }
    await rpc.isReady;
    const api = await ApiPromise.create({ provider: rpc, noInitWarn: true, throwOnConnect: true });
    const chain = new Chain(api, rpc, { lightError });
    chain.name = (await api.rpc.system.chain()).toString();
    return chain;
  }

  constructor(api, rpc, { light = null, lightError = null } = {}) {
    this.api = api;
    this.rpc = rpc;
    this.light = light;
    /** Whether chain state is proven (read through the light client). */
    this.verified = light !== null;
    this.lightError = lightError;
    this.hospitals = new Map();
  }

  /** A `health_*` method of the RPC node (docs/rpc.md), answering its JSON. Nothing it
   * answers is proven; the apps use it only for log pages, which they verify. */
  health(method, params = []) {
    return this.rpc.send(`health_${method}`, params);
  }

  /** An @polkadot/api connected to the RPC node, for what a light client cannot serve (old
   * blocks' bodies and events: the auditor's scan): `api` itself when there is no light
   * client. */
  async rpcApi() {
    if (!this.light) return this.api;
    if (!this.rpcApiPromise) {
      this.rpcApiPromise = this.rpc.isReady.then(() => ApiPromise.create({ provider: this.rpc, noInitWarn: true, throwOnConnect: true }));
    }
    return this.rpcApiPromise;
  }

  /** The latest finalized block: `{ hash, number, at }`, `at` the api decorated at it. The
   * reads below take one (`block`), so a page's reads of one refresh come from one block; each
   * reads the latest itself when given none. */
  async finalized() {
    const hash = await this.api.rpc.chain.getFinalizedHead();
    const [header, at] = await Promise.all([this.api.rpc.chain.getHeader(hash), this.api.at(hash)]);
    return { hash: hash.toHex(), number: header.number.toNumber(), at };
  }

  /** A hospital's code, name, policy, activity and gateways (`HealthApi.hospital`), cached;
   * `{ code, name: code }` for a code the chain does not know. */
  async hospital(code, block = null) {
    if (!this.hospitals.has(code)) {
      const { at } = block ?? await this.finalized();
      const view = await at.call.healthApi.hospital(code);
      this.hospitals.set(code, view.isSome ? views.hospital(view.unwrap()) : { code, name: code });
    }
    return this.hospitals.get(code);
  }

  /** Every registered hospital: code, name, policy, active, gateways. */
  async allHospitals() {
    const block = await this.finalized();
    const keys = await block.at.query.participants.hospitals.keys();
    const codes = keys.map((key) => u8aToString(key.args[0].toU8a(true))).sort();
    return Promise.all(codes.map((c) => this.hospital(c, block)));
  }

  /** A patient's consent state, pending requests and live grants at the finalized block,
   * from the runtime's own views (`HealthApi.consent`, `pending_requests`, `live_grants`: the
   * chain decides what is pending and what still permits, by its clock): `{ block, consent,
   * pending, grants }`, `consent` null for a patient who never enrolled. */
  async consentState(healthId, block = null) {
    const { number, at } = block ?? await this.finalized();
    const [consent, pending, grants] = await Promise.all([
      at.call.healthApi.consent(healthId),
      at.call.healthApi.pendingRequests(healthId),
      at.call.healthApi.liveGrants(healthId),
    ]);
    return {
      block: number,
      consent: consent.isSome ? views.consent(consent.unwrap()) : null,
      pending: pending.map(views.request),
      grants: grants.map(views.grant),
    };
  }

  /** An emergency access (`Consent.EmergencyAccesses`) at the finalized block: `{ reason,
   * review, afterRefusal }` (camelCase names), or null once the chain pruned it (reviewed and
   * expired). */
  async emergencyAccess(id, block = null) {
    const { at } = block ?? await this.finalized();
    const e = await at.query.consent.emergencyAccesses(id);
    if (e.isNone) return null;
    const v = e.unwrap();
    return { reason: camel(v.reason.type), review: camel(v.review.type), afterRefusal: v.afterRefusal.isTrue };
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

  /** Calls `f(header)` for every newly finalized block; answers the unsubscribe function. */
  onNewBlock(f) {
    return this.api.rpc.chain.subscribeFinalizedHeads(f);
  }

  /** Signs and sends `tx` (through the light client when there is one), resolving when it is
   * in a block: `{ ok, block, sentence }`, the sentence saying why the chain refused it.
   * Never rejects. */
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

  /** The SCALE type of a `kind` log's entry (`access` or `records`), named by the metadata
   * (the `entry` of `AccessLog.AccessAttested`, `Records.RecordAnchored`). */
  entryType(kind) {
    const event = kind === 'access' ? this.api.events.accessLog.AccessAttested : this.api.events.records.RecordAnchored;
    const field = event.meta.fields.find((f) => f.name.toString() === 'entry');
    return this.api.registry.createLookupType(field.type);
  }

  /** A patient's access-log head at block `hash`, from chain state: `{ count, head }` (hex),
   * kept in their consent record (an empty log if they never enrolled). */
  async accessLogHeadAt(hash, healthId) {
    return this.logHeadAt('access', await this.api.at(hash), healthId);
  }

  /** A patient's `kind` log head (`access`: in their consent record; `records`:
   * `Records.RecordLogs`) at block `hash`: `{ count, head }` (hex). */
  async logHeadAt(kind, at, healthId) {
    let log;
    if (kind === 'access') {
      const record = await at.query.consent.consents(healthId);
      if (record.isNone) return { count: 0, head: ZERO_HEAD };
      log = record.unwrap().accessLog;
    } else {
      log = await at.query.records.recordLogs(healthId);
    }
    return { count: log.count.toNumber(), head: log.head.toHex() };
  }

  /** A patient's whole access log: `verifiedLog('access', …)`. */
  verifiedAccessLog(healthId, block, limit, maxPages) {
    return this.verifiedLog('access', healthId, block, limit, maxPages);
  }

  /** A patient's `kind` log (`access` or `records`), newest first, up to `maxPages` pages of
   * `limit`: the head read from chain state at the finalized block (proven through the light
   * client), then the node's pages asked from that head on (`cursor`), each verified against
   * it, and every entry decoded from its verified bytes. Answers `{ verified, proven, reason?,
   * count, block, entries }`: `verified` that the pages match the head, `proven` that the head
   * itself is proven (light client); `entries` may hold fewer than `count` (the newest ones).
   * A node that withholds or alters an entry fails the check (`verified` false). */
  async verifiedLog(kind, healthId, block = null, limit = 100, maxPages = 10) {
    const type = this.entryType(kind);
    const { number, at } = block ?? await this.finalized();
    const state = await this.logHeadAt(kind, at, healthId);
    const result = { verified: true, proven: this.verified, count: state.count, block: number, entries: [] };
    const refused = (reason, index = null) => ({ ...result, verified: false, reason, index });
    // Positions are the proven count's, never the node's: the hash chain fixes the order of
    // the entries from the proven head down, not the numbers a node writes beside them.
    let position = state.count - 1;
    let expected = state.head;
    for (let n = 0; n < maxPages && expected !== ZERO_HEAD; n += 1) {
      let page;
      try {
        page = await this.health(kind === 'access' ? 'accessLog' : 'records', [healthId, { limit, cursor: expected }]);
      } catch {
        return refused('log.unavailable');
      }
      // A page with no entries before the start of the log withholds them.
      if (!Array.isArray(page?.entries) || page.entries.length === 0) return refused('log.withheld');
      const { verdict, index } = await verifyPage(expected, page);
      if (verdict !== 0) return refused(`verdict.${verdict}`, index);
      for (const item of page.entries) {
        if (item.index !== position) return refused('verdict.3', item.index);
        const entry = this.api.registry.createType(type, hexToU8a(item.encoded));
        result.entries.push({ index: position, block: item.blockNumber, entry: (kind === 'access' ? plainEntry : plainRecord)(entry) });
        position -= 1;
      }
      if (!page.nextCursor) return position === -1 ? result : refused('verdict.4');
      expected = page.nextCursor;
    }
    return result;
  }
}

/** The head of an empty log. */
const ZERO_HEAD = `0x${'00'.repeat(32)}`;

/** The runtime's views (`HealthApi`, decoded with the metadata's types) as the plain values
 * the pages show: the field names of the node's `health_*` answers (primitives/rpc), codes as
 * text, enums as camelCase names. */
const views = {
  consent: (c) => ({
    enrolled: c.enrolled.isTrue,
    sources: c.sources.isNone ? 'all' : c.sources.unwrap().map(text),
    sensitiveOptIn: c.sensitiveOptIn.isTrue,
    enrolledOn: c.enrolledOn.toNumber(),
    sourcesChangedOn: c.sourcesChangedOn.isSome ? c.sourcesChangedOn.unwrap().toNumber() : null,
    withdrawnOn: c.withdrawnOn.isSome ? c.withdrawnOn.unwrap().toNumber() : null,
    today: c.today.toNumber(),
    canChangeSourcesToday: c.canChangeSourcesToday.isTrue,
    canEnrolToday: c.canEnrolToday.isTrue,
  }),
  request: (r) => ({
    id: r.id.toNumber(),
    hospital: text(r.hospital),
    practitioner: text(r.practitioner),
    categories: r.categories.map((c) => camel(c.type)),
    purpose: camel(r.purpose.type),
    createdAt: r.createdAt.toNumber(),
    expiresAt: r.expiresAt.toNumber(),
  }),
  grant: (g) => ({
    requestId: g.requestId.toNumber(),
    hospital: text(g.hospital),
    practitioner: text(g.practitioner),
    categories: g.categories.map((c) => camel(c.type)),
    purpose: camel(g.purpose.type),
    grantedAt: g.grantedAt.toNumber(),
    expiresAt: g.expiresAt.toNumber(),
  }),
  hospital: (h) => ({
    code: text(h.code),
    name: text(h.name),
    policy: camel(h.policy.type),
    active: h.active.isTrue,
    gateways: h.gateways.map((g) => g.toString()),
  }),
};

/** smoldot's warnings and errors, to the console (its levels: 1 error, 2 warning). */
function lightLog(level, target, message) {
  if (level <= 2) console.warn(`[light client] ${target}: ${message}`);
}

/** Resolves as `promise` does, or rejects after `ms`. */
function withPatience(promise, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the light client was not ready after ${ms / 1000} s`)), ms);
    promise.then((v) => { clearTimeout(timer); resolve(v); }, (e) => { clearTimeout(timer); reject(e); });
  });
}

export { camel } from './i18n.js';

/** A bounded byte string (codes, licences) as text. */
export const text = (codec) => u8aToString(codec.toU8a(true));

/** A record-log entry decoded from SCALE, as plain values: who, when, and an anchor (category)
 * or a revocation (reason). */
export function plainRecord(entry) {
  const op = entry.op;
  return op.isAnchor
    ? { hospital: text(entry.hospital), op: 'anchor', category: camel(op.asAnchor.category.type), at: entry.at.toNumber() }
    : { hospital: text(entry.hospital), op: 'revoke', reason: camel(op.asRevoke.reason.type), at: entry.at.toNumber() };
}

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
