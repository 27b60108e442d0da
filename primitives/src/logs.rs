//! Append-only per-patient logs: record anchors and access attestations.
//!
//! State keeps per patient only a [`LogHead`]: `(count, head)` with
//! `head = blake2_256(previous head ++ SCALE(entry))`. The entries themselves are in the
//! extrinsics and events, and each node writes them into its offchain index during block
//! import under [`index_key`]`(log, health_id, head_after)`: keyed by the head they produce,
//! so that walking back from the on-chain head visits exactly the canonical entries. Entries of
//! blocks abandoned in a reorg are stored under heads no canonical head leads to, and so are
//! never served.

use crate::{
	Categories, DataCategory, HealthId, HospitalCode, LicenceNumber, Moment, PermitBasis, Purpose,
};
use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use serde::{Deserialize, Serialize};
use sp_core::{ConstU32, H256};
use sp_runtime::BoundedVec;

/// The hash-chain rule and the page verification, defined once in `healthchain-log-chain`
/// (allocation-free, so the browser apps run the same code compiled to wasm).
pub use healthchain_log_chain::{
	verify_link, verify_page, verify_served_page, Link, LogError, ServedPageError,
};

/// Maximum record hashes named by one access attestation.
pub const MAX_RECORDS_PER_ATTESTATION: u32 = 16;

/// The record hashes an access attestation names.
pub type RecordHashes = BoundedVec<H256, ConstU32<MAX_RECORDS_PER_ATTESTATION>>;

/// The on-chain state of one patient's log.
#[derive(Clone, Copy, PartialEq, Eq, Default, Encode, Decode, MaxEncodedLen, TypeInfo, Debug)]
pub struct LogHead {
	/// Entries so far.
	pub count: u64,
	/// `blake2_256(previous head ++ SCALE(entry))` after the latest entry; zero when empty.
	pub head: H256,
}

impl LogHead {
	/// The head after appending an entry with this SCALE encoding.
	/// The rule is [`healthchain_log_chain::next_head`].
	pub fn next_head(prev: &H256, encoded_entry: &[u8]) -> H256 {
		healthchain_log_chain::next_head(prev, encoded_entry)
	}

	/// Appends an entry, returning the new state.
	pub fn append(&self, encoded_entry: &[u8]) -> LogHead {
		LogHead { count: self.count + 1, head: Self::next_head(&self.head, encoded_entry) }
	}
}

/// Why a hospital revoked one of its anchors.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Serialize,
	Deserialize,
	Debug,
)]
#[serde(rename_all = "camelCase")]
pub enum RevocationReason {
	/// Entered in error (wrong patient, wrong document).
	EnteredInError,
	/// Replaced by a corrected record.
	Corrected,
	/// Erased: the hospital destroyed the record's key (crypto-shredding).
	Erased,
}

/// What happened to a record.
#[derive(
	Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug,
)]
pub enum RecordOp {
	/// An encrypted record was anchored.
	Anchor {
		/// Its data category.
		category: DataCategory,
		/// BLAKE2b-256 of the ciphertext.
		content_hash: H256,
		/// Ciphertext size in bytes.
		size: u32,
		/// The record it replaces, if any.
		supersedes: Option<H256>,
	},
	/// The anchoring hospital revoked a record.
	Revoke {
		/// BLAKE2b-256 of the revoked record's ciphertext.
		content_hash: H256,
		/// Why.
		reason: RevocationReason,
	},
}

/// One entry of a patient's record log.
#[derive(
	Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug,
)]
pub struct RecordEntry {
	/// The hospital whose gateway wrote it.
	pub hospital: HospitalCode,
	/// Anchor or revocation.
	pub op: RecordOp,
	/// Block timestamp (ms).
	pub at: Moment,
}

/// What an access rested on, as the runtime's consent decision found it. In JSON:
/// `{"kind":"enrolment"}`, `{"kind":"grant","id":3}`, `{"kind":"emergency","id":0}`.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Serialize,
	Deserialize,
	Debug,
)]
#[serde(rename_all = "camelCase", tag = "kind", content = "id")]
pub enum AccessBasis {
	/// The patient's enrolment at a one-time-consent hospital.
	Enrolment,
	/// A grant from this approved request.
	Grant(u64),
	/// This emergency access.
	Emergency(u64),
}

