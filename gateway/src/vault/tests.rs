//! The store's unit tests: puts, confirmation, discard, shredding, stop marks, the watermark,
//! unindexed blobs, the KEK check, rotation, and read errors on decision paths.

use super::{
	crypto::{self, CryptoError},
	store::{lock, InFlight, KEYS, STOPPED},
	*,
};
use healthchain_primitives::{DataCategory, HealthId};
use redb::{Database, ReadableDatabase};
use std::{fs, path::Path};

fn kek(n: u8) -> Kek {
	Kek::from_bytes([n; 32])
}

fn meta(patient: HealthId, size: u32, index: u64, block: Option<u64>) -> RecordMeta {
	RecordMeta { health_id: patient, category: DataCategory::Allergy, size, index, block }
}

#[test]
fn put_is_pending_until_confirmed() {
	let dir = tempfile::tempdir().unwrap();
	let store = Store::open(dir.path(), kek(1)).unwrap();
	let patient = HealthId([7; 32]);
	let (h, size) =
		store.put(b"{\"resourceType\":\"Bundle\"}", patient, DataCategory::Allergy, 40).unwrap();
	let pending = store.pending().unwrap();
	assert_eq!(pending.len(), 1);
	assert_eq!(pending[0].0, h);
	assert_eq!(
		(pending[0].1.health_id, pending[0].1.size, pending[0].1.since_block),
		(patient, size, 40)
	);
	assert_eq!(store.meta(&h).unwrap(), None);
	assert!(store.records_of(&patient).unwrap().is_empty());
	assert_eq!(store.ciphertext(&h).unwrap().len() as u32, size);

	// Recovered at start: only the index is known.
	let m = meta(patient, size, 0, None);
	store.confirm(&h, &m).unwrap();
	store.confirm(&h, &m).unwrap();
	assert!(store.pending().unwrap().is_empty());
	assert_eq!(store.records_of(&patient).unwrap(), vec![(h, m.clone())]);
	assert_eq!(store.meta(&h).unwrap(), Some(m));
	assert_eq!(store.plaintext(&h).unwrap(), b"{\"resourceType\":\"Bundle\"}");
	assert_eq!(store.counts(), (1, 0));
	assert_eq!(store.patients(), vec![patient]);
}

#[test]
fn discard_removes_a_refused_put_but_never_an_anchored_one() {
	let dir = tempfile::tempdir().unwrap();
	let store = Store::open(dir.path(), kek(1)).unwrap();
	let patient = HealthId([7; 32]);
	let (refused, _) = store.put(b"x", patient, DataCategory::Visit, 1).unwrap();
	store.discard(&refused).unwrap();
	assert!(matches!(store.ciphertext(&refused), Err(StoreError::UnknownRecord(_))));
	assert!(matches!(store.key(&refused), Err(StoreError::UnknownRecord(_))));
	assert!(store.pending().unwrap().is_empty());
	assert!(!dir.path().join(BLOBS_DIR).join(hex::encode(refused)).exists());

	let (kept, size) = store.put(b"anchored", patient, DataCategory::Visit, 1).unwrap();
	store.confirm(&kept, &meta(patient, size, 0, Some(3))).unwrap();
	match store.discard(&kept) {
		Err(StoreError::Db(m)) => assert!(m.contains("never discarded"), "{m}"),
		other => panic!("expected a refusal, got {other:?}"),
	}
	assert_eq!(store.plaintext(&kept).unwrap(), b"anchored");
}

