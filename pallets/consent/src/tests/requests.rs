//! Rule 5: per-request consent: requests, answers, grants and their lifetimes.

use super::*;

#[test]
fn rule5_per_request_hospital_needs_an_approved_request() {
	new_test_ext().execute_with(|| {
		enrol_somchai(SourceSelection::All);
		assert_eq!(
			decide("MD-B", "B002", somchai(), &[C::Diagnosis], Purpose::Treatment),
			Decision::NeedsRequest
		);
		assert_ok!(Consent::request_access(
			gw(GW_B),
			somchai(),
			lic("MD-B"),
			cats(vec![C::Diagnosis, C::Medication]),
			Purpose::Treatment,
			None
		));
		assert_eq!(PendingRequests::<Test>::get(somchai()).into_inner(), vec![0]);
		assert_eq!(
			decide("MD-B", "B002", somchai(), &[C::Diagnosis], Purpose::Treatment),
			Decision::NeedsRequest
		);
		assert_ok!(Consent::respond(patient(SOMCHAI_KEY), 0, true));
		assert!(PendingRequests::<Test>::get(somchai()).is_empty());
		assert_eq!(
			decide("MD-B", "B002", somchai(), &[C::Diagnosis, C::Medication], Purpose::Treatment),
			Decision::Permit(PermitBasis::Grant)
		);
		// The grant covers only what was asked, for that doctor and hospital.
		assert_eq!(
			decide("MD-B", "B002", somchai(), &[C::LabAndImaging], Purpose::Treatment),
			Decision::NeedsRequest
		);
		assert_eq!(
			decide("MD-AB", "B002", somchai(), &[C::Diagnosis], Purpose::Treatment),
			Decision::NeedsRequest
		);
		// The policy belongs to the hospital where the doctor treats.
		assert_eq!(
			decide("MD-AB", "A001", somchai(), &[C::Diagnosis], Purpose::Treatment),
			Decision::Permit(PermitBasis::Enrolment)
		);
	});
}

#[test]
fn rule5_grant_expires_at_end_of_bangkok_day() {
	new_test_ext().execute_with(|| {
		enrol_somchai(SourceSelection::All);
		assert_ok!(Consent::request_access(
			gw(GW_B),
			somchai(),
			lic("MD-B"),
			cats(vec![C::Visit]),
			Purpose::Treatment,
			None
		));
		assert_ok!(Consent::respond(patient(SOMCHAI_KEY), 0, true));
		assert_eq!(
			last_event(),
			RuntimeEvent::Consent(Event::AccessGranted {
				request_id: 0,
				health_id: somchai(),
				hospital: code("B002"),
				practitioner: lic("MD-B"),
				categories: healthchain_primitives::categories_from(&[C::Visit]),
				expires_at: MIDNIGHT_BKK,
				by: Actor::Patient
			})
		);
		set_now(MIDNIGHT_BKK - 1);
		assert_eq!(
			decide("MD-B", "B002", somchai(), &[C::Visit], Purpose::Treatment),
			Decision::Permit(PermitBasis::Grant)
		);
		set_now(MIDNIGHT_BKK);
		assert_eq!(
			decide("MD-B", "B002", somchai(), &[C::Visit], Purpose::Treatment),
			Decision::NeedsRequest
		);
	});
}

#[test]
fn rule5_shorter_grant_lifetime() {
	new_test_ext().execute_with(|| {
		enrol_somchai(SourceSelection::All);
		assert_ok!(Consent::request_access(
			gw(GW_B),
			somchai(),
			lic("MD-B"),
			cats(vec![C::Visit]),
			Purpose::Treatment,
			Some(HOUR)
		));
		set_now(T0 + MINUTE);
		assert_ok!(Consent::respond(patient(SOMCHAI_KEY), 0, true));
		set_now(T0 + MINUTE + HOUR - 1);
		assert_eq!(
			decide("MD-B", "B002", somchai(), &[C::Visit], Purpose::Treatment),
			Decision::Permit(PermitBasis::Grant)
		);
		set_now(T0 + MINUTE + HOUR);
		assert_eq!(
			decide("MD-B", "B002", somchai(), &[C::Visit], Purpose::Treatment),
			Decision::NeedsRequest
		);
		// Asking for longer than the rest of the day still ends with the day.
		assert_ok!(Consent::request_access(
			gw(GW_B),
			somchai(),
			lic("MD-B"),
			cats(vec![C::Visit]),
			Purpose::Treatment,
			Some(48 * HOUR)
		));
		assert_ok!(Consent::respond(patient(SOMCHAI_KEY), 1, true));
		assert_eq!(
			Grants::<Test>::get((somchai(), code("B002"), lic("MD-B"))).unwrap().expires_at,
			MIDNIGHT_BKK
		);
	});
}

