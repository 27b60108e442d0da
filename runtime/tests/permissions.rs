//! The permission gate with the runtime's call table, on the development genesis: every role
//! may make its own calls and is refused the others' with the documented codes, batches are
//! checked call by call, and the quotas hold.

use frame_support::traits::Contains;
use healthchain_primitives::{demo, DataCategory, HealthId, Purpose};
use healthchain_runtime::{
	configs::permissions::{NotRemoved, PRIORITY_PARTICIPANT, PRIORITY_PATIENT, PRIORITY_RECORDS},
	AccountId, Runtime, RuntimeCall,
};
use pallet_participants::{codes, CheckNonceWithinQuota, CheckPermission, Role};
use sp_runtime::{
	traits::DispatchTransaction,
	transaction_validity::{InvalidTransaction, TransactionSource, TransactionValidityError},
	BoundedVec,
};

mod common;
use common::{dev_chain, holder};

fn gateway() -> AccountId {
	holder(|r| matches!(r, Role::Gateway(c) if &c[..] == demo::DEMO_HOSPITAL_A))
}

fn patient_key() -> (AccountId, HealthId) {
	pallet_health_id::Controllers::<Runtime>::iter().next().expect("a demo patient key")
}

fn gate(who: &AccountId, call: &RuntimeCall) -> Result<u64, u8> {
	CheckPermission::<Runtime>::allowance(who, call).map(|(_, a)| a.priority)
}

fn remark() -> RuntimeCall {
	RuntimeCall::System(frame_system::Call::remark { remark: vec![0; 1024] })
}

fn opt_in(id: HealthId) -> RuntimeCall {
	RuntimeCall::Consent(pallet_consent::Call::set_sensitive_opt_in { health_id: id, opt_in: true })
}

fn batch(calls: Vec<RuntimeCall>) -> RuntimeCall {
	RuntimeCall::Utility(pallet_utility::Call::batch { calls })
}

fn attest(id: HealthId) -> RuntimeCall {
	RuntimeCall::AccessLog(pallet_access_log::Call::attest {
		health_id: id,
		practitioner: BoundedVec::truncate_from(demo::DEMO_DOCTOR_A.to_vec()),
		categories: BoundedVec::truncate_from(vec![DataCategory::Allergy]),
		records: BoundedVec::truncate_from(vec![sp_core::H256::zero()]),
		purpose: Purpose::Treatment,
	})
}

#[test]
fn a_patient_key_makes_its_own_consent_calls_and_nothing_else() {
	dev_chain().execute_with(|| {
		let (key, own) = patient_key();
		let other = HealthId([0xab; 32]);
		assert_eq!(gate(&key, &opt_in(own)), Ok(PRIORITY_PATIENT));
		assert_eq!(gate(&key, &opt_in(other)), Err(codes::NOT_FOR_THIS_PATIENT));
		assert_eq!(gate(&key, &remark()), Err(codes::CALL_OUTSIDE_ROLE));
		assert_eq!(gate(&key, &attest(own)), Err(codes::CALL_OUTSIDE_ROLE));
		let claim = RuntimeCall::NodeAuthorization(pallet_node_authorization::Call::claim_node {
			node: sp_core::OpaquePeerId(vec![1; 38]),
		});
		assert_eq!(gate(&key, &claim), Err(codes::CALL_OUTSIDE_ROLE));
		// Batches are checked call by call, nested ones too, and bounded in depth.
		assert_eq!(gate(&key, &batch(vec![opt_in(own), opt_in(own)])), Ok(PRIORITY_PATIENT));
		assert_eq!(gate(&key, &batch(vec![opt_in(own), remark()])), Err(codes::CALL_OUTSIDE_ROLE));
		assert_eq!(gate(&key, &batch(vec![batch(vec![remark()])])), Err(codes::CALL_OUTSIDE_ROLE));
		assert_eq!(
			gate(&key, &batch(vec![batch(vec![batch(vec![opt_in(own)])])])),
			Err(codes::BATCH_TOO_DEEP)
		);
		// A stranger is refused as before.
		assert_eq!(gate(&AccountId::new([9; 32]), &opt_in(own)), Err(codes::NOT_PERMITTED));
	});
}