#[test]
fn shredding_erases_and_queues_the_revocation() {
	let dir = tempfile::tempdir().unwrap();
	let store = Store::open(dir.path(), kek(1)).unwrap();
	let patient = HealthId([7; 32]);
	let (h, size) = store.put(b"lab result", patient, DataCategory::LabAndImaging, 1).unwrap();
	store.confirm(&h, &meta(patient, size, 0, Some(2))).unwrap();
	store.shred(&h, &patient).unwrap();
	assert!(store.is_erased(&h).unwrap());
	assert!(matches!(store.plaintext(&h), Err(StoreError::Erased(_))));
	assert!(matches!(store.key(&h), Err(StoreError::Erased(_))));
	assert!(matches!(store.ciphertext(&h), Err(StoreError::Erased(_))));
	assert_eq!(store.counts(), (0, 1));
	assert_eq!(store.revoke_due(), vec![(h, patient)]);
	store.revoked(&h).unwrap();
	assert!(store.revoke_due().is_empty());
	store.shred(&h, &patient).unwrap();
	assert!(store.revoke_due().is_empty(), "shredding again queues nothing");
}

#[test]
fn another_kek_does_not_open_the_store() {
	let dir = tempfile::tempdir().unwrap();
	drop(Store::open(dir.path(), kek(1)).unwrap());
	assert!(matches!(Store::open(dir.path(), kek(2)), Err(StoreError::WrongKek)));
	assert!(Store::open(dir.path(), kek(1)).is_ok());
}

#[test]
fn a_store_of_the_old_file_layout_is_not_opened() {
	let dir = tempfile::tempdir().unwrap();
	fs::create_dir_all(dir.path().join("meta")).unwrap();
	match Store::open(dir.path(), kek(1)) {
		Err(StoreError::Db(m)) => assert!(m.contains("old file layout"), "{m}"),
		other => panic!("expected a refusal, got {:?}", other.err()),
	}
	assert!(!dir.path().join(INDEX_FILE).exists());
}

#[test]
fn a_copy_taken_before_shredding_is_useless_without_the_kek() {
	let dir = tempfile::tempdir().unwrap();
	let backup = tempfile::tempdir().unwrap();
	let patient = HealthId([7; 32]);
	let (h, record_key) = {
		let store = Store::open(dir.path(), kek(1)).unwrap();
		let (h, size) = store.put(b"diagnosis", patient, DataCategory::Diagnosis, 1).unwrap();
		store.confirm(&h, &meta(patient, size, 0, Some(2))).unwrap();
		(h, store.key(&h).unwrap())
	};
	fs::copy(dir.path().join(INDEX_FILE), backup.path().join(INDEX_FILE)).unwrap();
	fs::create_dir(backup.path().join(BLOBS_DIR)).unwrap();
	let blob = |root: &Path| root.join(BLOBS_DIR).join(hex::encode(h));
	fs::copy(blob(dir.path()), blob(backup.path())).unwrap();

	let store = Store::open(dir.path(), kek(1)).unwrap();
	store.shred(&h, &patient).unwrap();
	assert!(matches!(store.plaintext(&h), Err(StoreError::Erased(_))));

	// The copy holds the wrapped key only, never the record key in clear.
	let raw = fs::read(backup.path().join(INDEX_FILE)).unwrap();
	assert!(raw.windows(32).all(|w| w != record_key.as_slice()));
	{
		let db = Database::create(backup.path().join(INDEX_FILE)).unwrap();
		let txn = db.begin_read().unwrap();
		let keys = txn.open_table(KEYS).unwrap();
		let wrapped = keys.get(&h).unwrap().unwrap().value().to_vec();
		assert_eq!(wrapped.len(), 24 + 32 + 16);
		assert!(wrapped.windows(32).all(|w| w != record_key.as_slice()));
	}
	assert!(matches!(Store::open(backup.path(), kek(2)), Err(StoreError::WrongKek)));
	// With the KEK the copy opens: the KEK is what protects it.
	let copy = Store::open(backup.path(), kek(1)).unwrap();
	assert_eq!(copy.plaintext(&h).unwrap(), b"diagnosis");
}

