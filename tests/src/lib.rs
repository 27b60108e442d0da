//! Test harness: starts real `healthchain-node` processes on free loopback ports with
//! temporary base paths, talks to them over JSON-RPC, and stops them with SIGINT.
//!
//! The node binary is `$HEALTHCHAIN_NODE`, or `healthchain-node` in the release directory of
//! `$CARGO_TARGET_DIR` (default `target`). `scripts/test` builds it first.

pub mod gateways;
pub mod genesis;
pub mod load;
pub mod netns;
pub mod oidc;

use std::{
	io::Write,
	net::TcpListener,
	path::{Path, PathBuf},
	process::{Child, Command, ExitStatus, Stdio},
	time::{Duration, Instant},
};

use healthchain_gateway::wire::LocalApiClient;
use jsonrpsee::{
	core::client::ClientT,
	http_client::{HttpClient, HttpClientBuilder},
	rpc_params,
};
use serde_json::Value;
use sp_core::H256;

pub use gateways::{two_gateways, TwoGatewayOptions, TwoGateways};
pub use healthchain_client::{
	self as client,
	calls::{self, text},
	dev, keypair_from_uri, rpc, runtime,
	subxt::transactions::Payload,
	Client, HealthRpcClient, Included, Keypair, Static, SubmitError, Wait,
};
pub use healthchain_primitives::demo;

/// `health_checkAccess`'s question: may `practitioner`, at `hospital`, look at `id`'s allergies
/// for treatment, now.
pub fn check_allergies(
	practitioner: &str,
	hospital: &str,
	id: healthchain_primitives::HealthId,
) -> rpc::CheckAccessParams {
	rpc::CheckAccessParams {
		practitioner: practitioner.into(),
		hospital: hospital.into(),
		health_id: id,
		categories: vec![healthchain_primitives::DataCategory::Allergy],
		purpose: healthchain_primitives::Purpose::Treatment,
		at_time: None,
	}
}

/// A block header as the standard `chain_*` RPC serves it.
pub type Header = client::subxt::config::substrate::SubstrateHeader<H256>;

/// `system_health`'s answer (the fields the tests read).
#[derive(serde::Deserialize)]
struct SystemHealth {
	peers: u64,
}

/// A key pair from a secret URI (`//Alice`, `//Two`, `//BenchPatient7`).
pub fn key(uri: &str) -> Keypair {
	keypair_from_uri(uri).unwrap_or_else(|e| panic!("{uri}: {e}"))
}

/// Signs `call` with `signer`, submits it through `client` and waits for finality: the typed
/// outcome, for tests that expect a refusal.
pub async fn try_submit<C: Payload>(
	client: &Client,
	signer: &Keypair,
	call: &C,
) -> Result<Included, SubmitError> {
	client.submit(signer, call, Wait::Finalized).await
}

/// Like [`try_submit`], for calls that must succeed: panics with the call's name and the
/// error otherwise.
pub async fn submit<C: Payload>(client: &Client, signer: &Keypair, call: &C) -> Included {
	try_submit(client, signer, call)
		.await
		.unwrap_or_else(|e| panic!("{}.{} failed: {e}", call.pallet_name(), call.call_name()))
}

/// Passes `motion` through the council of the demo chains: Alice proposes it with a threshold
/// of 3, Alice, Bob and Charlie vote aye (all of the development council, three of the local
/// network's four), Alice closes it. Returns the close's outcome, asserting the motion executed.
pub async fn council_motion(
	client: &Client,
	motion: runtime::runtime_types::healthchain_runtime::RuntimeCall,
) -> Included {
	use client::subxt::ext::scale_encode::EncodeAsType;
	// The bounds the close declares: the motion's encoded length (a runtime upgrade's is
	// hundreds of kilobytes), encoded as the chain's `RuntimeCall`, and the runtime's
	// `MaxProposalWeight` (half a block).
	let at = client.api().at_current_block().await.expect("a block");
	let metadata = at.metadata();
	let encoded = motion
		.encode_as_type(metadata.outer_enums().call_enum_ty(), metadata.types())
		.expect("the motion encodes as the chain's RuntimeCall");
	let length_bound = u32::try_from(encoded.len()).expect("under 4 GiB");
	let proposed =
		submit(client, &dev::alice(), &runtime::tx().council().propose(3, motion, length_bound))
			.await
			.event::<runtime::council::events::Proposed>()
			.expect("Council.Proposed");
	let (hash, index) = (proposed.proposal_hash, proposed.proposal_index);
	for voter in [dev::alice(), dev::bob(), dev::charlie()] {
		submit(client, &voter, &runtime::tx().council().vote(hash, index, true)).await;
	}
	let weight = runtime::runtime_types::sp_weights::weight_v2::Weight {
		ref_time: 500_000_000_000,
		proof_size: 1_000_000,
	};
	let closed = submit(
		client,
		&dev::alice(),
		&runtime::tx().council().close(hash, index, weight, length_bound),
	)
	.await;
	assert!(
		closed.event::<runtime::council::events::Executed>().is_some(),
		"the council motion executed"
	);
	closed
}

/// The pool's answer to `call` signed by `signer` with `nonce` (`None`: the next one): the
/// refusal's custom code, or `None` when valid.
pub async fn pool_code<C: Payload>(
	client: &Client,
	signer: &Keypair,
	call: &C,
	nonce: Option<u64>,
) -> Option<u8> {
	let at = client.api().at_current_block().await.expect("current block");
	let mut txs = at.transactions();
	let signed = match nonce {
		Some(n) => {
			let params = healthchain_client::subxt::config::DefaultExtrinsicParamsBuilder::<
				healthchain_client::ChainConfig,
			>::new()
			.nonce(n)
			.build();
			txs.create_signed(call, signer, params).await
		},
		None => {
			txs.create_signed(
				call,
				signer,
				healthchain_client::subxt::transactions::DefaultParams::default_params(),
			)
			.await
		},
	}
	.expect("signs");
	match signed.validate().await.expect("validation runs") {
		healthchain_client::subxt::transactions::ValidationResult::Valid(_) => None,
		healthchain_client::subxt::transactions::ValidationResult::Invalid(
			healthchain_client::subxt::transactions::TransactionInvalid::Custom(code),
		) => Some(code),
		other => panic!("expected a custom refusal or validity, got {other:?}"),
	}
}

