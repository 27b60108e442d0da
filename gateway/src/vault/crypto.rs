//! Record encryption: XChaCha20-Poly1305 with a fresh key per record, content-addressed by the
//! BLAKE2b-256 of the ciphertext; and sealing a record for a requesting gateway with X25519 key
//! agreement.

use chacha20poly1305::{
	aead::{Aead, KeyInit},
	XChaCha20Poly1305, XNonce,
};
use rand_core::{OsRng, RngCore};
use x25519_dalek::{EphemeralSecret, PublicKey, StaticSecret};
use zeroize::Zeroizing;

/// A record key: 32 random bytes, one per record.
pub type RecordKey = Zeroizing<[u8; 32]>;

/// Why a cryptographic operation failed.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CryptoError {
	/// The ciphertext is shorter than a nonce and a tag.
	#[error("ciphertext too short")]
	TooShort,
	/// Authentication failed: wrong key, or the ciphertext was tampered with.
	#[error("decryption failed: wrong key or tampered ciphertext")]
	Tampered,
	/// The content hash does not match the ciphertext.
	#[error("content hash mismatch: expected {expected}, got {actual}")]
	HashMismatch {
		/// Hash expected (from the chain).
		expected: String,
		/// Hash of the bytes received.
		actual: String,
	},
}

/// BLAKE2b-256 of `data`: the content address of a ciphertext.
pub fn content_hash(data: &[u8]) -> [u8; 32] {
	let h = blake2b_simd::Params::new().hash_length(32).hash(data);
	let mut out = [0u8; 32];
	out.copy_from_slice(h.as_bytes());
	out
}

/// A fresh random record key.
pub fn new_record_key() -> RecordKey {
	let mut k = Zeroizing::new([0u8; 32]);
	OsRng.fill_bytes(k.as_mut());
	k
}

/// Encrypts `plaintext` with `key`: `nonce (24 bytes) ++ ciphertext+tag`.
pub fn encrypt(key: &[u8; 32], plaintext: &[u8]) -> Vec<u8> {
	let cipher = XChaCha20Poly1305::new(key.into());
	let mut nonce = [0u8; 24];
	OsRng.fill_bytes(&mut nonce);
	let mut out = nonce.to_vec();
	// Encryption with a valid key and nonce cannot fail for in-memory buffers.
	let ct = cipher.encrypt(XNonce::from_slice(&nonce), plaintext).unwrap_or_default();
	out.extend_from_slice(&ct);
	out
}

/// Decrypts the output of [`encrypt`].
pub fn decrypt(key: &[u8; 32], data: &[u8]) -> Result<Vec<u8>, CryptoError> {
	if data.len() < 24 + 16 {
		return Err(CryptoError::TooShort);
	}
	let cipher = XChaCha20Poly1305::new(key.into());
	cipher.decrypt(XNonce::from_slice(&data[..24]), &data[24..]).map_err(|_| CryptoError::Tampered)
}

/// Checks that `data` has the content hash `expected` (as anchored on chain).
pub fn verify_hash(expected: &[u8; 32], data: &[u8]) -> Result<(), CryptoError> {
	let actual = content_hash(data);
	if &actual != expected {
		return Err(CryptoError::HashMismatch {
			expected: hex::encode(expected),
			actual: hex::encode(actual),
		});
	}
	Ok(())
}

/// A gateway's X25519 exchange key pair.
pub struct ExchangeKey {
	secret: StaticSecret,
}

impl ExchangeKey {
	/// A new random key.
	pub fn generate() -> Self {
		ExchangeKey { secret: StaticSecret::random_from_rng(OsRng) }
	}

	/// From 32 secret bytes.
	pub fn from_bytes(bytes: [u8; 32]) -> Self {
		ExchangeKey { secret: StaticSecret::from(bytes) }
	}

	/// The secret bytes (for the key file).
	pub fn to_bytes(&self) -> [u8; 32] {
		self.secret.to_bytes()
	}

	/// The public key to publish in the gateway directory.
	pub fn public(&self) -> [u8; 32] {
		PublicKey::from(&self.secret).to_bytes()
	}

