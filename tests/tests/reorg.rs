//! A real reorg through block import: two validators of the local network build separate
//! forks while disconnected, each anchoring a different record for the same patient at the
//! same log position. When they connect, the node on the shorter fork switches to the longer
//! one; its `health_records` must then serve only the winning fork's entry, and the head of
//! the abandoned fork must not be accepted as a cursor. (Neither fork is finalized: two of
//! four GRANDPA voters cannot finalize, so this is exactly the "reorg below finality" case.)

use healthchain_primitives::{document::health_id_of, logs::LogHead, DocumentKind, HealthId};
use healthchain_tests::{node_key, Node, NodeConfig, PATIENCE};
use jsonrpsee::core::client::ClientT;
use serde_json::{json, Value as Json};
use sp_core::H256;
use std::time::{Duration, Instant};
use subxt::{
	dynamic::{self, Value},
	OnlineClient, PolkadotConfig,
};
use subxt_signer::{sr25519::Keypair, SecretUri};

const DEV_SECRET: &[u8; 32] = b"healthchain-dev-lookup-secret-01";

fn patient() -> HealthId {
	health_id_of(DEV_SECRET, DocumentKind::ThaiCitizenId, "1101700230708").unwrap()
}

fn key(uri: &str) -> Keypair {
	Keypair::from_uri(&uri.parse::<SecretUri>().unwrap()).unwrap()
}

fn validator(name: &str, n: u8) -> NodeConfig {
	NodeConfig {
		chain: "local".into(),
		// Without peers a validator of a multi-authority chain would wait for the network.
		args: vec!["--validator".into(), format!("--{name}"), "--force-authoring".into()],
		base_path: None,
		p2p_port: None,
		node_key: Some(node_key(n)),
	}
}

async fn rpc(node: &Node, method: &str, params: Vec<Json>) -> Result<Json, (i32, String)> {
	let mut p = jsonrpsee::core::params::ArrayParams::new();
	for v in params {
		p.insert(v).unwrap();
	}
	node.rpc().request(method, p).await.map_err(|e| match e {
		jsonrpsee::core::ClientError::Call(c) => (c.code(), c.message().to_string()),
		other => panic!("{method}: {other}"),
	})
}

/// Submits to this node's pool only (no peers yet) and waits until `done` holds at its best
/// block.
async fn submit_and_wait<F>(
	node: &Node,
	signer: &Keypair,
	pallet: &str,
	call: &str,
	fields: Vec<Value>,
	done: F,
) where
	F: Fn(&Json) -> bool,
{
	let api = OnlineClient::<PolkadotConfig>::from_url(node.ws_url()).await.unwrap();
	let tx = dynamic::transaction(pallet, call, fields);
	let at = api.at_current_block().await.unwrap();
	at.transactions()
		.sign_and_submit_default(&tx, signer)
		.await
		.unwrap_or_else(|e| panic!("{pallet}.{call}: {e}"));
	let start = Instant::now();
	loop {
		let recs = rpc(node, "health_records", vec![json!(patient().to_hex())]).await.unwrap();
		let consent = rpc(node, "health_consent", vec![json!(patient().to_hex())]).await.unwrap();
		if done(&json!({"records": recs, "consent": consent})) {
			return;
		}
		assert!(
			start.elapsed() < PATIENCE,
			"{pallet}.{call} never took effect; log:\n{}",
			node.log()
		);
		tokio::time::sleep(Duration::from_millis(500)).await;
	}
}

/// Enrols the demo patient and anchors a record with `content` as its hash, on one fork.
async fn enrol_and_anchor(node: &Node, content: [u8; 32]) {
	let p = patient();
	submit_and_wait(
		node,
		&key("//Alice//stash"),
		"Consent",
		"enrol",
		vec![Value::from_bytes(p.0), Value::unnamed_variant("All", vec![])],
		|s| s["consent"]["enrolled"] == true,
	)
	.await;
	submit_and_wait(
		node,
		&key("//Eve"),
		"Records",
		"anchor",
		vec![
			Value::from_bytes(p.0),
			Value::unnamed_variant("Allergy", vec![]),
			Value::from_bytes(content),
			Value::u128(100),
			Value::unnamed_variant("None", vec![]),
		],
		|s| s["records"]["count"] == 1,
	)
	.await;
}

