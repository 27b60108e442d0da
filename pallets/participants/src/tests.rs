//! Unit tests: every call and every error of the participants pallet.

use crate::{mock::*, Error, Event, HospitalStatus, LicenceStatus, RegistrarKind, Role, *};
use frame_support::{assert_noop, assert_ok};
use healthchain_primitives::{ConsentPolicy, DenyReason};
use sp_runtime::DispatchError;

fn root() -> RuntimeOrigin {
	RuntimeOrigin::root()
}
fn signed(who: u64) -> RuntimeOrigin {
	RuntimeOrigin::signed(who)
}
fn last_event() -> RuntimeEvent {
	System::events().pop().expect("an event").event
}

#[test]
fn genesis_sets_roles_and_providers() {
	new_test_ext().execute_with(|| {
		assert_eq!(Roles::<Test>::get(OPERATOR), Some(Role::Operator));
		assert_eq!(Roles::<Test>::get(GW_A), Some(Role::Gateway(code("A001"))));
		assert_eq!(Roles::<Test>::get(REGISTRAR), Some(Role::Registrar));
		assert_eq!(Roles::<Test>::get(COUNCIL), Some(Role::LicensingAuthority));
		for who in [OPERATOR, GW_A, GW_B, REGISTRAR, COUNCIL] {
			assert_eq!(System::providers(&who), 1, "account {who} can sign");
		}
		assert_eq!(System::providers(&STRANGER), 0);
	});
}

#[test]
fn admit_hospital_works_and_needs_admin() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			Participants::admit_hospital(
				signed(OPERATOR),
				code("C003"),
				name("C"),
				ConsentPolicy::OneTime,
				60
			),
			DispatchError::BadOrigin
		);
		assert_ok!(Participants::admit_hospital(
			root(),
			code("C003"),
			name("Hospital C"),
			ConsentPolicy::PerRequest,
			60
		));
		let h = Hospitals::<Test>::get(code("C003")).unwrap();
		assert_eq!(h.policy, ConsentPolicy::PerRequest);
		assert_eq!(h.status, HospitalStatus::Active);
		assert_eq!(h.gateways.into_inner(), vec![60]);
		assert_eq!(Participants::hospital_of_gateway(&60), Some(code("C003")));
		assert_eq!(System::providers(&60), 1);
		assert_eq!(
			last_event(),
			RuntimeEvent::Participants(Event::GatewayAdded { hospital: code("C003"), gateway: 60 })
		);
	});
}

#[test]
fn admit_hospital_errors() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			Participants::admit_hospital(
				root(),
				code("A001"),
				name("x"),
				ConsentPolicy::OneTime,
				61
			),
			Error::<Test>::HospitalExists
		);
		assert_noop!(
			Participants::admit_hospital(
				root(),
				code("C003"),
				name("x"),
				ConsentPolicy::OneTime,
				GW_A
			),
			Error::<Test>::AccountInUse
		);
		assert_noop!(
			Participants::admit_hospital(root(), code(""), name("x"), ConsentPolicy::OneTime, 61),
			Error::<Test>::EmptyIdentifier
		);
		assert_noop!(
			Participants::admit_hospital(
				root(),
				code("C003"),
				name(""),
				ConsentPolicy::OneTime,
				61
			),
			Error::<Test>::EmptyIdentifier
		);
	});
}

#[test]
fn suspend_and_reinstate_hospital() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			Participants::set_hospital_status(
				signed(GW_A),
				code("A001"),
				HospitalStatus::Suspended
			),
			DispatchError::BadOrigin
		);
		assert_ok!(Participants::set_hospital_status(
			root(),
			code("A001"),
			HospitalStatus::Suspended
		));
		assert!(!Participants::is_active_hospital(&code("A001")));
		assert_eq!(
			last_event(),
			RuntimeEvent::Participants(Event::HospitalStatusChanged {
				hospital: code("A001"),
				status: HospitalStatus::Suspended
			})
		);
		assert_noop!(
			Participants::set_hospital_status(root(), code("A001"), HospitalStatus::Suspended),
			Error::<Test>::StatusUnchanged
		);
		// A suspended hospital's gateway cannot act.
		assert_noop!(
			Participants::affiliate_practitioner(signed(GW_A), lic("MD1")),
			Error::<Test>::HospitalSuspended
		);
		assert_ok!(Participants::set_hospital_status(root(), code("A001"), HospitalStatus::Active));
		assert!(Participants::is_active_hospital(&code("A001")));
		assert_noop!(
			Participants::set_hospital_status(root(), code("ZZZ"), HospitalStatus::Active),
			Error::<Test>::UnknownHospital
		);
	});
}

