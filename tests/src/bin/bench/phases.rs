//! The bench's phases, in the order `main` runs them: the chain's set-up, then one function a
//! phase, each printing its progress and answering what it measured.

use super::*;

/// Writes the million-patient chain spec to `out` (`--spec-out`), and nothing else.
pub(super) fn write_spec(a: &Args, out: &Path) {
	let dir = tempfile::tempdir().expect("a temporary directory");
	let started = Instant::now();
	let (spec, keys) = spec_with_patients(dir.path(), a.million, GENESIS_CHUNK);
	std::fs::copy(&spec, out).expect("the chain spec is copied out");
	println!(
		"chain spec with {} more genesis patients: {} ({keys} storage keys, {:.0} s)",
		a.million,
		out.display(),
		started.elapsed().as_secs_f64()
	);
}

/// Prints what the bench runs with.
pub(super) fn print_settings(a: &Args) {
	println!(
		"healthchain-bench: chain {}, {} transaction pool (limit {}), {} s per phase, window {}, \
		 {} patients, {} more patients in the million-patient phase's genesis",
		a.chain,
		a.pool.as_deref().unwrap_or("the node's default"),
		a.pool_limit,
		a.secs,
		a.window,
		a.patients,
		if a.chain == "dev" { a.million } else { 0 },
	);
}

/// Starts the chain: a development node, or the four validators of the local network (Alice
/// first, the others booting from her).
pub(super) async fn start_nodes(a: &Args) -> Vec<Node> {
	let mut nodes = Vec::new();
	if a.chain == "dev" {
		nodes.push(Node::start(dev_config("dev", a.pool.as_deref(), a.pool_limit)).await);
	} else {
		for i in 0..4 {
			let boot = (i > 0).then(|| nodes[0].multiaddr(1));
			let mut cfg = NodeConfig::local_validator(i, None, boot);
			cfg.args.extend(["--pool-limit".to_string(), a.pool_limit.to_string()]);
			if let Some(pool) = &a.pool {
				cfg.args.extend(["--pool-type".to_string(), pool.clone()]);
			}
			nodes.push(Node::start(cfg).await);
		}
	}
	nodes
}

/// What the phases of the chain with `--patients` patients work with.
pub(super) struct Bench<'a> {
	/// The command line.
	a: &'a Args,
	/// The node every phase submits to (the development node, or Alice).
	node: &'a Node,
	/// A client toolkit connection to `node`.
	client: Client,
	/// A JSON-RPC connection to `node`.
	rpc: WsClient,
	/// The accounts the phases sign with.
	cast: Cast,
	/// The bench patients' health IDs.
	ids: Vec<HealthId>,
	/// How many extrinsics a single-call phase pre-signs.
	count: usize,
}

/// Phase 5's outcome: attestations under the flood at the validator's RPC and at a public RPC
/// node, each with its flood's report.
pub(super) struct Floods {
	/// Attest while the patient keys flood the validator's RPC.
	pub(super) at_validator: PhaseReport,
	/// That flood.
	pub(super) validator: FloodReport,
	/// Attest while the patient keys flood the public RPC node.
	pub(super) at_public: PhaseReport,
	/// That flood.
	pub(super) public: FloodReport,
	/// A patient key's quota (`Participants.PatientQuota`).
	pub(super) patient_quota: Quota,
}

