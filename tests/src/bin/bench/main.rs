//! `healthchain-bench`: the load generator behind `scripts/bench`.
//!
//! Starts a development node (or the four-validator local network) on loopback, sets up
//! gateway accounts, enrolled patients and flooding patient keys, pre-signs extrinsics from
//! several accounts (so nonces do not serialise one sender), then runs the phases below, each
//! for the given duration with a bounded number of extrinsics in flight, following best and
//! finalized blocks to time every extrinsic:
//!
//! 1. `System::remark`, the baseline (signed by operators: the only role that may remark), as
//!    fast as the node accepts;
//! 2. `AccessLog::attest` by the gateways of hospital `H0001`, as fast as the node accepts;
//!    then, with no load, the latency of 2,000 sequential `health_checkAccess` calls;
//! 3. `AccessLog::attest_batch` (`AccessLog.MaxBatch` accesses an extrinsic, each the
//!    attestation of phase 2), rates counted in attestations, and a check that every access of
//!    an included batch was attested (the patients' access-log counts);
//! 4. `AccessLog::attest` at a fixed pace, half the finalized rate of phase 2, round-robin over
//!    the gateways: the latency a gateway sees below capacity;
//! 5. `AccessLog::attest` while 100 patient keys flood the pool (remarks, batches of remarks,
//!    their own consent toggles past their quota, toggles for other patients), first at the
//!    validator's own RPC, then at a public full node rate-limited per connection (the
//!    deployment's topology: wallets never reach a validator or a gateway's node directly);
//! 6. on the development chain with `--million N` (N > 0): the node is stopped and a new one
//!    started from a chain spec whose genesis holds N more registered and enrolled patients
//!    (built by the runtime's own genesis builder in chunks, the raw chunks merged); after the
//!    same setup, `AccessLog::attest` to 20,000 patients drawn uniformly among the N (each
//!    with a record anchored first: an attestation names only live records), then the
//!    `health_checkAccess` latency over them, with the node's database size before and after.
//!
//! Prints one table of every phase (throughput in items: remarks or attestations; latency
//! percentiles, bytes per extrinsic, the node's CPU and memory), the ratios against their
//! targets, the `health_checkAccess` latencies, the database growth per 100,000 attestations,
//! the flood's refusals as the node reports them, and state bytes per patient.
//!
//! The remark baseline needs more than an operator's default quota (200 calls a block): the
//! setup raises the operator quota by council motion (`Participants.set_quota`, the
//! governance path the runtime offers) and adds five bench operators to the council, so the
//! baseline has as many senders as the attestation phases. The same motion raises the
//! gateways' pool share (waiting transactions per account) from 2,048 to 8,192, their calls
//! per block and per day unchanged.
//!
//! ```text
//! healthchain-bench [--chain dev|local] [--pool single-state|fork-aware] [--secs 60]
//!                   [--window 6000] [--pool-limit 32768] [--patients 64] [--flooders 100]
//!                   [--public-rate-limit 60] [--million 1000000] [--capacity-out FILE]
//! ```
//!
//! `--capacity-out` writes phase 2's finalized attestations a second (JSON, with the chain)
//! for `healthchain-doctor-bench --capacity`.
//!
//! `--million` applies to the development chain only; 0 skips the phase.

mod phases;
mod report;

use codec::MaxEncodedLen;
use healthchain_primitives::{demo::test_patient, logs::LogHead, HealthId};
use healthchain_tests::genesis::{genesis_patient, spec_with_patients, GENESIS_CHUNK};
use healthchain_tests::{
	calls, check_allergies,
	client::subxt::{
		config::substrate::SubstrateHeader, transactions::Payload, utils::MultiAddress,
	},
	council_motion, free_port, key,
	runtime::{
		self,
		runtime_types::{
			frame_system::pallet::Call as SystemCall,
			healthchain_runtime::RuntimeCall,
			pallet_membership::pallet::Call as CouncilMembershipCall,
			pallet_participants::{
				pallet::Call as ParticipantsCall,
				types::{Quota, SignerKind},
			},
			pallet_utility::pallet::Call as UtilityCall,
		},
	},
	Client, HealthRpcClient, Keypair, Node, NodeConfig,
};
use jsonrpsee::{
	core::client::{ClientT, SubscriptionClientT},
	rpc_params,
	ws_client::{WsClient, WsClientBuilder},
};
use serde::Deserialize;
use sp_core::{Bytes, H256};
use std::{
	collections::{BTreeMap, HashMap, HashSet},
	path::{Path, PathBuf},
	sync::{
		atomic::{AtomicUsize, Ordering},
		Arc, Mutex,
	},
	time::{Duration, Instant},
};

use healthchain_tests::load::{
	access, add_gateways, anchor_records, attest_call, enrol_patients, sign, At, Capacity,
	HOSPITAL, PRACTITIONER,
};
use phases::{million_phase, print_settings, start_nodes, write_spec, Bench};
use report::{print_before_million, print_report, Results};

