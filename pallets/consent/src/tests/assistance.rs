//! Rule 1: nobody acts for somebody else; assisted patients are served in person within an
//! assistance session opened by a registrar.

use super::*;

#[test]
fn only_the_patient_or_an_assisting_gateway_acts() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			Consent::enrol(patient(MALEE_KEY), somchai(), SourceSelection::All),
			Error::<Test>::NotPatient
		);
		assert_noop!(
			Consent::enrol(gw(GW_A), somchai(), SourceSelection::All),
			Error::<Test>::NotPatient
		);
		assert_noop!(
			Consent::enrol(patient(STRANGER), aung(), SourceSelection::All),
			Error::<Test>::NoAssistanceSession
		);
		assert_noop!(
			Consent::enrol(patient(SOMCHAI_KEY), nobody(), SourceSelection::All),
			Error::<Test>::UnknownHealthId
		);
		assert_noop!(
			Consent::enrol(RuntimeOrigin::root(), somchai(), SourceSelection::All),
			DispatchError::BadOrigin
		);
	});
}

/// The registrar opens an assistance session for Aung.
fn open_session(at: Assistant) {
	assert_ok!(Consent::open_assistance(RuntimeOrigin::signed(REGISTRAR), aung(), at));
}

#[test]
fn assisted_patient_is_served_in_person_within_an_assistance_session() {
	new_test_ext().execute_with(|| {
		// Without fresh evidence of presence, no gateway acts for the patient.
		assert_noop!(
			Consent::enrol(gw(GW_C), aung(), SourceSelection::All),
			Error::<Test>::NoAssistanceSession
		);
		open_session(Assistant::Hospital(code("C003")));
		assert_eq!(
			last_event(),
			RuntimeEvent::Consent(Event::AssistanceOpened {
				health_id: aung(),
				at: Assistant::Hospital(code("C003")),
				registrar: REGISTRAR,
				expires_at: T0 + 30 * MINUTE,
			})
		);
		// Only the session's hospital.
		assert_noop!(
			Consent::enrol(gw(GW_A), aung(), SourceSelection::All),
			Error::<Test>::NotPatient
		);
		assert_ok!(Consent::enrol(gw(GW_C), aung(), SourceSelection::All));
		// Flagged as an assisted act.
		assert_eq!(
			last_event(),
			RuntimeEvent::Consent(Event::Enrolled {
				health_id: aung(),
				sources: SourceSelection::All,
				by: Actor::AssistedAt(code("C003"))
			})
		);
		assert!(Actor::AssistedAt(code("C003")).is_assisted());
		assert_eq!(
			decide("MD-A", "A001", aung(), &[C::Vaccine], Purpose::Treatment),
			Decision::Permit(PermitBasis::Enrolment)
		);
		// A suspended hospital's gateway cannot act for the patient.
		assert_ok!(Participants::set_hospital_status(
			RuntimeOrigin::root(),
			code("C003"),
			HospitalStatus::Suspended
		));
		assert_noop!(
			Consent::set_sensitive_opt_in(gw(GW_C), aung(), true),
			Error::<Test>::NotPatient
		);
		assert_ok!(Participants::set_hospital_status(
			RuntimeOrigin::root(),
			code("C003"),
			HospitalStatus::Active
		));
		// The session ends with time.
		set_now(T0 + 30 * MINUTE);
		assert_noop!(
			Consent::set_sensitive_opt_in(gw(GW_C), aung(), true),
			Error::<Test>::NoAssistanceSession
		);
	});
}

#[test]
fn assistance_sessions_are_opened_by_registrars_for_assisted_patients_only() {
	new_test_ext().execute_with(|| {
		let open = |who, id, at| Consent::open_assistance(RuntimeOrigin::signed(who), id, at);
		let here = Assistant::Hospital(code("C003"));
		assert_noop!(open(GW_C, aung(), here.clone()), Error::<Test>::NotRegistrar);
		assert_noop!(open(REGISTRAR, somchai(), here.clone()), Error::<Test>::NotAssisted);
		assert_noop!(open(REGISTRAR, nobody(), here.clone()), Error::<Test>::UnknownHealthId);
		assert_noop!(
			open(REGISTRAR, aung(), Assistant::Hospital(code("Z999"))),
			Error::<Test>::InactiveHospital
		);
		open_session(here);
		// Closed by the session's hospital (or a registrar), not by another hospital.
		assert_noop!(Consent::close_assistance(gw(GW_A), aung()), Error::<Test>::NotPatient);
		assert_ok!(Consent::close_assistance(gw(GW_C), aung()));
		assert_eq!(
			last_event(),
			RuntimeEvent::Consent(Event::AssistanceClosed { health_id: aung() })
		);
		assert_noop!(
			Consent::close_assistance(gw(GW_C), aung()),
			Error::<Test>::NoAssistanceSession
		);
		assert_noop!(
			Consent::enrol(gw(GW_C), aung(), SourceSelection::All),
			Error::<Test>::NoAssistanceSession
		);
	});
}

