//! The gateway under faults and at its limits, with real processes: an unknown peer
//! certificate refused at the TLS handshake; a 20 MiB record between two gateways; 17
//! records of one category fetched in pages; a gateway that starts before its node; a
//! gateway pointed at a freshly started node of the same chain, and at a node that is behind,
//! shreds nothing (and catches up on a withdrawal once back); a node killed between a put's
//! inclusion and its finality: the record is recovered and served; 300 idle connections to a
//! gateway's peer API from strangers' addresses: a pinned peer is still served.

use healthchain_gateway::{
	peers::tls,
	wire::{FetchRequest, LocalApiClient, PeerApiClient},
};
use healthchain_primitives::{
	demo::{demo_patient, test_patient},
	DataCategory, HealthId,
};
use healthchain_tests::{
	bundle, calls, dev, free_port, key, node_key, put_request as put,
	register_test_patient as register, rpc::PageParams, submit, two_gateways, DevIdp, GatewayPrep,
	GatewayProcess, GatewaySpec, HealthRpcClient, IdleFlood, Node, NodeConfig, TwoGatewayOptions,
	TwoGateways, PATIENCE,
};
use jsonrpsee::core::ClientError;
use std::{
	path::Path,
	time::{Duration, Instant},
};

fn only(id: HealthId, category: DataCategory, offset: Option<u32>) -> FetchRequest {
	FetchRequest { categories: Some(vec![category]), offset, ..FetchRequest::new(id) }
}

/// Waits until `what` appears in the gateway's log.
async fn logged(gw: &GatewayProcess, what: &str) {
	let start = Instant::now();
	while !gw.log().contains(what) {
		assert!(start.elapsed() < PATIENCE, "{what} never logged:\n{}", gw.log());
		tokio::time::sleep(Duration::from_millis(250)).await;
	}
}

