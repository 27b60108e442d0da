//! `healthchain-doctor-bench`: what a doctor waits, measured as hospitals drive the gateways
//! (issue 34), behind `scripts/bench doctor`.
//!
//! Starts a development node (`--chain dev`, the default) or the four-validator local network
//! (`--chain local`) and two gateways on loopback (A = `H0001`, one-time consent; B = `H0002`,
//! per-request consent), registers and enrols patients, puts one record for
//! each at both hospitals (so every fetch collects from two sources), then runs, one fetch at
//! a time, unloaded:
//!
//! 1. **one-time**: `gateway_fetch` by A's doctor (JSON-RPC), `--fetches` times;
//! 2. **FHIR**: `GET /fhir/Patient/{id}/$everything` by A's doctor, `--fetches` times;
//! 3. **per-request**: `gateway_fetch` by B's doctor; the bench, as the patient, approves the
//!    request as soon as the node shows it, and revokes the grant after the fetch (so that the
//!    next fetch asks again), `--asks` times;
//! 4. **emergency**: a first emergency `gateway_fetch` by B's doctor, each for another patient
//!    (a first emergency opens the emergency access), `--emergencies` times (at most 10: a
//!    doctor may hold 10 unreviewed emergency accesses).
//!
//! Then the same four scenarios again **under attestation load**: seven more gateways of
//! `H0001` submit single `AccessLog::attest` extrinsics at a fixed rate (`--load`, or half the
//! finalized single-attestation rate `healthchain-bench` measured on the same chain, read from
//! the file `--capacity` names), round-robin over 64 more enrolled patients, from 10 s before
//! the first fetch to the last; the finalized attestation rate achieved is printed beside it.
//!
//! Prints, per scenario, p50 and p99 (and the sample count) of what the doctor waits (the
//! client's clock) and of each step the gateway reports in the answer's `timings`: the
//! consent decision (permit), select, attest (to finality), the slowest source's serve and
//! its opening, collect, and, at the per-request hospital, the time from the approval being
//! final (the bench's submission returned) to the answer.
//!
//! ```text
//! healthchain-doctor-bench [--chain dev|local] [--fetches 30] [--asks 10] [--emergencies 5]
//!                          [--load ATTESTS_PER_S | --capacity FILE]
//! ```
//!
//! A first emergency is one per patient, and a doctor may hold 10 unreviewed emergency
//! accesses: the two runs take `--emergencies` each, so at most 5.

use healthchain_gateway::wire::{EmergencyReason, FetchRequest, FetchResult, LocalApiClient};
use healthchain_primitives::{demo::test_patient, DataCategory, HealthId, Purpose};
use healthchain_tests::{
	calls, http_call, key,
	load::{
		add_gateways, anchor_records, enrol_patients, finalized_attestations, Capacity, LoadTally,
		PacedLoad,
	},
	put_request, register_test_patient_by, start_local_network, submit, two_gateways, Client,
	GatewayProcess, HealthRpcClient, Keypair, TwoGatewayOptions, TwoGateways, DOCTOR_SCOPES,
};
use std::time::{Duration, Instant};

/// What one fetch took: the doctor's wait and the gateway's steps (ms).
#[derive(Default, Clone)]
struct Sample {
	/// The client's clock, request to answer.
	client: f64,
	/// From the approval final (per-request) to the answer, the client's clock.
	after_final: Option<f64>,
	/// The gateway's `timings`.
	permit: f64,
	select: f64,
	attest: f64,
	serve: f64,
	open: f64,
	collect: f64,
	total: f64,
	/// Records served, and sources that could not serve.
	records: usize,
	unavailable: usize,
}

impl Sample {
	fn of(result: &FetchResult, client: Duration) -> Self {
		let t = &result.timings;
		let slowest = t.sources.iter().max_by_key(|s| s.serve_ms + s.open_ms);
		Sample {
			client: client.as_secs_f64() * 1000.0,
			after_final: None,
			permit: t.permit_ms as f64,
			select: t.select_ms as f64,
			attest: t.attest_ms as f64,
			serve: slowest.map_or(0.0, |s| s.serve_ms as f64),
			open: slowest.map_or(0.0, |s| s.open_ms as f64),
			collect: t.collect_ms as f64,
			total: t.total_ms as f64,
			records: result.records.len(),
			unavailable: result.unavailable.len(),
		}
	}
}