#[test]
fn rule5_refusal_and_unanswered_request_expiry() {
	new_test_ext().execute_with(|| {
		enrol_somchai(SourceSelection::All);
		assert_ok!(Consent::request_access(
			gw(GW_B),
			somchai(),
			lic("MD-B"),
			cats(vec![C::Visit]),
			Purpose::Treatment,
			None
		));
		assert_ok!(Consent::respond(patient(SOMCHAI_KEY), 0, false));
		assert_eq!(
			last_event(),
			RuntimeEvent::Consent(Event::AccessRefused {
				request_id: 0,
				health_id: somchai(),
				by: Actor::Patient
			})
		);
		assert_eq!(
			decide("MD-B", "B002", somchai(), &[C::Visit], Purpose::Treatment),
			Decision::NeedsRequest
		);
		assert_noop!(
			Consent::respond(patient(SOMCHAI_KEY), 0, true),
			Error::<Test>::UnknownRequest
		);
		// Unanswered for 15 minutes: it lapses.
		assert_ok!(Consent::request_access(
			gw(GW_B),
			somchai(),
			lic("MD-B"),
			cats(vec![C::Visit]),
			Purpose::Treatment,
			None
		));
		set_now(T0 + 15 * MINUTE - 1);
		assert_ok!(frame_support::storage::with_transaction(|| {
			let r = Consent::respond(patient(SOMCHAI_KEY), 1, true);
			sp_runtime::TransactionOutcome::Rollback(r)
		}));
		set_now(T0 + 15 * MINUTE);
		assert_noop!(
			Consent::respond(patient(SOMCHAI_KEY), 1, true),
			Error::<Test>::RequestExpired
		);
		assert_noop!(Consent::respond(patient(MALEE_KEY), 1, true), Error::<Test>::NotPatient);
	});
}

#[test]
fn rule5_request_errors() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			Consent::request_access(
				gw(GW_B),
				somchai(),
				lic("MD-B"),
				cats(vec![C::Visit]),
				Purpose::Treatment,
				None
			),
			Error::<Test>::NotEnrolled
		);
		enrol_somchai(SourceSelection::All);
		let req = |g, d: &str, c: healthchain_primitives::Categories, p, ttl| {
			Consent::request_access(gw(g), somchai(), lic(d), c, p, ttl)
		};
		assert_noop!(
			req(GW_A, "MD-A", cats(vec![C::Visit]), Purpose::Treatment, None),
			Error::<Test>::NotPerRequestHospital
		);
		assert_noop!(
			req(STRANGER, "MD-B", cats(vec![C::Visit]), Purpose::Treatment, None),
			Error::<Test>::NotAGateway
		);
		assert_noop!(
			req(GW_B, "MD-B", cats(vec![C::Visit]), Purpose::Emergency, None),
			Error::<Test>::UseEmergencyAccess
		);
		assert_noop!(
			req(GW_B, "MD-B", cats(vec![]), Purpose::Treatment, None),
			Error::<Test>::NoCategories
		);
		assert_noop!(
			req(GW_B, "MD-B", cats(vec![C::Visit]), Purpose::Treatment, Some(0)),
			Error::<Test>::ZeroGrantLifetime
		);
		assert_noop!(
			req(GW_B, "MD-A", cats(vec![C::Visit]), Purpose::Treatment, None),
			Error::<Test>::NotAffiliated
		);
		assert_noop!(
			req(GW_B, "NOBODY", cats(vec![C::Visit]), Purpose::Treatment, None),
			Error::<Test>::UnknownPractitioner
		);
		assert_ok!(Participants::license_practitioner(
			RuntimeOrigin::signed(COUNCIL),
			lic("MD-NEW")
		));
		assert_ok!(Participants::affiliate_practitioner(gw(GW_B), lic("MD-NEW")));
		assert_noop!(
			req(GW_B, "MD-NEW", cats(vec![C::Visit]), Purpose::Treatment, None),
			Error::<Test>::TermsNotAccepted
		);
		assert_ok!(Participants::set_licence_status(
			RuntimeOrigin::signed(COUNCIL),
			lic("MD-B"),
			LicenceStatus::Suspended
		));
		assert_noop!(
			req(GW_B, "MD-B", cats(vec![C::Visit]), Purpose::Treatment, None),
			Error::<Test>::PractitionerNotLicensed
		);
		assert_noop!(
			Consent::request_access(
				gw(GW_B),
				nobody(),
				lic("MD-AB"),
				cats(vec![C::Visit]),
				Purpose::Treatment,
				None
			),
			Error::<Test>::UnknownHealthId
		);
	});
}

