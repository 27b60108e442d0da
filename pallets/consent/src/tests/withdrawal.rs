//! Rule 4: withdraw any time; re-enrol only from the next day.

use super::*;

#[test]
fn rule4_withdraw_any_time_and_rejoin_from_next_bangkok_day() {
	new_test_ext().execute_with(|| {
		enrol_somchai(SourceSelection::All);
		assert_ok!(Consent::withdraw(patient(SOMCHAI_KEY), somchai()));
		assert_eq!(
			last_event(),
			RuntimeEvent::Consent(Event::Withdrawn { health_id: somchai(), by: Actor::Patient })
		);
		assert_eq!(
			decide("MD-A", "A001", somchai(), &[C::Allergy], Purpose::Treatment),
			Decision::Deny(DenyReason::Withdrawn)
		);
		assert_eq!(Consent::is_source_of(&somchai(), &code("A001")), Err(SourceRefusal::Withdrawn));
		assert_noop!(
			Consent::withdraw(patient(SOMCHAI_KEY), somchai()),
			Error::<Test>::NotEnrolled
		);
		assert_noop!(
			Consent::enrol(patient(SOMCHAI_KEY), somchai(), SourceSelection::All),
			Error::<Test>::ReenrolTooSoon
		);
		set_now(MIDNIGHT_BKK - 1);
		assert_noop!(
			Consent::enrol(patient(SOMCHAI_KEY), somchai(), SourceSelection::All),
			Error::<Test>::ReenrolTooSoon
		);
		set_now(MIDNIGHT_BKK);
		assert_ok!(Consent::enrol(patient(SOMCHAI_KEY), somchai(), SourceSelection::All));
		assert_eq!(
			decide("MD-A", "A001", somchai(), &[C::Allergy], Purpose::Treatment),
			Decision::Permit(PermitBasis::Enrolment)
		);
	});
}

#[test]
fn rule4_withdrawal_drops_requests_grants_and_sensitive_opt_in() {
	new_test_ext().execute_with(|| {
		enrol_somchai(SourceSelection::All);
		assert_ok!(Consent::set_sensitive_opt_in(patient(SOMCHAI_KEY), somchai(), true));
		assert_ok!(Consent::request_access(
			gw(GW_B),
			somchai(),
			lic("MD-B"),
			cats(vec![C::Diagnosis]),
			Purpose::Treatment,
			None
		));
		assert_ok!(Consent::request_access(
			gw(GW_B),
			somchai(),
			lic("MD-AB"),
			cats(vec![C::Diagnosis]),
			Purpose::Treatment,
			None
		));
		assert_ok!(Consent::respond(patient(SOMCHAI_KEY), 0, true));
		assert_ok!(Consent::withdraw(patient(SOMCHAI_KEY), somchai()));
		assert!(PendingRequests::<Test>::get(somchai()).is_empty());
		assert!(Requests::<Test>::get(1).is_none());
		assert!(Grants::<Test>::iter_prefix((somchai(),)).next().is_none());
		set_now(MIDNIGHT_BKK);
		enrol_somchai(SourceSelection::All);
		assert!(!Consents::<Test>::get(somchai()).unwrap().sensitive_opt_in);
		assert_eq!(
			decide("MD-B", "B002", somchai(), &[C::Diagnosis], Purpose::Treatment),
			Decision::NeedsRequest
		);
	});
}
