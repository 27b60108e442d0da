#!/usr/bin/env node
// Explorer check: evidence that standard block explorers decode HealthChain from metadata alone.
//
//   node check.mjs <ws-url> [sidecar-url]
//
// 1. Activity: signs (sr25519 dev keys) and submits every call of the custom pallets, each
//    awaited until finalized; any dispatch error (also inside sudo, council and governance
//    wrappers) is decoded with `registry.findMetaError` and fails the run.
// 2. polkadot.js walk: decodes every extrinsic and every event of every block from 0 to the
//    finalized head (no custom type definitions: the metadata is the only source), checks that
//    decoding and re-encoding gives back the node's bytes, counts calls and events per pallet,
//    and asserts that every call and event of the custom pallets in the metadata was seen.
// 3. Storage: decodes every storage item of the custom pallets (entries of maps, values of
//    plain items) and checks that every storage item, call, event and error has docs.
// 4. Sidecar: with the given Sidecar URL, or a Sidecar started here from node_modules, fetches
//    /blocks/{n} for every block and /pallets/{pallet}/{storage,events,errors,dispatchables}
//    (and each storage item) of the custom pallets, and compares them with polkadot.js.
//
// Prints a summary table; exits non-zero on any failure.

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import { stringToU8a, u8aConcat, u8aToHex } from '@polkadot/util';
import { blake2AsHex, blake2AsU8a, cryptoWaitReady } from '@polkadot/util-crypto';

const HERE = dirname(fileURLToPath(import.meta.url));

/** The custom pallets, by their names in `construct_runtime` (runtime/src/lib.rs). */
const CUSTOM = ['Participants', 'HealthIds', 'Consent', 'Records', 'AccessLog', 'ValidatorSet', 'Governance'];

/** Calls or events of the custom pallets that this check does not exercise (none today). */
// HealthIds.complete_rebind takes effect only a day (RebindDelay) after the registrar's
// rebind_controller, which a check run cannot wait for; the pallet's tests cover it.
const NOT_EXERCISED = new Set(['HealthIds.complete_rebind']);

/** The published lookup secret of development chains (runtime genesis_config_presets.rs). */
const DEV_LOOKUP_SECRET = stringToU8a('healthchain-dev-lookup-secret-01');

const TX_TIMEOUT_MS = 90_000;

// ---------------------------------------------------------------------------------------------
// Small helpers

