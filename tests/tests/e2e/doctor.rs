//! The doctor's side (issue 31) against two real gateways and a development node: the
//! doctor's own calls (`gateway_me`, `gateway_acceptTerms`, `gateway_patient`,
//! `gateway_myAccesses`) answer what the chain says and refuse in words; the gateway serves
//! the doctor app, its `config.json` and CORS for the configured origins only; and, in
//! headless Chromium, a doctor signs in at a real OpenID provider (`apps/idp`, npm
//! `oidc-provider`) and uses the doctor app (`apps/e2e/doctor.mjs`), and a SMART app launches
//! standalone with SMART's own client (npm `fhirclient`). A fetch under attestation load (the
//! short version of `healthchain-doctor-bench`'s loaded run) is attested and served, and the
//! load's every attestation finalized.

use healthchain_gateway::wire::{
	EmergencyReason, FetchRequest, LocalApiClient, MeAnswer, MyAccessesRequest, PatientRequest,
	ReviewState,
};
use healthchain_primitives::{demo, ConsentPolicy, DataCategory, HealthId, PermitBasis, Purpose};
use healthchain_tests::{
	calls::{self, Review},
	http_exchange, http_get, key,
	load::{self, PacedLoad},
	put_request as put, submit, two_gateways, Keypair, TwoGatewayOptions, TwoGateways,
	DOCTOR_SCOPES,
};
use jsonrpsee::core::ClientError;
use serde_json::Value as Json;

/// The code and message of a refused gateway call.
fn refused<T: std::fmt::Debug>(r: Result<T, ClientError>) -> (i32, String) {
	match r {
		Err(ClientError::Call(c)) => (c.code(), c.message().to_string()),
		other => panic!("expected a JSON-RPC error, got {other:?}"),
	}
}

