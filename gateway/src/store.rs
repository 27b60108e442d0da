//! The gateway's local storage: ciphertexts content-addressed on disk, and an embedded database
//! (redb) holding everything else: record metadata with an index per patient, the record keys
//! wrapped with a key-encryption key held outside the store, the puts whose anchor outcome is
//! not known yet, and the shredding state.
//!
//! # Layout under the storage directory
//!
//! - `blobs/<hex hash>`: a record's ciphertext (`nonce ++ XChaCha20-Poly1305`), named by the
//!   BLAKE2b-256 of its bytes. Written to `<hex hash>.tmp`, synced, renamed, and the directory
//!   synced.
//! - `index.redb`: one redb database (mode 0600 when created here) with the tables
//!   - `records`: hash → [`RecordMeta`] as JSON: records whose anchor is final;
//!   - `by_patient`: health ID (32 bytes) ++ record-log index (u64 big-endian) ++ hash (32
//!     bytes) → `()`: the per-patient index, ordered by the patient's on-chain record log;
//!   - `keys`: hash → the record key wrapped with the key-encryption key: `nonce (24 bytes) ++
//!     XChaCha20-Poly1305(KEK, record key, aad = hash)`, so a wrapped key moved to another hash
//!     does not open;
//!   - `pending`: hash → [`PendingPut`] as JSON: puts stored but whose anchor outcome is not
//!     known yet;
//!   - `erased`: hash → when the key was shredded (seconds since the epoch);
//!   - `stopped`: health ID → [`StopMark`] as JSON: patients this hospital no longer serves,
//!     since when and on which finalized block's evidence;
//!   - `revoke_due`: hash → health ID: shredded records whose on-chain `Erased` revocation is
//!     not confirmed yet (retried);
//!   - `meta`: `kek_check` → the KEK's wrap of 32 zero bytes (aad `kek-check`), written at the
//!     first open, so that opening with another KEK fails at once with
//!     [`StoreError::WrongKek`]; `format` → the layout version (`1`); `watermark` → the last
//!     finalized block the watcher processed (number, u64 big-endian, ++ hash).
//!
//! # The key-encryption key
//!
//! The KEK ([`Kek`]) comes from an environment variable or a file outside the storage directory
//! and is never written into the store. A copy of the store (a backup, a stolen disk) holds only
//! wrapped keys, which are useless without the KEK.
//!
//! Shredding removes the only wrapped copy of a record key from the live tables. It cannot
//! reach copies made before: backups taken earlier still hold the wrapped key, and redb, being
//! copy-on-write, leaves the old page holding it in the file's free space until the space is
//! reused. Both stay sealed under the KEK, which is why backups never include the KEK file,
//! and why [`Store::rotate_kek`] exists: after rewrapping every live key under a new KEK and
//! destroying the old KEK, no earlier copy of a shredded key can be opened by anyone.

use crate::crypto::{self, CryptoError, RecordKey};
use chacha20poly1305::{
	aead::{Aead, KeyInit, Payload},
	XChaCha20Poly1305, XNonce,
};
use healthchain_primitives::{DataCategory, HealthId};
use rand_core::{OsRng, RngCore};
use redb::{Database, ReadableDatabase, ReadableTable, ReadableTableMetadata, TableDefinition};
use serde::{Deserialize, Serialize};
use std::{
	collections::{BTreeSet, HashSet},
	fs,
	io::{self, Write},
	ops::Bound,
	os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt},
	path::{Path, PathBuf},
	sync::{Mutex, MutexGuard},
	time::{SystemTime, UNIX_EPOCH},
};
use zeroize::Zeroizing;

/// The database file under the storage directory.
pub const INDEX_FILE: &str = "index.redb";

/// The ciphertext directory under the storage directory.
pub const BLOBS_DIR: &str = "blobs";

/// Anchored records: hash → [`RecordMeta`] (JSON).
const RECORDS: TableDefinition<&[u8; 32], &[u8]> = TableDefinition::new("records");
/// The per-patient index: health ID ++ index (big-endian) ++ hash → ().
const BY_PATIENT: TableDefinition<&[u8; 72], ()> = TableDefinition::new("by_patient");
/// Wrapped record keys: hash → nonce ++ sealed key.
const KEYS: TableDefinition<&[u8; 32], &[u8]> = TableDefinition::new("keys");
/// Puts whose anchor outcome is not known: hash → [`PendingPut`] (JSON).
const PENDING: TableDefinition<&[u8; 32], &[u8]> = TableDefinition::new("pending");
/// Shredded records: hash → erased at (seconds).
const ERASED: TableDefinition<&[u8; 32], u64> = TableDefinition::new("erased");
/// Patients no longer served: health ID → [`StopMark`] (JSON).
const STOPPED: TableDefinition<&[u8; 32], &[u8]> = TableDefinition::new("stopped");
/// Shredded records whose on-chain revocation is due: hash → health ID.
const REVOKE_DUE: TableDefinition<&[u8; 32], &[u8; 32]> = TableDefinition::new("revoke_due");
/// Store-wide values: the KEK check value, the layout version and the watcher's watermark.
const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");

