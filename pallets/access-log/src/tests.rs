//! Unit tests: the access-log pallet accepts exactly what the consent decision permits.

use crate::{mock::*, AccessLogs, Error, Event, *};
use codec::Encode;
use frame_support::{assert_noop, assert_ok, BoundedVec};
use healthchain_primitives::{DataCategory as C, DenyReason, HealthId, Purpose};
use pallet_consent::{EmergencyReason, SourceSelection};
use sp_core::H256;

fn records(n: u8) -> RecordHashes {
	BoundedVec::truncate_from((1..=n).map(H256::repeat_byte).collect())
}
fn attest(
	gw: u64,
	doctor: &str,
	who: HealthId,
	cats: Vec<C>,
	purpose: Purpose,
) -> frame_support::dispatch::DispatchResult {
	let cats = BoundedVec::truncate_from(cats);
	AccessLog::attest(RuntimeOrigin::signed(gw), who, lic(doctor), cats, records(1), purpose)
}
fn enrol_somchai() {
	assert_ok!(Consent::enrol(RuntimeOrigin::signed(SOMCHAI_KEY), somchai(), SourceSelection::All));
}

#[test]
fn a_permitted_access_is_logged_with_its_basis() {
	new_test_ext().execute_with(|| {
		enrol_somchai();
		assert_ok!(attest(GW_A, "MD-A", somchai(), vec![C::Allergy], Purpose::Treatment));
		let log = AccessLogs::<Test>::get(somchai());
		assert_eq!(log.count, 1);
		let Some(RuntimeEvent::AccessLog(Event::AccessAttested { entry, index, head, .. })) =
			System::events().pop().map(|e| e.event)
		else {
			panic!("attested")
		};
		assert_eq!(index, 0);
		assert_eq!(entry.basis, AccessBasis::Enrolment);
		assert_eq!(entry.hospital, code("A001"));
		assert_eq!(head, LogHead::default().append(&entry.encode()).head);
		assert_eq!(head, log.head);
	});
}

#[test]
fn denied_paths_are_refused_with_the_reason() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			attest(GW_A, "MD-A", somchai(), vec![C::Allergy], Purpose::Treatment),
			Error::<Test>::AccessDenied(DenyReason::NotEnrolled)
		);
		enrol_somchai();
		assert_noop!(
			attest(GW_A, "MD-B", somchai(), vec![C::Allergy], Purpose::Treatment),
			Error::<Test>::AccessDenied(DenyReason::NotAffiliated)
		);
		assert_noop!(
			attest(GW_A, "MD-A", somchai(), vec![C::Sensitive], Purpose::Treatment),
			Error::<Test>::AccessDenied(DenyReason::SensitiveNotOptedIn)
		);
		assert_noop!(
			attest(GW_B, "MD-B", somchai(), vec![C::Allergy], Purpose::Treatment),
			Error::<Test>::ConsentRequestNeeded
		);
		assert_noop!(
			attest(STRANGER, "MD-B", somchai(), vec![C::Allergy], Purpose::Treatment),
			Error::<Test>::NotAGateway
		);
		assert_ok!(Consent::withdraw(RuntimeOrigin::signed(SOMCHAI_KEY), somchai()));
		assert_noop!(
			attest(GW_A, "MD-A", somchai(), vec![C::Allergy], Purpose::Treatment),
			Error::<Test>::AccessDenied(DenyReason::Withdrawn)
		);
		assert_eq!(AccessLogs::<Test>::get(somchai()).count, 0, "nothing logged");
	});
}

#[test]
fn per_request_grant_and_emergency_bases_are_recorded() {
	new_test_ext().execute_with(|| {
		enrol_somchai();
		assert_ok!(Consent::request_access(
			RuntimeOrigin::signed(GW_B),
			somchai(),
			lic("MD-B"),
			BoundedVec::truncate_from(vec![C::Diagnosis]),
			Purpose::Treatment,
			None
		));
		assert_ok!(Consent::respond(RuntimeOrigin::signed(SOMCHAI_KEY), 0, true));
		assert_ok!(attest(GW_B, "MD-B", somchai(), vec![C::Diagnosis], Purpose::Treatment));
		assert_ok!(Consent::open_emergency_access(
			RuntimeOrigin::signed(GW_B),
			somchai(),
			lic("MD-AB"),
			EmergencyReason::Unconscious
		));
		assert_ok!(attest(GW_B, "MD-AB", somchai(), vec![C::Allergy], Purpose::Emergency));
		let bases: Vec<_> = System::events()
			.into_iter()
			.filter_map(|e| match e.event {
				RuntimeEvent::AccessLog(Event::AccessAttested { entry, .. }) => Some(entry.basis),
				_ => None,
			})
			.collect();
		assert_eq!(bases, vec![AccessBasis::Grant(0), AccessBasis::Emergency(0)]);
		// After the grant expires (end of the Bangkok day), the same attestation is refused.
		set_now(T0 + 14 * HOUR);
		assert_noop!(
			attest(GW_B, "MD-B", somchai(), vec![C::Diagnosis], Purpose::Treatment),
			Error::<Test>::ConsentRequestNeeded
		);
	});
}

#[test]
fn record_lists_are_checked() {
	new_test_ext().execute_with(|| {
		enrol_somchai();
		assert_noop!(
			AccessLog::attest(
				RuntimeOrigin::signed(GW_A),
				somchai(),
				lic("MD-A"),
				BoundedVec::truncate_from(vec![C::Allergy]),
				BoundedVec::new(),
				Purpose::Treatment
			),
			Error::<Test>::NoRecords
		);
		let dup = BoundedVec::truncate_from(vec![H256::repeat_byte(1), H256::repeat_byte(1)]);
		assert_noop!(
			AccessLog::attest(
				RuntimeOrigin::signed(GW_A),
				somchai(),
				lic("MD-A"),
				BoundedVec::truncate_from(vec![C::Allergy]),
				dup,
				Purpose::Treatment
			),
			Error::<Test>::DuplicateRecord
		);
		assert_ok!(AccessLog::attest(
			RuntimeOrigin::signed(GW_A),
			somchai(),
			lic("MD-A"),
			BoundedVec::truncate_from(vec![C::Allergy]),
			records(16),
			Purpose::Treatment
		));
	});
}
