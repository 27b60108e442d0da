//! The [`Store`]: its directory and database, its tables, its errors and the values it
//! keeps (see the [vault](super) documentation for the layout). What the store does lives
//! in one file per job beside this one.

use super::kek::Kek;
use crate::{
	error::{codes, err, GatewayError},
	vault::crypto::CryptoError,
};
use healthchain_primitives::{DataCategory, HealthId};
use redb::{Database, ReadableTable, TableDefinition};
use serde::{Deserialize, Serialize};
use std::{
	collections::HashSet,
	fs,
	os::unix::fs::{DirBuilderExt, OpenOptionsExt},
	path::{Path, PathBuf},
	sync::{Mutex, MutexGuard},
	time::{SystemTime, UNIX_EPOCH},
};

/// The database file under the storage directory.
pub const INDEX_FILE: &str = "index.redb";

/// The ciphertext directory under the storage directory.
pub const BLOBS_DIR: &str = "blobs";

/// Anchored records: hash → [`RecordMeta`] (JSON).
pub(super) const RECORDS: TableDefinition<&[u8; 32], &[u8]> = TableDefinition::new("records");
/// The per-patient index: health ID ++ index (big-endian) ++ hash → ().
pub(super) const BY_PATIENT: TableDefinition<&[u8; 72], ()> = TableDefinition::new("by_patient");
/// Wrapped record keys: hash → nonce ++ sealed key.
pub(super) const KEYS: TableDefinition<&[u8; 32], &[u8]> = TableDefinition::new("keys");
/// Puts whose anchor outcome is not known: hash → [`PendingPut`] (JSON).
pub(super) const PENDING: TableDefinition<&[u8; 32], &[u8]> = TableDefinition::new("pending");
/// Shredded records: hash → erased at (seconds).
pub(super) const ERASED: TableDefinition<&[u8; 32], u64> = TableDefinition::new("erased");
/// Patients no longer served: health ID → [`StopMark`] (JSON).
pub(super) const STOPPED: TableDefinition<&[u8; 32], &[u8]> = TableDefinition::new("stopped");
/// Shredded records whose on-chain revocation is due: hash → health ID.
pub(super) const REVOKE_DUE: TableDefinition<&[u8; 32], &[u8; 32]> =
	TableDefinition::new("revoke_due");
/// The access journal: (licence, attested at ms, access-log index) → health ID.
pub(super) const ACCESSES: TableDefinition<(&str, u64, u64), &[u8; 32]> =
	TableDefinition::new("accesses");
/// Store-wide values: the KEK check value, the layout version and the watcher's watermark.
pub(super) const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");

/// The `meta` key of the KEK check value.
pub(super) const KEK_CHECK: &str = "kek_check";
/// The `meta` key of the layout version.
pub(super) const FORMAT: &str = "format";
/// The layout version this code reads and writes.
pub(super) const FORMAT_VERSION: &[u8] = b"1";
/// The `meta` key of the watcher's watermark.
pub(super) const WATERMARK: &str = "watermark";
/// Records rewrapped per read during [`Store::rotate_kek`].
pub(super) const ROTATE_CHUNK: usize = 10_000;

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

/// A store error as the APIs answer it: an erased record, an unknown record, a failed
/// integrity check, or the store unavailable.
impl From<StoreError> for GatewayError {
	fn from(e: StoreError) -> Self {
		let code = match &e {
			StoreError::Erased(_) => codes::ERASED,
			StoreError::UnknownRecord(_) => codes::UNKNOWN_RECORD,
			StoreError::Crypto(_) => codes::INTEGRITY,
			StoreError::Io { .. } | StoreError::Db(_) | StoreError::WrongKek => codes::UNAVAILABLE,
		};
		err(code, e.to_string())
	}
}

/// An I/O error at `path`.
pub(super) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
	move |source| StoreError::Io { path: path.to_path_buf(), source }
}

/// Seconds since the Unix epoch.
pub(super) fn now_secs() -> u64 {
	SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// JSON bytes of a table value.
pub(super) fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, StoreError> {
	serde_json::to_vec(value).map_err(|e| StoreError::Db(format!("cannot encode a value: {e}")))
}

/// A table value from its JSON bytes; `what` names it in the error.
pub(super) fn decode<T: for<'de> Deserialize<'de>>(
	what: &str,
	bytes: &[u8],
) -> Result<T, StoreError> {
	serde_json::from_slice(bytes).map_err(|e| StoreError::Db(format!("malformed {what}: {e}")))
}

/// The `by_patient` key of a record.
pub(super) fn patient_key(health_id: &HealthId, index: u64, hash: &[u8; 32]) -> [u8; 72] {
	let mut key = [0u8; 72];
	key[..32].copy_from_slice(&health_id.0);
	key[32..40].copy_from_slice(&index.to_be_bytes());
	key[40..].copy_from_slice(hash);
	key
}

/// The result of a read where a default is safe (each caller says why): a database error is
/// logged and reads as `fallback`. Never for a read that decides whether to serve, fetch or
/// shred: those use [`logged`] and return the error.
pub(super) fn or_logged<T>(what: &'static str, result: Result<T, StoreError>, fallback: T) -> T {
	result.unwrap_or_else(|e| {
		crate::error!("store_read_failed", {"what": what, "error": e.to_string()});
		fallback
	})
}

/// The result of a read on a decision path: a database error is logged and returned, for the
/// caller to refuse or defer.
pub(super) fn logged<T>(
	what: &'static str,
	result: Result<T, StoreError>,
) -> Result<T, StoreError> {
	result.inspect_err(|e| {
		crate::error!("store_read_failed", {"what": what, "error": e.to_string()});
	})
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
	pub(super) blobs: PathBuf,
	/// The database.
	pub(super) db: Database,
	/// The key-encryption key.
	pub(super) kek: Kek,
	/// Puts between their ciphertext file write and their transaction: their files are not
	/// unindexed blobs, whatever the index says yet.
	pub(super) in_flight: Mutex<HashSet<[u8; 32]>>,
}

/// A put's registration in [`Store::in_flight`], removed when dropped (whatever the outcome).
pub(super) struct InFlight<'a> {
	/// The store's set.
	pub(super) set: &'a Mutex<HashSet<[u8; 32]>>,
	/// The put's hash.
	pub(super) hash: [u8; 32],
}

/// Unregisters the put.
impl Drop for InFlight<'_> {
	fn drop(&mut self) {
		lock(self.set).remove(&self.hash);
	}
}

/// Locks the in-flight set (a panic elsewhere while it was held leaves it usable).
pub(super) fn lock(set: &Mutex<HashSet<[u8; 32]>>) -> MutexGuard<'_, HashSet<[u8; 32]>> {
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
			txn.open_table(ACCESSES)?;
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
}