/// The pallet error name of a refused submission (panics if it was not refused in a block).
pub fn pallet_error(result: Result<Included, SubmitError>) -> String {
	match result {
		Err(SubmitError::Failed(f)) => f.error,
		Err(other) => panic!("expected a dispatch error, got {other}"),
		Ok(_) => panic!("expected a dispatch error, the call succeeded"),
	}
}

/// A generous upper bound for waiting on a chain event. This is not a performance assertion
/// (performance is measured by `scripts/bench`); it only keeps a broken node from hanging
/// the test run.
pub const PATIENCE: Duration = Duration::from_secs(180);

/// The node binary to run.
pub fn node_binary() -> PathBuf {
	if let Ok(path) = std::env::var("HEALTHCHAIN_NODE") {
		return PathBuf::from(path);
	}
	let target = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| {
		// tests/ is one level below the workspace root.
		concat!(env!("CARGO_MANIFEST_DIR"), "/../target").to_string()
	});
	Path::new(&target).join("release").join("healthchain-node")
}

/// A free TCP port on 127.0.0.1.
pub fn free_port() -> u16 {
	TcpListener::bind("127.0.0.1:0")
		.and_then(|l| l.local_addr())
		.map(|a| a.port())
		.expect("the OS hands out a free port")
}

/// How to start a node.
#[derive(Clone, Debug)]
pub struct NodeConfig {
	/// `--chain` value.
	pub chain: String,
	/// Extra arguments (e.g. `--alice`, `--validator`, `--bootnodes ...`).
	pub args: Vec<String>,
	/// Base path; a fresh temporary directory when `None`.
	pub base_path: Option<PathBuf>,
	/// p2p port; a free one when `None`.
	pub p2p_port: Option<u16>,
	/// Node key (hex ed25519 secret) for a stable peer id.
	pub node_key: Option<String>,
	/// JSON-RPC port; a free one when `None` (give one to restart a node where its clients
	/// expect it).
	pub rpc_port: Option<u16>,
	/// The testbed host to run on (peers on its data address, RPC on its management and
	/// data addresses, safe methods only); loopback when `None`.
	pub host: Option<netns::NetHost>,
}

impl NodeConfig {
	/// A single-validator development node: Alice, with authorised node key 1.
	pub fn dev() -> Self {
		NodeConfig {
			chain: "dev".into(),
			args: vec!["--alice".into(), "--force-authoring".into()],
			base_path: None,
			p2p_port: None,
			node_key: Some(node_key(1)),
			rpc_port: None,
			host: None,
		}
	}

	/// Validator `i` (0 to 3: Alice, Bob, Charlie, Dave, with node key `i + 1`) of the
	/// four-validator local network, on `base/<name>` (a temporary directory when `None`),
	/// booting from the multiaddress `boot`.
	pub fn local_validator(i: usize, base: Option<&Path>, boot: Option<String>) -> Self {
		let mut args = vec!["--validator".to_string(), format!("--{}", LOCAL_VALIDATORS[i])];
		if let Some(b) = boot {
			args.push("--bootnodes".into());
			args.push(b);
		}
		NodeConfig {
			chain: "local".into(),
			args,
			base_path: base.map(|b| b.join(LOCAL_VALIDATORS[i])),
			p2p_port: None,
			node_key: Some(node_key(i as u8 + 1)),
			rpc_port: None,
			host: None,
		}
	}

	/// A non-validating full node of the development chain that syncs from `boot`, with node
	/// key `key` (1 to 4 are authorised in the demo chains' node-authorization list).
	pub fn dev_full_node(boot: &Node, key: u8) -> Self {
		NodeConfig {
			chain: "dev".into(),
			args: vec!["--bootnodes".into(), boot.multiaddr(1)],
			base_path: None,
			p2p_port: None,
			node_key: Some(node_key(key)),
			rpc_port: None,
			host: None,
		}
	}
}

/// The demo networks' public node's node key number: a well-known node in both genesis
/// presets, so validators sync it, and not a validator, so it takes light clients.
pub const PUBLIC_NODE_KEY: u8 = 5;

impl NodeConfig {
	/// The public full node of `chain` (`dev` or `local`) that serves light clients
	/// (README, operator guide, step 6): well-known node key 5, syncing from `boot`, with libp2p also on
	/// WebSocket at `ws_port` and room for light-client peers.
	pub fn public_node(chain: &str, boot: &Node, ws_port: u16) -> Self {
		NodeConfig {
			chain: chain.into(),
			args: vec![
				"--bootnodes".into(),
				boot.multiaddr(1),
				"--listen-addr".into(),
				format!("/ip4/127.0.0.1/tcp/{ws_port}/ws"),
				"--in-peers-light".into(),
				"100".into(),
			],
			base_path: None,
			p2p_port: None,
			node_key: Some(node_key(PUBLIC_NODE_KEY)),
			rpc_port: None,
			host: None,
		}
	}

	/// Also listens for libp2p on WebSocket at `ws_port` (where a browser's light client can
	/// dial).
	pub fn with_websocket(mut self, ws_port: u16) -> Self {
		self.args.push("--listen-addr".into());
		self.args.push(format!("/ip4/127.0.0.1/tcp/{ws_port}/ws"));
		self
	}
}

/// The WebSocket multiaddress of a node listening on `ws_port` with node key `key`.
pub fn websocket_multiaddr(ws_port: u16, key: u8) -> String {
	format!("/ip4/127.0.0.1/tcp/{ws_port}/ws/p2p/{}", PEER_IDS[key as usize - 1])
}

/// The chain spec a light client starts from: `chain`'s raw spec as the node builds it, with
/// `boot_nodes` (WebSocket multiaddresses) as its boot nodes, written through
/// `apps/tools/light-spec.mjs` as the apps' build writes theirs. Answers the spec's text.
pub fn light_chain_spec(chain: &str, boot_nodes: &[String]) -> String {
	let raw = Command::new(node_binary())
		.args(["build-spec", "--chain", chain, "--raw"])
		.stderr(Stdio::null())
		.output()
		.expect("the node builds its chain spec");
	assert!(raw.status.success(), "build-spec --chain {chain} --raw failed");
	let mut tool = Command::new("node")
		.arg("tools/light-spec.mjs")
		.args(boot_nodes)
		.current_dir(oidc::apps_dir())
		.stdin(Stdio::piped())
		.stdout(Stdio::piped())
		.spawn()
		.expect("node (Node.js) runs: scripts/test installs it");
	tool.stdin.take().expect("stdin").write_all(&raw.stdout).expect("the raw spec is written");
	let out = tool.wait_with_output().expect("light-spec.mjs ends");
	assert!(out.status.success(), "apps/tools/light-spec.mjs refused the spec");
	String::from_utf8(out.stdout).expect("the spec is text")
}