/// Gateways the council adds to hospital `H0001` (with its first: eight senders).
const EXTRA_GATEWAYS: usize = 7;
/// Operators added to the council for the remark baseline (with Alice, Bob, Charlie: eight).
const EXTRA_OPERATORS: usize = 5;
/// Sequential `health_checkAccess` calls per latency measurement.
const CHECKS: usize = 2_000;
/// Extrinsics a second a single-call phase pre-signs for: three times the 1,000 a second
/// target, and more than the remark baseline can reach (a block of the cheapest signed
/// extrinsic, about 4,300, every 2 s), so no phase runs out before its end.
const PRESIGN_PER_S: usize = 3_000;
/// Accesses a second the batch phase pre-signs for: the 5,000 a second target and a fifth.
const BATCH_PRESIGN_PER_S: usize = 6_000;
/// The batch phase's window in accesses, as a multiple of the single phase's window in
/// extrinsics: five times (30,000 accesses, three 2 s blocks at the 5,000 a second target,
/// about 2.3 MB of pool for batches of 100, well within the pool's 20 MiB default).
const BATCH_WINDOW_FACTOR: usize = 5;
/// How long a node whose genesis holds the million patients may take to serve RPC (it builds
/// the genesis state from the raw spec first).
const GENESIS_PATIENCE: Duration = Duration::from_secs(3600);
/// Salt of the `health_checkAccess` latency's choice of patients (see [`uniform`]).
const CHECK_SALT: u64 = 1;
/// Salt of the million-patient phase's choice of patients to attest.
const ATTEST_SALT: u64 = 2;
/// How many of the million-phase's genesis patients are attested (each anchored first).
const MILLION_DRAWN: usize = 20_000;

/// Bench patient `i`: a test patient of the shared demo identities.
fn patient_id(i: usize) -> HealthId {
	test_patient(i as u32)
}

/// A header as `chain_subscribe*Heads` and `chain_getBlock` give it.
type Header = SubstrateHeader<H256>;

/// A block as `chain_getBlock` gives it.
#[derive(Deserialize)]
struct SignedBlock {
	block: BlockBody,
}

#[derive(Deserialize)]
struct BlockBody {
	header: Header,
	extrinsics: Vec<Bytes>,
}

/// The command line.
struct Args {
	chain: String,
	pool: Option<String>,
	secs: u64,
	window: usize,
	/// The node's transaction pool limit (`--pool-limit`, transactions).
	pool_limit: usize,
	patients: usize,
	flooders: usize,
	public_rate_limit: u32,
	/// Patients in the genesis of the million-patient phase's chain (development chain only;
	/// 0 skips the phase).
	million: usize,
	/// Only write the million-patient chain spec here (for `scripts/weights storage`), then
	/// exit.
	spec_out: Option<PathBuf>,
	/// Write phase 2's finalized attestation rate here, as JSON, for
	/// `healthchain-doctor-bench --capacity` (its load at half capacity).
	capacity_out: Option<PathBuf>,
}

fn args() -> Args {
	let mut a = Args {
		chain: "dev".into(),
		pool: None,
		secs: 60,
		window: 6000,
		pool_limit: 32_768,
		patients: 64,
		flooders: 100,
		public_rate_limit: 60,
		million: 1_000_000,
		spec_out: None,
		capacity_out: None,
	};
	let v: Vec<String> = std::env::args().skip(1).collect();
	let mut i = 0;
	while i < v.len() {
		let next = v.get(i + 1).cloned().unwrap_or_default();
		match v[i].as_str() {
			"--chain" => a.chain = next,
			"--pool" => a.pool = Some(next),
			"--secs" => a.secs = next.parse().expect("--secs N"),
			"--window" => a.window = next.parse().expect("--window N"),
			"--pool-limit" => a.pool_limit = next.parse().expect("--pool-limit N"),
			"--patients" => a.patients = next.parse().expect("--patients N"),
			"--flooders" => a.flooders = next.parse().expect("--flooders N"),
			"--public-rate-limit" => {
				a.public_rate_limit = next.parse().expect("--public-rate-limit CALLS_PER_MINUTE")
			},
			"--million" => a.million = next.parse().expect("--million PATIENTS"),
			"--spec-out" => a.spec_out = Some(PathBuf::from(next)),
			"--capacity-out" => a.capacity_out = Some(PathBuf::from(next)),
			other => panic!("unknown argument {other}"),
		}
		i += 2;
	}
	assert!(a.chain == "dev" || a.chain == "local", "--chain dev|local");
	assert!(a.patients >= 4, "--patients must be at least 4");
	a
}

/// The accounts the phases sign with.
struct Cast {
	/// Gateways of hospital H0001: the first plus seven added by it.
	gateways: Vec<Keypair>,
	/// Council members (operators): the chain's three plus five bench operators.
	operators: Vec<Keypair>,
	/// Enrolled patients whose keys flood, with their health IDs.
	flooders: Vec<(Keypair, HealthId)>,
}

/// The flooding patient `i`'s key and health ID (after the bench patients').
fn flooder(i: usize, patients: usize) -> (Keypair, HealthId) {
	(key(&format!("//BenchFlooder{i}")), patient_id(patients + i))
}

