//! Sensitive data: a separate explicit opt-in, off by default.

use super::*;

#[test]
fn sensitive_needs_explicit_opt_in_off_by_default() {
	new_test_ext().execute_with(|| {
		enrol_somchai(SourceSelection::All);
		assert!(!Consents::<Test>::get(somchai()).unwrap().sensitive_opt_in);
		assert_eq!(
			decide("MD-A", "A001", somchai(), &[C::Allergy, C::Sensitive], Purpose::Treatment),
			Decision::Deny(DenyReason::SensitiveNotOptedIn)
		);
		assert_ok!(Consent::set_sensitive_opt_in(patient(SOMCHAI_KEY), somchai(), true));
		assert_eq!(
			last_event(),
			RuntimeEvent::Consent(Event::SensitiveOptInChanged {
				health_id: somchai(),
				opt_in: true,
				by: Actor::Patient
			})
		);
		assert_eq!(
			decide("MD-A", "A001", somchai(), &[C::Sensitive], Purpose::Treatment),
			Decision::Permit(PermitBasis::Enrolment)
		);
		assert_noop!(
			Consent::set_sensitive_opt_in(patient(SOMCHAI_KEY), somchai(), true),
			Error::<Test>::OptInUnchanged
		);
		assert_ok!(Consent::set_sensitive_opt_in(patient(SOMCHAI_KEY), somchai(), false));
		assert_eq!(
			decide("MD-A", "A001", somchai(), &[C::Sensitive], Purpose::Treatment),
			Decision::Deny(DenyReason::SensitiveNotOptedIn)
		);
		assert_noop!(
			Consent::set_sensitive_opt_in(patient(MALEE_KEY), malee(), true),
			Error::<Test>::NotEnrolled
		);
	});
}
