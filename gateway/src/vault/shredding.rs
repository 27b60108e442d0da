//! Shredding state: records whose key was destroyed (and the on-chain revocations still due
//! for them), and the stop marks of patients this hospital no longer serves.

use super::store::{
	decode, encode, logged, now_secs, or_logged, StopMark, Store, StoreError, ERASED, KEYS,
	REVOKE_DUE, STOPPED,
};
use healthchain_primitives::HealthId;
use redb::{ReadableDatabase, ReadableTable};

impl Store {
	/// Crypto-shreds a record: in one transaction, removes its wrapped key, marks it erased
	/// (now) and queues the on-chain `Erased` revocation of its anchor ([`Store::revoke_due`]).
	/// The ciphertext file stays (unreadable without the key). Shredding an erased record does
	/// nothing. See the module documentation for copies made before shredding.
	pub fn shred(&self, hash: &[u8; 32], health_id: &HealthId) -> Result<(), StoreError> {
		let txn = self.db.begin_write()?;
		{
			let mut erased = txn.open_table(ERASED)?;
			if erased.get(hash)?.is_some() {
				return Ok(());
			}
			erased.insert(hash, now_secs())?;
			let mut keys = txn.open_table(KEYS)?;
			keys.remove(hash)?;
			let mut due = txn.open_table(REVOKE_DUE)?;
			due.insert(hash, &health_id.0)?;
		}
		txn.commit()?;
		Ok(())
	}

	/// Whether the record was shredded, with database errors.
	pub(super) fn try_is_erased(&self, hash: &[u8; 32]) -> Result<bool, StoreError> {
		let txn = self.db.begin_read()?;
		let erased = txn.open_table(ERASED)?.get(hash)?.is_some();
		Ok(erased)
	}

	/// Whether the record was shredded. Shredding and the watcher decide on it: a read error
	/// is logged and returned.
	pub fn is_erased(&self, hash: &[u8; 32]) -> Result<bool, StoreError> {
		logged("is_erased", self.try_is_erased(hash))
	}

	/// Shredded records whose revocation is due, with database errors.
	fn try_revoke_due(&self) -> Result<Vec<([u8; 32], HealthId)>, StoreError> {
		let txn = self.db.begin_read()?;
		let table = txn.open_table(REVOKE_DUE)?;
		let mut out = Vec::new();
		for entry in table.iter()? {
			let (k, v) = entry?;
			out.push((*k.value(), HealthId(*v.value())));
		}
		Ok(out)
	}

	/// Shredded records whose on-chain `Erased` revocation is not confirmed yet (hash and
	/// patient), for retrying.
	pub fn revoke_due(&self) -> Vec<([u8; 32], HealthId)> {
		// Safe as empty: a retry queue; what is not listed now is retried on the next pass.
		or_logged("revoke_due", self.try_revoke_due(), Vec::new())
	}

	/// Records that a shredded record's revocation is confirmed on chain.
	pub fn revoked(&self, hash: &[u8; 32]) -> Result<(), StoreError> {
		let txn = self.db.begin_write()?;
		{
			let mut due = txn.open_table(REVOKE_DUE)?;
			due.remove(hash)?;
		}
		txn.commit()?;
		Ok(())
	}

	/// Marks a patient as no longer served (`mark`: when, and the finalized block whose event
	/// showed the patient's choice), unless already marked (the first mark counts). Returns
	/// whether a mark was added.
	pub fn mark_stopped(&self, health_id: &HealthId, mark: &StopMark) -> Result<bool, StoreError> {
		let value = encode(mark)?;
		let txn = self.db.begin_write()?;
		{
			let mut stopped = txn.open_table(STOPPED)?;
			if stopped.get(&health_id.0)?.is_some() {
				return Ok(false);
			}
			stopped.insert(&health_id.0, value.as_slice())?;
		}
		txn.commit()?;
		Ok(true)
	}

	/// Clears a stop mark, with database errors.
	fn try_clear_stopped(&self, health_id: &HealthId) -> Result<bool, StoreError> {
		let txn = self.db.begin_write()?;
		let removed;
		{
			let mut stopped = txn.open_table(STOPPED)?;
			removed = stopped.remove(&health_id.0)?.is_some();
		}
		txn.commit()?;
		Ok(removed)
	}

	/// Clears a patient's stop mark (they selected this hospital again). Returns whether there
	/// was one (a database error is logged and reads as `false`).
	pub fn clear_stopped(&self, health_id: &HealthId) -> bool {
		// Safe as `false`: the mark stays, so the patient stays not served (and a shredded
		// patient's mark is cleared again on the next tick).
		or_logged("clear_stopped", self.try_clear_stopped(health_id), false)
	}

	/// A patient's stop mark, with database errors.
	fn try_stop_mark(&self, health_id: &HealthId) -> Result<Option<StopMark>, StoreError> {
		let txn = self.db.begin_read()?;
		let stopped = txn.open_table(STOPPED)?;
		let mark = match stopped.get(&health_id.0)? {
			Some(v) => Some(decode("stop mark", v.value())?),
			None => None,
		};
		Ok(mark)
	}

	/// A patient's stop mark, if this hospital no longer serves them. A read error is logged
	/// and returned (never read as "served").
	pub fn stop_mark(&self, health_id: &HealthId) -> Result<Option<StopMark>, StoreError> {
		logged("stop_mark", self.try_stop_mark(health_id))
	}

	/// When the patient's stop was seen (seconds since the epoch), if they are not served.
	/// Serve and fetch decide on it: a read error is logged and returned, and they refuse.
	pub fn stopped_since(&self, health_id: &HealthId) -> Result<Option<u64>, StoreError> {
		Ok(self.stop_mark(health_id)?.map(|m| m.since_secs))
	}

	/// Every stop mark, with database errors.
	fn try_stopped(&self) -> Result<Vec<(HealthId, StopMark)>, StoreError> {
		let txn = self.db.begin_read()?;
		let table = txn.open_table(STOPPED)?;
		let mut out = Vec::new();
		for entry in table.iter()? {
			let (k, v) = entry?;
			out.push((HealthId(*k.value()), decode("stop mark", v.value())?));
		}
		Ok(out)
	}

	/// Every stopped patient and their mark, in health ID order. Shredding decides on it: a
	/// read error is logged and returned.
	pub fn stopped(&self) -> Result<Vec<(HealthId, StopMark)>, StoreError> {
		logged("stopped", self.try_stopped())
	}
}