/// Gateways, operators (with the quota the remark baseline needs), enrolled patients and
/// enrolled flooding patients.
async fn setup(client: &Client, chain: &str, patients: usize, flooders: usize) -> Cast {
	let (gateway, registrar) =
		if chain == "dev" { ("//Dave", "//Ferdie") } else { ("//Eve", "//One") };
	let first = key(gateway);
	let extra: Vec<Keypair> =
		(1..=EXTRA_GATEWAYS).map(|i| key(&format!("//BenchGateway{i}"))).collect();
	add_gateways(client, &extra).await;

	let bench_operators: Vec<Keypair> =
		(1..=EXTRA_OPERATORS).map(|i| key(&format!("//BenchOperator{i}"))).collect();
	let mut motion: Vec<RuntimeCall> = bench_operators
		.iter()
		.map(|k| {
			RuntimeCall::CouncilMembership(CouncilMembershipCall::add_member {
				who: MultiAddress::Id(k.public_key().to_account_id()),
			})
		})
		.collect();
	motion.push(RuntimeCall::Participants(ParticipantsCall::set_quota {
		kind: SignerKind::Operator,
		quota: Some(Quota { per_block: 1_000_000, per_period: 100_000_000, max_pooled: 8192 }),
	}));
	// A gateway's pool share (2,048 waiting transactions) is below what one of the eight
	// senders can have waiting when the window (6,000) is not evenly spread over them.
	motion.push(RuntimeCall::Participants(ParticipantsCall::set_quota {
		kind: SignerKind::Gateway,
		quota: Some(Quota { per_block: 2_000, per_period: 2_000_000, max_pooled: 8192 }),
	}));
	council_motion(client, RuntimeCall::Utility(UtilityCall::batch_all { calls: motion })).await;

	let mut enrolled: Vec<(Keypair, HealthId)> =
		(0..patients).map(|i| (key(&format!("//BenchPatient{i}")), patient_id(i))).collect();
	let flooding: Vec<(Keypair, HealthId)> = (0..flooders).map(|i| flooder(i, patients)).collect();
	enrolled.extend(flooding.iter().cloned());
	enrol_patients(client, &key(registrar), &enrolled).await;
	let ids: Vec<HealthId> = enrolled.iter().map(|(_, id)| *id).collect();
	anchor_records(client, &first, &ids).await;

	let mut gateways = vec![first];
	gateways.extend(extra);
	let mut operators: Vec<Keypair> = ["//Alice", "//Bob", "//Charlie"].map(key).to_vec();
	operators.extend(bench_operators);
	Cast { gateways, operators, flooders: flooding }
}

/// A pre-signed extrinsic.
struct Signed {
	bytes: Vec<u8>,
	hash: [u8; 32],
	signer: usize,
}

/// Pre-signs `count` extrinsics round-robin over `signers`, calls from `make(i)`.
async fn presign<P: Payload>(
	client: &Client,
	rpc: &WsClient,
	signers: &[Keypair],
	count: usize,
	make: impl Fn(usize) -> P,
) -> Vec<Signed> {
	let mut nonces = Vec::new();
	for s in signers {
		nonces.push(next_nonce(rpc, s).await);
	}
	let at = client.api().at_current_block().await.expect("a block");
	let mut out = Vec::with_capacity(count);
	for i in 0..count {
		let s = i % signers.len();
		let bytes = sign(&at, &signers[s], nonces[s], &make(i));
		nonces[s] += 1;
		let hash = sp_crypto_hashing::blake2_256(&bytes);
		out.push(Signed { bytes, hash, signer: s });
	}
	out
}

/// What the pool answered the flood.
#[derive(Default)]
struct FloodTally {
	/// Submissions.
	sent: usize,
	/// Answers by the node's words: "accepted", or the error's code and data.
	answers: BTreeMap<String, usize>,
	/// How long the flood ran (s).
	secs: f64,
}

/// The flood's outcome: the pool's answers and how many of each key's own calls reached a
/// block.
struct FloodReport {
	keys: usize,
	tally: FloodTally,
	per_s: f64,
	max_included_per_key: u64,
	total_included: u64,
}

/// The node's answer to a refused submission, as it reports it (code and data, verbatim).
fn answer(e: &jsonrpsee::core::client::Error) -> String {
	match e {
		jsonrpsee::core::client::Error::Call(obj) => format!(
			"{} {}",
			obj.code(),
			obj.data().map(|d| d.get().to_string()).unwrap_or_else(|| obj.message().to_string())
		),
		other => other.to_string(),
	}
}

