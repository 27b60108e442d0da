//! Rule 9: emergency access is time-boxed, flagged and reviewed by the licensing authority
//! (issue 12: an unjustified review ends it, a practitioner's unreviewed accesses are bounded,
//! overdue reviews are listed).

use super::*;

#[test]
fn rule9_emergency_access_is_time_boxed_flagged_and_reviewed() {
	new_test_ext().execute_with(|| {
		enrol_somchai(SourceSelection::All);
		assert_eq!(
			decide("MD-B", "B002", somchai(), &[C::Allergy], Purpose::Emergency),
			Decision::Deny(DenyReason::NoEmergencyAccess)
		);
		assert_ok!(Consent::open_emergency_access(
			gw(GW_B),
			somchai(),
			lic("MD-B"),
			EmergencyReason::Unconscious
		));
		assert_eq!(
			last_event(),
			RuntimeEvent::Consent(Event::EmergencyAccessOpened {
				emergency_id: 0,
				health_id: somchai(),
				hospital: code("B002"),
				practitioner: lic("MD-B"),
				reason: EmergencyReason::Unconscious,
				expires_at: T0 + 24 * HOUR,
				after_refusal: false,
			})
		);
		// No patient response needed, even at a per-request hospital.
		assert_eq!(
			decide("MD-B", "B002", somchai(), &[C::Allergy, C::Medication], Purpose::Emergency),
			Decision::Permit(PermitBasis::Emergency)
		);
		// Never sensitive data without the opt-in.
		assert_eq!(
			decide("MD-B", "B002", somchai(), &[C::Sensitive], Purpose::Emergency),
			Decision::Deny(DenyReason::SensitiveNotOptedIn)
		);
		// Only that doctor.
		assert_eq!(
			decide("MD-AB", "B002", somchai(), &[C::Allergy], Purpose::Emergency),
			Decision::Deny(DenyReason::NoEmergencyAccess)
		);
		// Time-boxed: 24 h.
		set_now(T0 + 24 * HOUR - 1);
		assert!(decide("MD-B", "B002", somchai(), &[C::Allergy], Purpose::Emergency).is_permit());
		set_now(T0 + 24 * HOUR);
		assert_eq!(
			decide("MD-B", "B002", somchai(), &[C::Allergy], Purpose::Emergency),
			Decision::Deny(DenyReason::NoEmergencyAccess)
		);
		// Reviewed by the licensing authority: never by the hospital that opened it, nor by
		// another hospital.
		assert_noop!(
			Consent::review_emergency_access(gw(GW_B), 0, Review::Justified),
			Error::<Test>::OpenerCannotReview
		);
		assert_noop!(
			Consent::review_emergency_access(gw(GW_A), 0, Review::Justified),
			Error::<Test>::NotReviewer
		);
		assert_noop!(
			Consent::review_emergency_access(authority(), 0, Review::Pending),
			Error::<Test>::InvalidReview
		);
		assert_ok!(Consent::review_emergency_access(authority(), 0, Review::Unjustified));
		assert_eq!(
			last_event(),
			RuntimeEvent::Consent(Event::EmergencyAccessReviewed {
				emergency_id: 0,
				hospital: code("B002"),
				review: Review::Unjustified,
				overturned: false,
			})
		);
		assert_eq!(UnjustifiedEmergencies::<Test>::get(lic("MD-B")), 1);
		// Unjustified is final; the ended access leaves state at the next sweep.
		assert_noop!(
			Consent::review_emergency_access(authority(), 0, Review::Justified),
			Error::<Test>::AlreadyReviewed
		);
		Consent::on_idle(1, Weight::MAX);
		assert!(EmergencyAccesses::<Test>::get(0).is_none());
		assert_noop!(
			Consent::review_emergency_access(authority(), 0, Review::Justified),
			Error::<Test>::UnknownEmergencyAccess
		);
	});
}

#[test]
fn rule9_review_before_expiry_keeps_access_until_it_ends() {
	new_test_ext().execute_with(|| {
		enrol_somchai(SourceSelection::All);
		assert_ok!(Consent::open_emergency_access(
			gw(GW_A),
			somchai(),
			lic("MD-A"),
			EmergencyReason::LifeThreatening
		));
		assert_ok!(Consent::review_emergency_access(authority(), 0, Review::Justified));
		assert_eq!(EmergencyAccesses::<Test>::get(0).unwrap().review, Review::Justified);
		assert_noop!(
			Consent::review_emergency_access(authority(), 0, Review::Justified),
			Error::<Test>::AlreadyReviewed
		);
		assert!(decide("MD-A", "A001", somchai(), &[C::Allergy], Purpose::Emergency).is_permit());
		assert_noop!(
			Consent::review_emergency_access(gw(STRANGER), 0, Review::Unjustified),
			Error::<Test>::NotReviewer
		);
	});
}

