//! Rule 3: the source selection changes at most once a (Bangkok) day.

use super::*;

#[test]
fn rule3_sources_change_once_per_bangkok_day_boundary_at_17_utc() {
	new_test_ext().execute_with(|| {
		enrol_somchai(SourceSelection::All);
		assert_ok!(Consent::set_sources(patient(SOMCHAI_KEY), somchai(), only(&["A001"])));
		assert_eq!(
			last_event(),
			RuntimeEvent::Consent(Event::SourcesChanged {
				health_id: somchai(),
				sources: only(&["A001"]),
				by: Actor::Patient
			})
		);
		assert_noop!(
			Consent::set_sources(patient(SOMCHAI_KEY), somchai(), only(&["B002"])),
			Error::<Test>::SourcesAlreadyChangedToday
		);
		// 16:59:59.999 UTC is still the same Bangkok day.
		set_now(MIDNIGHT_BKK - 1);
		assert_noop!(
			Consent::set_sources(patient(SOMCHAI_KEY), somchai(), only(&["B002"])),
			Error::<Test>::SourcesAlreadyChangedToday
		);
		// 17:00 UTC is midnight in Bangkok: a new day.
		set_now(MIDNIGHT_BKK);
		assert_ok!(Consent::set_sources(patient(SOMCHAI_KEY), somchai(), only(&["B002"])));
		assert_noop!(
			Consent::set_sources(patient(SOMCHAI_KEY), somchai(), SourceSelection::All),
			Error::<Test>::SourcesAlreadyChangedToday
		);
	});
}

#[test]
fn rule3_set_sources_errors() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			Consent::set_sources(patient(SOMCHAI_KEY), somchai(), SourceSelection::All),
			Error::<Test>::NotEnrolled
		);
		enrol_somchai(SourceSelection::All);
		assert_noop!(
			Consent::set_sources(patient(SOMCHAI_KEY), somchai(), SourceSelection::All),
			Error::<Test>::SourcesUnchanged
		);
		assert_noop!(
			Consent::set_sources(patient(SOMCHAI_KEY), somchai(), only(&["A001", "ZZZ"])),
			Error::<Test>::InactiveSource
		);
		assert_noop!(
			Consent::set_sources(patient(MALEE_KEY), somchai(), only(&["A001"])),
			Error::<Test>::NotPatient
		);
	});
}
