//! Record anchors, access attestations and the `health_*` RPC against a real development node:
//! anchor, check, attest, read both logs back and verify them with the one log verification;
//! the chain's source rule over RPC; overdue emergency-access reviews; refused paths with their
//! documented errors; malformed RPC input; a node that syncs from scratch serves identical logs.

use healthchain_primitives::{
	demo::{demo_migrant, demo_patient},
	logs::{AccessBasis, AccessEntry, RecordEntry, RecordOp},
	DataCategory, Decision, DenyReason, HealthId, PermitBasis, Purpose, SourceRefusal,
	MAX_OVERDUE_PAGE,
};
use healthchain_tests::{
	calls, check_allergies, dev, pallet_error,
	rpc::{AccessJson, LogPage, PageParams, RecordJson, SourceStatus, Sources},
	runtime, submit, try_submit, HealthRpcClient, Node, NodeConfig,
};
use jsonrpsee::core::client::ClientT;
use serde_json::{json, Value as Json};
use sp_core::H256;

fn hash(b: u8) -> H256 {
	H256::repeat_byte(b)
}

fn anchor(
	id: HealthId,
	category: DataCategory,
	h: u8,
	size: u32,
) -> impl healthchain_tests::Payload {
	calls::anchor(id, category, hash(h), size, None)
}

fn attest(id: HealthId, doctor: &str) -> impl healthchain_tests::Payload {
	calls::attest(id, doctor, &[DataCategory::Allergy], &[hash(1)], Purpose::Treatment)
}

/// A raw JSON-RPC call that must fail: its error code (malformed input on purpose).
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