const failures = [];
const warnings = [];
const fail = (msg) => { failures.push(msg); console.error(`FAIL: ${msg}`); };
const log = (msg) => console.log(`[explorer-check] ${msg}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** lowerCamelCase of a pallet name, as polkadot.js and Sidecar name sections. */
const camel = (s) => s.charAt(0).toLowerCase() + s.slice(1);
/** snake_case to lowerCamelCase (call names in the metadata are snake_case). */
const snakeToCamel = (s) => s.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());

// polkadot.js reports through console.warn (e.g. unknown transaction extensions): keep them for
// the summary so that every workaround is visible.
const origWarn = console.warn.bind(console);
console.warn = (...args) => {
  const text = args.map(String).join(' ');
  if (!warnings.includes(text)) warnings.push(text);
  origWarn(...args);
};

/** Increments `map[a][b]`. */
function bump(map, a, b, by = 1) {
  map[a] ??= {};
  map[a][b] = (map[a][b] ?? 0) + by;
}

/** A health ID as the registrars derive it (primitives/src/document.rs): a passport. */
function passportHealthId(country, number) {
  const canonical = u8aConcat(
    stringToU8a('healthchain/health-id/v1'),
    stringToU8a(`|PASS-${country}|`),
    stringToU8a(number.toUpperCase()),
  );
  return u8aToHex(blake2AsU8a(canonical, 256, DEV_LOOKUP_SECRET));
}

/** A free TCP port on 127.0.0.1. */
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Submitting transactions

/** Describes a DispatchError, decoding module errors from the metadata. */
function describeError(api, err) {
  if (err.isModule) {
    const meta = api.registry.findMetaError(err.asModule);
    return `${meta.section}.${meta.name}: ${meta.docs.join(' ').trim()}`;
  }
  return err.toString();
}

/**
 * Results carried by wrapper events: Sudo.Sudid, Council.Executed, Governance.DispatchedAsRoot,
 * Utility.* - any event field that is an `Err` means the inner call failed.
 */
function innerErrors(api, events) {
  const errs = [];
  for (const { event } of events) {
    event.data.forEach((value) => {
      if (value && value.isErr === true) {
        errs.push(`${event.section}.${event.method}: ${describeError(api, value.asErr)}`);
      }
    });
    if (event.section === 'utility' && ['BatchInterrupted', 'ItemFailed'].includes(event.method)) {
      errs.push(`${event.section}.${event.method}`);
    }
  }
  return errs;
}

/** Signs and submits `tx`, resolves with its events once it is in a finalized block. */
function submit(api, label, signer, tx) {
  return new Promise((resolve, reject) => {
    let unsub = () => {};
    const timer = setTimeout(() => { unsub(); reject(new Error(`${label}: not finalized within ${TX_TIMEOUT_MS / 1000} s`)); }, TX_TIMEOUT_MS);
    const done = (f) => (x) => { clearTimeout(timer); unsub(); f(x); };
    const ok = done(resolve);
    const ko = done(reject);
    tx.signAndSend(signer, { nonce: -1 }, (result) => {
      const { status, events, dispatchError } = result;
      if (status.isInvalid || status.isDropped || status.isUsurped || status.isFinalityTimeout) {
        ko(new Error(`${label}: transaction ${status.type}`));
      } else if (status.isFinalized) {
        if (dispatchError) return ko(new Error(`${label}: ${describeError(api, dispatchError)}`));
        const inner = innerErrors(api, events);
        if (inner.length) return ko(new Error(`${label}: inner call failed: ${inner.join('; ')}`));
        ok({ label, blockHash: status.asFinalized.toHex(), events: events.map((r) => r.event) });
      }
    }).then((u) => { unsub = u; }, (e) => ko(new Error(`${label}: rejected by the node: ${e.message}`)));
  });
}

/**
 * Runs one stage: transactions from distinct signers, submitted together (they go into the
 * same or neighbouring blocks) and each awaited until finalized. Later stages may depend on
 * earlier ones.
 */
async function stage(api, name, txs) {
  const signers = txs.map(([, s]) => s.address);
  if (new Set(signers).size !== signers.length) throw new Error(`stage ${name}: a signer appears twice`);
  const results = await Promise.all(txs.map(([label, signer, tx]) => submit(api, label, signer, tx)));
  for (const r of results) {
    const evs = r.events.filter((e) => !['system', 'sudo'].includes(e.section)).map((e) => `${e.section}.${e.method}`);
    log(`  ok  ${r.label.padEnd(44)} ${evs.join(', ')}`);
  }
  return results;
}

/** The first event `section.method` among some transaction results. */
function findEvent(results, section, method) {
  for (const r of results) {
    const ev = r.events.find((e) => e.section === section && e.method === method);
    if (ev) return ev;
  }
  throw new Error(`expected event ${section}.${method} not emitted`);
}

/** Generates activity covering every call of the custom pallets. */
async function generateActivity(api) {
  const keyring = new Keyring({ type: 'sr25519', ss58Format: api.registry.chainSS58 ?? 42 });
  const dev = (uri) => keyring.addFromUri(uri);
  // Fresh identifiers per run, so that the check can run again against the same chain.
  const tag = Math.random().toString(36).slice(2, 8).toUpperCase();
  const [alice, bob, charlie, dave, eve, ferdie, one] =
    ['//Alice', '//Bob', '//Charlie', '//Dave', '//Eve', '//Ferdie', '//One'].map(dev);
  const patient1 = dev(`//Patient//${tag}`); // a fresh wallet key for a new passport patient
  const patient2 = dev(`//Patient//${tag}//2`); // a key scheduled for the assisted patient, then cancelled
  const patient3 = dev(`//Patient//${tag}//3`); // patient1's new phone, confirmed by the old key
  const patient4 = dev(`//Patient//${tag}//4`); // p1's next phone: cancelled by patient3, then contested and approved by governance
  const gateway3 = dev(`//Explorer//${tag}//Gateway`); // gateway of a hospital admitted here
  const gateway3b = dev(`//Explorer//${tag}//Gateway2`);
  const registrar2 = dev(`//Explorer//${tag}//Registrar`);
  const authority2 = dev(`//Explorer//${tag}//Authority`);
  const operator4 = dev(`//Explorer//${tag}//Operator`);

  const hospital = `HX${tag}`; // <= 16 bytes
  const licence = `MDX${tag}`;
  const licence2 = `MDY${tag}`;
  const passport1 = `EXP${tag}1`;
  const passport2 = `EXP${tag}2`;
  const p1 = passportHealthId('GBR', passport1);
  const p2 = passportHealthId('MMR', passport2);
  const renewed1 = passportHealthId('GBR', `EXQ${tag}1`); // patient1's renewed passport
  const recordA = blake2AsHex(`explorer-check record A ${tag}`);
  const recordB = blake2AsHex(`explorer-check record B ${tag}`);
  const { tx } = api;
  const sudo = (call) => tx.sudo.sudo(call);

  log(`activity: run tag ${tag}, new patient ${p1} (//Patient//${tag}), hospital ${hospital}`);

  await stage(api, 'A', [
    ['healthIds.register (passport, key)', ferdie, tx.healthIds.register(p1, { Passport: { country: 'GBR' } }, true, { Key: patient1.address })],
    ['participants.licensePractitioner', one, tx.participants.licensePractitioner(licence)],
    ['sudo(participants.admitHospital)', alice, sudo(tx.participants.admitHospital(hospital, 'Explorer check hospital', 'OneTime', gateway3.address))],
  ]);
  await stage(api, 'B', [
    ['healthIds.register (passport, assisted)', ferdie, tx.healthIds.register(p2, { Passport: { country: 'MMR' } }, true, 'Assisted')],
    ['consent.enrol (all sources)', patient1, tx.consent.enrol(p1, 'All')],
    ['participants.setLicenceStatus (suspend)', one, tx.participants.setLicenceStatus(licence, 'Suspended')],
    ['participants.setConsentPolicy', gateway3, tx.participants.setConsentPolicy(hospital, 'PerRequest')],
    ['sudo(validatorSet.addValidator)', alice, sudo(tx.validatorSet.addValidator(bob.address))],
  ]);
  await stage(api, 'C', [
    ['healthIds.rebindController (scheduled)', ferdie, tx.healthIds.rebindController(p2, { Key: patient2.address })],
    ['consent.setSensitiveOptIn', patient1, tx.consent.setSensitiveOptIn(p1, true)],
    ['participants.setLicenceStatus (reinstate)', one, tx.participants.setLicenceStatus(licence, 'Licensed')],
    ['participants.addGateway', gateway3, tx.participants.addGateway(hospital, gateway3b.address)],
    ['sudo(validatorSet.removeValidator)', alice, sudo(tx.validatorSet.removeValidator(bob.address))],
  ]);
  await stage(api, 'D', [
    ['consent.openAssistance (at H0002)', ferdie, tx.consent.openAssistance(p2, { Hospital: 'H0002' })],
    ['consent.setSources', patient1, tx.consent.setSources(p1, { Only: ['H0001', 'H0002'] })],
    ['participants.affiliatePractitioner (H0001)', dave, tx.participants.affiliatePractitioner(licence)],
    ['participants.removeGateway', gateway3, tx.participants.removeGateway(hospital, gateway3b.address)],
    ['sudo(participants.admitRegistrar)', alice, sudo(tx.participants.admitRegistrar(registrar2.address, { HospitalServicePoint: hospital }, 'Explorer check service point'))],
  ]);
  const e = await stage(api, 'E', [
    ['healthIds.cancelRebind (registrar)', ferdie, tx.healthIds.cancelRebind(p2)],
    ['participants.acceptTerms', dave, tx.participants.acceptTerms(licence)],
    ['participants.affiliatePractitioner (new)', gateway3, tx.participants.affiliatePractitioner(licence)],
    ['consent.requestAccess (Eve for MD10002)', eve, tx.consent.requestAccess(p1, 'MD10002', ['Diagnosis', 'Medication'], 'Treatment', null)],
    ['sudo(participants.setRegistrarStatus)', alice, sudo(tx.participants.setRegistrarStatus(registrar2.address, true))],
  ]);
  const request1 = findEvent(e, 'consent', 'AccessRequested').data.requestId;
  await stage(api, 'F', [
    ['consent.respond (approve)', patient1, tx.consent.respond(request1, true)],
    ['records.anchor', dave, tx.records.anchor(p1, 'Diagnosis', recordA, 2048, null)],
    ['participants.endAffiliation', gateway3, tx.participants.endAffiliation(licence)],
    ['healthIds.linkDocument (renewed passport)', ferdie, tx.healthIds.linkDocument(p1, renewed1, { Passport: { country: 'GBR' } })],
    ['consent.enrol (assisted, source list)', eve, tx.consent.enrol(p2, { Only: ['H0001'] })],
  ]);
  // A council motion: Governance.dispatch_as_root needs a council majority (2 of 3).
  const motion = tx.governance.dispatchAsRoot(tx.system.remark(`healthchain explorer check ${tag}`));
  const motionLen = motion.method.encodedLength;
  const g = await stage(api, 'G', [
    ['consent.requestAccess (short grant)', eve, tx.consent.requestAccess(p1, 'MD10002', ['Vaccine'], 'Treatment', 600_000)],
    ['records.anchor (supersedes)', dave, tx.records.anchor(p1, 'Diagnosis', recordB, 1024, recordA)],
    ['sudo(participants.setLicensingAuthority)', alice, sudo(tx.participants.setLicensingAuthority(authority2.address))],
    ['council.propose(governance.dispatchAsRoot)', bob, tx.council.propose(2, motion, motionLen)],
  ]);
  const request2 = findEvent(g, 'consent', 'AccessRequested').data.requestId;
  const proposed = findEvent(g, 'council', 'Proposed').data;
  await stage(api, 'H', [
    ['consent.respond (refuse)', patient1, tx.consent.respond(request2, false)],
    // Record A was superseded by B (stage G): an attestation names only live records.
    ['accessLog.attest (Eve, grant)', eve, tx.accessLog.attest(p1, 'MD10002', ['Diagnosis'], [recordB], 'Treatment')],
    ['accessLog.attest (Dave, enrolment)', dave, tx.accessLog.attest(p1, 'MD10001', ['Diagnosis', 'Medication'], [recordB], 'Treatment')],
    ['participants.licensePractitioner (new LA)', authority2, tx.participants.licensePractitioner(licence2)],
    // After stage F: a suspended hospital's gateway makes no call at all (pool code 17).
    ['sudo(participants.setHospitalStatus)', alice, sudo(tx.participants.setHospitalStatus(hospital, 'Suspended'))],
    ['council.vote (Bob)', bob, tx.council.vote(proposed.proposalHash, proposed.proposalIndex, true)],
    ['council.vote (Charlie)', charlie, tx.council.vote(proposed.proposalHash, proposed.proposalIndex, true)],
  ]);
  const batch = await stage(api, 'H2', [
    ['consent.openAssistance (at the desk)', ferdie, tx.consent.openAssistance(p2, 'ServicePoint')],
    ['accessLog.attestBatch (Dave, one refused)', dave, tx.accessLog.attestBatch([
      { healthId: p1, practitioner: 'MD10001', categories: ['Diagnosis'], records: [recordB], purpose: 'Treatment' },
      { healthId: p1, practitioner: 'MD10002', categories: ['Diagnosis'], records: [recordB], purpose: 'Treatment' },
    ])],
  ]);
  findEvent(batch, 'accessLog', 'AccessAttested');
  findEvent(batch, 'accessLog', 'AttestationRefused');
  const i = await stage(api, 'I', [
    ['consent.revokeGrant', patient1, tx.consent.revokeGrant(p1, 'H0002', 'MD10002')],
    // Withdrawal needs the registrar's own desk (a session at a hospital does not allow it).
    ['consent.withdraw (assisted, at the desk)', ferdie, tx.consent.withdraw(p2)],
    ['consent.openEmergencyAccess', dave, tx.consent.openEmergencyAccess(p1, 'MD10001', 'Unconscious')],
    ['sudo(participants.setLicensingAuthority)', alice, sudo(tx.participants.setLicensingAuthority(one.address))],
    ['council.close', bob, tx.council.close(proposed.proposalHash, proposed.proposalIndex, { refTime: 1_000_000_000, proofSize: 100_000 }, motionLen)],
  ]);
  findEvent(i, 'governance', 'DispatchedAsRoot');
  const emergencyId = findEvent(i, 'consent', 'EmergencyAccessOpened').data.emergencyId;
  const j = await stage(api, 'J', [
    ['accessLog.attest (Dave, emergency)', dave, tx.accessLog.attest(p1, 'MD10001', ['Diagnosis'], [recordB], 'Emergency')],
    ['consent.requestAccess (to keep a grant)', eve, tx.consent.requestAccess(p1, 'MD10002', ['Measurement'], 'Treatment', null)],
    ['sudo(participants.setHospitalStatus)', alice, sudo(tx.participants.setHospitalStatus(hospital, 'Active'))],
    ['consent.closeAssistance', ferdie, tx.consent.closeAssistance(p2)],
  ]);
  const request3 = findEvent(j, 'consent', 'AccessRequested').data.requestId;
  await stage(api, 'K', [
    // The licensing authority (One again since stage I) reviews; the opening hospital cannot.
    ['consent.reviewEmergencyAccess', one, tx.consent.reviewEmergencyAccess(emergencyId, 'Justified')],
    ['consent.respond (approve, grant kept)', patient1, tx.consent.respond(request3, true)],
    ['consent.requestAccess (left open)', eve, tx.consent.requestAccess(p1, 'MD10002', ['LabAndImaging'], 'Treatment', null)],
    ['sudo(councilMembership.addMember)', alice, sudo(tx.councilMembership.addMember(operator4.address))],
    ['healthIds.deactivate', ferdie, tx.healthIds.deactivate(p2, 'Deceased')],
  ]);
  await stage(api, 'L', [
    ['records.revoke', dave, tx.records.revoke(p1, recordA, 'Corrected')],
    ['sudo(councilMembership.removeMember)', alice, sudo(tx.councilMembership.removeMember(operator4.address))],
    ['healthIds.rebindController (new phone)', ferdie, tx.healthIds.rebindController(p1, { Key: patient3.address })],
  ]);
  await stage(api, 'M', [
    ['healthIds.confirmRebind (old key)', patient1, tx.healthIds.confirmRebind(p1)],
    ['sudo(healthIds.reactivate)', alice, sudo(tx.healthIds.reactivate(p2))],
  ]);
  await stage(api, 'N', [
    ['sudo(participants.setQuota)', alice, sudo(tx.participants.setQuota('Patient', { perBlock: 4, perPeriod: 40, maxPooled: 4 }))],
    ['healthIds.rebindController (to be cancelled)', ferdie, tx.healthIds.rebindController(p1, { Key: patient4.address })],
  ]);
  // The current key (patient3) cancels: a rebind scheduled within ContestWindow is contested.
  await stage(api, 'O', [
    ['healthIds.cancelRebind (key)', patient3, tx.healthIds.cancelRebind(p1)],
    ['healthIds.rebindController (to be rejected)', ferdie, tx.healthIds.rebindController(p2, { Key: patient2.address })],
    ['sudo(participants.removeRegistrar)', alice, sudo(tx.participants.removeRegistrar(registrar2.address))],
  ]);
  const p = await stage(api, 'P', [
    ['healthIds.rebindController (contested)', ferdie, tx.healthIds.rebindController(p1, { Key: patient4.address })],
    ['sudo(healthIds.rejectRebind)', alice, sudo(tx.healthIds.rejectRebind(p2))],
  ]);
  if (findEvent(p, 'healthIds', 'RebindScheduled').data.contested.isTrue !== true) {
    fail('healthIds.rebindController after the key cancelled one: RebindScheduled is not contested');
  }
  findEvent(p, 'healthIds', 'RebindRejected');
  const q = await stage(api, 'Q', [
    ['sudo(healthIds.approveRebind)', alice, sudo(tx.healthIds.approveRebind(p1, { Key: patient4.address }))],
  ]);
  findEvent(q, 'healthIds', 'RebindApproved');
  findEvent(q, 'healthIds', 'ControllerRebound');
}

