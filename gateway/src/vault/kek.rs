//! The key-encryption key (KEK): loaded from an environment variable or a private file
//! outside the store, never written into it; it wraps every record key at rest and checks
//! that a store is opened with the key it was created with.

use super::crypto::{CryptoError, RecordKey};
use chacha20poly1305::{
	aead::{Aead, KeyInit, Payload},
	XChaCha20Poly1305, XNonce,
};
use rand_core::{OsRng, RngCore};
use std::{
	fs,
	io::Write,
	os::unix::fs::{OpenOptionsExt, PermissionsExt},
	path::Path,
};
use zeroize::Zeroizing;

/// The associated data of the KEK check value.
const KEK_CHECK_AAD: &[u8] = b"kek-check";

/// The key-encryption key: 32 bytes that wrap every record key at rest. It lives outside the
/// store (an environment variable or a mode-0600 file elsewhere) and is never written into it.
pub struct Kek(Zeroizing<[u8; 32]>);

/// Never shows the key.
impl std::fmt::Debug for Kek {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		f.write_str("Kek(..)")
	}
}

impl Kek {
	/// A KEK from its 32 bytes.
	pub fn from_bytes(bytes: [u8; 32]) -> Self {
		Kek(Zeroizing::new(bytes))
	}

	/// A fresh random KEK (for [`Kek::generate_file`], tests and benchmarks).
	pub fn generate() -> Self {
		let mut k = Zeroizing::new([0u8; 32]);
		OsRng.fill_bytes(k.as_mut());
		Kek(k)
	}

	/// Loads the KEK: 64 hex digits (optionally `0x`-prefixed, surrounding whitespace ignored)
	/// from the environment variable `env_var` when it is set, else from `file`, which must
	/// not be readable by group or others.
	pub fn load(file: Option<&Path>, env_var: &str) -> Result<Kek, String> {
		if let Some(value) = std::env::var_os(env_var) {
			let text = Zeroizing::new(
				value.into_string().map_err(|_| format!("{env_var}: not valid UTF-8"))?,
			);
			return parse_kek(&text).map_err(|e| format!("{env_var}: {e}"));
		}
		let Some(path) = file else {
			return Err(format!(
				"no key-encryption key: set {env_var} or configure a key-encryption key file"
			));
		};
		let meta =
			fs::metadata(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
		let mode = meta.permissions().mode();
		if mode & 0o077 != 0 {
			return Err(format!(
				"{} is readable by group or others (mode {:o}): the key-encryption key file must \
				 be mode 0600",
				path.display(),
				mode & 0o777
			));
		}
		let text = Zeroizing::new(
			fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?,
		);
		parse_kek(&text).map_err(|e| format!("{}: {e}", path.display()))
	}

	/// Writes a new random KEK into a new file (mode 0600) as hex; an existing file is never
	/// overwritten.
	pub fn generate_file(path: &Path) -> Result<(), String> {
		let kek = Kek::generate();
		let mut f =
			fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path).map_err(
				|e| {
					format!(
						"cannot create {} (an existing key is never overwritten): {e}",
						path.display()
					)
				},
			)?;
		let mut text = Zeroizing::new(hex::encode(&kek.0[..]));
		text.push('\n');
		if let Err(e) = f.write_all(text.as_bytes()).and_then(|_| f.sync_all()) {
			// The file is ours (create_new): leave no partial key behind.
			let _ = fs::remove_file(path);
			return Err(format!("cannot write {}: {e}", path.display()));
		}
		Ok(())
	}

	/// Seals `secret` under the KEK, bound to `aad`: `nonce (24 bytes) ++ ciphertext+tag`.
	pub(super) fn seal(&self, secret: &[u8], aad: &[u8]) -> Result<Vec<u8>, CryptoError> {
		let key: &[u8; 32] = &self.0;
		let cipher = XChaCha20Poly1305::new(key.into());
		let mut nonce = [0u8; 24];
		OsRng.fill_bytes(&mut nonce);
		// Encryption of an in-memory buffer with a valid key and nonce does not fail.
		let sealed = cipher
			.encrypt(XNonce::from_slice(&nonce), Payload { msg: secret, aad })
			.map_err(|_| CryptoError::Tampered)?;
		let mut out = nonce.to_vec();
		out.extend_from_slice(&sealed);
		Ok(out)
	}

