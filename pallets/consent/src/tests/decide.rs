//! The one decision function: every deny reason.

use super::*;

#[test]
fn decide_gives_every_deny_reason() {
	new_test_ext().execute_with(|| {
		enrol_somchai(SourceSelection::All);
		let t = Purpose::Treatment;
		assert_eq!(
			decide("MD-A", "A001", somchai(), &[], t),
			Decision::Deny(DenyReason::NoCategories)
		);
		assert_eq!(
			decide("MD-A", "ZZZ", somchai(), &[C::Visit], t),
			Decision::Deny(DenyReason::UnknownHospital)
		);
		assert_eq!(
			decide("NOBODY", "A001", somchai(), &[C::Visit], t),
			Decision::Deny(DenyReason::UnknownPractitioner)
		);
		assert_eq!(
			decide("MD-B", "A001", somchai(), &[C::Visit], t),
			Decision::Deny(DenyReason::NotAffiliated)
		);
		assert_eq!(
			decide("MD-A", "A001", nobody(), &[C::Visit], t),
			Decision::Deny(DenyReason::UnknownPatient)
		);
		assert_eq!(
			decide("MD-A", "A001", malee(), &[C::Visit], t),
			Decision::Deny(DenyReason::NotEnrolled)
		);
		assert_ok!(Participants::license_practitioner(
			RuntimeOrigin::signed(COUNCIL),
			lic("MD-NEW")
		));
		assert_ok!(Participants::affiliate_practitioner(gw(GW_A), lic("MD-NEW")));
		assert_eq!(
			decide("MD-NEW", "A001", somchai(), &[C::Visit], t),
			Decision::Deny(DenyReason::TermsNotAccepted)
		);
		assert_ok!(Participants::set_licence_status(
			RuntimeOrigin::signed(COUNCIL),
			lic("MD-NEW"),
			LicenceStatus::Suspended
		));
		assert_eq!(
			decide("MD-NEW", "A001", somchai(), &[C::Visit], t),
			Decision::Deny(DenyReason::PractitionerNotLicensed)
		);
		assert_ok!(HealthIds::deactivate(
			RuntimeOrigin::signed(REGISTRAR),
			somchai(),
			pallet_health_id::DeactivationReason::Deceased
		));
		assert_eq!(
			decide("MD-A", "A001", somchai(), &[C::Visit], t),
			Decision::Deny(DenyReason::PatientDeactivated)
		);
		assert_noop!(
			Consent::withdraw(patient(SOMCHAI_KEY), somchai()),
			Error::<Test>::HealthIdDeactivated
		);
		assert_ok!(Participants::set_hospital_status(
			RuntimeOrigin::root(),
			code("A001"),
			HospitalStatus::Suspended
		));
		assert_eq!(
			decide("MD-A", "A001", malee(), &[C::Visit], t),
			Decision::Deny(DenyReason::HospitalSuspended)
		);
	});
}