	/// Opens data sealed for this key with [`seal_for`]: the sender's ephemeral public key
	/// comes first.
	pub fn open(&self, sealed: &[u8]) -> Result<Vec<u8>, CryptoError> {
		let (ephemeral, body) = sealed.split_at_checked(32).ok_or(CryptoError::TooShort)?;
		let mut eph = [0u8; 32];
		eph.copy_from_slice(ephemeral);
		let shared = self.secret.diffie_hellman(&PublicKey::from(eph));
		let key = seal_key(shared.as_bytes(), &eph, &self.public());
		decrypt(&key, body)
	}
}

/// The symmetric key of one sealed answer, bound to both public keys.
fn seal_key(shared: &[u8; 32], ephemeral: &[u8; 32], recipient: &[u8; 32]) -> RecordKey {
	let h = blake2b_simd::Params::new()
		.hash_length(32)
		.personal(b"hc-gateway-seal2")
		.to_state()
		.update(shared)
		.update(ephemeral)
		.update(recipient)
		.finalize();
	let mut k = Zeroizing::new([0u8; 32]);
	k.copy_from_slice(h.as_bytes());
	k
}

/// Seals `data` for the holder of `recipient`'s secret key with a fresh ephemeral X25519 key
/// (forward secrecy: once the answer is sent, the ephemeral secret is gone, and a later
/// theft of the source's key opens nothing). Output: the ephemeral public key (32 bytes),
/// then the XChaCha20-Poly1305 ciphertext. Who sent it is proven by the mutual-TLS
/// connection it came over, and every record inside by its anchored hash.
pub fn seal_for(recipient: &[u8; 32], data: &[u8]) -> Vec<u8> {
	let secret = EphemeralSecret::random_from_rng(OsRng);
	let ephemeral = PublicKey::from(&secret).to_bytes();
	let shared = secret.diffie_hellman(&PublicKey::from(*recipient));
	let key = seal_key(shared.as_bytes(), &ephemeral, recipient);
	let mut out = ephemeral.to_vec();
	out.extend_from_slice(&encrypt(&key, data));
	out
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn round_trip_and_fresh_nonces() {
		let k = new_record_key();
		let a = encrypt(&k, b"{\"resourceType\":\"Bundle\"}");
		let b = encrypt(&k, b"{\"resourceType\":\"Bundle\"}");
		assert_ne!(a, b, "fresh nonce each time");
		assert_eq!(decrypt(&k, &a).unwrap(), b"{\"resourceType\":\"Bundle\"}");
	}

	#[test]
	fn tampering_and_wrong_keys_are_detected() {
		let k = new_record_key();
		let mut ct = encrypt(&k, b"allergy: penicillin");
		let h = content_hash(&ct);
		ct[30] ^= 1;
		assert_eq!(decrypt(&k, &ct), Err(CryptoError::Tampered));
		assert!(matches!(verify_hash(&h, &ct), Err(CryptoError::HashMismatch { .. })));
		let other = new_record_key();
		ct[30] ^= 1;
		assert_eq!(decrypt(&other, &ct), Err(CryptoError::Tampered));
		assert_eq!(decrypt(&k, &ct[..10]), Err(CryptoError::TooShort));
		assert!(verify_hash(&h, &ct).is_ok());
	}

	#[test]
	fn sealing_between_gateways() {
		let a = ExchangeKey::generate();
		let b = ExchangeKey::generate();
		let eve = ExchangeKey::generate();
		let sealed = seal_for(&b.public(), b"record bytes");
		assert_eq!(b.open(&sealed).unwrap(), b"record bytes");
		assert_eq!(eve.open(&sealed), Err(CryptoError::Tampered));
		assert_eq!(a.open(&sealed), Err(CryptoError::Tampered));
		// A fresh ephemeral key per answer: the same data never seals the same way twice.
		let again = seal_for(&b.public(), b"record bytes");
		assert_ne!(sealed[..32], again[..32]);
		assert_eq!(b.open(&sealed[..20]), Err(CryptoError::TooShort));
		let restored = ExchangeKey::from_bytes(b.to_bytes());
		assert_eq!(restored.public(), b.public());
	}
}