impl AccessBasis {
	/// The kind of permit, without the request or emergency access it names.
	pub fn permit_basis(&self) -> PermitBasis {
		match self {
			AccessBasis::Enrolment => PermitBasis::Enrolment,
			AccessBasis::Grant(_) => PermitBasis::Grant,
			AccessBasis::Emergency(_) => PermitBasis::Emergency,
		}
	}
}

/// One entry of a patient's access log: an attested access.
#[derive(
	Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug,
)]
pub struct AccessEntry {
	/// The hospital where the doctor treats (its gateway attested).
	pub hospital: HospitalCode,
	/// The doctor.
	pub practitioner: LicenceNumber,
	/// The categories looked at.
	pub categories: Categories,
	/// The records served (BLAKE2b-256 of their ciphertexts).
	pub records: RecordHashes,
	/// Why.
	pub purpose: Purpose,
	/// What the access rested on.
	pub basis: AccessBasis,
	/// Block timestamp (ms).
	pub at: Moment,
}

/// One access of an `AccessLog.attest_batch`: what a single `AccessLog.attest` names. The
/// hospital is the signing gateway's; the entry each access produces is the one a single
/// attestation would.
#[derive(
	Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug,
)]
pub struct AccessAttestation {
	/// The patient.
	pub health_id: HealthId,
	/// The doctor, treating at the signer's hospital.
	pub practitioner: LicenceNumber,
	/// The categories looked at.
	pub categories: Categories,
	/// The records served (BLAKE2b-256 of their ciphertexts).
	pub records: RecordHashes,
	/// Why.
	pub purpose: Purpose,
}

/// Why one access was not attested: the errors of `AccessLog.attest` that belong to the access
/// rather than to the signer. `AccessLog.attest_batch` reports one per refused access in an
/// `AttestationRefused` event.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Serialize,
	Deserialize,
	Debug,
)]
#[serde(rename_all = "camelCase", tag = "kind", content = "reason")]
pub enum AttestRefusal {
	/// The consent decision denies this access, for the reason given.
	AccessDenied(crate::DenyReason),
	/// The hospital asks per-request consent and no unexpired grant covers this access.
	ConsentRequestNeeded,
	/// The access names no record.
	NoRecords,
	/// A record hash is named twice.
	DuplicateRecord,
	/// A named record is not live in the patient's record log: never anchored for the
	/// patient, superseded or revoked.
	RecordNotLive,
	/// A named record's category is not among the categories the access asks for.
	RecordOutsideCategories,
}

/// Which log.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum LogKind {
	/// Record anchors and revocations.
	Records,
	/// Access attestations.
	Access,
}

/// What the offchain index stores for an entry.
#[derive(Clone, PartialEq, Eq, Encode, Decode, Debug)]
pub struct IndexedEntry {
	/// Zero-based position in the log.
	pub index: u64,
	/// The head before this entry.
	pub prev_head: H256,
	/// The block that holds the entry.
	pub block_number: u32,
	/// The SCALE-encoded entry ([`RecordEntry`] or [`AccessEntry`]).
	pub entry: Vec<u8>,
}

/// The offchain index key of the entry that produced `head_after` in `health_id`'s log.
pub fn index_key(kind: LogKind, health_id: &HealthId, head_after: &H256) -> Vec<u8> {
	let tag: &[u8] = match kind {
		LogKind::Records => b"healthchain/rec/",
		LogKind::Access => b"healthchain/acc/",
	};
	let mut key = Vec::with_capacity(tag.len() + 64);
	key.extend_from_slice(tag);
	key.extend_from_slice(&health_id.0);
	key.extend_from_slice(head_after.as_bytes());
	key
}

/// The node-local key under which a node records the head after entry `index` of
/// `health_id`'s log once the block holding that entry is finalized (a finalized position
/// never changes). With it the node's RPC checks a page cursor in one read instead of walking
/// the log back from its head (`node/src/positions.rs` writes it, `node/src/rpc.rs` reads it).
/// Written by the node, never by the runtime, under the same persistent offchain prefix.
pub fn position_key(kind: LogKind, health_id: &HealthId, index: u64) -> Vec<u8> {
	let tag: &[u8] = match kind {
		LogKind::Records => b"healthchain/pos/rec/",
		LogKind::Access => b"healthchain/pos/acc/",
	};
	let mut key = Vec::with_capacity(tag.len() + 40);
	key.extend_from_slice(tag);
	key.extend_from_slice(&health_id.0);
	key.extend_from_slice(&index.to_be_bytes());
	key
}

