//! The watcher's watermark: the last finalized block it processed (number and hash), kept so
//! that it acts only on the chain it has followed and never skips a block.

use super::store::{logged, Store, StoreError, META, WATERMARK};
use redb::ReadableDatabase;

impl Store {
	/// The watermark, with database errors.
	fn try_watermark(&self) -> Result<Option<(u64, [u8; 32])>, StoreError> {
		let txn = self.db.begin_read()?;
		let meta = txn.open_table(META)?;
		let mark = match meta.get(WATERMARK)? {
			Some(v) => {
				let bytes = v.value();
				if bytes.len() != 40 {
					return Err(StoreError::Db("malformed watermark".into()));
				}
				let mut number = [0u8; 8];
				number.copy_from_slice(&bytes[..8]);
				let mut hash = [0u8; 32];
				hash.copy_from_slice(&bytes[8..]);
				Some((u64::from_be_bytes(number), hash))
			},
			None => None,
		};
		Ok(mark)
	}

	/// The last finalized block the watcher processed (number and hash), if any. The watcher
	/// decides on it (which chain, which blocks): a read error is logged and returned.
	pub fn watermark(&self) -> Result<Option<(u64, [u8; 32])>, StoreError> {
		logged("watermark", self.try_watermark())
	}

	/// Records the last finalized block the watcher processed.
	pub fn set_watermark(&self, number: u64, hash: &[u8; 32]) -> Result<(), StoreError> {
		let mut value = [0u8; 40];
		value[..8].copy_from_slice(&number.to_be_bytes());
		value[8..].copy_from_slice(hash);
		let txn = self.db.begin_write()?;
		{
			let mut meta = txn.open_table(META)?;
			meta.insert(WATERMARK, value.as_slice())?;
		}
		txn.commit()?;
		Ok(())
	}
}