/// One stolen patient key flooding until `until`, as fast as the node answers: 1 KiB remarks,
/// batches of 100 remarks, its own consent toggles (valid until its quota refuses them) and
/// toggles for patients it does not act for. Every extrinsic is new (no ban-list shortcut).
async fn flood_key(
	at: &At,
	rpc: &WsClient,
	who: &(Keypair, HealthId),
	first_nonce: u64,
	until: Instant,
	tally: &Mutex<FloodTally>,
	unique: &AtomicUsize,
) {
	let (signer, own) = who;
	let mut nonce = first_nonce;
	let mut i = 0usize;
	while Instant::now() < until {
		let n = unique.fetch_add(1, Ordering::Relaxed) as u64;
		let mut remark = vec![0xf1; 1024];
		remark[..8].copy_from_slice(&n.to_le_bytes());
		let (bytes, own_call) = match i % 4 {
			0 => (sign(at, signer, nonce, &runtime::tx().system().remark(remark)), false),
			1 => {
				let calls = (0..100u64)
					.map(|k| {
						RuntimeCall::System(SystemCall::remark {
							remark: (n * 100 + k).to_le_bytes().to_vec(),
						})
					})
					.collect();
				(sign(at, signer, nonce, &runtime::tx().utility().batch(calls)), false)
			},
			2 => (sign(at, signer, nonce, &calls::set_sensitive_opt_in(*own, i % 8 < 4)), true),
			_ => {
				let stranger = test_patient(2_000_000 + n as u32);
				(sign(at, signer, nonce, &calls::set_sensitive_opt_in(stranger, true)), false)
			},
		};
		i += 1;
		let result =
			rpc.request::<H256, _>("author_submitExtrinsic", rpc_params![Bytes(bytes)]).await;
		let label = match &result {
			Ok(_) => {
				if own_call {
					nonce += 1;
				}
				"accepted".to_string()
			},
			Err(e) => answer(e),
		};
		let mut t = tally.lock().expect("lock");
		t.sent += 1;
		*t.answers.entry(label).or_default() += 1;
	}
}

/// Floods from every key in `who`, starting with nonces `first`, from `start_at` for `secs`
/// seconds.
async fn flood(
	client: &Client,
	url: &str,
	who: &[(Keypair, HealthId)],
	first: &[u64],
	start_at: Instant,
	secs: u64,
) -> FloodTally {
	// A connection per key, up to 80: an attacker opens as many as the node lets it (its
	// `--rpc-max-connections` defaults to 100, and the bench holds a few itself).
	let mut rpcs = Vec::new();
	for _ in 0..who.len().clamp(1, 80) {
		rpcs.push(WsClientBuilder::default().build(url).await.expect("ws client"));
	}
	let at = client.api().at_current_block().await.expect("a block");
	tokio::time::sleep_until(start_at.into()).await;
	let until = start_at + Duration::from_secs(secs);
	let tally = Mutex::new(FloodTally::default());
	let unique = AtomicUsize::new(0);
	futures::future::join_all(
		who.iter().zip(first).enumerate().map(|(i, (w, n))| {
			flood_key(&at, &rpcs[i % rpcs.len()], w, *n, until, &tally, &unique)
		}),
	)
	.await;
	let mut tally = tally.into_inner().expect("lock");
	tally.secs = start_at.elapsed().as_secs_f64();
	tally
}

/// Nonces of `who`'s accounts (the pool included: call it with an empty pool for the chain's).
async fn nonces(rpc: &WsClient, who: &[(Keypair, HealthId)]) -> Vec<u64> {
	let mut out = Vec::new();
	for (k, _) in who {
		out.push(next_nonce(rpc, k).await);
	}
	out
}

/// Runs an attest phase (`attests`) and the flood (at `url`) side by side, both starting in
/// 2 s; then, with the pool empty, counts the flood keys' own calls that reached blocks.
async fn flooded_phase(
	name: &str,
	node: &Node,
	client: &Client,
	url: &str,
	who: &[(Keypair, HealthId)],
	attests: Vec<Signed>,
	a: &Args,
) -> (PhaseReport, FloodReport) {
	// The first nonces from the validator's own RPC (the public node's rate limit would delay
	// the flood's start).
	let rpc = &WsClientBuilder::default().build(node.ws_url()).await.expect("ws client");
	let first = nonces(rpc, who).await;
	let start_at = Instant::now() + Duration::from_secs(2);
	let (report, tally) = tokio::join!(
		run_phase(name, node, attests, a.secs, a.window, None, 1),
		flood(client, url, who, &first, start_at, a.secs),
	);
	wait_pool_empty(rpc).await;
	let included: Vec<u64> =
		nonces(rpc, who).await.iter().zip(&first).map(|(now, then)| now - then).collect();
	let flood = FloodReport {
		keys: who.len(),
		per_s: tally.sent as f64 / tally.secs,
		tally,
		max_included_per_key: included.iter().copied().max().unwrap_or(0),
		total_included: included.iter().sum(),
	};
	(report, flood)
}

/// An account's next nonce, pool included.
async fn next_nonce(rpc: &WsClient, who: &Keypair) -> u64 {
	rpc.request(
		"system_accountNextIndex",
		rpc_params![who.public_key().to_account_id().to_string()],
	)
	.await
	.expect("nonce")
}

#[derive(Default, Clone, Copy)]
struct Timing {
	sent: Option<Instant>,
	best: Option<Instant>,
	best_block: Option<u64>,
	finalized: Option<Instant>,
	len: usize,
}

/// CPU seconds (user + system) and resident memory (kB, current and peak) of a process.
fn proc_usage(pid: u32) -> (f64, u64, u64) {
	let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
	let fields: Vec<&str> = stat.rsplit(')').next().unwrap_or("").split_whitespace().collect();
	let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
	// After the command name: state is field 0, utime 11, stime 12 (proc(5) fields 14, 15).
	let cpu = (ticks(11) + ticks(12)) / 100.0;
	let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
	let kb = |name: &str| {
		status
			.lines()
			.find(|l| l.starts_with(name))
			.and_then(|l| l.split_whitespace().nth(1))
			.and_then(|v| v.parse().ok())
			.unwrap_or(0)
	};
	(cpu, kb("VmRSS:"), kb("VmHWM:"))
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
	if sorted.is_empty() {
		return f64::NAN;
	}
	let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
	sorted[idx]
}