impl<'a> Bench<'a> {
	/// Waits for `node`'s second finalized block, connects, and sets up the accounts (see
	/// [`setup`]).
	pub(super) async fn set_up(a: &'a Args, node: &'a Node) -> Bench<'a> {
		node.wait_finalized(2).await;
		let client = node.client().await;
		let rpc = WsClientBuilder::default().build(node.ws_url()).await.expect("ws");
		let setup_start = Instant::now();
		let cast = setup(&client, &a.chain, a.patients, a.flooders).await;
		println!(
			"setup: {} gateway accounts, {} operators (quota raised by council motion), {} \
			 enrolled patients, {} enrolled flooding patient keys ({:.0} s)",
			cast.gateways.len(),
			cast.operators.len(),
			a.patients,
			cast.flooders.len(),
			setup_start.elapsed().as_secs_f64()
		);
		let ids = (0..a.patients).map(patient_id).collect();
		// Enough pre-signed extrinsics for 1,500 per second, the target's one and a half.
		let count = (a.secs as usize) * PRESIGN_PER_S;
		Bench { a, node, client, rpc, cast, ids, count }
	}

	/// The patient attestation `i` names: patient 0 gets one attestation, patient 1 a
	/// hundred, patient 2 three in four of the rest (to pass 10,000), the others share what
	/// is left.
	fn pick(&self, i: usize) -> &HealthId {
		let ids = &self.ids;
		match i {
			0 => &ids[0],
			1..=100 => &ids[1],
			i if i % 4 != 0 => &ids[2],
			i => &ids[3 + (i / 4) % (self.a.patients - 3)],
		}
	}

	/// Pre-signs `count` single attestations ([`Bench::pick`]'s patients) by the gateways.
	async fn presign_attests(&self, count: usize) -> Vec<Signed> {
		let sign_start = Instant::now();
		let attests = presign(&self.client, &self.rpc, &self.cast.gateways, count, |i| {
			attest_call(self.pick(i))
		})
		.await;
		println!("pre-signed {count} attestations in {:.1} s", sign_start.elapsed().as_secs_f64());
		attests
	}

	/// Phase 1: `System::remark` by the operators, as fast as the node accepts.
	pub(super) async fn remark_baseline(&self) -> PhaseReport {
		let (a, count) = (self.a, self.count);
		let sign_start = Instant::now();
		let remarks = presign(&self.client, &self.rpc, &self.cast.operators, count, |i| {
			runtime::tx().system().remark((i as u64).to_le_bytes().to_vec())
		})
		.await;
		println!("pre-signed {count} remarks in {:.1} s", sign_start.elapsed().as_secs_f64());
		let baseline =
			run_phase("System::remark", self.node, remarks, a.secs, a.window, None, 1).await;
		wait_pool_empty(&self.rpc).await;
		baseline
	}

	/// Phase 2: `AccessLog::attest` by the gateways, as fast as the node accepts.
	pub(super) async fn attest(&self) -> PhaseReport {
		let a = self.a;
		let attests = self.presign_attests(self.count).await;
		let attest =
			run_phase("AccessLog::attest", self.node, attests, a.secs, a.window, None, 1).await;
		wait_pool_empty(&self.rpc).await;
		attest
	}

	/// Phase 2, continued: the consent decision over RPC, with no load.
	pub(super) async fn check_latency(&self) -> CheckLatency {
		let ids = &self.ids;
		check_access_latency(&self.node.ws_url(), |i| ids[uniform(CHECK_SALT, i, ids.len())]).await
	}

	/// Phase 3: batches of the same attestations, as many as the runtime allows in one; and
	/// the check that every access of an included batch was attested.
	pub(super) async fn attest_batch(&self) -> (PhaseReport, BatchCheck) {
		let (a, rpc) = (self.a, &self.rpc);
		let max_batch = self
			.client
			.api()
			.at_current_block()
			.await
			.expect("a block")
			.constants()
			.entry(runtime::constants().access_log().max_batch())
			.expect("AccessLog.MaxBatch") as usize;
		let batches = (a.secs as usize) * BATCH_PRESIGN_PER_S / max_batch;
		let sign_start = Instant::now();
		let batch_txs = presign(&self.client, rpc, &self.cast.gateways, batches, |j| {
			let accesses = (0..max_batch)
				.map(|k| {
					let i = j * max_batch + k;
					access(self.pick(i))
				})
				.collect();
			calls::attest_batch(accesses)
		})
		.await;
		println!(
			"pre-signed {batches} batches of {max_batch} attestations in {:.1} s",
			sign_start.elapsed().as_secs_f64()
		);
		let attested_before = attested_total(rpc, &self.ids).await;
		let batch = run_phase(
			&format!("AccessLog::attest_batch ({max_batch} attestations an extrinsic)"),
			self.node,
			batch_txs,
			a.secs,
			(a.window * BATCH_WINDOW_FACTOR / max_batch).max(1),
			None,
			max_batch,
		)
		.await;
		wait_pool_empty(rpc).await;
		let batch_check = BatchCheck {
			in_included: batch.included_total * max_batch,
			attested: attested_total(rpc, &self.ids).await.saturating_sub(attested_before),
		};
		println!("{batch_check}");
		(batch, batch_check)
	}

	/// Phase 4: single attestations at a fixed pace, half the finalized rate of `attest`
	/// (phase 2): the latency below capacity. Answers the report and the pace.
	pub(super) async fn half_capacity(&self, attest: &PhaseReport) -> (PhaseReport, f64) {
		let a = self.a;
		let pace = (attest.finalized_per_s / 2.0).max(1.0);
		let paced_count = (pace * a.secs as f64).ceil() as usize + self.cast.gateways.len();
		let paced = self.presign_attests(paced_count).await;
		let half = run_phase(
			&format!("AccessLog::attest at half capacity ({pace:.0}/s, paced)"),
			self.node,
			paced,
			a.secs,
			a.window,
			Some(pace),
			1,
		)
		.await;
		wait_pool_empty(&self.rpc).await;
		(half, pace)
	}

	/// Phase 5: the same attestations while the patient keys flood, first the validator's own
	/// RPC, then a public full node syncing from it, rate-limited per connection (the
	/// deployment's topology). Answers the public node too: it runs until the chain stops.
	pub(super) async fn floods(&self) -> (Floods, Node) {
		let (a, node, client, cast) = (self.a, self.node, &self.client, &self.cast);
		// The flood starts with the load (run_phase waits 2 s for its block follower) and
		// lasts as long.
		let attests = self.presign_attests(self.count).await;
		let name = format!(
			"AccessLog::attest, {} patient keys flooding the validator's RPC (no rate limit)",
			cast.flooders.len()
		);
		let patient_quota = client
			.api()
			.at_current_block()
			.await
			.expect("a block")
			.constants()
			.entry(runtime::constants().participants().patient_quota())
			.expect("Participants.PatientQuota");
		let url = node.ws_url();
		let (at_validator, validator) =
			flooded_phase(&name, node, client, &url, &cast.flooders, attests, a).await;

		// Patients' wallets reach the chain through a public RPC node (not a validator,
		// rate-limited per connection), hospitals' gateways through their own.
		// The chain's public node (well-known node key 5 in both demo chains' genesis).
		let mut public = NodeConfig::public_node(&a.chain, node, free_port());
		public.args.extend(["--rpc-rate-limit".to_string(), a.public_rate_limit.to_string()]);
		let public = Node::start(public).await;
		let target = node.best_number().await;
		let sync_start = Instant::now();
		while public.best_number().await < target {
			assert!(
				sync_start.elapsed() < Duration::from_secs(300),
				"the public RPC node did not sync to #{target} in 5 minutes"
			);
			tokio::time::sleep(Duration::from_millis(500)).await;
		}
		let attests = self.presign_attests(self.count).await;
		let name = format!(
			"AccessLog::attest, {} patient keys flooding a public RPC node ({} calls/min per \
			 connection)",
			cast.flooders.len(),
			a.public_rate_limit
		);
		let public_url = public.ws_url();
		let (at_public, public_flood) =
			flooded_phase(&name, node, client, &public_url, &cast.flooders, attests, a).await;
		let floods =
			Floods { at_validator, validator, at_public, public: public_flood, patient_quota };
		(floods, public)
	}

	/// State per patient: the on-chain log head does not grow with the count. Tops the
	/// busiest patient up to 10,000 attestations first (not timed); answers the table's rows.
	pub(super) async fn state_per_patient(&self) -> Vec<String> {
		let (ids, rpc) = (&self.ids, &self.rpc);
		let (hot_count, _, _) = state_of(rpc, &ids[2]).await;
		if hot_count < 10_000 {
			let extra = (10_000 - hot_count) as usize;
			println!("topping up the busiest patient with {extra} attestations (not timed)");
			let more =
				presign(&self.client, rpc, &self.cast.gateways, extra, |_| attest_call(&ids[2]))
					.await;
			let _ = run_phase("top-up", self.node, more, 600, self.a.window, None, 1).await;
		}
		let mut state_rows = Vec::new();
		for id in [&ids[0], &ids[1], &ids[2]] {
			let (count, k, v) = state_of(rpc, id).await;
			state_rows.push(format!("| {} | {count} | {k} | {v} |", &id.to_hex()[..10]));
		}
		state_rows
	}
}