/// The `meta` key of the KEK check value.
const KEK_CHECK: &str = "kek_check";
/// The associated data of the KEK check value.
const KEK_CHECK_AAD: &[u8] = b"kek-check";
/// The `meta` key of the layout version.
const FORMAT: &str = "format";
/// The layout version this code reads and writes.
const FORMAT_VERSION: &[u8] = b"1";
/// The `meta` key of the watcher's watermark.
const WATERMARK: &str = "watermark";
/// Records rewrapped per read during [`Store::rotate_kek`].
const ROTATE_CHUNK: usize = 10_000;

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
	/// The embedded database failed, or refused an operation.
	#[error("store database: {0}")]
	Db(String),
	/// No ciphertext or key with this hash.
	#[error("no record {0} in this gateway's store")]
	UnknownRecord(String),
	/// The record's key was destroyed (erased after withdrawal or revocation).
	#[error("record {0} was erased: its key is destroyed")]
	Erased(String),
	/// A cryptographic check failed.
	#[error(transparent)]
	Crypto(#[from] CryptoError),
	/// The store was created with another key-encryption key.
	#[error("the key-encryption key does not open this store")]
	WrongKek,
}

/// Maps redb's error types to [`StoreError::Db`] with their message.
macro_rules! db_errors {
	($($t:ty),* $(,)?) => {$(
		/// A database error, by its message.
		impl From<$t> for StoreError {
			fn from(e: $t) -> Self {
				StoreError::Db(e.to_string())
			}
		}
	)*};
}

db_errors!(
	redb::Error,
	redb::DatabaseError,
	redb::TransactionError,
	redb::TableError,
	redb::StorageError,
	redb::CommitError,
);

/// An I/O error at `path`.
fn io(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
	move |source| StoreError::Io { path: path.to_path_buf(), source }
}

/// Seconds since the Unix epoch.
fn now_secs() -> u64 {
	SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// JSON bytes of a table value.
fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, StoreError> {
	serde_json::to_vec(value).map_err(|e| StoreError::Db(format!("cannot encode a value: {e}")))
}

/// A table value from its JSON bytes; `what` names it in the error.
fn decode<T: for<'de> Deserialize<'de>>(what: &str, bytes: &[u8]) -> Result<T, StoreError> {
	serde_json::from_slice(bytes).map_err(|e| StoreError::Db(format!("malformed {what}: {e}")))
}

/// The `by_patient` key of a record.
fn patient_key(health_id: &HealthId, index: u64, hash: &[u8; 32]) -> [u8; 72] {
	let mut key = [0u8; 72];
	key[..32].copy_from_slice(&health_id.0);
	key[32..40].copy_from_slice(&index.to_be_bytes());
	key[40..].copy_from_slice(hash);
	key
}

/// The result of a read that has no error path in its signature: a database error is logged
/// and reads as `fallback`.
fn or_logged<T>(what: &'static str, result: Result<T, StoreError>, fallback: T) -> T {
	result.unwrap_or_else(|e| {
		crate::error!("store_read_failed", {"what": what, "error": e.to_string()});
		fallback
	})
}

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
	fn seal(&self, secret: &[u8], aad: &[u8]) -> Result<Vec<u8>, CryptoError> {
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
	fn unseal(&self, sealed: &[u8], aad: &[u8]) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
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
	fn wrap_record_key(&self, key: &[u8; 32], hash: &[u8; 32]) -> Result<Vec<u8>, CryptoError> {
		self.seal(key, hash)
	}

	/// Opens a record key wrapped for the record `hash`.
	fn open_record_key(&self, wrapped: &[u8], hash: &[u8; 32]) -> Result<RecordKey, CryptoError> {
		let plain = self.unseal(wrapped, hash)?;
		if plain.len() != 32 {
			return Err(CryptoError::Tampered);
		}
		let mut key = Zeroizing::new([0u8; 32]);
		key.copy_from_slice(&plain);
		Ok(key)
	}

	/// The KEK check value stored at the first open.
	fn check_value(&self) -> Result<Vec<u8>, CryptoError> {
		self.seal(&[0u8; 32], KEK_CHECK_AAD)
	}

	/// Whether `check` is this KEK's check value.
	fn opens_check(&self, check: &[u8]) -> bool {
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

/// What the gateway knows about a record whose anchor is final.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordMeta {
	/// The patient.
	pub health_id: HealthId,
	/// The record's category.
	pub category: DataCategory,
	/// Ciphertext size in bytes.
	pub size: u32,
	/// The record's position in the patient's on-chain record log.
	pub index: u64,
	/// The finalized block that anchored it, when known (a record recovered at start knows
	/// only its index).
	pub block: Option<u64>,
}

/// A put whose ciphertext and key are stored but whose anchor outcome is not known yet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PendingPut {
	/// The patient.
	pub health_id: HealthId,
	/// The record's category.
	pub category: DataCategory,
	/// Ciphertext size in bytes.
	pub size: u32,
	/// A block number at least as late as the birth of the anchor's transaction (mortal for
	/// 64 blocks): once the finalized chain is well past it without the anchor, the anchor can
	/// never be included. [`UNKNOWN_SINCE`] until the gateway could ask the node.
	pub since_block: u64,
	/// When the put was stored (seconds since the epoch).
	pub since_secs: u64,
}

/// `PendingPut::since_block` when the node could not be asked: the next settling sets it.
pub const UNKNOWN_SINCE: u64 = u64::MAX;

/// Why this hospital no longer serves a patient: the patient's own choice, seen in a
/// finalized block's event and confirmed by the chain's source rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StopMark {
	/// When the stop was seen (seconds since the epoch): the retention clock's start.
	pub since_secs: u64,
	/// The finalized block whose event showed the choice.
	pub block: u64,
	/// That block's hash (checked again before shredding: still in the node's chain).
	pub block_hash: [u8; 32],
}