/** Waits until the finalized chain holds ValidatorSet.SessionValidators (next session). */
async function awaitSessionChange(api, fromBlock) {
  const period = 20; // SessionPeriod in runtime/src/lib.rs; waited for at most three periods
  const deadline = Date.now() + 3 * period * 2_000 + 30_000;
  let checked = fromBlock;
  while (Date.now() < deadline) {
    const head = (await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead())).number.toNumber();
    for (; checked <= head; checked++) {
      const at = await api.at(await api.rpc.chain.getBlockHash(checked));
      const events = await at.query.system.events();
      if (events.some(({ event }) => event.section === 'validatorSet' && event.method === 'SessionValidators')) {
        log(`ValidatorSet.SessionValidators at block ${checked}`);
        return;
      }
    }
    await sleep(2_000);
  }
  fail('no ValidatorSet.SessionValidators event after the validator set changed');
}

// ---------------------------------------------------------------------------------------------
// Walking blocks with polkadot.js

/** Visits a call and the calls nested in it (sudo, council motions, governance, utility). */
function visitCalls(call, f) {
  f(call);
  for (const arg of call.args) {
    const nested = Array.isArray(arg) ? arg : [arg];
    for (const n of nested) {
      if (n && typeof n.section === 'string' && typeof n.method === 'string' && Array.isArray(n.args)) {
        visitCalls(n, f);
      }
    }
  }
}