/// What appending an entry (SCALE bytes `encoded`) to a log at `prev` writes into the offchain
/// index: the new log state, the index key and the index value. The one definition of the
/// index layout, used by the runtime ([`append_and_index`]) and by anything that builds an
/// index itself (tests).
pub fn index_write(
	kind: LogKind,
	health_id: &HealthId,
	prev: &LogHead,
	block_number: u32,
	encoded: Vec<u8>,
) -> (LogHead, Vec<u8>, Vec<u8>) {
	let next = prev.append(&encoded);
	let indexed =
		IndexedEntry { index: prev.count, prev_head: prev.head, block_number, entry: encoded };
	(next, index_key(kind, health_id, &next.head), indexed.encode())
}

/// An anchored record that is still live: not revoked by its anchoring hospital and not
/// superseded by a later anchor of the same hospital.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct LiveRecord {
	/// The hospital that anchored it (its source).
	pub hospital: HospitalCode,
	/// Its category.
	pub category: DataCategory,
	/// BLAKE2b-256 of the ciphertext.
	pub content_hash: H256,
	/// Ciphertext size in bytes.
	pub size: u32,
}

/// The fold over a patient's record log, oldest entry first, that says which records are
/// live: anchors minus those revoked or superseded by the hospital that anchored them (a
/// hospital cannot revoke or supersede another hospital's record). Returns them oldest
/// first. The one definition of "live": the gateway's fetch, the tests and any client ask
/// it.
pub fn live_records<'a>(entries: impl IntoIterator<Item = &'a RecordEntry>) -> Vec<LiveRecord> {
	let mut live: Vec<LiveRecord> = Vec::new();
	for entry in entries {
		match &entry.op {
			RecordOp::Anchor { category, content_hash, size, supersedes } => {
				if let Some(old) = supersedes {
					live.retain(|r| !(r.content_hash == *old && r.hospital == entry.hospital));
				}
				live.push(LiveRecord {
					hospital: entry.hospital.clone(),
					category: *category,
					content_hash: *content_hash,
					size: *size,
				});
			},
			RecordOp::Revoke { content_hash, .. } => {
				live.retain(|r| !(r.content_hash == *content_hash && r.hospital == entry.hospital))
			},
		}
	}
	live
}

