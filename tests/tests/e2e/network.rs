//! The four-validator local network on loopback: it finalizes; losing one validator does not
//! stop finality; the stopped validator restarts and catches up; an unauthorised node gets no
//! validator peers; a fifth validator added by a council motion authors blocks after the
//! session change. Observations are printed (run with `--nocapture` to see them).

use std::time::{Duration, Instant};

use healthchain_tests::client::subxt::ext::scale_decode::DecodeAsType;
use healthchain_tests::client::subxt::utils::MultiAddress;
use healthchain_tests::{
	council_motion, key, node_key,
	runtime::{
		self,
		runtime_types::{
			healthchain_runtime::{RuntimeCall, SessionKeys},
			pallet_membership::pallet::Call as CouncilMembershipCall,
			pallet_node_authorization::pallet::Call as NodeAuthorizationCall,
			pallet_validator_set::pallet::Call as ValidatorSetCall,
		},
	},
	start_local_network, submit, Node, NodeConfig, PATIENCE,
};
use jsonrpsee::{core::client::ClientT, rpc_params};
use serde::Deserialize;
use sp_core::Bytes;

/// `author_rotateKeysWithOwner`'s answer.
#[derive(Deserialize)]
struct RotatedKeys {
	keys: Bytes,
	proof: Bytes,
}

#[tokio::test(flavor = "multi_thread")]
async fn four_validators_survive_a_loss_catch_up_refuse_strangers_and_admit_a_fifth() {
	let tmp = tempfile::tempdir().unwrap();
	let base = tmp.path();
	let t0 = Instant::now();
	let mut others = start_local_network(base).await;
	let alice = others.remove(0);

	// The network finalizes.
	let (f0, _) = alice.wait_finalized(3).await;
	println!("four validators: finalized #{f0} {:?} after the first node started", t0.elapsed());

	// Stop dave: three of four validators still finalize.
	let mut dave = others.pop().unwrap();
	let dave_cfg = NodeConfig::local_validator(3, Some(base), Some(alice.multiaddr(1)));
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

	// A fifth validator (eve's node) joins by council motion: its operator joins the council
	// (only operators may set session keys), node authorisation and validator set in one
	// batch; then session keys through author_rotateKeysWithOwner + session.setKeys.
	let mut eve_cfg = NodeConfig {
		chain: "local".into(),
		args: vec!["--validator".into(), "--bootnodes".into(), alice.multiaddr(1)],
		base_path: Some(base.join("eve")),
		p2p_port: None,
		node_key: Some(node_key(6)),
		rpc_port: None,
		host: None,
	};
	eve_cfg.args.push("--name".into());
	eve_cfg.args.push("eve".into());
	let eve = Node::start(eve_cfg).await;
	let eve_peer: String = eve.peer_id().await;
	let operator = key("//Eve//operator");
	let eve_account = operator.public_key().to_account_id();
	let client = alice.client().await;

	let owner = format!("0x{}", hex::encode(operator.public_key().0));
	let rotated: RotatedKeys = eve
		.rpc()
		.request("author_rotateKeysWithOwner", rpc_params![owner])
		.await
		.expect("rotate keys");
	// The keys' type is the runtime's `T::Keys`, named by the metadata of `Session.set_keys`.
	let at = client.api().at_current_block().await.expect("a block");
	let metadata = at.metadata();
	let keys_type = metadata
		.pallet_by_name("Session")
		.and_then(|p| p.call_variant_by_name("set_keys"))
		.map(|v| v.fields[0].ty.id)
		.expect("Session.set_keys in the metadata");
	let keys = SessionKeys::decode_as_type(&mut &rotated.keys[..], keys_type, metadata.types())
		.expect("two session keys");

	let peer_bytes = bs58::decode(&eve_peer).into_vec().unwrap();
	let motion =
		RuntimeCall::Utility(runtime::runtime_types::pallet_utility::pallet::Call::batch_all {
			calls: vec![
				RuntimeCall::CouncilMembership(CouncilMembershipCall::add_member {
					who: MultiAddress::Id(eve_account),
				}),
				RuntimeCall::ValidatorSet(ValidatorSetCall::add_validator {
					validator: eve_account,
				}),
				RuntimeCall::NodeAuthorization(NodeAuthorizationCall::add_well_known_node {
					node: runtime::runtime_types::sp_core::OpaquePeerId(peer_bytes),
					owner: MultiAddress::Id(eve_account),
				}),
			],
		});
	let closed = council_motion(&client, motion).await;
	assert!(closed.event::<runtime::validator_set::events::ValidatorAdded>().is_some());
	submit(&client, &operator, &runtime::tx().session().set_keys(keys, rotated.proof.0)).await;
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