#[test]
fn rotating_the_kek_rewraps_every_key() {
	let dir = tempfile::tempdir().unwrap();
	let patient = HealthId([7; 32]);
	let h = {
		let mut store = Store::open(dir.path(), kek(1)).unwrap();
		let (h, size) = store.put(b"vaccine", patient, DataCategory::Vaccine, 1).unwrap();
		store.confirm(&h, &meta(patient, size, 0, Some(2))).unwrap();
		assert_eq!(store.rotate_kek(kek(2)).unwrap(), 1);
		assert_eq!(store.plaintext(&h).unwrap(), b"vaccine");
		h
	};
	assert!(matches!(Store::open(dir.path(), kek(1)), Err(StoreError::WrongKek)));
	let store = Store::open(dir.path(), kek(2)).unwrap();
	assert_eq!(store.plaintext(&h).unwrap(), b"vaccine");
}

#[test]
fn unindexed_blobs_are_listed_and_removable_but_indexed_ones_are_not() {
	let dir = tempfile::tempdir().unwrap();
	let patient = HealthId([7; 32]);
	let blobs = dir.path().join(BLOBS_DIR);
	let stray_ct = b"a ciphertext written before a crash".to_vec();
	let stray = crypto::content_hash(&stray_ct);
	let (pending, anchored) = {
		let store = Store::open(dir.path(), kek(1)).unwrap();
		let (pending, _) = store.put(b"pending", patient, DataCategory::Visit, 1).unwrap();
		let (anchored, size) = store.put(b"anchored", patient, DataCategory::Visit, 1).unwrap();
		store.confirm(&anchored, &meta(patient, size, 0, Some(2))).unwrap();
		fs::write(blobs.join(hex::encode(stray)), &stray_ct).unwrap();
		fs::write(blobs.join(format!("{}.tmp", hex::encode([9u8; 32]))), b"partial").unwrap();
		(pending, anchored)
	};
	let store = Store::open(dir.path(), kek(1)).unwrap();
	assert!(!blobs.join(format!("{}.tmp", hex::encode([9u8; 32]))).exists());
	assert_eq!(store.unindexed_blobs(), vec![stray]);
	assert!(matches!(store.remove_blob(&pending), Err(StoreError::Db(_))));
	assert!(matches!(store.remove_blob(&anchored), Err(StoreError::Db(_))));
	store.remove_blob(&stray).unwrap();
	assert!(!blobs.join(hex::encode(stray)).exists());
	assert!(store.unindexed_blobs().is_empty());
	assert_eq!(store.plaintext(&pending).unwrap(), b"pending");
	assert_eq!(store.plaintext(&anchored).unwrap(), b"anchored");

	// A put between its file write and its transaction is not an unindexed blob.
	let busy_ct = b"a put in progress".to_vec();
	let busy = crypto::content_hash(&busy_ct);
	fs::write(blobs.join(hex::encode(busy)), &busy_ct).unwrap();
	{
		lock(&store.in_flight).insert(busy);
		let _registered = InFlight { set: &store.in_flight, hash: busy };
		assert!(store.unindexed_blobs().is_empty());
		assert!(matches!(store.remove_blob(&busy), Err(StoreError::Db(_))));
	}
	assert_eq!(store.unindexed_blobs(), vec![busy]);
}

#[test]
fn records_of_follows_the_record_log_per_patient() {
	let dir = tempfile::tempdir().unwrap();
	let store = Store::open(dir.path(), kek(1)).unwrap();
	let p = HealthId([1; 32]);
	let mut near = [1u8; 32];
	near[31] = 2;
	let q = HealthId(near);
	let last = HealthId([0xff; 32]);
	let items = vec![
		([0xa2; 32], meta(p, 10, 2, Some(9))),
		([0xa0; 32], meta(p, 10, 0, Some(5))),
		([0xb0; 32], meta(q, 10, 0, Some(6))),
		([0xa1; 32], meta(p, 10, 1, Some(7))),
		([0xc0; 32], meta(last, 10, 300, None)),
	];
	store.confirm_batch(&items).unwrap();
	let hashes = |id: &HealthId| {
		store.records_of(id).unwrap().into_iter().map(|(h, _)| h[0]).collect::<Vec<_>>()
	};
	assert_eq!(hashes(&p), vec![0xa0, 0xa1, 0xa2]);
	assert_eq!(hashes(&q), vec![0xb0]);
	assert_eq!(hashes(&last), vec![0xc0]);
	assert!(store.records_of(&HealthId([8; 32])).unwrap().is_empty());
	assert_eq!(store.patients(), vec![p, q, last]);
	assert_eq!(store.counts(), (5, 0));

	// Confirming again with another index moves the index entry.
	store.confirm(&[0xa0; 32], &meta(p, 10, 3, Some(5))).unwrap();
	assert_eq!(hashes(&p), vec![0xa1, 0xa2, 0xa0]);
}

