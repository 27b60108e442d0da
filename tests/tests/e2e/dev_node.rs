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

/// `benchmark overhead` runs on this fee-less chain: blocks of operators' signed remarks (every
/// transaction extension, the permission gate and the quotas included) until the block is full,
/// and writes the two weight files the runtime imports. A short run: figures come from
/// `scripts/weights`, this only shows the command works and what it writes.
///
/// The `benchmark` subcommands are only in the node built with `--features benchmark-cli`,
/// which `scripts/weights` builds (the everyday build leaves that tree out): `scripts/weights
/// check` runs this test against it (`HEALTHCHAIN_BENCH_NODE`).
#[test]
#[ignore = "needs the benchmark-cli node: run by `scripts/weights check`"]
fn benchmark_overhead_builds_signed_remark_blocks_and_writes_the_base_weights() {
	let dir = tempfile::tempdir().expect("a temporary directory");
	let node = std::env::var("HEALTHCHAIN_BENCH_NODE")
		.expect("HEALTHCHAIN_BENCH_NODE names the node built with --features benchmark-cli");
	let out = std::process::Command::new(node)
		.args(["benchmark", "overhead", "--chain", "dev", "--wasm-execution", "compiled"])
		.args(["--warmup", "1", "--repeat", "3", "--weight-path"])
		.arg(dir.path())
		.output()
		.expect("the node binary runs");
	let log = String::from_utf8_lossy(&out.stderr);
	assert!(out.status.success(), "benchmark overhead failed:\n{log}");
	// Three operators sign in turn, 200 calls a block each: the quota, not the weight, ends
	// the benchmark's block.
	assert!(log.contains("Extrinsics per block: 600"), "{log}");
	for (file, constant) in [
		("block_weights.rs", "pub const BlockExecutionWeight: Weight"),
		("extrinsic_weights.rs", "pub const ExtrinsicBaseWeight: Weight"),
	] {
		let text = std::fs::read_to_string(dir.path().join(file)).expect("the file is written");
		assert!(text.contains(constant), "{file} defines {constant}");
	}
}

/// The million-patient genesis of `healthchain-bench`, short: 300 patients built by the
/// runtime's own genesis builder in three chunks of 100, the chunks' storage merged; a node on
/// the merged spec knows every one of them as registered and enrolled, and nobody else.
#[tokio::test(flavor = "multi_thread")]
async fn a_genesis_built_in_chunks_registers_and_enrols_every_patient() {
	use healthchain_primitives::{Decision, DenyReason, PermitBasis};
	use healthchain_tests::{
		check_allergies,
		genesis::{genesis_patient, spec_with_patients},
		HealthRpcClient,
	};
	let (dir, other) = (tempfile::tempdir(), tempfile::tempdir());
	let (dir, other) = (dir.expect("a temporary directory"), other.expect("another"));
	let (spec, keys) = spec_with_patients(dir.path(), 300, 100);
	let (_, keys_of_100) = spec_with_patients(other.path(), 100, 100);
	assert_eq!(keys - keys_of_100, 200 * 4, "health ID, binding, account, consent a patient");
	let mut config = NodeConfig::dev();
	config.chain = spec.to_str().expect("a UTF-8 path").to_string();
	let node = Node::start(config).await;
	let decision = |i: u64| {
		let rpc = node.rpc();
		async move {
			let params = check_allergies("MD10001", "H0001", genesis_patient(i));
			rpc.check_access(params).await.expect("health_checkAccess answers").decision
		}
	};
	for i in [0, 99, 100, 199, 299] {
		assert_eq!(decision(i).await, Decision::Permit(PermitBasis::Enrolment), "patient {i}");
	}
	assert_eq!(decision(300).await, Decision::Deny(DenyReason::UnknownPatient));
}
