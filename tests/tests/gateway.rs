//! Two hospital gateways on loopback against a real development node: identify, put, fetch
//! across hospitals under one-time and per-request consent, the patient's access log, the
//! bulk put CLI, emergency access, and every refused path the gateway issue names.

use healthchain_primitives::{document::health_id_of, DocumentKind, HealthId};
use healthchain_tests::{
	http_get, GatewayPrep, GatewayProcess, GatewaySpec, Node, NodeConfig, PATIENCE,
};
use jsonrpsee::{core::client::ClientT, http_client::HttpClient, rpc_params};
use serde_json::{json, Value as Json};
use std::time::{Duration, Instant};
use subxt::{
	dynamic::{self, Value},
	OnlineClient, PolkadotConfig,
};
use subxt_signer::{
	sr25519::{dev, Keypair},
	SecretUri,
};

const DEV_SECRET: &[u8; 32] = b"healthchain-dev-lookup-secret-01";

fn passport(number: &str) -> HealthId {
	health_id_of(DEV_SECRET, DocumentKind::Passport { country: *b"THA" }, number).unwrap()
}

fn key(uri: &str) -> Keypair {
	Keypair::from_uri(&uri.parse::<SecretUri>().unwrap()).unwrap()
}

async fn submit(
	api: &OnlineClient<PolkadotConfig>,
	signer: &Keypair,
	pallet: &str,
	call: &str,
	fields: Vec<Value>,
) {
	let tx = dynamic::transaction(pallet, call, fields);
	let at = api.at_current_block().await.unwrap();
	at.transactions()
		.sign_and_submit_then_watch_default(&tx, signer)
		.await
		.unwrap_or_else(|e| panic!("{pallet}.{call}: {e}"))
		.wait_for_finalized_success()
		.await
		.unwrap_or_else(|e| panic!("{pallet}.{call}: {e:?}"));
}

async fn register(api: &OnlineClient<PolkadotConfig>, number: &str, patient: &Keypair) {
	submit(
		api,
		&dev::ferdie(),
		"HealthIds",
		"register",
		vec![
			Value::from_bytes(passport(number).0),
			Value::named_variant("Passport", vec![("country", Value::from_bytes(b"THA"))]),
			Value::bool(true),
			Value::unnamed_variant("Key", vec![Value::from_bytes(patient.public_key().0)]),
		],
	)
	.await;
}

async fn call(client: &HttpClient, method: &str, params: Json) -> Result<Json, (i32, String)> {
	client.request::<Json, _>(method, rpc_params![params]).await.map_err(|e| match e {
		jsonrpsee::core::ClientError::Call(c) => (c.code(), c.message().to_string()),
		other => panic!("{method}: transport error {other}"),
	})
}

async fn node_rpc(node: &Node, method: &str, params: Vec<Json>) -> Json {
	let mut p = jsonrpsee::core::params::ArrayParams::new();
	for v in params {
		p.insert(v).unwrap();
	}
	node.rpc().request(method, p).await.unwrap_or_else(|e| panic!("{method}: {e}"))
}

fn bundle(text: &str) -> Json {
	json!({"resourceType": "Bundle", "type": "collection", "entry": [
		{"resource": {"resourceType": "Observation", "status": "final", "code": {"text": text}}}
	]})
}

/// Waits for the patient's open request, then answers it as the patient.
async fn answer_request(
	node: &Node,
	api: &OnlineClient<PolkadotConfig>,
	patient: &Keypair,
	id: &HealthId,
	approve: bool,
) {
	let start = Instant::now();
	let request_id = loop {
		let pending = node_rpc(node, "health_pendingRequests", vec![json!(id.to_hex())]).await;
		if let Some(r) = pending.as_array().and_then(|a| a.first()) {
			break r["id"].as_u64().unwrap();
		}
		assert!(start.elapsed() < PATIENCE, "no consent request arrived");
		tokio::time::sleep(Duration::from_millis(500)).await;
	};
	submit(
		api,
		patient,
		"Consent",
		"respond",
		vec![Value::u128(request_id as u128), Value::bool(approve)],
	)
	.await;
}

fn hashes(result: &Json) -> Vec<String> {
	let mut v: Vec<String> = result["records"]
		.as_array()
		.unwrap()
		.iter()
		.map(|r| r["contentHash"].as_str().unwrap().to_string())
		.collect();
	v.sort();
	v
}

