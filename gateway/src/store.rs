//! The gateway's local storage: ciphertexts content-addressed on disk, and the key store with
//! one key per record. Destroying a record's key (crypto-shredding) makes its ciphertext
//! unreadable for good.

use crate::crypto::{self, CryptoError, RecordKey};
use healthchain_primitives::{DataCategory, HealthId};
use serde::{Deserialize, Serialize};
use std::{
	fs,
	io::Write,
	path::{Path, PathBuf},
};
use zeroize::Zeroizing;

/// Why a storage operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
	/// A file system error.
	#[error("storage I/O error at {path}: {source}")]
	Io {
		/// Where.
		path: PathBuf,
		/// What.
		source: std::io::Error,
	},
	/// No ciphertext with this hash.
	#[error("no record {0} in this gateway's store")]
	UnknownRecord(String),
	/// The record's key was destroyed (erased after withdrawal or revocation).
	#[error("record {0} was erased: its key is destroyed")]
	Erased(String),
	/// A cryptographic check failed.
	#[error(transparent)]
	Crypto(#[from] CryptoError),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
	move |source| StoreError::Io { path: path.to_path_buf(), source }
}

/// What the gateway knows about a record it anchored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordMeta {
	/// The patient.
	pub health_id: HealthId,
	/// The record's category.
	pub category: DataCategory,
	/// Ciphertext size in bytes.
	pub size: u32,
	/// The finalized block that anchored it.
	pub block: u64,
}

/// The on-disk store: `blobs/<hash>` ciphertexts, `keys/<hash>` record keys, `meta/<hash>`
/// record metadata (written once the anchor is final), `erased/<hash>` markers of shredded
/// records, and `stopped/<health id>` markers of patients this hospital no longer serves
/// (with the time the stop was seen, for the retention period before shredding).
pub struct Store {
	root: PathBuf,
}

impl Store {
	/// Opens (creating if needed) a store under `root`.
	pub fn open(root: &Path) -> Result<Self, StoreError> {
		for d in ["blobs", "keys", "erased", "meta", "stopped"] {
			let p = root.join(d);
			fs::create_dir_all(&p).map_err(io(&p))?;
		}
		Ok(Store { root: root.to_path_buf() })
	}

	fn path(&self, dir: &str, hash: &[u8; 32]) -> PathBuf {
		self.root.join(dir).join(hex::encode(hash))
	}

	/// Encrypts `plaintext` with a fresh key, stores ciphertext and key; returns the content
	/// hash and ciphertext size. Nothing is kept if a write fails.
	pub fn put(&self, plaintext: &[u8]) -> Result<([u8; 32], u32), StoreError> {
		let key = crypto::new_record_key();
		let ct = crypto::encrypt(&key, plaintext);
		let hash = crypto::content_hash(&ct);
		let blob = self.path("blobs", &hash);
		let key_path = self.path("keys", &hash);
		write_atomic(&blob, &ct)?;
		if let Err(e) = write_atomic(&key_path, key.as_ref()) {
			let _ = fs::remove_file(&blob);
			return Err(e);
		}
		Ok((hash, ct.len() as u32))
	}

	/// Removes a record entirely (used when the chain refused its anchor).
	pub fn discard(&self, hash: &[u8; 32]) {
		let _ = fs::remove_file(self.path("blobs", hash));
		let _ = fs::remove_file(self.path("keys", hash));
	}

	/// The ciphertext of a record.
	pub fn ciphertext(&self, hash: &[u8; 32]) -> Result<Vec<u8>, StoreError> {
		let p = self.path("blobs", hash);
		if self.is_erased(hash) {
			return Err(StoreError::Erased(hex::encode(hash)));
		}
		let ct = fs::read(&p).map_err(|_| StoreError::UnknownRecord(hex::encode(hash)))?;
		crypto::verify_hash(hash, &ct)?;
		Ok(ct)
	}