#[tokio::test(flavor = "multi_thread")]
async fn mutual_tls_large_records_and_paging() {
	let mut options = TwoGatewayOptions::default();
	options.b.api_tls = true;
	let TwoGateways { node, a: gw_a, b: gw_b, .. } = two_gateways(options).await;
	let client = node.client().await;
	let stranger = GatewayPrep::new();

	// A certificate that is not in B's directory is refused at the handshake: no JSON-RPC
	// answer at all, and B logs it.
	let refused = gw_b.peer_api_as(&stranger.keys_dir()).peer_health().await;
	assert!(matches!(refused, Err(ClientError::Transport(_))), "{refused:?}");
	logged(&gw_b, "tls_handshake_failed").await;
	// The requester checks the source's certificate the same way: a server whose
	// certificate is not the pinned one is refused.
	let a_identity =
		tls::Identity::load(&gw_a.keys_dir().join("tls.crt"), &gw_a.keys_dir().join("tls.key"))
			.unwrap();
	let wrong_pin = tls::peer_client_config(&a_identity, [7u8; 32]).unwrap();
	let impostor = jsonrpsee::http_client::HttpClientBuilder::default()
		.with_custom_cert_store(wrong_pin)
		.build(&gw_b.peer_url)
		.unwrap();
	assert!(matches!(impostor.peer_health().await, Err(ClientError::Transport(_))));
	// B's local API serves TLS: a client pinned to its certificate works (the other APIs
	// in this test do so too), plain HTTP does not.
	assert!(gw_b.system().status().await.is_ok());
	assert!(healthchain_tests::http_get(&gw_b.api_addr, "/health")
		.map(|r| r.0 != 200)
		.unwrap_or(true));

	let patient = key("//HcPatient1");
	let p1 = test_patient(1);
	register(&client, 1, &patient).await;
	submit(&client, &patient, &calls::enrol(p1, calls::all_sources())).await;

	// A 20 MiB record put at B and fetched by A's doctor over mutual TLS.
	let big_text: String = "0123456789abcdef".repeat(20 * 1024 * 1024 / 16);
	let big = gw_b.system().put(put(p1, DataCategory::LabAndImaging, &big_text)).await.unwrap();
	assert!(big.size > 20 * 1024 * 1024, "{}", big.size);
	let got = gw_a
		.doctor("MD10001")
		.fetch(only(p1, DataCategory::LabAndImaging, None))
		.await
		.unwrap_or_else(|e| panic!("{e:?}\n{}", gw_b.log()));
	assert_eq!(got.records.len(), 1);
	assert_eq!(got.records[0].content_hash, big.content_hash);
	assert!(got.records[0].bundle == bundle(&big_text), "the 20 MiB bundle round-trips");

	// 17 visit records (A and B put at once): two pages, 16 and 1, all of them.
	let (a_sys, b_sys) = (gw_a.system(), gw_b.system());
	let (from_a, from_b) = tokio::join!(
		async {
			let mut v = Vec::new();
			for i in 0..9 {
				v.push(
					a_sys.put(put(p1, DataCategory::Visit, &format!("visit A{i}"))).await.unwrap(),
				);
			}
			v
		},
		async {
			let mut v = Vec::new();
			for i in 0..8 {
				v.push(
					b_sys.put(put(p1, DataCategory::Visit, &format!("visit B{i}"))).await.unwrap(),
				);
			}
			v
		},
	);
	let mut put_hashes: Vec<_> = from_a.iter().chain(&from_b).map(|r| r.content_hash).collect();
	put_hashes.sort();
	let doctor = gw_a.doctor("MD10001");
	let first = doctor.fetch(only(p1, DataCategory::Visit, None)).await.unwrap();
	assert_eq!(first.records.len(), 16);
	assert_eq!(first.next_offset, Some(16));
	let second = doctor.fetch(only(p1, DataCategory::Visit, Some(16))).await.unwrap();
	assert_eq!(second.records.len(), 1);
	assert_eq!(second.next_offset, None);
	let mut fetched: Vec<_> =
		first.records.iter().chain(&second.records).map(|r| r.content_hash).collect();
	fetched.sort();
	assert_eq!(fetched, put_hashes, "all 17 records, each once");
	// An offset past the end is a clear error.
	let past = doctor.fetch(only(p1, DataCategory::Visit, Some(40))).await;
	assert!(matches!(&past, Err(ClientError::Call(c)) if c.code() == 4000), "{past:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn no_anchored_record_is_lost_to_a_missing_fresh_or_lagging_node() {
	let mut options = TwoGatewayOptions::default();
	options.a.retention_secs = 2;
	let TwoGateways { node, a: mut gw_a, b: gw_b, .. } = two_gateways(options).await;
	let client = node.client().await;

	// Two patients with a record each at A. The first stays enrolled throughout; the
	// second withdraws while A is away.
	let (k1, k2) = (key("//HcPatient1"), key("//HcPatient2"));
	let (p1, p2) = (test_patient(1), test_patient(2));
	for (n, k, p) in [(1, &k1, p1), (2, &k2, p2)] {
		register(&client, n, k).await;
		submit(&client, k, &calls::enrol(p, calls::all_sources())).await;
	}
	let a_sys = gw_a.system();
	let r1 = a_sys.put(put(p1, DataCategory::Allergy, "penicillin")).await.unwrap();
	let r2 = a_sys.put(put(p2, DataCategory::Allergy, "latex")).await.unwrap();
	drop(a_sys);

	// 1. A restarted against a node that is not up yet: it starts, says it waits, and comes
	//    up when a node appears there: a freshly started development node, the same genesis
	//    but another chain, where neither patient exists.
	let fresh_port = free_port();
	gw_a.restart(&format!("ws://127.0.0.1:{fresh_port}")).await;
	logged(&gw_a, "waiting_for_node").await;
	let fresh = Node::start(NodeConfig { rpc_port: Some(fresh_port), ..NodeConfig::dev() }).await;
	gw_a.wait_healthy().await;
	fresh.wait_finalized(6).await;
	logged(&gw_a, "another chain").await;
	tokio::time::sleep(Duration::from_secs(6)).await; // three times the retention
	let status = gw_a.system().status().await.unwrap();
	assert_eq!((status.records, status.erased), (2, 0), "{status:?}\n{}", gw_a.log());
	assert!(!gw_a.log().contains("record_shredded"), "{}", gw_a.log());

	// 2. A pointed at a full node that is behind (no peers: stuck at genesis) while the
	//    second patient withdraws on the real chain: A waits and shreds nothing.
	drop(fresh);
	let lagging =
		Node::start(NodeConfig { args: vec![], node_key: Some(node_key(3)), ..NodeConfig::dev() })
			.await;
	gw_a.restart(&lagging.ws_url()).await;
	submit(&client, &k2, &calls::withdraw(p2)).await;
	logged(&gw_a, "finalized head #0 is").await;
	tokio::time::sleep(Duration::from_secs(6)).await;
	let status = gw_a.system().status().await.unwrap();
	assert_eq!((status.records, status.erased), (2, 0), "{status:?}\n{}", gw_a.log());

	// 3. Back on the real node, A catches up from the last block it processed: it sees the
	//    finalized withdrawal and, after the retention, shreds that patient's record and
	//    revokes its anchor. The enrolled patient's record, live on chain, is still served:
	//    B's doctor fetches it from A over mutual TLS.
	drop(lagging);
	gw_a.restart(&node.ws_url()).await;
	logged(&gw_a, "record_shredded").await;
	let status = gw_a.system().status().await.unwrap();
	assert_eq!((status.records, status.erased), (1, 1), "{status:?}\n{}", gw_a.log());
	assert!(gw_a.log().contains(&format!("{:?}", r2.content_hash)), "r2 was the one shredded");
	let emergency = FetchRequest {
		purpose: Some(healthchain_primitives::Purpose::Emergency),
		emergency_reason: Some(healthchain_gateway::wire::EmergencyReason::Unconscious),
		..only(p1, DataCategory::Allergy, None)
	};
	let got = gw_b
		.doctor("MD10002")
		.fetch(emergency)
		.await
		.unwrap_or_else(|e| panic!("{e:?}\nA:\n{}\nB:\n{}", gw_a.log(), gw_b.log()));
	assert_eq!(got.records.len(), 1);
	assert_eq!(got.records[0].content_hash, r1.content_hash);
	assert_eq!(got.records[0].source, "H0001");
	logged(&gw_a, "anchor_revoked").await;
}

/// Validator `i` of the local network on `base`, on fixed ports (restarted where its peers
/// and clients expect it).
fn validator(i: usize, base: &Path, ports: (u16, u16), boot: Option<String>) -> NodeConfig {
	NodeConfig {
		p2p_port: Some(ports.1),
		rpc_port: Some(ports.0),
		..NodeConfig::local_validator(i, Some(base), boot)
	}
}

#[tokio::test(flavor = "multi_thread")]
async fn a_put_cut_off_between_inclusion_and_finality_is_recovered() {
	let tmp = tempfile::tempdir().unwrap();
	let ports: Vec<(u16, u16)> = (0..4).map(|_| (free_port(), free_port())).collect();
	let mut alice = Node::start(validator(0, tmp.path(), ports[0], None)).await;
	let boot = alice.multiaddr(1);
	let mut others = Vec::new();
	for (i, ports) in ports.iter().enumerate().skip(1) {
		others.push(Node::start(validator(i, tmp.path(), *ports, Some(boot.clone()))).await);
	}
	alice.wait_finalized(2).await;
	let client = alice.client().await;
	// The local chain's demo patient (key //Alice//stash) enrols; Eve is hospital A's gateway.
	let patient = key("//Alice//stash");
	let p = demo_patient();
	submit(&client, &patient, &calls::enrol(p, calls::all_sources())).await;
	let idp = DevIdp::new();
	let gw = GatewayProcess::start(
		&alice,
		GatewayPrep::new(),
		GatewaySpec::new("H0001", "//Eve", vec![]),
		&idp,
	)
	.await;

	// Charlie and Dave stop: blocks go on, finality stops (GRANDPA needs three of four).
	let mut dave = others.pop().unwrap();
	let mut charlie = others.pop().unwrap();
	charlie.stop();
	dave.stop();
	let put_task = {
		let sys = gw.system();
		tokio::spawn(async move { sys.put(put(p, DataCategory::Allergy, "penicillin")).await })
	};
	// The anchor reaches a best block; then Alice, the gateway's node, is killed.
	let start = Instant::now();
	loop {
		let best = PageParams { finalized: false, ..Default::default() };
		if alice.rpc().records(p, Some(best)).await.map(|page| page.count).unwrap_or(0) == 1 {
			break;
		}
		assert!(start.elapsed() < PATIENCE, "the anchor never reached a block\n{}", gw.log());
		tokio::time::sleep(Duration::from_millis(200)).await;
	}
	assert_eq!(
		alice
			.rpc()
			.records(p, Some(PageParams { finalized: true, ..Default::default() }))
			.await
			.unwrap()
			.count,
		0
	);
	alice.kill();
	let outcome = put_task.await.unwrap();
	let Err(ClientError::Call(e)) = &outcome else { panic!("{outcome:?}") };
	assert_eq!(e.code(), 5000, "{e:?}");
	assert!(e.message().contains("kept"), "{e:?}");
	let status = gw.system().status().await.unwrap();
	assert_eq!((status.pending_puts, status.records), (1, 0), "{status:?}");

	// Alice, Charlie and Dave come back: finality resumes; the gateway settles the put
	// against the finalized chain and serves the record.
	let alice = Node::start(validator(0, tmp.path(), ports[0], None)).await;
	let bob = others.pop().unwrap();
	let _charlie = Node::start(validator(2, tmp.path(), ports[2], Some(bob.multiaddr(2)))).await;
	let _dave = Node::start(validator(3, tmp.path(), ports[3], Some(bob.multiaddr(2)))).await;
	logged(&gw, "record_recovered").await;
	let status = gw.system().status().await.unwrap();
	assert_eq!((status.pending_puts, status.records), (0, 1), "{status:?}");
	let got = gw
		.doctor("MD10001")
		.fetch(FetchRequest::new(p))
		.await
		.unwrap_or_else(|e| panic!("{e:?}\n{}", gw.log()));
	assert_eq!(got.records.len(), 1);
	assert_eq!(got.records[0].bundle, bundle("penicillin"));
	drop(alice);
}

#[tokio::test(flavor = "multi_thread")]
async fn idle_connections_from_strangers_do_not_starve_a_pinned_peer() {
	let TwoGateways { node, a: gw_a, b: gw_b, .. } = two_gateways(Default::default()).await;
	let client = node.client().await;
	// The demo patient (//Two's on the development chain) enrols; B holds a record.
	let p = demo_patient();
	submit(&client, &dev::two(), &calls::enrol(p, calls::all_sources())).await;
	let record = gw_b.system().put(put(p, DataCategory::Allergy, "penicillin")).await.unwrap();

	// 300 idle connections to B's peer API from 127.0.0.2 to 127.0.0.31, ten from each,
	// reopened whenever B drops them. A, in B's directory at 127.0.0.1, is not among them.
	let flood = IdleFlood::start(gw_b.peer_addr(), 300, 30).await;
	// B takes on a few per address, strangers no more than their share of its connections,
	// and drops the idle handshakes when they run out of time.
	logged(&gw_b, "too many unauthenticated connections from this address").await;
	logged(&gw_b, "unknown addresses hold their share of connections").await;
	logged(&gw_b, r#""error":"timed out""#).await;

	// Meanwhile A's doctor fetches the record from B over mutual TLS.
	let closed = flood.closed();
	let got = gw_a
		.doctor("MD10001")
		.fetch(only(p, DataCategory::Allergy, None))
		.await
		.unwrap_or_else(|e| panic!("{e:?}\nA:\n{}\nB:\n{}", gw_a.log(), gw_b.log()));
	assert_eq!(got.records.len(), 1);
	assert_eq!(got.records[0].content_hash, record.content_hash);
	assert_eq!(got.records[0].source, "H0002");
	assert_eq!(got.records[0].bundle, bundle("penicillin"));
	// The flood was still on: B went on dropping its connections, which came back.
	let start = Instant::now();
	while flood.closed() == closed {
		assert!(start.elapsed() < PATIENCE, "the flood stopped");
		tokio::time::sleep(Duration::from_millis(100)).await;
	}
	drop(flood);
}