#[test]
fn consent_policy_by_own_gateway_or_admin() {
	new_test_ext().execute_with(|| {
		assert_ok!(Participants::set_consent_policy(
			signed(GW_A),
			code("A001"),
			ConsentPolicy::PerRequest
		));
		assert_eq!(Hospitals::<Test>::get(code("A001")).unwrap().policy, ConsentPolicy::PerRequest);
		assert_ok!(Participants::set_consent_policy(root(), code("A001"), ConsentPolicy::OneTime));
		assert_eq!(
			last_event(),
			RuntimeEvent::Participants(Event::ConsentPolicyChanged {
				hospital: code("A001"),
				policy: ConsentPolicy::OneTime
			})
		);
		assert_noop!(
			Participants::set_consent_policy(signed(GW_B), code("A001"), ConsentPolicy::OneTime),
			Error::<Test>::NotThisHospitalsGateway
		);
		assert_noop!(
			Participants::set_consent_policy(
				signed(STRANGER),
				code("A001"),
				ConsentPolicy::OneTime
			),
			Error::<Test>::NotAGateway
		);
		assert_noop!(
			Participants::set_consent_policy(root(), code("ZZZ"), ConsentPolicy::OneTime),
			Error::<Test>::UnknownHospital
		);
	});
}

#[test]
fn add_and_remove_gateways() {
	new_test_ext().execute_with(|| {
		assert_ok!(Participants::add_gateway(signed(GW_A), code("A001"), 11));
		assert_ok!(Participants::add_gateway(root(), code("A001"), 12));
		assert_eq!(Participants::hospital_of_gateway(&11), Some(code("A001")));
		assert_noop!(
			Participants::add_gateway(signed(GW_A), code("A001"), 13),
			Error::<Test>::TooManyGateways
		);
		assert_noop!(
			Participants::add_gateway(signed(GW_A), code("A001"), GW_B),
			Error::<Test>::AccountInUse
		);
		assert_noop!(
			Participants::add_gateway(signed(GW_B), code("A001"), 14),
			Error::<Test>::NotThisHospitalsGateway
		);
		assert_noop!(
			Participants::add_gateway(root(), code("ZZZ"), 14),
			Error::<Test>::UnknownHospital
		);
		assert_ok!(Participants::remove_gateway(signed(11), code("A001"), GW_A));
		assert_eq!(Participants::hospital_of_gateway(&GW_A), None);
		assert_eq!(System::providers(&GW_A), 0);
		assert_eq!(
			last_event(),
			RuntimeEvent::Participants(Event::GatewayRemoved {
				hospital: code("A001"),
				gateway: GW_A
			})
		);
		assert_noop!(
			Participants::remove_gateway(signed(11), code("A001"), GW_A),
			Error::<Test>::UnknownGateway
		);
		assert_ok!(Participants::remove_gateway(root(), code("A001"), 12));
		assert_noop!(
			Participants::remove_gateway(signed(11), code("A001"), 11),
			Error::<Test>::LastGateway
		);
		assert_noop!(
			Participants::remove_gateway(root(), code("ZZZ"), 11),
			Error::<Test>::UnknownHospital
		);
	});
}