#[test]
fn rule9_emergency_open_errors() {
	new_test_ext().execute_with(|| {
		let open = |g, d: &str, who| {
			Consent::open_emergency_access(gw(g), who, lic(d), EmergencyReason::Unconscious)
		};
		assert_noop!(open(STRANGER, "MD-A", somchai()), Error::<Test>::NotAGateway);
		assert_noop!(open(GW_A, "MD-B", somchai()), Error::<Test>::NotAffiliated);
		assert_noop!(open(GW_A, "MD-A", nobody()), Error::<Test>::UnknownHealthId);
		assert_ok!(Participants::set_licence_status(
			RuntimeOrigin::signed(COUNCIL),
			lic("MD-A"),
			LicenceStatus::Revoked
		));
		assert_noop!(open(GW_A, "MD-A", somchai()), Error::<Test>::PractitionerNotLicensed);
		// Open for an unenrolled patient: allowed to open, but decide still denies.
		assert_ok!(open(GW_B, "MD-B", malee()));
		assert_eq!(
			decide("MD-B", "B002", malee(), &[C::Allergy], Purpose::Emergency),
			Decision::Deny(DenyReason::NotEnrolled)
		);
	});
}
#[test]
fn the_licensing_authority_overturns_a_justified_review() {
	new_test_ext().execute_with(|| {
		enrol_somchai(SourceSelection::All);
		assert_ok!(open_emergency(GW_B, "MD-B"));
		assert_ok!(Consent::review_emergency_access(authority(), 0, Review::Justified));
		assert_eq!(UnreviewedEmergencies::<Test>::get(lic("MD-B")), 0);
		assert!(decide("MD-B", "B002", somchai(), &[C::Allergy], Purpose::Emergency).is_permit());
		set_now(T0 + HOUR);
		assert_ok!(Consent::review_emergency_access(authority(), 0, Review::Unjustified));
		assert_eq!(
			last_event(),
			RuntimeEvent::Consent(Event::EmergencyAccessReviewed {
				emergency_id: 0,
				hospital: code("B002"),
				review: Review::Unjustified,
				overturned: true,
			})
		);
		// It ends at once and counts against the practitioner; the review counter is not
		// taken down twice.
		assert_eq!(
			decide("MD-B", "B002", somchai(), &[C::Allergy], Purpose::Emergency),
			Decision::Deny(DenyReason::NoEmergencyAccess)
		);
		assert_eq!(UnjustifiedEmergencies::<Test>::get(lic("MD-B")), 1);
		assert_eq!(UnreviewedEmergencies::<Test>::get(lic("MD-B")), 0);
		assert_noop!(
			Consent::review_emergency_access(authority(), 0, Review::Justified),
			Error::<Test>::AlreadyReviewed
		);
		// Long after it ended, a justified review can still be overturned until the window
		// closes, and the access stays in state that long.
		assert_ok!(open_emergency(GW_B, "MD-B"));
		assert_ok!(Consent::review_emergency_access(authority(), 1, Review::Justified));
		set_now(T0 + HOUR + 24 * HOUR + OverturnWindow::get() - 1);
		Consent::on_idle(1, Weight::MAX);
		assert!(EmergencyAccesses::<Test>::get(1).is_some());
		assert_ok!(Consent::review_emergency_access(authority(), 1, Review::Unjustified));
		assert_eq!(UnjustifiedEmergencies::<Test>::get(lic("MD-B")), 2);
	});
}
#[test]
fn an_unjustified_review_ends_the_emergency_access_at_once() {
	new_test_ext().execute_with(|| {
		enrol_somchai(SourceSelection::All);
		assert_ok!(open_emergency(GW_B, "MD-B"));
		assert!(decide("MD-B", "B002", somchai(), &[C::Allergy], Purpose::Emergency).is_permit());
		assert_ok!(Consent::review_emergency_access(authority(), 0, Review::Unjustified));
		assert_eq!(
			decide("MD-B", "B002", somchai(), &[C::Allergy], Purpose::Emergency),
			Decision::Deny(DenyReason::NoEmergencyAccess)
		);
		assert_eq!(EmergencyAccesses::<Test>::get(0).map(|e| e.expires_at), Some(T0));
		// A justified one keeps permitting until it expires.
		assert_ok!(open_emergency(GW_B, "MD-B"));
		assert_ok!(Consent::review_emergency_access(authority(), 1, Review::Justified));
		assert!(decide("MD-B", "B002", somchai(), &[C::Allergy], Purpose::Emergency).is_permit());
	});
}

#[test]
fn an_emergency_after_a_refusal_the_same_day_is_flagged() {
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
		assert_ok!(open_emergency(GW_B, "MD-B"));
		assert!(matches!(
			last_event(),
			RuntimeEvent::Consent(Event::EmergencyAccessOpened { after_refusal: true, .. })
		));
		assert!(EmergencyAccesses::<Test>::get(0).is_some_and(|e| e.after_refusal));
		// The next day it is not.
		set_now(MIDNIGHT_BKK);
		assert_ok!(open_emergency(GW_B, "MD-AB"));
		assert!(matches!(
			last_event(),
			RuntimeEvent::Consent(Event::EmergencyAccessOpened { after_refusal: false, .. })
		));
	});
}