/// The `p` quantile (0..=1) of `values`, nearest rank.
fn quantile(values: &[f64], p: f64) -> f64 {
	let mut v: Vec<f64> = values.to_vec();
	v.sort_by(|a, b| a.total_cmp(b));
	if v.is_empty() {
		return f64::NAN;
	}
	let rank = ((p * v.len() as f64).ceil() as usize).clamp(1, v.len());
	v[rank - 1]
}

/// Prints one scenario's table.
fn report(name: &str, samples: &[Sample], run: &str) {
	println!("\n{name} ({} fetches, {run})", samples.len());
	println!("  {:<28} {:>9} {:>9}", "step", "p50 ms", "p99 ms");
	let row = |label: &str, values: Vec<f64>| {
		if values.is_empty() {
			return;
		}
		println!("  {label:<28} {:>9.0} {:>9.0}", quantile(&values, 0.5), quantile(&values, 0.99));
	};
	let col = |f: fn(&Sample) -> f64| samples.iter().map(f).collect::<Vec<_>>();
	row("doctor waits (client)", col(|s| s.client));
	row("after approval final", samples.iter().filter_map(|s| s.after_final).collect());
	row("gateway total", col(|s| s.total));
	row("  permit (decide, ask)", col(|s| s.permit));
	row("  select", col(|s| s.select));
	row("  attest to final", col(|s| s.attest));
	row("  collect (sources at once)", col(|s| s.collect));
	row("    slowest source: serve", col(|s| s.serve));
	row("    slowest source: open", col(|s| s.open));
	if let (Some(fewest), Some(most)) =
		(samples.iter().map(|s| s.records).min(), samples.iter().map(|s| s.records).max())
	{
		let unavailable: usize = samples.iter().map(|s| s.unavailable).sum();
		println!("  records a fetch: {fewest}–{most}; sources that could not serve: {unavailable}");
	}
}

/// Arguments.
struct Args {
	local: bool,
	fetches: usize,
	asks: usize,
	emergencies: usize,
	/// Attestations a second offered during the loaded run (0: none).
	load: f64,
	/// Where the load's rate came from, for the report.
	load_source: String,
}

fn usage() -> ! {
	eprintln!(
		"usage: healthchain-doctor-bench [--chain dev|local] [--fetches N] [--asks N] \
		 [--emergencies N (at most 5)] [--load ATTESTS_PER_S | --capacity FILE]"
	);
	std::process::exit(2)
}

fn args() -> Args {
	let mut a = Args {
		local: false,
		fetches: 30,
		asks: 10,
		emergencies: 5,
		load: 0.0,
		load_source: String::new(),
	};
	let mut capacity: Option<String> = None;
	let mut it = std::env::args().skip(1);
	while let Some(flag) = it.next() {
		let Some(value) = it.next() else { usage() };
		match flag.as_str() {
			"--chain" => {
				a.local = match value.as_str() {
					"local" => true,
					"dev" => false,
					_ => usage(),
				}
			},
			"--capacity" => capacity = Some(value),
			"--load" => {
				a.load = value.parse().unwrap_or_else(|_| usage());
				a.load_source = "--load".into();
			},
			"--fetches" => a.fetches = value.parse().unwrap_or_else(|_| usage()),
			"--asks" => a.asks = value.parse().unwrap_or_else(|_| usage()),
			"--emergencies" => a.emergencies = value.parse().unwrap_or_else(|_| usage()),
			_ => usage(),
		}
	}
	if a.emergencies > 5 {
		usage()
	}
	if let Some(path) = capacity {
		let chain = if a.local { "local" } else { "dev" };
		match std::fs::read_to_string(&path)
			.map_err(|e| e.to_string())
			.and_then(|text| serde_json::from_str::<Capacity>(&text).map_err(|e| e.to_string()))
		{
			Ok(c) if c.chain == chain => {
				a.load = c.attest_finalized_per_s / 2.0;
				a.load_source = format!(
					"half the {:.0} finalized attestations a second healthchain-bench measured \
					 ({path})",
					c.attest_finalized_per_s
				);
			},
			Ok(c) => {
				eprintln!("{path} is for the {} chain, not {chain}", c.chain);
				std::process::exit(2)
			},
			Err(e) => println!("no loaded run: {path}: {e}"),
		}
	}
	a
}