#[test]
fn registrars() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			Participants::admit_registrar(
				signed(OPERATOR),
				31,
				RegistrarKind::BankBranch,
				name("b")
			),
			DispatchError::BadOrigin
		);
		assert_ok!(Participants::admit_registrar(
			root(),
			31,
			RegistrarKind::HospitalServicePoint(code("A001")),
			name("A service point")
		));
		assert!(Participants::is_registrar(&31));
		assert_noop!(
			Participants::admit_registrar(root(), 31, RegistrarKind::BankBranch, name("b")),
			Error::<Test>::RegistrarExists
		);
		assert_noop!(
			Participants::admit_registrar(root(), GW_A, RegistrarKind::BankBranch, name("b")),
			Error::<Test>::AccountInUse
		);
		assert_noop!(
			Participants::admit_registrar(
				root(),
				32,
				RegistrarKind::HospitalServicePoint(code("ZZZ")),
				name("b")
			),
			Error::<Test>::UnknownHospital
		);
		assert_noop!(
			Participants::admit_registrar(root(), 32, RegistrarKind::Other, name("")),
			Error::<Test>::EmptyIdentifier
		);
		assert_ok!(Participants::remove_registrar(root(), 31));
		assert!(!Participants::is_registrar(&31));
		assert_eq!(
			last_event(),
			RuntimeEvent::Participants(Event::RegistrarRemoved { registrar: 31 })
		);
		assert_noop!(Participants::remove_registrar(root(), 31), Error::<Test>::UnknownRegistrar);
	});
}

#[test]
fn licensing_authority_is_replaced() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			Participants::set_licensing_authority(root(), GW_A),
			Error::<Test>::AccountInUse
		);
		assert_ok!(Participants::set_licensing_authority(root(), 41));
		assert_eq!(LicensingAuthority::<Test>::get(), Some(41));
		assert_eq!(Roles::<Test>::get(COUNCIL), None);
		assert_eq!(System::providers(&COUNCIL), 0);
		assert_noop!(
			Participants::license_practitioner(signed(COUNCIL), lic("MD9")),
			Error::<Test>::NotLicensingAuthority
		);
		assert_ok!(Participants::license_practitioner(signed(41), lic("MD9")));
	});
}

#[test]
fn licensing_lifecycle() {
	new_test_ext().execute_with(|| {
		assert_ok!(Participants::license_practitioner(signed(COUNCIL), lic("MD2")));
		assert_eq!(
			last_event(),
			RuntimeEvent::Participants(Event::PractitionerLicensed { licence: lic("MD2") })
		);
		assert_noop!(
			Participants::license_practitioner(signed(COUNCIL), lic("MD2")),
			Error::<Test>::PractitionerExists
		);
		assert_noop!(
			Participants::license_practitioner(signed(COUNCIL), lic("")),
			Error::<Test>::EmptyIdentifier
		);
		assert_noop!(
			Participants::license_practitioner(signed(GW_A), lic("MD3")),
			Error::<Test>::NotLicensingAuthority
		);
		assert_ok!(Participants::set_licence_status(
			signed(COUNCIL),
			lic("MD2"),
			LicenceStatus::Suspended
		));
		assert_noop!(
			Participants::set_licence_status(signed(COUNCIL), lic("MD2"), LicenceStatus::Suspended),
			Error::<Test>::StatusUnchanged
		);
		assert_noop!(
			Participants::affiliate_practitioner(signed(GW_A), lic("MD2")),
			Error::<Test>::NotLicensed
		);
		assert_ok!(Participants::set_licence_status(
			signed(COUNCIL),
			lic("MD2"),
			LicenceStatus::Revoked
		));
		assert_noop!(
			Participants::set_licence_status(signed(COUNCIL), lic("MD2"), LicenceStatus::Licensed),
			Error::<Test>::LicenceRevoked
		);
		assert_noop!(
			Participants::set_licence_status(signed(COUNCIL), lic("NONE"), LicenceStatus::Licensed),
			Error::<Test>::UnknownPractitioner
		);
	});
}

