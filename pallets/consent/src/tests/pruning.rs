//! Bounded state (issue 12): grants are bounded per patient and `on_idle` prunes what lapsed.

use super::*;

#[test]
fn grants_are_bounded_per_patient_and_expired_ones_make_room() {
	new_test_ext().execute_with(|| {
		enrol_somchai(SourceSelection::All);
		let grant = |g, d: &str, ttl| {
			assert_ok!(Consent::request_access(
				gw(g),
				somchai(),
				lic(d),
				cats(vec![C::Visit]),
				Purpose::Treatment,
				ttl
			));
			let id = NextRequestId::<Test>::get() - 1;
			Consent::respond(patient(SOMCHAI_KEY), id, true)
		};
		assert_ok!(grant(GW_B, "MD-B", Some(MINUTE)));
		assert_ok!(grant(GW_B, "MD-AB", None));
		assert_ok!(grant(GW_E, "MD-BE", None));
		assert_eq!(GrantCount::<Test>::get(somchai()), 3);
		// A renewed grant for the same doctor replaces the old one.
		assert_ok!(grant(GW_B, "MD-AB", None));
		assert_eq!(GrantCount::<Test>::get(somchai()), 3);
		// Full (MaxGrants = 3) and none expired: refused.
		assert_ok!(Consent::request_access(
			gw(GW_B),
			somchai(),
			lic("MD-BE"),
			cats(vec![C::Visit]),
			Purpose::Treatment,
			None
		));
		let asked = NextRequestId::<Test>::get() - 1;
		assert_noop!(
			Consent::respond(patient(SOMCHAI_KEY), asked, true),
			Error::<Test>::TooManyGrants
		);
		// Once the one-minute grant expires, it makes room.
		set_now(T0 + MINUTE);
		assert_ok!(Consent::respond(patient(SOMCHAI_KEY), asked, true));
		assert_eq!(GrantCount::<Test>::get(somchai()), 3);
		assert!(Grants::<Test>::get((somchai(), code("B002"), lic("MD-B"))).is_none());
		// Withdrawing clears them all, bounded by MaxGrants.
		assert_ok!(Consent::withdraw(patient(SOMCHAI_KEY), somchai()));
		assert_eq!(GrantCount::<Test>::get(somchai()), 0);
		assert_eq!(Grants::<Test>::iter_prefix((somchai(),)).count(), 0);
	});
}

#[test]
fn on_idle_prunes_lapsed_requests_and_ended_reviewed_emergencies_within_its_weight() {
	use frame_support::{traits::Hooks, weights::Weight};
	new_test_ext().execute_with(|| {
		enrol_somchai(SourceSelection::All);
		for (g, d) in [(GW_B, "MD-B"), (GW_E, "MD-BE")] {
			assert_ok!(Consent::request_access(
				gw(g),
				somchai(),
				lic(d),
				cats(vec![C::Visit]),
				Purpose::Treatment,
				None
			));
		}
		assert_ok!(open_emergency(GW_B, "MD-B"));
		assert_ok!(open_emergency(GW_B, "MD-AB"));
		assert_ok!(Consent::review_emergency_access(authority(), 0, Review::Justified));
		// Nothing is due yet: the sweep stops at the first entry still needed.
		Consent::on_idle(1, Weight::MAX);
		assert_eq!(Pruning::<Test>::get(), PruneCursor { request: 0, emergency: 0 });
		set_now(T0 + 24 * HOUR);
		// (The test runtime weighs storage at zero, so only the work is checked here.)
		Consent::on_idle(1, Weight::MAX);
		assert!(Requests::<Test>::get(0).is_none() && Requests::<Test>::get(1).is_none());
		assert!(PendingRequests::<Test>::get(somchai()).is_empty());
		// The justified, ended access stays while its review can still be overturned.
		assert!(EmergencyAccesses::<Test>::get(0).is_some());
		assert_eq!(Pruning::<Test>::get(), PruneCursor { request: 2, emergency: 0 });
		set_now(T0 + 24 * HOUR + OverturnWindow::get());
		Consent::on_idle(1, Weight::MAX);
		// Then it is gone; the unreviewed one stays for its review.
		assert!(EmergencyAccesses::<Test>::get(0).is_none());
		assert!(EmergencyAccesses::<Test>::get(1).is_some());
		assert_eq!(Pruning::<Test>::get(), PruneCursor { request: 2, emergency: 1 });
	});
}
