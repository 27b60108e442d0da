//! Unit tests: the access-log pallet accepts exactly what the consent decision permits.

use crate::{mock::*, Error, Event, *};
use codec::Encode;
use frame_support::{assert_noop, assert_ok, BoundedVec};
use healthchain_primitives::{
	logs::{AccessAttestation, AttestRefusal},
	DataCategory as C, DenyReason, HealthId, Purpose,
};
use pallet_consent::{EmergencyReason, SourceSelection};
use sp_core::H256;

/// Record `n` of category `cat`: a hash of its own for every category.
fn record(cat: C, n: u8) -> H256 {
	let mut hash = [n; 32];
	hash[0] = cat as u8;
	H256(hash)
}

/// The test runtime with records 1 to 16 of every category anchored, live, for each test
/// patient (an attestation names only live records of the categories it asks for).
fn new_test_ext() -> sp_io::TestExternalities {
	let mut ext = crate::mock::new_test_ext();
	ext.execute_with(|| {
		for who in [somchai(), malee(), aung()] {
			for cat in C::ALL {
				for n in 1..=16 {
					pallet_records::Anchors::<Test>::insert(
						who,
						record(cat, n),
						pallet_records::AnchoredRecord {
							hospital: code("A001"),
							category: cat,
							status: pallet_records::RecordStatus::Live,
						},
					);
				}
			}
		}
	});
	ext
}

/// Records 1 to `n` of category `cat`.
fn records_of(cat: C, n: u8) -> RecordHashes {
	BoundedVec::truncate_from((1..=n).map(|i| record(cat, i)).collect())
}

/// Allergy records 1 to `n`.
fn records(n: u8) -> RecordHashes {
	records_of(C::Allergy, n)
}
fn attest(
	gw: u64,
	doctor: &str,
	who: HealthId,
	cats: Vec<C>,
	purpose: Purpose,
) -> frame_support::dispatch::DispatchResultWithPostInfo {
	let records = records_of(cats[0], 1);
	let cats = BoundedVec::truncate_from(cats);
	AccessLog::attest(RuntimeOrigin::signed(gw), who, lic(doctor), cats, records, purpose)
}
fn enrol_somchai() {
	assert_ok!(Consent::enrol(RuntimeOrigin::signed(SOMCHAI_KEY), somchai(), SourceSelection::All));
}