/// Registers (by `registrar`) and enrols patient `n` (its own key), and puts one record for
/// them at each gateway.
async fn patient(
	client: &Client,
	registrar: &Keypair,
	n: u32,
	a: &GatewayProcess,
	b: &GatewayProcess,
) -> HealthId {
	let id = test_patient(n);
	let key: Keypair = key(&format!("//DoctorBench//{n}"));
	register_test_patient_by(client, registrar, n, &key).await;
	submit(client, &key, &calls::enrol(id, calls::all_sources())).await;
	let (system_a, system_b) = (a.system(), b.system());
	let (at_a, at_b) = tokio::join!(
		system_a.put(put_request(id, DataCategory::Allergy, "penicillin")),
		system_b.put(put_request(id, DataCategory::Diagnosis, "type 2 diabetes")),
	);
	at_a.expect("a put at A");
	at_b.expect("a put at B");
	id
}

/// What the scenarios use.
struct Bench<'a> {
	args: &'a Args,
	client: Client,
	node: &'a healthchain_tests::Node,
	idp: &'a healthchain_tests::DevIdp,
	a: &'a GatewayProcess,
	b: &'a GatewayProcess,
	/// Patient fetched over and over, and its key.
	main_patient: HealthId,
	main_key: Keypair,
}

impl Bench<'_> {
	/// The four scenarios, one fetch at a time; `emergency_patients` get a first emergency
	/// each.
	async fn scenarios(&self, run: &str, emergency_patients: &[HealthId]) {
		let (main_patient, args) = (self.main_patient, self.args);
		let (doctor_a, doctor_b) = (self.a.doctor("MD10001"), self.b.doctor("MD10002"));

		// 1. One-time consent, JSON-RPC.
		let mut samples = Vec::new();
		for _ in 0..args.fetches {
			let start = Instant::now();
			let result =
				doctor_a.fetch(FetchRequest::new(main_patient)).await.expect("a fetch at A");
			assert_eq!(result.records.len(), 2, "two sources, one record each");
			samples.push(Sample::of(&result, start.elapsed()));
		}
		report("one-time hospital, gateway_fetch", &samples, run);

		// 2. One-time consent, FHIR $everything (the client's clock only).
		let token = self.idp.token("dr-MD10001", &DOCTOR_SCOPES, Some("MD10001"));
		let path = format!("/fhir/Patient/{}/$everything", main_patient.to_hex());
		let mut samples = Vec::new();
		for _ in 0..args.fetches {
			let (addr, path, token) = (self.a.api_addr.clone(), path.clone(), token.clone());
			let start = Instant::now();
			let (status, body) = tokio::task::spawn_blocking(move || {
				http_call(&addr, "GET", &path, Some(&token), None).expect("the FHIR facade answers")
			})
			.await
			.expect("the request ran");
			assert_eq!(status, 200, "{body}");
			samples.push(Sample {
				client: start.elapsed().as_secs_f64() * 1000.0,
				..Default::default()
			});
		}
		println!("\none-time hospital, FHIR $everything ({} fetches, {run})", samples.len());
		let client_ms: Vec<f64> = samples.iter().map(|s| s.client).collect();
		println!(
			"  {:<28} {:>9.0} {:>9.0}",
			"doctor waits (client)",
			quantile(&client_ms, 0.5),
			quantile(&client_ms, 0.99)
		);

		// 3. Per-request consent: the patient approves at once; the grant is revoked after.
		let rpc = self.node.rpc();
		let mut samples = Vec::new();
		for _ in 0..args.asks {
			let start = Instant::now();
			let fetch = {
				let doctor_b = doctor_b.clone();
				tokio::spawn(async move {
					let result = doctor_b
						.fetch(FetchRequest {
							wait_secs: Some(60),
							..FetchRequest::new(main_patient)
						})
						.await;
					(result, Instant::now())
				})
			};
			let request = loop {
				let pending = rpc.pending_requests(main_patient).await.expect("pending requests");
				if let Some(r) = pending.into_iter().find(|r| r.hospital == "H0002") {
					break r.id;
				}
				tokio::time::sleep(Duration::from_millis(50)).await;
			};
			submit(&self.client, &self.main_key, &calls::respond(request, true)).await;
			let approved_final = Instant::now();
			let (result, done) = fetch.await.expect("the fetch task");
			let result = result.expect("a fetch after approval");
			let mut sample = Sample::of(&result, done - start);
			sample.after_final =
				Some(done.saturating_duration_since(approved_final).as_secs_f64() * 1000.0);
			samples.push(sample);
			submit(
				&self.client,
				&self.main_key,
				&calls::revoke_grant(main_patient, "H0002", "MD10002"),
			)
			.await;
		}
		report("per-request hospital, gateway_fetch (approved at once)", &samples, run);

		// 4. First emergency fetches, each for another patient.
		let mut samples = Vec::new();
		for id in emergency_patients {
			let request = FetchRequest {
				purpose: Some(Purpose::Emergency),
				emergency_reason: Some(EmergencyReason::Unconscious),
				..FetchRequest::new(*id)
			};
			let start = Instant::now();
			let result = doctor_b.fetch(request).await.expect("an emergency fetch");
			samples.push(Sample::of(&result, start.elapsed()));
		}
		report("first emergency fetch, gateway_fetch", &samples, run);
	}
}