/**
 * Decodes an extrinsic completely. `GenericExtrinsic.toHuman()` of @polkadot/api reads `tip`,
 * which only exists with the `ChargeTransactionPayment` extension; HealthChain has no fees, so
 * it throws for every signed extrinsic. That one case is counted (and reported) and the same
 * fields are decoded one by one instead; anything else that throws is a failure.
 */
function decodeExtrinsic(ext, where, stats) {
  JSON.stringify(ext.method.toHuman());
  JSON.stringify(ext.method.toJSON());
  try {
    JSON.stringify(ext.toHuman());
  } catch (e) {
    if (!(ext.isSigned && ext.tip === undefined)) throw e;
    stats.toHumanNoTip++;
    JSON.stringify({
      signer: ext.signer.toHuman(),
      signature: ext.signature.toHex(),
      era: ext.era.toHuman(),
      nonce: ext.nonce.toHuman(),
      mode: ext.mode?.toHuman() ?? null,
      metadataHash: ext.metadataHash?.toHex() ?? null,
    });
  }
}

/** A decoded call as plain data: `{ pallet, method, args }` with nested calls as trees. */
function callTree(call) {
  const isCall = (v) => v && typeof v.section === 'string' && typeof v.method === 'string' && Array.isArray(v.args);
  return {
    pallet: call.section,
    method: call.method,
    args: Object.fromEntries(call.meta.args.map((a, i) => {
      const v = call.args[i];
      const value = isCall(v) ? callTree(v) : Array.isArray(v) && v.length && isCall(v[0]) ? v.map(callTree) : v.toJSON();
      return [a.name.toString(), value];
    })),
  };
}