/// The local network's validators, in the order of their node keys 1 to 4.
pub const LOCAL_VALIDATORS: [&str; 4] = ["alice", "bob", "charlie", "dave"];

/// Starts the four-validator local network on `base`: Alice first, the others booting from
/// her.
pub async fn start_local_network(base: &Path) -> Vec<Node> {
	let alice = Node::start(NodeConfig::local_validator(0, Some(base), None)).await;
	let mut nodes = Vec::new();
	for i in 1..4 {
		let boot = Some(alice.multiaddr(1));
		nodes.push(Node::start(NodeConfig::local_validator(i, Some(base), boot)).await);
	}
	nodes.insert(0, alice);
	nodes
}

/// The demo chains' node key number `n` (hex, 32 bytes).
pub fn node_key(n: u8) -> String {
	format!("{:064x}", n)
}

/// The peer ids of node keys 1 to 5 (as in the runtime's genesis presets: 5 is the public
/// node that serves light clients).
pub const PEER_IDS: [&str; 5] = [
	"12D3KooWEyoppNCUx8Yx66oV9fJnriXwCcXwDDUA2kj6vnc6iDEp",
	"12D3KooWHdiAxVd8uMQR1hGWXccidmfCwLqcMpGwR6QcTP6QRMuD",
	"12D3KooWSCufgHzV4fCwRijfH2k3abrpAJxTKxEvN1FDuRXA2U9x",
	"12D3KooWSsChzF81YDUKpe9Uk5AHV5oqAaXAcWNSPYgoLauUk4st",
	"12D3KooWSuTq6MG9gPt7qZqLFKkYrfxMewTZhj9nmRHJkPwzWDG2",
];

/// A running node process.
pub struct Node {
	child: Option<Child>,
	/// The JSON-RPC port on 127.0.0.1.
	pub rpc_port: u16,
	/// The p2p port.
	pub p2p_port: u16,
	/// The address peers reach it at (its data address on a testbed, else 127.0.0.1).
	pub p2p_ip: String,
	/// The address its RPC is reached at (its management address on a testbed, else
	/// 127.0.0.1).
	pub rpc_ip: String,
	/// The base path.
	pub base_path: PathBuf,
	_tmp: Option<tempfile::TempDir>,
	/// Where the node's log goes.
	pub log_path: PathBuf,
}

impl Node {
	/// Starts a node and waits until its RPC answers (up to [`PATIENCE`]).
	pub async fn start(config: NodeConfig) -> Node {
		Self::start_with_patience(config, PATIENCE).await
	}

	/// Starts a node and waits up to `patience` until its RPC answers: longer than
	/// [`PATIENCE`] for a chain whose genesis state is large (the node builds it before it
	/// serves RPC).
	pub async fn start_with_patience(config: NodeConfig, patience: Duration) -> Node {
		let (tmp, base_path) = match config.base_path {
			Some(p) => (None, p),
			None => {
				let t = tempfile::tempdir().expect("a temporary directory");
				let p = t.path().to_path_buf();
				(Some(t), p)
			},
		};
		let rpc_port = config.rpc_port.unwrap_or_else(free_port);
		let p2p_port = config.p2p_port.unwrap_or_else(free_port);
		std::fs::create_dir_all(&base_path).expect("base path");
		let log_path = base_path.join(format!("node-{rpc_port}.log"));
		let log = std::fs::File::create(&log_path).expect("log file");
		let binary = node_binary();
		assert!(binary.exists(), "node binary not found at {}: run scripts/test", binary.display());
		let (mut cmd, p2p_ip, rpc_ip) = match &config.host {
			Some(host) => {
				// RPC on both of the host's addresses, safe methods only: the management one
				// for the test, the data one for gateways.
				let mut cmd = host.command(&binary);
				for ip in [&host.mgmt_ip, &host.data_ip] {
					cmd.arg("--experimental-rpc-endpoint")
						.arg(format!("listen-addr={ip}:{rpc_port},methods=safe"));
				}
				(cmd, host.data_ip.clone(), host.mgmt_ip.clone())
			},
			None => {
				let mut cmd = Command::new(&binary);
				cmd.args(["--rpc-port", &rpc_port.to_string(), "--rpc-cors", "all"]);
				(cmd, "127.0.0.1".to_string(), "127.0.0.1".to_string())
			},
		};
		cmd.arg("--chain")
			.arg(&config.chain)
			.arg("--base-path")
			.arg(&base_path)
			.arg("--listen-addr")
			.arg(format!("/ip4/{p2p_ip}/tcp/{p2p_port}"))
			.args(["--no-telemetry", "--no-mdns"])
			// Prometheus stays off unless the test asks for a port.
			.args(
				(!config.args.iter().any(|a| a == "--prometheus-port"))
					.then_some("--no-prometheus"),
			)
			.args(&config.args)
			.stdout(Stdio::null())
			.stderr(log);
		if let Some(key) = &config.node_key {
			cmd.arg("--node-key").arg(key);
		}
		let child = cmd.spawn().expect("the node starts");
		let mut node = Node {
			child: Some(child),
			rpc_port,
			p2p_port,
			p2p_ip,
			rpc_ip,
			base_path,
			_tmp: tmp,
			log_path,
		};
		node.wait_for_rpc(patience).await;
		node
	}

	/// This node's p2p multiaddress, assuming it runs with node key `key`.
	pub fn multiaddr(&self, key: u8) -> String {
		self.multiaddr_with(PEER_IDS[key as usize - 1])
	}

	/// This node's p2p multiaddress with peer id `peer_id`.
	pub fn multiaddr_with(&self, peer_id: &str) -> String {
		format!("/ip4/{}/tcp/{}/p2p/{peer_id}", self.p2p_ip, self.p2p_port)
	}

	/// `ws://<rpc address>:<rpc port>`.
	pub fn ws_url(&self) -> String {
		format!("ws://{}:{}", self.rpc_ip, self.rpc_port)
	}

	/// `http://<rpc address>:<rpc port>`.
	pub fn http_url(&self) -> String {
		format!("http://{}:{}", self.rpc_ip, self.rpc_port)
	}