#[test]
fn affiliation_and_terms() {
	new_test_ext().execute_with(|| {
		assert_ok!(Participants::license_practitioner(signed(COUNCIL), lic("MD2")));
		assert_noop!(
			Participants::accept_terms(signed(GW_B), lic("MD2")),
			Error::<Test>::NotAffiliated
		);
		assert_ok!(Participants::affiliate_practitioner(signed(GW_B), lic("MD2")));
		assert_eq!(
			last_event(),
			RuntimeEvent::Participants(Event::PractitionerAffiliated {
				licence: lic("MD2"),
				hospital: code("B002")
			})
		);
		assert_noop!(
			Participants::affiliate_practitioner(signed(GW_B), lic("MD2")),
			Error::<Test>::AlreadyAffiliated
		);
		assert_noop!(
			Participants::affiliate_practitioner(signed(GW_B), lic("NONE")),
			Error::<Test>::UnknownPractitioner
		);
		assert_noop!(
			Participants::affiliate_practitioner(signed(STRANGER), lic("MD2")),
			Error::<Test>::NotAGateway
		);
		assert_ok!(Participants::accept_terms(signed(GW_B), lic("MD2")));
		assert_noop!(
			Participants::accept_terms(signed(GW_B), lic("MD2")),
			Error::<Test>::TermsAlreadyAccepted
		);
		assert_noop!(
			Participants::accept_terms(signed(GW_B), lic("NONE")),
			Error::<Test>::UnknownPractitioner
		);
		assert_ok!(Participants::affiliate_practitioner(signed(GW_A), lic("MD2")));
		assert_ok!(Participants::admit_hospital(
			root(),
			code("C003"),
			name("C"),
			ConsentPolicy::OneTime,
			60
		));
		assert_noop!(
			Participants::affiliate_practitioner(signed(60), lic("MD2")),
			Error::<Test>::TooManyAffiliations
		);
		assert_ok!(Participants::end_affiliation(signed(GW_B), lic("MD2")));
		assert_eq!(
			last_event(),
			RuntimeEvent::Participants(Event::AffiliationEnded {
				licence: lic("MD2"),
				hospital: code("B002")
			})
		);
		assert_noop!(
			Participants::end_affiliation(signed(GW_B), lic("MD2")),
			Error::<Test>::NotAffiliated
		);
		assert_noop!(
			Participants::end_affiliation(signed(GW_B), lic("NONE")),
			Error::<Test>::UnknownPractitioner
		);
		assert_noop!(
			Participants::end_affiliation(signed(STRANGER), lic("MD2")),
			Error::<Test>::NotAGateway
		);
	});
}

#[test]
fn practitioner_check_gives_each_deny_reason() {
	new_test_ext().execute_with(|| {
		let a = code("A001");
		assert_eq!(
			Participants::check_practitioner_at(&lic("MD1"), &a),
			Ok(ConsentPolicy::OneTime)
		);
		assert_eq!(
			Participants::check_practitioner_at(&lic("MD1"), &code("ZZZ")),
			Err(DenyReason::UnknownHospital)
		);
		assert_eq!(
			Participants::check_practitioner_at(&lic("NONE"), &a),
			Err(DenyReason::UnknownPractitioner)
		);
		assert_eq!(
			Participants::check_practitioner_at(&lic("MD1"), &code("B002")),
			Err(DenyReason::NotAffiliated)
		);
		assert_ok!(Participants::license_practitioner(signed(COUNCIL), lic("MD2")));
		assert_ok!(Participants::affiliate_practitioner(signed(GW_A), lic("MD2")));
		assert_eq!(
			Participants::check_practitioner_at(&lic("MD2"), &a),
			Err(DenyReason::TermsNotAccepted)
		);
		assert_ok!(Participants::set_licence_status(
			signed(COUNCIL),
			lic("MD1"),
			LicenceStatus::Suspended
		));
		assert_eq!(
			Participants::check_practitioner_at(&lic("MD1"), &a),
			Err(DenyReason::PractitionerNotLicensed)
		);
		assert_ok!(Participants::set_hospital_status(root(), a.clone(), HospitalStatus::Suspended));
		assert_eq!(
			Participants::check_practitioner_at(&lic("MD2"), &a),
			Err(DenyReason::HospitalSuspended)
		);
	});
}

