//! Unit tests: every call and every error of the records pallet, and the log's hash chain.

use crate::{mock::*, Error, Event, RecordLogs, *};
use codec::Encode;
use frame_support::{assert_noop, assert_ok, BoundedVec};
use healthchain_primitives::{
	logs::{index_key, IndexedEntry, LogKind},
	DataCategory,
};
use pallet_consent::SourceSelection;
use sp_core::H256;

fn enrol(key: u64, who: healthchain_primitives::HealthId, sources: &[&str]) {
	let sel = if sources.is_empty() {
		SourceSelection::All
	} else {
		SourceSelection::Only(BoundedVec::truncate_from(sources.iter().map(|c| code(c)).collect()))
	};
	assert_ok!(Consent::enrol(RuntimeOrigin::signed(key), who, sel));
}
fn anchor(
	gw: u64,
	who: healthchain_primitives::HealthId,
	hash: u8,
) -> frame_support::dispatch::DispatchResult {
	Records::anchor(
		RuntimeOrigin::signed(gw),
		who,
		DataCategory::LabAndImaging,
		H256::repeat_byte(hash),
		1024,
		None,
	)
}

#[test]
fn source_hospital_anchors_and_the_head_chains() {
	new_test_ext().execute_with(|| {
		enrol(SOMCHAI_KEY, somchai(), &["A001"]);
		assert_ok!(anchor(GW_A, somchai(), 1));
		assert_ok!(Records::anchor(
			RuntimeOrigin::signed(GW_A),
			somchai(),
			DataCategory::Allergy,
			H256::repeat_byte(2),
			10,
			Some(H256::repeat_byte(1))
		));
		let log = RecordLogs::<Test>::get(somchai());
		assert_eq!(log.count, 2);
		// Recompute the head from the events.
		let mut head = LogHead::default();
		for e in System::events() {
			if let RuntimeEvent::Records(Event::RecordAnchored { entry, index, head: h, .. }) =
				e.event
			{
				assert_eq!(index, head.count);
				head = head.append(&entry.encode());
				assert_eq!(head.head, h);
			}
		}
		assert_eq!(head, log);
	});
}

#[test]
fn anchors_are_written_to_the_offchain_index_keyed_by_head() {
	let mut ext = new_test_ext();
	ext.execute_with(|| {
		enrol(SOMCHAI_KEY, somchai(), &[]);
		assert_ok!(anchor(GW_A, somchai(), 1));
	});
	ext.persist_offchain_overlay();
	let (head, entry) = ext.execute_with(|| {
		let head = RecordLogs::<Test>::get(somchai()).head;
		let Some(RuntimeEvent::Records(Event::RecordAnchored { entry, .. })) =
			System::events().pop().map(|e| e.event)
		else {
			panic!("anchored")
		};
		(head, entry)
	});
	let db = ext.offchain_db();
	let raw = db.get(&index_key(LogKind::Records, &somchai(), &head)).expect("indexed");
	let indexed = <IndexedEntry as codec::Decode>::decode(&mut &raw[..]).unwrap();
	assert_eq!(indexed.index, 0);
	assert_eq!(indexed.prev_head, H256::zero());
	assert_eq!(indexed.entry, entry.encode());
}

#[test]
fn refused_unless_enrolled_and_selected() {
	new_test_ext().execute_with(|| {
		assert_noop!(anchor(GW_A, somchai(), 1), Error::<Test>::NotEnrolled);
		assert_noop!(anchor(GW_A, nobody(), 1), Error::<Test>::UnknownHealthId);
		enrol(SOMCHAI_KEY, somchai(), &["B002"]);
		assert_noop!(anchor(GW_A, somchai(), 1), Error::<Test>::NotASource);
		assert_ok!(anchor(GW_B, somchai(), 1));
		assert_ok!(Consent::withdraw(RuntimeOrigin::signed(SOMCHAI_KEY), somchai()));
		assert_noop!(anchor(GW_B, somchai(), 2), Error::<Test>::Withdrawn);
		assert_noop!(anchor(STRANGER, somchai(), 2), Error::<Test>::NotAGateway);
		assert_ok!(pallet_health_id::Pallet::<Test>::deactivate(
			RuntimeOrigin::signed(REGISTRAR),
			somchai(),
			pallet_health_id::DeactivationReason::Duplicate
		));
		assert_noop!(anchor(GW_B, somchai(), 2), Error::<Test>::HealthIdDeactivated);
	});
}