	/// `ws://<p2p address>:<rpc port>`: the RPC as hosts on the data network (a testbed
	/// gateway) reach it.
	pub fn data_ws_url(&self) -> String {
		format!("ws://{}:{}", self.p2p_ip, self.rpc_port)
	}

	/// A JSON-RPC client over HTTP.
	pub fn rpc(&self) -> HttpClient {
		HttpClientBuilder::default()
			.request_timeout(Duration::from_secs(30))
			.build(self.http_url())
			.expect("an HTTP client")
	}

	/// A client toolkit connection (subxt and the typed `health_*` client).
	pub async fn client(&self) -> Client {
		Client::connect(&self.ws_url()).await.expect("the node accepts a client")
	}

	/// The node's log so far (for failure messages).
	pub fn log(&self) -> String {
		std::fs::read_to_string(&self.log_path).unwrap_or_default()
	}

	async fn wait_for_rpc(&mut self, patience: Duration) {
		let start = Instant::now();
		loop {
			if self.rpc().request::<Value, _>("system_health", rpc_params![]).await.is_ok() {
				return;
			}
			if let Some(status) = self.child.as_mut().and_then(|c| c.try_wait().ok().flatten()) {
				panic!(
					"the node exited with {status} before its RPC came up; log:\n{}",
					self.log()
				);
			}
			assert!(start.elapsed() < patience, "RPC never came up; log:\n{}", self.log());
			tokio::time::sleep(Duration::from_millis(250)).await;
		}
	}

	/// The finalized block's number and hash.
	pub async fn finalized(&self) -> (u64, H256) {
		let rpc = self.rpc();
		let hash: H256 = rpc
			.request("chain_getFinalizedHead", rpc_params![])
			.await
			.expect("chain_getFinalizedHead");
		let header: Header =
			rpc.request("chain_getHeader", rpc_params![hash]).await.expect("header");
		(header.number, hash)
	}

	/// The best block's number.
	pub async fn best_number(&self) -> u64 {
		let header: Header =
			self.rpc().request("chain_getHeader", rpc_params![]).await.expect("header");
		header.number
	}

	/// The hash of block `n` on the node's best chain, if it has it.
	pub async fn block_hash(&self, n: u64) -> Option<H256> {
		self.rpc().request("chain_getBlockHash", rpc_params![n]).await.ok().flatten()
	}

	/// Waits until the finalized block number reaches `n`.
	pub async fn wait_finalized(&self, n: u64) -> (u64, H256) {
		let start = Instant::now();
		loop {
			let f = self.finalized().await;
			if f.0 >= n {
				return f;
			}
			assert!(
				start.elapsed() < PATIENCE,
				"finality stuck at {} waiting for {n}; log tail:\n{}",
				f.0,
				tail(&self.log(), 40)
			);
			tokio::time::sleep(Duration::from_millis(500)).await;
		}
	}

	/// The number of peers the node is connected to.
	pub async fn peers(&self) -> u64 {
		let health: SystemHealth =
			self.rpc().request("system_health", rpc_params![]).await.expect("system_health");
		health.peers
	}

	/// The node's libp2p peer id.
	pub async fn peer_id(&self) -> String {
		self.rpc().request("system_localPeerId", rpc_params![]).await.expect("peer id")
	}

	/// Stops the node with SIGINT and returns its exit status.
	pub fn stop(&mut self) -> ExitStatus {
		let child = self.child.take().expect("the node is running");
		interrupt(child, "node", Duration::from_secs(60))
	}

	/// The node's process id, while it runs.
	pub fn pid(&self) -> Option<u32> {
		self.child.as_ref().map(|c| c.id())
	}

	/// Kills the node without a clean shutdown (a crash).
	pub fn kill(&mut self) {
		kill(self.child.take());
	}
}

impl Drop for Node {
	fn drop(&mut self) {
		self.kill();
	}
}

/// The last `n` lines of `s`.
pub fn tail(s: &str, n: usize) -> String {
	let lines: Vec<&str> = s.lines().collect();
	lines[lines.len().saturating_sub(n)..].join("\n")
}

/// The gateway binary: `$HEALTHCHAIN_GATEWAY`, or `healthchain-gateway` next to the node.
pub fn gateway_binary() -> PathBuf {
	if let Ok(path) = std::env::var("HEALTHCHAIN_GATEWAY") {
		return PathBuf::from(path);
	}
	node_binary().with_file_name("healthchain-gateway")
}

/// The development chain's registrar (Ferdie) registers test patient `n` (a Thai passport),
/// controlled by `patient`'s key.
pub async fn register_test_patient(client: &Client, n: u32, patient: &Keypair) {
	register_test_patient_by(client, &dev::ferdie(), n, patient).await
}

/// `registrar` registers test patient `n` (a Thai passport), controlled by `patient`'s key.
pub async fn register_test_patient_by(
	client: &Client,
	registrar: &Keypair,
	n: u32,
	patient: &Keypair,
) {
	use runtime::runtime_types::pallet_health_id::types::Controller;
	let call = calls::register(
		demo::test_patient(n),
		healthchain_primitives::DocumentKind::Passport { country: *b"THA" },
		true,
		Controller::Key(patient.public_key().to_account_id()),
	);
	submit(client, registrar, &call).await;
}

/// A small FHIR collection bundle with one observation saying `text`.
pub fn bundle(text: &str) -> Value {
	serde_json::json!({"resourceType": "Bundle", "type": "collection", "entry": [
		{"resource": {"resourceType": "Observation", "status": "final", "code": {"text": text}}}
	]})
}

/// A `gateway_put` of [`bundle`]`(text)`.
pub fn put_request(
	id: healthchain_primitives::HealthId,
	category: healthchain_primitives::DataCategory,
	text: &str,
) -> healthchain_gateway::wire::PutRequest {
	healthchain_gateway::wire::PutRequest {
		health_id: id,
		category,
		bundle: bundle(text),
		supersedes: None,
	}
}

/// The issuer of the tests' development identity provider.
pub const IDP_ISSUER: &str = "https://idp.test.healthchain";
/// The audience of the tests' gateway tokens.
pub const IDP_AUDIENCE: &str = "healthchain-gateway";
/// A hospital system's scopes (the HIS puts records, identifies patients, reads status).
pub const SYSTEM_SCOPES: [&str; 3] = ["records.write", "patients.identify", "gateway.status"];
/// An auditor's scopes (the FHIR facade's Consent and AuditEvent searches).
pub const AUDITOR_SCOPES: [&str; 2] = ["consent.read", "audit.read"];
/// A doctor's scopes (fetch, emergency fetch).
pub const DOCTOR_SCOPES: [&str; 2] = ["records.read", "records.emergency"];