#[test]
fn operators_follow_council_membership() {
	use frame_support::traits::ChangeMembers;
	new_test_ext().execute_with(|| {
		<Participants as ChangeMembers<u64>>::change_members_sorted(&[2], &[OPERATOR], &[2]);
		assert_eq!(Roles::<Test>::get(2), Some(Role::Operator));
		assert_eq!(Roles::<Test>::get(OPERATOR), None);
		assert_eq!(System::providers(&2), 1);
		assert_eq!(System::providers(&OPERATOR), 0);
		// An account with another role does not become an operator, and keeps its role.
		<Participants as ChangeMembers<u64>>::change_members_sorted(&[GW_A], &[], &[2, GW_A]);
		assert_eq!(Roles::<Test>::get(GW_A), Some(Role::Gateway(code("A001"))));
		// Removing a non-operator member leaves its role alone.
		<Participants as ChangeMembers<u64>>::change_members_sorted(&[], &[GW_A], &[2]);
		assert_eq!(Roles::<Test>::get(GW_A), Some(Role::Gateway(code("A001"))));
	});
}

mod gate_and_quotas {
	use super::*;
	use crate::{codes, CheckNonceWithinQuota, CheckPermission, Quota, SignerKind};
	use frame_support::dispatch::{DispatchInfo, GetDispatchInfo};
	use sp_runtime::{
		traits::{DispatchTransaction, Dispatchable},
		transaction_validity::{
			InvalidTransaction, TransactionSource::External, TransactionValidityError,
		},
	};

	fn remark() -> RuntimeCall {
		RuntimeCall::System(frame_system::Call::remark { remark: vec![1] })
	}
	fn remark_with_event() -> RuntimeCall {
		RuntimeCall::System(frame_system::Call::remark_with_event { remark: vec![1] })
	}
	fn custom(code: u8) -> TransactionValidityError {
		InvalidTransaction::Custom(code).into()
	}
	fn gate(who: u64, call: &RuntimeCall) -> Result<u64, TransactionValidityError> {
		CheckPermission::<Test>::new()
			.validate_only(signed(who), call, &DispatchInfo::default(), 0, External, 0)
			.map(|(v, _, _)| v.priority)
	}
	fn quota(
		who: u64,
		nonce: <Test as frame_system::Config>::Nonce,
		call: &RuntimeCall,
	) -> Result<(), TransactionValidityError> {
		CheckNonceWithinQuota::<Test>::from(nonce)
			.validate_only(signed(who), call, &DispatchInfo::default(), 0, External, 0)
			.map(|_| ())
	}
	/// Applies a transaction's quota extension as a block would (validate, then prepare).
	fn apply(who: u64, call: &RuntimeCall) -> Result<(), TransactionValidityError> {
		let nonce = System::account_nonce(who);
		CheckNonceWithinQuota::<Test>::from(nonce)
			.validate_and_prepare(signed(who), call, &call.get_dispatch_info(), 0, 0)
			.map(|_| ())
	}
	fn with_patients(f: impl FnOnce()) {
		new_test_ext().execute_with(|| {
			System::inc_providers(&PATIENT);
			System::inc_providers(&OTHER_PATIENT);
			f()
		})
	}

	#[test]
	fn a_participant_gets_back_what_the_quota_weight_assumes_beyond_its_role() {
		use sp_runtime::traits::TransactionExtension;
		with_patients(|| {
			let call = remark_with_event();
			// The weight charged before dispatch, and what is left of it after.
			let charged = |who: u64| {
				let ext = CheckNonceWithinQuota::<Test>::from(System::account_nonce(who));
				let mut info = call.get_dispatch_info();
				info.extension_weight = ext.weight(&call);
				let full = info.total_weight();
				let post = ext
					.test_run(signed(who), &call, &info, 0, 0, |_| Ok(().into()))
					.expect("valid")
					.expect("dispatched");
				(full, post.actual_weight.expect("set after dispatch"))
			};
			let (full, actual) = charged(PATIENT);
			assert_eq!(actual, full, "a patient's key costs what the weight assumes");
			// The benchmarked difference between a patient's key and a participant's.
			let beyond_role = <() as crate::WeightInfo>::check_nonce_within_quota()
				.saturating_sub(<() as crate::WeightInfo>::check_nonce_within_quota_by_role());
			let (full, actual) = charged(OPERATOR);
			assert_eq!(actual, full - beyond_role, "an operator is found by its role");
		});
	}