/// What one phase measured. Rates count extrinsics that reached a block (or finality)
/// between 5 s into the phase and its end.
struct PhaseReport {
	name: String,
	/// Items (remarks, attestations) one extrinsic carries: 1, or a batch's size.
	items_per_extrinsic: usize,
	submitted: usize,
	rejected: usize,
	/// Extrinsics included a second.
	included_per_s: f64,
	/// Extrinsics finalized a second.
	finalized_per_s: f64,
	/// Extrinsics of the phase seen in a best block, over the whole phase and its drain.
	included_total: usize,
	/// Extrinsics of the phase seen finalized, over the whole phase and its drain.
	finalized_total: usize,
	best_p50: f64,
	best_p99: f64,
	fin_p50: f64,
	fin_p99: f64,
	bytes_per_tx: f64,
	cpu_percent: f64,
	rss_mb: f64,
	peak_rss_mb: f64,
	blocks: usize,
	max_per_block: usize,
}

impl PhaseReport {
	/// Items (remarks, attestations) included a second.
	fn included_items_per_s(&self) -> f64 {
		self.included_per_s * self.items_per_extrinsic as f64
	}

	/// Items (remarks, attestations) finalized a second.
	fn finalized_items_per_s(&self) -> f64 {
		self.finalized_per_s * self.items_per_extrinsic as f64
	}
}

/// Follows best and finalized heads and stamps every known extrinsic.
async fn follow(
	url: String,
	timings: Arc<Mutex<HashMap<[u8; 32], Timing>>>,
	stop: Arc<AtomicUsize>,
	block_sizes: Arc<Mutex<Vec<usize>>>,
	in_flight: Arc<AtomicUsize>,
) {
	let client = WsClientBuilder::default()
		.max_response_size(u32::MAX)
		.build(&url)
		.await
		.expect("ws client");
	let mut heads = client
		.subscribe::<Header, _>(
			"chain_subscribeNewHeads",
			rpc_params![],
			"chain_unsubscribeNewHeads",
		)
		.await
		.expect("new heads");
	let mut finals = client
		.subscribe::<Header, _>(
			"chain_subscribeFinalizedHeads",
			rpc_params![],
			"chain_unsubscribeFinalizedHeads",
		)
		.await
		.expect("finalized heads");
	let mut seen: HashSet<H256> = HashSet::new();
	let mut included: Vec<([u8; 32], u64)> = Vec::new();
	let mut finalized_upto = 0u64;
	loop {
		if stop.load(Ordering::SeqCst) == 1 {
			return;
		}
		tokio::select! {
			Some(Ok(h)) = heads.next() => {
				let now = Instant::now();
				// Walk back to a block already seen (fills gaps; handles switches of fork).
				let mut hash: H256 = match client.request::<Option<H256>, _>("chain_getBlockHash", rpc_params![h.number]).await { Ok(Some(x)) => x, _ => continue };
				let mut todo = Vec::new();
				while !seen.contains(&hash) {
					let Ok(Some(block)) = client.request::<Option<SignedBlock>, _>("chain_getBlock", rpc_params![hash]).await else { break };
					let number = block.block.header.number;
					let parent = block.block.header.parent_hash;
					todo.push((hash, number, block.block.extrinsics));
					if number == 0 { break; }
					hash = parent;
					if todo.len() > 64 { break; }
				}
				for (hash, number, exts) in todo.into_iter().rev() {
					seen.insert(hash);
					let mut ours = 0;
					let mut t = timings.lock().expect("lock");
					for x in exts {
						let hash = sp_crypto_hashing::blake2_256(&x);
						if let Some(tm) = t.get_mut(&hash) {
							if tm.best.is_none() {
								if tm.sent.is_some() {
									in_flight.fetch_sub(1, Ordering::SeqCst);
								}
								tm.best = Some(now);
								tm.best_block = Some(number);
								tm.len = x.len();
								included.push((hash, number));
								ours += 1;
							}
						}
					}
					if ours > 0 {
						block_sizes.lock().expect("lock").push(ours);
					}
				}
			},
			Some(Ok(f)) = finals.next() => {
				let now = Instant::now();
				let n = f.number;
				if n > finalized_upto {
					finalized_upto = n;
					let mut t = timings.lock().expect("lock");
					included.retain(|(hash, number)| {
						if *number <= n {
							if let Some(tm) = t.get_mut(hash) {
								tm.finalized.get_or_insert(now);
							}
							false
						} else { true }
					});
				}
			},
			_ = tokio::time::sleep(Duration::from_millis(200)) => {},
		}
	}
}