/// A development identity provider, made with `healthchain-gateway idp-keygen`: mints the
/// tests' bearer tokens.
#[derive(Clone)]
pub struct DevIdp {
	_dir: std::sync::Arc<tempfile::TempDir>,
	/// The Ed25519 signing key.
	pub key_file: PathBuf,
	/// The JWKS the gateways trust.
	pub jwks_file: PathBuf,
}

impl DevIdp {
	/// A new provider with key id `dev`.
	pub fn new() -> Self {
		let dir = tempfile::tempdir().expect("a temporary directory");
		let (key_file, jwks_file) = (dir.path().join("idp.key"), dir.path().join("jwks.json"));
		let out = Command::new(gateway_binary())
			.arg("idp-keygen")
			.arg(&key_file)
			.arg(&jwks_file)
			.output()
			.expect("the gateway binary runs");
		assert!(out.status.success(), "idp-keygen: {}", String::from_utf8_lossy(&out.stderr));
		DevIdp { _dir: std::sync::Arc::new(dir), key_file, jwks_file }
	}

	/// A token request: this issuer and audience, valid for an hour.
	pub fn spec(&self, subject: &str, scopes: &[&str], licence: Option<&str>) -> TokenSpec {
		TokenSpec {
			issuer: IDP_ISSUER.into(),
			audience: IDP_AUDIENCE.into(),
			subject: subject.into(),
			scopes: scopes.iter().map(|s| s.to_string()).collect(),
			licence: licence.map(Into::into),
			valid_for_secs: 3600,
			not_before_in_secs: 0,
			kid: "dev".into(),
		}
	}

	/// Mints a token for `spec`.
	pub fn mint(&self, spec: &TokenSpec) -> String {
		healthchain_gateway::dev::idp::mint_token(&self.key_file, spec).expect("a token")
	}

	/// Mints a token for `subject` with `scopes` and the practitioner's `licence`.
	pub fn token(&self, subject: &str, scopes: &[&str], licence: Option<&str>) -> String {
		self.mint(&self.spec(subject, scopes, licence))
	}
}

impl Default for DevIdp {
	fn default() -> Self {
		Self::new()
	}
}

pub use healthchain_gateway::dev::idp::TokenSpec;

/// A peer in a gateway's directory.
#[derive(Clone, Debug)]
pub struct PeerEntry {
	/// Hospital code.
	pub code: String,
	/// Peer API URL (`https://`).
	pub url: String,
	/// X25519 public key (`0x` hex).
	pub exchange_public: String,
	/// SHA-256 of its TLS certificate (`0x` hex).
	pub cert_sha256: String,
}

/// How to start a hospital gateway.
#[derive(Clone, Debug)]
pub struct GatewaySpec {
	/// Hospital code.
	pub hospital: String,
	/// The gateway account's secret URI (e.g. `//Dave`).
	pub key_uri: String,
	/// Retention before shredding, seconds.
	pub retention_secs: u64,
	/// The peer directory.
	pub peers: Vec<PeerEntry>,
	/// Whether the local API serves TLS.
	pub api_tls: bool,
	/// `gateway_identify` calls a minute per caller.
	pub identify_per_minute: u32,
	/// The oldest finalized head the gateway acts on, seconds.
	pub max_head_age_secs: u64,
	/// Port of the Prometheus metrics on 127.0.0.1 (off when `None`).
	pub metrics_port: Option<u16>,
	/// Trust a real OpenID provider instead of the development one: its tokens' audience is
	/// then the gateway's FHIR base URL (SMART's `aud`), and SMART discovery is served.
	pub oidc: Option<OidcTrust>,
	/// Browser origins allowed to call the local API (CORS).
	pub allowed_origins: Vec<String>,
	/// The built apps (`apps/dist`) the gateway serves the doctor app from.
	pub doctor_app: Option<PathBuf>,
}

/// What a gateway needs to trust an OpenID provider ([`oidc::OidcProvider::trust`]).
#[derive(Clone, Debug)]
pub struct OidcTrust {
	/// The issuer.
	pub issuer: String,
	/// Its JWKS.
	pub jwks_uri: String,
	/// Its authorization endpoint (for SMART discovery).
	pub authorization_endpoint: String,
	/// Its token endpoint (for SMART discovery).
	pub token_endpoint: String,
}

impl GatewaySpec {
	/// A gateway of `hospital` signing with `key_uri`, knowing `peers`; plain local API,
	/// retention 4 s, 30 identify calls a minute, a 60 s finalized-head bound.
	pub fn new(hospital: &str, key_uri: &str, peers: Vec<PeerEntry>) -> Self {
		GatewaySpec {
			hospital: hospital.into(),
			key_uri: key_uri.into(),
			retention_secs: 4,
			peers,
			api_tls: false,
			identify_per_minute: 30,
			max_head_age_secs: 60,
			metrics_port: None,
			oidc: None,
			allowed_origins: vec![],
			doctor_app: None,
		}
	}
}

/// A gateway's identity prepared before start with `healthchain-gateway keygen`: ports,
/// exchange key, TLS certificate, key-encryption key.
pub struct GatewayPrep {
	dir: tempfile::TempDir,
	/// Peer API port.
	pub peer_port: u16,
	/// Local API port.
	pub api_port: u16,
	/// X25519 public key (`0x` hex).
	pub exchange_public: String,
	/// SHA-256 of the TLS certificate (`0x` hex).
	pub cert_sha256: String,
	/// The testbed host to run on (peer API on its data address, local API on its
	/// management address); loopback when `None`.
	pub host: Option<netns::NetHost>,
}

/// `keygen`'s answer.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct KeygenAnswer {
	exchange_key: String,
	cert_sha256: String,
}

impl GatewayPrep {
	/// Chooses ports and generates the keys with `healthchain-gateway keygen`.
	pub fn new() -> Self {
		let dir = tempfile::tempdir().expect("a temporary directory");
		let out = Command::new(gateway_binary())
			.arg("keygen")
			.arg(dir.path().join("keys"))
			.output()
			.expect("the gateway binary runs");
		assert!(out.status.success(), "keygen failed: {}", String::from_utf8_lossy(&out.stderr));
		let answer: KeygenAnswer =
			serde_json::from_slice(&out.stdout).expect("keygen prints its keys as JSON");
		GatewayPrep {
			dir,
			peer_port: free_port(),
			api_port: free_port(),
			exchange_public: answer.exchange_key,
			cert_sha256: answer.cert_sha256,
			host: None,
		}
	}

