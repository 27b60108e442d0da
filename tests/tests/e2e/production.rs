//! A production network from the operators' own keys (issue 15, part 1), as the README's
//! operator guide does it: keys made with the node's `key` commands, the network file,
//! `production-spec` to a raw chain spec, the validator's keys put in its keystore with
//! `key insert`, the validator started with the spec. It authors and finalizes; the chain is
//! `Live`, has no sudo, the council of three and the file's hospital. And the refusals: a
//! development key, a council of two, a demo node key and a lookup secret in the file.

use codec::Encode;
use healthchain_gateway::{chain::DEVELOPMENT_SECRET_ON_LIVE_CHAIN, wire::LocalApiClient};
use healthchain_tests::{
	node_binary, runtime, DevIdp, GatewayPrep, GatewayProcess, GatewaySpec, HealthRpcClient, Node,
	NodeConfig,
};
use jsonrpsee::{core::client::ClientT, rpc_params};
use serde_json::Value;
use sp_core::{
	crypto::{AccountId32, Ss58Codec},
	ed25519, sr25519, Pair,
};
use std::{path::Path, process::Command};

/// Runs the node binary with `args`; answers (success, stdout, stderr).
fn node(args: &[&str]) -> (bool, String, String) {
	let out = Command::new(node_binary()).args(args).output().expect("the node binary runs");
	(
		out.status.success(),
		String::from_utf8_lossy(&out.stdout).into_owned(),
		String::from_utf8_lossy(&out.stderr).into_owned(),
	)
}

/// A new sr25519 key from `key generate`: (secret phrase, SS58 address).
fn generate() -> (String, String) {
	let (ok, out, err) = node(&["key", "generate", "--scheme", "sr25519", "--output-type", "json"]);
	assert!(ok, "key generate: {err}");
	let v: Value = serde_json::from_str(&out).expect("key generate prints JSON");
	(v["secretPhrase"].as_str().unwrap().into(), v["ss58Address"].as_str().unwrap().into())
}

/// The ed25519 public key (0x hex) of a secret phrase, from `key inspect`.
fn ed25519_public(phrase: &str) -> String {
	let (ok, out, err) =
		node(&["key", "inspect", "--scheme", "ed25519", "--output-type", "json", phrase]);
	assert!(ok, "key inspect: {err}");
	let v: Value = serde_json::from_str(&out).expect("key inspect prints JSON");
	v["publicKey"].as_str().unwrap().into()
}

/// A new node key in `file`; answers its peer id.
fn node_key(file: &Path) -> String {
	let file = file.to_str().unwrap();
	let (ok, _, err) = node(&["key", "generate-node-key", "--file", file]);
	assert!(ok, "generate-node-key: {err}");
	let (ok, out, err) = node(&["key", "inspect-node-key", "--file", file]);
	assert!(ok, "inspect-node-key: {err}");
	out.trim().to_string()
}

struct Keys {
	operators: Vec<String>,
	validator_phrase: String,
	validator: String,
	grandpa: String,
	peer_id: String,
	authority: String,
	registrar: String,
	gateway: String,
}

