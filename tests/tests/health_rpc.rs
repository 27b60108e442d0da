//! Record anchors, access attestations and the `health_*` RPC against a real development node:
//! anchor, check, attest, read both logs back and recompute their heads; refused paths with
//! their documented errors; malformed RPC input; a node that syncs from scratch serves
//! identical logs.

use healthchain_primitives::{document::health_id_of, logs::LogHead, DocumentKind, HealthId};
use healthchain_tests::{Node, NodeConfig};
use jsonrpsee::core::client::ClientT;
use serde_json::{json, Value as Json};
use sp_core::H256;
use subxt::{
	dynamic::{self, Value},
	OnlineClient, PolkadotConfig,
};
use subxt_signer::sr25519::{dev, Keypair};

const DEV_SECRET: &[u8; 32] = b"healthchain-dev-lookup-secret-01";

fn patient() -> HealthId {
	health_id_of(DEV_SECRET, DocumentKind::ThaiCitizenId, "1101700230708").unwrap()
}
fn migrant() -> HealthId {
	health_id_of(DEV_SECRET, DocumentKind::Passport { country: *b"MMR" }, "MB123456").unwrap()
}
fn hid(id: HealthId) -> Value {
	Value::from_bytes(id.0)
}
fn bytes(s: &str) -> Value {
	Value::from_bytes(s.as_bytes())
}
fn variant(name: &str) -> Value {
	Value::unnamed_variant(name, vec![])
}
fn hash(b: u8) -> [u8; 32] {
	[b; 32]
}

/// Submits a call and waits for finality; `Ok` if it succeeded, `Err(message)` otherwise.
async fn submit(
	api: &OnlineClient<PolkadotConfig>,
	signer: &Keypair,
	pallet: &str,
	call: &str,
	fields: Vec<Value>,
) -> Result<(), String> {
	let tx = dynamic::transaction(pallet, call, fields);
	let at = api.at_current_block().await.map_err(|e| e.to_string())?;
	let progress = at
		.transactions()
		.sign_and_submit_then_watch_default(&tx, signer)
		.await
		.map_err(|e| format!("{e:?}"))?;
	progress.wait_for_finalized_success().await.map(|_| ()).map_err(|e| format!("{e:?}"))
}

async fn rpc_ok(node: &Node, method: &str, params: Vec<Json>) -> Json {
	let mut p = jsonrpsee::core::params::ArrayParams::new();
	for v in params {
		p.insert(v).unwrap();
	}
	node.rpc().request(method, p).await.unwrap_or_else(|e| panic!("{method}: {e}"))
}

async fn rpc_err(node: &Node, method: &str, params: Vec<Json>) -> i32 {
	let mut p = jsonrpsee::core::params::ArrayParams::new();
	for v in params {
		p.insert(v).unwrap();
	}
	match node.rpc().request::<Json, _>(method, p).await {
		Err(jsonrpsee::core::ClientError::Call(e)) => e.code(),
		other => panic!("{method} should fail with a JSON-RPC error, got {other:?}"),
	}
}

/// Recomputes the head chain of a page covering the whole log and checks it.
fn verify_full_log(page: &Json) -> usize {
	let entries = page["entries"].as_array().expect("entries");
	assert_eq!(entries.len() as u64, page["count"].as_u64().unwrap(), "one page holds the log");
	let mut expected = page["head"].as_str().unwrap().to_string();
	for e in entries {
		assert_eq!(e["head"].as_str().unwrap(), expected, "entries chain from the on-chain head");
		let prev = parse_h256(e["prevHead"].as_str().unwrap());
		let encoded = hex::decode(e["encoded"].as_str().unwrap().trim_start_matches("0x")).unwrap();
		let head = LogHead::next_head(&prev, &encoded);
		assert_eq!(format!("0x{}", hex::encode(head.as_bytes())), expected, "head recomputed");
		expected = e["prevHead"].as_str().unwrap().to_string();
	}
	assert_eq!(expected, format!("0x{}", "00".repeat(32)), "the log starts from the zero head");
	assert!(page["nextCursor"].is_null());
	entries.len()
}

fn parse_h256(s: &str) -> H256 {
	let v = hex::decode(s.trim_start_matches("0x")).unwrap();
	H256::from_slice(&v)
}

