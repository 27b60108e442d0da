//! The gateway's FHIR R4 facade end to end, on a development node with two gateways: every
//! endpoint and every error status, each resource the gateway emits validated by an
//! independent FHIR implementation (Python `fhir.resources`, R4B models), and a hospital
//! system driving a put, a fetch, a consent read and a paged access-log read through a
//! standard FHIR client library (`fhirpy`). `scripts/test` installs both in a virtual
//! environment (`$HEALTHCHAIN_FHIR_PYTHON`).

use healthchain_primitives::{demo::test_patient, HealthId};
use healthchain_tests::{
	calls, http_call, key, register_test_patient as register, submit, two_gateways, GatewayProcess,
	HealthRpcClient, TwoGateways, AUDITOR_SCOPES, DOCTOR_SCOPES, PATIENCE, SYSTEM_SCOPES,
};
use serde_json::{json, Value as Json};
use std::{
	path::{Path, PathBuf},
	time::{Duration, Instant},
};

const HEALTH_ID: &str = "https://healthchain.example/fhir/sid/health-id";
const CATEGORY: &str = "https://healthchain.example/fhir/CodeSystem/data-category";
const ANCHOR: &str = "https://healthchain.example/fhir/StructureDefinition/anchor";

/// The Python of the FHIR virtual environment.
fn python() -> PathBuf {
	let path = std::env::var("HEALTHCHAIN_FHIR_PYTHON").map(PathBuf::from).unwrap_or_else(|_| {
		PathBuf::from(std::env::var("HOME").unwrap_or_default())
			.join(".cache/healthchain/fhir-venv/bin/python")
	});
	assert!(
		path.exists(),
		"{} is missing: ./scripts/test installs the FHIR validators (fhir.resources, fhirpy)",
		path.display()
	);
	path
}

fn script(name: &str) -> PathBuf {
	Path::new(env!("CARGO_MANIFEST_DIR")).join("fhir").join(name)
}

/// Every resource the gateway sent, saved for the independent validator.
struct Saved {
	dir: tempfile::TempDir,
	n: usize,
}

impl Saved {
	fn keep(&mut self, what: &str, resource: &Json) {
		self.n += 1;
		let file = self.dir.path().join(format!("{:02}-{what}.json", self.n));
		std::fs::write(file, resource.to_string()).unwrap();
	}
}

/// One FHIR call: the status and the JSON body (every answer is JSON, errors included).
fn call(
	gw: &GatewayProcess,
	method: &str,
	path: &str,
	token: Option<&str>,
	body: Option<(&str, &str)>,
) -> (u16, Json) {
	let (status, text) = http_call(&gw.api_addr, method, path, token, body).unwrap();
	let json = serde_json::from_str(&text)
		.unwrap_or_else(|e| panic!("{method} {path}: {status}, not JSON ({e}): {text}"));
	(status, json)
}

/// Asserts an OperationOutcome with `status` and an issue of type `issue`; keeps it.
fn expect_outcome(saved: &mut Saved, got: (u16, Json), status: u16, issue: &str, what: &str) {
	let (s, body) = got;
	assert_eq!(s, status, "{what}: {body}");
	assert_eq!(body["resourceType"], "OperationOutcome", "{what}: {body}");
	assert_eq!(body["issue"][0]["code"], issue, "{what}: {body}");
	assert!(body["issue"][0]["diagnostics"].as_str().is_some_and(|d| !d.is_empty()), "{body}");
	saved.keep(what, &body);
}

/// A record Bundle for `patient` in `category`, naming the patient by health ID.
fn record(patient: &HealthId, category: &str, text: &str) -> String {
	json!({
		"resourceType": "Bundle",
		"type": "collection",
		"meta": {"tag": [{"system": CATEGORY, "code": category}]},
		"entry": [
			{"resource": {"resourceType": "Patient",
				"identifier": [{"system": HEALTH_ID, "value": patient.to_hex()}]}},
			{"resource": {"resourceType": "Observation", "status": "final", "code": {"text": text}}}
		]
	})
	.to_string()
}