#[test]
fn stop_marks_keep_the_first_time_and_the_watermark_moves() {
	let dir = tempfile::tempdir().unwrap();
	let patient = HealthId([7; 32]);
	let first = StopMark { since_secs: 100, block: 10, block_hash: [1; 32] };
	let later = StopMark { since_secs: 200, block: 20, block_hash: [2; 32] };
	{
		let store = Store::open(dir.path(), kek(1)).unwrap();
		assert!(store.mark_stopped(&patient, &first).unwrap());
		assert!(!store.mark_stopped(&patient, &later).unwrap(), "the first stop counts");
		assert_eq!(store.watermark().unwrap(), None);
		store.set_watermark(10, &[1; 32]).unwrap();
		store.set_watermark(11, &[3; 32]).unwrap();
	}
	let store = Store::open(dir.path(), kek(1)).unwrap();
	assert_eq!(store.watermark().unwrap(), Some((11, [3; 32])));
	assert_eq!(store.stopped_since(&patient).unwrap(), Some(100));
	assert_eq!(store.stop_mark(&patient).unwrap(), Some(first));
	assert_eq!(store.stopped().unwrap(), vec![(patient, first)]);
	assert!(store.clear_stopped(&patient));
	assert!(!store.clear_stopped(&patient));
	assert_eq!(store.stopped_since(&patient).unwrap(), None);
	assert!(store.stopped().unwrap().is_empty());
}

#[test]
fn tampered_blob_on_disk_is_detected() {
	let dir = tempfile::tempdir().unwrap();
	let store = Store::open(dir.path(), kek(1)).unwrap();
	let (h, _) = store.put(b"lab result", HealthId([7; 32]), DataCategory::Allergy, 1).unwrap();
	let p = dir.path().join(BLOBS_DIR).join(hex::encode(h));
	let mut ct = fs::read(&p).unwrap();
	ct[40] ^= 0xff;
	fs::write(&p, ct).unwrap();
	assert!(matches!(
		store.ciphertext(&h),
		Err(StoreError::Crypto(CryptoError::HashMismatch { .. }))
	));
}

#[test]
fn a_read_error_on_a_decision_path_is_returned_not_read_as_a_default() {
	let dir = tempfile::tempdir().unwrap();
	let store = Store::open(dir.path(), kek(1)).unwrap();
	let patient = HealthId([7; 32]);
	// A stop mark that does not decode: the store cannot say whether the patient is served.
	{
		let txn = store.db.begin_write().unwrap();
		txn.open_table(STOPPED).unwrap().insert(&patient.0, b"not json".as_slice()).unwrap();
		txn.commit().unwrap();
	}
	assert!(matches!(store.stopped_since(&patient), Err(StoreError::Db(_))));
	assert!(matches!(store.stop_mark(&patient), Err(StoreError::Db(_))));
	assert!(matches!(store.stopped(), Err(StoreError::Db(_))));
	let refusal = crate::error::GatewayError::from(store.stopped_since(&patient).unwrap_err());
	assert_eq!(refusal.code, crate::error::codes::UNAVAILABLE);
	// A patient without a mark still reads as served.
	assert_eq!(store.stopped_since(&HealthId([8; 32])).unwrap(), None);
}
