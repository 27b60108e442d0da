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

use crate::common::{dev_chain, holder};

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

/// Issue 28's refusals on the real runtime: what a signer inside its role can no longer do.
mod misbehaviour_inside_a_role {
	use super::*;
	use frame_support::{assert_noop, assert_ok};
	use healthchain_runtime::RuntimeOrigin;
	use pallet_consent::{EmergencyReason, Review};

	fn hospital_a() -> healthchain_primitives::HospitalCode {
		BoundedVec::truncate_from(demo::DEMO_HOSPITAL_A.to_vec())
	}

	#[test]
	fn a_hospital_cannot_review_the_emergency_access_it_opened() {
		dev_chain().execute_with(|| {
			let (_, patient) = patient_key();
			let gw = gateway();
			let review = RuntimeCall::Consent(pallet_consent::Call::review_emergency_access {
				emergency_id: 0,
				review: Review::Justified,
			});
			// Outside a gateway's role at the pool, in a batch too...
			assert_eq!(gate(&gw, &review), Err(codes::CALL_OUTSIDE_ROLE));
			let open = RuntimeCall::Consent(pallet_consent::Call::open_emergency_access {
				health_id: patient,
				practitioner: BoundedVec::truncate_from(demo::DEMO_DOCTOR_A.to_vec()),
				reason: EmergencyReason::Unconscious,
			});
			let batch_all =
				RuntimeCall::Utility(pallet_utility::Call::batch_all { calls: vec![open, review] });
			assert_eq!(gate(&gw, &batch_all), Err(codes::CALL_OUTSIDE_ROLE));
			// ...and refused at dispatch.
			assert_ok!(pallet_consent::Pallet::<Runtime>::open_emergency_access(
				RuntimeOrigin::signed(gw.clone()),
				patient,
				BoundedVec::truncate_from(demo::DEMO_DOCTOR_A.to_vec()),
				EmergencyReason::Unconscious,
			));
			assert_noop!(
				pallet_consent::Pallet::<Runtime>::review_emergency_access(
					RuntimeOrigin::signed(gw),
					0,
					Review::Justified
				),
				pallet_consent::Error::<Runtime>::OpenerCannotReview
			);
			let authority = holder(|r| matches!(r, Role::LicensingAuthority));
			let review = RuntimeCall::Consent(pallet_consent::Call::review_emergency_access {
				emergency_id: 0,
				review: Review::Justified,
			});
			assert_eq!(gate(&authority, &review), Ok(PRIORITY_PARTICIPANT));
		});
	}

	#[test]
	fn a_patient_key_is_never_made_a_gateway_and_keeps_its_rebind_calls() {
		dev_chain().execute_with(|| {
			let (key, own) = patient_key();
			let gw = gateway();
			let add = RuntimeCall::Participants(pallet_participants::Call::add_gateway {
				hospital: hospital_a(),
				gateway: key.clone(),
			});
			assert_eq!(gate(&gw, &add), Ok(PRIORITY_PARTICIPANT), "a gateway's call");
			assert_noop!(
				pallet_participants::Pallet::<Runtime>::add_gateway(
					RuntimeOrigin::signed(gw),
					hospital_a(),
					key.clone()
				),
				pallet_participants::Error::<Runtime>::PatientKey
			);
			let cancel =
				RuntimeCall::HealthIds(pallet_health_id::Call::cancel_rebind { health_id: own });
			assert_eq!(gate(&key, &cancel), Ok(PRIORITY_PATIENT));
		});
	}

	#[test]
	fn a_suspended_hospital_is_refused_at_the_pool_for_every_call() {
		dev_chain().execute_with(|| {
			let (_, patient) = patient_key();
			let gw = gateway();
			assert_ok!(pallet_participants::Pallet::<Runtime>::set_hospital_status(
				RuntimeOrigin::root(),
				hospital_a(),
				pallet_participants::HospitalStatus::Suspended
			));
			let add = RuntimeCall::Participants(pallet_participants::Call::add_gateway {
				hospital: hospital_a(),
				gateway: AccountId::new([0x42; 32]),
			});
			for call in [attest(patient), add, remark()] {
				assert_eq!(gate(&gw, &call), Err(codes::SUSPENDED));
			}
			// The council still removes its last gateway.
			assert_ok!(pallet_participants::Pallet::<Runtime>::remove_gateway(
				RuntimeOrigin::root(),
				hospital_a(),
				gw.clone()
			));
			assert_eq!(gate(&gw, &remark()), Err(codes::NOT_PERMITTED));
		});
	}

	#[test]
	fn the_calls_that_protect_a_patient_are_outside_the_day_quota() {
		dev_chain().execute_with(|| {
			use healthchain_runtime::configs::permissions::RoleBoundCalls;
			use pallet_participants::{CallKind, CallPolicy};
			let (_, own) = patient_key();
			let withdraw = RuntimeCall::Consent(pallet_consent::Call::withdraw { health_id: own });
			let refuse = RuntimeCall::Consent(pallet_consent::Call::respond {
				request_id: 0,
				approve: false,
			});
			let approve = RuntimeCall::Consent(pallet_consent::Call::respond {
				request_id: 0,
				approve: true,
			});
			let cancel =
				RuntimeCall::HealthIds(pallet_health_id::Call::cancel_rebind { health_id: own });
			for call in [&withdraw, &refuse, &cancel] {
				assert_eq!(RoleBoundCalls::kind(call), CallKind::Protective, "{call:?}");
			}
			assert_eq!(RoleBoundCalls::kind(&approve), CallKind::Ordinary);
			assert_eq!(RoleBoundCalls::kind(&opt_in(own)), CallKind::Ordinary);
			assert_eq!(
				RoleBoundCalls::kind(&batch(vec![withdraw.clone(), cancel])),
				CallKind::Protective
			);
			assert_eq!(
				RoleBoundCalls::kind(&batch(vec![withdraw, opt_in(own)])),
				CallKind::Ordinary
			);
			assert_eq!(RoleBoundCalls::kind(&batch(vec![])), CallKind::Ordinary);
		});
	}
}
