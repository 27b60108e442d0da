//! Two hospital gateways on loopback against a real development node: identify, put, fetch
//! across hospitals under one-time and per-request consent, the patient's access log, the
//! bulk put CLI, emergency access, and every refused path the gateway issue names.

use healthchain_gateway::vault::{Kek, Store, StoreError};
use healthchain_gateway::wire::{
	EmergencyReason, FetchRequest, FetchResult, IdentifyRequest, LocalApiClient, PeerApiClient,
	PutRequest, ServeRequest,
};
use healthchain_primitives::{
	demo::{test_passport_number, test_patient},
	logs::{AccessBasis, AccessEntry, RecordEntry, RecordOp, RevocationReason},
	DataCategory, HealthId, PermitBasis, Purpose,
};
use healthchain_tests::{
	bundle,
	calls::{self, DeactivationReason},
	dev, http_get, http_post, key, put_request as put, register_test_patient as register,
	rpc::PageParams,
	runtime::{
		self,
		runtime_types::{
			healthchain_runtime::RuntimeCall,
			pallet_participants::{pallet::Call as ParticipantsCall, types::HospitalStatus},
		},
	},
	submit, text, two_gateways, Client, DevIdp, GatewayPrep, GatewayProcess, GatewaySpec,
	HealthRpcClient, Keypair, Node, TokenSpec, TwoGatewayOptions, TwoGateways, DOCTOR_SCOPES,
	PATIENCE, SYSTEM_SCOPES,
};
use jsonrpsee::{
	core::{client::ClientT, ClientError},
	http_client::HttpClient,
	rpc_params,
};
use serde_json::{json, Value as Json};
use sp_core::H256;
use std::time::{Duration, Instant};

/// The code and message of a refused gateway call.
fn refused<T: std::fmt::Debug>(r: Result<T, ClientError>) -> (i32, String) {
	match r {
		Err(ClientError::Call(c)) => (c.code(), c.message().to_string()),
		other => panic!("expected a JSON-RPC error, got {other:?}"),
	}
}

/// A raw call with hand-written JSON, for malformed requests.
async fn raw(client: &HttpClient, method: &str, params: Json) -> Result<Json, ClientError> {
	client.request::<Json, _>(method, rpc_params![params]).await
}

fn fetch(id: HealthId) -> FetchRequest {
	FetchRequest::new(id)
}

fn only(id: HealthId, category: DataCategory) -> FetchRequest {
	FetchRequest { categories: Some(vec![category]), ..fetch(id) }
}

/// Waits for the patient's open request, then answers it as the patient.
async fn answer_request(
	node: &Node,
	client: &Client,
	patient: &Keypair,
	id: HealthId,
	approve: bool,
) {
	let start = Instant::now();
	let request_id = loop {
		if let Some(r) = node.rpc().pending_requests(id).await.unwrap().first() {
			break r.id;
		}
		assert!(start.elapsed() < PATIENCE, "no consent request arrived");
		tokio::time::sleep(Duration::from_millis(500)).await;
	};
	submit(client, patient, &calls::respond(request_id, approve)).await;
}

fn hashes(result: &FetchResult) -> Vec<H256> {
	let mut v: Vec<H256> = result.records.iter().map(|r| r.content_hash).collect();
	v.sort();
	v
}

fn set_hospital_status(code: &str, status: HospitalStatus) -> impl healthchain_tests::Payload {
	runtime::tx().sudo().sudo(RuntimeCall::Participants(ParticipantsCall::set_hospital_status {
		hospital: text(code),
		status,
	}))
}

fn serve(id: HealthId, record: H256, attestation: u64, requester: &str) -> ServeRequest {
	ServeRequest { health_id: id, records: vec![record], attestation, requester: requester.into() }
}

