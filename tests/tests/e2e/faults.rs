//! Host failures and network splits on real interfaces: the four validators, a full node and
//! the two hospital gateways each run in their own network namespace with their own address
//! (`healthchain_tests::netns`), the validators split 2|2 across two L2 segments joined by a
//! trunk. With both gateways putting records all along (the load), in order:
//!
//! 1. `kill -9` of Dave's validator: finality goes on with three of four; Dave restarts on its
//!    database and catches up; no block it had finalized is lost.
//! 2. A 2|2 split (Alice, Bob | Charlie, Dave): blocks go on on both sides, finality stops, no
//!    two finalized forks; after the heal finality resumes on one chain.
//! 3. A 3|1 split (Charlie cut off): finality goes on; Charlie rejoins onto the finalized
//!    chain.
//!
//! Then every put the gateways accepted, or kept when its outcome was unknown, is anchored in
//! the finalized chain once and served (a doctor at hospital A fetches every record, hospital
//! B's over mutual TLS between hosts).
//!
//! Needs root (CI runs as root); without it the test says so and does nothing. Each fault
//! lasts `HEALTHCHAIN_FAULT_SECS` (20 s here; `scripts/faults` runs longer ones with more
//! load, `HEALTHCHAIN_FAULT_LOAD` puts in flight per gateway, 2 here). Timings are printed
//! (`--nocapture`); they are observations, never asserted.

use std::{
	sync::{
		atomic::{AtomicBool, Ordering},
		Arc,
	},
	time::{Duration, Instant},
};

use healthchain_gateway::wire::{FetchRequest, LocalApiClient};
use healthchain_primitives::{demo::demo_patient, DataCategory, HealthId};
use healthchain_tests::{
	calls, council_motion, key,
	netns::Testbed,
	node_key, put_request,
	rpc::PageParams,
	runtime::{
		self,
		runtime_types::{
			healthchain_runtime::RuntimeCall,
			pallet_node_authorization::pallet::Call as NodeAuthorizationCall,
		},
	},
	submit, two_gateways, GatewayProcess, HealthRpcClient, Node, NodeConfig, TwoGatewayOptions,
	TwoGateways, PATIENCE,
};
use jsonrpsee::core::ClientError;
use sp_core::H256;

