//! The access journal: which accesses this gateway attested for each of its practitioners
//! (licence, when, the patient and the access-log index), so that a doctor can list their own
//! recent accesses. The journal is only an index: what an access was (its basis, categories,
//! review) is read again from the chain's verified access log each time.

use super::store::{logged, Store, StoreError, ACCESSES};
use healthchain_primitives::HealthId;
use redb::{ReadableDatabase, ReadableTable};

/// Entries kept per practitioner; older ones are dropped as new ones arrive.
pub const KEPT_PER_PRACTITIONER: usize = 200;

/// One journalled access.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JournalEntry {
	/// When it was attested (ms since the epoch, the gateway's clock).
	pub at: u64,
	/// The patient.
	pub health_id: HealthId,
	/// Its position in the patient's access log.
	pub index: u64,
}

impl Store {
	/// Journals an access attested for `licence`; keeps the newest
	/// [`KEPT_PER_PRACTITIONER`].
	pub fn journal_access(&self, licence: &str, entry: JournalEntry) -> Result<(), StoreError> {
		let txn = self.db.begin_write()?;
		{
			let mut table = txn.open_table(ACCESSES)?;
			table.insert((licence, entry.at, entry.index), &entry.health_id.0)?;
			let old: Vec<(u64, u64)> = table
				.range((licence, 0, 0)..=(licence, u64::MAX, u64::MAX))?
				.rev()
				.skip(KEPT_PER_PRACTITIONER)
				.map(|item| item.map(|(k, _)| (k.value().1, k.value().2)))
				.collect::<Result<_, _>>()?;
			for (at, index) in old {
				table.remove((licence, at, index))?;
			}
		}
		txn.commit()?;
		Ok(())
	}

	/// The newest `limit` accesses journalled for `licence`, newest first.
	pub fn journal(&self, licence: &str, limit: usize) -> Result<Vec<JournalEntry>, StoreError> {
		let read = || -> Result<Vec<JournalEntry>, StoreError> {
			let txn = self.db.begin_read()?;
			let table = txn.open_table(ACCESSES)?;
			let range = table.range((licence, 0, 0)..=(licence, u64::MAX, u64::MAX))?;
			let mut out = Vec::new();
			for item in range.rev().take(limit) {
				let (k, v) = item?;
				let (_, at, index) = k.value();
				out.push(JournalEntry { at, health_id: HealthId(*v.value()), index });
			}
			Ok(out)
		};
		logged("journal", read())
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::vault::kek::Kek;

	#[test]
	fn newest_first_per_practitioner_and_bounded() {
		let dir = tempfile::tempdir().unwrap();
		let store = Store::open(dir.path(), Kek::from_bytes([7; 32])).unwrap();
		for i in 0..(KEPT_PER_PRACTITIONER as u64 + 5) {
			let entry = JournalEntry { at: 1_000 + i, health_id: HealthId([1; 32]), index: i };
			store.journal_access("MD1", entry).unwrap();
		}
		store
			.journal_access("MD2", JournalEntry { at: 5, health_id: HealthId([2; 32]), index: 0 })
			.unwrap();
		let mine = store.journal("MD1", 1_000).unwrap();
		assert_eq!(mine.len(), KEPT_PER_PRACTITIONER, "the oldest were dropped");
		assert_eq!(mine[0].index, KEPT_PER_PRACTITIONER as u64 + 4, "newest first");
		assert!(mine.iter().all(|e| e.health_id == HealthId([1; 32])));
		let other = store.journal("MD2", 10).unwrap();
		assert_eq!(other, vec![JournalEntry { at: 5, health_id: HealthId([2; 32]), index: 0 }]);
		assert!(store.journal("MD3", 10).unwrap().is_empty());
		assert_eq!(store.journal("MD1", 2).unwrap().len(), 2);
	}
}