#[tokio::test(flavor = "multi_thread")]
async fn two_hospitals_exchange_records_under_consent() {
	let node = Node::start(NodeConfig::dev()).await;
	node.wait_finalized(1).await;
	let api = OnlineClient::<PolkadotConfig>::from_url(node.ws_url()).await.unwrap();

	// Hospital A (one-time consent, Dave) and B (per-request, Eve) know each other; A2 is a
	// second gateway of A with an empty directory.
	let (prep_a, prep_b, prep_a2) = (GatewayPrep::new(), GatewayPrep::new(), GatewayPrep::new());
	let dir_a = vec![("H0002".to_string(), prep_b.peer_url(), prep_b.exchange_public.clone())];
	let dir_b = vec![("H0001".to_string(), prep_a.peer_url(), prep_a.exchange_public.clone())];
	let spec = |hospital: &str, key_uri: &str, peers| GatewaySpec {
		hospital: hospital.into(),
		key_uri: key_uri.into(),
		retention_secs: 4,
		peers,
	};
	let mut gw_a = GatewayProcess::start(&node, prep_a, spec("H0001", "//Dave", dir_a)).await;
	let mut gw_b = GatewayProcess::start(&node, prep_b, spec("H0002", "//Eve", dir_b)).await;
	let gw_a2 = GatewayProcess::start(&node, prep_a2, spec("H0001", "//Dave", vec![])).await;
	let (a, b, a2) = (gw_a.api(), gw_b.api(), gw_a2.api());

	// Health endpoint on both APIs.
	let (status, body) = http_get(&gw_a.api_addr, "/health").unwrap();
	assert_eq!(status, 200, "{body}");
	assert!(body.contains("\"status\":\"ok\""), "{body}");
	let peer_addr = gw_b.peer_url.trim_start_matches("http://").to_string();
	assert_eq!(http_get(&peer_addr, "/health").unwrap().0, 200);

	// Identify: the gateway and the shared primitives agree; checksum errors are clear.
	let p1 = passport("HC0000001");
	let got = call(&a, "gateway_identify", json!({"kind": "passport:THA", "number": "HC0000001"}))
		.await
		.unwrap();
	assert_eq!(got["healthId"], p1.to_hex());
	let (code, msg) =
		call(&a, "gateway_identify", json!({"kind": "thai-citizen", "number": "1101700230709"}))
			.await
			.unwrap_err();
	assert_eq!(code, 4000);
	assert!(msg.contains("check digit"), "{msg}");

	// A registrar registers two patients.
	let (k1, k2) = (key("//HcPatient1"), key("//HcPatient2"));
	let p2 = passport("HC0000002");
	register(&api, "HC0000001", &k1).await;
	register(&api, "HC0000002", &k2).await;

	// Not enrolled: the anchor is refused and nothing stays in A's store; fetch is denied.
	let (code, msg) = call(
		&a,
		"gateway_put",
		json!({"healthId": p2.to_hex(), "category": "allergy", "bundle": bundle("x")}),
	)
	.await
	.unwrap_err();
	assert_eq!(code, 4020);
	assert!(msg.contains("NotEnrolled"), "{msg}");
	let blobs = std::fs::read_dir(gw_a.dir.join("store/blobs")).unwrap().count();
	assert_eq!(blobs, 0, "a refused anchor leaves nothing behind");
	let (code, msg) =
		call(&b, "gateway_fetch", json!({"healthId": p2.to_hex(), "practitioner": "MD10002"}))
			.await
			.unwrap_err();
	assert_eq!((code, msg.as_str()), (4010, "access denied: notEnrolled"));

	// Malformed requests: clear errors, nothing stored.
	let (code, _) = call(
		&a,
		"gateway_put",
		json!({"healthId": "0x12", "category": "allergy", "bundle": bundle("x")}),
	)
	.await
	.unwrap_err();
	assert_eq!(code, 4000);
	let (code, _) = call(
		&a,
		"gateway_put",
		json!({"healthId": p1.to_hex(), "category": "gossip", "bundle": {}}),
	)
	.await
	.unwrap_err();
	assert_eq!(code, -32602);
	let (code, msg) = call(
		&a,
		"gateway_put",
		json!({"healthId": p1.to_hex(), "category": "allergy", "bundle": {"resourceType": "Patient"}}),
	)
	.await
	.unwrap_err();
	assert_eq!(code, 4000, "{msg}");

	// The patient enrols; A and B each put a record.
	submit(
		&api,
		&k1,
		"Consent",
		"enrol",
		vec![Value::from_bytes(p1.0), Value::unnamed_variant("All", vec![])],
	)
	.await;
	let (r1, r2) = tokio::join!(
		call(
			&a,
			"gateway_put",
			json!({"healthId": p1.to_hex(), "category": "allergy", "bundle": bundle("penicillin allergy")})
		),
		call(
			&b,
			"gateway_put",
			json!({"healthId": p1.to_hex(), "category": "diagnosis", "bundle": bundle("type 2 diabetes")})
		),
	);
	let (r1, r2) = (r1.unwrap(), r2.unwrap());
	let r1_hash = r1["contentHash"].as_str().unwrap().to_string();
	let r2_hash = r2["contentHash"].as_str().unwrap().to_string();

	// Bulk put of a directory with the CLI, with progress.
	let bulk = tempfile::tempdir().unwrap();
	for (i, t) in ["metformin 500 mg", "atorvastatin 20 mg"].iter().enumerate() {
		std::fs::write(bulk.path().join(format!("med-{i}.json")), bundle(t).to_string()).unwrap();
	}
	std::fs::write(bulk.path().join("notes.txt"), "ignored").unwrap();
	let out = std::process::Command::new(healthchain_tests::gateway_binary())
		.args(["put", &gw_a.api_url, &p1.to_hex(), "medication"])
		.arg(bulk.path())
		.output()
		.unwrap();
	let progress = String::from_utf8_lossy(&out.stderr).to_string();
	assert!(out.status.success(), "{progress}");
	assert!(progress.contains("[1/2] med-0.json: anchored 0x"), "{progress}");
	assert!(progress.contains("[2/2] med-1.json: anchored 0x"), "{progress}");
	assert!(progress.contains("2 anchored, 0 failed, of 2"), "{progress}");

	// Hospital A's doctor (one-time consent): A's own records and B's, checked and decrypted.
	let fetched =
		call(&a, "gateway_fetch", json!({"healthId": p1.to_hex(), "practitioner": "MD10001"}))
			.await
			.unwrap_or_else(|e| {
				panic!("fetch at A: {e:?}\nA log:\n{}\nB log:\n{}", gw_a.log(), gw_b.log())
			});
	assert_eq!(fetched["basis"], "enrolment");
	assert_eq!(fetched["records"].as_array().unwrap().len(), 4, "{fetched}");
	let from_b = fetched["records"]
		.as_array()
		.unwrap()
		.iter()
		.find(|r| r["source"] == "H0002")
		.expect("B's record");
	assert_eq!(from_b["contentHash"], r2_hash);
	assert_eq!(from_b["bundle"], bundle("type 2 diabetes"));
	let a_attestation = fetched["attestation"].as_u64().unwrap();

	// Hospital B's doctor (per-request): the patient approves in front of the doctor.
	let fetch_b = {
		let b = b.clone();
		let p = p1.to_hex();
		tokio::spawn(async move {
			call(&b, "gateway_fetch", json!({"healthId": p, "practitioner": "MD10002"})).await
		})
	};
	answer_request(&node, &api, &k1, &p1, true).await;
	let fetched_b =
		fetch_b.await.unwrap().unwrap_or_else(|e| panic!("fetch at B: {e:?}\n{}", gw_b.log()));
	assert_eq!(fetched_b["basis"], "grant");
	assert_eq!(hashes(&fetched_b), hashes(&fetched));
	let r1_at_b = fetched_b["records"]
		.as_array()
		.unwrap()
		.iter()
		.find(|r| r["contentHash"] == r1_hash.as_str())
		.unwrap();
	assert_eq!(r1_at_b["bundle"], bundle("penicillin allergy"));
	let b_attestation = fetched_b["attestation"].as_u64().unwrap();

	// The patient's access log shows both accesses, B's the newest, naming the records.
	let log = node_rpc(&node, "health_accessLog", vec![json!(p1.to_hex())]).await;
	assert_eq!(log["count"], 2);
	let newest = &log["entries"][0];
	assert_eq!(newest["index"].as_u64(), Some(b_attestation));
	assert_eq!(newest["entry"]["hospital"], "H0002");
	assert_eq!(newest["entry"]["practitioner"], "MD10002");
	assert_eq!(newest["entry"]["basis"]["kind"], "grant");
	assert!(newest["entry"]["records"].as_array().unwrap().iter().any(|r| r == r1_hash.as_str()));
	assert_eq!(log["entries"][1]["entry"]["hospital"], "H0001");

	// Per-request refused: the patient revokes the grant, then refuses the new request.
	submit(
		&api,
		&k1,
		"Consent",
		"revoke_grant",
		vec![Value::from_bytes(p1.0), Value::from_bytes(b"H0002"), Value::from_bytes(b"MD10002")],
	)
	.await;
	let fetch_b = {
		let b = b.clone();
		let p = p1.to_hex();
		tokio::spawn(async move {
			call(&b, "gateway_fetch", json!({"healthId": p, "practitioner": "MD10002"})).await
		})
	};
	answer_request(&node, &api, &k1, &p1, false).await;
	let (code, msg) = fetch_b.await.unwrap().unwrap_err();
	assert_eq!(code, 4011, "{msg}");

	// Expired grant: a 1 ms grant has lapsed by the time the attestation is in a block.
	let fetch_b = {
		let b = b.clone();
		let p = p1.to_hex();
		tokio::spawn(async move {
			call(
				&b,
				"gateway_fetch",
				json!({"healthId": p, "practitioner": "MD10002", "grantForMs": 1}),
			)
			.await
		})
	};
	answer_request(&node, &api, &k1, &p1, true).await;
	let (code, msg) = fetch_b.await.unwrap().unwrap_err();
	assert_eq!(code, 4013, "{msg}");
	assert!(msg.contains("expired"), "{msg}");

	// Tampered ciphertext at the source: detected, nothing shown.
	let blob = gw_b.dir.join("store/blobs").join(r2_hash.trim_start_matches("0x"));
	let original = std::fs::read(&blob).unwrap();
	let mut tampered = original.clone();
	tampered[40] ^= 0x55;
	std::fs::write(&blob, &tampered).unwrap();
	let (code, msg) = call(
		&a,
		"gateway_fetch",
		json!({"healthId": p1.to_hex(), "practitioner": "MD10001", "categories": ["diagnosis"]}),
	)
	.await
	.unwrap_err();
	assert_eq!(code, 4050, "{msg}");
	assert!(msg.contains("hash"), "{msg}");
	std::fs::write(&blob, &original).unwrap();

	// An attestation replayed for another record, and a requester not in the directory.
	let r5 = call(
		&b,
		"gateway_put",
		json!({"healthId": p1.to_hex(), "category": "diagnosis", "bundle": bundle("hypertension")}),
	)
	.await
	.unwrap();
	let peer_b = gw_b.peer_api();
	let (code, msg) = call(
		&peer_b,
		"gateway_serve",
		json!({"healthId": p1.to_hex(), "records": [r5["contentHash"]], "attestation": a_attestation, "requester": "H0001"}),
	)
	.await
	.unwrap_err();
	assert_eq!(code, 4040, "{msg}");
	assert!(msg.contains("does not name record"), "{msg}");
	let (code, msg) = call(
		&peer_b,
		"gateway_serve",
		json!({"healthId": p1.to_hex(), "records": [r2_hash], "attestation": a_attestation, "requester": "H0099"}),
	)
	.await
	.unwrap_err();
	assert_eq!(code, 4030, "{msg}");
	let (code, msg) = call(&peer_b, "gateway_serve", json!({"healthId": "zz"})).await.unwrap_err();
	assert_eq!(code, -32602, "{msg}");

	// The requester's directory lacks the source: a clear error before any attestation.
	let (code, msg) = call(
		&a2,
		"gateway_fetch",
		json!({"healthId": p1.to_hex(), "practitioner": "MD10001", "categories": ["diagnosis"]}),
	)
	.await
	.unwrap_err();
	assert_eq!(code, 4030, "{msg}");
	assert!(msg.contains("unknown peer gateway H0002"), "{msg}");

	// Emergency access: same path, emergency purpose, no patient answer needed.
	let emergency = call(
		&b,
		"gateway_fetch",
		json!({"healthId": p1.to_hex(), "practitioner": "MD10002", "purpose": "emergency", "emergencyReason": "unconscious"}),
	)
	.await
	.unwrap_or_else(|e| panic!("emergency fetch: {e:?}\n{}", gw_b.log()));
	assert_eq!(emergency["basis"], "emergency");
	assert!(hashes(&emergency).contains(&r1_hash));
	let (code, _) = call(
		&b,
		"gateway_fetch",
		json!({"healthId": p1.to_hex(), "practitioner": "MD10002", "purpose": "emergency"}),
	)
	.await
	.unwrap_err();
	assert_eq!(code, 4000, "an emergency needs a reason");

	// Source removed: the patient keeps only B. A stops serving at once and, after the
	// retention, shreds its keys and revokes its anchors as erased.
	submit(
		&api,
		&k1,
		"Consent",
		"set_sources",
		vec![
			Value::from_bytes(p1.0),
			Value::unnamed_variant(
				"Only",
				vec![Value::unnamed_composite(vec![Value::from_bytes(b"H0002")])],
			),
		],
	)
	.await;
	let peer_a = gw_a.peer_api();
	let (code, msg) = call(
		&peer_a,
		"gateway_serve",
		json!({"healthId": p1.to_hex(), "records": [r1_hash], "attestation": b_attestation, "requester": "H0002"}),
	)
	.await
	.unwrap_err();
	assert_eq!(code, 4041, "{msg}");
	let start = Instant::now();
	loop {
		let status = call(&a, "gateway_status", json!(null)).await.unwrap();
		if status["erased"].as_u64() == Some(3) {
			break;
		}
		assert!(start.elapsed() < PATIENCE, "A never shredded: {status}\n{}", gw_a.log());
		tokio::time::sleep(Duration::from_millis(500)).await;
	}
	assert!(!gw_a.dir.join("store/keys").join(r1_hash.trim_start_matches("0x")).exists());
	// B's fetch no longer offers A's records: they are revoked as erased on chain.
	let start = Instant::now();
	loop {
		let recs =
			node_rpc(&node, "health_records", vec![json!(p1.to_hex()), json!({"finalized": true})])
				.await;
		let erased = recs["entries"]
			.as_array()
			.unwrap()
			.iter()
			.filter(|e| e["entry"]["op"] == "revoke" && e["entry"]["reason"] == "erased")
			.count();
		if erased == 3 {
			break;
		}
		assert!(start.elapsed() < PATIENCE, "A's revocations never finalized: {recs}");
		tokio::time::sleep(Duration::from_millis(500)).await;
	}
	let (code, msg) = call(
		&a,
		"gateway_fetch",
		json!({"healthId": p1.to_hex(), "practitioner": "MD10001", "categories": ["allergy"]}),
	)
	.await
	.unwrap_err();
	assert_eq!(code, 4060, "{msg}");

	// Withdrawal: B stops serving and shreds after the retention; fetches fail clearly.
	submit(&api, &k1, "Consent", "withdraw", vec![Value::from_bytes(p1.0)]).await;
	let (code, msg) =
		call(&a, "gateway_fetch", json!({"healthId": p1.to_hex(), "practitioner": "MD10001"}))
			.await
			.unwrap_err();
	assert_eq!((code, msg.as_str()), (4010, "access denied: withdrawn"));
	let start = Instant::now();
	loop {
		let status = call(&b, "gateway_status", json!(null)).await.unwrap();
		if status["erased"].as_u64() == Some(2) {
			break;
		}
		assert!(start.elapsed() < PATIENCE, "B never shredded: {status}\n{}", gw_b.log());
		tokio::time::sleep(Duration::from_millis(500)).await;
	}
	let (code, msg) = call(
		&peer_b,
		"gateway_serve",
		json!({"healthId": p1.to_hex(), "records": [r2_hash], "attestation": a_attestation, "requester": "H0001"}),
	)
	.await
	.unwrap_err();
	assert_eq!(code, 4041, "{msg}");

	// Structured logs and a clean shutdown.
	for line in gw_b.log().lines() {
		let v: Json = serde_json::from_str(line).unwrap_or_else(|_| panic!("not JSON: {line}"));
		assert!(v["event"].is_string() && v["ts"].is_u64(), "{line}");
	}
	assert!(gw_b.log().contains("\"event\":\"record_shredded\""));
	assert!(gw_a.stop().success());
	assert!(gw_b.stop().success());
	assert!(gw_b.log().contains("\"event\":\"stopped\""));
}