#[test]
fn size_and_supersede_are_checked() {
	new_test_ext().execute_with(|| {
		enrol(SOMCHAI_KEY, somchai(), &[]);
		let h = H256::repeat_byte(3);
		assert_noop!(
			Records::anchor(
				RuntimeOrigin::signed(GW_A),
				somchai(),
				DataCategory::Visit,
				h,
				0,
				None
			),
			Error::<Test>::BadRecordSize
		);
		assert_noop!(
			Records::anchor(
				RuntimeOrigin::signed(GW_A),
				somchai(),
				DataCategory::Visit,
				h,
				1_000_001,
				None
			),
			Error::<Test>::BadRecordSize
		);
		assert_noop!(
			Records::anchor(
				RuntimeOrigin::signed(GW_A),
				somchai(),
				DataCategory::Visit,
				h,
				10,
				Some(h)
			),
			Error::<Test>::SupersedesItself
		);
	});
}

#[test]
fn a_hospital_revokes_even_after_withdrawal() {
	new_test_ext().execute_with(|| {
		enrol(SOMCHAI_KEY, somchai(), &[]);
		assert_ok!(anchor(GW_A, somchai(), 1));
		assert_ok!(Consent::withdraw(RuntimeOrigin::signed(SOMCHAI_KEY), somchai()));
		assert_ok!(Records::revoke(
			RuntimeOrigin::signed(GW_A),
			somchai(),
			H256::repeat_byte(1),
			RevocationReason::Erased
		));
		assert_eq!(RecordLogs::<Test>::get(somchai()).count, 2);
		assert!(matches!(
			System::events().pop().map(|e| e.event),
			Some(RuntimeEvent::Records(Event::RecordRevoked { index: 1, .. }))
		));
		assert_noop!(
			Records::revoke(
				RuntimeOrigin::signed(STRANGER),
				somchai(),
				H256::zero(),
				RevocationReason::Corrected
			),
			Error::<Test>::NotAGateway
		);
		assert_noop!(
			Records::revoke(
				RuntimeOrigin::signed(GW_A),
				nobody(),
				H256::zero(),
				RevocationReason::Corrected
			),
			Error::<Test>::UnknownHealthId
		);
	});
}

fn revoke(gw: u64, hash: u8) -> frame_support::dispatch::DispatchResult {
	Records::revoke(
		RuntimeOrigin::signed(gw),
		somchai(),
		H256::repeat_byte(hash),
		RevocationReason::EnteredInError,
	)
}

fn supersede(gw: u64, new: u8, old: u8) -> frame_support::dispatch::DispatchResult {
	Records::anchor(
		RuntimeOrigin::signed(gw),
		somchai(),
		DataCategory::LabAndImaging,
		H256::repeat_byte(new),
		64,
		Some(H256::repeat_byte(old)),
	)
}

fn status(hash: u8) -> Option<RecordStatus> {
	Anchors::<Test>::get(somchai(), H256::repeat_byte(hash)).map(|r| r.status)
}