	#[test]
	fn the_gate_refuses_strangers_calls_outside_the_role_and_other_patients_ids() {
		with_patients(|| {
			assert_eq!(gate(STRANGER, &remark()), Err(custom(codes::NOT_PERMITTED)));
			assert_eq!(
				gate(REGISTRAR, &remark_with_event()),
				Err(custom(codes::CALL_OUTSIDE_ROLE))
			);
			assert_eq!(gate(PATIENT, &remark()), Err(custom(codes::CALL_OUTSIDE_ROLE)));
			assert_eq!(
				gate(OTHER_PATIENT, &remark_with_event()),
				Err(custom(codes::NOT_FOR_THIS_PATIENT))
			);
			// The codes are distinct.
			let all = [
				codes::NOT_PERMITTED,
				codes::CALL_OUTSIDE_ROLE,
				codes::NOT_FOR_THIS_PATIENT,
				codes::BATCH_TOO_DEEP,
				codes::PERIOD_QUOTA,
				codes::POOL_SHARE,
				codes::BLOCK_QUOTA,
				codes::SUSPENDED,
			];
			for (i, c) in all.iter().enumerate() {
				assert!(!all[..i].contains(c), "code {c} used twice");
			}
		});
	}

	#[test]
	fn the_gate_sets_the_priority_from_the_call_table() {
		with_patients(|| {
			assert_eq!(gate(PATIENT, &remark_with_event()), Ok(1));
			assert_eq!(gate(REGISTRAR, &remark()), Ok(2));
			assert_eq!(gate(OPERATOR, &remark_with_event()), Ok(2));
		});
	}

	#[test]
	fn dispatch_refuses_what_the_gate_would_have_refused() {
		with_patients(|| {
			let (_, origin) = CheckPermission::<Test>::new()
				.validate_and_prepare(signed(REGISTRAR), &remark(), &DispatchInfo::default(), 0, 0)
				.expect("the registrar may remark");
			// The origin carries the signer's call table: another call is filtered.
			let err = remark_with_event().dispatch(origin.clone()).expect_err("filtered");
			assert_eq!(err.error, frame_system::Error::<Test>::CallFiltered.into());
			assert_ok!(remark().dispatch(origin));
		});
	}

	#[test]
	fn a_patient_key_is_bounded_per_block_per_period_and_in_the_pool() {
		with_patients(|| {
			let call = remark_with_event();
			// Quota: 2 a block, 3 a period (10 blocks), 2 in the pool.
			assert_eq!(quota(PATIENT, 0, &call), Ok(()));
			assert_eq!(quota(PATIENT, 1, &call), Ok(()));
			assert_eq!(quota(PATIENT, 2, &call), Err(custom(codes::POOL_SHARE)));
			assert_ok!(apply(PATIENT, &call));
			assert_ok!(apply(PATIENT, &call));
			// A third in the same block waits for the next block.
			assert_eq!(apply(PATIENT, &call), Err(InvalidTransaction::ExhaustsResources.into()));
			System::set_block_number(2);
			// One left this period; one queued ahead of it uses it up.
			assert_eq!(quota(PATIENT, 2, &call), Ok(()));
			assert_eq!(quota(PATIENT, 3, &call), Err(custom(codes::PERIOD_QUOTA)));
			assert_ok!(apply(PATIENT, &call));
			assert_eq!(apply(PATIENT, &call), Err(custom(codes::PERIOD_QUOTA)));
			let used = Usages::<Test>::get(PATIENT);
			assert_eq!((used.in_period, used.in_block), (3, 1));
			// The next period starts afresh.
			System::set_block_number(10);
			assert_ok!(apply(PATIENT, &call));
			// Other accounts have their own counters.
			assert_ok!(apply(REGISTRAR, &remark()));
		});
	}