/// Appends `entry` to a patient's log: returns the new head and writes the entry into the
/// node's offchain index (a no-op where indexing is off). For the runtime's pallets.
#[cfg(feature = "frame")]
pub fn append_and_index<E: Encode>(
	kind: LogKind,
	health_id: &HealthId,
	prev: &LogHead,
	block_number: u32,
	entry: &E,
) -> LogHead {
	let (next, key, value) = index_write(kind, health_id, prev, block_number, entry.encode());
	sp_io::offchain_index::set(&key, &value);
	next
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn head_chains_and_differs_by_order() {
		let a = [1u8, 2, 3];
		let b = [4u8, 5];
		let h0 = LogHead::default();
		let h1 = h0.append(&a).append(&b);
		let h2 = h0.append(&b).append(&a);
		assert_eq!(h1.count, 2);
		assert_ne!(h1.head, h2.head);
		assert_eq!(h1.head, LogHead::next_head(&LogHead::next_head(&H256::zero(), &a), &b));
	}

	#[test]
	fn index_keys_separate_logs_and_patients() {
		let p = HealthId([1; 32]);
		let q = HealthId([2; 32]);
		let h = H256::repeat_byte(9);
		assert_ne!(index_key(LogKind::Records, &p, &h), index_key(LogKind::Access, &p, &h));
		assert_ne!(index_key(LogKind::Records, &p, &h), index_key(LogKind::Records, &q, &h));
	}

	fn page(entries: &[&[u8]]) -> (Vec<(H256, H256, Vec<u8>)>, LogHead) {
		let mut log = LogHead::default();
		let mut out = Vec::new();
		for e in entries {
			let next = log.append(e);
			out.push((log.head, next.head, e.to_vec()));
			log = next;
		}
		out.reverse();
		(out, log)
	}

	fn links(p: &[(H256, H256, Vec<u8>)], count: u64) -> Vec<Link<'_>> {
		p.iter()
			.enumerate()
			.map(|(i, (prev, head, e))| Link {
				index: count - 1 - i as u64,
				prev_head: *prev,
				head: *head,
				encoded: e,
			})
			.collect()
	}

	#[test]
	fn a_served_page_verifies_and_tampering_is_named() {
		let (p, log) = page(&[b"a", b"b", b"c"]);
		assert_eq!(verify_page(log.head, Some(3), links(&p, 3)), Ok(H256::zero()));
		// A later page continues from the cursor the first one handed out.
		let first = verify_page(log.head, Some(3), links(&p, 3).into_iter().take(1)).unwrap();
		assert_eq!(verify_page(first, None, links(&p, 3).into_iter().skip(1)), Ok(H256::zero()));
		// Tampered bytes, a missing newest entry, a stale head, a wrong count.
		let mut bad = p.clone();
		bad[1].2 = b"B".to_vec();
		assert_eq!(
			verify_page(log.head, Some(3), links(&bad, 3)),
			Err(LogError::BrokenLink { index: 1 })
		);
		assert_eq!(
			verify_page(log.head, Some(2), links(&p[1..], 2)),
			Err(LogError::HeadMismatch { index: 1 })
		);
		assert_eq!(
			verify_page(H256::repeat_byte(1), Some(3), links(&p, 3)),
			Err(LogError::HeadMismatch { index: 2 })
		);
		assert_eq!(
			verify_page(log.head, Some(4), links(&p, 3)),
			Err(LogError::OutOfOrder { index: 2 })
		);
	}

	fn code(s: &str) -> HospitalCode {
		BoundedVec::truncate_from(s.as_bytes().to_vec())
	}

	fn anchor(h: &str, hash: u8, supersedes: Option<u8>) -> RecordEntry {
		RecordEntry {
			hospital: code(h),
			op: RecordOp::Anchor {
				category: DataCategory::Allergy,
				content_hash: H256::repeat_byte(hash),
				size: 1,
				supersedes: supersedes.map(H256::repeat_byte),
			},
			at: 0,
		}
	}

	fn revoke(h: &str, hash: u8) -> RecordEntry {
		RecordEntry {
			hospital: code(h),
			op: RecordOp::Revoke {
				content_hash: H256::repeat_byte(hash),
				reason: RevocationReason::EnteredInError,
			},
			at: 0,
		}
	}

	#[test]
	fn live_records_are_anchors_minus_own_revocations_and_supersessions() {
		let log = [
			anchor("A", 1, None),
			anchor("A", 2, None),
			anchor("B", 3, None),
			anchor("A", 4, Some(1)), // A supersedes its own 1
			revoke("A", 3),          // A cannot revoke B's record
			anchor("B", 5, Some(2)), // B cannot supersede A's record
			revoke("B", 3),          // B revokes its own
		];
		let live: Vec<u8> = live_records(&log).iter().map(|r| r.content_hash.0[0]).collect();
		assert_eq!(live, vec![2, 4, 5]);
		assert!(live_records(&[]).is_empty());
	}

	#[test]
	fn access_basis_json() {
		let json = serde_json::to_string(&AccessBasis::Grant(3)).unwrap();
		assert_eq!(json, r#"{"kind":"grant","id":3}"#);
		let back: AccessBasis = serde_json::from_str(r#"{"kind":"enrolment"}"#).unwrap();
		assert_eq!(back, AccessBasis::Enrolment);
		assert_eq!(AccessBasis::Emergency(1).permit_basis(), PermitBasis::Emergency);
	}

	#[test]
	fn an_attestation_entry_is_small() {
		let e = AccessEntry {
			hospital: BoundedVec::truncate_from(b"H0001".to_vec()),
			practitioner: BoundedVec::truncate_from(b"MD10001".to_vec()),
			categories: crate::categories_from(&[DataCategory::Allergy]),
			records: BoundedVec::truncate_from(alloc::vec![H256::zero()]),
			purpose: Purpose::Treatment,
			basis: AccessBasis::Enrolment,
			at: 0,
		};
		assert!(e.encoded_size() < 80, "{}", e.encoded_size());
	}
}
