//! Unit tests: every call and every error of the health-id pallet.

use crate::{mock::*, Controller, Controllers, DeactivationReason, Error, Event, HealthIdStatus};
use frame_support::{assert_noop, assert_ok};
use healthchain_primitives::{document::health_id_of, DenyReason, DocumentKind, HealthId};

const SECRET: [u8; 32] = [42u8; 32];

fn hid(n: &str) -> HealthId {
	health_id_of(&SECRET, DocumentKind::ThaiCitizenId, n).expect("valid test ID")
}
fn somchai() -> HealthId {
	hid("1101700230708")
}
fn register(id: HealthId, controller: Controller<u64>) -> frame_support::dispatch::DispatchResult {
	Ids::register(
		RuntimeOrigin::signed(REGISTRAR),
		id,
		DocumentKind::ThaiCitizenId,
		true,
		controller,
	)
}
fn last_event() -> RuntimeEvent {
	System::events().pop().expect("an event").event
}

#[test]
fn registrar_registers_with_key() {
	new_test_ext().execute_with(|| {
		assert_ok!(register(somchai(), Controller::Key(PATIENT)));
		let rec = crate::HealthIds::<Test>::get(somchai()).unwrap();
		assert_eq!(rec.controller, Controller::Key(PATIENT));
		assert_eq!(rec.status, HealthIdStatus::Active);
		assert_eq!(rec.registered_by, REGISTRAR);
		assert!(Ids::is_patient_controller(&PATIENT));
		assert_eq!(Ids::health_id_of_controller(&PATIENT), Some(somchai()));
		assert_eq!(System::providers(&PATIENT), 1, "the patient's key can sign");
		assert_eq!(
			last_event(),
			RuntimeEvent::Ids(Event::Registered {
				health_id: somchai(),
				document: DocumentKind::ThaiCitizenId,
				assisted: false,
				registrar: REGISTRAR
			})
		);
	});
}

#[test]
fn registrar_registers_assisted_and_passport() {
	new_test_ext().execute_with(|| {
		let migrant =
			health_id_of(&SECRET, DocumentKind::Passport { country: *b"MMR" }, "MB123456").unwrap();
		assert_ok!(Ids::register(
			RuntimeOrigin::signed(REGISTRAR),
			migrant,
			DocumentKind::Passport { country: *b"MMR" },
			true,
			Controller::Assisted
		));
		assert_eq!(
			crate::HealthIds::<Test>::get(migrant).unwrap().controller,
			Controller::Assisted
		);
		assert_eq!(
			last_event(),
			RuntimeEvent::Ids(Event::Registered {
				health_id: migrant,
				document: DocumentKind::Passport { country: *b"MMR" },
				assisted: true,
				registrar: REGISTRAR
			})
		);
	});
}

#[test]
fn only_registrars_register() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			Ids::register(
				RuntimeOrigin::signed(GW_A),
				somchai(),
				DocumentKind::ThaiCitizenId,
				true,
				Controller::Assisted
			),
			Error::<Test>::NotRegistrar
		);
		// Nobody registers themselves either.
		assert_noop!(
			Ids::register(
				RuntimeOrigin::signed(PATIENT),
				somchai(),
				DocumentKind::ThaiCitizenId,
				true,
				Controller::Key(PATIENT)
			),
			Error::<Test>::NotRegistrar
		);
	});
}

#[test]
fn adults_only_and_no_duplicates() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			Ids::register(
				RuntimeOrigin::signed(REGISTRAR),
				somchai(),
				DocumentKind::ThaiCitizenId,
				false,
				Controller::Key(PATIENT)
			),
			Error::<Test>::NotAdult
		);
		assert_ok!(register(somchai(), Controller::Key(PATIENT)));
		assert_noop!(register(somchai(), Controller::Assisted), Error::<Test>::AlreadyRegistered);
	});
}

#[test]
fn controller_keys_are_unique_and_not_participants() {
	new_test_ext().execute_with(|| {
		assert_ok!(register(somchai(), Controller::Key(PATIENT)));
		let other = hid("1101700230716");
		assert_noop!(register(other, Controller::Key(PATIENT)), Error::<Test>::ControllerInUse);
		assert_noop!(register(other, Controller::Key(GW_A)), Error::<Test>::ControllerInUse);
	});
}