#[test]
fn each_role_makes_its_own_calls_only() {
	dev_chain().execute_with(|| {
		let (_, patient) = patient_key();
		let gw = gateway();
		assert_eq!(gate(&gw, &attest(patient)), Ok(PRIORITY_RECORDS));
		assert_eq!(gate(&gw, &remark()), Err(codes::CALL_OUTSIDE_ROLE));
		// A patient with a key: the gateway never acts for them.
		assert_eq!(gate(&gw, &opt_in(patient)), Err(codes::NOT_FOR_THIS_PATIENT));

		let registrar = holder(|r| matches!(r, Role::Registrar));
		let deactivate = RuntimeCall::HealthIds(pallet_health_id::Call::deactivate {
			health_id: patient,
			reason: pallet_health_id::DeactivationReason::Other,
		});
		assert_eq!(gate(&registrar, &deactivate), Ok(PRIORITY_PARTICIPANT));
		assert_eq!(gate(&registrar, &attest(patient)), Err(codes::CALL_OUTSIDE_ROLE));

		let authority = holder(|r| matches!(r, Role::LicensingAuthority));
		let license = RuntimeCall::Participants(pallet_participants::Call::license_practitioner {
			licence: BoundedVec::truncate_from(b"MD99999".to_vec()),
		});
		assert_eq!(gate(&authority, &license), Ok(PRIORITY_PARTICIPANT));
		assert_eq!(gate(&authority, &opt_in(patient)), Err(codes::CALL_OUTSIDE_ROLE));
		assert_eq!(gate(&gw, &license), Err(codes::CALL_OUTSIDE_ROLE));

		let operator = holder(|r| matches!(r, Role::Operator));
		assert_eq!(gate(&operator, &remark()), Ok(PRIORITY_PARTICIPANT));
	});
}

#[test]
fn removed_calls_are_filtered_at_dispatch_for_every_signed_origin() {
	let claim = RuntimeCall::NodeAuthorization(pallet_node_authorization::Call::claim_node {
		node: sp_core::OpaquePeerId(vec![1; 38]),
	});
	assert!(!NotRemoved::contains(&claim));
	assert!(NotRemoved::contains(&remark()));
	dev_chain().execute_with(|| {
		let operator = holder(|r| matches!(r, Role::Operator));
		assert_eq!(gate(&operator, &claim), Err(codes::CALL_OUTSIDE_ROLE));
	});
}

#[test]
fn a_patient_key_holds_at_most_its_pool_share() {
	dev_chain().execute_with(|| {
		let (key, own) = patient_key();
		let quota = pallet_participants::Pallet::<Runtime>::quota_of(
			pallet_participants::SignerKind::Patient,
		);
		let check = |nonce: u32, call: &RuntimeCall| {
			CheckNonceWithinQuota::<Runtime>::from(nonce)
				.validate_only(
					frame_system::RawOrigin::Signed(key.clone()).into(),
					call,
					&Default::default(),
					0,
					TransactionSource::External,
					0,
				)
				.map(|_| ())
		};
		assert_eq!(check(0, &opt_in(own)), Ok(()));
		assert_eq!(
			check(quota.max_pooled, &opt_in(own)),
			Err(TransactionValidityError::Invalid(InvalidTransaction::Custom(codes::POOL_SHARE)))
		);
		let too_big = batch((0..=quota.per_block).map(|_| opt_in(own)).collect());
		assert_eq!(
			check(0, &too_big),
			Err(TransactionValidityError::Invalid(InvalidTransaction::Custom(codes::BLOCK_QUOTA)))
		);
	});
}