/// The store: ciphertext files under `blobs/` and the `index.redb` database (see the module
/// documentation). Every method takes `&self`; redb serialises write transactions and lets
/// reads run alongside them. The database file is locked: one store per directory at a time.
pub struct Store {
	/// The ciphertext directory.
	blobs: PathBuf,
	/// The database.
	db: Database,
	/// The key-encryption key.
	kek: Kek,
	/// Puts between their ciphertext file write and their transaction: their files are not
	/// unindexed blobs, whatever the index says yet.
	in_flight: Mutex<HashSet<[u8; 32]>>,
}

/// A put's registration in [`Store::in_flight`], removed when dropped (whatever the outcome).
struct InFlight<'a> {
	/// The store's set.
	set: &'a Mutex<HashSet<[u8; 32]>>,
	/// The put's hash.
	hash: [u8; 32],
}

/// Unregisters the put.
impl Drop for InFlight<'_> {
	fn drop(&mut self) {
		lock(self.set).remove(&self.hash);
	}
}

/// Locks the in-flight set (a panic elsewhere while it was held leaves it usable).
fn lock(set: &Mutex<HashSet<[u8; 32]>>) -> MutexGuard<'_, HashSet<[u8; 32]>> {
	set.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Store {
	/// Opens (creating if needed) the store under `root` with the key-encryption key `kek`:
	/// creates `blobs/` and `index.redb`, records the KEK check value at the first open and
	/// refuses another KEK later ([`StoreError::WrongKek`]). Removes temporary files left by
	/// interrupted blob writes (safe: the database lock keeps any other store off this
	/// directory). Refuses a directory of the old file layout (`keys/`, `meta/`).
	pub fn open(root: &Path, kek: Kek) -> Result<Self, StoreError> {
		// The file layout before this database: its ciphertexts have no index entries here and
		// would be taken for unindexed blobs and removed.
		for old in ["keys", "meta"] {
			if root.join(old).is_dir() {
				return Err(StoreError::Db(format!(
					"{} holds a store of the old file layout ({old}/): not opened, so that its \
					 records are not taken for unindexed blobs; migrate it first",
					root.display()
				)));
			}
		}
		let blobs = root.join(BLOBS_DIR);
		fs::DirBuilder::new().recursive(true).mode(0o700).create(&blobs).map_err(io(&blobs))?;
		let db_path = root.join(INDEX_FILE);
		// Created here first so that a new database file is 0600; an existing one is kept as
		// it is (redb initialises an empty file as a new database).
		fs::OpenOptions::new()
			.write(true)
			.create(true)
			.truncate(false)
			.mode(0o600)
			.open(&db_path)
			.map_err(io(&db_path))?;
		let db = Database::create(&db_path)?;
		let store = Store { blobs, db, kek, in_flight: Mutex::new(HashSet::new()) };
		store.init()?;
		store.remove_temp_files();
		Ok(store)
	}

	/// Creates the tables, and checks (or, on a new store, records) the KEK check value and
	/// the layout version.
	fn init(&self) -> Result<(), StoreError> {
		let txn = self.db.begin_write()?;
		{
			txn.open_table(RECORDS)?;
			txn.open_table(BY_PATIENT)?;
			txn.open_table(KEYS)?;
			txn.open_table(PENDING)?;
			txn.open_table(ERASED)?;
			txn.open_table(STOPPED)?;
			txn.open_table(REVOKE_DUE)?;
			let mut meta = txn.open_table(META)?;
			let check = meta.get(KEK_CHECK)?.map(|v| v.value().to_vec());
			match check {
				// Returning drops the transaction: nothing is written.
				Some(check) if !self.kek.opens_check(&check) => return Err(StoreError::WrongKek),
				Some(_) => {},
				None => {
					meta.insert(KEK_CHECK, self.kek.check_value()?.as_slice())?;
				},
			}
			let format = meta.get(FORMAT)?.map(|v| v.value().to_vec());
			match format {
				Some(v) if v != FORMAT_VERSION => {
					return Err(StoreError::Db(format!(
						"unsupported store format {:?} (this gateway reads format 1)",
						String::from_utf8_lossy(&v)
					)))
				},
				Some(_) => {},
				None => {
					meta.insert(FORMAT, FORMAT_VERSION)?;
				},
			}
		}
		txn.commit()?;
		Ok(())
	}

	/// The ciphertext file of a record.
	fn blob_path(&self, hash: &[u8; 32]) -> PathBuf {
		self.blobs.join(hex::encode(hash))
	}

	/// Removes `blobs/*.tmp`: writes interrupted by a crash (never indexed).
	fn remove_temp_files(&self) {
		let Ok(dir) = fs::read_dir(&self.blobs) else { return };
		for entry in dir.flatten() {
			if entry.path().extension().is_some_and(|e| e == "tmp") {
				let _ = fs::remove_file(entry.path());
			}
		}
	}

	/// Writes a ciphertext file: a temporary file, synced, renamed, and the directory synced.
	fn write_blob(&self, path: &Path, data: &[u8]) -> Result<(), StoreError> {
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

	/// Encrypts `plaintext` with a fresh record key and stores it as a pending put: writes the
	/// ciphertext file (synced), then, in one transaction, the pending entry and the wrapped
	/// key. If the transaction fails the ciphertext file is removed. Returns the content hash
	/// and the ciphertext size. `since_block` bounds the anchor transaction's era
	/// ([`UNKNOWN_SINCE`] before its submission).
	pub fn put(
		&self,
		plaintext: &[u8],
		health_id: HealthId,
		category: DataCategory,
		since_block: u64,
	) -> Result<([u8; 32], u32), StoreError> {
		let key = crypto::new_record_key();
		let ct = crypto::encrypt(&key, plaintext);
		let size = u32::try_from(ct.len()).map_err(|_| StoreError::Io {
			path: self.blobs.clone(),
			source: io::Error::new(io::ErrorKind::InvalidInput, "record larger than 4 GiB"),
		})?;
		let hash = crypto::content_hash(&ct);
		let wrapped = self.kek.wrap_record_key(&key, &hash)?;
		let pending =
			encode(&PendingPut { health_id, category, size, since_block, since_secs: now_secs() })?;
		let blob = self.blob_path(&hash);
		lock(&self.in_flight).insert(hash);
		let _registered = InFlight { set: &self.in_flight, hash };
		self.write_blob(&blob, &ct)?;
		if let Err(e) = self.insert_pending(&hash, &pending, &wrapped) {
			let _ = fs::remove_file(&blob);
			return Err(e);
		}
		Ok((hash, size))
	}

	/// The transaction of [`Store::put`].
	fn insert_pending(
		&self,
		hash: &[u8; 32],
		pending: &[u8],
		wrapped: &[u8],
	) -> Result<(), StoreError> {
		let txn = self.db.begin_write()?;
		{
			let mut table = txn.open_table(PENDING)?;
			table.insert(hash, pending)?;
			let mut keys = txn.open_table(KEYS)?;
			keys.insert(hash, wrapped)?;
		}
		txn.commit()?;
		Ok(())
	}

	/// Records that a put's anchor is final (or, at start, that a pending put was found
	/// anchored on chain): in one transaction, removes the pending entry and inserts the
	/// metadata and the per-patient index entry. Idempotent; confirming again with another
	/// index moves the index entry.
	pub fn confirm(&self, hash: &[u8; 32], meta: &RecordMeta) -> Result<(), StoreError> {
		self.confirm_batch(std::slice::from_ref(&(*hash, meta.clone())))
	}

	/// [`Store::confirm`] for many records in one transaction, without touching ciphertext
	/// files: for bulk import and benchmarks (a record confirmed so has no ciphertext or key
	/// unless they were stored by [`Store::put`]).
	pub fn confirm_batch(&self, items: &[([u8; 32], RecordMeta)]) -> Result<(), StoreError> {
		let txn = self.db.begin_write()?;
		{
			let mut records = txn.open_table(RECORDS)?;
			let mut by_patient = txn.open_table(BY_PATIENT)?;
			let mut pending = txn.open_table(PENDING)?;
			for (hash, meta) in items {
				let value = encode(meta)?;
				let old = records
					.insert(hash, value.as_slice())?
					.map(|v| decode::<RecordMeta>("record metadata", v.value()));
				let key = patient_key(&meta.health_id, meta.index, hash);
				if let Some(Ok(old)) = old {
					let old_key = patient_key(&old.health_id, old.index, hash);
					if old_key != key {
						by_patient.remove(&old_key)?;
					}
				}
				by_patient.insert(&key, ())?;
				pending.remove(hash)?;
			}
		}
		txn.commit()?;
		Ok(())
	}

	/// Removes a put whose anchor the chain definitely refused: in one transaction the pending
	/// entry and the wrapped key, then the ciphertext file. Refuses an anchored record (one in
	/// `records`): those are never discarded. If only the file removal fails, the file is left
	/// as an unindexed blob ([`Store::unindexed_blobs`]).
	pub fn discard(&self, hash: &[u8; 32]) -> Result<(), StoreError> {
		let txn = self.db.begin_write()?;
		{
			let records = txn.open_table(RECORDS)?;
			if records.get(hash)?.is_some() {
				return Err(StoreError::Db(format!(
					"record {} is anchored; never discarded",
					hex::encode(hash)
				)));
			}
			let mut pending = txn.open_table(PENDING)?;
			pending.remove(hash)?;
			let mut keys = txn.open_table(KEYS)?;
			keys.remove(hash)?;
		}
		txn.commit()?;
		let blob = self.blob_path(hash);
		match fs::remove_file(&blob) {
			Err(e) if e.kind() != io::ErrorKind::NotFound => Err(io(&blob)(e)),
			_ => Ok(()),
		}
	}

	/// Moves a pending put's `since_block` (the bound on its transaction's mortal era) to
	/// `block`: called when the outcome was lost, with a block at least as late as the
	/// transaction's birth. Does nothing if the put is no longer pending.
	pub fn set_pending_since(&self, hash: &[u8; 32], block: u64) -> Result<(), StoreError> {
		let txn = self.db.begin_write()?;
		{
			let mut table = txn.open_table(PENDING)?;
			let current = match table.get(hash)? {
				Some(v) => Some(decode::<PendingPut>("pending put", v.value())?),
				None => None,
			};
			if let Some(mut pending) = current {
				pending.since_block = block;
				table.insert(hash, encode(&pending)?.as_slice())?;
			}
		}
		txn.commit()?;
		Ok(())
	}

	/// The puts whose anchor outcome is not known yet, by hash.
	pub fn pending(&self) -> Result<Vec<([u8; 32], PendingPut)>, StoreError> {
		let txn = self.db.begin_read()?;
		let table = txn.open_table(PENDING)?;
		let mut out = Vec::new();
		for entry in table.iter()? {
			let (k, v) = entry?;
			out.push((*k.value(), decode("pending put", v.value())?));
		}
		Ok(out)
	}

	/// The ciphertext of a record, checked against its hash.
	pub fn ciphertext(&self, hash: &[u8; 32]) -> Result<Vec<u8>, StoreError> {
		if self.try_is_erased(hash)? {
			return Err(StoreError::Erased(hex::encode(hash)));
		}
		let path = self.blob_path(hash);
		let ct = match fs::read(&path) {
			Ok(ct) => ct,
			Err(e) if e.kind() == io::ErrorKind::NotFound => {
				return Err(StoreError::UnknownRecord(hex::encode(hash)))
			},
			Err(e) => return Err(io(&path)(e)),
		};
		crypto::verify_hash(hash, &ct)?;
		Ok(ct)
	}

	/// The key of a record, unwrapped with the KEK.
	pub fn key(&self, hash: &[u8; 32]) -> Result<RecordKey, StoreError> {
		let txn = self.db.begin_read()?;
		if txn.open_table(ERASED)?.get(hash)?.is_some() {
			return Err(StoreError::Erased(hex::encode(hash)));
		}
		let keys = txn.open_table(KEYS)?;
		let wrapped =
			keys.get(hash)?.ok_or_else(|| StoreError::UnknownRecord(hex::encode(hash)))?;
		Ok(self.kek.open_record_key(wrapped.value(), hash)?)
	}

	/// The plaintext of a record (ciphertext checked against its hash first).
	pub fn plaintext(&self, hash: &[u8; 32]) -> Result<Vec<u8>, StoreError> {
		let ct = self.ciphertext(hash)?;
		let key = self.key(hash)?;
		Ok(crypto::decrypt(&key, &ct)?)
	}

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
	fn try_is_erased(&self, hash: &[u8; 32]) -> Result<bool, StoreError> {
		let txn = self.db.begin_read()?;
		let erased = txn.open_table(ERASED)?.get(hash)?.is_some();
		Ok(erased)
	}

	/// Whether the record was shredded (a database error is logged and reads as `false`; the
	/// key is gone either way).
	pub fn is_erased(&self, hash: &[u8; 32]) -> bool {
		or_logged("is_erased", self.try_is_erased(hash), false)
	}

	/// The metadata of an anchored record, with database errors.
	fn try_meta(&self, hash: &[u8; 32]) -> Result<Option<RecordMeta>, StoreError> {
		let txn = self.db.begin_read()?;
		let records = txn.open_table(RECORDS)?;
		let meta = match records.get(hash)? {
			Some(v) => Some(decode("record metadata", v.value())?),
			None => None,
		};
		Ok(meta)
	}

	/// The metadata of an anchored record.
	pub fn meta(&self, hash: &[u8; 32]) -> Option<RecordMeta> {
		or_logged("meta", self.try_meta(hash), None)
	}

	/// The records of one patient, with database errors.
	fn try_records_of(
		&self,
		health_id: &HealthId,
	) -> Result<Vec<([u8; 32], RecordMeta)>, StoreError> {
		let txn = self.db.begin_read()?;
		let by_patient = txn.open_table(BY_PATIENT)?;
		let records = txn.open_table(RECORDS)?;
		let lo = patient_key(health_id, 0, &[0u8; 32]);
		let hi = patient_key(health_id, u64::MAX, &[0xffu8; 32]);
		let mut out = Vec::new();
		for entry in by_patient.range::<&[u8; 72]>(&lo..=&hi)? {
			let (k, _) = entry?;
			let mut hash = [0u8; 32];
			hash.copy_from_slice(&k.value()[40..]);
			if let Some(v) = records.get(&hash)? {
				out.push((hash, decode("record metadata", v.value())?));
			}
		}
		Ok(out)
	}

	/// The records of one patient, oldest (lowest record-log index) first: a range of the
	/// per-patient index.
	pub fn records_of(&self, health_id: &HealthId) -> Vec<([u8; 32], RecordMeta)> {
		or_logged("records_of", self.try_records_of(health_id), Vec::new())
	}

	/// The patients with records, with database errors.
	fn try_patients(&self) -> Result<Vec<HealthId>, StoreError> {
		let txn = self.db.begin_read()?;
		let by_patient = txn.open_table(BY_PATIENT)?;
		let mut out = Vec::new();
		let mut next = by_patient.first()?.map(|(k, _)| *k.value());
		while let Some(key) = next {
			let mut id = [0u8; 32];
			id.copy_from_slice(&key[..32]);
			out.push(HealthId(id));
			// Past every key of this patient: the patient's prefix followed by all ones.
			let mut after = [0xffu8; 72];
			after[..32].copy_from_slice(&id);
			next = by_patient
				.range::<&[u8; 72]>((Bound::Excluded(&after), Bound::Unbounded))?
				.next()
				.transpose()?
				.map(|(k, _)| *k.value());
		}
		Ok(out)
	}

	/// Every patient with records here, in health ID order (one index lookup per patient).
	pub fn patients(&self) -> Vec<HealthId> {
		or_logged("patients", self.try_patients(), Vec::new())
	}

	/// Live and erased record counts, with database errors.
	fn try_counts(&self) -> Result<(usize, usize), StoreError> {
		let txn = self.db.begin_read()?;
		let records = txn.open_table(RECORDS)?.len()?;
		let erased = txn.open_table(ERASED)?.len()?;
		Ok((records.saturating_sub(erased) as usize, erased as usize))
	}

	/// `(live records, erased records)`: anchored records minus shredded ones, and shredded
	/// ones.
	pub fn counts(&self) -> (usize, usize) {
		or_logged("counts", self.try_counts(), (0, 0))
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
			Err(e) if e.kind() != io::ErrorKind::NotFound => Err(io(&blob)(e)),
			_ => Ok(()),
		}
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

	/// A patient's stop mark, if this hospital no longer serves them.
	pub fn stop_mark(&self, health_id: &HealthId) -> Option<StopMark> {
		or_logged("stop_mark", self.try_stop_mark(health_id), None)
	}

	/// When the patient's stop was seen (seconds since the epoch), if they are not served.
	pub fn stopped_since(&self, health_id: &HealthId) -> Option<u64> {
		self.stop_mark(health_id).map(|m| m.since_secs)
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

	/// Every stopped patient and their mark, in health ID order.
	pub fn stopped(&self) -> Vec<(HealthId, StopMark)> {
		or_logged("stopped", self.try_stopped(), Vec::new())
	}

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

	/// The last finalized block the watcher processed (number and hash), if any.
	pub fn watermark(&self) -> Option<(u64, [u8; 32])> {
		or_logged("watermark", self.try_watermark(), None)
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

#[cfg(test)]
mod tests {
	use super::*;

	fn kek(n: u8) -> Kek {
		Kek::from_bytes([n; 32])
	}

	fn meta(patient: HealthId, size: u32, index: u64, block: Option<u64>) -> RecordMeta {
		RecordMeta { health_id: patient, category: DataCategory::Allergy, size, index, block }
	}

	#[test]
	fn put_is_pending_until_confirmed() {
		let dir = tempfile::tempdir().unwrap();
		let store = Store::open(dir.path(), kek(1)).unwrap();
		let patient = HealthId([7; 32]);
		let (h, size) = store
			.put(b"{\"resourceType\":\"Bundle\"}", patient, DataCategory::Allergy, 40)
			.unwrap();
		let pending = store.pending().unwrap();
		assert_eq!(pending.len(), 1);
		assert_eq!(pending[0].0, h);
		assert_eq!(
			(pending[0].1.health_id, pending[0].1.size, pending[0].1.since_block),
			(patient, size, 40)
		);
		assert_eq!(store.meta(&h), None);
		assert!(store.records_of(&patient).is_empty());
		assert_eq!(store.ciphertext(&h).unwrap().len() as u32, size);

		// Recovered at start: only the index is known.
		let m = meta(patient, size, 0, None);
		store.confirm(&h, &m).unwrap();
		store.confirm(&h, &m).unwrap();
		assert!(store.pending().unwrap().is_empty());
		assert_eq!(store.records_of(&patient), vec![(h, m.clone())]);
		assert_eq!(store.meta(&h), Some(m));
		assert_eq!(store.plaintext(&h).unwrap(), b"{\"resourceType\":\"Bundle\"}");
		assert_eq!(store.counts(), (1, 0));
		assert_eq!(store.patients(), vec![patient]);
	}

	#[test]
	fn discard_removes_a_refused_put_but_never_an_anchored_one() {
		let dir = tempfile::tempdir().unwrap();
		let store = Store::open(dir.path(), kek(1)).unwrap();
		let patient = HealthId([7; 32]);
		let (refused, _) = store.put(b"x", patient, DataCategory::Visit, 1).unwrap();
		store.discard(&refused).unwrap();
		assert!(matches!(store.ciphertext(&refused), Err(StoreError::UnknownRecord(_))));
		assert!(matches!(store.key(&refused), Err(StoreError::UnknownRecord(_))));
		assert!(store.pending().unwrap().is_empty());
		assert!(!dir.path().join(BLOBS_DIR).join(hex::encode(refused)).exists());

		let (kept, size) = store.put(b"anchored", patient, DataCategory::Visit, 1).unwrap();
		store.confirm(&kept, &meta(patient, size, 0, Some(3))).unwrap();
		match store.discard(&kept) {
			Err(StoreError::Db(m)) => assert!(m.contains("never discarded"), "{m}"),
			other => panic!("expected a refusal, got {other:?}"),
		}
		assert_eq!(store.plaintext(&kept).unwrap(), b"anchored");
	}

	#[test]
	fn shredding_erases_and_queues_the_revocation() {
		let dir = tempfile::tempdir().unwrap();
		let store = Store::open(dir.path(), kek(1)).unwrap();
		let patient = HealthId([7; 32]);
		let (h, size) = store.put(b"lab result", patient, DataCategory::LabAndImaging, 1).unwrap();
		store.confirm(&h, &meta(patient, size, 0, Some(2))).unwrap();
		store.shred(&h, &patient).unwrap();
		assert!(store.is_erased(&h));
		assert!(matches!(store.plaintext(&h), Err(StoreError::Erased(_))));
		assert!(matches!(store.key(&h), Err(StoreError::Erased(_))));
		assert!(matches!(store.ciphertext(&h), Err(StoreError::Erased(_))));
		assert_eq!(store.counts(), (0, 1));
		assert_eq!(store.revoke_due(), vec![(h, patient)]);
		store.revoked(&h).unwrap();
		assert!(store.revoke_due().is_empty());
		store.shred(&h, &patient).unwrap();
		assert!(store.revoke_due().is_empty(), "shredding again queues nothing");
	}

	#[test]
	fn another_kek_does_not_open_the_store() {
		let dir = tempfile::tempdir().unwrap();
		drop(Store::open(dir.path(), kek(1)).unwrap());
		assert!(matches!(Store::open(dir.path(), kek(2)), Err(StoreError::WrongKek)));
		assert!(Store::open(dir.path(), kek(1)).is_ok());
	}

	#[test]
	fn a_store_of_the_old_file_layout_is_not_opened() {
		let dir = tempfile::tempdir().unwrap();
		fs::create_dir_all(dir.path().join("meta")).unwrap();
		match Store::open(dir.path(), kek(1)) {
			Err(StoreError::Db(m)) => assert!(m.contains("old file layout"), "{m}"),
			other => panic!("expected a refusal, got {:?}", other.err()),
		}
		assert!(!dir.path().join(INDEX_FILE).exists());
	}

	#[test]
	fn a_copy_taken_before_shredding_is_useless_without_the_kek() {
		let dir = tempfile::tempdir().unwrap();
		let backup = tempfile::tempdir().unwrap();
		let patient = HealthId([7; 32]);
		let (h, record_key) = {
			let store = Store::open(dir.path(), kek(1)).unwrap();
			let (h, size) = store.put(b"diagnosis", patient, DataCategory::Diagnosis, 1).unwrap();
			store.confirm(&h, &meta(patient, size, 0, Some(2))).unwrap();
			(h, store.key(&h).unwrap())
		};
		fs::copy(dir.path().join(INDEX_FILE), backup.path().join(INDEX_FILE)).unwrap();
		fs::create_dir(backup.path().join(BLOBS_DIR)).unwrap();
		let blob = |root: &Path| root.join(BLOBS_DIR).join(hex::encode(h));
		fs::copy(blob(dir.path()), blob(backup.path())).unwrap();

		let store = Store::open(dir.path(), kek(1)).unwrap();
		store.shred(&h, &patient).unwrap();
		assert!(matches!(store.plaintext(&h), Err(StoreError::Erased(_))));

		// The copy holds the wrapped key only, never the record key in clear.
		let raw = fs::read(backup.path().join(INDEX_FILE)).unwrap();
		assert!(raw.windows(32).all(|w| w != record_key.as_slice()));
		{
			let db = Database::create(backup.path().join(INDEX_FILE)).unwrap();
			let txn = db.begin_read().unwrap();
			let keys = txn.open_table(KEYS).unwrap();
			let wrapped = keys.get(&h).unwrap().unwrap().value().to_vec();
			assert_eq!(wrapped.len(), 24 + 32 + 16);
			assert!(wrapped.windows(32).all(|w| w != record_key.as_slice()));
		}
		assert!(matches!(Store::open(backup.path(), kek(2)), Err(StoreError::WrongKek)));
		// With the KEK the copy opens: the KEK is what protects it.
		let copy = Store::open(backup.path(), kek(1)).unwrap();
		assert_eq!(copy.plaintext(&h).unwrap(), b"diagnosis");
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
	fn rotating_the_kek_rewraps_every_key() {
		let dir = tempfile::tempdir().unwrap();
		let patient = HealthId([7; 32]);
		let h = {
			let mut store = Store::open(dir.path(), kek(1)).unwrap();
			let (h, size) = store.put(b"vaccine", patient, DataCategory::Vaccine, 1).unwrap();
			store.confirm(&h, &meta(patient, size, 0, Some(2))).unwrap();
			assert_eq!(store.rotate_kek(kek(2)).unwrap(), 1);
			assert_eq!(store.plaintext(&h).unwrap(), b"vaccine");
			h
		};
		assert!(matches!(Store::open(dir.path(), kek(1)), Err(StoreError::WrongKek)));
		let store = Store::open(dir.path(), kek(2)).unwrap();
		assert_eq!(store.plaintext(&h).unwrap(), b"vaccine");
	}

	#[test]
	fn unindexed_blobs_are_listed_and_removable_but_indexed_ones_are_not() {
		let dir = tempfile::tempdir().unwrap();
		let patient = HealthId([7; 32]);
		let blobs = dir.path().join(BLOBS_DIR);
		let stray_ct = b"a ciphertext written before a crash".to_vec();
		let stray = crypto::content_hash(&stray_ct);
		let (pending, anchored) = {
			let store = Store::open(dir.path(), kek(1)).unwrap();
			let (pending, _) = store.put(b"pending", patient, DataCategory::Visit, 1).unwrap();
			let (anchored, size) = store.put(b"anchored", patient, DataCategory::Visit, 1).unwrap();
			store.confirm(&anchored, &meta(patient, size, 0, Some(2))).unwrap();
			fs::write(blobs.join(hex::encode(stray)), &stray_ct).unwrap();
			fs::write(blobs.join(format!("{}.tmp", hex::encode([9u8; 32]))), b"partial").unwrap();
			(pending, anchored)
		};
		let store = Store::open(dir.path(), kek(1)).unwrap();
		assert!(!blobs.join(format!("{}.tmp", hex::encode([9u8; 32]))).exists());
		assert_eq!(store.unindexed_blobs(), vec![stray]);
		assert!(matches!(store.remove_blob(&pending), Err(StoreError::Db(_))));
		assert!(matches!(store.remove_blob(&anchored), Err(StoreError::Db(_))));
		store.remove_blob(&stray).unwrap();
		assert!(!blobs.join(hex::encode(stray)).exists());
		assert!(store.unindexed_blobs().is_empty());
		assert_eq!(store.plaintext(&pending).unwrap(), b"pending");
		assert_eq!(store.plaintext(&anchored).unwrap(), b"anchored");

		// A put between its file write and its transaction is not an unindexed blob.
		let busy_ct = b"a put in progress".to_vec();
		let busy = crypto::content_hash(&busy_ct);
		fs::write(blobs.join(hex::encode(busy)), &busy_ct).unwrap();
		{
			lock(&store.in_flight).insert(busy);
			let _registered = InFlight { set: &store.in_flight, hash: busy };
			assert!(store.unindexed_blobs().is_empty());
			assert!(matches!(store.remove_blob(&busy), Err(StoreError::Db(_))));
		}
		assert_eq!(store.unindexed_blobs(), vec![busy]);
	}

	#[test]
	fn records_of_follows_the_record_log_per_patient() {
		let dir = tempfile::tempdir().unwrap();
		let store = Store::open(dir.path(), kek(1)).unwrap();
		let p = HealthId([1; 32]);
		let mut near = [1u8; 32];
		near[31] = 2;
		let q = HealthId(near);
		let last = HealthId([0xff; 32]);
		let items = vec![
			([0xa2; 32], meta(p, 10, 2, Some(9))),
			([0xa0; 32], meta(p, 10, 0, Some(5))),
			([0xb0; 32], meta(q, 10, 0, Some(6))),
			([0xa1; 32], meta(p, 10, 1, Some(7))),
			([0xc0; 32], meta(last, 10, 300, None)),
		];
		store.confirm_batch(&items).unwrap();
		let hashes =
			|id: &HealthId| store.records_of(id).into_iter().map(|(h, _)| h[0]).collect::<Vec<_>>();
		assert_eq!(hashes(&p), vec![0xa0, 0xa1, 0xa2]);
		assert_eq!(hashes(&q), vec![0xb0]);
		assert_eq!(hashes(&last), vec![0xc0]);
		assert!(store.records_of(&HealthId([8; 32])).is_empty());
		assert_eq!(store.patients(), vec![p, q, last]);
		assert_eq!(store.counts(), (5, 0));

		// Confirming again with another index moves the index entry.
		store.confirm(&[0xa0; 32], &meta(p, 10, 3, Some(5))).unwrap();
		assert_eq!(hashes(&p), vec![0xa1, 0xa2, 0xa0]);
	}

	#[test]
	fn stop_marks_keep_the_first_time_and_the_watermark_moves() {
		let dir = tempfile::tempdir().unwrap();
		let patient = HealthId([7; 32]);
		let first = StopMark { since_secs: 100, block: 10, block_hash: [1; 32] };
		let later = StopMark { since_secs: 200, block: 20, block_hash: [2; 32] };
		{
			let store = Store::open(dir.path(), kek(1)).unwrap();
			assert!(store.mark_stopped(&patient, &first).unwrap());
			assert!(!store.mark_stopped(&patient, &later).unwrap(), "the first stop counts");
			assert_eq!(store.watermark(), None);
			store.set_watermark(10, &[1; 32]).unwrap();
			store.set_watermark(11, &[3; 32]).unwrap();
		}
		let store = Store::open(dir.path(), kek(1)).unwrap();
		assert_eq!(store.watermark(), Some((11, [3; 32])));
		assert_eq!(store.stopped_since(&patient), Some(100));
		assert_eq!(store.stop_mark(&patient), Some(first));
		assert_eq!(store.stopped(), vec![(patient, first)]);
		assert!(store.clear_stopped(&patient));
		assert!(!store.clear_stopped(&patient));
		assert_eq!(store.stopped_since(&patient), None);
		assert!(store.stopped().is_empty());
	}

	#[test]
	fn tampered_blob_on_disk_is_detected() {
		let dir = tempfile::tempdir().unwrap();
		let store = Store::open(dir.path(), kek(1)).unwrap();
		let (h, _) = store.put(b"lab result", HealthId([7; 32]), DataCategory::Allergy, 1).unwrap();
		let p = dir.path().join(BLOBS_DIR).join(hex::encode(h));
		let mut ct = fs::read(&p).unwrap();
		ct[40] ^= 0xff;
		fs::write(&p, ct).unwrap();
		assert!(matches!(
			store.ciphertext(&h),
			Err(StoreError::Crypto(CryptoError::HashMismatch { .. }))
		));
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