/// A page that covers a whole log, verified with the one verification, decoded from its
/// verified bytes.
fn verified_log<E, T: codec::Decode>(page: &LogPage<E>) -> Vec<T> {
	assert_eq!(page.entries.len() as u64, page.count, "one page holds the log");
	assert!(page.next_cursor.is_none());
	page.verified::<T>(page.head).expect("the log verifies").into_iter().map(|(_, e)| e).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn anchor_check_attest_and_verify_the_logs_then_sync_a_fresh_node() {
	let node = Node::start(NodeConfig::dev()).await;
	node.wait_finalized(1).await;
	let client = node.client().await;
	let rpc = node.rpc();
	let (patient_key, gw_a, gw_b) = (dev::two(), dev::dave(), dev::eve());
	let p = demo_patient();

	// Not enrolled yet: anchoring and attesting are refused; the source rule says why.
	let refused = try_submit(&client, &gw_a, &anchor(p, DataCategory::Allergy, 1, 100)).await;
	assert_eq!(pallet_error(refused), "NotEnrolled");
	let decision = rpc.check_access(check_allergies("MD10001", "H0001", p)).await.unwrap();
	assert_eq!(decision.decision, Decision::Deny(DenyReason::NotEnrolled));
	let source = rpc.source_check(p, "H0001".into(), None).await.unwrap();
	assert_eq!(source.status, SourceStatus::Refused(SourceRefusal::NotEnrolled));

	// Overdue emergency-access reviews: none on a fresh chain; an emergency access just opened
	// is not listed (its review is due 72 hours later); the limit is 1 to MAX_OVERDUE_PAGE.
	let overdue = rpc.overdue_reviews(MAX_OVERDUE_PAGE, None).await.unwrap();
	assert!(overdue.reviews.is_empty(), "{overdue:?}");
	let emergency = calls::open_emergency_access(p, "MD10001", calls::EmergencyReason::Unconscious);
	let opened = submit(&client, &gw_a, &emergency).await;
	assert!(opened.event::<runtime::consent::events::EmergencyAccessOpened>().is_some());
	let overdue = rpc.overdue_reviews(1, Some(true)).await.unwrap();
	assert!(overdue.reviews.is_empty(), "not overdue yet: {overdue:?}");
	for limit in [0, MAX_OVERDUE_PAGE + 1] {
		match rpc.overdue_reviews(limit, None).await {
			Err(jsonrpsee::core::ClientError::Call(e)) => assert_eq!(e.code(), 4001, "{e:?}"),
			other => panic!("limit {limit} should be refused, got {other:?}"),
		}
	}

	// The patient enrols with all hospitals as sources.
	let enrol = calls::enrol(p, calls::all_sources());
	submit(&client, &patient_key, &enrol).await;
	let consent = rpc.consent(p).await.unwrap().expect("a consent state");
	assert!(consent.enrolled);
	assert_eq!(consent.sources, Sources::All);
	let source = rpc.source_check(p, "H0001".into(), Some(true)).await.unwrap();
	assert_eq!(source.status, SourceStatus::Shares, "finalized state shares");

	// Hospital A anchors a record; the check permits; A attests the access.
	submit(&client, &gw_a, &anchor(p, DataCategory::Allergy, 1, 100)).await;
	let decision = rpc.check_access(check_allergies("MD10001", "H0001", p)).await.unwrap();
	assert_eq!(decision.decision, Decision::Permit(PermitBasis::Enrolment));
	submit(&client, &gw_a, &attest(p, "MD10001")).await;

	// Per-request hospital B without a grant: refused with the documented error.
	let decision = rpc.check_access(check_allergies("MD10002", "H0002", p)).await.unwrap();
	assert_eq!(decision.decision, Decision::NeedsRequest);
	let refused = try_submit(&client, &gw_b, &attest(p, "MD10002")).await;
	assert_eq!(pallet_error(refused), "ConsentRequestNeeded");
	// With a request approved by the patient, B may access.
	let request =
		calls::request_access(p, "MD10002", &[DataCategory::Allergy], Purpose::Treatment, None);
	let included = submit(&client, &gw_b, &request).await;
	let requested =
		included.event::<runtime::consent::events::AccessRequested>().expect("the request's event");
	let pending = rpc.pending_requests(p).await.unwrap();
	assert_eq!(pending.len(), 1);
	assert_eq!(pending[0].id, requested.request_id);
	let respond = calls::respond(requested.request_id, true);
	submit(&client, &patient_key, &respond).await;
	submit(&client, &gw_b, &attest(p, "MD10002")).await;
	// The grant is live, as approved, in the one live-grants answer (`health_liveGrants`).
	let live = rpc.live_grants(p, None).await.unwrap();
	assert_eq!(live.grants.len(), 1, "{live:?}");
	let grant = &live.grants[0];
	assert_eq!(grant.request_id, requested.request_id);
	assert_eq!((grant.hospital.as_str(), grant.practitioner.as_str()), ("H0002", "MD10002"));
	assert_eq!(grant.categories, vec![DataCategory::Allergy]);
	assert!(grant.expires_at > grant.granted_at);

	// Source not selected: the patient keeps only hospital B; A may no longer anchor.
	let only_b = calls::only_sources(&["H0002"]);
	submit(&client, &patient_key, &calls::set_sources(p, only_b)).await;
	let refused = try_submit(&client, &gw_a, &anchor(p, DataCategory::Visit, 2, 10)).await;
	assert_eq!(pallet_error(refused), "NotASource");
	let source = rpc.source_check(p, "H0001".into(), None).await.unwrap();
	assert_eq!(source.status, SourceStatus::Refused(SourceRefusal::NotSelected));
	assert_eq!(
		rpc.source_check(p, "H0002".into(), None).await.unwrap().status,
		SourceStatus::Shares
	);

	// An unenrolled (assisted) patient: attestation refused, with the decision's reason.
	let refused = try_submit(&client, &gw_a, &attest(demo_migrant(), "MD10001")).await;
	let failure = refused.as_ref().err().and_then(|e| e.failure()).cloned().expect("refused");
	assert_eq!(failure.error, "AccessDenied");
	assert_eq!(failure.deny_reason, Some(DenyReason::NotEnrolled));
	let decision =
		rpc.check_access(check_allergies("MD10001", "H0001", demo_migrant())).await.unwrap();
	assert_eq!(decision.decision, Decision::Deny(DenyReason::NotEnrolled));

	// The logs: both entries of the access log, the record anchor; verified and decoded.
	let access = rpc.access_log(p, None).await.unwrap();
	let entries: Vec<AccessEntry> = verified_log(&access);
	assert_eq!(entries.len(), 2);
	assert_eq!(entries[0].hospital.to_vec(), b"H0002".to_vec());
	assert!(matches!(entries[0].basis, AccessBasis::Grant(id) if id == requested.request_id));
	assert_eq!(entries[1].practitioner.to_vec(), b"MD10001".to_vec());
	assert_eq!(entries[1].records.to_vec(), vec![hash(1)]);
	// The node's decoded JSON says the same.
	let newest: &AccessJson = &access.entries[0].entry;
	assert_eq!(newest.hospital, "H0002");
	assert_eq!(newest.basis, AccessBasis::Grant(requested.request_id));
	let recs = rpc.records(p, None).await.unwrap();
	let anchors: Vec<RecordEntry> = verified_log(&recs);
	assert_eq!(anchors.len(), 1);
	assert!(
		matches!(anchors[0].op, RecordOp::Anchor { content_hash, .. } if content_hash == hash(1))
	);
	assert!(matches!(recs.entries[0].entry, RecordJson::Anchor { size: 100, .. }));
	// Paging: one entry per page, following the cursor, gives the same entries; each page
	// verifies against where the previous one ended.
	let first = rpc.access_log(p, Some(PageParams { limit: Some(1), ..Default::default() })).await;
	let first = first.unwrap();
	let cursor = first.next_cursor.expect("a second page");
	first.verified::<AccessEntry>(first.head).expect("the first page verifies");
	let second = rpc
		.access_log(p, Some(PageParams { limit: Some(1), cursor: Some(cursor), finalized: false }))
		.await
		.unwrap();
	assert_eq!(second.entries[0], access.entries[1]);
	assert!(second.next_cursor.is_none());
	second.verified::<AccessEntry>(cursor).expect("the second page continues the first");

	// Withdrawn patient: access refused.
	submit(&client, &patient_key, &calls::withdraw(p)).await;
	let refused = try_submit(&client, &gw_b, &attest(p, "MD10002")).await;
	assert_eq!(pallet_error(refused), "AccessDenied");
	let decision = rpc.check_access(check_allergies("MD10002", "H0002", p)).await.unwrap();
	assert_eq!(decision.decision, Decision::Deny(DenyReason::Withdrawn));
	let source = rpc.source_check(p, "H0002".into(), None).await.unwrap();
	assert_eq!(source.status, SourceStatus::Refused(SourceRefusal::Withdrawn));
	// The withdrawal ended the grant: the live grants say so at once.
	assert!(rpc.live_grants(p, None).await.unwrap().grants.is_empty());

	// Malformed RPC input (sent raw on purpose): errors with stable codes, and the node
	// keeps serving.
	let p_hex = p.to_hex();
	assert_eq!(rpc_err(&node, "health_healthId", vec![json!("0x12")]).await, -32602);
	assert_eq!(rpc_err(&node, "health_consent", vec![json!("not hex")]).await, -32602);
	assert_eq!(rpc_err(&node, "health_liveGrants", vec![json!("0x12")]).await, -32602);
	assert_eq!(rpc_err(&node, "health_liveGrants", vec![json!(p_hex), json!("yes")]).await, -32602);
	// A patient the chain does not know holds no grant: an empty answer, not an error.
	let unknown = rpc.live_grants(HealthId([7; 32]), Some(true)).await.unwrap();
	assert!(unknown.grants.is_empty(), "{unknown:?}");
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
	assert_eq!(rpc_err(&node, "health_sourceCheck", vec![json!(p_hex), json!("")]).await, 4000);
	assert_eq!(rpc_err(&node, "health_checkAccess", vec![json!({"practitioner":"MD1","hospital":"H1","healthId":p_hex,"categories":["horoscope"],"purpose":"treatment"})]).await, -32602);
	assert_eq!(rpc_err(&node, "health_checkAccess", vec![json!(42)]).await, -32602);
	assert!(rpc.hospital("H0001".into()).await.unwrap().expect("hospital A").active);
	assert!(rpc.practitioner("NOBODY".into()).await.unwrap().is_none());

	// A node that syncs from scratch serves identical logs.
	let (final_n, _) = node.wait_finalized(node.best_number().await).await;
	let fresh = Node::start(NodeConfig::dev_full_node(&node, 2)).await;
	fresh.wait_finalized(final_n).await;
	let at_final = Some(PageParams { finalized: true, ..Default::default() });
	let (a, b) = (
		rpc.access_log(p, at_final.clone()).await.unwrap(),
		fresh.rpc().access_log(p, at_final.clone()).await.unwrap(),
	);
	assert_eq!((a.entries, a.head), (b.entries, b.head), "same access log");
	let (a, b) = (
		rpc.records(p, at_final.clone()).await.unwrap(),
		fresh.rpc().records(p, at_final).await.unwrap(),
	);
	assert_eq!((a.entries, a.head), (b.entries, b.head), "same record log");
}

/// `AccessLog.attest_batch` on a real node: each access decided on its own, the permitted ones
/// logged with the entries single attestations make (verified with the one log verification),
/// a refused one reported with its position and the reason `health_checkAccess` gives.
#[tokio::test(flavor = "multi_thread")]
async fn a_batch_is_logged_as_single_attestations_and_each_refusal_is_reported() {
	use healthchain_primitives::logs::AttestRefusal;
	let node = Node::start(NodeConfig::dev()).await;
	node.wait_finalized(1).await;
	let client = node.client().await;
	let rpc = node.rpc();
	let (gw_a, p) = (dev::dave(), demo_patient());
	submit(&client, &dev::two(), &calls::enrol(p, calls::all_sources())).await;
	// An attestation names only records live in the patient's log: three are anchored.
	for record in 1..=3 {
		submit(&client, &gw_a, &anchor(p, DataCategory::Allergy, record, 100)).await;
	}
	let access = |doctor: &str, record: u8| {
		calls::access(p, doctor, &[DataCategory::Allergy], &[hash(record)], Purpose::Treatment)
	};

	// The second access names a doctor of hospital B at hospital A's gateway; the last, a
	// record never anchored for the patient.
	let batch = vec![
		access("MD10001", 1),
		access("MD10002", 2),
		access("MD10001", 3),
		access("MD10001", 9),
	];
	let included = submit(&client, &gw_a, &calls::attest_batch(batch)).await;
	let refusals = included
		.events
		.find::<runtime::access_log::events::AttestationRefused>()
		.collect::<Result<Vec<_>, _>>()
		.expect("the events decode");
	assert_eq!(refusals.len(), 2, "two accesses refused");
	let refused = &refusals[0];
	assert_eq!((refused.index, refused.health_id.0), (1, p));
	let decision = rpc.check_access(check_allergies("MD10002", "H0001", p)).await.unwrap();
	let Decision::Deny(reason) = decision.decision else { panic!("{decision:?}") };
	assert_eq!(refused.reason.0, AttestRefusal::AccessDenied(reason));
	assert_eq!(
		(refusals[1].index, refusals[1].reason.0),
		(3, AttestRefusal::RecordNotLive),
		"a record not in the patient's log"
	);
	let attested = included
		.events
		.find::<runtime::access_log::events::AccessAttested>()
		.collect::<Result<Vec<_>, _>>()
		.expect("the events decode");
	assert_eq!(attested.iter().map(|e| e.index).collect::<Vec<_>>(), vec![0, 1]);

	// A single attestation after it: the log holds three entries of one form, verified.
	submit(&client, &gw_a, &attest(p, "MD10001")).await;
	let entries: Vec<AccessEntry> = verified_log(&rpc.access_log(p, None).await.unwrap());
	assert_eq!(entries.len(), 3);
	for (entry, record) in entries.iter().zip([1u8, 3, 1]) {
		assert_eq!(entry.hospital.to_vec(), b"H0001".to_vec());
		assert_eq!(entry.practitioner.to_vec(), b"MD10001".to_vec());
		assert_eq!(entry.basis, AccessBasis::Enrolment);
		assert_eq!(entry.records.to_vec(), vec![hash(record)]);
	}

	// An empty batch, and a batch from a patient's key: refused, nothing logged.
	let empty = try_submit(&client, &gw_a, &calls::attest_batch(vec![])).await;
	assert_eq!(pallet_error(empty), "EmptyBatch");
	let (patient, batch) = (dev::two(), calls::attest_batch(vec![access("MD10001", 4)]));
	let refused = try_submit(&client, &patient, &batch)
		.await
		.err()
		.expect("the permission gate refuses a patient's attestation")
		.to_string();
	assert!(refused.contains("custom error: 11"), "outside the patient's role: {refused}");
	assert_eq!(rpc.access_log(p, None).await.unwrap().count, 3);
}

/// The next notice of a `health_subscribeNotices` subscription (a bounded wait, so a missing
/// notice fails the test instead of hanging it).
async fn next_notice(
	sub: &mut jsonrpsee::core::client::Subscription<healthchain_tests::rpc::NoticeAnswer>,
) -> healthchain_tests::rpc::NoticeAnswer {
	tokio::time::timeout(std::time::Duration::from_secs(120), sub.next())
		.await
		.expect("a notice within two minutes")
		.expect("the subscription is open")
		.expect("a notice that parses")
}

/// `health_subscribeNotices` (issue 32, notice of every access): a notification relay is told,
/// per finalized block, of each new access-log entry (verifiable against the head at the
/// notice's block) and each new consent request; it resumes from an earlier notice's count
/// without a gap, and a count past the log is refused.
#[tokio::test(flavor = "multi_thread")]
async fn a_relay_is_told_of_every_new_access_and_request() {
	use jsonrpsee::ws_client::WsClientBuilder;
	let node = Node::start(NodeConfig::dev()).await;
	node.wait_finalized(1).await;
	let client = node.client().await;
	let rpc = node.rpc();
	let (patient_key, gw_a, gw_b, p) = (dev::two(), dev::dave(), dev::eve(), demo_patient());
	submit(&client, &patient_key, &calls::enrol(p, calls::all_sources())).await;
	submit(&client, &gw_a, &anchor(p, DataCategory::Allergy, 1, 100)).await;
	submit(&client, &gw_a, &attest(p, "MD10001")).await;
	let ws = WsClientBuilder::default().build(node.ws_url()).await.expect("a WebSocket client");

	// A malformed health ID is refused with the standard invalid-params code.
	use jsonrpsee::core::client::SubscriptionClientT;
	let malformed = ws
		.subscribe::<Json, _>(
			"health_subscribeNotices",
			jsonrpsee::rpc_params!["0x12"],
			"health_unsubscribeNotices",
		)
		.await;
	match malformed {
		Err(jsonrpsee::core::ClientError::Call(e)) => assert_eq!(e.code(), -32602, "{e:?}"),
		other => panic!("a malformed health ID should be refused, got {other:?}"),
	}
	// A count past the log is refused with the page code.
	match ws.subscribe_notices(p, Some(5)).await {
		Err(jsonrpsee::core::ClientError::Call(e)) => assert_eq!(e.code(), 4001, "{e:?}"),
		other => panic!("sinceAccess 5 should be refused, got {other:?}"),
	}

	// From the start of the log: the first notice carries the one access so far, once it is
	// final.
	let mut from_start = ws.subscribe_notices(p, Some(0)).await.expect("a subscription");
	let mut first = next_notice(&mut from_start).await;
	while first.access_count < 1 {
		first = next_notice(&mut from_start).await;
	}
	assert_eq!(first.health_id, p);
	assert_eq!(first.accesses.len(), 1, "{first:?}");
	assert_eq!(first.accesses[0].index, 0);
	assert_eq!(first.accesses[0].entry.practitioner, "MD10001");
	assert!(first.requests.is_empty());
	// From now on: a baseline with nothing in it.
	let mut from_now = ws.subscribe_notices(p, None).await.expect("a subscription");
	let baseline = next_notice(&mut from_now).await;
	assert!(baseline.accesses.is_empty() && baseline.requests.is_empty(), "{baseline:?}");

	// A per-request hospital asks, and an emergency access is opened and used.
	let request =
		calls::request_access(p, "MD10002", &[DataCategory::Allergy], Purpose::Treatment, None);
	submit(&client, &gw_b, &request).await;
	let emergency = calls::open_emergency_access(p, "MD10001", calls::EmergencyReason::Unconscious);
	submit(&client, &gw_a, &emergency).await;
	let read =
		calls::attest(p, "MD10001", &[DataCategory::Allergy], &[hash(1)], Purpose::Emergency);
	submit(&client, &gw_a, &read).await;

	// Both relays hear of them: the request once, the emergency access once, in notices at
	// finalized blocks, each entry verifiable against the log head at that block.
	for sub in [&mut from_start, &mut from_now] {
		let (mut requests, mut accesses) = (vec![], vec![]);
		while requests.is_empty() || accesses.is_empty() {
			let notice = next_notice(sub).await;
			let page = rpc
				.access_log(p, Some(PageParams { limit: Some(100), ..Default::default() }))
				.await
				.unwrap();
			assert!(page.count >= notice.access_count, "the notice's block is final");
			if let Some(newest) = notice.accesses.first() {
				let head_then = page
					.entries
					.iter()
					.find(|e| e.index == notice.access_count - 1)
					.map(|e| e.head)
					.expect("the notice's newest entry is in the log");
				assert_eq!(newest.head, head_then, "the notice's entries are the log's");
				assert!(
					healthchain_primitives::logs::verify_page(
						newest.head,
						None,
						notice.accesses.iter().map(|e| e.link())
					)
					.is_ok(),
					"a notice's entries verify as a log page"
				);
			}
			requests.extend(notice.requests);
			accesses.extend(notice.accesses);
		}
		assert_eq!(requests.len(), 1, "{requests:?}");
		assert_eq!(
			(requests[0].hospital.as_str(), requests[0].practitioner.as_str()),
			("H0002", "MD10002")
		);
		assert_eq!(accesses.len(), 1, "{accesses:?}");
		assert_eq!(accesses[0].index, 1);
		assert_eq!(accesses[0].entry.purpose, Purpose::Emergency);
		assert_eq!(accesses[0].entry.basis, AccessBasis::Emergency(0));
	}
}