	/// The key of a record.
	pub fn key(&self, hash: &[u8; 32]) -> Result<RecordKey, StoreError> {
		if self.is_erased(hash) {
			return Err(StoreError::Erased(hex::encode(hash)));
		}
		let p = self.path("keys", hash);
		let bytes =
			Zeroizing::new(fs::read(&p).map_err(|_| StoreError::UnknownRecord(hex::encode(hash)))?);
		let mut k = Zeroizing::new([0u8; 32]);
		if bytes.len() != 32 {
			return Err(StoreError::UnknownRecord(hex::encode(hash)));
		}
		k.copy_from_slice(&bytes);
		Ok(k)
	}

	/// The plaintext of a record (ciphertext checked against its hash first).
	pub fn plaintext(&self, hash: &[u8; 32]) -> Result<Vec<u8>, StoreError> {
		let ct = self.ciphertext(hash)?;
		let key = self.key(hash)?;
		Ok(crypto::decrypt(&key, &ct)?)
	}

	/// Crypto-shreds a record: overwrites and deletes its key and marks it erased. The
	/// ciphertext may stay (it is unreadable without the key).
	pub fn shred(&self, hash: &[u8; 32]) -> Result<(), StoreError> {
		let key_path = self.path("keys", hash);
		if key_path.exists() {
			let mut f =
				fs::OpenOptions::new().write(true).open(&key_path).map_err(io(&key_path))?;
			f.write_all(&[0u8; 32]).and_then(|_| f.sync_all()).map_err(io(&key_path))?;
			fs::remove_file(&key_path).map_err(io(&key_path))?;
		}
		let marker = self.path("erased", hash);
		write_atomic(&marker, b"erased")?;
		Ok(())
	}

	/// Whether the record was shredded.
	pub fn is_erased(&self, hash: &[u8; 32]) -> bool {
		self.path("erased", hash).exists()
	}

	/// Records the metadata of an anchored record.
	pub fn put_meta(&self, hash: &[u8; 32], meta: &RecordMeta) -> Result<(), StoreError> {
		let bytes = serde_json::to_vec(meta).unwrap_or_default();
		write_atomic(&self.path("meta", hash), &bytes)
	}

	/// The metadata of an anchored record.
	pub fn meta(&self, hash: &[u8; 32]) -> Option<RecordMeta> {
		let bytes = fs::read(self.path("meta", hash)).ok()?;
		serde_json::from_slice(&bytes).ok()
	}

	/// Every anchored record (hash and metadata).
	pub fn all_meta(&self) -> Vec<([u8; 32], RecordMeta)> {
		let mut out = Vec::new();
		let Ok(dir) = fs::read_dir(self.root.join("meta")) else { return out };
		for entry in dir.flatten() {
			let name = entry.file_name();
			let mut hash = [0u8; 32];
			let Some(name) = name.to_str() else { continue };
			if hex::decode_to_slice(name, &mut hash).is_err() {
				continue;
			}
			if let Some(meta) = self.meta(&hash) {
				out.push((hash, meta));
			}
		}
		out.sort_by_key(|(_, m)| m.block);
		out
	}

	/// The records of one patient, oldest first.
	pub fn records_of(&self, health_id: &HealthId) -> Vec<([u8; 32], RecordMeta)> {
		self.all_meta().into_iter().filter(|(_, m)| &m.health_id == health_id).collect()
	}

	/// Removes ciphertexts and keys that never got metadata: puts interrupted between
	/// storing and the anchor becoming final (a crash, or a refusal not cleaned up).
	pub fn remove_orphans(&self) -> usize {
		let mut removed = 0;
		let Ok(dir) = fs::read_dir(self.root.join("blobs")) else { return 0 };
		for entry in dir.flatten() {
			let name = entry.file_name();
			let Some(name) = name.to_str() else { continue };
			let mut hash = [0u8; 32];
			if hex::decode_to_slice(name, &mut hash).is_err() {
				// Temporary files of interrupted writes.
				let _ = fs::remove_file(entry.path());
				continue;
			}
			if !self.path("meta", &hash).exists() && !self.is_erased(&hash) {
				self.discard(&hash);
				removed += 1;
			}
		}
		removed
	}

	fn stopped_path(&self, health_id: &HealthId) -> PathBuf {
		self.root.join("stopped").join(hex::encode(health_id.0))
	}

