//! Ciphertext files under `blobs/`: written atomically (temporary file, sync, rename, directory
//! sync), read back checked against their hash, and the clean-up of files that never reached
//! the index.

use super::{
	crypto,
	store::{io, lock, or_logged, Store, StoreError, KEYS, PENDING, RECORDS},
};
use redb::{ReadableDatabase, ReadableTable};
use std::{
	collections::BTreeSet,
	fs,
	io::{self as stdio, Write},
	os::unix::fs::OpenOptionsExt,
	path::{Path, PathBuf},
};

impl Store {
	/// The ciphertext file of a record.
	pub(super) fn blob_path(&self, hash: &[u8; 32]) -> PathBuf {
		self.blobs.join(hex::encode(hash))
	}

	/// Removes `blobs/*.tmp`: writes interrupted by a crash (never indexed).
	pub(super) fn remove_temp_files(&self) {
		let Ok(dir) = fs::read_dir(&self.blobs) else { return };
		for entry in dir.flatten() {
			if entry.path().extension().is_some_and(|e| e == "tmp") {
				let _ = fs::remove_file(entry.path());
			}
		}
	}

	/// Writes a ciphertext file: a temporary file, synced, renamed, and the directory synced.
	pub(super) fn write_blob(&self, path: &Path, data: &[u8]) -> Result<(), StoreError> {
		let tmp = path.with_extension("tmp");
		let written = fs::OpenOptions::new()
			.write(true)
			.create(true)
			.truncate(true)
			.mode(0o600)
			.open(&tmp)
			.and_then(|mut f| f.write_all(data).and_then(|_| f.sync_all()));
		if let Err(e) = written {
			let _ = fs::remove_file(&tmp);
			return Err(io(&tmp)(e));
		}
		if let Err(e) = fs::rename(&tmp, path) {
			let _ = fs::remove_file(&tmp);
			return Err(io(path)(e));
		}
		fs::File::open(&self.blobs).and_then(|d| d.sync_all()).map_err(io(&self.blobs))
	}

	/// The ciphertext of a record, checked against its hash.
	pub fn ciphertext(&self, hash: &[u8; 32]) -> Result<Vec<u8>, StoreError> {
		if self.try_is_erased(hash)? {
			return Err(StoreError::Erased(hex::encode(hash)));
		}
		let path = self.blob_path(hash);
		let ct = match fs::read(&path) {
			Ok(ct) => ct,
			Err(e) if e.kind() == stdio::ErrorKind::NotFound => {
				return Err(StoreError::UnknownRecord(hex::encode(hash)))
			},
			Err(e) => return Err(io(&path)(e)),
		};
		crypto::verify_hash(hash, &ct)?;
		Ok(ct)
	}

	/// Unindexed blobs, with errors.
	fn try_unindexed_blobs(&self) -> Result<Vec<[u8; 32]>, StoreError> {
		let mut found = BTreeSet::new();
		let dir = fs::read_dir(&self.blobs).map_err(io(&self.blobs))?;
		for entry in dir.flatten() {
			let name = entry.file_name();
			let Some(name) = name.to_str() else { continue };
			let mut hash = [0u8; 32];
			if name.len() == 64 && hex::decode_to_slice(name, &mut hash).is_ok() {
				found.insert(hash);
			}
		}
		found.retain(|hash| !lock(&self.in_flight).contains(hash));
		let txn = self.db.begin_read()?;
		let records = txn.open_table(RECORDS)?;
		let pending = txn.open_table(PENDING)?;
		let mut out = Vec::new();
		for hash in found {
			if records.get(&hash)?.is_none() && pending.get(&hash)?.is_none() {
				out.push(hash);
			}
		}
		Ok(out)
	}

	/// Ciphertext files whose hash is neither anchored nor pending: a crash between the file
	/// write and the put's transaction (the anchor was never submitted), or a discard whose
	/// file removal failed. Puts in progress in this process are not listed.
	pub fn unindexed_blobs(&self) -> Vec<[u8; 32]> {
		// Safe as empty: these are only removed, and what is not listed now is listed by the
		// next settling.
		or_logged("unindexed_blobs", self.try_unindexed_blobs(), Vec::new())
	}

	/// Removes an unindexed blob ([`Store::unindexed_blobs`]), any key left for it and its
	/// temporary file. Refuses a hash that is anchored, pending, or a put in progress (safe to
	/// call while puts run).
	pub fn remove_blob(&self, hash: &[u8; 32]) -> Result<(), StoreError> {
		// Held throughout: a put cannot register this hash while its file is being removed.
		let in_flight = lock(&self.in_flight);
		if in_flight.contains(hash) {
			return Err(StoreError::Db(format!(
				"blob {} is a put in progress; not removed",
				hex::encode(hash)
			)));
		}
		let txn = self.db.begin_write()?;
		{
			let records = txn.open_table(RECORDS)?;
			let pending = txn.open_table(PENDING)?;
			if records.get(hash)?.is_some() || pending.get(hash)?.is_some() {
				return Err(StoreError::Db(format!(
					"blob {} is anchored or pending; not removed",
					hex::encode(hash)
				)));
			}
			let mut keys = txn.open_table(KEYS)?;
			keys.remove(hash)?;
		}
		txn.commit()?;
		let blob = self.blob_path(hash);
		let _ = fs::remove_file(blob.with_extension("tmp"));
		match fs::remove_file(&blob) {
			Err(e) if e.kind() != stdio::ErrorKind::NotFound => Err(io(&blob)(e)),
			_ => Ok(()),
		}
	}
}
