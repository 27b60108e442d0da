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
				50
			),
			DispatchError::BadOrigin
		);
		assert_ok!(Participants::admit_hospital(
			root(),
			code("C003"),
			name("Hospital C"),
			ConsentPolicy::PerRequest,
			50
		));
		let h = Hospitals::<Test>::get(code("C003")).unwrap();
		assert_eq!(h.policy, ConsentPolicy::PerRequest);
		assert_eq!(h.status, HospitalStatus::Active);
		assert_eq!(h.gateways.into_inner(), vec![50]);
		assert_eq!(Participants::hospital_of_gateway(&50), Some(code("C003")));
		assert_eq!(System::providers(&50), 1);
		assert_eq!(
			last_event(),
			RuntimeEvent::Participants(Event::GatewayAdded { hospital: code("C003"), gateway: 50 })
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
				51
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
			Participants::admit_hospital(root(), code(""), name("x"), ConsentPolicy::OneTime, 51),
			Error::<Test>::EmptyIdentifier
		);
		assert_noop!(
			Participants::admit_hospital(
				root(),
				code("C003"),
				name(""),
				ConsentPolicy::OneTime,
				51
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
			50
		));
		assert_noop!(
			Participants::affiliate_practitioner(signed(50), lic("MD2")),
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
