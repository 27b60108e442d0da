//! Test harness: starts real `healthchain-node` processes on free loopback ports with
//! temporary base paths, talks to them over JSON-RPC, and stops them with SIGINT.
//!
//! The node binary is `$HEALTHCHAIN_NODE`, or `healthchain-node` in the release directory of
//! `$CARGO_TARGET_DIR` (default `target`). `scripts/test` builds it first.

use std::{
	net::TcpListener,
	path::{Path, PathBuf},
	process::{Child, Command, ExitStatus, Stdio},
	time::{Duration, Instant},
};

use jsonrpsee::{
	core::client::ClientT,
	http_client::{HttpClient, HttpClientBuilder},
	rpc_params,
};
use serde_json::Value;
use sp_core::H256;

pub use healthchain_client::{
	self as client,
	calls::{self, text},
	dev, keypair_from_uri, rpc, runtime,
	subxt::transactions::Payload,
	Client, HealthRpcClient, Included, Keypair, Static, SubmitError, Wait,
};
pub use healthchain_primitives::demo;

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
	let proposed =
		submit(client, &dev::alice(), &runtime::tx().council().propose(3, motion, 100_000))
			.await
			.event::<runtime::council::events::Proposed>()
			.expect("Council.Proposed");
	let (hash, index) = (proposed.proposal_hash, proposed.proposal_index);
	for voter in [dev::alice(), dev::bob(), dev::charlie()] {
		submit(client, &voter, &runtime::tx().council().vote(hash, index, true)).await;
	}
	let weight = runtime::runtime_types::sp_weights::weight_v2::Weight {
		ref_time: 10_000_000_000,
		proof_size: 1_000_000,
	};
	let closed =
		submit(client, &dev::alice(), &runtime::tx().council().close(hash, index, weight, 100_000))
			.await;
	assert!(
		closed.event::<runtime::council::events::Executed>().is_some(),
		"the council motion executed"
	);
	closed
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
		}
	}
}

/// The demo chains' node key number `n` (hex, 32 bytes).
pub fn node_key(n: u8) -> String {
	format!("{:064x}", n)
}

/// The peer ids of node keys 1 to 4 (as in the runtime's genesis presets).
pub const PEER_IDS: [&str; 4] = [
	"12D3KooWEyoppNCUx8Yx66oV9fJnriXwCcXwDDUA2kj6vnc6iDEp",
	"12D3KooWHdiAxVd8uMQR1hGWXccidmfCwLqcMpGwR6QcTP6QRMuD",
	"12D3KooWSCufgHzV4fCwRijfH2k3abrpAJxTKxEvN1FDuRXA2U9x",
	"12D3KooWSsChzF81YDUKpe9Uk5AHV5oqAaXAcWNSPYgoLauUk4st",
];

/// A running node process.
pub struct Node {
	child: Option<Child>,
	/// The JSON-RPC port on 127.0.0.1.
	pub rpc_port: u16,
	/// The p2p port on 127.0.0.1.
	pub p2p_port: u16,
	/// The base path.
	pub base_path: PathBuf,
	_tmp: Option<tempfile::TempDir>,
	/// Where the node's log goes.
	pub log_path: PathBuf,
}

impl Node {
	/// Starts a node and waits until its RPC answers.
	pub async fn start(config: NodeConfig) -> Node {
		let (tmp, base_path) = match config.base_path {
			Some(p) => (None, p),
			None => {
				let t = tempfile::tempdir().expect("a temporary directory");
				let p = t.path().to_path_buf();
				(Some(t), p)
			},
		};
		let rpc_port = free_port();
		let p2p_port = config.p2p_port.unwrap_or_else(free_port);
		std::fs::create_dir_all(&base_path).expect("base path");
		let log_path = base_path.join(format!("node-{rpc_port}.log"));
		let log = std::fs::File::create(&log_path).expect("log file");
		let binary = node_binary();
		assert!(binary.exists(), "node binary not found at {}: run scripts/test", binary.display());
		let mut cmd = Command::new(&binary);
		cmd.arg("--chain")
			.arg(&config.chain)
			.arg("--base-path")
			.arg(&base_path)
			.arg("--rpc-port")
			.arg(rpc_port.to_string())
			.arg("--listen-addr")
			.arg(format!("/ip4/127.0.0.1/tcp/{p2p_port}"))
			.args(["--no-prometheus", "--no-telemetry", "--no-mdns", "--rpc-cors", "all"])
			.args(&config.args)
			.stdout(Stdio::null())
			.stderr(log);
		if let Some(key) = &config.node_key {
			cmd.arg("--node-key").arg(key);
		}
		let child = cmd.spawn().expect("the node starts");
		let mut node =
			Node { child: Some(child), rpc_port, p2p_port, base_path, _tmp: tmp, log_path };
		node.wait_for_rpc().await;
		node
	}

	/// This node's p2p multiaddress, assuming it runs with node key `key`.
	pub fn multiaddr(&self, key: u8) -> String {
		format!("/ip4/127.0.0.1/tcp/{}/p2p/{}", self.p2p_port, PEER_IDS[key as usize - 1])
	}

	/// `ws://127.0.0.1:<rpc port>`.
	pub fn ws_url(&self) -> String {
		format!("ws://127.0.0.1:{}", self.rpc_port)
	}

