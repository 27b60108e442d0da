//! A runtime upgrade by the council on the running four-validator local network: the next
//! release's wasm (`healthchain_runtime::next`, `spec_version` one higher, built without
//! benchmarks by `runtime/build.rs`) goes in through `Governance.dispatch_as_root(
//! System.set_code)`; the health-id pallet's storage migration from version 0 (pending rebinds
//! without `contested`) runs once in the upgrade's first block; the state decodes; blocks and
//! finality go on on the same node binaries, which are not restarted; a long-lived client
//! keeps submitting; a node started afterwards syncs through the upgrade from genesis.
//!
//! The chain is started on this tree's runtime, whose health-id storage is at version 1. To
//! give the migration real work, a first council motion (`System.set_storage`) puts the
//! pallet back where a spec 102 chain had it: its two pending rebinds re-written in the
//! version 0 layout and its storage version 0. Observations are printed (`--nocapture`).

use std::time::Instant;

use codec::Encode;
use healthchain_primitives::HealthId;
use healthchain_tests::client::subxt::utils::AccountId32;
use healthchain_tests::{
	calls, council_motion, demo, key, register_test_patient_by,
	runtime::{
		self,
		runtime_types::{
			frame_system::pallet::Call as SystemCall,
			healthchain_runtime::RuntimeCall,
			pallet_governance::pallet::Call as GovernanceCall,
			pallet_health_id::types::{Controller, PendingRebind},
		},
	},
	start_local_network, submit, Client, Node, NodeConfig, Static,
};
use jsonrpsee::{core::client::ClientT, rpc_params};
use sp_core::Bytes;
use sp_crypto_hashing::{blake2_128, twox_128};

/// The raw key of the health-id pallet's on-chain storage version.
fn storage_version_key() -> Vec<u8> {
	[twox_128(b"HealthIds"), twox_128(b":__STORAGE_VERSION__:")].concat()
}

/// The raw key of `HealthIds.PendingRebinds[id]` (`Blake2_128Concat`).
fn pending_rebind_key(id: HealthId) -> Vec<u8> {
	[&twox_128(b"HealthIds")[..], &twox_128(b"PendingRebinds"), &blake2_128(&id.0), &id.0].concat()
}

/// The raw key of `HealthIds.PendingKeys[who]` (`Blake2_128Concat`).
fn pending_key_key(who: &[u8; 32]) -> Vec<u8> {
	[&twox_128(b"HealthIds")[..], &twox_128(b"PendingKeys"), &blake2_128(who), who].concat()
}

/// The raw value at `key`, at the best block.
async fn raw(node: &Node, key: &[u8]) -> Option<Vec<u8>> {
	let value: Option<Bytes> = node
		.rpc()
		.request("state_getStorage", rpc_params![Bytes(key.to_vec())])
		.await
		.expect("state_getStorage");
	value.map(|b| b.0)
}

/// The raw value at `key`, at block `n` of the node's best chain.
async fn raw_at(node: &Node, key: &[u8], n: u64) -> Option<Vec<u8>> {
	let at = node.block_hash(n).await.expect("the block");
	let value: Option<Bytes> = node
		.rpc()
		.request("state_getStorage", rpc_params![Bytes(key.to_vec()), at])
		.await
		.expect("state_getStorage");
	value.map(|b| b.0)
}

/// The spec version block `n` of the node's best chain runs.
async fn spec_version_at(node: &Node, n: u64) -> u64 {
	let at = node.block_hash(n).await.expect("the block");
	let version: serde_json::Value =
		node.rpc().request("state_getRuntimeVersion", rpc_params![at]).await.expect("version");
	version["specVersion"].as_u64().expect("specVersion")
}

/// How many times the node logged running a versioned migration (once per block it executed
/// with the migration: a fork at the upgrade's height makes it twice).
fn migration_runs(node: &Node) -> usize {
	node.log().matches("VersionedMigration migrating storage version from").count()
}