fn env_or(name: &str, default: u64) -> u64 {
	std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Waits until `cond` holds for `node`'s finalized number; returns how long it took.
async fn until_finalized(node: &Node, what: &str, cond: impl Fn(u64) -> bool) -> Duration {
	let start = Instant::now();
	loop {
		let (f, _) = node.finalized().await;
		if cond(f) {
			return start.elapsed();
		}
		assert!(
			start.elapsed() < PATIENCE,
			"{what}: finalized stuck at #{f}; log tail:\n{}",
			healthchain_tests::tail(&node.log(), 30)
		);
		tokio::time::sleep(Duration::from_millis(250)).await;
	}
}

/// Waits until `node` has finalized at least `n` with the same block as `reference` at `n`
/// (both have it); returns how long it took.
async fn until_agrees(node: &Node, reference: &Node, n: u64, what: &str) -> Duration {
	let took = until_finalized(node, what, |f| f >= n).await;
	let (theirs, ours) = (reference.block_hash(n).await, node.block_hash(n).await);
	assert!(ours.is_some() && ours == theirs, "{what}: #{n} is {ours:?} here, {theirs:?} there");
	took
}

/// Samples `node`'s finalized number every 250 ms until stopped; the longest time it did not
/// move is what [`Stalls::longest`] reports.
struct Stalls {
	stop: Arc<AtomicBool>,
	task: tokio::task::JoinHandle<Duration>,
}

impl Stalls {
	fn watch(rpc_url: String) -> Self {
		let stop = Arc::new(AtomicBool::new(false));
		let flag = stop.clone();
		let task = tokio::spawn(async move {
			let rpc = jsonrpsee::http_client::HttpClientBuilder::default()
				.request_timeout(Duration::from_secs(5))
				.build(rpc_url)
				.expect("an HTTP client");
			let (mut last, mut since, mut longest) = (0u64, Instant::now(), Duration::ZERO);
			while !flag.load(Ordering::Relaxed) {
				use jsonrpsee::core::client::ClientT;
				let hash: Result<H256, _> =
					rpc.request("chain_getFinalizedHead", jsonrpsee::rpc_params![]).await;
				let header: Option<healthchain_tests::Header> = match hash {
					Ok(h) => rpc.request("chain_getHeader", jsonrpsee::rpc_params![h]).await.ok(),
					Err(_) => None,
				};
				if let Some(n) = header.map(|h| h.number) {
					if n > last {
						longest = longest.max(since.elapsed());
						(last, since) = (n, Instant::now());
					}
				}
				tokio::time::sleep(Duration::from_millis(250)).await;
			}
			longest.max(since.elapsed())
		});
		Stalls { stop, task }
	}

	async fn longest(self) -> Duration {
		self.stop.store(true, Ordering::Relaxed);
		self.task.await.expect("the watcher")
	}
}

/// One gateway's puts: records of `category` for `patient`, `in_flight` at a time, until
/// stopped. Each outcome: the content hash of an accepted put, or the error.
fn load(
	gw: &GatewayProcess,
	label: &'static str,
	patient: HealthId,
	in_flight: usize,
	stop: Arc<AtomicBool>,
) -> tokio::task::JoinHandle<Vec<Result<H256, String>>> {
	let api = gw.system();
	tokio::spawn(async move {
		let mut outcomes = Vec::new();
		let mut i = 0u64;
		while !stop.load(Ordering::Relaxed) {
			let puts = (0..in_flight).map(|k| {
				let text = format!("{label} visit {}", i + k as u64);
				let api = api.clone();
				async move { api.put(put_request(patient, DataCategory::Visit, &text)).await }
			});
			for outcome in futures::future::join_all(puts).await {
				outcomes.push(match outcome {
					Ok(put) => Ok(put.content_hash),
					Err(ClientError::Call(e)) => Err(format!("{}: {}", e.code(), e.message())),
					Err(e) => Err(e.to_string()),
				});
			}
			i += in_flight as u64;
		}
		outcomes
	})
}

#[tokio::test(flavor = "multi_thread")]
async fn validators_survive_a_crash_and_splits_on_real_interfaces_under_gateway_load() {
	if let Err(why) = Testbed::available() {
		println!("SKIPPED: {why}; CI runs this test as root");
		return;
	}
	let fault = Duration::from_secs(env_or("HEALTHCHAIN_FAULT_SECS", 20));
	let in_flight = env_or("HEALTHCHAIN_FAULT_LOAD", 2) as usize;

	// Hosts 1-5 on segment A: Alice, Bob, the full node, gateway A, gateway B; 6-7 on B:
	// Charlie, Dave.
	let bed = Testbed::new(5, 2).expect("the testbed");
	let tmp = tempfile::tempdir().unwrap();
	let base = tmp.path();
	let on = |i: usize, host: usize, boot: Option<String>| NodeConfig {
		host: Some(bed.host(host).clone()),
		..NodeConfig::local_validator(i, Some(base), boot)
	};
	let t0 = Instant::now();
	let alice = Node::start(on(0, 1, None)).await;
	let boot = Some(alice.multiaddr(1));
	let bob = Node::start(on(1, 2, boot.clone())).await;
	let charlie = Node::start(on(2, 6, boot.clone())).await;
	let dave_config =
		NodeConfig { rpc_port: Some(healthchain_tests::free_port()), ..on(3, 7, boot) };
	let mut dave = Node::start(dave_config.clone()).await;
	alice.wait_finalized(2).await;
	println!(
		"four validators on four hosts: finalized #2 {:?} after the first start",
		t0.elapsed()
	);

	// The full node the gateways use (node key 6, authorised by a council motion).
	let full = Node::start(NodeConfig {
		chain: "local".into(),
		args: vec!["--bootnodes".into(), alice.multiaddr(1)],
		base_path: None,
		p2p_port: None,
		node_key: Some(node_key(6)),
		rpc_port: None,
		host: Some(bed.host(3).clone()),
	})
	.await;
	let client = alice.client().await;
	let peer = bs58::decode(full.peer_id().await).into_vec().expect("a base58 peer id");
	let owner = key("//Alice").public_key().to_account_id();
	council_motion(
		&client,
		RuntimeCall::NodeAuthorization(NodeAuthorizationCall::add_well_known_node {
			node: runtime::runtime_types::sp_core::OpaquePeerId(peer),
			owner: healthchain_tests::client::subxt::utils::MultiAddress::Id(owner),
		}),
	)
	.await;
	let (f, _) = alice.finalized().await;
	until_agrees(&full, &alice, f, "the full node syncs").await;

	// The demo patient enrols; the gateways of hospitals A (Eve) and B (Ferdie) run on hosts
	// 4 and 5, each knowing the other, both on the full node over the data network.
	let patient = demo_patient();
	submit(&client, &key("//Alice//stash"), &calls::enrol(patient, calls::all_sources())).await;
	let mut options = TwoGatewayOptions {
		node: Some(full),
		hosts: Some((bed.host(4).clone(), bed.host(5).clone())),
		..Default::default()
	};
	(options.a.key_uri, options.b.key_uri) = ("//Eve".into(), "//Ferdie".into());
	// Their local APIs listen on the management network, so they serve TLS (a gateway refuses
	// bearer tokens in the clear off loopback).
	(options.a.api_tls, options.b.api_tls) = (true, true);
	let TwoGateways { node: full, a: gw_a, b: gw_b, .. } = two_gateways(options).await;
	let stop = Arc::new(AtomicBool::new(false));
	let loads = [
		load(&gw_a, "A", patient, in_flight, stop.clone()),
		load(&gw_b, "B", patient, in_flight, stop.clone()),
	];
	println!("load: gateways A and B put records, {in_flight} in flight each");

	// 1. kill -9 of Dave's validator.
	let (fd, hd) = dave.finalized().await;
	let stalls = Stalls::watch(alice.http_url());
	dave.kill();
	let (f0, _) = alice.finalized().await;
	let went_on = until_finalized(&alice, "three of four finalize", |f| f >= f0 + 3).await;
	tokio::time::sleep(fault.saturating_sub(went_on)).await;
	let t = Instant::now();
	drop(dave);
	dave = Node::start(dave_config.clone()).await;
	let rpc_up = t.elapsed();
	let (target, _) = alice.finalized().await;
	until_agrees(&dave, &alice, target, "Dave catches up").await;
	let caught_up = t.elapsed();
	assert_eq!(dave.block_hash(fd).await, Some(hd), "Dave's finalized #{fd} survived the kill");
	println!(
		"kill -9 Dave: finalized #{f0} -> #{} within {went_on:?} without him; restarted after \
		 {:?} down: RPC up in {rpc_up:?}, on the network's finalized #{target} {caught_up:?} \
		 after the restart; finality's longest pause {:?}; Dave's finalized #{fd} kept",
		f0 + 3,
		fault.max(went_on),
		stalls.longest().await
	);

	// 2. 2|2 split.
	let (fa, _) = alice.finalized().await;
	let (best_a, best_c) = (alice.best_number().await, charlie.best_number().await);
	bed.split();
	let t = Instant::now();
	tokio::time::sleep(fault / 2).await;
	let (mid_a, mid_c) = (alice.finalized().await.0, charlie.finalized().await.0);
	tokio::time::sleep(fault - fault / 2).await;
	let (end_a, end_c) = (alice.finalized().await.0, charlie.finalized().await.0);
	assert_eq!((end_a, end_c), (mid_a, mid_c), "finality stopped on both sides");
	let (now_a, now_c) = (alice.best_number().await, charlie.best_number().await);
	assert!(now_a > best_a && now_c > best_c, "blocks went on on both sides");
	let common = end_a.min(end_c);
	assert_eq!(
		alice.block_hash(common).await,
		charlie.block_hash(common).await,
		"no two finalized forks: both sides finalized the same #{common}"
	);
	println!(
		"2|2 split for {:?}: finality stopped at #{end_a} (A) / #{end_c} (B) from #{fa}; \
		 best went #{best_a} -> #{now_a} (A), #{best_c} -> #{now_c} (B)",
		t.elapsed()
	);
	bed.heal();
	let resumed = until_finalized(&alice, "finality resumes", |f| f > end_a.max(end_c)).await;
	let (target, _) = alice.finalized().await;
	let converged = until_agrees(&charlie, &alice, target, "the sides converge").await;
	for n in [fa, common, target] {
		let hash = alice.block_hash(n).await;
		for node in [&bob, &dave, &full] {
			until_agrees(node, &alice, n, "one chain").await;
			assert_eq!(node.block_hash(n).await, hash, "one chain at #{n}");
		}
	}
	// The next scenario starts from a network that finalizes steadily again.
	let steady = until_finalized(&alice, "finality steady", |f| f >= target + 3).await;
	println!(
		"healed: finality resumed after {resumed:?}; Charlie's side on Alice's finalized \
		 #{target} {converged:?} later; #{} finalized {steady:?} after that",
		target + 3
	);

	// 3. 3|1 split: Charlie cut off.
	let (f0, _) = alice.finalized().await;
	let (fc0, _) = charlie.finalized().await;
	let stalls = Stalls::watch(alice.http_url());
	bed.cut(6);
	let t = Instant::now();
	let went_on = until_finalized(&alice, "three of four finalize", |f| f >= f0 + 3).await;
	tokio::time::sleep(fault.saturating_sub(went_on)).await;
	let alone = charlie.finalized().await.0;
	let (f1, _) = alice.finalized().await;
	assert!(f1 >= f0 + 3 && alone <= fc0 + 2, "Alice's side finalizes, Charlie alone does not");
	bed.reconnect(6);
	let cut_for = t.elapsed();
	let (target, _) = alice.finalized().await;
	let rejoined = until_agrees(&charlie, &alice, target, "Charlie rejoins").await;
	println!(
		"3|1 split for {cut_for:?}: finalized #{f0} -> #{f1} without Charlie (longest pause \
		 {:?}), Charlie alone stayed at #{alone}; rejoined Alice's finalized #{target} \
		 {rejoined:?} after the reconnect",
		stalls.longest().await
	);

	// Every put accepted (or kept) is anchored in the finalized chain and served.
	stop.store(true, Ordering::Relaxed);
	// A put answers with its anchor, or says the record is kept (its outcome unknown: settled
	// against the chain later), or says nothing was stored (the chain refused it, or nothing
	// could be submitted): the last are not counted.
	let mut accepted = Vec::new();
	let (mut kept, mut not_stored) = (0, 0);
	for (task, label) in loads.into_iter().zip(["A", "B"]) {
		let outcomes = task.await.expect("the load task");
		let ok = outcomes.iter().filter(|o| o.is_ok()).count();
		println!("gateway {label}: {} puts, {ok} answered with their anchor", outcomes.len());
		for e in outcomes.iter().filter_map(|o| o.as_ref().err()) {
			println!("gateway {label}: a put answered {e}");
			if e.contains("the record is kept") {
				kept += 1;
			} else {
				not_stored += 1;
			}
		}
		accepted.extend(outcomes.into_iter().filter_map(Result::ok));
	}
	let t = Instant::now();
	let (mut held, mut pending) = (0, 1);
	while pending > 0 {
		let (a, b) = (gw_a.system().status().await.unwrap(), gw_b.system().status().await.unwrap());
		(held, pending) = (a.records + b.records, a.pending_puts + b.pending_puts);
		assert!(t.elapsed() < PATIENCE, "puts still pending:\n{}\n{}", gw_a.log(), gw_b.log());
		tokio::time::sleep(Duration::from_millis(500)).await;
	}
	assert_eq!(held, accepted.len() + kept, "every accepted or kept put is held");
	let finalized = PageParams { finalized: true, ..Default::default() };
	let anchored = full.rpc().records(patient, Some(finalized)).await.unwrap().count;
	assert_eq!(anchored as usize, held, "and anchored in the finalized chain, each once");
	let doctor = gw_a.doctor("MD10001");
	let mut fetched = Vec::new();
	let mut offset = None;
	loop {
		let request = FetchRequest {
			categories: Some(vec![DataCategory::Visit]),
			offset,
			..FetchRequest::new(patient)
		};
		let page = doctor.fetch(request).await.unwrap_or_else(|e| panic!("{e:?}\n{}", gw_b.log()));
		fetched.extend(page.records.iter().map(|r| r.content_hash));
		match page.next_offset {
			Some(next) => offset = Some(next),
			None => break,
		}
	}
	assert_eq!(fetched.len(), held, "the doctor at A gets every record, B's over mutual TLS");
	for hash in &accepted {
		assert!(fetched.contains(hash), "accepted put {hash:?} is served");
	}
	println!(
		"after the faults: {} puts accepted, {kept} kept and settled, {not_stored} answered \
		 that nothing was stored: all {held} held anchored, finalized and served",
		accepted.len()
	);
}