	/// `http://127.0.0.1:<rpc port>`.
	pub fn http_url(&self) -> String {
		format!("http://127.0.0.1:{}", self.rpc_port)
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

	async fn wait_for_rpc(&mut self) {
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
			assert!(start.elapsed() < PATIENCE, "RPC never came up; log:\n{}", self.log());
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

/// How to start a hospital gateway.
#[derive(Clone, Debug)]
pub struct GatewaySpec {
	/// Hospital code.
	pub hospital: String,
	/// The gateway account's secret URI (e.g. `//Dave`).
	pub key_uri: String,
	/// Retention before shredding, seconds.
	pub retention_secs: u64,
	/// Peers: hospital code, peer API URL, X25519 public key.
	pub peers: Vec<(String, String, String)>,
}

/// A gateway's identity prepared before start: ports and exchange key.
pub struct GatewayPrep {
	dir: tempfile::TempDir,
	/// Peer API port.
	pub peer_port: u16,
	/// Local API port.
	pub api_port: u16,
	/// X25519 public key (`0x` hex).
	pub exchange_public: String,
}

impl GatewayPrep {
	/// Chooses ports and generates the exchange key with `healthchain-gateway keygen`.
	pub fn new() -> Self {
		let dir = tempfile::tempdir().expect("a temporary directory");
		let key_file = dir.path().join("exchange.key");
		let out = Command::new(gateway_binary())
			.arg("keygen")
			.arg(&key_file)
			.output()
			.expect("the gateway binary runs");
		assert!(out.status.success(), "keygen failed: {}", String::from_utf8_lossy(&out.stderr));
		let exchange_public = String::from_utf8_lossy(&out.stdout).trim().to_string();
		GatewayPrep { dir, peer_port: free_port(), api_port: free_port(), exchange_public }
	}

	/// The peer API URL.
	pub fn peer_url(&self) -> String {
		format!("http://127.0.0.1:{}", self.peer_port)
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
	_prep: GatewayPrep,
}

impl GatewayProcess {
	/// Writes the configuration and key files and starts the gateway against `node`; waits
	/// until `GET /health` answers.
	pub async fn start(node: &Node, prep: GatewayPrep, spec: GatewaySpec) -> Self {
		let dir = prep.dir.path().to_path_buf();
		std::fs::write(dir.join("gateway.key"), &spec.key_uri).expect("key file");
		std::fs::write(dir.join("lookup.secret"), hex::encode(demo::DEV_LOOKUP_SECRET))
			.expect("secret file");
		let mut config = format!(
			"node_url = \"{}\"\nhospital = \"{}\"\nsigning_key_file = \"{d}/gateway.key\"\n\
			 exchange_key_file = \"{d}/exchange.key\"\nlookup_secret_file = \"{d}/lookup.secret\"\n\
			 storage_dir = \"{d}/store\"\nlisten = \"127.0.0.1:{}\"\napi_listen = \"127.0.0.1:{}\"\n\
			 retention_secs = {}\nconsent_wait_secs = 90\n",
			node.ws_url(),
			spec.hospital,
			prep.peer_port,
			prep.api_port,
			spec.retention_secs,
			d = dir.display(),
		);
		for (code, url, key) in &spec.peers {
			config
				.push_str(&format!("\n[peers.{code}]\nurl = \"{url}\"\npublic_key = \"{key}\"\n"));
		}
		let config_path = dir.join("gateway.toml");
		std::fs::write(&config_path, config).expect("config file");
		let log_path = dir.join("gateway.log");
		let log = std::fs::File::create(&log_path).expect("log file");
		let child = Command::new(gateway_binary())
			.arg("run")
			.arg(&config_path)
			.stdout(Stdio::null())
			.stderr(log)
			.spawn()
			.expect("the gateway starts");
		let api_addr = format!("127.0.0.1:{}", prep.api_port);
		let mut gw = GatewayProcess {
			child: Some(child),
			dir,
			api_url: format!("http://{api_addr}"),
			peer_url: prep.peer_url(),
			api_addr,
			log_path,
			_prep: prep,
		};
		let start = Instant::now();
		loop {
			if let Ok((200, _)) = http_get(&gw.api_addr, "/health") {
				break;
			}
			if let Some(status) = gw.child.as_mut().and_then(|c| c.try_wait().ok().flatten()) {
				panic!("the gateway exited with {status}; log:\n{}", gw.log());
			}
			assert!(start.elapsed() < PATIENCE, "gateway never came up; log:\n{}", gw.log());
			tokio::time::sleep(Duration::from_millis(200)).await;
		}
		gw
	}

	/// The gateway's log so far.
	pub fn log(&self) -> String {
		std::fs::read_to_string(&self.log_path).unwrap_or_default()
	}

	/// A JSON-RPC client for the local API.
	pub fn api(&self) -> HttpClient {
		HttpClientBuilder::default()
			.request_timeout(Duration::from_secs(300))
			.build(&self.api_url)
			.expect("an HTTP client")
	}

	/// A JSON-RPC client for the peer API.
	pub fn peer_api(&self) -> HttpClient {
		HttpClientBuilder::default()
			.request_timeout(Duration::from_secs(60))
			.build(&self.peer_url)
			.expect("an HTTP client")
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

/// A plain HTTP/1.1 GET; returns the status code and body.
pub fn http_get(addr: &str, path: &str) -> std::io::Result<(u16, String)> {
	use std::io::{Read, Write};
	let mut s = std::net::TcpStream::connect(addr)?;
	s.set_read_timeout(Some(Duration::from_secs(10)))?;
	write!(s, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n")?;
	let mut buf = String::new();
	s.read_to_string(&mut buf)?;
	let status = buf.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
	let body = buf.split("\r\n\r\n").nth(1).unwrap_or("").to_string();
	Ok((status, body))
}
