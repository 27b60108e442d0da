//! The gateway's local storage: ciphertexts content-addressed on disk, and the key store with
//! one key per record. Destroying a record's key (crypto-shredding) makes its ciphertext
//! unreadable for good.

use crate::crypto::{self, CryptoError, RecordKey};
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

/// The on-disk store: `blobs/<hash>` ciphertexts, `keys/<hash>` record keys,
/// `erased/<hash>` markers of shredded records.
pub struct Store {
	root: PathBuf,
}

impl Store {
	/// Opens (creating if needed) a store under `root`.
	pub fn open(root: &Path) -> Result<Self, StoreError> {
		for d in ["blobs", "keys", "erased"] {
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