fn network_file(k: &Keys, extra: &str) -> String {
	let ops = k.operators.iter().map(|o| format!("{o:?}")).collect::<Vec<_>>().join(", ");
	format!(
		r#"name = "HealthChain Test Exchange"
id = "healthchain_test_exchange"
operators = [{ops}]
licensing_authority = "{authority}"
{extra}

[[validators]]
account = "{validator}"
aura = "{validator}"
grandpa = "{grandpa}"
peer_id = "{peer}"

[[registrars]]
account = "{registrar}"
kind = "bank-branch"
name = "First bank branch"

[[hospitals]]
code = "H0100"
name = "Provincial Hospital"
policy = "one-time"
gateways = ["{gateway}"]

[[practitioners]]
licence = "MD20001"
affiliations = ["H0100"]
terms_accepted = true
"#,
		authority = k.authority,
		validator = k.validator,
		grandpa = k.grandpa,
		peer = k.peer_id,
		registrar = k.registrar,
		gateway = k.gateway,
	)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_validator_runs_a_production_network_from_the_operators_own_keys() {
	let dir = tempfile::tempdir().unwrap();
	let (validator_phrase, validator) = generate();
	let keys = Keys {
		operators: (0..3).map(|_| generate().1).collect(),
		grandpa: ed25519_public(&validator_phrase),
		validator_phrase,
		validator,
		peer_id: node_key(&dir.path().join("node.key")),
		authority: generate().1,
		registrar: generate().1,
		gateway: generate().1,
	};
	let file = dir.path().join("network.toml");
	std::fs::write(&file, network_file(&keys, "")).unwrap();
	let spec = dir.path().join("spec.json");
	let (ok, _, err) =
		node(&["production-spec", file.to_str().unwrap(), "--out", spec.to_str().unwrap()]);
	assert!(ok, "production-spec refused its own keys: {err}");
	let json: Value = serde_json::from_str(&std::fs::read_to_string(&spec).unwrap()).unwrap();
	assert_eq!(json["chainType"], "Live");
	assert!(json["genesis"]["raw"]["top"].is_object(), "a raw chain spec");

	// The validator's keystore: Aura (sr25519) and GRANDPA (ed25519) from its phrase.
	let base = dir.path().join("validator");
	for (scheme, key_type) in [("sr25519", "aura"), ("ed25519", "gran")] {
		let (ok, _, err) = node(&[
			"key",
			"insert",
			"--base-path",
			base.to_str().unwrap(),
			"--chain",
			spec.to_str().unwrap(),
			"--scheme",
			scheme,
			"--suri",
			&keys.validator_phrase,
			"--key-type",
			key_type,
		]);
		assert!(ok, "key insert {key_type}: {err}");
	}
	let validator = Node::start(NodeConfig {
		chain: spec.to_str().unwrap().into(),
		// Public-facing RPC runs with safe methods only; the health RPC stays available.
		args: vec![
			"--rpc-methods".into(),
			"safe".into(),
			"--validator".into(),
			"--node-key-file".into(),
			dir.path().join("node.key").to_str().unwrap().into(),
		],
		base_path: Some(base),
		p2p_port: None,
		node_key: None,
		rpc_port: None,
		host: None,
	})
	.await;
	let (finalized, _) = validator.wait_finalized(2).await;
	assert!(finalized >= 2, "the validator authors and finalizes");

	let rpc = validator.rpc();
	let chain_type: String = rpc.request("system_chainType", rpc_params![]).await.unwrap();
	assert_eq!(chain_type, "Live");
	let client = validator.client().await;
	let at = client.api().at_current_block().await.unwrap();
	let sudo = at.storage().entry(runtime::storage().sudo().key()).unwrap();
	assert!(sudo.try_fetch(()).await.unwrap().is_none(), "no sudo on a production network");
	let members = at.storage().entry(runtime::storage().council().members()).unwrap();
	let members = members.fetch(()).await.unwrap().decode().unwrap();
	let mut operators: Vec<AccountId32> =
		keys.operators.iter().map(|o| AccountId32::from_ss58check(o).unwrap()).collect();
	operators.sort();
	assert_eq!(members.encode(), operators.encode(), "the council is the file's three operators");
	let hospital = rpc.hospital("H0100".into()).await.unwrap().expect("the file's hospital");
	assert_eq!(hospital.name, "Provincial Hospital");
	assert_eq!(hospital.gateways, vec![AccountId32::from_ss58check(&keys.gateway).unwrap()]);
	let doctor = rpc.practitioner("MD20001".into()).await.unwrap().expect("the file's doctor");
	assert_eq!(doctor.affiliations, vec!["H0100".to_string()]);

	// A gateway configured with the published development lookup secret refuses this Live
	// chain: it starts, but does nothing on the chain, and says why.
	let gw = GatewayProcess::launch(
		&validator.ws_url(),
		GatewayPrep::new(),
		GatewaySpec::new("H0100", "//HcProductionGateway", vec![]),
		&DevIdp::new(),
	)
	.await;
	let refused = gw.system().health().await.expect_err("no health on a Live chain");
	assert!(refused.to_string().contains(DEVELOPMENT_SECRET_ON_LIVE_CHAIN), "{refused}");
	let status = gw.system().status().await.expect("status answers");
	assert!(!status.node.reachable, "{status:?}");
	assert_eq!(gw.log().matches("development_secret_on_live_chain").count(), 1, "logged once");
}

#[test]
fn production_spec_refuses_development_keys_a_small_council_demo_node_keys_and_secrets() {
	let dir = tempfile::tempdir().unwrap();
	let alice = sr25519::Pair::from_string("//Alice", None).unwrap();
	let bob = ed25519::Pair::from_string("//Bob", None).unwrap();
	let mut keys = Keys {
		operators: vec![AccountId32::from(alice.public()).to_ss58check(), generate().1],
		validator_phrase: String::new(),
		validator: generate().1,
		grandpa: format!("0x{}", hex::encode(bob.public().0)),
		peer_id: "12D3KooWEyoppNCUx8Yx66oV9fJnriXwCcXwDDUA2kj6vnc6iDEp".into(),
		authority: generate().1,
		registrar: generate().1,
		gateway: generate().1,
	};
	let file = dir.path().join("network.toml");
	std::fs::write(&file, network_file(&keys, "")).unwrap();
	let (ok, out, err) = node(&["production-spec", file.to_str().unwrap()]);
	assert!(!ok, "refused");
	assert!(out.is_empty(), "no chain spec is written: {out}");
	for expected in [
		"operators[0] is the development key //Alice (sr25519)",
		"the council needs at least 3 operators, the file lists 2",
		"validators[0].grandpa is the development key //Bob (ed25519)",
		"validators[0].peer_id: 12D3KooWEyoppNCUx8Yx66oV9fJnriXwCcXwDDUA2kj6vnc6iDEp is a demo \
		 network's well-known node key",
	] {
		assert!(err.contains(expected), "{expected:?} missing from:\n{err}");
	}

	// A lookup secret is refused by name, whatever else the file says.
	keys.operators = (0..3).map(|_| generate().1).collect();
	let secret = format!("lookup_secret = \"{}\"", hex::encode([7u8; 32]));
	std::fs::write(&file, network_file(&keys, &secret)).unwrap();
	let (ok, _, err) = node(&["production-spec", file.to_str().unwrap()]);
	assert!(!ok && err.contains("lookup_secret") && err.contains("never goes into a chain spec"));
}
