//! The vault: everything the gateway keeps at rest, and the record cryptography. Ciphertexts
//! are content-addressed files on disk; an embedded database (redb) holds everything else:
//! record metadata with an index per patient, the record keys wrapped with a key-encryption
//! key held outside the store, the puts whose anchor outcome is not known yet, and the
//! shredding state. The vault imports nothing from the other layers (only the shared leaf
//! modules `error` and `log`).
//!
//! # Layout under the storage directory
//!
//! - `blobs/<hex hash>`: a record's ciphertext (`nonce ++ XChaCha20-Poly1305`), named by the
//!   BLAKE2b-256 of its bytes. Written to `<hex hash>.tmp`, synced, renamed, and the directory
//!   synced.
//! - `index.redb`: one redb database (mode 0600 when created here) with the tables
//!   - `records`: hash → [`RecordMeta`](store::RecordMeta) as JSON: records whose anchor is final;
//!   - `by_patient`: health ID (32 bytes) ++ record-log index (u64 big-endian) ++ hash (32
//!     bytes) → `()`: the per-patient index, ordered by the patient's on-chain record log;
//!   - `keys`: hash → the record key wrapped with the key-encryption key: `nonce (24 bytes) ++
//!     XChaCha20-Poly1305(KEK, record key, aad = hash)`, so a wrapped key moved to another hash
//!     does not open;
//!   - `pending`: hash → [`PendingPut`](store::PendingPut) as JSON: puts stored but whose anchor outcome is not
//!     known yet;
//!   - `erased`: hash → when the key was shredded (seconds since the epoch);
//!   - `stopped`: health ID → [`StopMark`](store::StopMark) as JSON: patients this hospital no longer serves,
//!     since when and on which finalized block's evidence;
//!   - `revoke_due`: hash → health ID: shredded records whose on-chain `Erased` revocation is
//!     not confirmed yet (retried);
//!   - `accesses`: (licence, attested at in ms, access-log index) → health ID: the access
//!     journal ([`journal`]), the newest 200 accesses of each practitioner of this hospital;
//!   - `meta`: `kek_check` → the KEK's wrap of 32 zero bytes (aad `kek-check`), written at the
//!     first open, so that opening with another KEK fails at once with
//!     [`StoreError::WrongKek`](store::StoreError::WrongKek); `format` → the layout version (`1`); `watermark` → the last
//!     finalized block the watcher processed (number, u64 big-endian, ++ hash).
//!
//! # The key-encryption key
//!
//! The KEK ([`Kek`](kek::Kek)) comes from an environment variable or a file outside the storage directory
//! and is never written into the store. A copy of the store (a backup, a stolen disk) holds only
//! wrapped keys, which are useless without the KEK.
//!
//! Shredding removes the only wrapped copy of a record key from the live tables. It cannot
//! reach copies made before: backups taken earlier still hold the wrapped key, and redb, being
//! copy-on-write, leaves the old page holding it in the file's free space until the space is
//! reused. Both stay sealed under the KEK, which is why backups never include the KEK file,
//! and why [`Store::rotate_kek`](store::Store::rotate_kek) exists: after rewrapping every live key under a new KEK and
//! destroying the old KEK, no earlier copy of a shredded key can be opened by anyone.
//!
//! # Read errors
//!
//! A read that decides what the gateway does (serve, fetch, shred, whether a patient is still
//! served, the watcher's watermark) returns its error: the caller refuses or defers, and the
//! error is logged here (`store_read_failed`). Only reads where a default is safe (operator
//! counts, clean-up lists, retry queues) read an error as that default, logged, each saying
//! why it is safe.
//!
//! # Files
//!
//! - [`store`]: the [`Store`] itself (opening, tables, errors, the value types);
//! - [`kek`]: the key-encryption key;
//! - [`blobs`]: ciphertext files;
//! - [`records`]: pending puts, confirmation and the per-patient index;
//! - [`shredding`]: erased records, due revocations and stop marks;
//! - [`watermark`]: the watcher's last processed block;
//! - [`rotation`]: rewrapping every key under a new KEK;
//! - [`crypto`]: record encryption and X25519 sealing.

pub mod blobs;
pub mod crypto;
pub mod journal;
pub mod kek;
pub mod records;
pub mod rotation;
pub mod shredding;
pub mod store;
pub mod watermark;

#[cfg(test)]
mod tests;

pub use kek::Kek;
pub use store::{
	PendingPut, RecordMeta, StopMark, Store, StoreError, BLOBS_DIR, INDEX_FILE, UNKNOWN_SINCE,
};
