//! The four-validator local network on loopback: it finalizes; losing one validator does not
//! stop finality; the stopped validator restarts and catches up; an unauthorised node gets no
//! validator peers; a fifth validator added by a council motion authors blocks after the
//! session change. Observations are printed (run with `--nocapture` to see them).

use std::time::{Duration, Instant};

use healthchain_tests::{node_key, Node, NodeConfig, PATIENCE};
use jsonrpsee::{core::client::ClientT, rpc_params};
use serde_json::Value as Json;
use subxt::{
	dynamic::{self, Value},
	ext::scale_value::At,
	OnlineClient, PolkadotConfig,
};
use subxt_signer::sr25519::{dev, Keypair};

const NAMES: [&str; 4] = ["alice", "bob", "charlie", "dave"];

fn validator(i: usize, base: &std::path::Path, boot: Option<&Node>) -> NodeConfig {
	let mut args = vec!["--validator".to_string(), format!("--{}", NAMES[i])];
	if let Some(b) = boot {
		args.push("--bootnodes".into());
		args.push(b.multiaddr(1));
	}
	NodeConfig {
		chain: "local".into(),
		args,
		base_path: Some(base.join(NAMES[i])),
		p2p_port: None,
		node_key: Some(node_key(i as u8 + 1)),
	}
}

/// Flattens a decoded SCALE value of bytes (`[u8; N]`, newtypes of it) into bytes.
fn value_bytes(v: &Value) -> Vec<u8> {
	use subxt::ext::scale_value::{Composite, ValueDef};
	match &v.value {
		ValueDef::Primitive(p) => vec![p.as_u128().unwrap_or(0) as u8],
		ValueDef::Composite(Composite::Named(fields)) => {
			fields.iter().flat_map(|(_, v)| value_bytes(v)).collect()
		},
		ValueDef::Composite(Composite::Unnamed(fields)) => {
			fields.iter().flat_map(value_bytes).collect()
		},
		_ => vec![],
	}
}