	#[test]
	fn a_transaction_larger_than_a_block_s_quota_is_refused() {
		with_patients(|| {
			// The mock counts a remark_with_event of n bytes as n calls; a patient may make 2
			// a block.
			let batch_of_three =
				RuntimeCall::System(frame_system::Call::remark_with_event { remark: vec![1; 3] });
			assert_eq!(quota(PATIENT, 0, &batch_of_three), Err(custom(codes::BLOCK_QUOTA)));
			let batch_of_two =
				RuntimeCall::System(frame_system::Call::remark_with_event { remark: vec![1; 2] });
			assert_ok!(apply(PATIENT, &batch_of_two));
			assert_eq!(Usages::<Test>::get(PATIENT).in_block, 2);
			assert_noop!(
				Participants::set_quota(
					root(),
					SignerKind::Patient,
					Some(Quota { per_block: 0, per_period: 3, max_pooled: 2 })
				),
				Error::<Test>::ZeroQuota
			);
		});
	}

	#[test]
	fn governance_sets_and_resets_quotas() {
		with_patients(|| {
			let q = Quota { per_block: 1, per_period: 1, max_pooled: 1 };
			assert_noop!(
				Participants::set_quota(signed(OPERATOR), SignerKind::Patient, Some(q)),
				DispatchError::BadOrigin
			);
			assert_ok!(Participants::set_quota(root(), SignerKind::Patient, Some(q)));
			assert_eq!(
				last_event(),
				Event::QuotaSet { kind: SignerKind::Patient, quota: q }.into()
			);
			assert_eq!(Participants::quota_of(SignerKind::Patient), q);
			assert_eq!(quota(PATIENT, 1, &remark_with_event()), Err(custom(codes::POOL_SHARE)));
			assert_ok!(Participants::set_quota(root(), SignerKind::Patient, None));
			assert_eq!(Participants::quota_of(SignerKind::Patient), PatientQuota::get());
		});
	}

	#[test]
	fn protective_calls_are_outside_the_period_quota_but_bounded_per_block() {
		with_patients(|| {
			let ordinary = remark_with_event();
			let protect = |n: usize| {
				RuntimeCall::System(frame_system::Call::remark_with_event { remark: vec![b'!'; n] })
			};
			// The day's three calls used up: an ordinary call is refused, a protective one is not.
			for block in 1..=2 {
				System::set_block_number(block);
				assert_ok!(apply(PATIENT, &ordinary));
			}
			System::set_block_number(3);
			assert_ok!(apply(PATIENT, &ordinary));
			assert_eq!(apply(PATIENT, &ordinary), Err(custom(codes::PERIOD_QUOTA)));
			assert_ok!(apply(PATIENT, &protect(1)));
			// It did not use the period: still three.
			assert_eq!(Usages::<Test>::get(PATIENT).in_period, 3);
			// At most ProtectiveCallsPerBlock (2) a block, whatever else was made in it.
			assert_eq!(
				apply(PATIENT, &protect(1)),
				Err(InvalidTransaction::ExhaustsResources.into())
			);
			System::set_block_number(4);
			assert_eq!(
				quota(PATIENT, System::account_nonce(PATIENT), &protect(3)),
				Err(custom(codes::BLOCK_QUOTA))
			);
			assert_ok!(apply(PATIENT, &protect(2)));
			assert_eq!(
				apply(PATIENT, &protect(1)),
				Err(InvalidTransaction::ExhaustsResources.into())
			);
		});
	}