	/// The same identity, to run on testbed host `host`.
	pub fn on(self, host: &netns::NetHost) -> Self {
		GatewayPrep { host: Some(host.clone()), ..self }
	}

	/// The address its peer API listens on.
	fn peer_ip(&self) -> &str {
		self.host.as_ref().map_or("127.0.0.1", |h| &h.data_ip)
	}

	/// The address its local API listens on.
	fn api_ip(&self) -> &str {
		self.host.as_ref().map_or("127.0.0.1", |h| &h.mgmt_ip)
	}

	/// The peer API URL.
	pub fn peer_url(&self) -> String {
		format!("https://{}:{}", self.peer_ip(), self.peer_port)
	}

	/// This gateway's entry in another gateway's directory, as hospital `code`.
	pub fn entry(&self, code: &str) -> PeerEntry {
		PeerEntry {
			code: code.into(),
			url: self.peer_url(),
			exchange_public: self.exchange_public.clone(),
			cert_sha256: self.cert_sha256.clone(),
		}
	}

	/// Where its keys are.
	pub fn keys_dir(&self) -> PathBuf {
		self.dir.path().join("keys")
	}
}

impl Default for GatewayPrep {
	fn default() -> Self {
		Self::new()
	}
}

/// A running gateway process.
pub struct GatewayProcess {
	child: Option<Child>,
	/// Its working directory (config, keys, storage).
	pub dir: PathBuf,
	/// Local API URL.
	pub api_url: String,
	/// Peer API URL.
	pub peer_url: String,
	/// Local API address.
	pub api_addr: String,
	/// Log file (JSON lines).
	pub log_path: PathBuf,
	/// The identity provider whose tokens it trusts.
	pub idp: DevIdp,
	/// How it was started.
	pub spec: GatewaySpec,
	prep: GatewayPrep,
}

impl GatewayProcess {
	/// Writes the configuration and key files and starts the gateway against `node`; waits
	/// until it has started and `GET /health` answers.
	pub async fn start(node: &Node, prep: GatewayPrep, spec: GatewaySpec, idp: &DevIdp) -> Self {
		let gw = Self::launch(&node.ws_url(), prep, spec, idp).await;
		gw.wait_healthy().await;
		gw
	}

	/// Starts the gateway against `node_url` (which may not answer yet); waits until the
	/// process logs that it started.
	pub async fn launch(
		node_url: &str,
		prep: GatewayPrep,
		spec: GatewaySpec,
		idp: &DevIdp,
	) -> Self {
		let dir = prep.dir.path().to_path_buf();
		let api_addr = format!("{}:{}", prep.api_ip(), prep.api_port);
		let scheme = if spec.api_tls { "https" } else { "http" };
		let mut gw = GatewayProcess {
			child: None,
			api_url: format!("{scheme}://{api_addr}"),
			peer_url: prep.peer_url(),
			api_addr,
			log_path: dir.join("gateway.log"),
			dir,
			idp: idp.clone(),
			spec,
			prep,
		};
		gw.spawn(node_url).await;
		gw
	}

	fn config(&self, node_url: &str) -> String {
		let (spec, prep) = (&self.spec, &self.prep);
		let mut config = format!(
			"node_url = \"{node_url}\"\nhospital = \"{}\"\nsigning_key_file = \"{d}/gateway.key\"\n\
			 exchange_key_file = \"{d}/keys/exchange.key\"\nlookup_secret_file = \"{d}/lookup.secret\"\n\
			 storage_dir = \"{d}/store\"\nkek_file = \"{d}/keys/kek.key\"\n\
			 listen = \"{}:{}\"\napi_listen = \"{}:{}\"\napi_tls = {}\n\
			 retention_secs = {}\nconsent_wait_secs = 90\nmax_head_age_secs = {}\n\n\
			 [tls]\ncert_file = \"{d}/keys/tls.crt\"\nkey_file = \"{d}/keys/tls.key\"\n\n\
			 [auth]\n{}identify_per_minute = {}\n",
			spec.hospital,
			prep.peer_ip(),
			prep.peer_port,
			prep.api_ip(),
			prep.api_port,
			spec.api_tls,
			spec.retention_secs,
			spec.max_head_age_secs,
			self.auth_lines(),
			spec.identify_per_minute,
			d = self.dir.display(),
		);
		if let Some(dir) = &spec.doctor_app {
			config.push_str(&format!("\n[doctor_app]\ndir = \"{}\"\n", dir.display()));
		}
		if let Some(port) = spec.metrics_port {
			// A top-level key: it goes before the first table.
			config = format!("metrics_listen = \"127.0.0.1:{port}\"\n{config}");
		}
		for p in &spec.peers {
			config.push_str(&format!(
				"\n[peers.{}]\nurl = \"{}\"\npublic_key = \"{}\"\ncert_sha256 = \"{}\"\n",
				p.code, p.url, p.exchange_public, p.cert_sha256
			));
		}
		config
	}

	/// The `[auth]` lines naming the identity provider: the development one (its JWKS file),
	/// or the OpenID provider of [`GatewaySpec::oidc`] (audience: the FHIR base URL).
	fn auth_lines(&self) -> String {
		let origins: Vec<String> =
			self.spec.allowed_origins.iter().map(|o| format!("\"{o}\"")).collect();
		let origins = format!("allowed_origins = [{}]\n", origins.join(", "));
		match &self.spec.oidc {
			None => format!(
				"issuer = \"{IDP_ISSUER}\"\naudience = \"{IDP_AUDIENCE}\"\njwks_file = \"{}\"\n{origins}",
				self.idp.jwks_file.display()
			),
			Some(t) => format!(
				"issuer = \"{}\"\naudience = \"{}/fhir\"\njwks_url = \"{}\"\n\
				 authorization_endpoint = \"{}\"\ntoken_endpoint = \"{}\"\n{origins}",
				t.issuer, self.api_url, t.jwks_uri, t.authorization_endpoint, t.token_endpoint
			),
		}
	}