/// What the million-patient chain measured.
pub(super) struct MillionReport {
	/// Patients added to the development preset's genesis.
	pub(super) patients: usize,
	/// The merged raw chain spec: its size (bytes), storage keys and build time (s).
	pub(super) spec_bytes: u64,
	pub(super) spec_keys: usize,
	pub(super) spec_secs: f64,
	/// Seconds from starting the node to its RPC answering.
	pub(super) start_secs: f64,
	/// `AccessLog::attest` to patients drawn uniformly among the genesis patients.
	pub(super) attest: PhaseReport,
	/// `health_checkAccess` latency over the genesis patients, after the attest phase.
	pub(super) check: CheckLatency,
	/// The node's database size (bytes) before and after the attest phase.
	pub(super) db_before: u64,
	pub(super) db_after: u64,
}

impl MillionReport {
	/// Database growth in bytes per 100,000 finalized attestations of the attest phase.
	pub(super) fn growth_per_100k(&self) -> f64 {
		(self.db_after as f64 - self.db_before as f64) / self.attest.finalized_total.max(1) as f64
			* 100_000.0
	}
}

/// The million-patient phase: builds the development chain spec with `a.million` more
/// patients in genesis, starts a development node on it, runs the 64-patient chain's setup,
/// then `AccessLog::attest` to patients drawn uniformly among the genesis patients (measuring
/// the database before and after) and the `health_checkAccess` latency over them.
pub(super) async fn million_phase(a: &Args) -> MillionReport {
	let n = a.million;
	let dir = tempfile::tempdir().expect("a temporary directory");
	let started = Instant::now();
	let (spec, spec_keys) = spec_with_patients(dir.path(), n, GENESIS_CHUNK);
	let spec_secs = started.elapsed().as_secs_f64();
	let spec_bytes = std::fs::metadata(&spec).map(|m| m.len()).unwrap_or(0);
	println!(
		"genesis with {n} more patients: merged raw chain spec of {:.0} MiB, {spec_keys} storage \
		 keys, built in {spec_secs:.0} s",
		spec_bytes as f64 / MIB
	);
	let started = Instant::now();
	let cfg =
		dev_config(spec.to_str().expect("a UTF-8 temporary path"), a.pool.as_deref(), a.pool_limit);
	let node = Node::start_with_patience(cfg, GENESIS_PATIENCE).await;
	let start_secs = started.elapsed().as_secs_f64();
	println!("the node on it served RPC after {start_secs:.0} s");
	node.wait_finalized(2).await;
	let client = node.client().await;
	let rpc = WsClientBuilder::default().build(node.ws_url()).await.expect("ws");
	let setup_start = Instant::now();
	let cast = setup(&client, &a.chain, a.patients, a.flooders).await;
	println!("setup as before ({:.0} s)", setup_start.elapsed().as_secs_f64());

	// The attested patients: MILLION_DRAWN drawn uniformly among the N, each with its record
	// anchored first (an attestation names only live records).
	let drawn: Vec<HealthId> = (0..MILLION_DRAWN.min(n))
		.map(|i| genesis_patient(uniform(ATTEST_SALT, i, n) as u64))
		.collect();
	let anchor_start = Instant::now();
	anchor_records(&client, &cast.gateways[0], &drawn).await;
	println!(
		"anchored a record for each of {} patients drawn among the {n} ({:.0} s)",
		drawn.len(),
		anchor_start.elapsed().as_secs_f64()
	);
	let count = (a.secs as usize) * PRESIGN_PER_S;
	let sign_start = Instant::now();
	let attests =
		presign(&client, &rpc, &cast.gateways, count, |i| attest_call(&drawn[i % drawn.len()]))
			.await;
	println!("pre-signed {count} attestations in {:.1} s", sign_start.elapsed().as_secs_f64());
	let db_before = database_bytes(&node);
	let name = format!("AccessLog::attest, random patients of {n} in genesis");
	let attest = run_phase(&name, &node, attests, a.secs, a.window, None, 1).await;
	wait_pool_empty(&rpc).await;
	let db_after = database_bytes(&node);
	let check =
		check_access_latency(&node.ws_url(), |i| genesis_patient(uniform(CHECK_SALT, i, n) as u64))
			.await;
	MillionReport {
		patients: n,
		spec_bytes,
		spec_keys,
		spec_secs,
		start_secs,
		attest,
		check,
		db_before,
		db_after,
	}
}