#[tokio::test(flavor = "multi_thread")]
async fn the_doctors_calls_answer_what_the_chain_says() {
	let app = tempfile::tempdir().unwrap();
	for dir in ["doctor", "assets"] {
		std::fs::create_dir_all(app.path().join(dir)).unwrap();
	}
	std::fs::write(app.path().join("doctor/index.html"), "<title>doctor</title>").unwrap();
	std::fs::write(app.path().join("assets/app.js"), "export {};").unwrap();
	std::fs::write(app.path().join("secret.txt"), "never served").unwrap();
	let mut options = TwoGatewayOptions::default();
	options.b.doctor_app = Some(app.path().to_path_buf());
	options.b.allowed_origins = vec!["http://127.0.0.1:5999".into()];
	let TwoGateways { node, idp, a: gw_a, b: gw_b } = two_gateways(options).await;
	let client = node.client().await;
	let patient = demo::demo_patient();
	submit(&client, &key("//Two"), &calls::enrol(patient, calls::all_sources())).await;
	gw_a.system().put(put(patient, DataCategory::Allergy, "penicillin")).await.unwrap();

	// A new doctor at B: licensed by the licensing authority, affiliated by B's gateway, and
	// not past the exchange's terms: the chain says so, and no fetch until they accept.
	submit(&client, &key("//One"), &calls::license_practitioner("MD10003")).await;
	submit(&client, &key("//Eve"), &calls::affiliate_practitioner("MD10003")).await;
	let new_doctor = gw_b.doctor("MD10003");
	let me = new_doctor.me().await.unwrap();
	assert_eq!(
		me,
		MeAnswer {
			licence: "MD10003".into(),
			hospital: "H0002".into(),
			hospital_name: "Demo Hospital B (per-request consent)".into(),
			policy: ConsentPolicy::PerRequest,
			licensed: true,
			affiliated: true,
			terms_accepted: false,
		}
	);
	let (code, msg) = refused(new_doctor.fetch(FetchRequest::new(patient)).await);
	assert_eq!((code, msg.contains("termsNotAccepted")), (4010, true), "{msg}");
	let (code, msg) = refused(new_doctor.patient(PatientRequest { health_id: patient }).await);
	assert_eq!((code, msg.contains("termsNotAccepted")), (4010, true), "{msg}");
	let terms = new_doctor.accept_terms().await.unwrap();
	assert!(terms.block > 0);
	assert!(new_doctor.me().await.unwrap().terms_accepted, "recorded on chain");
	let (code, msg) = refused(new_doctor.accept_terms().await);
	assert_eq!((code, msg.contains("already accepted")), (4000, true), "{msg}");
	// A's doctor is not B's: B says so and cannot accept the terms for them.
	let stranger = gw_b.doctor("MD10001");
	assert!(!stranger.me().await.unwrap().affiliated);
	let (code, msg) = refused(stranger.accept_terms().await);
	assert_eq!((code, msg.contains("notAffiliated")), (4010, true), "{msg}");
	// No licence claim, or a hospital system's token: refused in words.
	let nurse = gw_b.api_with(&idp.token("nurse-1", &DOCTOR_SCOPES, None));
	let (code, msg) = refused(nurse.me().await);
	assert_eq!((code, msg.contains("licence claim")), (4003, true), "{msg}");
	let (code, msg) = refused(gw_b.system().patient(PatientRequest { health_id: patient }).await);
	assert_eq!((code, msg.contains("records.read")), (4003, true), "{msg}");

	// The patient before a fetch, as B's doctor sees it.
	let doctor_b = gw_b.doctor("MD10002");
	let seen = doctor_b.patient(PatientRequest { health_id: patient }).await.unwrap();
	assert!(seen.enrolled && !seen.sensitive_opt_in);
	assert_eq!(seen.policy, ConsentPolicy::PerRequest);
	assert!(seen.grants.is_empty() && seen.pending.is_empty() && seen.emergency.is_none());
	let stranger_patient = demo::demo_migrant();
	let seen = doctor_b.patient(PatientRequest { health_id: stranger_patient }).await.unwrap();
	assert!(!seen.enrolled, "the migrant demo patient never enrolled");

	// A's doctor fetches under the one-time consent: their own list shows it as the chain
	// records it.
	// (B holds a record of the patient too: the fetch asks both sources, at once.)
	gw_b.system().put(put(patient, DataCategory::Diagnosis, "asthma")).await.unwrap();
	let doctor_a = gw_a.doctor("MD10001");
	let fetched = doctor_a.fetch(FetchRequest::new(patient)).await.unwrap();
	let t = &fetched.timings;
	let sources: Vec<&str> = t.sources.iter().map(|s| s.source.as_str()).collect();
	assert_eq!(sources, ["H0001", "H0002"], "each source's part is reported: {t:?}");
	assert!(t.total_ms >= t.permit_ms + t.select_ms + t.attest_ms + t.collect_ms, "{t:?}");
	assert!(t.after_answer_ms.is_none(), "the one-time hospital asked nobody");
	let mine = doctor_a.my_accesses(None).await.unwrap();
	assert_eq!(mine.len(), 1, "{mine:?}");
	assert_eq!(mine[0].index, fetched.attestation);
	assert_eq!(mine[0].basis, PermitBasis::Enrolment);
	let both = vec![DataCategory::Allergy, DataCategory::Diagnosis];
	assert_eq!((mine[0].categories.clone(), mine[0].records), (both, 2));
	assert!(mine[0].emergency.is_none());

	// B's doctor opens an emergency access: the patient view shows its time box, their list
	// shows it pending review, then the licensing authority's verdict.
	let emergency = FetchRequest {
		purpose: Some(Purpose::Emergency),
		emergency_reason: Some(EmergencyReason::Unconscious),
		..FetchRequest::new(patient)
	};
	assert_eq!(doctor_b.fetch(emergency).await.unwrap().basis, PermitBasis::Emergency);
	let seen = doctor_b.patient(PatientRequest { health_id: patient }).await.unwrap();
	let open = seen.emergency.expect("the doctor's emergency access");
	assert_eq!((open.reason, open.review), (EmergencyReason::Unconscious, ReviewState::Pending));
	assert!(open.expires_at > open.opened_at);
	let mine = doctor_b.my_accesses(Some(MyAccessesRequest { limit: Some(5) })).await.unwrap();
	assert_eq!(mine.len(), 1, "{mine:?}");
	assert_eq!(mine[0].basis, PermitBasis::Emergency);
	assert_eq!(mine[0].emergency.map(|e| e.emergency_id), Some(open.emergency_id));
	// One transaction (issue 34): the emergency access opened in the attestation's block.
	assert_eq!(mine[0].at, open.opened_at, "opened and attested at the same block time");
	let review = calls::review_emergency_access(open.emergency_id, Review::Justified);
	submit(&client, &key("//One"), &review).await;
	let mine = doctor_b.my_accesses(None).await.unwrap();
	assert_eq!(mine[0].emergency.map(|e| e.review), Some(ReviewState::Justified));
	assert_eq!(doctor_a.my_accesses(None).await.unwrap().len(), 1, "each doctor sees their own");
	for bad in [0, 51] {
		let (code, msg) =
			refused(doctor_b.my_accesses(Some(MyAccessesRequest { limit: Some(bad) })).await);
		assert_eq!((code, msg.contains("limit")), (4000, true), "{msg}");
	}

	// What B serves without a token: the doctor app and its configuration, nothing else.
	let (status, body) = http_get(&gw_b.api_addr, "/doctor/").unwrap();
	assert_eq!((status, body.as_str()), (200, "<title>doctor</title>"));
	assert_eq!(http_get(&gw_b.api_addr, "/assets/app.js").unwrap().0, 200);
	for path in ["/doctor/../secret.txt", "/secret.txt", "/doctor/.hidden"] {
		let (status, _) = http_get(&gw_b.api_addr, path).unwrap();
		assert_ne!(status, 200, "{path} is not served");
	}
	let (status, body) = http_get(&gw_b.api_addr, "/config.json").unwrap();
	assert_eq!(status, 200, "{body}");
	let config: Json = serde_json::from_str(&body).unwrap();
	assert_eq!(config["doctor"]["clientId"], "doctor-app");
	assert_eq!(config["doctor"]["gateways"][0]["hospital"], "H0002");
	assert_eq!(config["doctor"]["gateways"][0]["url"], gw_b.api_url.as_str());
	assert_eq!(http_get(&gw_a.api_addr, "/doctor/").unwrap().0, 404, "A serves no app");
	let smart = "/fhir/.well-known/smart-configuration";
	let (status, body) = http_get(&gw_b.api_addr, smart).unwrap();
	assert_eq!(status, 404, "no authorization endpoints configured: {body}");
	assert!(body.contains("not configured"), "{body}");

	// CORS: the configured origin's preflight is answered; another origin gets no grant.
	let preflight = |origin: &str| {
		http_exchange(
			&gw_b.api_addr,
			&format!(
				"OPTIONS / HTTP/1.1\r\nHost: {}\r\nOrigin: {origin}\r\n\
				 Access-Control-Request-Method: POST\r\n\
				 Access-Control-Request-Headers: authorization, content-type\r\n",
				gw_b.api_addr
			),
		)
		.unwrap()
	};
	let (status, headers, _) = preflight("http://127.0.0.1:5999");
	assert_eq!(status, 200, "{headers}");
	assert!(headers.contains("access-control-allow-origin: http://127.0.0.1:5999"), "{headers}");
	assert!(headers.contains("authorization"), "{headers}");
	let (_, headers, _) = preflight("http://evil.example");
	assert!(!headers.contains("access-control-allow-origin"), "{headers}");

	// Under attestation load: two more gateways of A's hospital attest at a steady pace while
	// A's doctor fetches. The fetch is attested and served from both sources; every
	// attestation offered is finalized, none refused.
	let gateways: Vec<Keypair> = (1..=2).map(|i| key(&format!("//LoadGateway{i}"))).collect();
	load::add_gateways(&client, &gateways).await;
	let load_patients: Vec<(Keypair, HealthId)> = (0..4u32)
		.map(|i| (key(&format!("//LoadPatient{i}")), demo::test_patient(9_000 + i)))
		.collect();
	load::enrol_patients(&client, &key("//Ferdie"), &load_patients).await;
	let ids: Vec<HealthId> = load_patients.iter().map(|(_, id)| *id).collect();
	load::anchor_records(&client, &gateways[0], &ids).await;
	let paced = PacedLoad::start(&client, &node.ws_url(), gateways, ids.clone(), 20.0).await;
	let before = doctor_a.my_accesses(None).await.unwrap().len();
	let fetched = doctor_a.fetch(FetchRequest::new(patient)).await.unwrap();
	assert_eq!(fetched.records.len(), 2, "both sources served under load");
	let tally = paced.stop().await;
	assert_eq!(doctor_a.my_accesses(None).await.unwrap().len(), before + 1, "attested");
	assert!(tally.submitted > 0 && tally.refused == 0, "{tally:?}");
	let rpc = node.rpc();
	let mut finalized = 0;
	for _ in 0..30 {
		finalized = load::finalized_attestations(&rpc, &ids).await;
		if finalized == tally.submitted {
			break;
		}
		tokio::time::sleep(std::time::Duration::from_secs(1)).await;
	}
	assert_eq!(finalized, tally.submitted, "every offered attestation is finalized");
}