	async fn spawn(&mut self, node_url: &str) {
		let dir = &self.dir;
		std::fs::write(dir.join("gateway.key"), &self.spec.key_uri).expect("key file");
		std::fs::write(dir.join("lookup.secret"), hex::encode(demo::DEV_LOOKUP_SECRET))
			.expect("secret file");
		let config_path = dir.join("gateway.toml");
		std::fs::write(&config_path, self.config(node_url)).expect("config file");
		let log = std::fs::OpenOptions::new()
			.create(true)
			.append(true)
			.open(&self.log_path)
			.expect("log file");
		let starts = self.log().matches("\"event\":\"started\"").count();
		let binary = gateway_binary();
		let mut cmd = match &self.prep.host {
			Some(host) => host.command(&binary),
			None => Command::new(&binary),
		};
		self.child = Some(
			cmd.arg("run")
				.arg(&config_path)
				.stdout(Stdio::null())
				.stderr(log)
				.spawn()
				.expect("the gateway starts"),
		);
		let start = Instant::now();
		while self.log().matches("\"event\":\"started\"").count() == starts {
			if let Some(status) = self.child.as_mut().and_then(|c| c.try_wait().ok().flatten()) {
				panic!("the gateway exited with {status}; log:\n{}", self.log());
			}
			assert!(start.elapsed() < PATIENCE, "gateway never started; log:\n{}", self.log());
			tokio::time::sleep(Duration::from_millis(100)).await;
		}
	}

	/// Waits until `gateway_health` answers (the gateway reaches its node).
	pub async fn wait_healthy(&self) {
		let start = Instant::now();
		loop {
			// A gateway trusting an OpenID provider refuses the development tokens: its
			// `GET /health` needs none (plain HTTP there: the tests give it no local TLS).
			let healthy = match &self.spec.oidc {
				Some(_) => {
					http_get(&self.api_addr, "/health").is_ok_and(|(status, _)| status == 200)
				},
				None => self.system().health().await.is_ok(),
			};
			if healthy {
				return;
			}
			assert!(
				start.elapsed() < PATIENCE,
				"gateway never became healthy; log:\n{}",
				self.log()
			);
			tokio::time::sleep(Duration::from_millis(200)).await;
		}
	}

	/// Stops the gateway (SIGINT) and starts it again against `node_url`, with the same
	/// keys, store and ports.
	pub async fn restart(&mut self, node_url: &str) {
		self.stop();
		self.spawn(node_url).await;
	}

	/// The gateway's log so far.
	pub fn log(&self) -> String {
		std::fs::read_to_string(&self.log_path).unwrap_or_default()
	}

	/// A JSON-RPC client for the local API carrying `token` (pinned to the gateway's
	/// certificate when the local API serves TLS).
	pub fn api_with(&self, token: &str) -> HttpClient {
		let mut headers = jsonrpsee::http_client::HeaderMap::new();
		headers.insert("authorization", format!("Bearer {token}").parse().expect("a header"));
		let mut builder = HttpClientBuilder::default()
			.request_timeout(Duration::from_secs(300))
			.max_request_size(200 * 1024 * 1024)
			.max_response_size(200 * 1024 * 1024)
			.set_headers(headers);
		if self.spec.api_tls {
			let pin = self.cert_sha256();
			builder = builder.with_custom_cert_store(
				healthchain_gateway::peers::tls::pinned_client_config(pin).expect("a TLS client"),
			);
		}
		builder.build(&self.api_url).expect("an HTTP client")
	}

	/// The local API as the hospital's information system (put, identify, status), with a
	/// development token (not for a gateway trusting an OpenID provider, [`GatewaySpec::oidc`]).
	pub fn system(&self) -> HttpClient {
		let subject = format!("his-{}", self.spec.hospital);
		self.api_with(&self.idp.token(&subject, &SYSTEM_SCOPES, None))
	}

	/// The local API as the practitioner with `licence` (fetch, emergency fetch).
	pub fn doctor(&self, licence: &str) -> HttpClient {
		self.api_with(&self.idp.token(&format!("dr-{licence}"), &DOCTOR_SCOPES, Some(licence)))
	}

	/// The SHA-256 of this gateway's TLS certificate.
	pub fn cert_sha256(&self) -> [u8; 32] {
		let mut pin = [0u8; 32];
		healthchain_primitives::hex_decode_into(&self.prep.cert_sha256, &mut pin).expect("a pin");
		pin
	}

	/// This gateway's entry in a directory, as its own hospital.
	pub fn entry(&self) -> PeerEntry {
		self.prep.entry(&self.spec.hospital)
	}

	/// A client of this gateway's peer API over mutual TLS, presenting the TLS identity in
	/// `keys_dir` (another gateway's keys, or a stranger's).
	pub fn peer_api_as(&self, keys_dir: &Path) -> HttpClient {
		let identity = healthchain_gateway::peers::tls::Identity::load(
			&keys_dir.join("tls.crt"),
			&keys_dir.join("tls.key"),
		)
		.expect("a TLS identity");
		let tls =
			healthchain_gateway::peers::tls::peer_client_config(&identity, self.cert_sha256())
				.expect("a TLS client");
		HttpClientBuilder::default()
			.request_timeout(Duration::from_secs(60))
			.max_response_size(200 * 1024 * 1024)
			.with_custom_cert_store(tls)
			.build(&self.peer_url)
			.expect("an HTTP client")
	}

	/// Where this gateway's keys are.
	pub fn keys_dir(&self) -> PathBuf {
		self.prep.keys_dir()
	}

	/// The address its peer API listens on.
	pub fn peer_addr(&self) -> std::net::SocketAddr {
		format!("{}:{}", self.prep.peer_ip(), self.prep.peer_port)
			.parse()
			.expect("the peer API's address")
	}

	/// Stops the gateway with SIGINT; returns its exit status.
	pub fn stop(&mut self) -> ExitStatus {
		let child = self.child.take().expect("the gateway is running");
		interrupt(child, "gateway", Duration::from_secs(30))
	}
}

impl Drop for GatewayProcess {
	fn drop(&mut self) {
		kill(self.child.take());
	}
}