/** Decodes every block from 0 to the finalized head; returns what it saw, per block. */
async function walkBlocks(api, provider, finalizedNumber, stats) {
  const blocks = [];
  for (let n = 0; n <= finalizedNumber; n++) {
    try {
      const hash = await api.rpc.chain.getBlockHash(n);
      // A pruning node no longer has the state (events) of old blocks: nobody can show them,
      // explorers included. Such blocks are skipped and reported (explorer-check runs an archive node).
      try {
        await provider.send('state_getRuntimeVersion', [hash.toHex()]);
      } catch (e) {
        if (!/State already discarded|unknown Block/i.test(e.message)) throw e;
        stats.pruned.push(n);
        continue;
      }
      const signed = await api.rpc.chain.getBlock(hash);
      const raw = await provider.send('chain_getBlock', [hash.toHex()]);
      const at = await api.at(hash);
      const events = await at.query.system.events();
      const rawEvents = await provider.send('state_getStorage', [api.query.system.events.key(), hash.toHex()]);
      const block = { number: n, hash: hash.toHex(), extrinsics: [], events: [] };

      signed.block.extrinsics.forEach((ext, index) => {
        // Decode fully: human and JSON forms of the call, every argument and the signature.
        decodeExtrinsic(ext, `block ${n} extrinsic ${index}`, stats);
        if (ext.toHex() !== raw.block.extrinsics[index]) {
          fail(`block ${n} extrinsic ${index}: re-encoding differs from the node's bytes`);
        }
        const { section, method } = ext.method;
        block.extrinsics.push({ index, section, method, call: callTree(ext.method), signed: ext.isSigned, signer: ext.isSigned ? ext.signer.toString() : null });
        visitCalls(ext.method, (c) => bump(stats.calls, c.section, c.method));
      });

      if (events.toHex() !== (rawEvents ?? '0x00')) fail(`block ${n}: re-encoding System.Events differs from storage`);
      for (const { phase, event } of events) {
        JSON.stringify(event.toHuman());
        JSON.stringify(event.data.toJSON());
        block.events.push({
          section: event.section,
          method: event.method,
          extrinsic: phase.isApplyExtrinsic ? phase.asApplyExtrinsic.toNumber() : null,
          phase: phase.type,
        });
        bump(stats.events, event.section, event.method);
      }
      blocks.push(block);
    } catch (e) {
      fail(`block ${n}: polkadot.js failed to decode: ${e.stack ?? e}`);
    }
  }
  return blocks;
}

// ---------------------------------------------------------------------------------------------
// Metadata: the custom pallets' calls, events, errors and storage

/** The metadata (latest) of the custom pallets: names and docs of their items. */
function customPalletsMeta(api) {
  const meta = api.runtimeMetadata.asLatest;
  const lookup = api.registry.lookup;
  const variants = (typeId) => (typeId.isSome ? lookup.getSiType(typeId.unwrap().type).def.asVariant.variants : []);
  const out = {};
  for (const name of CUSTOM) {
    const p = meta.pallets.find((x) => x.name.toString() === name);
    if (!p) { fail(`pallet ${name} is not in the metadata`); continue; }
    const docs = (d) => d.map(String).join(' ').trim();
    out[name] = {
      index: p.index.toNumber(),
      calls: variants(p.calls).map((v) => ({ name: v.name.toString(), docs: docs(v.docs), args: v.fields.map((f) => f.name.unwrap().toString()) })),
      events: variants(p.events).map((v) => ({ name: v.name.toString(), docs: docs(v.docs) })),
      errors: variants(p.errors).map((v) => ({ name: v.name.toString(), docs: docs(v.docs) })),
      storage: p.storage.isSome
        ? p.storage.unwrap().items.map((s) => ({ name: s.name.toString(), docs: docs(s.docs), plain: s.type.isPlain }))
        : [],
    };
  }
  return out;
}

/** Checks that every call, event, error and storage item of the custom pallets has docs. */
function checkDocs(meta) {
  for (const [pallet, m] of Object.entries(meta)) {
    for (const kind of ['calls', 'events', 'errors', 'storage']) {
      for (const item of m[kind]) {
        if (!item.docs) fail(`${pallet}: ${kind} item ${item.name} has no docs in the metadata`);
      }
    }
  }
}

/** Decodes every storage item of the custom pallets at `at`; returns entry counts. */
async function decodeStorage(api, meta, atHash, stats) {
  const at = await api.at(atHash);
  const samples = {}; // pallet -> item -> { keys, json } of one entry, for Sidecar
  for (const [pallet, m] of Object.entries(meta)) {
    for (const item of m.storage) {
      const q = at.query[camel(pallet)]?.[camel(item.name)];
      if (!q) { fail(`${pallet}.${item.name}: no polkadot.js query decorated from the metadata`); continue; }
      try {
        if (item.plain) {
          const value = await q();
          JSON.stringify(value.toHuman());
          (samples[pallet] ??= {})[item.name] = { keys: [], json: value.toJSON() };
          bump(stats.storage, pallet, item.name, 1);
        } else {
          const entries = await q.entries();
          for (const [key, value] of entries) {
            JSON.stringify(key.args.map((a) => a.toHuman()));
            JSON.stringify(value.toHuman());
            JSON.stringify(value.toJSON());
          }
          stats.storage[pallet] ??= {};
          stats.storage[pallet][item.name] = entries.length;
          if (entries.length) {
            const [key, value] = entries[0];
            (samples[pallet] ??= {})[item.name] = { keys: key.args.map((a) => a.toHex()), json: value.toJSON() };
          }
        }
      } catch (e) {
        fail(`${pallet}.${item.name}: polkadot.js failed to decode storage: ${e.stack ?? e}`);
      }
    }
  }
  return samples;
}

