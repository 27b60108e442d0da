//! Records: a put stored as pending (ciphertext file, wrapped key), confirmed once its anchor
//! is final (metadata and the per-patient index) or discarded once the chain refused it; and
//! the reads of a record and of a patient's records.

use super::{
	crypto::{self, RecordKey},
	store::{
		decode, encode, io, lock, logged, now_secs, or_logged, patient_key, InFlight, PendingPut,
		RecordMeta, Store, StoreError, BY_PATIENT, ERASED, KEYS, PENDING, RECORDS,
	},
};
use healthchain_primitives::{DataCategory, HealthId};
use redb::{ReadableDatabase, ReadableTable, ReadableTableMetadata};
use std::{fs, io as stdio, ops::Bound};

impl Store {
	/// Encrypts `plaintext` with a fresh record key and stores it as a pending put: writes the
	/// ciphertext file (synced), then, in one transaction, the pending entry and the wrapped
	/// key. If the transaction fails the ciphertext file is removed. Returns the content hash
	/// and the ciphertext size. `since_block` bounds the anchor transaction's era
	/// ([`UNKNOWN_SINCE`] before its submission).
	pub fn put(
		&self,
		plaintext: &[u8],
		health_id: HealthId,
		category: DataCategory,
		since_block: u64,
	) -> Result<([u8; 32], u32), StoreError> {
		let key = crypto::new_record_key();
		let ct = crypto::encrypt(&key, plaintext);
		let size = u32::try_from(ct.len()).map_err(|_| StoreError::Io {
			path: self.blobs.clone(),
			source: stdio::Error::new(stdio::ErrorKind::InvalidInput, "record larger than 4 GiB"),
		})?;
		let hash = crypto::content_hash(&ct);
		let wrapped = self.kek.wrap_record_key(&key, &hash)?;
		let pending =
			encode(&PendingPut { health_id, category, size, since_block, since_secs: now_secs() })?;
		let blob = self.blob_path(&hash);
		lock(&self.in_flight).insert(hash);
		let _registered = InFlight { set: &self.in_flight, hash };
		self.write_blob(&blob, &ct)?;
		if let Err(e) = self.insert_pending(&hash, &pending, &wrapped) {
			let _ = fs::remove_file(&blob);
			return Err(e);
		}
		Ok((hash, size))
	}

	/// The transaction of [`Store::put`].
	fn insert_pending(
		&self,
		hash: &[u8; 32],
		pending: &[u8],
		wrapped: &[u8],
	) -> Result<(), StoreError> {
		let txn = self.db.begin_write()?;
		{
			let mut table = txn.open_table(PENDING)?;
			table.insert(hash, pending)?;
			let mut keys = txn.open_table(KEYS)?;
			keys.insert(hash, wrapped)?;
		}
		txn.commit()?;
		Ok(())
	}

	/// Records that a put's anchor is final (or, at start, that a pending put was found
	/// anchored on chain): in one transaction, removes the pending entry and inserts the
	/// metadata and the per-patient index entry. Idempotent; confirming again with another
	/// index moves the index entry.
	pub fn confirm(&self, hash: &[u8; 32], meta: &RecordMeta) -> Result<(), StoreError> {
		self.confirm_batch(std::slice::from_ref(&(*hash, meta.clone())))
	}

	/// [`Store::confirm`] for many records in one transaction, without touching ciphertext
	/// files: for bulk import and benchmarks (a record confirmed so has no ciphertext or key
	/// unless they were stored by [`Store::put`]).
	pub fn confirm_batch(&self, items: &[([u8; 32], RecordMeta)]) -> Result<(), StoreError> {
		let txn = self.db.begin_write()?;
		{
			let mut records = txn.open_table(RECORDS)?;
			let mut by_patient = txn.open_table(BY_PATIENT)?;
			let mut pending = txn.open_table(PENDING)?;
			for (hash, meta) in items {
				let value = encode(meta)?;
				let old = records
					.insert(hash, value.as_slice())?
					.map(|v| decode::<RecordMeta>("record metadata", v.value()));
				let key = patient_key(&meta.health_id, meta.index, hash);
				if let Some(Ok(old)) = old {
					let old_key = patient_key(&old.health_id, old.index, hash);
					if old_key != key {
						by_patient.remove(&old_key)?;
					}
				}
				by_patient.insert(&key, ())?;
				pending.remove(hash)?;
			}
		}
		txn.commit()?;
		Ok(())
	}

	/// Removes a put whose anchor the chain definitely refused: in one transaction the pending
	/// entry and the wrapped key, then the ciphertext file. Refuses an anchored record (one in
	/// `records`): those are never discarded. If only the file removal fails, the file is left
	/// as an unindexed blob ([`Store::unindexed_blobs`]).
	pub fn discard(&self, hash: &[u8; 32]) -> Result<(), StoreError> {
		let txn = self.db.begin_write()?;
		{
			let records = txn.open_table(RECORDS)?;
			if records.get(hash)?.is_some() {
				return Err(StoreError::Db(format!(
					"record {} is anchored; never discarded",
					hex::encode(hash)
				)));
			}
			let mut pending = txn.open_table(PENDING)?;
			pending.remove(hash)?;
			let mut keys = txn.open_table(KEYS)?;
			keys.remove(hash)?;
		}
		txn.commit()?;
		let blob = self.blob_path(hash);
		match fs::remove_file(&blob) {
			Err(e) if e.kind() != stdio::ErrorKind::NotFound => Err(io(&blob)(e)),
			_ => Ok(()),
		}
	}

