//! Issue 28 replayed on a development node: each misbehaviour inside a role that was seen
//! against a fresh dev node is refused now, at the pool with its custom code or at dispatch
//! with its pallet error, and the calls that protect a patient still go through.

use healthchain_primitives::{
	demo::{demo_migrant, demo_patient},
	logs::RevocationReason,
	DataCategory, HealthId, Purpose,
};
use healthchain_tests::{
	calls::{self, Assistant, EmergencyReason, Review},
	dev, pallet_error, pool_code,
	runtime::{
		self,
		runtime_types::{
			healthchain_runtime::RuntimeCall,
			pallet_consent::pallet::Call as ConsentCall,
			pallet_participants::{
				pallet::Call as ParticipantsCall,
				types::{HospitalStatus, Quota, SignerKind},
			},
		},
	},
	submit, text, try_submit, Node, NodeConfig, Static,
};
use sp_core::H256;

/// `call` as root, through the development chain's sudo (Alice).
fn sudo(call: RuntimeCall) -> impl healthchain_tests::Payload {
	runtime::tx().sudo().sudo(call)
}

fn attest(id: HealthId, record: H256) -> impl healthchain_tests::Payload {
	calls::attest(id, "MD10001", &[DataCategory::Allergy], &[record], Purpose::Treatment)
}

#[tokio::test(flavor = "multi_thread")]
async fn every_misbehaviour_inside_a_role_is_refused_with_its_code() {
	let node = Node::start(NodeConfig::dev()).await;
	node.wait_finalized(1).await;
	let client = node.client().await;
	let (patient, gw_a, gw_b, registrar) = (dev::two(), dev::dave(), dev::eve(), dev::ferdie());
	let p = demo_patient();
	submit(&client, &patient, &calls::enrol(p, calls::all_sources())).await;

	// A hospital justifies its own emergency access: the review is outside a gateway's role
	// (11), alone or in one batch with the opening.
	let review = calls::review_emergency_access(0, Review::Justified);
	assert_eq!(pool_code(&client, &gw_a, &review, None).await, Some(11));
	let open_and_review = runtime::tx().utility().batch_all(vec![
		RuntimeCall::Consent(ConsentCall::open_emergency_access {
			health_id: Static(p),
			practitioner: text("MD10001"),
			reason: Static(EmergencyReason::Unconscious),
		}),
		RuntimeCall::Consent(ConsentCall::review_emergency_access {
			emergency_id: 0,
			review: Review::Justified,
		}),
	]);
	assert_eq!(pool_code(&client, &gw_a, &open_and_review, None).await, Some(11));

	// A gateway makes a patient's key one of its gateways: refused at dispatch.
	let add_patient_key = runtime::tx()
		.participants()
		.add_gateway(text("H0001"), patient.public_key().to_account_id());
	assert_eq!(pallet_error(try_submit(&client, &gw_a, &add_patient_key).await), "PatientKey");

	// Another hospital writes into the patient's log, or a hash is anchored twice: refused.
	let record = H256::repeat_byte(0x51);
	submit(&client, &gw_a, &calls::anchor(p, DataCategory::Allergy, record, 64, None)).await;
	let revoke = calls::revoke(p, record, RevocationReason::EnteredInError);
	assert_eq!(pallet_error(try_submit(&client, &gw_b, &revoke).await), "NotOwnRecord");
	let again = calls::anchor(p, DataCategory::Allergy, record, 64, None);
	assert_eq!(pallet_error(try_submit(&client, &gw_b, &again).await), "AlreadyAnchored");

	// An attestation names only records live in the patient's log.
	let random = attest(p, H256::repeat_byte(0xee));
	assert_eq!(pallet_error(try_submit(&client, &gw_a, &random).await), "RecordNotLive");
	submit(&client, &gw_a, &attest(p, record)).await;

	// The assisting hospital opts an assisted patient in to sensitive data: a hospital's
	// session allows routine acts only (12 at the pool for the rest).
	let migrant = demo_migrant();
	let at_a = Assistant::Hospital(text("H0001"));
	submit(&client, &registrar, &calls::open_assistance(migrant, at_a)).await;
	let opt_in = calls::set_sensitive_opt_in(migrant, true);
	assert_eq!(pool_code(&client, &gw_a, &opt_in, None).await, Some(12));
	submit(&client, &gw_a, &calls::enrol(migrant, calls::all_sources())).await;
	assert_eq!(pool_code(&client, &gw_a, &calls::withdraw(migrant), None).await, Some(12));

	// A patient over the day's quota still withdraws (and only protective calls pass).
	let tight = Quota { per_block: 4, per_period: 2, max_pooled: 4 };
	let set_quota = RuntimeCall::Participants(ParticipantsCall::set_quota {
		kind: SignerKind::Patient,
		quota: Some(tight),
	});
	submit(&client, &dev::alice(), &sudo(set_quota)).await;
	submit(&client, &patient, &calls::set_sensitive_opt_in(p, true)).await;
	let toggle = calls::set_sensitive_opt_in(p, false);
	assert_eq!(pool_code(&client, &patient, &toggle, None).await, Some(14), "the day's quota");
	submit(&client, &patient, &calls::withdraw(p)).await;

	// A suspended hospital is refused at the pool, for every call (17); the council removes
	// its last gateway, which then signs for nobody (10).
	let suspend = RuntimeCall::Participants(ParticipantsCall::set_hospital_status {
		hospital: text("H0002"),
		status: HospitalStatus::Suspended,
	});
	submit(&client, &dev::alice(), &sudo(suspend)).await;
	let add = runtime::tx()
		.participants()
		.add_gateway(text("H0002"), dev::one().public_key().to_account_id());
	assert_eq!(pool_code(&client, &gw_b, &add, None).await, Some(17));
	let anchor = calls::anchor(p, DataCategory::Allergy, H256::repeat_byte(0x52), 64, None);
	assert_eq!(pool_code(&client, &gw_b, &anchor, None).await, Some(17));
	let remove_last = RuntimeCall::Participants(ParticipantsCall::remove_gateway {
		hospital: text("H0002"),
		gateway: gw_b.public_key().to_account_id(),
	});
	submit(&client, &dev::alice(), &sudo(remove_last)).await;
	assert_eq!(pool_code(&client, &gw_b, &anchor, None).await, Some(10));
}
