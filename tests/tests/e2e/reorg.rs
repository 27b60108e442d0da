//! A real reorg through block import: two validators of the local network build separate
//! forks while disconnected, each anchoring a different record for the same patient at the
//! same log position. When they connect, the node on the shorter fork switches to the longer
//! one; its `health_records` must then serve only the winning fork's entry, and the head of
//! the abandoned fork must not be accepted as a cursor. (Neither fork is finalized: two of
//! four GRANDPA voters cannot finalize, so this is exactly the "reorg below finality" case.)

use healthchain_primitives::{demo::demo_patient, logs::RecordEntry, DataCategory};
use healthchain_tests::{
	calls, key, node_key,
	rpc::{PageParams, RecordJson},
	HealthRpcClient, Node, NodeConfig, Wait, PATIENCE,
};
use jsonrpsee::{core::client::ClientT, rpc_params};
use sp_core::H256;
use std::time::{Duration, Instant};

fn validator(name: &str, n: u8) -> NodeConfig {
	NodeConfig {
		chain: "local".into(),
		// Without peers a validator of a multi-authority chain would wait for the network.
		args: vec!["--validator".into(), format!("--{name}"), "--force-authoring".into()],
		base_path: None,
		p2p_port: None,
		node_key: Some(node_key(n)),
		rpc_port: None,
		host: None,
	}
}

/// Enrols the demo patient and anchors a record with `content` as its hash, on one fork:
/// submitted to this node's pool only (no peers yet), each waited for in its best chain.
async fn enrol_and_anchor(node: &Node, content: H256) {
	let p = demo_patient();
	let client = node.client().await;
	let enrol = calls::enrol(p, calls::all_sources());
	client.submit(&key("//Alice//stash"), &enrol, Wait::InBlock).await.expect("enrol");
	let anchor = calls::anchor(p, DataCategory::Allergy, content, 100, None);
	client.submit(&key("//Eve"), &anchor, Wait::InBlock).await.expect("anchor");
}

fn hash_of(entry: &RecordJson) -> H256 {
	match entry {
		RecordJson::Anchor { content_hash, .. } | RecordJson::Revoke { content_hash, .. } => {
			*content_hash
		},
	}
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reorg_below_finality_never_serves_the_abandoned_fork() {
	let (losing, winning) = (H256::repeat_byte(0x11), H256::repeat_byte(0x22));
	// Bob's fork starts first and stays ahead: both authorities author one slot in four.
	let bob = Node::start(validator("bob", 2)).await;
	let start = Instant::now();
	while bob.best_number().await < 3 {
		assert!(start.elapsed() < PATIENCE, "bob authors no blocks; log:\n{}", bob.log());
		tokio::time::sleep(Duration::from_millis(500)).await;
	}
	let alice = Node::start(validator("alice", 1)).await;
	assert_eq!(alice.peers().await, 0);
	tokio::join!(enrol_and_anchor(&alice, losing), enrol_and_anchor(&bob, winning));

	// Alice's fork: the losing entry at index 0.
	let p = demo_patient();
	let before = alice.rpc().records(p, None).await.unwrap();
	assert_eq!(hash_of(&before.entries[0].entry), losing);
	let abandoned_head = before.head;
	let abandoned_block = before.entries[0].block_number as u64;
	let abandoned_hash = alice.block_hash(abandoned_block).await.unwrap();
	assert_eq!(alice.finalized().await.0, 0, "two of four voters cannot finalize");

	// Make sure bob's fork is longer, then connect alice to bob.
	let start = Instant::now();
	while bob.best_number().await <= alice.best_number().await + 1 {
		assert!(start.elapsed() < PATIENCE, "bob's fork never got ahead");
		tokio::time::sleep(Duration::from_millis(500)).await;
	}
	alice
		.rpc()
		.request::<serde_json::Value, _>("system_addReservedPeer", rpc_params![bob.multiaddr(2)])
		.await
		.unwrap();

	// Alice re-organises onto bob's fork.
	let start = Instant::now();
	loop {
		if alice.block_hash(abandoned_block).await != Some(abandoned_hash) {
			let n = alice.best_number().await;
			if alice.block_hash(n).await == bob.block_hash(n).await {
				break;
			}
		}
		assert!(start.elapsed() < PATIENCE, "alice never switched forks; log:\n{}", alice.log());
		tokio::time::sleep(Duration::from_millis(500)).await;
	}

	// Only the winning fork's entry is served, and it verifies against the on-chain head.
	let after = alice.rpc().records(p, None).await.unwrap();
	assert_eq!(after.count, 1, "{after:?}");
	assert_eq!(hash_of(&after.entries[0].entry), winning, "{after:?}");
	assert_ne!(after.head, abandoned_head);
	after.verified::<RecordEntry>(after.head).expect("the served log verifies");
	let on_bob = bob.rpc().records(p, None).await.unwrap();
	assert_eq!((&after.head, &after.entries), (&on_bob.head, &on_bob.entries));
	// The abandoned fork's head is no cursor into the canonical log.
	let page = PageParams { cursor: Some(abandoned_head), ..Default::default() };
	match alice.rpc().records(p, Some(page)).await {
		Err(jsonrpsee::core::ClientError::Call(c)) => assert_eq!(c.code(), 4001),
		other => panic!("the abandoned head must be refused as a cursor: {other:?}"),
	}
	// The losing anchor's transaction is stale on the winning fork and never comes back.
	tokio::time::sleep(Duration::from_secs(10)).await;
	let later = alice.rpc().records(p, None).await.unwrap();
	assert!(later.entries.iter().all(|e| hash_of(&e.entry) != losing), "{later:?}");
	println!(
		"reorg: alice's fork had the losing anchor in block #{abandoned_block}; after connecting she follows bob's fork (best #{})",
		alice.best_number().await
	);
}