fn matches(bundle: &Json) -> Vec<String> {
	bundle["entry"]
		.as_array()
		.unwrap()
		.iter()
		.filter(|e| e["search"]["mode"] == "match")
		.map(|e| e["resource"]["id"].as_str().unwrap().to_string())
		.collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_fhir_facade_serves_records_consents_and_the_access_log() {
	let python = python();
	let TwoGateways { node, idp, a: gw_a, b: gw_b } = two_gateways(Default::default()).await;
	let client = node.client().await;
	let his_a = idp.token("his-H0001", &SYSTEM_SCOPES, None);
	let his_b = idp.token("his-H0002", &SYSTEM_SCOPES, None);
	let doctor_scopes = [DOCTOR_SCOPES.as_slice(), &["consent.read"]].concat();
	let doc_a = idp.token("dr-MD10001", &doctor_scopes, Some("MD10001"));
	let doc_b = idp.token("dr-MD10002", &doctor_scopes, Some("MD10002"));
	let auditor = idp.token("auditor", &AUDITOR_SCOPES, None);
	let mut saved = Saved { dir: tempfile::tempdir().unwrap(), n: 0 };
	let fhir_json = "application/fhir+json";

	// The capability statement, without a token: exactly what is served.
	let (status, caps) = call(&gw_a, "GET", "/fhir/metadata", None, None);
	assert_eq!(status, 200, "{caps}");
	assert_eq!(caps["resourceType"], "CapabilityStatement");
	assert_eq!(caps["fhirVersion"], "4.0.1");
	let types: Vec<&str> = caps["rest"][0]["resource"]
		.as_array()
		.unwrap()
		.iter()
		.map(|r| r["type"].as_str().unwrap())
		.collect();
	assert_eq!(types, ["Bundle", "Patient", "Consent", "AuditEvent"]);
	saved.keep("capabilities", &caps);

	let (k1, k2) = (key("//FhirPatient1"), key("//FhirPatient2"));
	let (p1, p2) = (test_patient(1), test_patient(2));
	register(&client, 1, &k1).await;
	register(&client, 2, &k2).await;
	submit(&client, &k1, &calls::enrol(p1, calls::all_sources())).await;

	// Put: A with the patient and category inside the Bundle; B with query parameters.
	let (status, stored) = call(
		&gw_a,
		"POST",
		"/fhir/Bundle",
		Some(&his_a),
		Some((fhir_json, &record(&p1, "allergy", "penicillin allergy"))),
	);
	assert_eq!(status, 201, "{stored}");
	let a_id = stored["id"].as_str().unwrap().to_string();
	assert_eq!(a_id.len(), 64);
	let anchor = stored["meta"]["extension"]
		.as_array()
		.unwrap()
		.iter()
		.find(|e| e["url"] == ANCHOR)
		.expect("the anchor extension");
	assert!(anchor["extension"][0]["valueUnsignedInt"].as_u64().unwrap() > 0, "{stored}");
	saved.keep("put", &stored);
	let plain = json!({"resourceType": "Bundle", "type": "collection", "entry": [
		{"resource": {"resourceType": "Observation", "status": "final", "code": {"text": "type 2 diabetes"}}}
	]})
	.to_string();
	let path = format!("/fhir/Bundle?patient={}&category=diagnosis", p1.to_hex());
	let (status, stored_b) =
		call(&gw_b, "POST", &path, Some(&his_b), Some(("application/json", &plain)));
	assert_eq!(status, 201, "{stored_b}");
	let b_id = stored_b["id"].as_str().unwrap().to_string();

	// Put refusals, each an OperationOutcome with its status.
	let good = record(&p1, "allergy", "x");
	let post = |token: Option<&str>, body: (&str, &str)| {
		call(&gw_a, "POST", "/fhir/Bundle", token, Some(body))
	};
	expect_outcome(&mut saved, post(None, (fhir_json, &good)), 401, "login", "no-token");
	expect_outcome(
		&mut saved,
		post(Some("not-a-jwt"), (fhir_json, &good)),
		401,
		"login",
		"bad-token",
	);
	expect_outcome(&mut saved, post(Some(&doc_a), (fhir_json, &good)), 403, "forbidden", "scope");
	let unenrolled = record(&p2, "allergy", "x");
	expect_outcome(
		&mut saved,
		post(Some(&his_a), (fhir_json, &unenrolled)),
		422,
		"business-rule",
		"not-enrolled",
	);
	expect_outcome(&mut saved, post(Some(&his_a), (fhir_json, "{")), 400, "invalid", "not-json");
	expect_outcome(
		&mut saved,
		post(Some(&his_a), (fhir_json, &plain)),
		400,
		"invalid",
		"no-patient",
	);
	let gossip = record(&p1, "gossip", "x");
	expect_outcome(
		&mut saved,
		post(Some(&his_a), (fhir_json, &gossip)),
		400,
		"invalid",
		"category",
	);
	let patient = json!({"resourceType": "Patient"}).to_string();
	expect_outcome(
		&mut saved,
		post(Some(&his_a), (fhir_json, &patient)),
		400,
		"invalid",
		"not-bundle",
	);
	expect_outcome(
		&mut saved,
		post(Some(&his_a), ("text/plain", &good)),
		415,
		"not-supported",
		"media",
	);

	// Fetch: A's doctor sees A's and B's records, with the basis and the provenance.
	let everything = format!("/fhir/Patient/{}/$everything", p1.to_hex());
	let (status, found) = call(&gw_a, "GET", &everything, Some(&doc_a), None);
	assert_eq!(status, 200, "{found}\n{}", gw_a.log());
	assert_eq!(found["type"], "searchset");
	let mut ids = matches(&found);
	ids.sort();
	let mut want = vec![a_id.clone(), b_id.clone()];
	want.sort();
	assert_eq!(ids, want, "{found}");
	let security = found["meta"]["security"].to_string();
	assert!(security.contains("\"TREAT\"") && security.contains("\"enrolment\""), "{security}");
	let provenance = found["entry"]
		.as_array()
		.unwrap()
		.iter()
		.find(|e| e["resource"]["resourceType"] == "Provenance")
		.expect("a Provenance entry");
	assert_eq!(provenance["resource"]["target"].as_array().unwrap().len(), 2);
	saved.keep("everything", &found);

	// Fetch refusals.
	let get =
		|gw: &GatewayProcess, path: &str, token: Option<&str>| call(gw, "GET", path, token, None);
	let denied = format!("/fhir/Patient/{}/$everything", p2.to_hex());
	expect_outcome(&mut saved, get(&gw_a, &denied, Some(&doc_a)), 403, "forbidden", "denied");
	expect_outcome(
		&mut saved,
		get(&gw_a, &everything, Some(&his_a)),
		403,
		"forbidden",
		"fetch-scope",
	);
	let vaccines = format!("{everything}?category=vaccine");
	expect_outcome(&mut saved, get(&gw_a, &vaccines, Some(&doc_a)), 404, "not-found", "no-records");
	let typo = format!("{everything}?categroy=allergy");
	expect_outcome(&mut saved, get(&gw_a, &typo, Some(&doc_a)), 400, "invalid", "unknown-param");
	let bad_id = "/fhir/Patient/0x12/$everything";
	expect_outcome(&mut saved, get(&gw_a, bad_id, Some(&doc_a)), 400, "invalid", "bad-id");
	expect_outcome(
		&mut saved,
		get(&gw_a, "/fhir/Observation", Some(&doc_a)),
		404,
		"not-supported",
		"route",
	);
	expect_outcome(
		&mut saved,
		call(&gw_a, "DELETE", "/fhir/Bundle", Some(&his_a), None),
		405,
		"not-supported",
		"method",
	);

	// A per-request hospital: B's doctor fetches, the patient approves in front of them;
	// the grant is then part of the consent state.
	let fetch_b = {
		let (addr, path, token) = (gw_b.api_addr.clone(), everything.clone(), doc_b.clone());
		tokio::task::spawn_blocking(move || http_call(&addr, "GET", &path, Some(&token), None))
	};
	let start = Instant::now();
	let request_id = loop {
		if let Some(r) = node.rpc().pending_requests(p1).await.unwrap().first() {
			break r.id;
		}
		assert!(start.elapsed() < PATIENCE, "no consent request arrived");
		tokio::time::sleep(Duration::from_millis(500)).await;
	};
	// While it waits, the request is a proposed Consent.
	let consents_path = format!("/fhir/Consent?patient={}", p1.to_hex());
	let (status, proposed) = get(&gw_a, &consents_path, Some(&auditor));
	assert_eq!(status, 200, "{proposed}");
	assert!(proposed.to_string().contains("\"proposed\""), "{proposed}");
	saved.keep("consent-proposed", &proposed);
	submit(&client, &k1, &calls::respond(request_id, true)).await;
	let (status, text) = fetch_b.await.unwrap().unwrap();
	assert_eq!(status, 200, "{text}\n{}", gw_b.log());
	let found_b: Json = serde_json::from_str(&text).unwrap();
	assert!(found_b["meta"]["security"].to_string().contains("\"grant\""), "{found_b}");
	saved.keep("everything-grant", &found_b);

	// Consent: the enrolment (every source, sensitive data denied) and B's grant.
	let (status, consents) = get(&gw_a, &consents_path, Some(&auditor));
	assert_eq!(status, 200, "{consents}");
	let ids: Vec<&str> = consents["entry"]
		.as_array()
		.unwrap()
		.iter()
		.map(|e| e["resource"]["id"].as_str().unwrap())
		.collect();
	assert!(ids[0].starts_with("enrolment-") && ids.contains(&"grant-0"), "{consents}");
	let enrolment = &consents["entry"][0]["resource"];
	assert_eq!(enrolment["status"], "active");
	assert_eq!(enrolment["provision"]["provision"][1]["type"], "deny", "{enrolment}");
	let grant = &consents["entry"][1]["resource"]["provision"];
	assert!(grant["period"]["end"].is_string(), "{grant}");
	assert!(grant["actor"].to_string().contains("MD10002"), "{grant}");
	saved.keep("consent", &consents);
	let no_patient = "/fhir/Consent";
	expect_outcome(
		&mut saved,
		get(&gw_a, no_patient, Some(&auditor)),
		400,
		"invalid",
		"consent-param",
	);
	expect_outcome(
		&mut saved,
		get(&gw_a, &consents_path, Some(&his_a)),
		403,
		"forbidden",
		"consent-scope",
	);

	// AuditEvent: both accesses, newest (B's, on a grant) first, one a page.
	let audit = format!("/fhir/AuditEvent?patient={}&_count=1", p1.to_hex());
	let (status, page1) = get(&gw_a, &audit, Some(&auditor));
	assert_eq!(status, 200, "{page1}");
	assert_eq!(page1["total"], 2, "{page1}");
	let event = &page1["entry"][0]["resource"];
	assert_eq!(event["resourceType"], "AuditEvent");
	assert!(event["agent"].to_string().contains("MD10002"), "{event}");
	assert!(event["agent"][0]["policy"][0].as_str().unwrap().contains("/grant/"), "{event}");
	saved.keep("audit-1", &page1);
	let next = page1["link"]
		.as_array()
		.unwrap()
		.iter()
		.find(|l| l["relation"] == "next")
		.expect("a next link")["url"]
		.as_str()
		.unwrap()
		.to_string();
	let next_path = &next[next.find("/fhir/").unwrap()..];
	let (status, page2) = get(&gw_a, next_path, Some(&auditor));
	assert_eq!(status, 200, "{page2}");
	assert!(page2["entry"][0]["resource"]["agent"].to_string().contains("MD10001"), "{page2}");
	assert!(
		page2["link"].to_string().contains("\"self\"")
			&& !page2["link"].to_string().contains("\"next\"")
	);
	saved.keep("audit-2", &page2);
	let zero = format!("/fhir/AuditEvent?patient={}&_count=0", p1.to_hex());
	expect_outcome(&mut saved, get(&gw_a, &zero, Some(&auditor)), 400, "invalid", "audit-count");
	expect_outcome(&mut saved, get(&gw_a, &audit, Some(&doc_a)), 403, "forbidden", "audit-scope");

	// A hospital system with a standard FHIR client library: put, fetch, consent, and the
	// access log followed page by page.
	let base = format!("{}/fhir", gw_a.api_url);
	let out = std::process::Command::new(&python)
		.arg(script("hospital.py"))
		.args(["--base", &base, "--system-token", &his_a, "--doctor-token", &doc_a])
		.args(["--auditor-token", &auditor, "--patient", &p1.to_hex(), "--category", "allergy"])
		.output()
		.unwrap();
	let stderr = String::from_utf8_lossy(&out.stderr);
	assert!(out.status.success(), "hospital.py: {stderr}\n{}", gw_a.log());
	let report: Json = serde_json::from_slice(&out.stdout).unwrap();
	let put_id = report["put"]["id"].as_str().unwrap();
	let fetched: Vec<&str> = report["fetch"]["matches"]
		.as_array()
		.unwrap()
		.iter()
		.map(|v| v.as_str().unwrap())
		.collect();
	assert!(fetched.contains(&put_id) && fetched.contains(&a_id.as_str()), "{report}");
	assert_eq!(report["fetch"]["provenance"], true, "{report}");
	// Three accesses now (A, B, and the library's fetch), read one page at a time.
	assert_eq!(report["auditEvents"].as_array().unwrap().len(), 3, "{report}");
	assert!(report["consents"].to_string().contains("\"active\""), "{report}");

	// A source gateway down: A's own records come back, B's are an OperationOutcome entry.
	let mut gw_b = gw_b;
	gw_b.stop();
	let (status, partial) = get(&gw_a, &everything, Some(&doc_a));
	assert_eq!(status, 200, "{partial}\n{}", gw_a.log());
	assert!(matches(&partial).contains(&a_id) && !matches(&partial).contains(&b_id), "{partial}");
	let outcome = partial["entry"]
		.as_array()
		.unwrap()
		.iter()
		.find(|e| e["search"]["mode"] == "outcome")
		.expect("an OperationOutcome entry");
	let issue = &outcome["resource"]["issue"][0];
	assert_eq!(issue["severity"], "warning", "{outcome}");
	assert_eq!(issue["details"]["coding"][0]["code"], "4031", "{outcome}");
	assert!(issue["diagnostics"].as_str().unwrap().contains(&b_id), "{outcome}");
	saved.keep("everything-partial", &partial);

	// The node gone: the gateway answers 503.
	let mut node = node;
	node.kill();
	expect_outcome(
		&mut saved,
		get(&gw_a, &consents_path, Some(&auditor)),
		503,
		"transient",
		"unavailable",
	);

	// Every resource the gateway sent, validated by an independent FHIR implementation.
	let out = std::process::Command::new(&python)
		.arg(script("validate.py"))
		.arg(saved.dir.path())
		.output()
		.unwrap();
	let report = String::from_utf8_lossy(&out.stdout);
	assert!(out.status.success(), "validate.py:\n{report}{}", String::from_utf8_lossy(&out.stderr));
	assert_eq!(report.lines().filter(|l| l.starts_with("ok ")).count(), saved.n, "{report}");
}