/// Submits the pre-signed `txs` to `node` for `secs` seconds, one ordered stream per signer,
/// with at most `window` submitted and not yet in a block, and times each against the best
/// and finalized blocks. Without a `pace`, every stream submits as fast as the node answers;
/// with one, extrinsic `i` (in `txs`' order, round-robin over the signers as [`presign`]
/// makes them) is submitted `i / pace` seconds into the phase: a fixed rate of `pace`
/// extrinsics a second. Each extrinsic carries `items_per_extrinsic` items (for the report's
/// rates in items).
async fn run_phase(
	name: &str,
	node: &Node,
	txs: Vec<Signed>,
	secs: u64,
	window: usize,
	pace: Option<f64>,
	items_per_extrinsic: usize,
) -> PhaseReport {
	let url = node.ws_url();
	let pid = node.pid().expect("the node runs");
	let timings: Arc<Mutex<HashMap<[u8; 32], Timing>>> =
		Arc::new(Mutex::new(txs.iter().map(|t| (t.hash, Timing::default())).collect()));
	let stop = Arc::new(AtomicUsize::new(0));
	let block_sizes = Arc::new(Mutex::new(Vec::new()));
	let in_flight = Arc::new(AtomicUsize::new(0));
	let follower = tokio::spawn(follow(
		url.clone(),
		timings.clone(),
		stop.clone(),
		block_sizes.clone(),
		in_flight.clone(),
	));
	tokio::time::sleep(Duration::from_secs(2)).await;

	let mut clients = Vec::new();
	for _ in 0..4 {
		clients.push(Arc::new(WsClientBuilder::default().build(&url).await.expect("ws client")));
	}
	// One queue per signer, in nonce order: a sender's extrinsics reach the pool in order, so
	// none waits in the pool's future queue for a missing nonce. Each keeps its position in
	// `txs`, for the pace.
	let mut queues: Vec<Vec<(usize, Signed)>> = Vec::new();
	for (i, tx) in txs.into_iter().enumerate() {
		if queues.len() <= tx.signer {
			queues.resize_with(tx.signer + 1, Vec::new);
		}
		queues[tx.signer].push((i, tx));
	}
	let (cpu0, _, _) = proc_usage(pid);
	let start = Instant::now();
	let deadline = start + Duration::from_secs(secs);
	let submitted = Arc::new(AtomicUsize::new(0));
	let rejected = Arc::new(AtomicUsize::new(0));
	let mut tasks = Vec::new();
	for (g, queue) in queues.into_iter().enumerate() {
		let client = clients[g % clients.len()].clone();
		let (timings, submitted, rejected) = (timings.clone(), submitted.clone(), rejected.clone());
		let in_flight = in_flight.clone();
		let name = name.to_string();
		tasks.push(tokio::spawn(async move {
			for (i, tx) in queue {
				if let Some(rate) = pace {
					let due = start + Duration::from_secs_f64(i as f64 / rate);
					if due >= deadline {
						return;
					}
					tokio::time::sleep_until(due.into()).await;
				}
				if Instant::now() >= deadline {
					return;
				}
				// Keep the pool fed but bounded: at most `window` submitted and not yet in a block.
				// The pool, over its limits (the bench's node: 32,768 ready, 3,276 future),
				// drops extrinsics (the fork-aware pool also keeps included ones until
				// finality); a sender that loses one stalls. A window of 6,000 (more than a
				// block of the cheapest extrinsic, about 4,650 remarks) stays clear of both.
				while in_flight.load(Ordering::SeqCst) >= window {
					if Instant::now() >= deadline {
						return;
					}
					tokio::time::sleep(Duration::from_millis(5)).await;
				}
				timings.lock().expect("lock").entry(tx.hash).or_default().sent =
					Some(Instant::now());
				let bytes = Bytes(tx.bytes);
				match client.request::<H256, _>("author_submitExtrinsic", rpc_params![bytes]).await
				{
					Ok(_) => {
						in_flight.fetch_add(1, Ordering::SeqCst);
						submitted.fetch_add(1, Ordering::Relaxed);
					},
					Err(e) => {
						if rejected.fetch_add(1, Ordering::Relaxed) < 3 {
							eprintln!("  {name}: submission refused, signer {g} stops: {e}");
						}
						timings.lock().expect("lock").remove(&tx.hash);
						// Later nonces of this signer would wait forever for this one.
						return;
					},
				}
			}
		}));
	}
	// Progress every 5 s, to stderr.
	let monitor = {
		let (timings, submitted, in_flight) =
			(timings.clone(), submitted.clone(), in_flight.clone());
		let name = name.to_string();
		tokio::spawn(async move {
			loop {
				tokio::time::sleep(Duration::from_secs(5)).await;
				let included =
					timings.lock().expect("lock").values().filter(|t| t.best.is_some()).count();
				eprintln!(
					"  {name} +{:.0} s: submitted {}, in flight {}, in blocks {included}",
					start.elapsed().as_secs_f64(),
					submitted.load(Ordering::Relaxed),
					in_flight.load(Ordering::SeqCst),
				);
			}
		})
	};
	for t in tasks {
		let _ = t.await;
	}
	monitor.abort();
	let load_secs = start.elapsed().as_secs_f64();
	let (cpu1, rss, _) = proc_usage(pid);
	// Drain: wait until everything submitted is finalized (or a minute passes).
	let drain = Instant::now();
	loop {
		let pending = timings
			.lock()
			.expect("lock")
			.values()
			.filter(|t| t.sent.is_some() && t.finalized.is_none())
			.count();
		if pending == 0 || drain.elapsed() > Duration::from_secs(60) {
			break;
		}
		tokio::time::sleep(Duration::from_millis(250)).await;
	}
	stop.store(1, Ordering::SeqCst);
	let _ = follower.await;
	let (_, _, peak) = proc_usage(pid);

	let t = timings.lock().expect("lock");
	let warm = start + Duration::from_secs(5);
	let measured = (deadline.min(start + Duration::from_secs_f64(load_secs)) - warm).as_secs_f64();
	let in_window = |x: Option<Instant>| x.map(|i| i >= warm && i <= deadline).unwrap_or(false);
	let included = t.values().filter(|x| in_window(x.best)).count();
	let finalized = t.values().filter(|x| in_window(x.finalized)).count();
	let mut best: Vec<f64> =
		t.values().filter_map(|x| Some(x.best?.duration_since(x.sent?).as_secs_f64())).collect();
	let mut fin: Vec<f64> = t
		.values()
		.filter_map(|x| Some(x.finalized?.duration_since(x.sent?).as_secs_f64()))
		.collect();
	best.sort_by(|a, b| a.total_cmp(b));
	fin.sort_by(|a, b| a.total_cmp(b));
	let lens: Vec<usize> = t.values().filter(|x| x.best.is_some()).map(|x| x.len).collect();
	let sizes = block_sizes.lock().expect("lock");
	PhaseReport {
		name: name.into(),
		items_per_extrinsic,
		submitted: submitted.load(Ordering::Relaxed),
		rejected: rejected.load(Ordering::Relaxed),
		included_per_s: included as f64 / measured,
		finalized_per_s: finalized as f64 / measured,
		included_total: lens.len(),
		finalized_total: t.values().filter(|x| x.finalized.is_some()).count(),
		best_p50: percentile(&best, 0.5),
		best_p99: percentile(&best, 0.99),
		fin_p50: percentile(&fin, 0.5),
		fin_p99: percentile(&fin, 0.99),
		bytes_per_tx: lens.iter().sum::<usize>() as f64 / lens.len().max(1) as f64,
		cpu_percent: (cpu1 - cpu0) / load_secs * 100.0,
		rss_mb: rss as f64 / 1024.0,
		peak_rss_mb: peak as f64 / 1024.0,
		blocks: sizes.len(),
		max_per_block: sizes.iter().copied().max().unwrap_or(0),
	}
}