	/// Moves a pending put's `since_block` (the bound on its transaction's mortal era) to
	/// `block`: called when the outcome was lost, with a block at least as late as the
	/// transaction's birth. Does nothing if the put is no longer pending.
	pub fn set_pending_since(&self, hash: &[u8; 32], block: u64) -> Result<(), StoreError> {
		let txn = self.db.begin_write()?;
		{
			let mut table = txn.open_table(PENDING)?;
			let current = match table.get(hash)? {
				Some(v) => Some(decode::<PendingPut>("pending put", v.value())?),
				None => None,
			};
			if let Some(mut pending) = current {
				pending.since_block = block;
				table.insert(hash, encode(&pending)?.as_slice())?;
			}
		}
		txn.commit()?;
		Ok(())
	}

	/// The puts whose anchor outcome is not known yet, by hash.
	pub fn pending(&self) -> Result<Vec<([u8; 32], PendingPut)>, StoreError> {
		let txn = self.db.begin_read()?;
		let table = txn.open_table(PENDING)?;
		let mut out = Vec::new();
		for entry in table.iter()? {
			let (k, v) = entry?;
			out.push((*k.value(), decode("pending put", v.value())?));
		}
		Ok(out)
	}

	/// The key of a record, unwrapped with the KEK.
	pub fn key(&self, hash: &[u8; 32]) -> Result<RecordKey, StoreError> {
		let txn = self.db.begin_read()?;
		if txn.open_table(ERASED)?.get(hash)?.is_some() {
			return Err(StoreError::Erased(hex::encode(hash)));
		}
		let keys = txn.open_table(KEYS)?;
		let wrapped =
			keys.get(hash)?.ok_or_else(|| StoreError::UnknownRecord(hex::encode(hash)))?;
		Ok(self.kek.open_record_key(wrapped.value(), hash)?)
	}

	/// The plaintext of a record (ciphertext checked against its hash first).
	pub fn plaintext(&self, hash: &[u8; 32]) -> Result<Vec<u8>, StoreError> {
		let ct = self.ciphertext(hash)?;
		let key = self.key(hash)?;
		Ok(crypto::decrypt(&key, &ct)?)
	}

	/// The metadata of an anchored record, with database errors.
	fn try_meta(&self, hash: &[u8; 32]) -> Result<Option<RecordMeta>, StoreError> {
		let txn = self.db.begin_read()?;
		let records = txn.open_table(RECORDS)?;
		let meta = match records.get(hash)? {
			Some(v) => Some(decode("record metadata", v.value())?),
			None => None,
		};
		Ok(meta)
	}

	/// The metadata of an anchored record (serve decides on it: a read error is logged and
	/// returned).
	pub fn meta(&self, hash: &[u8; 32]) -> Result<Option<RecordMeta>, StoreError> {
		logged("meta", self.try_meta(hash))
	}

	/// The records of one patient, with database errors.
	fn try_records_of(
		&self,
		health_id: &HealthId,
	) -> Result<Vec<([u8; 32], RecordMeta)>, StoreError> {
		let txn = self.db.begin_read()?;
		let by_patient = txn.open_table(BY_PATIENT)?;
		let records = txn.open_table(RECORDS)?;
		let lo = patient_key(health_id, 0, &[0u8; 32]);
		let hi = patient_key(health_id, u64::MAX, &[0xffu8; 32]);
		let mut out = Vec::new();
		for entry in by_patient.range::<&[u8; 72]>(&lo..=&hi)? {
			let (k, _) = entry?;
			let mut hash = [0u8; 32];
			hash.copy_from_slice(&k.value()[40..]);
			if let Some(v) = records.get(&hash)? {
				out.push((hash, decode("record metadata", v.value())?));
			}
		}
		Ok(out)
	}

	/// The records of one patient, oldest (lowest record-log index) first: a range of the
	/// per-patient index. Shredding decides on it: a read error is logged and returned.
	pub fn records_of(
		&self,
		health_id: &HealthId,
	) -> Result<Vec<([u8; 32], RecordMeta)>, StoreError> {
		logged("records_of", self.try_records_of(health_id))
	}

	/// The patients with records, with database errors.
	fn try_patients(&self) -> Result<Vec<HealthId>, StoreError> {
		let txn = self.db.begin_read()?;
		let by_patient = txn.open_table(BY_PATIENT)?;
		let mut out = Vec::new();
		let mut next = by_patient.first()?.map(|(k, _)| *k.value());
		while let Some(key) = next {
			let mut id = [0u8; 32];
			id.copy_from_slice(&key[..32]);
			out.push(HealthId(id));
			// Past every key of this patient: the patient's prefix followed by all ones.
			let mut after = [0xffu8; 72];
			after[..32].copy_from_slice(&id);
			next = by_patient
				.range::<&[u8; 72]>((Bound::Excluded(&after), Bound::Unbounded))?
				.next()
				.transpose()?
				.map(|(k, _)| *k.value());
		}
		Ok(out)
	}

	/// Every patient with records here, in health ID order (one index lookup per patient).
	pub fn patients(&self) -> Vec<HealthId> {
		// Safe as empty: the list only drives the clearing of stop marks at start, which the
		// next block's events and the next start do again.
		or_logged("patients", self.try_patients(), Vec::new())
	}

	/// Live and erased record counts, with database errors.
	fn try_counts(&self) -> Result<(usize, usize), StoreError> {
		let txn = self.db.begin_read()?;
		let records = txn.open_table(RECORDS)?.len()?;
		let erased = txn.open_table(ERASED)?.len()?;
		Ok((records.saturating_sub(erased) as usize, erased as usize))
	}

	/// `(live records, erased records)`: anchored records minus shredded ones, and shredded
	/// ones.
	pub fn counts(&self) -> (usize, usize) {
		// Safe as zero: operator status only; nothing is decided on it.
		or_logged("counts", self.try_counts(), (0, 0))
	}
}