#[test]
fn rule5_pending_requests_are_bounded_per_patient_and_per_hospital_and_lapsed_ones_make_room() {
	new_test_ext().execute_with(|| {
		enrol_somchai(SourceSelection::All);
		let ask = |g, d: &str| {
			Consent::request_access(
				gw(g),
				somchai(),
				lic(d),
				cats(vec![C::Visit]),
				Purpose::Treatment,
				None,
			)
		};
		assert_ok!(ask(GW_B, "MD-B"));
		assert_ok!(ask(GW_B, "MD-B"));
		// One hospital holds at most MaxPendingPerHospital (2) of the patient's 3 slots.
		assert_noop!(ask(GW_B, "MD-B"), Error::<Test>::TooManyRequestsFromHospital);
		assert_ok!(ask(GW_E, "MD-BE"));
		assert_noop!(ask(GW_E, "MD-BE"), Error::<Test>::TooManyPendingRequests);
		set_now(T0 + 15 * MINUTE);
		assert_ok!(ask(GW_B, "MD-B"));
		assert_eq!(PendingRequests::<Test>::get(somchai()).into_inner(), vec![3]);
		assert!(Requests::<Test>::get(0).is_none());
	});
}

#[test]
fn patient_revokes_a_grant() {
	new_test_ext().execute_with(|| {
		enrol_somchai(SourceSelection::All);
		assert_ok!(Consent::request_access(
			gw(GW_B),
			somchai(),
			lic("MD-B"),
			cats(vec![C::Visit]),
			Purpose::Treatment,
			None
		));
		assert_ok!(Consent::respond(patient(SOMCHAI_KEY), 0, true));
		assert_ok!(Consent::revoke_grant(
			patient(SOMCHAI_KEY),
			somchai(),
			code("B002"),
			lic("MD-B")
		));
		assert_eq!(
			decide("MD-B", "B002", somchai(), &[C::Visit], Purpose::Treatment),
			Decision::NeedsRequest
		);
		assert_noop!(
			Consent::revoke_grant(patient(SOMCHAI_KEY), somchai(), code("B002"), lic("MD-B")),
			Error::<Test>::UnknownGrant
		);
	});
}

#[test]
fn the_live_grants_view_drops_an_expired_grant_before_it_is_pruned() {
	new_test_ext().execute_with(|| {
		enrol_somchai(SourceSelection::All);
		assert_ok!(Consent::request_access(
			gw(GW_B),
			somchai(),
			lic("MD-B"),
			cats(vec![C::Visit]),
			Purpose::Treatment,
			Some(HOUR)
		));
		set_now(T0 + MINUTE);
		assert_ok!(Consent::respond(patient(SOMCHAI_KEY), 0, true));
		let live = Consent::live_grant_views(&somchai());
		assert_eq!(live.len(), 1);
		assert_eq!(
			(live[0].request_id, live[0].hospital.clone(), live[0].practitioner.clone()),
			(0, code("B002"), lic("MD-B"))
		);
		assert_eq!(live[0].categories, cats(vec![C::Visit]));
		assert_eq!(live[0].expires_at, T0 + MINUTE + HOUR);
		// The view and the decision agree at the grant's last millisecond and at its expiry.
		set_now(T0 + MINUTE + HOUR - 1);
		assert_eq!(Consent::live_grant_views(&somchai()).len(), 1);
		assert_eq!(
			decide("MD-B", "B002", somchai(), &[C::Visit], Purpose::Treatment),
			Decision::Permit(PermitBasis::Grant)
		);
		set_now(T0 + MINUTE + HOUR);
		assert!(Consent::live_grant_views(&somchai()).is_empty());
		assert!(
			Grants::<Test>::contains_key((somchai(), code("B002"), lic("MD-B"))),
			"the expired grant is still in state, not pruned yet"
		);
		assert_eq!(
			decide("MD-B", "B002", somchai(), &[C::Visit], Purpose::Treatment),
			Decision::NeedsRequest
		);
	});
}