/// Waits until the node's pool is empty, so the next phase's nonces are the chain's.
async fn wait_pool_empty(rpc: &WsClient) {
	let start = Instant::now();
	loop {
		let pending: Vec<Bytes> =
			rpc.request("author_pendingExtrinsics", rpc_params![]).await.unwrap_or_default();
		if pending.is_empty() || start.elapsed() > Duration::from_secs(300) {
			if !pending.is_empty() {
				eprintln!("  the pool still holds {} extrinsics", pending.len());
			}
			return;
		}
		tokio::time::sleep(Duration::from_millis(500)).await;
	}
}

/// `Consent.Consents` storage key of a patient (built by hand to measure its size): their
/// consent record, which holds their access log's head.
fn consent_key(id: &HealthId) -> Bytes {
	let mut k = sp_crypto_hashing::twox_128(b"Consent").to_vec();
	k.extend(sp_crypto_hashing::twox_128(b"Consents"));
	k.extend(sp_crypto_hashing::blake2_128(&id.0));
	k.extend(id.0);
	Bytes(k)
}

/// A patient's consent record with their access log: the log's entry count, and the key and
/// value sizes in bytes. The head (`LogHead`, 40 bytes) is the record's last field.
async fn state_of(rpc: &WsClient, id: &HealthId) -> (u64, usize, usize) {
	let key = consent_key(id);
	let value: Option<Bytes> =
		rpc.request("state_getStorage", rpc_params![key.clone()]).await.expect("storage");
	let bytes = value.map(|v| v.0).unwrap_or_default();
	let head = bytes.len().checked_sub(LogHead::max_encoded_len()).map(|at| &bytes[at..]);
	let count = head
		.and_then(|mut h| <LogHead as codec::Decode>::decode(&mut h).ok())
		.map_or(0, |h| h.count);
	(count, key.len(), bytes.len())
}

/// A pseudo-random number below `n` for draw `i` (SplitMix64 of `salt` and `i`):
/// deterministic, so every run draws the same patients, and uniform enough to choose them.
fn uniform(salt: u64, i: usize, n: usize) -> usize {
	let mut z = ((salt << 48) ^ i as u64).wrapping_add(0x9e37_79b9_7f4a_7c15);
	z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
	z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
	((z ^ (z >> 31)) % n as u64) as usize
}

/// The access-log entries of `ids` on chain (best block), summed.
async fn attested_total(rpc: &WsClient, ids: &[HealthId]) -> u64 {
	let mut total = 0;
	for id in ids {
		total += state_of(rpc, id).await.0;
	}
	total
}

/// The batch phase's check: the accesses of the batches that reached a block, against the
/// access-log entries the patients gained.
struct BatchCheck {
	in_included: usize,
	attested: u64,
}

