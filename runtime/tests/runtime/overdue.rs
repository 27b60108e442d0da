//! Overdue emergency-access reviews through the runtime's own `HealthApi` implementation, on
//! the development genesis: an emergency access opened by demo hospital A's gateway is listed
//! once its review is `ReviewDeadline` overdue, with the fields the licensing authority needs;
//! the licensing authority's review takes it off the list; a page is never longer than
//! `MAX_OVERDUE_PAGE`.

use frame_support::assert_ok;
use healthchain_primitives::{
	demo, runtime_decl_for_health_api::HealthApiV3, views, HospitalCode, LicenceNumber, Moment,
	MAX_OVERDUE_PAGE,
};
use healthchain_runtime::{AccountId, Block, Runtime, RuntimeOrigin};
use pallet_consent::{
	EmergencyAccess, EmergencyAccesses, EmergencyReason, NextEmergencyId, Review,
};
use pallet_participants::Role;

use crate::common::{dev_chain, holder, set_now, T0};

/// What the `HealthApi::overdue_reviews` runtime API answers (the runtime's implementation,
/// called in place).
fn overdue(limit: u32) -> Vec<views::OverdueReview> {
	<Runtime as HealthApiV3<Block, AccountId>>::overdue_reviews(limit)
}

fn hospital_a() -> HospitalCode {
	HospitalCode::truncate_from(demo::DEMO_HOSPITAL_A.to_vec())
}

fn doctor_a() -> LicenceNumber {
	LicenceNumber::truncate_from(demo::DEMO_DOCTOR_A.to_vec())
}

#[test]
fn an_emergency_access_is_listed_once_its_review_is_overdue_until_the_authority_reviews_it() {
	dev_chain().execute_with(|| {
		let gateway = holder(|r| matches!(r, Role::Gateway(c) if &c[..] == demo::DEMO_HOSPITAL_A));
		let patient = demo::demo_patient();
		assert!(overdue(MAX_OVERDUE_PAGE).is_empty(), "nothing on a fresh chain");
		assert_ok!(pallet_consent::Pallet::<Runtime>::open_emergency_access(
			RuntimeOrigin::signed(gateway),
			patient,
			doctor_a(),
			EmergencyReason::LifeThreatening,
		));
		let deadline: Moment = <Runtime as pallet_consent::Config>::ReviewDeadline::get();
		assert!(overdue(10).is_empty(), "not overdue when opened");
		set_now(T0 + deadline - 1);
		assert!(overdue(10).is_empty(), "not overdue a millisecond before the deadline");
		set_now(T0 + deadline);
		assert_eq!(
			overdue(10),
			vec![views::OverdueReview {
				emergency_id: 0,
				health_id: patient,
				hospital: hospital_a(),
				practitioner: doctor_a(),
				reason: views::EmergencyReason::LifeThreatening,
				opened_at: T0,
				review_due_at: T0 + deadline,
				after_refusal: false,
			}]
		);
		assert!(overdue(0).is_empty(), "a limit of 0 lists nothing");
		// The licensing authority reviews it: off the list.
		let authority = holder(|r| matches!(r, Role::LicensingAuthority));
		assert_ok!(pallet_consent::Pallet::<Runtime>::review_emergency_access(
			RuntimeOrigin::signed(authority),
			0,
			Review::Justified,
		));
		assert!(overdue(10).is_empty());
	});
}

#[test]
fn a_page_of_overdue_reviews_is_capped() {
	dev_chain().execute_with(|| {
		// More overdue accesses than one page (written directly: a practitioner may hold only
		// a few unreviewed ones at a time).
		let count = u64::from(MAX_OVERDUE_PAGE) + 5;
		for id in 0..count {
			EmergencyAccesses::<Runtime>::insert(
				id,
				EmergencyAccess {
					health_id: demo::demo_patient(),
					hospital: hospital_a(),
					practitioner: doctor_a(),
					reason: EmergencyReason::Unconscious,
					opened_at: T0 + id,
					expires_at: T0 + id + 1,
					review: Review::Pending,
					after_refusal: false,
				},
			);
		}
		NextEmergencyId::<Runtime>::put(count);
		let deadline: Moment = <Runtime as pallet_consent::Config>::ReviewDeadline::get();
		set_now(T0 + count + deadline);
		assert_eq!(overdue(3).iter().map(|r| r.emergency_id).collect::<Vec<_>>(), vec![0, 1, 2]);
		let page = overdue(u32::MAX);
		assert_eq!(page.len(), MAX_OVERDUE_PAGE as usize, "capped");
		assert_eq!(page.last().map(|r| r.emergency_id), Some(u64::from(MAX_OVERDUE_PAGE) - 1));
		assert!(page.iter().all(|r| r.reason == views::EmergencyReason::Unconscious));
	});
}
