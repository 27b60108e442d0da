//! Unit tests: every call and every error of the health-id pallet.

use crate::{
	mock::*, Controller, Controllers, DeactivationReason, Error, Event, HealthIdStatus,
	KeyCancelledRebind, LinkedCount, LinkedDocuments, PendingKeys, PendingRebind, PendingRebinds,
};
use frame_support::{assert_noop, assert_ok};
use healthchain_primitives::{document::health_id_of, DenyReason, DocumentKind, HealthId};
use sp_runtime::DispatchError;

const SECRET: [u8; 32] = [42u8; 32];

fn hid(n: &str) -> HealthId {
	health_id_of(&SECRET, DocumentKind::ThaiCitizenId, n).expect("valid test ID")
}
fn somchai() -> HealthId {
	hid("1101700230708")
}
/// The keyed hash of a passport, derived like a health ID.
fn passport(country: [u8; 3], number: &str) -> HealthId {
	health_id_of(&SECRET, DocumentKind::Passport { country }, number).expect("valid test passport")
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

/// Schedules rebinding `id` to `controller` by `REGISTRAR`.
fn schedule(id: HealthId, controller: Controller<u64>) -> frame_support::dispatch::DispatchResult {
	Ids::rebind_controller(RuntimeOrigin::signed(REGISTRAR), id, controller)
}

/// Moves to the block in which a rebind scheduled in block 1 becomes due.
fn wait_out_delay() {
	System::set_block_number(1 + RebindDelay::get());
}

#[test]
fn rebind_is_scheduled_and_completed_after_the_delay() {
	new_test_ext().execute_with(|| {
		assert_ok!(register(somchai(), Controller::Key(PATIENT)));
		assert_ok!(schedule(somchai(), Controller::Key(NEW_PHONE)));
		assert_eq!(
			last_event(),
			RuntimeEvent::Ids(Event::RebindScheduled {
				health_id: somchai(),
				assisted: false,
				registrar: REGISTRAR,
				effective_at: 11,
				contested: false
			})
		);
		assert_eq!(
			PendingRebinds::<Test>::get(somchai()),
			Some(PendingRebind {
				controller: Controller::Key(NEW_PHONE),
				registrar: REGISTRAR,
				effective_at: 11,
				contested: false
			})
		);
		assert_eq!(Ids::pending_rebind(&somchai()).map(|p| p.effective_at), Some(11));
		// Nothing changed yet: the old key keeps its rights.
		assert_eq!(Ids::health_id_of_controller(&PATIENT), Some(somchai()));
		assert!(!Ids::is_patient_controller(&NEW_PHONE));
		assert_eq!(System::providers(&PATIENT), 1);

		System::set_block_number(10);
		assert_noop!(
			Ids::complete_rebind(RuntimeOrigin::signed(REGISTRAR), somchai()),
			Error::<Test>::RebindNotDue
		);
		wait_out_delay();
		assert_noop!(
			Ids::complete_rebind(RuntimeOrigin::signed(GW_A), somchai()),
			Error::<Test>::NotRegistrar
		);
		assert_noop!(
			Ids::complete_rebind(RuntimeOrigin::signed(PATIENT), somchai()),
			Error::<Test>::NotRegistrar
		);
		// Any registrar completes it; the event names the one that scheduled it.
		assert_ok!(Ids::complete_rebind(RuntimeOrigin::signed(REGISTRAR_B), somchai()));
		assert_eq!(
			last_event(),
			RuntimeEvent::Ids(Event::ControllerRebound {
				health_id: somchai(),
				assisted: false,
				registrar: REGISTRAR
			})
		);
		assert!(!Ids::is_patient_controller(&PATIENT));
		assert_eq!(System::providers(&PATIENT), 0);
		assert_eq!(Ids::health_id_of_controller(&NEW_PHONE), Some(somchai()));
		assert_eq!(System::providers(&NEW_PHONE), 1);
		assert_eq!(
			crate::HealthIds::<Test>::get(somchai()).unwrap().controller,
			Controller::Key(NEW_PHONE)
		);
		assert!(PendingRebinds::<Test>::get(somchai()).is_none());
		assert_noop!(
			Ids::complete_rebind(RuntimeOrigin::signed(REGISTRAR), somchai()),
			Error::<Test>::NoPendingRebind
		);
	});
}

#[test]
fn rebind_after_lost_phone() {
	new_test_ext().execute_with(|| {
		assert_ok!(register(somchai(), Controller::Key(PATIENT)));
		assert_ok!(schedule(somchai(), Controller::Key(NEW_PHONE)));
		wait_out_delay();
		assert_ok!(Ids::complete_rebind(RuntimeOrigin::signed(REGISTRAR), somchai()));
		assert!(!Ids::is_patient_controller(&PATIENT));
		assert_eq!(System::providers(&PATIENT), 0);
		assert_eq!(Ids::health_id_of_controller(&NEW_PHONE), Some(somchai()));
		assert_noop!(
			schedule(somchai(), Controller::Key(NEW_PHONE)),
			Error::<Test>::SameController
		);
		// To assisted service: scheduled and delayed the same way.
		assert_ok!(schedule(somchai(), Controller::Assisted));
		assert_eq!(
			last_event(),
			RuntimeEvent::Ids(Event::RebindScheduled {
				health_id: somchai(),
				assisted: true,
				registrar: REGISTRAR,
				effective_at: 21,
				contested: false
			})
		);
		System::set_block_number(21);
		assert_ok!(Ids::complete_rebind(RuntimeOrigin::signed(REGISTRAR), somchai()));
		assert_eq!(
			last_event(),
			RuntimeEvent::Ids(Event::ControllerRebound {
				health_id: somchai(),
				assisted: true,
				registrar: REGISTRAR
			})
		);
		assert!(Controllers::<Test>::iter().next().is_none());
		assert_noop!(
			Ids::rebind_controller(RuntimeOrigin::signed(GW_A), somchai(), Controller::Assisted),
			Error::<Test>::NotRegistrar
		);
		assert_noop!(
			schedule(hid("1101700230716"), Controller::Assisted),
			Error::<Test>::UnknownHealthId
		);
	});
}

#[test]
fn a_new_request_replaces_the_pending_one() {
	new_test_ext().execute_with(|| {
		assert_ok!(register(somchai(), Controller::Key(PATIENT)));
		assert_ok!(schedule(somchai(), Controller::Key(NEW_PHONE)));
		System::set_block_number(5);
		assert_ok!(Ids::rebind_controller(
			RuntimeOrigin::signed(REGISTRAR_B),
			somchai(),
			Controller::Assisted
		));
		assert_eq!(
			PendingRebinds::<Test>::get(somchai()),
			Some(PendingRebind {
				controller: Controller::Assisted,
				registrar: REGISTRAR_B,
				effective_at: 15,
				contested: false
			})
		);
		// The delay runs from the newer request.
		wait_out_delay();
		assert_noop!(
			Ids::complete_rebind(RuntimeOrigin::signed(REGISTRAR), somchai()),
			Error::<Test>::RebindNotDue
		);
		System::set_block_number(15);
		assert_ok!(Ids::complete_rebind(RuntimeOrigin::signed(REGISTRAR), somchai()));
		assert_eq!(
			last_event(),
			RuntimeEvent::Ids(Event::ControllerRebound {
				health_id: somchai(),
				assisted: true,
				registrar: REGISTRAR_B
			})
		);
		assert!(!Ids::is_patient_controller(&PATIENT));
		assert!(!Ids::is_patient_controller(&NEW_PHONE));
	});
}

#[test]
fn rebind_to_a_key_in_use_fails_and_keeps_the_old_key() {
	new_test_ext().execute_with(|| {
		assert_ok!(register(somchai(), Controller::Key(PATIENT)));
		assert_ok!(register(hid("1101700230716"), Controller::Key(NEW_PHONE)));
		assert_noop!(
			schedule(somchai(), Controller::Key(NEW_PHONE)),
			Error::<Test>::ControllerInUse
		);
		// A participant's key cannot become a patient's controller either.
		assert_noop!(schedule(somchai(), Controller::Key(GW_A)), Error::<Test>::ControllerInUse);
		assert_noop!(
			schedule(somchai(), Controller::Key(REGISTRAR_B)),
			Error::<Test>::ControllerInUse
		);
		assert_eq!(Ids::health_id_of_controller(&PATIENT), Some(somchai()));
		assert!(PendingRebinds::<Test>::get(somchai()).is_none());
	});
}

#[test]
fn a_key_awaiting_a_rebind_cannot_be_taken_during_the_delay() {
	new_test_ext().execute_with(|| {
		const LATER_KEY: u64 = 102;
		let other = hid("1101700230716");
		assert_ok!(register(somchai(), Controller::Key(PATIENT)));
		assert_ok!(schedule(somchai(), Controller::Key(LATER_KEY)));
		assert_eq!(PendingKeys::<Test>::get(LATER_KEY), Some(somchai()));
		assert!(Ids::is_patient_key(&LATER_KEY));
		// Neither bound to another health ID, nor awaited by another rebind, nor given a
		// participant role (which would silence the patient's own rebind calls).
		assert_noop!(register(other, Controller::Key(LATER_KEY)), Error::<Test>::ControllerInUse);
		assert_ok!(register(other, Controller::Key(NEW_PHONE)));
		assert_noop!(schedule(other, Controller::Key(LATER_KEY)), Error::<Test>::ControllerInUse);
		assert_noop!(
			pallet_participants::Pallet::<Test>::add_gateway(
				RuntimeOrigin::signed(GW_A),
				b"A001".to_vec().try_into().expect("a short code"),
				LATER_KEY
			),
			pallet_participants::Error::<Test>::PatientKey
		);
		// The same rebind may be scheduled again (it replaces itself).
		assert_ok!(schedule(somchai(), Controller::Key(LATER_KEY)));
		wait_out_delay();
		assert_ok!(Ids::complete_rebind(RuntimeOrigin::signed(REGISTRAR), somchai()));
		assert_eq!(Ids::health_id_of_controller(&LATER_KEY), Some(somchai()));
		assert_eq!(PendingKeys::<Test>::get(LATER_KEY), None);
	});
}

#[test]
fn the_pending_key_index_follows_every_way_a_rebind_ends() {
	new_test_ext().execute_with(|| {
		const K1: u64 = 103;
		const K2: u64 = 104;
		assert_ok!(register(somchai(), Controller::Key(PATIENT)));
		// Replaced by another request: the first key is free again.
		assert_ok!(schedule(somchai(), Controller::Key(K1)));
		assert_ok!(schedule(somchai(), Controller::Key(K2)));
		assert_eq!(
			(PendingKeys::<Test>::get(K1), PendingKeys::<Test>::get(K2)),
			(None, Some(somchai()))
		);
		// Replaced by assisted service: no key pending.
		assert_ok!(schedule(somchai(), Controller::Assisted));
		assert_eq!(PendingKeys::<Test>::iter().count(), 0);
		// Cancelled by the patient, rejected by governance, dropped by deactivation.
		assert_ok!(schedule(somchai(), Controller::Key(K1)));
		assert_ok!(Ids::cancel_rebind(RuntimeOrigin::signed(PATIENT), somchai()));
		assert_eq!(PendingKeys::<Test>::get(K1), None);
		assert_ok!(schedule(somchai(), Controller::Key(K1)));
		assert_ok!(Ids::reject_rebind(RuntimeOrigin::root(), somchai()));
		assert_eq!(PendingKeys::<Test>::get(K1), None);
		assert_ok!(schedule(somchai(), Controller::Key(K1)));
		assert_ok!(Ids::deactivate(
			RuntimeOrigin::signed(REGISTRAR),
			somchai(),
			DeactivationReason::Duplicate
		));
		assert_eq!(PendingKeys::<Test>::iter().count(), 0);
	});
}

#[test]
fn patient_cancels_a_rebind_with_the_current_key() {
	new_test_ext().execute_with(|| {
		assert_ok!(register(somchai(), Controller::Key(PATIENT)));
		assert_ok!(schedule(somchai(), Controller::Key(NEW_PHONE)));
		assert_ok!(Ids::cancel_rebind(RuntimeOrigin::signed(PATIENT), somchai()));
		assert_eq!(
			last_event(),
			RuntimeEvent::Ids(Event::RebindCancelled { health_id: somchai(), by_patient: true })
		);
		assert!(PendingRebinds::<Test>::get(somchai()).is_none());
		wait_out_delay();
		assert_noop!(
			Ids::complete_rebind(RuntimeOrigin::signed(REGISTRAR), somchai()),
			Error::<Test>::NoPendingRebind
		);
		assert_noop!(
			Ids::cancel_rebind(RuntimeOrigin::signed(PATIENT), somchai()),
			Error::<Test>::NoPendingRebind
		);
		assert_eq!(Ids::health_id_of_controller(&PATIENT), Some(somchai()));
		assert!(!Ids::is_patient_controller(&NEW_PHONE));
		// The key's cancellation is recorded, for the contest rule.
		assert_eq!(KeyCancelledRebind::<Test>::get(somchai()), Some(1));
	});
}

#[test]
fn registrar_cancels_a_rebind_and_others_cannot() {
	new_test_ext().execute_with(|| {
		const OTHER_PATIENT: u64 = 102;
		assert_ok!(register(somchai(), Controller::Key(PATIENT)));
		assert_ok!(register(hid("1101700230716"), Controller::Key(OTHER_PATIENT)));
		assert_ok!(schedule(somchai(), Controller::Key(NEW_PHONE)));
		// Not the would-be key, not a gateway, not another patient's key.
		for who in [NEW_PHONE, GW_A, OTHER_PATIENT] {
			assert_noop!(
				Ids::cancel_rebind(RuntimeOrigin::signed(who), somchai()),
				Error::<Test>::NotController
			);
		}
		assert_ok!(Ids::cancel_rebind(RuntimeOrigin::signed(REGISTRAR_B), somchai()));
		assert_eq!(
			last_event(),
			RuntimeEvent::Ids(Event::RebindCancelled { health_id: somchai(), by_patient: false })
		);
		assert!(PendingRebinds::<Test>::get(somchai()).is_none());
		// A registrar's cancellation does not make the next rebind contested.
		assert!(KeyCancelledRebind::<Test>::get(somchai()).is_none());
		assert_noop!(
			Ids::cancel_rebind(RuntimeOrigin::signed(REGISTRAR), somchai()),
			Error::<Test>::NoPendingRebind
		);
	});
}

#[test]
fn current_key_confirms_a_rebind_at_once() {
	new_test_ext().execute_with(|| {
		assert_ok!(register(somchai(), Controller::Key(PATIENT)));
		assert_noop!(
			Ids::confirm_rebind(RuntimeOrigin::signed(PATIENT), somchai()),
			Error::<Test>::NoPendingRebind
		);
		assert_ok!(schedule(somchai(), Controller::Key(NEW_PHONE)));
		for who in [NEW_PHONE, REGISTRAR, GW_A] {
			assert_noop!(
				Ids::confirm_rebind(RuntimeOrigin::signed(who), somchai()),
				Error::<Test>::NotController
			);
		}
		assert_ok!(Ids::confirm_rebind(RuntimeOrigin::signed(PATIENT), somchai()));
		assert_eq!(
			last_event(),
			RuntimeEvent::Ids(Event::ControllerRebound {
				health_id: somchai(),
				assisted: false,
				registrar: REGISTRAR
			})
		);
		assert!(!Ids::is_patient_controller(&PATIENT));
		assert_eq!(System::providers(&PATIENT), 0);
		assert_eq!(Ids::health_id_of_controller(&NEW_PHONE), Some(somchai()));
		assert!(PendingRebinds::<Test>::get(somchai()).is_none());
		// The old key has no say any more.
		assert_noop!(
			Ids::confirm_rebind(RuntimeOrigin::signed(PATIENT), somchai()),
			Error::<Test>::NotController
		);
	});
}

#[test]
fn an_assisted_health_id_waits_out_the_delay_too() {
	new_test_ext().execute_with(|| {
		assert_ok!(register(somchai(), Controller::Assisted));
		assert_ok!(schedule(somchai(), Controller::Key(NEW_PHONE)));
		assert_noop!(
			Ids::complete_rebind(RuntimeOrigin::signed(REGISTRAR), somchai()),
			Error::<Test>::RebindNotDue
		);
		// No key can confirm it.
		assert_noop!(
			Ids::confirm_rebind(RuntimeOrigin::signed(NEW_PHONE), somchai()),
			Error::<Test>::NotController
		);
		wait_out_delay();
		assert_ok!(Ids::complete_rebind(RuntimeOrigin::signed(REGISTRAR), somchai()));
		assert_eq!(Ids::health_id_of_controller(&NEW_PHONE), Some(somchai()));
	});
}

/// The last `n` events, oldest first.
fn last_events(n: usize) -> Vec<RuntimeEvent> {
	let events = System::events();
	events[events.len().saturating_sub(n)..].iter().map(|r| r.event.clone()).collect()
}

/// `PATIENT`'s key cancels a rebind to `NEW_PHONE` scheduled in the current block, so that a
/// rebind scheduled within `ContestWindow` blocks is contested.
fn key_cancels_a_rebind(id: HealthId) {
	assert_ok!(schedule(id, Controller::Key(NEW_PHONE)));
	assert_ok!(Ids::cancel_rebind(RuntimeOrigin::signed(PATIENT), id));
	assert_eq!(
		last_event(),
		RuntimeEvent::Ids(Event::RebindCancelled { health_id: id, by_patient: true })
	);
	assert_eq!(KeyCancelledRebind::<Test>::get(id), Some(System::block_number()));
}

/// Whether `id`'s pending rebind is contested.
fn pending_contested(id: HealthId) -> bool {
	PendingRebinds::<Test>::get(id).expect("a pending rebind").contested
}

/// A key no rebind in these tests was scheduled for.
const LATER_PHONE: u64 = 103;

#[test]
fn a_thief_with_the_stolen_key_blocks_one_rebind_only() {
	new_test_ext().execute_with(|| {
		// Somchai's phone (the key `PATIENT`) is stolen; the thief holds the key.
		assert_ok!(register(somchai(), Controller::Key(PATIENT)));
		// Somchai reports it; the registrar schedules his new phone; the thief cancels.
		key_cancels_a_rebind(somchai());

		// Somchai comes back in person; the second rebind is contested.
		System::set_block_number(2);
		assert_ok!(schedule(somchai(), Controller::Key(NEW_PHONE)));
		assert_eq!(
			last_event(),
			RuntimeEvent::Ids(Event::RebindScheduled {
				health_id: somchai(),
				assisted: false,
				registrar: REGISTRAR,
				effective_at: 12,
				contested: true
			})
		);
		assert_eq!(
			PendingRebinds::<Test>::get(somchai()),
			Some(PendingRebind {
				controller: Controller::Key(NEW_PHONE),
				registrar: REGISTRAR,
				effective_at: 12,
				contested: true
			})
		);
		// The thief cannot cancel it, nor can another registrar (a thief's accomplice).
		for who in [PATIENT, REGISTRAR_B] {
			assert_noop!(
				Ids::cancel_rebind(RuntimeOrigin::signed(who), somchai()),
				Error::<Test>::RebindContested
			);
		}
		// It does not complete on the delay alone.
		System::set_block_number(12);
		assert_noop!(
			Ids::complete_rebind(RuntimeOrigin::signed(REGISTRAR), somchai()),
			Error::<Test>::AwaitingGovernance
		);
		// Only governance approves it: not a registrar, not a key.
		for who in [REGISTRAR, REGISTRAR_B, PATIENT, NEW_PHONE] {
			assert_noop!(
				Ids::approve_rebind(
					RuntimeOrigin::signed(who),
					somchai(),
					Controller::Key(NEW_PHONE)
				),
				DispatchError::BadOrigin
			);
		}
		// The council approves the rebind it examined: one scheduled in its place while the
		// motion was open is not approved by it.
		assert_noop!(
			Ids::approve_rebind(RuntimeOrigin::root(), somchai(), Controller::Key(LATER_PHONE)),
			Error::<Test>::NotTheApprovedRebind
		);
		assert_ok!(Ids::approve_rebind(
			RuntimeOrigin::root(),
			somchai(),
			Controller::Key(NEW_PHONE)
		));
		assert_eq!(
			last_events(4),
			vec![
				RuntimeEvent::Ids(Event::RebindApproved { health_id: somchai() }),
				// The new key's account is provided for, the old key's no longer.
				RuntimeEvent::System(frame_system::Event::NewAccount { account: NEW_PHONE }),
				RuntimeEvent::System(frame_system::Event::KilledAccount { account: PATIENT }),
				RuntimeEvent::Ids(Event::ControllerRebound {
					health_id: somchai(),
					assisted: false,
					registrar: REGISTRAR
				}),
			]
		);
		// The new phone controls the health ID; the stolen key lost all rights.
		assert_eq!(Ids::health_id_of_controller(&NEW_PHONE), Some(somchai()));
		assert_eq!(
			crate::HealthIds::<Test>::get(somchai()).unwrap().controller,
			Controller::Key(NEW_PHONE)
		);
		assert!(!Ids::is_patient_controller(&PATIENT));
		assert_eq!(System::providers(&PATIENT), 0);
		assert!(PendingRebinds::<Test>::get(somchai()).is_none());
		assert!(KeyCancelledRebind::<Test>::get(somchai()).is_none());
		assert_noop!(
			Ids::cancel_rebind(RuntimeOrigin::signed(PATIENT), somchai()),
			Error::<Test>::NotController
		);
		assert_noop!(
			Ids::approve_rebind(RuntimeOrigin::root(), somchai(), Controller::Key(NEW_PHONE)),
			Error::<Test>::NoPendingRebind
		);
	});
}

#[test]
fn a_rebind_scheduled_after_the_window_is_not_contested() {
	new_test_ext().execute_with(|| {
		assert_ok!(register(somchai(), Controller::Key(PATIENT)));
		key_cancels_a_rebind(somchai());
		// The last block of the window: contested.
		System::set_block_number(ContestWindow::get());
		assert_ok!(schedule(somchai(), Controller::Key(NEW_PHONE)));
		assert!(pending_contested(somchai()));
		// Only the registrar that scheduled it may still withdraw it (a mistaken request);
		// the key's cancellation stays.
		assert_noop!(
			Ids::cancel_rebind(RuntimeOrigin::signed(REGISTRAR_B), somchai()),
			Error::<Test>::RebindContested
		);
		assert_ok!(Ids::cancel_rebind(RuntimeOrigin::signed(REGISTRAR), somchai()));
		assert_eq!(KeyCancelledRebind::<Test>::get(somchai()), Some(1));
		// One block later the window has passed: not contested, and the old cancellation is
		// forgotten.
		System::set_block_number(1 + ContestWindow::get());
		assert_ok!(schedule(somchai(), Controller::Key(NEW_PHONE)));
		assert_eq!(
			last_event(),
			RuntimeEvent::Ids(Event::RebindScheduled {
				health_id: somchai(),
				assisted: false,
				registrar: REGISTRAR,
				effective_at: 1 + ContestWindow::get() + RebindDelay::get(),
				contested: false
			})
		);
		assert!(KeyCancelledRebind::<Test>::get(somchai()).is_none());
		// The key may cancel it again (which starts a new window).
		assert_ok!(Ids::cancel_rebind(RuntimeOrigin::signed(PATIENT), somchai()));
		assert_eq!(KeyCancelledRebind::<Test>::get(somchai()), Some(1 + ContestWindow::get()));
		assert_ok!(schedule(somchai(), Controller::Key(NEW_PHONE)));
		assert!(pending_contested(somchai()));
	});
}

#[test]
fn a_rebind_replacing_a_contested_one_stays_contested() {
	new_test_ext().execute_with(|| {
		assert_ok!(register(somchai(), Controller::Key(PATIENT)));
		key_cancels_a_rebind(somchai());
		assert_ok!(schedule(somchai(), Controller::Key(NEW_PHONE)));
		assert!(pending_contested(somchai()));
		// Past the window, another request replaces the contested one: still contested.
		System::set_block_number(1 + ContestWindow::get());
		assert_ok!(Ids::rebind_controller(
			RuntimeOrigin::signed(REGISTRAR_B),
			somchai(),
			Controller::Assisted
		));
		assert!(pending_contested(somchai()));
		assert!(KeyCancelledRebind::<Test>::get(somchai()).is_none());
		assert_noop!(
			Ids::cancel_rebind(RuntimeOrigin::signed(PATIENT), somchai()),
			Error::<Test>::RebindContested
		);
		System::set_block_number(1 + ContestWindow::get() + RebindDelay::get());
		assert_noop!(
			Ids::complete_rebind(RuntimeOrigin::signed(REGISTRAR), somchai()),
			Error::<Test>::AwaitingGovernance
		);
	});
}

#[test]
fn governance_rejects_a_contested_rebind() {
	new_test_ext().execute_with(|| {
		// A registrar tries to take over Somchai's health ID; Somchai's key cancels.
		assert_ok!(register(somchai(), Controller::Key(PATIENT)));
		key_cancels_a_rebind(somchai());
		// The registrar insists: contested, so it needs the council.
		assert_ok!(schedule(somchai(), Controller::Key(NEW_PHONE)));
		assert!(pending_contested(somchai()));
		for who in [REGISTRAR, PATIENT] {
			assert_noop!(
				Ids::reject_rebind(RuntimeOrigin::signed(who), somchai()),
				DispatchError::BadOrigin
			);
		}
		assert_ok!(Ids::reject_rebind(RuntimeOrigin::root(), somchai()));
		assert_eq!(last_event(), RuntimeEvent::Ids(Event::RebindRejected { health_id: somchai() }));
		assert!(PendingRebinds::<Test>::get(somchai()).is_none());
		assert!(KeyCancelledRebind::<Test>::get(somchai()).is_none());
		assert_eq!(Ids::health_id_of_controller(&PATIENT), Some(somchai()));
		assert!(!Ids::is_patient_controller(&NEW_PHONE));
		assert_noop!(
			Ids::reject_rebind(RuntimeOrigin::root(), somchai()),
			Error::<Test>::NoPendingRebind
		);
		// Governance decided: the next rebind is not contested, and the key may cancel it.
		assert_ok!(schedule(somchai(), Controller::Key(NEW_PHONE)));
		assert!(!pending_contested(somchai()));
		assert_ok!(Ids::cancel_rebind(RuntimeOrigin::signed(PATIENT), somchai()));
	});
}

#[test]
fn the_key_confirms_a_contested_rebind() {
	new_test_ext().execute_with(|| {
		assert_ok!(register(somchai(), Controller::Key(PATIENT)));
		key_cancels_a_rebind(somchai());
		assert_ok!(schedule(somchai(), Controller::Key(NEW_PHONE)));
		assert!(pending_contested(somchai()));
		// The key holder agrees after all: applied at once.
		assert_ok!(Ids::confirm_rebind(RuntimeOrigin::signed(PATIENT), somchai()));
		assert_eq!(
			last_event(),
			RuntimeEvent::Ids(Event::ControllerRebound {
				health_id: somchai(),
				assisted: false,
				registrar: REGISTRAR
			})
		);
		assert_eq!(Ids::health_id_of_controller(&NEW_PHONE), Some(somchai()));
		assert!(KeyCancelledRebind::<Test>::get(somchai()).is_none());
	});
}

#[test]
fn governance_approves_an_uncontested_rebind_and_a_taken_key_is_refused() {
	new_test_ext().execute_with(|| {
		const LATER_KEY: u64 = 102;
		assert_ok!(register(somchai(), Controller::Key(PATIENT)));
		assert_noop!(
			Ids::approve_rebind(RuntimeOrigin::root(), somchai(), Controller::Key(NEW_PHONE)),
			Error::<Test>::NoPendingRebind
		);
		assert_ok!(schedule(somchai(), Controller::Key(LATER_KEY)));
		// A key cannot be taken while its rebind waits (`PendingKeys`); only state from before
		// that index (spec 105) could hold one, written here directly. Applying the rebind is
		// then refused and nothing changes (no event kept).
		assert_noop!(
			register(hid("1101700230716"), Controller::Key(LATER_KEY)),
			Error::<Test>::ControllerInUse
		);
		Controllers::<Test>::insert(LATER_KEY, hid("1101700230716"));
		assert_noop!(
			Ids::approve_rebind(RuntimeOrigin::root(), somchai(), Controller::Key(LATER_KEY)),
			Error::<Test>::ControllerInUse
		);
		// An uncontested rebind can be approved before its delay.
		assert_ok!(schedule(somchai(), Controller::Assisted));
		assert!(!pending_contested(somchai()));
		assert_ok!(Ids::approve_rebind(RuntimeOrigin::root(), somchai(), Controller::Assisted));
		assert_eq!(
			last_events(3),
			vec![
				RuntimeEvent::Ids(Event::RebindApproved { health_id: somchai() }),
				// The old key's account is no longer provided for.
				RuntimeEvent::System(frame_system::Event::KilledAccount { account: PATIENT }),
				RuntimeEvent::Ids(Event::ControllerRebound {
					health_id: somchai(),
					assisted: true,
					registrar: REGISTRAR
				}),
			]
		);
		assert!(!Ids::is_patient_controller(&PATIENT));
	});
}

#[test]
fn deactivation_forgets_a_key_cancellation() {
	new_test_ext().execute_with(|| {
		assert_ok!(register(somchai(), Controller::Key(PATIENT)));
		key_cancels_a_rebind(somchai());
		assert_ok!(schedule(somchai(), Controller::Key(NEW_PHONE)));
		assert_ok!(Ids::deactivate(
			RuntimeOrigin::signed(REGISTRAR),
			somchai(),
			DeactivationReason::Other
		));
		assert!(PendingRebinds::<Test>::get(somchai()).is_none());
		assert!(KeyCancelledRebind::<Test>::get(somchai()).is_none());
		// Reactivated (assisted), a registrar binds a key through an uncontested rebind.
		assert_ok!(Ids::reactivate(RuntimeOrigin::root(), somchai()));
		assert_ok!(schedule(somchai(), Controller::Key(NEW_PHONE)));
		assert!(!pending_contested(somchai()));
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

#[test]
fn deactivate_drops_a_pending_rebind() {
	new_test_ext().execute_with(|| {
		assert_ok!(register(somchai(), Controller::Key(PATIENT)));
		assert_ok!(schedule(somchai(), Controller::Key(NEW_PHONE)));
		assert_ok!(Ids::deactivate(
			RuntimeOrigin::signed(REGISTRAR),
			somchai(),
			DeactivationReason::Duplicate
		));
		assert!(PendingRebinds::<Test>::get(somchai()).is_none());
		wait_out_delay();
		assert_noop!(
			Ids::complete_rebind(RuntimeOrigin::signed(REGISTRAR), somchai()),
			Error::<Test>::NoPendingRebind
		);
		assert!(!Ids::is_patient_controller(&NEW_PHONE));
	});
}

#[test]
fn governance_reactivates_a_deactivated_health_id() {
	new_test_ext().execute_with(|| {
		assert_ok!(register(somchai(), Controller::Key(PATIENT)));
		assert_noop!(
			Ids::reactivate(RuntimeOrigin::root(), somchai()),
			Error::<Test>::NotDeactivated
		);
		assert_ok!(Ids::deactivate(
			RuntimeOrigin::signed(REGISTRAR),
			somchai(),
			DeactivationReason::Deceased
		));
		// Neither a registrar nor the patient can undo a deactivation.
		for who in [REGISTRAR, PATIENT] {
			assert_noop!(
				Ids::reactivate(RuntimeOrigin::signed(who), somchai()),
				DispatchError::BadOrigin
			);
		}
		assert_noop!(
			Ids::reactivate(RuntimeOrigin::root(), hid("1101700230716")),
			Error::<Test>::UnknownHealthId
		);
		assert_ok!(Ids::reactivate(RuntimeOrigin::root(), somchai()));
		assert_eq!(last_event(), RuntimeEvent::Ids(Event::Reactivated { health_id: somchai() }));
		let rec = crate::HealthIds::<Test>::get(somchai()).unwrap();
		assert_eq!(rec.status, HealthIdStatus::Active);
		assert_eq!(rec.controller, Controller::Assisted);
		assert!(Ids::active_record(&somchai()).is_ok());
		assert!(!Ids::is_patient_controller(&PATIENT));
		assert_noop!(
			Ids::reactivate(RuntimeOrigin::root(), somchai()),
			Error::<Test>::NotDeactivated
		);
		// A registrar binds a key again, through the delayed rebind.
		assert_ok!(schedule(somchai(), Controller::Key(PATIENT)));
		wait_out_delay();
		assert_ok!(Ids::complete_rebind(RuntimeOrigin::signed(REGISTRAR), somchai()));
		assert_eq!(Ids::health_id_of_controller(&PATIENT), Some(somchai()));
		assert_eq!(System::providers(&PATIENT), 1);
	});
}

#[test]
fn registrar_links_a_further_document() {
	new_test_ext().execute_with(|| {
		let first = passport(*b"MMR", "MB123456");
		let pink_card = health_id_of(&SECRET, DocumentKind::ThaiNonCitizenId, "6712345678901")
			.expect("valid test pink card");
		assert_ok!(Ids::register(
			RuntimeOrigin::signed(REGISTRAR),
			first,
			DocumentKind::Passport { country: *b"MMR" },
			true,
			Controller::Assisted
		));
		assert_eq!(Ids::resolve(&pink_card), None);
		assert_ok!(Ids::link_document(
			RuntimeOrigin::signed(REGISTRAR),
			first,
			pink_card,
			DocumentKind::ThaiNonCitizenId
		));
		assert_eq!(
			last_event(),
			RuntimeEvent::Ids(Event::DocumentLinked {
				health_id: first,
				kind: DocumentKind::ThaiNonCitizenId,
				registrar: REGISTRAR
			})
		);
		assert_eq!(LinkedDocuments::<Test>::get(pink_card), Some(first));
		assert_eq!(LinkedCount::<Test>::get(first), 1);
		assert_eq!(Ids::resolve(&pink_card), Some(first));
		assert_eq!(Ids::resolve(&first), Some(first));
		assert_eq!(Ids::resolve(&somchai()), None);
	});
}

#[test]
fn link_document_errors() {
	new_test_ext().execute_with(|| {
		let doc = passport(*b"THA", "AA1234567");
		assert_noop!(
			Ids::link_document(
				RuntimeOrigin::signed(GW_A),
				somchai(),
				doc,
				DocumentKind::Passport { country: *b"THA" }
			),
			Error::<Test>::NotRegistrar
		);
		assert_noop!(
			Ids::link_document(
				RuntimeOrigin::signed(REGISTRAR),
				somchai(),
				doc,
				DocumentKind::Passport { country: *b"THA" }
			),
			Error::<Test>::UnknownHealthId
		);
		assert_ok!(register(somchai(), Controller::Key(PATIENT)));
		let other = hid("1101700230716");
		assert_ok!(register(other, Controller::Assisted));
		// A registered health ID (another person's, or this one) is not a further document.
		for registered in [other, somchai()] {
			assert_noop!(
				Ids::link_document(
					RuntimeOrigin::signed(REGISTRAR),
					somchai(),
					registered,
					DocumentKind::ThaiCitizenId
				),
				Error::<Test>::DocumentInUse
			);
		}
		assert_ok!(Ids::link_document(
			RuntimeOrigin::signed(REGISTRAR),
			somchai(),
			doc,
			DocumentKind::Passport { country: *b"THA" }
		));
		// A linked document cannot be linked again, to anyone.
		for id in [somchai(), other] {
			assert_noop!(
				Ids::link_document(
					RuntimeOrigin::signed(REGISTRAR_B),
					id,
					doc,
					DocumentKind::Passport { country: *b"THA" }
				),
				Error::<Test>::DocumentInUse
			);
		}
		assert_ok!(Ids::deactivate(
			RuntimeOrigin::signed(REGISTRAR),
			other,
			DeactivationReason::Duplicate
		));
		assert_noop!(
			Ids::link_document(
				RuntimeOrigin::signed(REGISTRAR),
				other,
				passport(*b"THA", "AA7654321"),
				DocumentKind::Passport { country: *b"THA" }
			),
			Error::<Test>::HealthIdDeactivated
		);
	});
}

#[test]
fn at_most_max_linked_documents() {
	new_test_ext().execute_with(|| {
		assert_ok!(register(somchai(), Controller::Key(PATIENT)));
		let kind = DocumentKind::Passport { country: *b"THA" };
		for number in ["AA0000001", "AA0000002"] {
			assert_ok!(Ids::link_document(
				RuntimeOrigin::signed(REGISTRAR),
				somchai(),
				passport(*b"THA", number),
				kind
			));
		}
		assert_eq!(LinkedCount::<Test>::get(somchai()), MaxLinkedDocuments::get());
		assert_noop!(
			Ids::link_document(
				RuntimeOrigin::signed(REGISTRAR),
				somchai(),
				passport(*b"THA", "AA0000003"),
				kind
			),
			Error::<Test>::TooManyDocuments
		);
	});
}

#[test]
fn a_linked_document_cannot_be_registered() {
	new_test_ext().execute_with(|| {
		let renewed = passport(*b"MMR", "MD111111");
		assert_ok!(register(somchai(), Controller::Key(PATIENT)));
		assert_ok!(Ids::link_document(
			RuntimeOrigin::signed(REGISTRAR),
			somchai(),
			renewed,
			DocumentKind::Passport { country: *b"MMR" }
		));
		assert_noop!(
			Ids::register(
				RuntimeOrigin::signed(REGISTRAR_B),
				renewed,
				DocumentKind::Passport { country: *b"MMR" },
				true,
				Controller::Key(NEW_PHONE)
			),
			Error::<Test>::DocumentInUse
		);
		assert!(!Ids::is_patient_controller(&NEW_PHONE));
	});
}