#[test]
fn a_hospital_never_answers_its_own_request_for_an_assisted_patient() {
	new_test_ext().execute_with(|| {
		open_session(Assistant::Hospital(code("B002")));
		assert_ok!(Consent::enrol(gw(GW_B), aung(), SourceSelection::All));
		assert_ok!(Consent::request_access(
			gw(GW_B),
			aung(),
			lic("MD-B"),
			cats(vec![C::Visit]),
			Purpose::Treatment,
			None
		));
		assert_noop!(Consent::respond(gw(GW_B), 0, true), Error::<Test>::OwnHospitalRequest);
		assert_noop!(Consent::respond(gw(GW_B), 0, false), Error::<Test>::OwnHospitalRequest);
		// The patient answers at the registrar's desk instead, flagged as assisted.
		open_session(Assistant::ServicePoint);
		assert_noop!(Consent::respond(gw(GW_B), 0, true), Error::<Test>::NotPatient);
		assert_ok!(Consent::respond(RuntimeOrigin::signed(REGISTRAR), 0, true));
		assert_eq!(
			last_event(),
			RuntimeEvent::Consent(Event::AccessGranted {
				request_id: 0,
				health_id: aung(),
				hospital: code("B002"),
				practitioner: lic("MD-B"),
				categories: cats(vec![C::Visit]),
				expires_at: MIDNIGHT_BKK,
				by: Actor::AssistedAtServicePoint,
			})
		);
	});
}

#[test]
fn a_hospital_session_covers_routine_acts_only_and_a_service_point_every_act() {
	new_test_ext().execute_with(|| {
		open_session(Assistant::Hospital(code("C003")));
		assert_ok!(Consent::enrol(gw(GW_C), aung(), SourceSelection::All));
		assert_ok!(Consent::set_sources(
			gw(GW_C),
			aung(),
			SourceSelection::Only(BoundedVec::truncate_from(vec![code("A001")]))
		));
		// The hospital never opens the patient's sensitive data to its own doctors, withdraws
		// them (which shreds at every source) or revokes another hospital's grant.
		assert_noop!(
			Consent::set_sensitive_opt_in(gw(GW_C), aung(), true),
			Error::<Test>::NeedsServicePoint
		);
		assert_noop!(Consent::withdraw(gw(GW_C), aung()), Error::<Test>::NeedsServicePoint);
		assert_noop!(
			Consent::revoke_grant(gw(GW_C), aung(), code("B002"), lic("MD-B")),
			Error::<Test>::NeedsServicePoint
		);
		// At the registrar's own desk, every act, flagged.
		open_session(Assistant::ServicePoint);
		assert_ok!(Consent::set_sensitive_opt_in(RuntimeOrigin::signed(REGISTRAR), aung(), true));
		assert_eq!(
			last_event(),
			RuntimeEvent::Consent(Event::SensitiveOptInChanged {
				health_id: aung(),
				opt_in: true,
				by: Actor::AssistedAtServicePoint,
			})
		);
		assert_ok!(Consent::withdraw(RuntimeOrigin::signed(REGISTRAR), aung()));
		assert_eq!(
			last_event(),
			RuntimeEvent::Consent(Event::Withdrawn {
				health_id: aung(),
				by: Actor::AssistedAtServicePoint
			})
		);
	});
}

#[test]
fn a_registrar_at_a_hospital_never_answers_that_hospitals_request() {
	new_test_ext().execute_with(|| {
		const DESK_B: u64 = 31;
		assert_ok!(Participants::admit_registrar(
			RuntimeOrigin::root(),
			DESK_B,
			pallet_participants::RegistrarKind::HospitalServicePoint(code("B002")),
			BoundedVec::truncate_from(b"B002 desk".to_vec())
		));
		open_session(Assistant::Hospital(code("B002")));
		assert_ok!(Consent::enrol(gw(GW_B), aung(), SourceSelection::All));
		for (g, d) in [(GW_B, "MD-B"), (GW_E, "MD-BE")] {
			assert_ok!(Consent::request_access(
				gw(g),
				aung(),
				lic(d),
				cats(vec![C::Visit]),
				Purpose::Treatment,
				None
			));
		}
		assert_ok!(Consent::open_assistance(
			RuntimeOrigin::signed(DESK_B),
			aung(),
			Assistant::ServicePoint
		));
		// B002's own service point does not answer B002's request, session or not...
		let desk = RuntimeOrigin::signed(DESK_B);
		assert_noop!(Consent::respond(desk.clone(), 0, true), Error::<Test>::OwnHospitalRequest);
		// ...but answers another hospital's.
		assert_ok!(Consent::respond(desk, 1, false));
		// A suspended registrar acts for nobody.
		assert_ok!(Participants::set_registrar_status(RuntimeOrigin::root(), DESK_B, true));
		assert_noop!(
			Consent::set_sources(
				RuntimeOrigin::signed(DESK_B),
				aung(),
				SourceSelection::Only(BoundedVec::truncate_from(vec![code("A001")]))
			),
			Error::<Test>::NotPatient
		);
	});
}
