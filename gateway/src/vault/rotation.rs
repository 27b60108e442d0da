//! KEK rotation: every live record key, and the KEK check value, rewrapped under a new KEK in
//! one transaction, so that destroying the old KEK makes every earlier copy of a wrapped key
//! unopenable.

use super::{
	kek::Kek,
	store::{Store, StoreError, KEK_CHECK, KEYS, META, ROTATE_CHUNK},
};
use redb::ReadableTable;
use std::ops::Bound;

impl Store {
	/// Rewraps every live record key, and the KEK check value, under `new` in one transaction,
	/// then uses `new`. Returns how many keys were rewrapped. Run it offline (it holds the
	/// write lock throughout); once it returns, destroying the old KEK makes every earlier copy
	/// of a wrapped key (backups, free pages of the database file) unopenable.
	pub fn rotate_kek(&mut self, new: Kek) -> Result<usize, StoreError> {
		let txn = self.db.begin_write()?;
		let mut count = 0;
		{
			let mut keys = txn.open_table(KEYS)?;
			let mut after: Option<[u8; 32]> = None;
			loop {
				let mut chunk = Vec::with_capacity(ROTATE_CHUNK);
				{
					let range = match &after {
						None => keys.iter()?,
						Some(last) => {
							keys.range::<&[u8; 32]>((Bound::Excluded(last), Bound::Unbounded))?
						},
					};
					for entry in range.take(ROTATE_CHUNK) {
						let (k, v) = entry?;
						let hash = *k.value();
						let key = self.kek.open_record_key(v.value(), &hash)?;
						chunk.push((hash, new.wrap_record_key(&key, &hash)?));
					}
				}
				let Some((last, _)) = chunk.last() else { break };
				after = Some(*last);
				for (hash, wrapped) in &chunk {
					keys.insert(hash, wrapped.as_slice())?;
				}
				count += chunk.len();
			}
			let mut meta = txn.open_table(META)?;
			meta.insert(KEK_CHECK, new.check_value()?.as_slice())?;
		}
		txn.commit()?;
		self.kek = new;
		Ok(count)
	}
}