	#[test]
	fn a_suspended_signer_is_refused_at_the_pool_with_its_own_code() {
		with_patients(|| {
			let call = RuntimeCall::Participants(crate::Call::add_gateway {
				hospital: code("A001"),
				gateway: 15,
			});
			assert_eq!(gate(GW_A, &call), Ok(2));
			assert_ok!(Participants::set_hospital_status(
				root(),
				code("A001"),
				HospitalStatus::Suspended
			));
			assert_eq!(gate(GW_A, &call), Err(custom(codes::SUSPENDED)));
			// And at dispatch, should a transaction validated before the suspension arrive.
			assert_noop!(
				Participants::add_gateway(signed(GW_A), code("A001"), 15),
				Error::<Test>::HospitalSuspended
			);
			assert_noop!(
				Participants::set_consent_policy(
					signed(GW_A),
					code("A001"),
					ConsentPolicy::OneTime
				),
				Error::<Test>::HospitalSuspended
			);
			// A registrar: suspended by governance, or by its service point's hospital.
			assert_eq!(gate(REGISTRAR, &remark()), Ok(2));
			assert_noop!(
				Participants::set_registrar_status(signed(OPERATOR), REGISTRAR, true),
				DispatchError::BadOrigin
			);
			assert_ok!(Participants::set_registrar_status(root(), REGISTRAR, true));
			assert_eq!(
				last_event(),
				RuntimeEvent::Participants(Event::RegistrarStatusChanged {
					registrar: REGISTRAR,
					suspended: true
				})
			);
			assert_eq!(gate(REGISTRAR, &remark()), Err(custom(codes::SUSPENDED)));
			assert!(!Participants::is_registrar(&REGISTRAR));
			assert_noop!(
				Participants::set_registrar_status(root(), REGISTRAR, true),
				Error::<Test>::StatusUnchanged
			);
			assert_ok!(Participants::set_registrar_status(root(), REGISTRAR, false));
			assert_eq!(gate(REGISTRAR, &remark()), Ok(2));
			assert_ok!(Participants::admit_registrar(
				root(),
				31,
				crate::RegistrarKind::HospitalServicePoint(code("A001")),
				name("A001 desk")
			));
			assert_eq!(gate(31, &remark()), Err(custom(codes::SUSPENDED)));
			assert_ok!(Participants::set_hospital_status(
				root(),
				code("A001"),
				HospitalStatus::Active
			));
			assert_eq!(gate(31, &remark()), Ok(2));
			assert_eq!(gate(GW_A, &call), Ok(2));
		});
	}
}

#[test]
fn a_patient_key_never_gets_a_role() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			Participants::add_gateway(signed(GW_A), code("A001"), PATIENT),
			Error::<Test>::PatientKey
		);
		assert_noop!(
			Participants::add_gateway(root(), code("A001"), OTHER_PATIENT),
			Error::<Test>::PatientKey
		);
		assert_noop!(
			Participants::admit_registrar(root(), PATIENT, crate::RegistrarKind::Other, name("x")),
			Error::<Test>::PatientKey
		);
		assert_noop!(
			Participants::set_licensing_authority(root(), PATIENT),
			Error::<Test>::PatientKey
		);
		assert_noop!(
			Participants::admit_hospital(
				root(),
				code("C003"),
				name("C"),
				ConsentPolicy::OneTime,
				PATIENT
			),
			Error::<Test>::PatientKey
		);
		assert_eq!(
			Participants::grant_role(&PATIENT, Role::Operator),
			Err(Error::<Test>::PatientKey.into())
		);
	});
}

#[test]
fn the_council_removes_any_gateway_the_last_one_included() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			Participants::remove_gateway(signed(GW_B), code("B002"), GW_B),
			Error::<Test>::LastGateway
		);
		assert_ok!(Participants::set_hospital_status(
			root(),
			code("B002"),
			HospitalStatus::Suspended
		));
		assert_ok!(Participants::remove_gateway(root(), code("B002"), GW_B));
		assert_eq!(Participants::hospital_of_gateway(&GW_B), None);
		assert!(Hospitals::<Test>::get(code("B002")).is_some_and(|h| h.gateways.is_empty()));
		// The council can give it a gateway again.
		assert_ok!(Participants::add_gateway(root(), code("B002"), 21));
	});
}