impl std::fmt::Display for BatchCheck {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		write!(
			f,
			"batch: {} accesses submitted in included extrinsics, {} attested",
			self.in_included, self.attested
		)
	}
}

/// Latencies of sequential `health_checkAccess` calls, and what they answered.
struct CheckLatency {
	calls: usize,
	/// Calls answered with a permit (every patient asked is enrolled: all of them should be).
	permits: usize,
	/// The first answer that was not a permit, if any.
	other: Option<String>,
	p50_ms: f64,
	p99_ms: f64,
	max_ms: f64,
}

/// Calls `health_checkAccess` at `url` [`CHECKS`] times in a row over one connection: may
/// [`PRACTITIONER`] at [`HOSPITAL`] look at `patient(i)`'s allergies for treatment.
async fn check_access_latency(url: &str, patient: impl Fn(usize) -> HealthId) -> CheckLatency {
	let rpc = WsClientBuilder::default().build(url).await.expect("ws client");
	let mut ms = Vec::with_capacity(CHECKS);
	let mut permits = 0;
	let mut other: Option<String> = None;
	for i in 0..CHECKS {
		let params = check_allergies(PRACTITIONER, HOSPITAL, patient(i));
		let sent = Instant::now();
		let answer = rpc.check_access(params).await.expect("health_checkAccess");
		ms.push(sent.elapsed().as_secs_f64() * 1000.0);
		if answer.decision.is_permit() {
			permits += 1;
		} else if other.is_none() {
			other = Some(format!("{:?}", answer.decision));
		}
	}
	ms.sort_by(|a, b| a.total_cmp(b));
	CheckLatency {
		calls: CHECKS,
		permits,
		other,
		p50_ms: percentile(&ms, 0.5),
		p99_ms: percentile(&ms, 0.99),
		max_ms: percentile(&ms, 1.0),
	}
}

/// Bytes in a MiB.
const MIB: f64 = 1024.0 * 1024.0;

/// Bytes of the files under `dir`, recursively (what `du -sb` counts, less the directories).
fn dir_bytes(dir: &Path) -> u64 {
	let Ok(entries) = std::fs::read_dir(dir) else { return 0 };
	entries
		.flatten()
		.map(|e| match e.metadata() {
			Ok(m) if m.is_dir() => dir_bytes(&e.path()),
			Ok(m) => m.len(),
			// A file the database removed meanwhile.
			Err(_) => 0,
		})
		.sum()
}

/// Bytes of `node`'s database on disk: `chains/*/paritydb` (and `chains/*/db`, should it run
/// RocksDB) under its base path.
fn database_bytes(node: &Node) -> u64 {
	let Ok(chains) = std::fs::read_dir(node.base_path.join("chains")) else { return 0 };
	chains
		.flatten()
		.map(|c| ["paritydb", "db"].iter().map(|d| dir_bytes(&c.path().join(d))).sum::<u64>())
		.sum()
}

/// A development node (Alice, authoring) on `chain`, a preset name or a chain spec file, with
/// the transaction pool `pool` (the node's default when `None`) holding up to `pool_limit`
/// transactions. The default, 8,192, leaves little room above the window (6,000), and the
/// fork-aware pool (`--pool fork-aware`) also keeps every included transaction until its block
/// is final (two to three blocks: up to 13,000 remarks at 2,000 a second).
fn dev_config(chain: &str, pool: Option<&str>, pool_limit: usize) -> NodeConfig {
	let mut cfg = NodeConfig { chain: chain.into(), ..NodeConfig::dev() };
	cfg.args.extend(["--pool-limit".to_string(), pool_limit.to_string()]);
	if let Some(pool) = pool {
		cfg.args.extend(["--pool-type".to_string(), pool.to_string()]);
	}
	cfg
}

/// Reads the arguments, then runs each phase in order and prints the report.
#[tokio::main]
async fn main() {
	let a = args();
	if let Some(out) = &a.spec_out {
		write_spec(&a, out);
		return;
	}
	print_settings(&a);
	let nodes = start_nodes(&a).await;
	let bench = Bench::set_up(&a, &nodes[0]).await;
	let baseline = bench.remark_baseline().await;
	let attest = bench.attest().await;
	if let Some(out) = &a.capacity_out {
		let capacity =
			Capacity { chain: a.chain.clone(), attest_finalized_per_s: attest.finalized_per_s };
		let json = serde_json::to_string(&capacity).expect("the capacity serialises");
		std::fs::write(out, json).expect("the capacity file is written");
	}
	let check = bench.check_latency().await;
	let (batch, batch_check) = bench.attest_batch().await;
	let (half, pace) = bench.half_capacity(&attest).await;
	let (floods, public) = bench.floods().await;
	let state_rows = bench.state_per_patient().await;
	let results =
		Results { baseline, attest, check, batch, batch_check, half, pace, floods, state_rows };
	let million = if a.chain == "dev" && a.million > 0 {
		print_before_million(&a, &results);
		// The million-patient chain gets the machine to itself.
		drop((bench, public));
		drop(nodes);
		Some(million_phase(&a).await)
	} else {
		None
	};
	print_report(&a, &results, million.as_ref());
}