/// The browser story (`apps/e2e/doctor.mjs`): the gateways serve the doctor app and trust a
/// real OpenID provider whose tokens name each gateway's FHIR base as their audience; the
/// SMART test page is served by the script on `smart_port`, an origin the gateways allow.
#[tokio::test(flavor = "multi_thread")]
async fn a_doctor_signs_in_and_reads_records_in_a_real_browser() {
	use healthchain_primitives::logs::{AccessBasis, AccessEntry};
	use healthchain_tests::{
		free_port,
		oidc::{apps_dir, run_browser_story, OidcProvider},
		rpc::PageParams,
		GatewayPrep, HealthRpcClient, Node, NodeConfig,
	};
	let apps = apps_dir();
	assert!(
		apps.join("dist/doctor/index.html").is_file(),
		"apps/dist is not built: run ./scripts/test (it runs npm ci and builds the apps)"
	);
	let node = Node::start(NodeConfig::dev()).await;
	node.wait_finalized(1).await;
	let (prep_a, prep_b) = (GatewayPrep::new(), GatewayPrep::new());
	let urls = [&prep_a, &prep_b].map(|p| format!("http://127.0.0.1:{}", p.api_port));
	let smart_port = free_port();
	let smart_origin = format!("http://127.0.0.1:{smart_port}");
	let resources: Vec<String> = urls.iter().map(|u| format!("{u}/fhir")).collect();
	let redirects: Vec<String> = urls
		.iter()
		.map(|u| format!("{u}/doctor/"))
		.chain([format!("{smart_origin}/smart/")])
		.collect();
	let idp = OidcProvider::start(&resources, &redirects);
	let mut options = TwoGatewayOptions { node: Some(node), ..Default::default() };
	options.preps = Some((prep_a, prep_b));
	for spec in [&mut options.a, &mut options.b] {
		spec.oidc = Some(idp.trust.clone());
		spec.doctor_app = Some(apps.join("dist"));
		spec.allowed_origins = vec![smart_origin.clone()];
	}
	let TwoGateways { node, a: gw_a, b: gw_b, .. } = two_gateways(options).await;

	// SMART discovery names the provider, as a SMART client reads it.
	let (status, body) = http_get(&gw_b.api_addr, "/fhir/.well-known/smart-configuration").unwrap();
	assert_eq!(status, 200, "{body}");
	let smart: Json = serde_json::from_str(&body).unwrap();
	assert_eq!(smart["issuer"], idp.trust.issuer.as_str());
	assert_eq!(smart["token_endpoint"], idp.trust.token_endpoint.as_str());
	assert_eq!(smart["code_challenge_methods_supported"][0], "S256");

	let screenshots =
		std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("doctor-screenshots");
	let run = run_browser_story(
		"e2e/doctor.mjs",
		&screenshots,
		&[
			("HEALTHCHAIN_WS", node.ws_url()),
			("HEALTHCHAIN_GATEWAY_A", gw_a.api_url.clone()),
			("HEALTHCHAIN_GATEWAY_B", gw_b.api_url.clone()),
			("HEALTHCHAIN_IDP", idp.trust.issuer.clone()),
			("HEALTHCHAIN_SMART_PORT", smart_port.to_string()),
		],
	);
	assert!(
		run.passed,
		"the doctor browser test failed ({:?}):\n{}\n{}\ngateway B log:\n{}\nprovider log:\n{}",
		run.status,
		run.stdout,
		run.stderr,
		healthchain_tests::tail(&gw_b.log(), 40),
		healthchain_tests::tail(&idp.log(), 20),
	);
	let shots = std::fs::read_dir(&screenshots).expect("screenshots written").count();
	assert!(shots >= 10, "{shots} screenshots in {}", screenshots.display());
	println!("screenshots: {}", screenshots.display());

	// The chain agrees with what the pages showed: the new doctor accepted the terms, and
	// the patient's log holds the grant access at B, the direct one at A and B's emergency.
	let rpc = node.rpc();
	let new_doctor = rpc.practitioner("MD10003".into()).await.unwrap().expect("MD10003");
	assert!(new_doctor.terms_accepted, "accepted in the app");
	let patient = demo::demo_patient();
	let log = rpc.access_log(patient, Some(PageParams::default())).await.unwrap();
	let entries = log.verified::<AccessEntry>(log.head).expect("the access log verifies");
	let bases: Vec<(Vec<u8>, Vec<u8>, bool)> = entries
		.iter()
		.map(|(_, e)| {
			let kind = matches!(e.basis, AccessBasis::Emergency(_));
			(e.hospital.to_vec(), e.practitioner.to_vec(), kind)
		})
		.collect();
	for (hospital, licence, emergency) in [
		(&b"H0002"[..], &b"MD10003"[..], false),
		(&b"H0001"[..], &b"MD10001"[..], false),
		(&b"H0002"[..], &b"MD10002"[..], true),
	] {
		assert!(
			bases.contains(&(hospital.to_vec(), licence.to_vec(), emergency)),
			"{}/{} (emergency {emergency}) is in the log: {bases:?}",
			String::from_utf8_lossy(hospital),
			String::from_utf8_lossy(licence)
		);
	}
}