	/// Opens the output of [`Kek::seal`] made with the same `aad`.
	pub(super) fn unseal(
		&self,
		sealed: &[u8],
		aad: &[u8],
	) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
		if sealed.len() < 24 + 16 {
			return Err(CryptoError::TooShort);
		}
		let key: &[u8; 32] = &self.0;
		let cipher = XChaCha20Poly1305::new(key.into());
		cipher
			.decrypt(XNonce::from_slice(&sealed[..24]), Payload { msg: &sealed[24..], aad })
			.map(Zeroizing::new)
			.map_err(|_| CryptoError::Tampered)
	}

	/// Wraps a record key for the record `hash`.
	pub(super) fn wrap_record_key(
		&self,
		key: &[u8; 32],
		hash: &[u8; 32],
	) -> Result<Vec<u8>, CryptoError> {
		self.seal(key, hash)
	}

	/// Opens a record key wrapped for the record `hash`.
	pub(super) fn open_record_key(
		&self,
		wrapped: &[u8],
		hash: &[u8; 32],
	) -> Result<RecordKey, CryptoError> {
		let plain = self.unseal(wrapped, hash)?;
		if plain.len() != 32 {
			return Err(CryptoError::Tampered);
		}
		let mut key = Zeroizing::new([0u8; 32]);
		key.copy_from_slice(&plain);
		Ok(key)
	}

	/// The KEK check value stored at the first open.
	pub(super) fn check_value(&self) -> Result<Vec<u8>, CryptoError> {
		self.seal(&[0u8; 32], KEK_CHECK_AAD)
	}

	/// Whether `check` is this KEK's check value.
	pub(super) fn opens_check(&self, check: &[u8]) -> bool {
		matches!(self.unseal(check, KEK_CHECK_AAD), Ok(plain) if plain.as_slice() == [0u8; 32])
	}
}

/// Parses 64 hex digits (trimmed, optional `0x`) into a KEK. Errors never quote the input.
fn parse_kek(text: &str) -> Result<Kek, String> {
	let t = text.trim();
	let digits = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")).unwrap_or(t);
	if digits.len() != 64 {
		return Err(format!(
			"expected 64 hex digits (32 bytes) for the key-encryption key, found {}",
			digits.len()
		));
	}
	let mut bytes = Zeroizing::new([0u8; 32]);
	hex::decode_to_slice(digits, &mut bytes[..])
		.map_err(|_| "the key-encryption key is not hex".to_string())?;
	Ok(Kek(bytes))
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::vault::crypto;

	fn kek(n: u8) -> Kek {
		Kek::from_bytes([n; 32])
	}

	#[test]
	fn a_wrapped_key_is_bound_to_its_hash() {
		let k = kek(1);
		let record_key = crypto::new_record_key();
		let wrapped = k.wrap_record_key(&record_key, &[1; 32]).unwrap();
		assert_eq!(*k.open_record_key(&wrapped, &[1; 32]).unwrap(), *record_key);
		assert_eq!(k.open_record_key(&wrapped, &[2; 32]).err(), Some(CryptoError::Tampered));
		assert_eq!(kek(2).open_record_key(&wrapped, &[1; 32]).err(), Some(CryptoError::Tampered));
	}

	#[test]
	fn kek_files_are_private_and_never_overwritten() {
		let dir = tempfile::tempdir().unwrap();
		let path = dir.path().join("kek");
		let unset = "HEALTHCHAIN_GATEWAY_KEK_TEST_NEVER_SET";
		Kek::generate_file(&path).unwrap();
		assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
		let first = fs::read(&path).unwrap();
		let e = Kek::generate_file(&path).unwrap_err();
		assert!(e.contains("never overwritten"), "{e}");
		assert_eq!(fs::read(&path).unwrap(), first);
		let loaded = Kek::load(Some(path.as_path()), unset).unwrap();
		assert_eq!(hex::encode(&loaded.0[..]), String::from_utf8(first).unwrap().trim());

		fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
		let e = Kek::load(Some(path.as_path()), unset).unwrap_err();
		assert!(e.contains("must be mode 0600"), "{e}");
		assert!(Kek::load(None, unset).is_err());

		let hex64 = "ab".repeat(32);
		assert_eq!(*parse_kek(&format!(" 0x{hex64}\n")).unwrap().0, [0xab; 32]);
		assert!(parse_kek("0x1234").is_err());
		assert!(parse_kek(&"zz".repeat(32)).is_err());
	}
}