/// Idle TCP connections held open to one address, as an attacker holds them: they connect
/// and never say a word (no TLS handshake), from loopback addresses other than 127.0.0.1
/// (Linux routes all of 127.0.0.0/8 to the loopback interface), and each is opened again
/// shortly after the server closes it. Dropping the flood closes them all.
pub struct IdleFlood {
	tasks: Vec<tokio::task::JoinHandle<()>>,
	closed: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl IdleFlood {
	/// How long a flood connection waits before it reconnects, once the server closed it.
	pub const REOPEN_PAUSE: Duration = Duration::from_millis(250);

	/// Opens `connections` connections to `to`, spread evenly over the `sources` addresses
	/// 127.0.0.2, 127.0.0.3 and so on (the first share from the first address, then the
	/// next), and waits until every one has reached the server once.
	pub async fn start(to: std::net::SocketAddr, connections: usize, sources: u8) -> Self {
		use std::sync::{
			atomic::{AtomicU64, AtomicUsize, Ordering},
			Arc,
		};
		assert!((1..=250).contains(&sources), "127.0.0.2 to 127.0.0.251 at most");
		let (opened, closed) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicU64::new(0)));
		let per_source = connections.div_ceil(sources as usize);
		let tasks = (0..connections)
			.map(|i| {
				let from = std::net::Ipv4Addr::new(127, 0, 0, 2 + (i / per_source) as u8);
				let (opened, closed) = (opened.clone(), closed.clone());
				tokio::spawn(async move {
					let mut first = true;
					loop {
						let conn = match Self::connect(from, to).await {
							Ok(conn) => Some(conn),
							// Reset before the connect returned: the server took the
							// connection and let it go at once.
							Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => None,
							Err(_) => {
								tokio::time::sleep(Self::REOPEN_PAUSE).await;
								continue;
							},
						};
						if std::mem::take(&mut first) {
							opened.fetch_add(1, Ordering::SeqCst);
						}
						if let Some(mut conn) = conn {
							// Idle: nothing is sent, so this returns when the server closes
							// or resets the connection.
							let _ = tokio::io::AsyncReadExt::read(&mut conn, &mut [0u8; 1]).await;
						}
						closed.fetch_add(1, Ordering::SeqCst);
						tokio::time::sleep(Self::REOPEN_PAUSE).await;
					}
				})
			})
			.collect();
		let flood = IdleFlood { tasks, closed };
		let start = Instant::now();
		while opened.load(Ordering::SeqCst) < connections {
			assert!(start.elapsed() < PATIENCE, "the flood's connections never all opened");
			tokio::time::sleep(Duration::from_millis(50)).await;
		}
		flood
	}

	/// A TCP connection to `to` from address `from`.
	async fn connect(
		from: std::net::Ipv4Addr,
		to: std::net::SocketAddr,
	) -> std::io::Result<tokio::net::TcpStream> {
		let socket = tokio::net::TcpSocket::new_v4()?;
		socket.bind(std::net::SocketAddr::from((from, 0)))?;
		socket.connect(to).await
	}

	/// How many times the server has closed one of the flood's connections so far.
	pub fn closed(&self) -> u64 {
		self.closed.load(std::sync::atomic::Ordering::SeqCst)
	}
}

impl Drop for IdleFlood {
	fn drop(&mut self) {
		for task in &self.tasks {
			task.abort();
		}
	}
}

/// Sends SIGINT to a child process and waits for it to exit (a clean shutdown); kills it and
/// panics if it is still running after `limit`.
fn interrupt(mut child: Child, what: &str, limit: Duration) -> ExitStatus {
	let pid = nix::unistd::Pid::from_raw(child.id() as i32);
	nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGINT).expect("SIGINT delivered");
	let start = Instant::now();
	loop {
		if let Some(status) = child.try_wait().unwrap_or_else(|e| panic!("wait on the {what}: {e}"))
		{
			return status;
		}
		if start.elapsed() > limit {
			let _ = child.kill();
			panic!("the {what} did not exit within {} s of SIGINT", limit.as_secs());
		}
		std::thread::sleep(Duration::from_millis(100));
	}
}

/// Kills a child process, if any, and reaps it.
fn kill(child: Option<Child>) {
	if let Some(mut child) = child {
		let _ = child.kill();
		let _ = child.wait();
	}
}

/// One plain HTTP/1.1 request to `addr` (`Connection: close`); returns the status code and
/// the body.
fn http_request(addr: &str, head: &str, body: &str) -> std::io::Result<(u16, String)> {
	http_exchange_with(addr, head, body).map(|(status, _, body)| (status, body))
}

/// One plain HTTP/1.1 request with the head as written (request line and headers, each line
/// ending in CRLF); returns the status code, the response's header lines (lower-cased) and
/// the body.
pub fn http_exchange(addr: &str, head: &str) -> std::io::Result<(u16, String, String)> {
	http_exchange_with(addr, head, "")
}

/// [`http_exchange`] with a body.
fn http_exchange_with(
	addr: &str,
	head: &str,
	body: &str,
) -> std::io::Result<(u16, String, String)> {
	use std::io::{Read, Write};
	let mut s = std::net::TcpStream::connect(addr)?;
	s.set_read_timeout(Some(Duration::from_secs(30)))?;
	s.write_all(format!("{head}Connection: close\r\n\r\n{body}").as_bytes())?;
	let mut buf = String::new();
	s.read_to_string(&mut buf)?;
	let status = buf.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
	let (headers, body) = buf.split_once("\r\n\r\n").unwrap_or((&buf, ""));
	Ok((status, headers.to_lowercase(), body.to_string()))
}

/// A plain HTTP/1.1 GET; returns the status code and body.
pub fn http_get(addr: &str, path: &str) -> std::io::Result<(u16, String)> {
	http_request(addr, &format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n"), "")
}

/// A plain HTTP/1.1 request: `method` on `path` with a bearer token (if any), a
/// `Content-Type` and a body (if any); returns the status code and the body.
pub fn http_call(
	addr: &str,
	method: &str,
	path: &str,
	token: Option<&str>,
	body: Option<(&str, &str)>,
) -> std::io::Result<(u16, String)> {
	let mut head =
		format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nAccept: application/fhir+json\r\n");
	if let Some(token) = token {
		head.push_str(&format!("Authorization: Bearer {token}\r\n"));
	}
	let (content_type, text) = body.unwrap_or(("", ""));
	if body.is_some() {
		head.push_str(&format!(
			"Content-Type: {content_type}\r\nContent-Length: {}\r\n",
			text.len()
		));
	}
	http_request(addr, &head, text)
}

/// A plain HTTP/1.1 POST of a JSON body with a Host header and extra headers; returns the
/// status code and body.
pub fn http_post(
	addr: &str,
	host: &str,
	headers: &[(&str, &str)],
	body: &str,
) -> std::io::Result<(u16, String)> {
	let mut head = format!(
		"POST / HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
		body.len()
	);
	for (k, v) in headers {
		head.push_str(&format!("{k}: {v}\r\n"));
	}
	http_request(addr, &head, body)
}
