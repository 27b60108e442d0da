//! A development node end to end: it finalizes, includes a signed extrinsic in a finalized
//! block, refuses strangers at the pool, shuts down cleanly on SIGINT and keeps its
//! finalized chain across a restart.

use healthchain_tests::{
	client::subxt::transactions::{DefaultParams, TransactionInvalid, ValidationResult},
	dev, runtime, submit, Keypair, Node, NodeConfig,
};

#[tokio::test(flavor = "multi_thread")]
async fn dev_node_finalizes_and_includes_a_signed_extrinsic_then_exits_cleanly() {
	let mut node = Node::start(NodeConfig::dev()).await;
	let (first_final, _) = node.wait_finalized(1).await;
	assert!(first_final >= 1);

	let client = node.client().await;
	let remark = runtime::tx().system().remark_with_event(b"healthchain".to_vec());
	let included = submit(&client, &dev::alice(), &remark).await;
	assert!(
		included.event::<runtime::system::events::Remarked>().is_some(),
		"System.Remarked emitted"
	);
	// The block that holds it is on the finalized chain.
	let n = included.block_number;
	let (finalized, _) = node.finalized().await;
	assert!(finalized >= n, "block #{n} with the extrinsic is finalized (finalized: #{finalized})");
	assert_eq!(node.block_hash(n).await, Some(included.block_hash));

	let status = node.stop();
	assert!(
		status.success(),
		"clean exit on SIGINT, got {status:?}; log:\n{}",
		healthchain_tests::tail(&node.log(), 30)
	);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stranger_is_refused_by_the_pool_with_the_permission_code() {
	let node = Node::start(NodeConfig::dev()).await;
	node.wait_finalized(1).await;
	let client = node.client().await;
	let stranger = Keypair::from_secret_key([7u8; 32]).expect("a key");
	let remark = runtime::tx().system().remark(b"let me in".to_vec());
	let at = client.api().at_current_block().await.expect("current block");
	let mut txs = at.transactions();
	let signed = txs
		.create_signed(&remark, &stranger, DefaultParams::default_params())
		.await
		.expect("a stranger can still sign");
	// The runtime's pool validation refuses it with the documented code...
	match signed.validate().await.expect("validation runs") {
		ValidationResult::Invalid(TransactionInvalid::Custom(code)) => assert_eq!(code, 10),
		other => panic!("expected InvalidTransaction::Custom(10), got {other:?}"),
	}
	// ...and so does the pool behind author_submitExtrinsic, as a JSON-RPC error.
	let hex_tx = format!("0x{}", hex::encode(signed.encoded()));
	let err = {
		use jsonrpsee::{core::client::ClientT, rpc_params};
		node.rpc()
			.request::<String, _>("author_submitExtrinsic", rpc_params![hex_tx])
			.await
			.expect_err("the pool refuses a stranger")
	};
	let msg = err.to_string();
	println!("stranger refused: {msg}");
	assert!(msg.contains("Custom error: 10"), "documented code 10, got: {msg}");
	// An operator still gets in.
	let ok = txs.sign_and_submit_default(&remark, &dev::alice()).await;
	assert!(ok.is_ok(), "an operator's transaction is accepted: {ok:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn restart_on_the_same_base_path_keeps_the_finalized_chain() {
	let tmp = tempfile::tempdir().expect("tmp");
	let base = tmp.path().join("node");
	let mut config = NodeConfig::dev();
	config.base_path = Some(base.clone());

	let mut node = Node::start(config.clone()).await;
	let (n, hash) = node.wait_finalized(3).await;
	assert!(node.stop().success());
	drop(node);

	let node = Node::start(config).await;
	// Right after the restart, before any new block, the old finalized block is there.
	assert_eq!(node.block_hash(n).await, Some(hash), "block #{n} survived");
	let (after, _) = node.finalized().await;
	assert!(after >= n, "finalized #{after} is not behind #{n} after restart");
	// And the chain goes on from there.
	node.wait_finalized(n + 2).await;
	assert_eq!(node.block_hash(n).await, Some(hash));
}