// ---------------------------------------------------------------------------------------------
// Sidecar

/** Starts Sidecar from node_modules against `wsUrl`; resolves with its URL and a stop function. */
async function startSidecar(wsUrl) {
  const port = await freePort();
  const bin = join(HERE, 'node_modules', '.bin', 'substrate-api-sidecar');
  const child = spawn(bin, [], {
    env: { ...process.env, SAS_SUBSTRATE_URL: wsUrl, SAS_EXPRESS_PORT: String(port), SAS_EXPRESS_BIND_HOST: '127.0.0.1', SAS_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Sidecar exited (${child.exitCode}):\n${output}`);
    try {
      if ((await fetch(`${url}/`)).ok) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) { child.kill('SIGTERM'); throw new Error(`Sidecar did not start within 60 s:\n${output}`); }
    await sleep(500);
  }
  log(`Sidecar ${sidecarVersion()} listening on ${url}`);
  return { url, output: () => output, stop: () => child.kill('SIGTERM') };
}

/** The installed Sidecar's version. */
function sidecarVersion() {
  try {
    return JSON.parse(readFileSync(join(HERE, 'node_modules', '@substrate', 'api-sidecar', 'package.json'), 'utf8')).version;
  } catch { return '?'; }
}

/** GETs a Sidecar path; returns { status, body }. */
async function sc(url, path) {
  const res = await fetch(`${url}${path}`);
  const text = await res.text();
  let body;
  try { body = JSON.parse(text); } catch { body = text; }
  return { status: res.status, body };
}

/** Numbers as strings, recursively: Sidecar sanitises numbers to strings. */
function normalise(x) {
  if (typeof x === 'number' || typeof x === 'bigint') return String(x);
  if (Array.isArray(x)) return x.map(normalise);
  if (x && typeof x === 'object') return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, normalise(v)]));
  return x;
}

/** Compares Sidecar's /blocks/{n} with what polkadot.js decoded, for every block. */
async function checkSidecarBlocks(url, blocks, meta, stats) {
  const customSections = new Set(CUSTOM.map(camel));
  for (const b of blocks) {
    const { status, body } = await sc(url, `/blocks/${b.number}`);
    if (status !== 200) { fail(`Sidecar /blocks/${b.number}: HTTP ${status}: ${body?.message ?? body}`); continue; }
    stats.sidecarBlocks++;
    if (body.hash !== b.hash) fail(`Sidecar /blocks/${b.number}: hash ${body.hash} != ${b.hash}`);
    if (body.extrinsics.length !== b.extrinsics.length) {
      fail(`Sidecar /blocks/${b.number}: ${body.extrinsics.length} extrinsics, polkadot.js ${b.extrinsics.length}`);
      continue;
    }
    // Every event of the block: on initialize, per extrinsic, on finalize.
    const scEvents = body.onInitialize.events.length + body.onFinalize.events.length +
      body.extrinsics.reduce((n, x) => n + x.events.length, 0);
    if (scEvents !== b.events.length) fail(`Sidecar /blocks/${b.number}: ${scEvents} events, polkadot.js ${b.events.length}`);

    b.extrinsics.forEach((x, i) => {
      const s = body.extrinsics[i];
      const where = `Sidecar /blocks/${b.number} extrinsic ${i}`;
      if (s.method?.pallet !== x.section || s.method?.method !== x.method) {
        fail(`${where}: ${s.method?.pallet}.${s.method?.method} != ${x.section}.${x.method}`);
        return;
      }
      const pjsEvents = b.events.filter((e) => e.extrinsic === i).map((e) => `${e.section}.${e.method}`);
      const scEv = s.events.map((e) => `${e.method.pallet}.${e.method.method}`);
      if (JSON.stringify(pjsEvents) !== JSON.stringify(scEv)) fail(`${where}: events ${scEv} != ${pjsEvents}`);
      if (x.signed && s.signature?.signer?.id !== x.signer && s.signature?.signer !== x.signer) {
        fail(`${where}: signer ${JSON.stringify(s.signature?.signer)} != ${x.signer}`);
      }
      // Custom calls, direct or nested (sudo, council): method and named args decoded.
      checkSidecarCall(where, s, x.call, meta, customSections, stats);
      if (x.signed && s.success !== true) fail(`${where}: ${x.section}.${x.method} not successful in Sidecar`);
    });
  }
}

/**
 * Checks a Sidecar-decoded call (and nested calls) against the metadata's argument names and
 * the values polkadot.js decoded (`pjs`, from callTree).
 */
function checkSidecarCall(where, call, pjs, meta, customSections, stats) {
  const section = call.method?.pallet;
  const method = call.method?.method;
  if (customSections.has(section)) {
    const pallet = CUSTOM.find((p) => camel(p) === section);
    const def = meta[pallet].calls.find((c) => snakeToCamel(c.name) === method);
    if (!def) fail(`${where}: ${section}.${method} is not a call of ${pallet} in the metadata`);
    else {
      // Sidecar 18 names the args as the metadata does (snake_case); accept camelCase too.
      const names = JSON.stringify(Object.keys(call.args ?? {}));
      if (names !== JSON.stringify(def.args) && names !== JSON.stringify(def.args.map(snakeToCamel))) {
        fail(`${where}: ${section}.${method} args ${names} != ${def.args}`);
      }
      for (const a of def.args) {
        if (!(a in call.args) && !(snakeToCamel(a) in call.args)) fail(`${where}: ${section}.${method} arg ${a} missing`);
      }
      bump(stats.sidecarCalls, pallet, method);
    }
  }
  if (pjs.pallet !== section || pjs.method !== method) {
    fail(`${where}: Sidecar ${section}.${method} != polkadot.js ${pjs.pallet}.${pjs.method}`);
    return;
  }
  // polkadot.js camelCases argument names; Sidecar 18 keeps the metadata's snake_case.
  const scArgs = Object.fromEntries(Object.entries(call.args ?? {}).map(([k, v]) => [snakeToCamel(k), v]));
  for (const [name, pv] of Object.entries(pjs.args)) {
    const sv = scArgs[snakeToCamel(name)];
    if (sv === undefined) { fail(`${where}: ${section}.${method} arg ${name} missing in Sidecar`); continue; }
    const nested = (x) => x && typeof x === 'object' && x.method?.pallet && 'args' in x;
    if (pv && typeof pv === 'object' && 'pallet' in pv && 'args' in pv && nested(sv)) {
      checkSidecarCall(`${where} (nested)`, sv, pv, meta, customSections, stats);
    } else if (Array.isArray(pv) && pv.length && pv[0]?.pallet && Array.isArray(sv)) {
      pv.forEach((p, k) => checkSidecarCall(`${where} (nested ${k})`, sv[k], p, meta, customSections, stats));
    } else if (JSON.stringify(normalise(sv)) !== JSON.stringify(normalise(pv))) {
      if (customSections.has(section)) fail(`${where}: ${section}.${method} arg ${name}: Sidecar ${JSON.stringify(sv)} != polkadot.js ${JSON.stringify(pv)}`);
      else stats.sidecarArgDiffs.push(`${section}.${method}.${name}`);
    } else if (customSections.has(section)) {
      stats.sidecarArgsMatched++;
    }
  }
}

/** Checks Sidecar's /pallets endpoints of the custom pallets against the metadata. */
async function checkSidecarPallets(url, meta, samples, atHash, stats) {
  for (const [pallet, m] of Object.entries(meta)) {
    const id = camel(pallet);
    for (const [kind, items, nameOf] of [
      ['storage', m.storage, (x) => x.name],
      ['events', m.events, (x) => x.name],
      ['errors', m.errors, (x) => x.name],
      ['dispatchables', m.calls, (x) => x.name],
    ]) {
      const { status, body } = await sc(url, `/pallets/${id}/${kind}?at=${atHash}`);
      stats.sidecarRequests++;
      if (items.length === 0) {
        // Sidecar answers 400 "no queryable ... items" for a pallet with none in the metadata.
        if (!(status === 400 && /no queryable/.test(body?.message ?? ''))) {
          fail(`Sidecar /pallets/${id}/${kind}: expected "no queryable items", got HTTP ${status}`);
        }
        continue;
      }
      if (status !== 200) { fail(`Sidecar /pallets/${id}/${kind}: HTTP ${status}: ${body?.message ?? body}`); continue; }
      const got = body.items.map((x) => x.name);
      const want = items.map(nameOf);
      if (JSON.stringify(got) !== JSON.stringify(want)) fail(`Sidecar /pallets/${id}/${kind}: ${got} != ${want}`);
      for (const x of body.items) {
        const d = Array.isArray(x.docs) ? x.docs.join(' ') : x.docs;
        if (!d || !d.trim()) fail(`Sidecar /pallets/${id}/${kind}: ${x.name} without docs`);
      }
    }
    // Each storage item: plain values directly, maps at the key of one entry polkadot.js found.
    for (const item of m.storage) {
      const sample = samples[pallet]?.[item.name];
      if (!sample) { stats.sidecarStorageSkipped.push(`${pallet}.${item.name} (no entries)`); continue; }
      const query = sample.keys.map((k) => `keys[]=${encodeURIComponent(k)}`).concat(`at=${atHash}`).join('&');
      const path = `/pallets/${id}/storage/${camel(item.name)}?${query}`;
      const { status, body } = await sc(url, path);
      stats.sidecarRequests++;
      if (status !== 200) { fail(`Sidecar ${path}: HTTP ${status}: ${body?.message ?? body}`); continue; }
      if (JSON.stringify(normalise(body.value)) !== JSON.stringify(normalise(sample.json))) {
        fail(`Sidecar ${path}: value ${JSON.stringify(body.value)} != polkadot.js ${JSON.stringify(sample.json)}`);
      }
      bump(stats.sidecarStorage, pallet, item.name);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Summary

function printSummary(meta, stats) {
  const rows = [['pallet', 'calls', 'call kinds', 'events', 'event kinds', 'storage items', 'storage entries', 'sidecar calls', 'sidecar items']];
  const sum = (o) => Object.values(o ?? {}).reduce((a, b) => a + b, 0);
  const sections = new Set([...Object.keys(stats.calls), ...Object.keys(stats.events)]);
  const order = [...CUSTOM.map(camel), ...[...sections].filter((s) => !CUSTOM.map(camel).includes(s)).sort()];
  for (const s of order) {
    const pallet = CUSTOM.find((p) => camel(p) === s);
    const m = pallet ? meta[pallet] : null;
    rows.push([
      pallet ? `${pallet} *` : s,
      String(sum(stats.calls[s])),
      m ? `${Object.keys(stats.calls[s] ?? {}).length}/${m.calls.length}` : String(Object.keys(stats.calls[s] ?? {}).length),
      String(sum(stats.events[s])),
      m ? `${Object.keys(stats.events[s] ?? {}).length}/${m.events.length}` : String(Object.keys(stats.events[s] ?? {}).length),
      m ? String(m.storage.length) : '',
      m ? String(sum(stats.storage[pallet])) : '',
      m ? String(sum(stats.sidecarCalls[pallet])) : '',
      m ? `${Object.keys(stats.sidecarStorage[pallet] ?? {}).length}/${m.storage.length}` : '',
    ]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  console.log('');
  for (const [i, r] of rows.entries()) {
    console.log(r.map((c, j) => (j === 0 ? c.padEnd(widths[j]) : c.padStart(widths[j]))).join('  '));
    if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
  console.log('(* custom pallet; calls include calls nested in sudo/council/governance; "kinds" = distinct calls or events seen / in metadata;');
  console.log(' storage entries = map entries, or 1 per plain value; sidecar items = storage items fetched one by one from Sidecar)');
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const [wsUrl, sidecarArg] = process.argv.slice(2);
  if (!wsUrl) {
    console.error('usage: node check.mjs <ws-url> [sidecar-url]');
    process.exit(2);
  }
  const started = Date.now();
  await cryptoWaitReady();
  // No `types`, `typesBundle` or `signedExtensions` options: the metadata is the only source.
  const provider = new WsProvider(wsUrl);
  const api = await ApiPromise.create({ provider, throwOnConnect: true });
  const { specName, specVersion } = api.runtimeVersion;
  log(`connected to ${wsUrl}: ${specName} v${specVersion}, metadata v${api.runtimeMetadata.version}, ${api.libraryInfo}`);

  const stats = {
    calls: {}, events: {}, storage: {},
    sidecarCalls: {}, sidecarStorage: {}, sidecarBlocks: 0, toHumanNoTip: 0, pruned: [], sidecarArgsMatched: 0, sidecarArgDiffs: [], sidecarRequests: 0, sidecarStorageSkipped: [],
  };
  let sidecar = null;
  try {
    const meta = customPalletsMeta(api);
    checkDocs(meta);

    // 1. Activity.
    log('generating activity (every call of the custom pallets, each awaited until finalized)');
    const startBlock = (await api.rpc.chain.getHeader()).number.toNumber();
    await generateActivity(api);
    await awaitSessionChange(api, startBlock);

    // 2. Every block, decoded by polkadot.js.
    const finalizedHash = (await api.rpc.chain.getFinalizedHead()).toHex();
    const finalized = (await api.rpc.chain.getHeader(finalizedHash)).number.toNumber();
    log(`decoding blocks 0..${finalized} with polkadot.js`);
    const blocks = await walkBlocks(api, provider, finalized, stats);
    for (const [pallet, m] of Object.entries(meta)) {
      for (const c of m.calls) {
        if (!stats.calls[camel(pallet)]?.[snakeToCamel(c.name)] && !NOT_EXERCISED.has(`${pallet}.${c.name}`)) fail(`call ${pallet}.${c.name} never appeared in a block`);
      }
      for (const e of m.events) {
        if (!stats.events[camel(pallet)]?.[e.name] && !NOT_EXERCISED.has(`${pallet}.${e.name}`)) fail(`event ${pallet}.${e.name} never appeared in a block`);
      }
    }

    // 3. Storage of the custom pallets.
    log(`decoding the custom pallets' storage at #${finalized}`);
    const samples = await decodeStorage(api, meta, finalizedHash, stats);

    // 4. Sidecar.
    let sidecarUrl = sidecarArg;
    if (!sidecarUrl) {
      sidecar = await startSidecar(wsUrl);
      sidecarUrl = sidecar.url;
    }
    log(`checking Sidecar at ${sidecarUrl}: /blocks/0..${finalized} and /pallets/* of the custom pallets`);
    await checkSidecarBlocks(sidecarUrl, blocks, meta, stats);
    await checkSidecarPallets(sidecarUrl, meta, samples, finalizedHash, stats);
    for (const [pallet, m] of Object.entries(meta)) {
      for (const c of m.calls) {
        if (!stats.sidecarCalls[pallet]?.[snakeToCamel(c.name)] && !NOT_EXERCISED.has(`${pallet}.${c.name}`)) fail(`Sidecar never showed call ${pallet}.${c.name}`);
      }
    }

    printSummary(meta, stats);
    console.log(`\nblocks decoded: ${blocks.length} (polkadot.js), ${stats.sidecarBlocks} (Sidecar); other Sidecar requests: ${stats.sidecarRequests}`);
    console.log(`custom-call arguments decoded identically by Sidecar and polkadot.js: ${stats.sidecarArgsMatched}`);
    if (stats.sidecarArgDiffs.length) console.log(`arguments of other pallets' calls rendered differently by Sidecar: ${[...new Set(stats.sidecarArgDiffs)].join(', ')}`);
    if (stats.sidecarStorageSkipped.length) console.log(`storage items not fetched one by one from Sidecar (empty maps): ${stats.sidecarStorageSkipped.join(', ')}`);
  } catch (e) {
    fail(e.stack ?? String(e));
  } finally {
    sidecar?.stop();
    await api.disconnect();
  }

  if (stats.pruned.length) {
    console.log(`\nNOTE: the node had pruned the state of ${stats.pruned.length} blocks (#${stats.pruned[0]}..#${stats.pruned.at(-1)}): ` +
      'not checked; run the node with --state-pruning archive to check every block');
  }
  if (stats.toHumanNoTip) {
    console.log(`\nknown polkadot.js limitation: Extrinsic.toHuman() throws for signed extrinsics without a tip ` +
      `(no ChargeTransactionPayment); worked around for ${stats.toHumanNoTip} extrinsics by decoding signer, era, nonce and call separately`);
  }
  if (warnings.length) {
    console.log(`\nwarnings printed by polkadot.js (${warnings.length}):`);
    for (const w of warnings) console.log(`  - ${w.length > 300 ? `${w.slice(0, 300)}...` : w}`);
  }
  console.log(`\nwall time ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (failures.length) {
    console.log(`\nEXPLORER CHECK FAILED: ${failures.length} failure(s)`);
    process.exit(1);
  }
  console.log('\nEXPLORER CHECK PASSED');
  process.exit(0);
}

main();