async fn submit(
	api: &OnlineClient<PolkadotConfig>,
	signer: &Keypair,
	pallet: &str,
	call: &str,
	fields: Vec<Value>,
) -> Vec<(String, String, Value)> {
	let tx = dynamic::transaction(pallet, call, fields);
	let at = api.at_current_block().await.expect("block");
	let events = at
		.transactions()
		.sign_and_submit_then_watch_default(&tx, signer)
		.await
		.unwrap_or_else(|e| panic!("{pallet}.{call} submitted: {e:?}"))
		.wait_for_finalized_success()
		.await
		.unwrap_or_else(|e| panic!("{pallet}.{call} succeeded: {e:?}"));
	events
		.iter()
		.filter_map(Result::ok)
		.map(|e| {
			let fields = e.decode_fields_unchecked_as::<Value>().expect("fields decode");
			(e.pallet_name().to_string(), e.event_name().to_string(), fields)
		})
		.collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn four_validators_survive_a_loss_catch_up_refuse_strangers_and_admit_a_fifth() {
	let tmp = tempfile::tempdir().unwrap();
	let base = tmp.path();
	let t0 = Instant::now();
	let alice = Node::start(validator(0, base, None)).await;
	let mut others = Vec::new();
	for i in 1..4 {
		others.push(Node::start(validator(i, base, Some(&alice))).await);
	}

	// The network finalizes.
	let (f0, _) = alice.wait_finalized(3).await;
	println!("four validators: finalized #{f0} {:?} after the first node started", t0.elapsed());

	// Stop dave: three of four validators still finalize.
	let mut dave = others.pop().unwrap();
	let dave_cfg = validator(3, base, Some(&alice));
	assert!(dave.stop().success(), "dave exits cleanly");
	drop(dave);
	let (f1, _) = alice.finalized().await;
	let t1 = Instant::now();
	let (f2, _) = alice.wait_finalized(f1 + 5).await;
	println!("dave stopped: finalized #{f1} -> #{f2} in {:?} with three validators", t1.elapsed());

	// Dave restarts on the same base path and catches up.
	let t2 = Instant::now();
	let (target, _) = alice.finalized().await;
	let dave = Node::start(dave_cfg).await;
	dave.wait_finalized(target).await;
	println!(
		"dave restarted: caught up to the network's finalized #{target} {:?} after the restart command",
		t2.elapsed()
	);
	others.push(dave);

	// An unauthorised node (node key 9) gets no connections to the validators.
	let mut stranger_cfg = NodeConfig::dev_full_node(&alice, 2);
	stranger_cfg.chain = "local".into();
	stranger_cfg.node_key = Some(node_key(9));
	let stranger = Node::start(stranger_cfg).await;
	tokio::time::sleep(Duration::from_secs(20)).await;
	assert_eq!(stranger.peers().await, 0, "an unauthorised node has no validator peers");
	assert_eq!(stranger.best_number().await, 0, "and imports no block");
	println!("unauthorised node: 0 peers and best #0 after 20 s");
	drop(stranger);

	// A fifth validator (eve) joins by council motion: node authorisation and validator set
	// in one batch, session keys through author_rotateKeysWithOwner + session.setKeys.
	let mut eve_cfg = NodeConfig {
		chain: "local".into(),
		args: vec!["--validator".into(), "--bootnodes".into(), alice.multiaddr(1)],
		base_path: Some(base.join("eve")),
		p2p_port: None,
		node_key: Some(node_key(5)),
	};
	eve_cfg.args.push("--name".into());
	eve_cfg.args.push("eve".into());
	let eve = Node::start(eve_cfg).await;
	let eve_peer: String = eve.peer_id().await;
	let eve_account = dev::eve().public_key().0;
	let api = OnlineClient::<PolkadotConfig>::from_url(alice.ws_url()).await.unwrap();

	let owner = format!("0x{}", hex::encode(eve_account));
	let generated: Json = eve
		.rpc()
		.request("author_rotateKeysWithOwner", rpc_params![owner])
		.await
		.expect("rotate keys");
	let keys = hex::decode(generated["keys"].as_str().unwrap().trim_start_matches("0x")).unwrap();
	let proof = hex::decode(generated["proof"].as_str().unwrap().trim_start_matches("0x")).unwrap();
	// The session keys are two 32-byte public keys (aura, grandpa).
	let keys_value = Value::named_composite([
		("aura", Value::from_bytes(&keys[0..32])),
		("grandpa", Value::from_bytes(&keys[32..64])),
	]);
	submit(&api, &dev::eve(), "Session", "set_keys", vec![keys_value, Value::from_bytes(&proof)])
		.await;

	let peer_bytes = bs58::decode(&eve_peer).into_vec().unwrap();
	let motion = Value::unnamed_variant(
		"Utility",
		[Value::named_variant(
			"batch_all",
			[(
				"calls",
				Value::unnamed_composite([
					Value::unnamed_variant(
						"ValidatorSet",
						[Value::named_variant(
							"add_validator",
							[("validator", Value::from_bytes(eve_account))],
						)],
					),
					Value::unnamed_variant(
						"NodeAuthorization",
						[Value::named_variant(
							"add_well_known_node",
							[
								("node", Value::from_bytes(&peer_bytes)),
								(
									"owner",
									Value::unnamed_variant("Id", [Value::from_bytes(eve_account)]),
								),
							],
						)],
					),
				]),
			)],
		)],
	);
	let events = submit(
		&api,
		&dev::alice(),
		"Council",
		"propose",
		vec![Value::u128(3), motion, Value::u128(100_000)],
	)
	.await;
	let proposed = events
		.iter()
		.find(|(p, e, _)| p == "Council" && e == "Proposed")
		.expect("Council.Proposed");
	let hash = value_bytes(proposed.2.at("proposal_hash").expect("proposal_hash"));
	let index = proposed.2.at("proposal_index").and_then(|v| v.as_u128()).expect("proposal_index");
	for voter in [dev::alice(), dev::bob(), dev::charlie()] {
		submit(
			&api,
			&voter,
			"Council",
			"vote",
			vec![Value::from_bytes(&hash), Value::u128(index), Value::bool(true)],
		)
		.await;
	}
	let weight = Value::named_composite([
		("ref_time", Value::u128(10_000_000_000)),
		("proof_size", Value::u128(1_000_000)),
	]);
	let events = submit(
		&api,
		&dev::alice(),
		"Council",
		"close",
		vec![Value::from_bytes(&hash), Value::u128(index), weight, Value::u128(100_000)],
	)
	.await;
	assert!(
		events.iter().any(|(p, e, _)| p == "Council" && e == "Executed"),
		"the motion executed: {events:?}"
	);
	assert!(events.iter().any(|(p, e, _)| p == "ValidatorSet" && e == "ValidatorAdded"));
	let t3 = Instant::now();

	// After the session change eve authors blocks.
	loop {
		if eve.log().contains("Pre-sealed block for proposal") {
			break;
		}
		assert!(
			t3.elapsed() < PATIENCE * 2,
			"eve never authored; log tail:\n{}",
			healthchain_tests::tail(&eve.log(), 30)
		);
		tokio::time::sleep(Duration::from_secs(2)).await;
	}
	println!("fifth validator: first block authored {:?} after the motion executed", t3.elapsed());
	let (f, _) = alice.finalized().await;
	alice.wait_finalized(f + 3).await;
}