/// `HealthIds.PendingRebinds[id]` at the best block, decoded with the metadata's type.
async fn pending_rebind(
	client: &Client,
	id: HealthId,
) -> Result<PendingRebind<AccountId32, u32>, String> {
	let at = client.api().at_current_block().await.map_err(|e| e.to_string())?;
	let entry = at
		.storage()
		.entry(runtime::storage().health_ids().pending_rebinds())
		.map_err(|e| e.to_string())?;
	let value = entry.fetch((Static(id),)).await.map_err(|e| e.to_string())?;
	value.decode().map_err(|e| e.to_string())
}

/// The spec version the node's best block runs.
async fn spec_version(node: &Node) -> u64 {
	let version: serde_json::Value =
		node.rpc().request("state_getRuntimeVersion", rpc_params![]).await.expect("version");
	version["specVersion"].as_u64().expect("specVersion")
}

/// Passes `call` through the council as root and checks that it succeeded.
async fn as_root(client: &Client, call: RuntimeCall) {
	let motion = RuntimeCall::Governance(GovernanceCall::dispatch_as_root { call: Box::new(call) });
	let closed = council_motion(client, motion).await;
	let dispatched = closed
		.event::<runtime::governance::events::DispatchedAsRoot>()
		.expect("Governance.DispatchedAsRoot");
	assert!(dispatched.result.is_ok(), "the root call succeeded: {:?}", dispatched.result);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_council_upgrades_a_running_network_and_the_migration_runs_once() {
	let next = healthchain_runtime::next::WASM_BINARY.expect("the next runtime is built");
	let tmp = tempfile::tempdir().unwrap();
	let nodes = start_local_network(tmp.path()).await;
	let alice = &nodes[0];
	alice.wait_finalized(2).await;
	assert_eq!(spec_version(alice).await, 105);
	let client = alice.client().await;

	// Two patients, each with a rebind scheduled by the registrar (`//One` on the local
	// network): two pending rebinds, uncontested.
	let registrar = key("//One");
	let ids = [demo::test_patient(901), demo::test_patient(902)];
	let mut new_phones = Vec::new();
	for (n, id) in [901, 902].into_iter().zip(ids) {
		register_test_patient_by(&client, &registrar, n, &key(&format!("//UpgradePatient{n}")))
			.await;
		let new_phone =
			key(&format!("//UpgradePatient{n}//new-phone")).public_key().to_account_id();
		new_phones.push(pending_key_key(&new_phone.0));
		submit(&client, &registrar, &calls::rebind_controller(id, Controller::Key(new_phone)))
			.await;
		let stored = pending_rebind(&client, id).await.expect("a pending rebind");
		assert!(!stored.contested);
	}

	// Back to the state of a spec 102 chain: the entries without their last byte (`contested`,
	// false), no index of the pending keys (version 2's) and storage version 0.
	let mut items = vec![(storage_version_key(), 0u16.encode())];
	let mut originals = Vec::new();
	for id in ids {
		let key = pending_rebind_key(id);
		let value = raw(alice, &key).await.expect("the pending rebind's raw value");
		originals.push(value.clone());
		let (last, old_layout) = value.split_last().expect("not empty");
		assert_eq!(*last, 0, "the version 1 layout ends with `contested: false`");
		items.push((key, old_layout.to_vec()));
	}
	as_root(&client, RuntimeCall::System(SystemCall::set_storage { items })).await;
	for k in &new_phones {
		assert!(raw(alice, k).await.is_some(), "the new key is indexed by spec 105");
	}
	as_root(&client, RuntimeCall::System(SystemCall::kill_storage { keys: new_phones.clone() }))
		.await;
	assert_eq!(raw(alice, &new_phones[0]).await, None);
	assert_eq!(raw(alice, &storage_version_key()).await, Some(0u16.encode()));
	assert!(
		pending_rebind(&client, ids[0]).await.is_err(),
		"the version 0 layout does not decode as version 1"
	);

	// The upgrade, by council motion.
	println!("next runtime: {} bytes (compressed wasm)", next.len());
	let (before, _) = alice.finalized().await;
	let t0 = Instant::now();
	as_root(&client, RuntimeCall::System(SystemCall::set_code { code: next.to_vec() })).await;
	println!("set_code motion carried {:?} after it was proposed", t0.elapsed());
	let upgrade_block = client.best_number().await.expect("best block");
	assert!(upgrade_block > before);

	// Every node runs spec 106 and finalizes past the upgrade.
	let t1 = Instant::now();
	for node in &nodes {
		let (f, _) = node.wait_finalized(upgrade_block + 3).await;
		assert_eq!(spec_version(node).await, 106, "every node runs the new runtime");
		assert!(f > before);
	}
	println!(
		"all four validators finalized #{} on spec 106 {:?} after the motion, without restarts",
		upgrade_block + 3,
		t1.elapsed()
	);

	// The migration ran once, in the finalized chain's first block executed by spec 106: the
	// block after the one that set the code (whose state holds the new code, so the runtime
	// version at it is already 106). Storage version 0 up to the code's block, 2 from the
	// next on (both migrations, 0 to 1 and 1 to 2, ran in it); both entries decode as they
	// were, nothing lost, and both new keys are indexed again.
	let (finalized, _) = alice.finalized().await;
	let mut code_set = before;
	while spec_version_at(alice, code_set).await < 106 {
		code_set += 1;
		assert!(code_set < finalized, "no finalized block set the code");
	}
	let (first, version) = (code_set + 1, storage_version_key());
	assert_eq!(raw_at(alice, &version, code_set).await, Some(0u16.encode()));
	for n in first..=finalized {
		assert_eq!(raw_at(alice, &version, n).await, Some(2u16.encode()), "version 2 at #{n}");
	}
	for (k, id) in new_phones.iter().zip(ids) {
		assert_eq!(raw(alice, k).await, Some(id.encode()), "the pending key is indexed again");
	}
	for (id, original) in ids.into_iter().zip(&originals) {
		let migrated = pending_rebind(&client, id).await.expect("the migrated rebind decodes");
		assert!(!migrated.contested);
		let key = pending_rebind_key(id);
		assert_eq!(
			raw_at(alice, &key, code_set).await.map(|v| v.len()),
			Some(original.len() - 1),
			"the old layout before the upgrade block"
		);
		assert_eq!(
			raw(alice, &key).await.as_ref(),
			Some(original),
			"the rebind is byte for byte as it was before the rollback"
		);
	}
	let runs = migration_runs(alice);
	assert!(runs >= 1, "the node logged the migration");
	println!(
		"#{code_set} set the code; the migration ran in #{first}, the first block on spec 106 \
		 (Alice executed {runs} block(s) at that height)"
	);

	// The long-lived client (made before the upgrade) still submits: the key cancels one
	// rebind, and a rebind scheduled again within the contest window is contested. Were the
	// migration to run again, it would come back uncontested.
	let patient = key("//UpgradePatient901");
	submit(&client, &patient, &calls::cancel_rebind(ids[0])).await;
	let new_phone = key("//UpgradePatient901//new-phone").public_key().to_account_id();
	submit(&client, &registrar, &calls::rebind_controller(ids[0], Controller::Key(new_phone)))
		.await;
	let (f, _) = alice.finalized().await;
	alice.wait_finalized(f + 3).await;
	assert!(
		pending_rebind(&client, ids[0]).await.expect("decodes").contested,
		"a contested rebind written after the upgrade stays contested"
	);
	assert_eq!(migration_runs(alice), runs, "the migration did not run again");

	// A node started now syncs from genesis through the upgrade: it executes the old runtime,
	// the upgrade block with the migration and the new runtime, and agrees on every state
	// root. It takes Dave's authorised node key (the network allows only the demo's four),
	// so Dave stops first; three of four validators finalize.
	let mut nodes = nodes;
	let mut dave = nodes.pop().expect("dave");
	assert!(dave.stop().success(), "dave exits cleanly");
	drop(dave);
	let alice = &nodes[0];
	let mut fresh = NodeConfig::dev_full_node(alice, 4);
	fresh.chain = "local".into();
	let t2 = Instant::now();
	let fresh = Node::start(fresh).await;
	let (f, _) = alice.finalized().await;
	let (target, hash) = alice.wait_finalized(f + 2).await;
	fresh.wait_finalized(target).await;
	assert_eq!(fresh.block_hash(target).await, Some(hash), "the same finalized chain");
	assert_eq!(spec_version(&fresh).await, 106);
	println!("a new full node synced through the upgrade to #{target} in {:?}", t2.elapsed());
}