#[tokio::test(flavor = "multi_thread")]
async fn two_hospitals_exchange_records_under_consent() {
	// Hospital A (one-time consent, Dave) and B (per-request, Eve) know each other; A2 is a
	// second gateway of A with an empty directory. One identity provider signs every token.
	let mut options = TwoGatewayOptions::default();
	options.a.identify_per_minute = 4;
	let TwoGateways { node, idp, a: mut gw_a, b: mut gw_b } = two_gateways(options).await;
	let client = node.client().await;
	let rpc = node.rpc();
	let (prep_a2, spec_a2) = (GatewayPrep::new(), GatewaySpec::new("H0001", "//Dave", vec![]));
	let gw_a2 = GatewayProcess::start(&node, prep_a2, spec_a2, &idp).await;
	// Hospital systems (put, identify, status) and doctors (fetch), each with its token.
	let (a, b) = (gw_a.system(), gw_b.system());
	let (doc_a, doc_b, doc_a2) =
		(gw_a.doctor("MD10001"), gw_b.doctor("MD10002"), gw_a2.doctor("MD10001"));

	// Health endpoints: the local API's without a token (load balancers), the peer API's
	// over mutual TLS.
	let (status, body) = http_get(&gw_a.api_addr, "/health").unwrap();
	assert_eq!(status, 200, "{body}");
	assert!(body.contains("\"status\":\"ok\""), "{body}");
	let peer_b = gw_b.peer_api_as(&gw_a.keys_dir());
	assert_eq!(peer_b.peer_health().await.unwrap().hospital, "H0002");

	// Identify: the gateway and the shared primitives agree; checksum errors are clear.
	let p1 = test_patient(1);
	let identify =
		|kind: &str, number: &str| IdentifyRequest { kind: kind.into(), number: number.into() };
	let got = a.identify(identify("passport:THA", &test_passport_number(1))).await.unwrap();
	assert_eq!(got.health_id, p1);
	let (code, msg) = refused(a.identify(identify("thai-citizen", "1101700230709")).await);
	assert_eq!(code, 4000);
	assert!(msg.contains("check digit"), "{msg}");

	// Authentication, tried as raw HTTP on the local API. Each refusal has its status, its
	// JSON-RPC code and a clear message, is logged (never the token), and runs nothing.
	let call = json!({"jsonrpc": "2.0", "id": 1, "method": "gateway_status", "params": []});
	let call = call.to_string();
	let host = gw_a.api_addr.clone();
	let post = |token: Option<&str>, host: &str| {
		let bearer = token.map(|t| format!("Bearer {t}"));
		let headers: Vec<(&str, &str)> =
			bearer.iter().map(|b| ("Authorization", b.as_str())).collect();
		http_post(&gw_a.api_addr, host, &headers, &call).unwrap()
	};
	let his = |spec: TokenSpec| idp.mint(&spec);
	let base = || idp.spec("his-H0001", &SYSTEM_SCOPES, None);
	let expired = his(TokenSpec { valid_for_secs: -300, ..base() });
	let early = his(TokenSpec { not_before_in_secs: 600, ..base() });
	let elsewhere = his(TokenSpec { audience: "another-gateway".into(), ..base() });
	let stranger_issuer = his(TokenSpec { issuer: "https://idp.elsewhere".into(), ..base() });
	let forged = DevIdp::new().mint(&base()); // another key under the same key id
	let good = his(base());
	for (token, message) in [
		(None, "no bearer token"),
		(Some("not-a-jwt"), "malformed token"),
		(Some(expired.as_str()), "token expired"),
		(Some(early.as_str()), "token not yet valid"),
		(Some(elsewhere.as_str()), "token audience is not healthchain-gateway"),
		(Some(stranger_issuer.as_str()), "token issuer is not"),
		(Some(forged.as_str()), "token signature does not verify"),
	] {
		let (status, body) = post(token, &host);
		assert_eq!(status, 401, "{message}: {body}");
		let v: Json = serde_json::from_str(&body).unwrap_or_else(|_| panic!("JSON: {body}"));
		assert_eq!(v["error"]["code"], 4001, "{body}");
		assert!(v["error"]["message"].as_str().unwrap().contains(message), "{message}: {body}");
	}
	let (status, body) = post(Some(&good), &host);
	assert_eq!(status, 200, "{body}");
	assert!(body.contains("\"hospital\":\"H0001\""), "{body}");
	// DNS rebinding: a good token through a foreign Host name is refused.
	let (status, body) = post(Some(&good), "rebind.attacker.example");
	assert_eq!(status, 403, "{body}");
	assert!(body.contains("4004"), "{body}");
	let log = gw_a.log();
	for reason in ["no bearer token", "token expired", "token signature does not verify"] {
		assert!(log.contains(reason), "auth refusals are logged ({reason}):\n{log}");
	}
	for token in [&expired, &forged, &good] {
		assert!(!log.contains(token.as_str()), "a token never reaches the log");
	}
	// Scopes: a hospital system cannot fetch; a doctor cannot put, nor open an emergency
	// access without the emergency scope; a fetch needs the licence claim.
	let (code, msg) = refused(a.fetch(fetch(p1)).await);
	assert_eq!(code, 4003, "{msg}");
	assert!(msg.contains("records.read"), "{msg}");
	let (code, msg) = refused(doc_a.put(put(p1, DataCategory::Allergy, "x")).await);
	assert_eq!(code, 4003, "{msg}");
	assert!(msg.contains("records.write"), "{msg}");
	let no_emergency = gw_a.api_with(&idp.token("dr-MD10001", &["records.read"], Some("MD10001")));
	let emergency = FetchRequest {
		purpose: Some(Purpose::Emergency),
		emergency_reason: Some(EmergencyReason::Unconscious),
		..fetch(p1)
	};
	let (code, msg) = refused(no_emergency.fetch(emergency).await);
	assert_eq!(code, 4003, "{msg}");
	assert!(msg.contains("records.emergency"), "{msg}");
	let no_licence = gw_a.api_with(&idp.token("dr-unknown", &DOCTOR_SCOPES, None));
	let (code, msg) = refused(no_licence.fetch(fetch(p1)).await);
	assert_eq!(code, 4003, "{msg}");
	assert!(msg.contains("licence"), "{msg}");
	// The practitioner is the token's, never the request's.
	let spoofed = json!({"healthId": p1.to_hex(), "practitioner": "MD10002"});
	assert_eq!(refused(raw(&doc_a, "gateway_fetch", spoofed).await).0, -32602);
	// Identify is rate-limited per caller (A allows 4 a minute; two were used above), and
	// logged without the number.
	let passport = test_passport_number(1);
	for _ in 0..2 {
		a.identify(identify("passport:THA", &passport)).await.unwrap();
	}
	let (code, msg) = refused(a.identify(identify("passport:THA", &passport)).await);
	assert_eq!(code, 4029, "{msg}");
	let other_caller = gw_a.api_with(&idp.token("his-H0001-lab", &SYSTEM_SCOPES, None));
	assert_eq!(
		other_caller.identify(identify("passport:THA", &passport)).await.unwrap().health_id,
		p1
	);
	let log = gw_a.log();
	assert!(log.contains("\"event\":\"identify\""), "{log}");
	assert!(!log.contains(&passport), "a document number never reaches the log");

	// A registrar registers two patients.
	let (k1, k2) = (key("//HcPatient1"), key("//HcPatient2"));
	let p2 = test_patient(2);
	register(&client, 1, &k1).await;
	register(&client, 2, &k2).await;

	// Not enrolled: the anchor is refused and nothing stays in A's store; fetch is denied.
	let (code, msg) = refused(a.put(put(p2, DataCategory::Allergy, "x")).await);
	assert_eq!(code, 4020);
	assert!(msg.contains("NotEnrolled"), "{msg}");
	let blobs = std::fs::read_dir(gw_a.dir.join("store/blobs")).unwrap().count();
	assert_eq!(blobs, 0, "a refused anchor leaves nothing behind");
	let (code, msg) = refused(doc_b.fetch(fetch(p2)).await);
	assert_eq!((code, msg.as_str()), (4010, "access denied: notEnrolled"));

	// Malformed requests (raw JSON on purpose): clear errors, nothing stored.
	let p1_hex = p1.to_hex();
	let bad_id = json!({"healthId": "0x12", "category": "allergy", "bundle": bundle("x")});
	assert_eq!(refused(raw(&a, "gateway_put", bad_id).await).0, -32602);
	let bad_cat = json!({"healthId": p1_hex, "category": "gossip", "bundle": {}});
	assert_eq!(refused(raw(&a, "gateway_put", bad_cat).await).0, -32602);
	let not_bundle = PutRequest {
		bundle: json!({"resourceType": "Patient"}),
		..put(p1, DataCategory::Allergy, "x")
	};
	let (code, msg) = refused(a.put(not_bundle).await);
	assert_eq!(code, 4000, "{msg}");

	// The patient enrols; A and B each put a record.
	submit(&client, &k1, &calls::enrol(p1, calls::all_sources())).await;
	let (r1, r2) = tokio::join!(
		a.put(put(p1, DataCategory::Allergy, "penicillin allergy")),
		b.put(put(p1, DataCategory::Diagnosis, "type 2 diabetes")),
	);
	let (r1_hash, r2_hash) = (r1.unwrap().content_hash, r2.unwrap().content_hash);

	// Bulk put of a directory with the CLI, with progress.
	let bulk = tempfile::tempdir().unwrap();
	for (i, t) in ["metformin 500 mg", "atorvastatin 20 mg"].iter().enumerate() {
		std::fs::write(bulk.path().join(format!("med-{i}.json")), bundle(t).to_string()).unwrap();
	}
	std::fs::write(bulk.path().join("notes.txt"), "ignored").unwrap();
	let his_token = idp.token("his-H0001", &SYSTEM_SCOPES, None);
	let out = std::process::Command::new(healthchain_tests::gateway_binary())
		.args(["put", "--token", &his_token, &gw_a.api_url, &p1_hex, "medication"])
		.arg(bulk.path())
		.output()
		.unwrap();
	let progress = String::from_utf8_lossy(&out.stderr).to_string();
	assert!(out.status.success(), "{progress}");
	assert!(progress.contains("[1/2] med-0.json: anchored 0x"), "{progress}");
	assert!(progress.contains("[2/2] med-1.json: anchored 0x"), "{progress}");
	assert!(progress.contains("2 anchored, 0 failed, of 2"), "{progress}");

	// Hospital A's doctor (one-time consent): A's own records and B's, checked and decrypted.
	let fetched = doc_a.fetch(fetch(p1)).await.unwrap_or_else(|e| {
		panic!("fetch at A: {e:?}\nA log:\n{}\nB log:\n{}", gw_a.log(), gw_b.log())
	});
	assert_eq!(fetched.basis, PermitBasis::Enrolment);
	assert_eq!(fetched.records.len(), 4, "{fetched:?}");
	let from_b = fetched.records.iter().find(|r| r.source == "H0002").expect("B's record");
	assert_eq!(from_b.content_hash, r2_hash);
	assert_eq!(from_b.bundle, bundle("type 2 diabetes"));
	let a_attestation = fetched.attestation;

	// Hospital B's doctor (per-request): the patient approves in front of the doctor.
	let fetch_b = {
		let b = doc_b.clone();
		tokio::spawn(async move { b.fetch(fetch(p1)).await })
	};
	answer_request(&node, &client, &k1, p1, true).await;
	let fetched_b =
		fetch_b.await.unwrap().unwrap_or_else(|e| panic!("fetch at B: {e:?}\n{}", gw_b.log()));
	assert_eq!(fetched_b.basis, PermitBasis::Grant);
	assert_eq!(hashes(&fetched_b), hashes(&fetched));
	let r1_at_b = fetched_b.records.iter().find(|r| r.content_hash == r1_hash).unwrap();
	assert_eq!(r1_at_b.bundle, bundle("penicillin allergy"));
	let b_attestation = fetched_b.attestation;

	// The patient's access log shows both accesses, B's the newest, naming the records.
	let log = rpc.access_log(p1, None).await.unwrap();
	assert_eq!(log.count, 2);
	let entries = log.verified::<AccessEntry>(log.head).expect("the access log verifies");
	let (index, newest) = &entries[0];
	assert_eq!(*index, b_attestation);
	assert_eq!(newest.hospital.to_vec(), b"H0002".to_vec());
	assert_eq!(newest.practitioner.to_vec(), b"MD10002".to_vec());
	assert!(matches!(newest.basis, AccessBasis::Grant(_)));
	assert!(newest.records.contains(&r1_hash));
	assert_eq!(entries[1].1.hospital.to_vec(), b"H0001".to_vec());

	// Per-request refused: the patient revokes the grant, then refuses the new request.
	let revoke = calls::revoke_grant(p1, "H0002", "MD10002");
	submit(&client, &k1, &revoke).await;
	let fetch_b = {
		let b = doc_b.clone();
		tokio::spawn(async move { b.fetch(fetch(p1)).await })
	};
	answer_request(&node, &client, &k1, p1, false).await;
	let (code, msg) = refused(fetch_b.await.unwrap());
	assert_eq!(code, 4011, "{msg}");

	// Expired grant: a 1 ms grant has lapsed by the time the attestation is in a block.
	let fetch_b = {
		let b = doc_b.clone();
		tokio::spawn(
			async move { b.fetch(FetchRequest { grant_for_ms: Some(1), ..fetch(p1) }).await },
		)
	};
	answer_request(&node, &client, &k1, p1, true).await;
	let (code, msg) = refused(fetch_b.await.unwrap());
	assert_eq!(code, 4013, "{msg}");
	assert!(msg.contains("expired"), "{msg}");

	// Tampered ciphertext at the source: detected, nothing shown.
	let blob = gw_b.dir.join("store/blobs").join(hex::encode(r2_hash));
	let original = std::fs::read(&blob).unwrap();
	let mut tampered = original.clone();
	tampered[40] ^= 0x55;
	std::fs::write(&blob, &tampered).unwrap();
	let (code, msg) = refused(doc_a.fetch(only(p1, DataCategory::Diagnosis)).await);
	assert_eq!(code, 4050, "{msg}");
	assert!(msg.contains("hash"), "{msg}");
	std::fs::write(&blob, &original).unwrap();

	// An attestation replayed for another record, and a TLS peer asking in another
	// hospital's name.
	let r5 = b.put(put(p1, DataCategory::Diagnosis, "hypertension")).await.unwrap();
	let (code, msg) =
		refused(peer_b.serve(serve(p1, r5.content_hash, a_attestation, "H0001")).await);
	assert_eq!(code, 4040, "{msg}");
	assert!(msg.contains("does not name record"), "{msg}");
	let (code, msg) = refused(peer_b.serve(serve(p1, r2_hash, a_attestation, "H0099")).await);
	assert_eq!(code, 4030, "{msg}");
	let (code, msg) = refused(raw(&peer_b, "gateway_serve", json!({"healthId": "zz"})).await);
	assert_eq!(code, -32602, "{msg}");

	// The chain's source rule decides serving. B suspended by the operators: B refuses to
	// serve (its records stay: a suspension is not the patient's choice); reinstated, it
	// serves again.
	submit(&client, &dev::alice(), &set_hospital_status("H0002", HospitalStatus::Suspended)).await;
	let (code, msg) = refused(peer_b.serve(serve(p1, r2_hash, a_attestation, "H0001")).await);
	assert_eq!(code, 4041, "{msg}");
	assert!(msg.contains("hospitalSuspended"), "{msg}");
	submit(&client, &dev::alice(), &set_hospital_status("H0002", HospitalStatus::Active)).await;
	let sealed = peer_b.serve(serve(p1, r2_hash, a_attestation, "H0001")).await;
	assert!(sealed.is_ok(), "B serves again once active: {sealed:?}\n{}", gw_b.log());

	// A record revoked after it was attested is not served on that attestation: the source
	// checks the finalized record log again (4044).
	let r7 =
		b.put(put(p1, DataCategory::Diagnosis, "entered for the wrong patient")).await.unwrap();
	let r7_fetch = doc_a.fetch(only(p1, DataCategory::Diagnosis)).await.unwrap();
	assert!(hashes(&r7_fetch).contains(&r7.content_hash));
	let revoke = calls::revoke(p1, r7.content_hash, RevocationReason::EnteredInError);
	submit(&client, &dev::eve(), &revoke).await;
	let (code, msg) =
		refused(peer_b.serve(serve(p1, r7.content_hash, r7_fetch.attestation, "H0001")).await);
	assert_eq!(code, 4044, "{msg}");
	assert!(msg.contains("no longer live"), "{msg}");

	// A deactivated health ID: the second patient enrols, B holds a record, A's doctor
	// fetches it; the registrar deactivates the ID; B refuses to serve on A's attestation.
	submit(&client, &k2, &calls::enrol(p2, calls::all_sources())).await;
	let r6 = b.put(put(p2, DataCategory::Visit, "follow-up visit")).await.unwrap();
	let p2_fetch = doc_a.fetch(only(p2, DataCategory::Visit)).await.unwrap();
	assert_eq!(hashes(&p2_fetch), vec![r6.content_hash]);
	let deactivate = calls::deactivate(p2, DeactivationReason::Other);
	submit(&client, &dev::ferdie(), &deactivate).await;
	let request = serve(p2, r6.content_hash, p2_fetch.attestation, "H0001");
	let (code, msg) = refused(peer_b.serve(request).await);
	assert_eq!(code, 4041, "{msg}");
	assert!(msg.contains("patientDeactivated"), "{msg}");

	// The requester's directory lacks the source: a clear error before any attestation.
	let (code, msg) = refused(doc_a2.fetch(only(p1, DataCategory::Diagnosis)).await);
	assert_eq!(code, 4030, "{msg}");
	assert!(msg.contains("unknown peer gateway H0002"), "{msg}");

	// Emergency access: same path, emergency purpose, no patient answer needed.
	let emergency_fetch = FetchRequest {
		purpose: Some(Purpose::Emergency),
		emergency_reason: Some(EmergencyReason::Unconscious),
		..fetch(p1)
	};
	let emergency = doc_b
		.fetch(emergency_fetch.clone())
		.await
		.unwrap_or_else(|e| panic!("emergency fetch: {e:?}\n{}", gw_b.log()));
	assert_eq!(emergency.basis, PermitBasis::Emergency);
	assert!(hashes(&emergency).contains(&r1_hash));
	let no_reason = FetchRequest { emergency_reason: None, ..emergency_fetch };
	let (code, _) = refused(doc_b.fetch(no_reason).await);
	assert_eq!(code, 4000, "an emergency needs a reason");

	// Source removed: the patient keeps only B. A stops serving at once and, after the
	// retention, shreds its keys and revokes its anchors as erased.
	let only_b = calls::only_sources(&["H0002"]);
	submit(&client, &k1, &calls::set_sources(p1, only_b)).await;
	let peer_a = gw_a.peer_api_as(&gw_b.keys_dir());
	let (code, msg) = refused(peer_a.serve(serve(p1, r1_hash, b_attestation, "H0002")).await);
	assert_eq!(code, 4041, "{msg}");
	let start = Instant::now();
	loop {
		let status = a.status().await.unwrap();
		if status.erased == 3 {
			break;
		}
		assert!(start.elapsed() < PATIENCE, "A never shredded: {status:?}\n{}", gw_a.log());
		tokio::time::sleep(Duration::from_millis(500)).await;
	}
	// B's fetch no longer offers A's records: they are revoked as erased on chain.
	let start = Instant::now();
	loop {
		let at_final = Some(PageParams { finalized: true, ..Default::default() });
		let recs = rpc.records(p1, at_final).await.unwrap();
		let entries = recs.verified::<RecordEntry>(recs.head).expect("the record log verifies");
		let erased = entries
			.iter()
			.filter(|(_, e)| {
				matches!(e.op, RecordOp::Revoke { reason: RevocationReason::Erased, .. })
			})
			.count();
		if erased == 3 {
			break;
		}
		assert!(start.elapsed() < PATIENCE, "A's revocations never finalized: {recs:?}");
		tokio::time::sleep(Duration::from_millis(500)).await;
	}
	let (code, msg) = refused(doc_a.fetch(only(p1, DataCategory::Allergy)).await);
	assert_eq!(code, 4060, "{msg}");

	// Withdrawal: B stops serving and shreds after the retention; fetches fail clearly. B
	// erases only p1's three records (the revoked one too): p2's (deactivated, not
	// withdrawn) stays.
	submit(&client, &k1, &calls::withdraw(p1)).await;
	let (code, msg) = refused(doc_a.fetch(fetch(p1)).await);
	assert_eq!((code, msg.as_str()), (4010, "access denied: withdrawn"));
	let start = Instant::now();
	loop {
		let status = b.status().await.unwrap();
		if status.erased == 3 {
			break;
		}
		assert!(start.elapsed() < PATIENCE, "B never shredded: {status:?}\n{}", gw_b.log());
		tokio::time::sleep(Duration::from_millis(500)).await;
	}
	let (code, msg) = refused(peer_b.serve(serve(p1, r2_hash, a_attestation, "H0001")).await);
	assert_eq!(code, 4041, "{msg}");
	tokio::time::sleep(Duration::from_secs(6)).await; // past B's retention once more
	let status = b.status().await.unwrap();
	assert_eq!(status.erased, 3, "the deactivated patient's record is kept: {status:?}");

	// Structured logs and a clean shutdown.
	for line in gw_b.log().lines() {
		let v: Json = serde_json::from_str(line).unwrap_or_else(|_| panic!("not JSON: {line}"));
		assert!(v["event"].is_string() && v["ts"].is_u64(), "{line}");
	}
	assert!(gw_b.log().contains("\"event\":\"record_shredded\""));
	assert!(gw_a.stop().success());
	assert!(gw_b.stop().success());
	assert!(gw_b.log().contains("\"event\":\"stopped\""));

	// The stores, opened with their key-encryption keys: A's shredded key is gone, B kept
	// the deactivated patient's; neither store opens without its KEK.
	let open = |gw: &GatewayProcess| {
		let kek = Kek::load(Some(&gw.keys_dir().join("kek.key")), "HC_TEST_UNSET_KEK").unwrap();
		Store::open(&gw.dir.join("store"), kek).unwrap()
	};
	let (store_a, store_b) = (open(&gw_a), open(&gw_b));
	assert!(matches!(store_a.key(&r1_hash.0), Err(StoreError::Erased(_))));
	assert!(store_b.key(&r6.content_hash.0).is_ok());
	drop(store_a);
	let wrong = Store::open(&gw_a.dir.join("store"), Kek::from_bytes([9; 32]));
	assert!(matches!(wrong, Err(StoreError::WrongKek)));
}

