//! Rule 2: joining is consenting; the source hospitals are all of them or a list.

use super::*;

#[test]
fn rule2_enrolment_is_consent_and_all_sources_include_later_hospitals() {
	new_test_ext().execute_with(|| {
		assert_eq!(
			decide("MD-A", "A001", somchai(), &[C::Allergy], Purpose::Treatment),
			Decision::Deny(DenyReason::NotEnrolled)
		);
		enrol_somchai(SourceSelection::All);
		assert_eq!(
			last_event(),
			RuntimeEvent::Consent(Event::Enrolled {
				health_id: somchai(),
				sources: SourceSelection::All,
				by: Actor::Patient
			})
		);
		assert_eq!(
			decide("MD-A", "A001", somchai(), &[C::Allergy, C::Diagnosis], Purpose::Treatment),
			Decision::Permit(PermitBasis::Enrolment)
		);
		// A hospital that joins later is a source automatically.
		assert_ok!(Participants::admit_hospital(
			RuntimeOrigin::root(),
			code("D004"),
			b"D".to_vec().try_into().unwrap(),
			ConsentPolicy::OneTime,
			50
		));
		assert_eq!(Consent::is_source_of(&somchai(), &code("D004")), Ok(()));
	});
}

#[test]
fn rule2_source_list_limits_sources() {
	new_test_ext().execute_with(|| {
		enrol_somchai(only(&["A001", "C003"]));
		assert_eq!(Consent::is_source_of(&somchai(), &code("A001")), Ok(()));
		assert_eq!(
			Consent::is_source_of(&somchai(), &code("B002")),
			Err(SourceRefusal::NotSelected)
		);
		assert_eq!(
			Consent::is_source_of(&somchai(), &code("ZZZ")),
			Err(SourceRefusal::UnknownHospital)
		);
		assert_eq!(Consent::is_source_of(&malee(), &code("A001")), Err(SourceRefusal::NotEnrolled));
		assert_eq!(
			Consent::is_source_of(&nobody(), &code("A001")),
			Err(SourceRefusal::UnknownPatient)
		);
		assert_ok!(Participants::set_hospital_status(
			RuntimeOrigin::root(),
			code("A001"),
			HospitalStatus::Suspended
		));
		assert_eq!(
			Consent::is_source_of(&somchai(), &code("A001")),
			Err(SourceRefusal::HospitalSuspended)
		);
	});
}

#[test]
fn rule2_source_list_errors() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			Consent::enrol(patient(SOMCHAI_KEY), somchai(), only(&[])),
			Error::<Test>::EmptySourceList
		);
		assert_noop!(
			Consent::enrol(patient(SOMCHAI_KEY), somchai(), only(&["A001", "A001"])),
			Error::<Test>::DuplicateSource
		);
		assert_noop!(
			Consent::enrol(patient(SOMCHAI_KEY), somchai(), only(&["A001", "ZZZ"])),
			Error::<Test>::InactiveSource
		);
		assert_ok!(Participants::set_hospital_status(
			RuntimeOrigin::root(),
			code("C003"),
			HospitalStatus::Suspended
		));
		assert_noop!(
			Consent::enrol(patient(SOMCHAI_KEY), somchai(), only(&["C003"])),
			Error::<Test>::InactiveSource
		);
		enrol_somchai(SourceSelection::All);
		assert_noop!(
			Consent::enrol(patient(SOMCHAI_KEY), somchai(), SourceSelection::All),
			Error::<Test>::AlreadyEnrolled
		);
	});
}