#[tokio::main]
async fn main() {
	let args = args();
	println!(
		"machine: {} cores; fetches {}, asks {}, emergencies {}; load {}",
		std::thread::available_parallelism().map_or(0, |n| n.get()),
		args.fetches,
		args.asks,
		args.emergencies,
		if args.load > 0.0 {
			format!("{:.0} attestations/s ({})", args.load, args.load_source)
		} else {
			"none".into()
		}
	);
	// The local network's validators beyond the first stay up with `_others`; its demo cast:
	// gateways Eve (A) and Ferdie (B), registrar One.
	let base = tempfile::tempdir().expect("a temporary directory");
	let mut options = TwoGatewayOptions::default();
	let (chain, registrar, _others) = if args.local {
		let mut nodes = start_local_network(base.path()).await;
		nodes[0].wait_finalized(1).await;
		options.node = Some(nodes.remove(0));
		(options.a.key_uri, options.b.key_uri) = ("//Eve".into(), "//Ferdie".into());
		("four-validator local network", key("//One"), nodes)
	} else {
		("dev node", key("//Ferdie"), vec![])
	};
	let TwoGateways { node, idp, a, b } = two_gateways(options).await;
	let client = node.client().await;
	let setup = Instant::now();
	// Patient 1 is fetched over and over; patients 2.. each get one first emergency, in the
	// unloaded run and then in the loaded one.
	let mut patients = Vec::new();
	for n in 1..=(1 + 2 * args.emergencies as u32) {
		patients.push(patient(&client, &registrar, 7_000 + n, &a, &b).await);
	}
	println!("setup: {} patients, {:.0} s", patients.len(), setup.elapsed().as_secs_f64());
	let bench = Bench {
		args: &args,
		client: client.clone(),
		node: &node,
		idp: &idp,
		a: &a,
		b: &b,
		main_patient: patients[0],
		main_key: key("//DoctorBench//7001"),
	};
	let (unloaded, loaded) = patients[1..].split_at(args.emergencies);
	bench.scenarios(&format!("unloaded, {chain}"), unloaded).await;
	if args.load <= 0.0 {
		return;
	}

	// The load's cast: seven more gateways of H0001 (by council motion), 64 enrolled patients
	// with a record each.
	let gateways: Vec<Keypair> = (1..=7).map(|i| key(&format!("//DoctorBenchLoad{i}"))).collect();
	add_gateways(&client, &gateways).await;
	let load_patients: Vec<(Keypair, HealthId)> = (0..64u32)
		.map(|i| (key(&format!("//DoctorBenchLoadPatient{i}")), test_patient(8_000 + i)))
		.collect();
	enrol_patients(&client, &registrar, &load_patients).await;
	let ids: Vec<HealthId> = load_patients.iter().map(|(_, id)| *id).collect();
	anchor_records(&client, &gateways[0], &ids).await;
	let before = finalized_attestations(&node.rpc(), &ids).await;
	let load = PacedLoad::start(&client, &node.ws_url(), gateways, ids.clone(), args.load).await;
	tokio::time::sleep(Duration::from_secs(10)).await;
	let run = format!("attestation load {:.0}/s, {chain}", args.load);
	bench.scenarios(&run, loaded).await;
	let LoadTally { submitted, refused, secs } = load.stop().await;
	// What was offered and in the pool at the end is finalized within a few blocks.
	tokio::time::sleep(Duration::from_secs(8)).await;
	let finalized = finalized_attestations(&node.rpc(), &ids).await - before;
	println!(
		"\nload: {submitted} attestations offered in {secs:.0} s ({:.0}/s), {refused} refused by \
		 the pool, {finalized} finalized ({:.0}/s over the offered time)",
		submitted as f64 / secs,
		finalized as f64 / secs
	);
}