/// The gateway's command line is clap's: `--help` and `--version` work, each subcommand
/// documents itself, and a bad argument gets a clear error and exit code 2.
#[test]
fn the_command_line_documents_itself_and_refuses_bad_arguments() {
	let run = |args: &[&str]| {
		let out = std::process::Command::new(healthchain_tests::gateway_binary())
			.args(args)
			.output()
			.expect("the gateway binary runs");
		let text = String::from_utf8_lossy(&out.stdout).to_string()
			+ &String::from_utf8_lossy(&out.stderr);
		(out.status.code(), text)
	};
	let (code, help) = run(&["--help"]);
	assert_eq!(code, Some(0), "{help}");
	for sub in ["run", "identify", "keygen", "put", "fetch", "patient"] {
		assert!(help.contains(sub), "--help lists {sub}: {help}");
	}
	let (code, version) = run(&["--version"]);
	assert_eq!(code, Some(0));
	assert!(version.contains(env!("CARGO_PKG_VERSION")), "{version}");
	let (code, fetch_help) = run(&["fetch", "--help"]);
	assert_eq!(code, Some(0));
	assert!(
		fetch_help.contains("--emergency") && fetch_help.contains("unconscious"),
		"{fetch_help}"
	);
	let (code, text) =
		run(&["put", "--token", "t", "http://127.0.0.1:1", "0x12", "allergy", "x.json"]);
	assert_eq!(code, Some(2), "{text}");
	assert!(text.contains("hex digits"), "a health ID that is not 32 bytes is named: {text}");
	let id = HealthId([1; 32]).to_hex();
	let (code, text) = run(&["put", "--token", "t", "http://127.0.0.1:1", &id, "gossip", "x.json"]);
	assert_eq!(code, Some(2), "{text}");
	assert!(text.contains("unknown category"), "{text}");
	// A put or fetch without a token is refused before anything is sent.
	let (code, text) = run(&["fetch", "http://127.0.0.1:1", &id]);
	assert_eq!(code, Some(2), "{text}");
	assert!(text.contains("--token"), "{text}");
	// keygen writes secrets 0600 and never overwrites a key file.
	use std::os::unix::fs::PermissionsExt;
	let dir = tempfile::tempdir().unwrap();
	let keys = dir.path().join("keys");
	let keys_arg = keys.to_str().unwrap();
	let (code, text) = run(&["keygen", keys_arg, "--name", "H0001"]);
	assert_eq!(code, Some(0), "{text}");
	assert!(text.contains("certSha256") && text.contains("exchangeKey"), "{text}");
	for secret in ["exchange.key", "tls.key", "kek.key"] {
		let mode = std::fs::metadata(keys.join(secret)).unwrap().permissions().mode();
		assert_eq!(mode & 0o777, 0o600, "{secret} is private");
	}
	let before = std::fs::read(keys.join("tls.key")).unwrap();
	let (code, text) = run(&["keygen", keys_arg]);
	assert_eq!(code, Some(1), "{text}");
	assert!(text.contains("never overwritten"), "{text}");
	assert_eq!(std::fs::read(keys.join("tls.key")).unwrap(), before);
	// A development identity provider and its tokens, for the walkthrough.
	let (idp_key, jwks) = (dir.path().join("idp.key"), dir.path().join("jwks.json"));
	let (code, text) = run(&["idp-keygen", idp_key.to_str().unwrap(), jwks.to_str().unwrap()]);
	assert_eq!(code, Some(0), "{text}");
	let (code, token) = run(&[
		"token",
		idp_key.to_str().unwrap(),
		"--issuer",
		"https://idp",
		"--audience",
		"gw",
		"--subject",
		"dr-1",
		"--scope",
		"records.read",
		"--licence",
		"MD10001",
	]);
	assert_eq!(code, Some(0), "{token}");
	assert_eq!(token.trim().split('.').count(), 3, "a compact JWT: {token}");
}