#[test]
fn a_permitted_access_is_logged_with_its_basis() {
	new_test_ext().execute_with(|| {
		enrol_somchai();
		assert_ok!(attest(GW_A, "MD-A", somchai(), vec![C::Allergy], Purpose::Treatment));
		let log = Pallet::<Test>::head(&somchai());
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
		assert_eq!(Pallet::<Test>::head(&somchai()).count, 0, "nothing logged");
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
		let dup = BoundedVec::truncate_from(vec![record(C::Allergy, 1), record(C::Allergy, 1)]);
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

/// One access of a batch: `doctor` looked at `who`'s allergies, served record `record`.
fn access(who: HealthId, doctor: &str, record: u8) -> AccessAttestation {
	AccessAttestation {
		health_id: who,
		practitioner: lic(doctor),
		categories: BoundedVec::truncate_from(vec![C::Allergy]),
		records: BoundedVec::truncate_from(vec![self::record(C::Allergy, record)]),
		purpose: Purpose::Treatment,
	}
}

fn attest_batch(
	gw: u64,
	accesses: Vec<AccessAttestation>,
) -> frame_support::dispatch::DispatchResultWithPostInfo {
	AccessLog::attest_batch(RuntimeOrigin::signed(gw), BoundedVec::truncate_from(accesses))
}

/// The access log's events, in order.
fn log_events() -> Vec<Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|e| match e.event {
			RuntimeEvent::AccessLog(e) => Some(e),
			_ => None,
		})
		.collect()
}

#[test]
fn a_batch_logs_the_entries_single_attestations_would() {
	let batch = vec![access(somchai(), "MD-A", 1), access(somchai(), "MD-A", 2)];
	let singles = new_test_ext().execute_with(|| {
		enrol_somchai();
		System::reset_events();
		for a in batch.clone() {
			assert_ok!(AccessLog::attest(
				RuntimeOrigin::signed(GW_A),
				a.health_id,
				a.practitioner,
				a.categories,
				a.records,
				a.purpose
			));
		}
		(log_events(), Pallet::<Test>::head(&somchai()))
	});
	let batched = new_test_ext().execute_with(|| {
		enrol_somchai();
		System::reset_events();
		assert_ok!(attest_batch(GW_A, batch.clone()));
		(log_events(), Pallet::<Test>::head(&somchai()))
	});
	assert_eq!(batched, singles, "the same events and the same log head");
	assert_eq!(batched.1.count, 2);
}

#[test]
fn each_access_of_a_batch_is_decided_on_its_own_and_refusals_are_reported_per_item() {
	new_test_ext().execute_with(|| {
		enrol_somchai();
		System::reset_events();
		let mut duplicate = access(somchai(), "MD-A", 3);
		duplicate.records = BoundedVec::truncate_from(vec![record(C::Allergy, 3); 2]);
		let mut none = access(somchai(), "MD-A", 4);
		none.records = BoundedVec::new();
		let mut sensitive = access(somchai(), "MD-A", 5);
		sensitive.categories = BoundedVec::truncate_from(vec![C::Sensitive]);
		assert_ok!(attest_batch(
			GW_A,
			vec![
				access(somchai(), "MD-A", 1),
				access(malee(), "MD-A", 2),
				duplicate,
				none,
				access(somchai(), "MD-B", 6),
				sensitive,
				access(somchai(), "MD-A", 7),
			]
		));
		let refused = |index: u32, health_id: HealthId, reason: AttestRefusal| {
			Event::<Test>::AttestationRefused { index, health_id, reason }
		};
		let events = log_events();
		assert_eq!(events.len(), 7);
		assert!(matches!(events[0], Event::AccessAttested { index: 0, .. }));
		assert_eq!(
			events[1..6],
			[
				refused(1, malee(), AttestRefusal::AccessDenied(DenyReason::NotEnrolled)),
				refused(2, somchai(), AttestRefusal::DuplicateRecord),
				refused(3, somchai(), AttestRefusal::NoRecords),
				refused(4, somchai(), AttestRefusal::AccessDenied(DenyReason::NotAffiliated)),
				refused(5, somchai(), AttestRefusal::AccessDenied(DenyReason::SensitiveNotOptedIn)),
			]
		);
		assert!(matches!(events[6], Event::AccessAttested { index: 1, .. }));
		assert_eq!(Pallet::<Test>::head(&somchai()).count, 2);
		assert_eq!(Pallet::<Test>::head(&malee()).count, 0);

		// Per-request consent without a grant: refused as a single attestation would be.
		System::reset_events();
		assert_ok!(attest_batch(GW_B, vec![access(somchai(), "MD-B", 8)]));
		assert_eq!(log_events(), [refused(0, somchai(), AttestRefusal::ConsentRequestNeeded)]);
	});
}

#[test]
fn a_batch_needs_a_gateway_and_an_access() {
	new_test_ext().execute_with(|| {
		enrol_somchai();
		assert_noop!(
			attest_batch(STRANGER, vec![access(somchai(), "MD-A", 1)]),
			Error::<Test>::NotAGateway
		);
		assert_noop!(
			attest_batch(SOMCHAI_KEY, vec![access(somchai(), "MD-A", 1)]),
			Error::<Test>::NotAGateway
		);
		assert_noop!(attest_batch(GW_A, vec![]), Error::<Test>::EmptyBatch);
		assert_eq!(Pallet::<Test>::head(&somchai()).count, 0);
	});
}

#[test]
fn only_live_records_of_the_asked_categories_are_attested() {
	new_test_ext().execute_with(|| {
		enrol_somchai();
		let attest_records = |records: Vec<H256>| {
			AccessLog::attest(
				RuntimeOrigin::signed(GW_A),
				somchai(),
				lic("MD-A"),
				BoundedVec::truncate_from(vec![C::Allergy]),
				BoundedVec::truncate_from(records),
				Purpose::Treatment,
			)
		};
		// A hash never anchored for the patient (a random one, or another patient's).
		assert_noop!(attest_records(vec![H256::repeat_byte(0xee)]), Error::<Test>::RecordNotLive);
		let other = H256::repeat_byte(0x5a);
		pallet_records::Anchors::<Test>::insert(
			malee(),
			other,
			pallet_records::AnchoredRecord {
				hospital: code("A001"),
				category: C::Allergy,
				status: pallet_records::RecordStatus::Live,
			},
		);
		assert_noop!(attest_records(vec![other]), Error::<Test>::RecordNotLive);
		// A record of a category the access does not ask for.
		assert_noop!(
			attest_records(vec![record(C::Allergy, 1), record(C::Medication, 1)]),
			Error::<Test>::RecordOutsideCategories
		);
		// Anchored, then superseded, then revoked, through the records pallet itself.
		let (first, second) = (H256::repeat_byte(0x61), H256::repeat_byte(0x62));
		assert_ok!(Records::anchor(
			RuntimeOrigin::signed(GW_A),
			somchai(),
			C::Allergy,
			first,
			10,
			None
		));
		assert_ok!(attest_records(vec![first]));
		assert_ok!(Records::anchor(
			RuntimeOrigin::signed(GW_A),
			somchai(),
			C::Allergy,
			second,
			10,
			Some(first)
		));
		assert_noop!(attest_records(vec![first]), Error::<Test>::RecordNotLive);
		assert_ok!(attest_records(vec![second]));
		assert_ok!(Records::revoke(
			RuntimeOrigin::signed(GW_A),
			somchai(),
			second,
			pallet_records::RevocationReason::EnteredInError
		));
		assert_noop!(attest_records(vec![second]), Error::<Test>::RecordNotLive);
		assert_eq!(Pallet::<Test>::head(&somchai()).count, 2, "the two live attestations");
	});
}

#[test]
fn a_refusal_maps_to_the_single_call_error() {
	for (refusal, error) in [
		(AttestRefusal::RecordNotLive, Error::<Test>::RecordNotLive),
		(AttestRefusal::RecordOutsideCategories, Error::<Test>::RecordOutsideCategories),
		(AttestRefusal::NoRecords, Error::<Test>::NoRecords),
		(AttestRefusal::DuplicateRecord, Error::<Test>::DuplicateRecord),
		(AttestRefusal::ConsentRequestNeeded, Error::<Test>::ConsentRequestNeeded),
		(
			AttestRefusal::AccessDenied(DenyReason::Withdrawn),
			Error::<Test>::AccessDenied(DenyReason::Withdrawn),
		),
	] {
		assert_eq!(error.refusal(), Some(refusal), "and back");
		assert_eq!(
			sp_runtime::DispatchError::from(Error::<Test>::from(refusal)),
			sp_runtime::DispatchError::from(error)
		);
	}
}

#[test]
fn the_log_outlives_a_withdrawal_and_carries_over_a_new_enrolment() {
	new_test_ext().execute_with(|| {
		let t0 = pallet_timestamp::Now::<Test>::get();
		enrol_somchai();
		assert_ok!(attest(GW_A, "MD-A", somchai(), vec![C::Allergy], Purpose::Treatment));
		let first = Pallet::<Test>::head(&somchai());
		assert_ok!(Consent::withdraw(RuntimeOrigin::signed(SOMCHAI_KEY), somchai()));
		assert_eq!(Pallet::<Test>::head(&somchai()), first, "a withdrawal keeps the log");
		set_now(t0 + 86_400_000);
		enrol_somchai();
		assert_eq!(Pallet::<Test>::head(&somchai()), first, "a new enrolment carries it over");
		assert_ok!(attest(GW_A, "MD-A", somchai(), vec![C::Allergy], Purpose::Treatment));
		let second = Pallet::<Test>::head(&somchai());
		assert_eq!(second.count, 2, "the log goes on from its first entry");
		assert_ne!(second.head, first.head);
	});
}

mod migration {
	use super::*;
	use crate::migrations::v1::{
		post_upgrade_check, pre_upgrade_check, AccessLogs, MigrateV0ToV1, OldConsentRecord,
	};
	use frame_support::traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion};
	use pallet_consent::{Consents, EnrolmentStatus};

	/// Puts `who`'s consent record in the version 0 layout and `head` in the old map.
	fn old_state(who: HealthId, head: Option<LogHead>) {
		let old = OldConsentRecord {
			status: EnrolmentStatus::Enrolled,
			sources: SourceSelection::<<Test as pallet_consent::Config>::MaxSources>::All,
			sensitive_opt_in: true,
			enrolled_on: 3,
			sources_changed_on: Some(4),
			withdrawn_on: None,
		};
		frame_support::storage::unhashed::put(&Consents::<Test>::hashed_key_for(who), &old);
		if let Some(head) = head {
			AccessLogs::<Test>::insert(who, head);
		}
	}

	#[test]
	fn version_0_heads_move_into_the_consent_records_once() {
		new_test_ext().execute_with(|| {
			StorageVersion::new(0).put::<Pallet<Test>>();
			StorageVersion::new(0).put::<pallet_consent::Pallet<Test>>();
			let head = LogHead { count: 7, head: H256([9; 32]) };
			old_state(somchai(), Some(head));
			old_state(malee(), None);
			// A head without a consent record: kept where it is, never dropped.
			let orphan = LogHead { count: 1, head: H256([1; 32]) };
			AccessLogs::<Test>::insert(aung(), orphan);

			let before = pre_upgrade_check::<Test>().expect("version 0");
			assert_eq!(before.len(), 2);
			MigrateV0ToV1::<Test>::on_runtime_upgrade();

			assert_eq!(Pallet::<Test>::head(&somchai()), head);
			assert_eq!(Pallet::<Test>::head(&malee()), LogHead::default());
			let record = Consents::<Test>::get(somchai()).expect("still enrolled");
			assert!(record.sensitive_opt_in && record.sources_changed_on == Some(4));
			assert_eq!(AccessLogs::<Test>::get(aung()), orphan, "the orphan stays");
			assert!(!AccessLogs::<Test>::contains_key(somchai()), "moved, not copied");
			assert_eq!(Pallet::<Test>::on_chain_storage_version(), 1);
			assert_eq!(pallet_consent::Pallet::<Test>::on_chain_storage_version(), 1);
			AccessLogs::<Test>::remove(aung());
			assert_ok!(post_upgrade_check::<Test>(
				before.into_iter().filter(|(id, _)| *id != aung()).collect()
			));

			// Listed for longer than needed, it does nothing.
			enrol_somchai_again_is_refused();
			MigrateV0ToV1::<Test>::on_runtime_upgrade();
			assert_eq!(Pallet::<Test>::head(&somchai()), head);
			assert_ok!(attest(GW_A, "MD-A", somchai(), vec![C::Allergy], Purpose::Treatment));
			assert_eq!(Pallet::<Test>::head(&somchai()).count, 8, "the moved log goes on");
		});
	}

	fn enrol_somchai_again_is_refused() {
		assert_noop!(
			Consent::enrol(RuntimeOrigin::signed(SOMCHAI_KEY), somchai(), SourceSelection::All),
			pallet_consent::Error::<Test>::AlreadyEnrolled
		);
	}
}