	/// Marks a patient as no longer served from `since` (seconds since the epoch), unless
	/// already marked (the first time seen counts).
	pub fn mark_stopped(&self, health_id: &HealthId, since: u64) -> Result<bool, StoreError> {
		let p = self.stopped_path(health_id);
		if p.exists() {
			return Ok(false);
		}
		write_atomic(&p, since.to_string().as_bytes())?;
		Ok(true)
	}

	/// Clears a patient's stop marker (they selected this hospital again).
	pub fn clear_stopped(&self, health_id: &HealthId) -> bool {
		fs::remove_file(self.stopped_path(health_id)).is_ok()
	}

	/// When the patient's stop was seen, if they are not served.
	pub fn stopped_since(&self, health_id: &HealthId) -> Option<u64> {
		fs::read_to_string(self.stopped_path(health_id)).ok()?.trim().parse().ok()
	}

	/// Every stopped patient and since when.
	pub fn stopped(&self) -> Vec<(HealthId, u64)> {
		let mut out = Vec::new();
		let Ok(dir) = fs::read_dir(self.root.join("stopped")) else { return out };
		for entry in dir.flatten() {
			let name = entry.file_name();
			let Some(id) = name.to_str().and_then(|n| HealthId::from_hex(n).ok()) else {
				continue;
			};
			if let Some(since) = self.stopped_since(&id) {
				out.push((id, since));
			}
		}
		out
	}
}

fn write_atomic(path: &Path, data: &[u8]) -> Result<(), StoreError> {
	let tmp = path.with_extension("tmp");
	let mut f = fs::File::create(&tmp).map_err(io(&tmp))?;
	f.write_all(data).and_then(|_| f.sync_all()).map_err(io(&tmp))?;
	fs::rename(&tmp, path).map_err(io(path))
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn put_read_discard_and_shred() {
		let dir = tempfile::tempdir().unwrap();
		let store = Store::open(dir.path()).unwrap();
		let (h, size) = store.put(b"{\"resourceType\":\"Bundle\"}").unwrap();
		assert_eq!(store.ciphertext(&h).unwrap().len() as u32, size);
		assert_eq!(store.plaintext(&h).unwrap(), b"{\"resourceType\":\"Bundle\"}");
		store.shred(&h).unwrap();
		assert!(matches!(store.plaintext(&h), Err(StoreError::Erased(_))));
		let (h2, _) = store.put(b"x").unwrap();
		store.discard(&h2);
		assert!(matches!(store.ciphertext(&h2), Err(StoreError::UnknownRecord(_))));
	}

	#[test]
	fn metadata_orphans_and_stop_markers() {
		let dir = tempfile::tempdir().unwrap();
		let store = Store::open(dir.path()).unwrap();
		let patient = HealthId([7; 32]);
		let (kept, size) = store.put(b"anchored").unwrap();
		let meta =
			RecordMeta { health_id: patient, category: DataCategory::Allergy, size, block: 3 };
		store.put_meta(&kept, &meta).unwrap();
		let (orphan, _) = store.put(b"never anchored").unwrap();
		assert_eq!(store.remove_orphans(), 1);
		assert!(matches!(store.ciphertext(&orphan), Err(StoreError::UnknownRecord(_))));
		assert_eq!(store.records_of(&patient), vec![(kept, meta)]);
		assert!(store.records_of(&HealthId([8; 32])).is_empty());

		assert!(store.mark_stopped(&patient, 100).unwrap());
		assert!(!store.mark_stopped(&patient, 200).unwrap(), "the first stop counts");
		assert_eq!(store.stopped(), vec![(patient, 100)]);
		assert!(store.clear_stopped(&patient));
		assert_eq!(store.stopped_since(&patient), None);
	}

	#[test]
	fn tampered_blob_on_disk_is_detected() {
		let dir = tempfile::tempdir().unwrap();
		let store = Store::open(dir.path()).unwrap();
		let (h, _) = store.put(b"lab result").unwrap();
		let p = dir.path().join("blobs").join(hex::encode(h));
		let mut ct = std::fs::read(&p).unwrap();
		ct[40] ^= 0xff;
		std::fs::write(&p, ct).unwrap();
		assert!(matches!(
			store.ciphertext(&h),
			Err(StoreError::Crypto(CryptoError::HashMismatch { .. }))
		));
	}
}