#[test]
fn a_hospital_revokes_and_supersedes_only_what_it_anchored() {
	new_test_ext().execute_with(|| {
		enrol(SOMCHAI_KEY, somchai(), &[]);
		assert_ok!(anchor(GW_A, somchai(), 1));
		assert_ok!(anchor(GW_B, somchai(), 2));
		// Hospital B writes nothing into hospital A's part of the log, and nothing that was
		// never anchored.
		assert_noop!(revoke(GW_B, 1), Error::<Test>::NotOwnRecord);
		assert_noop!(supersede(GW_B, 3, 1), Error::<Test>::NotOwnRecord);
		assert_noop!(revoke(GW_B, 9), Error::<Test>::UnknownRecord);
		assert_noop!(supersede(GW_B, 3, 9), Error::<Test>::UnknownRecord);
		assert_eq!(RecordLogs::<Test>::get(somchai()).count, 2);
		assert_eq!(status(1), Some(RecordStatus::Live));

		// A supersedes its own record once; the superseded one can still be erased.
		assert_ok!(supersede(GW_A, 3, 1));
		assert_eq!(
			(status(1), status(3)),
			(Some(RecordStatus::Superseded), Some(RecordStatus::Live))
		);
		assert_noop!(supersede(GW_A, 4, 1), Error::<Test>::RecordNotLive);
		assert_ok!(revoke(GW_A, 1));
		assert_eq!(status(1), Some(RecordStatus::Revoked));
		assert_noop!(revoke(GW_A, 1), Error::<Test>::AlreadyRevoked);
		assert_ok!(revoke(GW_B, 2));
		assert_eq!(RecordLogs::<Test>::get(somchai()).count, 5);
	});
}

#[test]
fn a_content_hash_is_anchored_once_per_patient() {
	new_test_ext().execute_with(|| {
		enrol(SOMCHAI_KEY, somchai(), &[]);
		enrol(MALEE_KEY, malee(), &[]);
		assert_ok!(anchor(GW_A, somchai(), 1));
		assert_noop!(anchor(GW_A, somchai(), 1), Error::<Test>::AlreadyAnchored);
		assert_noop!(anchor(GW_B, somchai(), 1), Error::<Test>::AlreadyAnchored);
		// Revoked is still anchored: the hash is not reused.
		assert_ok!(revoke(GW_A, 1));
		assert_noop!(anchor(GW_A, somchai(), 1), Error::<Test>::AlreadyAnchored);
		// Another patient's log is another log.
		assert_ok!(anchor(GW_A, malee(), 1));
		assert_eq!(RecordLogs::<Test>::get(somchai()).count, 2);
	});
}

#[test]
fn the_chain_and_the_log_fold_agree_on_what_is_live() {
	use healthchain_primitives::logs::live_records;
	new_test_ext().execute_with(|| {
		enrol(SOMCHAI_KEY, somchai(), &[]);
		assert_ok!(anchor(GW_A, somchai(), 1));
		assert_ok!(anchor(GW_B, somchai(), 2));
		assert_ok!(supersede(GW_A, 3, 1));
		assert_ok!(anchor(GW_A, somchai(), 4));
		assert_ok!(revoke(GW_A, 4));
		let entries: Vec<RecordEntry> = System::events()
			.into_iter()
			.filter_map(|e| match e.event {
				RuntimeEvent::Records(
					Event::RecordAnchored { entry, .. } | Event::RecordRevoked { entry, .. },
				) => Some(entry),
				_ => None,
			})
			.collect();
		let mut folded: Vec<H256> =
			live_records(&entries).into_iter().map(|r| r.content_hash).collect();
		folded.sort();
		let mut on_chain: Vec<H256> = Anchors::<Test>::iter_prefix(somchai())
			.filter(|(_, r)| r.status == RecordStatus::Live)
			.map(|(h, _)| h)
			.collect();
		on_chain.sort();
		assert_eq!(folded, on_chain);
		assert_eq!(folded, vec![H256::repeat_byte(2), H256::repeat_byte(3)]);
		assert_eq!(
			Pallet::<Test>::live_record(&somchai(), &H256::repeat_byte(3)),
			Some(DataCategory::LabAndImaging)
		);
		assert_eq!(Pallet::<Test>::live_record(&somchai(), &H256::repeat_byte(1)), None);
	});
}
