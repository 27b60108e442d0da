//! Types of the records pallet: the log entry types are shared with the node and clients.

use codec::{Decode, Encode, MaxEncodedLen};
pub use healthchain_primitives::logs::{LogHead, RecordEntry, RecordOp, RevocationReason};
use healthchain_primitives::{logs::LogKind, DataCategory, HospitalCode};
use scale_info::TypeInfo;

/// This pallet's log in the offchain index.
pub const LOG: LogKind = LogKind::Records;

/// Where a record anchored for a patient stands.
#[derive(Clone, Copy, PartialEq, Eq, Encode, Decode, MaxEncodedLen, TypeInfo, Debug)]
pub enum RecordStatus {
	/// Anchored and neither superseded nor revoked: it may be attested and served.
	Live,
	/// Replaced by a later anchor of the same hospital.
	Superseded,
	/// Revoked by the hospital that anchored it.
	Revoked,
}

/// What the chain keeps of each record anchored for a patient: who anchored it, its
/// category and whether it is live. The one source of "live" the runtime asks (`attest`,
/// `revoke`, `anchor`'s `supersedes`); the record log's fold
/// ([`healthchain_primitives::logs::live_records`]) gives the same answer off chain.
#[derive(Clone, PartialEq, Eq, Encode, Decode, MaxEncodedLen, TypeInfo, Debug)]
pub struct AnchoredRecord {
	/// The hospital that anchored it (the only one that may supersede or revoke it).
	pub hospital: HospitalCode,
	/// Its data category.
	pub category: DataCategory,
	/// Live, superseded or revoked.
	pub status: RecordStatus,
}