#[test]
fn rebind_after_lost_phone() {
	new_test_ext().execute_with(|| {
		assert_ok!(register(somchai(), Controller::Key(PATIENT)));
		assert_ok!(Ids::rebind_controller(
			RuntimeOrigin::signed(REGISTRAR),
			somchai(),
			Controller::Key(NEW_PHONE)
		));
		assert!(!Ids::is_patient_controller(&PATIENT));
		assert_eq!(System::providers(&PATIENT), 0);
		assert_eq!(Ids::health_id_of_controller(&NEW_PHONE), Some(somchai()));
		assert_eq!(
			last_event(),
			RuntimeEvent::Ids(Event::ControllerRebound {
				health_id: somchai(),
				assisted: false,
				registrar: REGISTRAR
			})
		);
		assert_noop!(
			Ids::rebind_controller(
				RuntimeOrigin::signed(REGISTRAR),
				somchai(),
				Controller::Key(NEW_PHONE)
			),
			Error::<Test>::SameController
		);
		assert_ok!(Ids::rebind_controller(
			RuntimeOrigin::signed(REGISTRAR),
			somchai(),
			Controller::Assisted
		));
		assert!(Controllers::<Test>::iter().next().is_none());
		assert_noop!(
			Ids::rebind_controller(RuntimeOrigin::signed(GW_A), somchai(), Controller::Assisted),
			Error::<Test>::NotRegistrar
		);
		assert_noop!(
			Ids::rebind_controller(
				RuntimeOrigin::signed(REGISTRAR),
				hid("1101700230716"),
				Controller::Assisted
			),
			Error::<Test>::UnknownHealthId
		);
	});
}

#[test]
fn rebind_to_a_key_in_use_fails_and_keeps_the_old_key() {
	new_test_ext().execute_with(|| {
		assert_ok!(register(somchai(), Controller::Key(PATIENT)));
		assert_ok!(register(hid("1101700230716"), Controller::Key(NEW_PHONE)));
		assert_noop!(
			Ids::rebind_controller(
				RuntimeOrigin::signed(REGISTRAR),
				somchai(),
				Controller::Key(NEW_PHONE)
			),
			Error::<Test>::ControllerInUse
		);
		assert_eq!(Ids::health_id_of_controller(&PATIENT), Some(somchai()));
	});
}

#[test]
fn deactivate_removes_rights() {
	new_test_ext().execute_with(|| {
		assert_ok!(register(somchai(), Controller::Key(PATIENT)));
		assert_noop!(
			Ids::deactivate(RuntimeOrigin::signed(GW_A), somchai(), DeactivationReason::Deceased),
			Error::<Test>::NotRegistrar
		);
		assert_ok!(Ids::deactivate(
			RuntimeOrigin::signed(REGISTRAR),
			somchai(),
			DeactivationReason::Deceased
		));
		assert!(!Ids::is_patient_controller(&PATIENT));
		assert_eq!(System::providers(&PATIENT), 0);
		assert_eq!(Ids::active_record(&somchai()), Err(DenyReason::PatientDeactivated));
		assert_eq!(Ids::active_record(&hid("1101700230716")), Err(DenyReason::UnknownPatient));
		assert_eq!(
			last_event(),
			RuntimeEvent::Ids(Event::Deactivated {
				health_id: somchai(),
				reason: DeactivationReason::Deceased,
				registrar: REGISTRAR
			})
		);
		assert_noop!(
			Ids::deactivate(
				RuntimeOrigin::signed(REGISTRAR),
				somchai(),
				DeactivationReason::Duplicate
			),
			Error::<Test>::HealthIdDeactivated
		);
		assert_noop!(
			Ids::rebind_controller(
				RuntimeOrigin::signed(REGISTRAR),
				somchai(),
				Controller::Key(NEW_PHONE)
			),
			Error::<Test>::HealthIdDeactivated
		);
		assert_noop!(
			Ids::deactivate(
				RuntimeOrigin::signed(REGISTRAR),
				hid("1101700230716"),
				DeactivationReason::Other
			),
			Error::<Test>::UnknownHealthId
		);
		// The key is free again: it can be bound to another (re-verified) health ID.
		assert_ok!(register(hid("1101700230716"), Controller::Key(PATIENT)));
	});
}