#[test]
fn a_practitioner_holds_a_bounded_number_of_unreviewed_emergency_accesses() {
	new_test_ext().execute_with(|| {
		enrol_somchai(SourceSelection::All);
		assert_ok!(open_emergency(GW_B, "MD-B"));
		assert_ok!(open_emergency(GW_B, "MD-B"));
		assert_noop!(open_emergency(GW_B, "MD-B"), Error::<Test>::TooManyUnreviewedEmergencies);
		// Another doctor is not held up.
		assert_ok!(open_emergency(GW_B, "MD-AB"));
		assert_ok!(Consent::review_emergency_access(authority(), 0, Review::Justified));
		assert_eq!(UnreviewedEmergencies::<Test>::get(lic("MD-B")), 1);
		assert_ok!(open_emergency(GW_B, "MD-B"));
	});
}

#[test]
fn overdue_reviews_are_listed_and_the_licensing_authority_can_review() {
	new_test_ext().execute_with(|| {
		enrol_somchai(SourceSelection::All);
		assert_ok!(open_emergency(GW_B, "MD-B"));
		assert_ok!(open_emergency(GW_B, "MD-AB"));
		assert!(Consent::overdue_reviews(10).is_empty());
		set_now(T0 + 72 * HOUR);
		let overdue: Vec<_> = Consent::overdue_reviews(10).into_iter().map(|(id, _)| id).collect();
		assert_eq!(overdue, vec![0, 1]);
		assert_eq!(Consent::overdue_reviews(1).len(), 1);
		// Another hospital's gateway cannot review; the licensing authority can.
		assert_noop!(
			Consent::review_emergency_access(gw(GW_A), 0, Review::Justified),
			Error::<Test>::NotReviewer
		);
		assert_noop!(
			Consent::review_emergency_access(RuntimeOrigin::signed(STRANGER), 0, Review::Justified),
			Error::<Test>::NotReviewer
		);
		assert_ok!(Consent::review_emergency_access(
			RuntimeOrigin::signed(COUNCIL),
			0,
			Review::Unjustified
		));
		assert_eq!(
			last_event(),
			RuntimeEvent::Consent(Event::EmergencyAccessReviewed {
				emergency_id: 0,
				hospital: code("B002"),
				review: Review::Unjustified,
				overturned: false,
			})
		);
		let overdue: Vec<_> = Consent::overdue_reviews(10).into_iter().map(|(id, _)| id).collect();
		assert_eq!(overdue, vec![1]);
	});
}
#[test]
fn overdue_review_views_carry_what_the_licensing_authority_needs_and_are_capped() {
	use healthchain_primitives::{views, MAX_OVERDUE_PAGE};
	new_test_ext().execute_with(|| {
		enrol_somchai(SourceSelection::All);
		assert_ok!(open_emergency(GW_B, "MD-B"));
		// Not overdue yet, and a limit of 0 lists nothing.
		assert!(Consent::overdue_review_views(10).is_empty());
		set_now(T0 + 72 * HOUR);
		assert!(Consent::overdue_review_views(0).is_empty());
		assert_eq!(
			Consent::overdue_review_views(10),
			vec![views::OverdueReview {
				emergency_id: 0,
				health_id: somchai(),
				hospital: code("B002"),
				practitioner: lic("MD-B"),
				reason: views::EmergencyReason::Unconscious,
				opened_at: T0,
				review_due_at: T0 + 72 * HOUR,
				after_refusal: false,
			}]
		);
		// More overdue accesses than one page: the view is capped at MAX_OVERDUE_PAGE, oldest
		// first, while the pallet's own list is not.
		let extra = MAX_OVERDUE_PAGE as u64 + 20;
		for id in 1..=extra {
			EmergencyAccesses::<Test>::insert(
				id,
				EmergencyAccess {
					health_id: somchai(),
					hospital: code("B002"),
					practitioner: lic("MD-AB"),
					reason: EmergencyReason::LifeThreatening,
					opened_at: T0 + id,
					expires_at: T0 + id + 24 * HOUR,
					review: Review::Pending,
					after_refusal: true,
				},
			);
		}
		NextEmergencyId::<Test>::put(extra + 1);
		set_now(T0 + 73 * HOUR);
		let page = Consent::overdue_review_views(u32::MAX);
		assert_eq!(page.len(), MAX_OVERDUE_PAGE as usize);
		let ids: Vec<u64> = page.iter().map(|r| r.emergency_id).collect();
		assert_eq!(ids, (0..MAX_OVERDUE_PAGE as u64).collect::<Vec<_>>());
		assert_eq!(page[1].reason, views::EmergencyReason::LifeThreatening);
		assert_eq!(page[1].review_due_at, T0 + 1 + 72 * HOUR);
		assert!(page[1].after_refusal);
		assert_eq!(Consent::overdue_reviews(u32::MAX).len() as u64, extra + 1);
	});
}