#[tokio::test(flavor = "multi_thread")]
async fn anchor_check_attest_and_verify_the_logs_then_sync_a_fresh_node() {
	let node = Node::start(NodeConfig::dev()).await;
	node.wait_finalized(1).await;
	let api = OnlineClient::<PolkadotConfig>::from_url(node.ws_url()).await.unwrap();
	let (patient_key, gw_a, gw_b) = (dev::two(), dev::dave(), dev::eve());
	let p = patient();
	let p_hex = p.to_hex();

	// Not enrolled yet: anchoring and attesting are refused.
	let err = submit(
		&api,
		&gw_a,
		"Records",
		"anchor",
		vec![
			hid(p),
			variant("Allergy"),
			Value::from_bytes(hash(1)),
			Value::u128(100),
			variant("None"),
		],
	)
	.await
	.unwrap_err();
	assert!(err.contains("NotEnrolled"), "{err}");
	let decision = rpc_ok(&node, "health_checkAccess", vec![json!({"practitioner":"MD10001","hospital":"H0001","healthId":p_hex,"categories":["allergy"],"purpose":"treatment"})]).await;
	assert_eq!(decision["decision"], "deny");
	assert_eq!(decision["basis"], "notEnrolled");

	// The patient enrols with all hospitals as sources.
	submit(&api, &patient_key, "Consent", "enrol", vec![hid(p), variant("All")]).await.unwrap();
	let consent = rpc_ok(&node, "health_consent", vec![json!(p_hex)]).await;
	assert_eq!(consent["enrolled"], true);
	assert_eq!(consent["sources"], "all");

	// Hospital A anchors a record; the check permits; A attests the access.
	submit(
		&api,
		&gw_a,
		"Records",
		"anchor",
		vec![
			hid(p),
			variant("Allergy"),
			Value::from_bytes(hash(1)),
			Value::u128(100),
			variant("None"),
		],
	)
	.await
	.unwrap();
	let decision = rpc_ok(&node, "health_checkAccess", vec![json!({"practitioner":"MD10001","hospital":"H0001","healthId":p_hex,"categories":["allergy"],"purpose":"treatment"})]).await;
	assert_eq!(decision["decision"], "permit", "{decision}");
	assert_eq!(decision["basis"], "enrolment");
	let records = Value::unnamed_composite(vec![Value::from_bytes(hash(1))]);
	submit(
		&api,
		&gw_a,
		"AccessLog",
		"attest",
		vec![
			hid(p),
			bytes("MD10001"),
			Value::unnamed_composite(vec![variant("Allergy")]),
			records.clone(),
			variant("Treatment"),
		],
	)
	.await
	.unwrap();

	// Per-request hospital B without a grant: refused with the documented error.
	let decision = rpc_ok(&node, "health_checkAccess", vec![json!({"practitioner":"MD10002","hospital":"H0002","healthId":p_hex,"categories":["allergy"],"purpose":"treatment"})]).await;
	assert_eq!(decision["decision"], "needsRequest");
	let err = submit(
		&api,
		&gw_b,
		"AccessLog",
		"attest",
		vec![
			hid(p),
			bytes("MD10002"),
			Value::unnamed_composite(vec![variant("Allergy")]),
			records.clone(),
			variant("Treatment"),
		],
	)
	.await
	.unwrap_err();
	assert!(err.contains("ConsentRequestNeeded"), "{err}");
	// With a request approved by the patient, B may access.
	submit(
		&api,
		&gw_b,
		"Consent",
		"request_access",
		vec![
			hid(p),
			bytes("MD10002"),
			Value::unnamed_composite(vec![variant("Allergy")]),
			variant("Treatment"),
			variant("None"),
		],
	)
	.await
	.unwrap();
	let pending = rpc_ok(&node, "health_pendingRequests", vec![json!(p_hex)]).await;
	let request_id = pending[0]["id"].as_u64().expect("a pending request");
	submit(
		&api,
		&patient_key,
		"Consent",
		"respond",
		vec![Value::u128(request_id as u128), Value::bool(true)],
	)
	.await
	.unwrap();
	submit(
		&api,
		&gw_b,
		"AccessLog",
		"attest",
		vec![
			hid(p),
			bytes("MD10002"),
			Value::unnamed_composite(vec![variant("Allergy")]),
			records.clone(),
			variant("Treatment"),
		],
	)
	.await
	.unwrap();

	// Source not selected: the patient keeps only hospital B; A may no longer anchor.
	submit(
		&api,
		&patient_key,
		"Consent",
		"set_sources",
		vec![
			hid(p),
			Value::unnamed_variant("Only", vec![Value::unnamed_composite(vec![bytes("H0002")])]),
		],
	)
	.await
	.unwrap();
	let err = submit(
		&api,
		&gw_a,
		"Records",
		"anchor",
		vec![
			hid(p),
			variant("Visit"),
			Value::from_bytes(hash(2)),
			Value::u128(10),
			variant("None"),
		],
	)
	.await
	.unwrap_err();
	assert!(err.contains("NotASource"), "{err}");

	// An unenrolled (assisted) patient: attestation refused.
	let err = submit(
		&api,
		&gw_a,
		"AccessLog",
		"attest",
		vec![
			hid(migrant()),
			bytes("MD10001"),
			Value::unnamed_composite(vec![variant("Allergy")]),
			records.clone(),
			variant("Treatment"),
		],
	)
	.await
	.unwrap_err();
	assert!(err.contains("AccessDenied"), "{err}");
	// The reason, from the same decision function:
	let decision = rpc_ok(&node, "health_checkAccess", vec![json!({"practitioner":"MD10001","hospital":"H0001","healthId":migrant().to_hex(),"categories":["allergy"],"purpose":"treatment"})]).await;
	assert_eq!(
		(decision["decision"].as_str(), decision["basis"].as_str()),
		(Some("deny"), Some("notEnrolled"))
	);

	// The logs: both entries of the access log, the record anchor; heads recompute.
	let access = rpc_ok(&node, "health_accessLog", vec![json!(p_hex)]).await;
	assert_eq!(verify_full_log(&access), 2);
	assert_eq!(access["entries"][0]["entry"]["hospital"], "H0002");
	assert_eq!(access["entries"][0]["entry"]["basis"]["kind"], "grant");
	assert_eq!(access["entries"][1]["entry"]["practitioner"], "MD10001");
	assert_eq!(access["entries"][1]["entry"]["records"][0], format!("0x{}", hex::encode(hash(1))));
	let recs = rpc_ok(&node, "health_records", vec![json!(p_hex)]).await;
	assert_eq!(verify_full_log(&recs), 1);
	assert_eq!(recs["entries"][0]["entry"]["op"], "anchor");
	// Paging: one entry per page, following the cursor, gives the same entries.
	let first = rpc_ok(&node, "health_accessLog", vec![json!(p_hex), json!({"limit": 1})]).await;
	let cursor = first["nextCursor"].as_str().expect("a second page").to_string();
	let second = rpc_ok(
		&node,
		"health_accessLog",
		vec![json!(p_hex), json!({"limit": 1, "cursor": cursor})],
	)
	.await;
	assert_eq!(second["entries"][0], access["entries"][1]);
	assert!(second["nextCursor"].is_null());

	// Withdrawn patient: access refused.
	submit(&api, &patient_key, "Consent", "withdraw", vec![hid(p)]).await.unwrap();
	let err = submit(
		&api,
		&gw_b,
		"AccessLog",
		"attest",
		vec![
			hid(p),
			bytes("MD10002"),
			Value::unnamed_composite(vec![variant("Allergy")]),
			records.clone(),
			variant("Treatment"),
		],
	)
	.await
	.unwrap_err();
	assert!(err.contains("AccessDenied"), "{err}");
	let decision = rpc_ok(&node, "health_checkAccess", vec![json!({"practitioner":"MD10002","hospital":"H0002","healthId":p_hex,"categories":["allergy"],"purpose":"treatment"})]).await;
	assert_eq!(
		(decision["decision"].as_str(), decision["basis"].as_str()),
		(Some("deny"), Some("withdrawn"))
	);

	// Malformed RPC input: errors with stable codes, and the node keeps serving.
	assert_eq!(rpc_err(&node, "health_healthId", vec![json!("0x12")]).await, 4000);
	assert_eq!(rpc_err(&node, "health_consent", vec![json!("not hex")]).await, 4000);
	assert_eq!(
		rpc_err(&node, "health_accessLog", vec![json!(p_hex), json!({"limit": 0})]).await,
		4001
	);
	assert_eq!(
		rpc_err(
			&node,
			"health_accessLog",
			vec![json!(p_hex), json!({"cursor": format!("0x{}", "11".repeat(32))})]
		)
		.await,
		4001
	);
	assert_eq!(rpc_err(&node, "health_hospital", vec![json!("")]).await, 4000);
	assert_eq!(rpc_err(&node, "health_checkAccess", vec![json!({"practitioner":"MD1","hospital":"H1","healthId":p_hex,"categories":["horoscope"],"purpose":"treatment"})]).await, -32602);
	assert_eq!(rpc_err(&node, "health_checkAccess", vec![json!(42)]).await, -32602);
	assert!(rpc_ok(&node, "health_hospital", vec![json!("H0001")]).await["active"]
		.as_bool()
		.unwrap());
	assert!(rpc_ok(&node, "health_practitioner", vec![json!("NOBODY")]).await.is_null());

	// A node that syncs from scratch serves identical logs.
	let (final_n, _) = node.wait_finalized(node.best_number().await).await;
	let fresh = Node::start(NodeConfig::dev_full_node(&node, 2)).await;
	fresh.wait_finalized(final_n).await;
	for method in ["health_accessLog", "health_records"] {
		let a = rpc_ok(&node, method, vec![json!(p_hex), json!({"finalized": true})]).await;
		let b = rpc_ok(&fresh, method, vec![json!(p_hex), json!({"finalized": true})]).await;
		assert_eq!(a["entries"], b["entries"], "{method}: same entries");
		assert_eq!(a["head"], b["head"], "{method}: same head");
	}
}