fn hex32(b: [u8; 32]) -> String {
	format!("0x{}", hex::encode(b))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reorg_below_finality_never_serves_the_abandoned_fork() {
	let (losing, winning) = ([0x11u8; 32], [0x22u8; 32]);
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
	let before = rpc(&alice, "health_records", vec![json!(patient().to_hex())]).await.unwrap();
	assert_eq!(before["entries"][0]["entry"]["contentHash"], hex32(losing));
	let abandoned_head = before["head"].as_str().unwrap().to_string();
	let abandoned_block = before["entries"][0]["blockNumber"].as_u64().unwrap();
	let abandoned_hash = alice.block_hash(abandoned_block).await.unwrap();
	assert_eq!(alice.finalized().await.0, 0, "two of four voters cannot finalize");

	// Make sure bob's fork is longer, then connect alice to bob.
	let start = Instant::now();
	while bob.best_number().await <= alice.best_number().await + 1 {
		assert!(start.elapsed() < PATIENCE, "bob's fork never got ahead");
		tokio::time::sleep(Duration::from_millis(500)).await;
	}
	rpc(&alice, "system_addReservedPeer", vec![json!(bob.multiaddr(2))]).await.unwrap();

	// Alice re-organises onto bob's fork.
	let start = Instant::now();
	loop {
		if alice.block_hash(abandoned_block).await != Some(abandoned_hash.clone()) {
			let n = alice.best_number().await;
			if alice.block_hash(n).await == bob.block_hash(n).await {
				break;
			}
		}
		assert!(start.elapsed() < PATIENCE, "alice never switched forks; log:\n{}", alice.log());
		tokio::time::sleep(Duration::from_millis(500)).await;
	}

	// Only the winning fork's entry is served, and it verifies against the on-chain head.
	let after = rpc(&alice, "health_records", vec![json!(patient().to_hex())]).await.unwrap();
	assert_eq!(after["count"], 1, "{after}");
	let entry = &after["entries"][0];
	assert_eq!(entry["entry"]["contentHash"], hex32(winning), "{after}");
	assert_ne!(after["head"], abandoned_head);
	let prev = H256::from_slice(
		&hex::decode(entry["prevHead"].as_str().unwrap().trim_start_matches("0x")).unwrap(),
	);
	let encoded = hex::decode(entry["encoded"].as_str().unwrap().trim_start_matches("0x")).unwrap();
	assert_eq!(
		format!("0x{}", hex::encode(LogHead::next_head(&prev, &encoded).as_bytes())),
		after["head"].as_str().unwrap()
	);
	let on_bob = rpc(&bob, "health_records", vec![json!(patient().to_hex())]).await.unwrap();
	assert_eq!((&after["head"], &after["entries"]), (&on_bob["head"], &on_bob["entries"]));
	// The abandoned fork's head is no cursor into the canonical log.
	let (code, _) = rpc(
		&alice,
		"health_records",
		vec![json!(patient().to_hex()), json!({"cursor": abandoned_head})],
	)
	.await
	.unwrap_err();
	assert_eq!(code, 4001);
	// The losing anchor's transaction is stale on the winning fork and never comes back.
	tokio::time::sleep(Duration::from_secs(10)).await;
	let later = rpc(&alice, "health_records", vec![json!(patient().to_hex())]).await.unwrap();
	assert!(!later.to_string().contains(&hex32(losing)[2..]), "{later}");
	println!(
		"reorg: alice's fork had the losing anchor in block #{abandoned_block}; after connecting she follows bob's fork (best #{})",
		alice.best_number().await
	);
}
