//! # Records
//!
//! Anchors of encrypted clinical records. The ciphertext stays with the source hospital,
//! encrypted with a per-record key; the chain holds its BLAKE2b-256, its size and category.
//! A gateway of source hospital S may anchor a record for a patient only while the patient is
//! enrolled and S is in their source selection; S can revoke its own anchors.
//!
//! State keeps per patient a [`LogHead`] `(count, head)`, and per anchored record an
//! [`AnchoredRecord`] (who anchored it, its category, whether it is live): every entry is in
//! the `RecordAnchored`/`RecordRevoked` events and in each node's offchain index (see
//! [`healthchain_primitives::logs`]), served by the node's `health_records` RPC.
//!
//! A hospital supersedes or revokes only what it anchored, and a content hash is anchored
//! once per patient: nobody writes into another hospital's part of a patient's log, and an
//! attestation (the access-log pallet) names only records live here.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;

#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
pub mod types;
pub mod weights;

pub use types::*;
pub use weights::WeightInfo;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::pallet_prelude::*;
	use frame_system::pallet_prelude::*;
	use healthchain_primitives::{logs::append_and_index, DataCategory, HealthId};
	use pallet_consent::SourceRefusal;
	use sp_core::H256;
	use sp_runtime::SaturatedConversion;

	/// Configuration of the records pallet.
	#[pallet::config]
	pub trait Config: frame_system::Config + pallet_consent::Config {
		/// The overarching event type.
		#[allow(deprecated)]
		type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;

		/// Largest ciphertext that may be anchored (bytes).
		#[pallet::constant]
		type MaxRecordSize: Get<u32>;

		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;
	}

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	/// Each patient's record log: entry count and hash-chain head.
	#[pallet::storage]
	pub type RecordLogs<T: Config> = StorageMap<_, Blake2_128Concat, HealthId, LogHead, ValueQuery>;

	/// Every record anchored for a patient, by patient and content hash: who anchored it, its
	/// category and whether it is still live. Content hashes are BLAKE2b-256 of ciphertexts,
	/// so the second key is not hashed again.
	#[pallet::storage]
	pub type Anchors<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		HealthId,
		Identity,
		H256,
		AnchoredRecord,
		OptionQuery,
	>;

	/// Events of the records pallet: together they are the full record log.
	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A source hospital anchored an encrypted record.
		RecordAnchored {
			/// The patient.
			health_id: HealthId,
			/// Position in the patient's record log.
			index: u64,
			/// The log entry.
			entry: RecordEntry,
			/// The log head after it.
			head: H256,
		},
		/// A hospital revoked a record.
		RecordRevoked {
			/// The patient.
			health_id: HealthId,
			/// Position in the patient's record log.
			index: u64,
			/// The log entry.
			entry: RecordEntry,
			/// The log head after it.
			head: H256,
		},
	}

	/// Errors of the records pallet.
	#[pallet::error]
	pub enum Error<T> {
		/// The signer is not a gateway of an active hospital.
		NotAGateway,
		/// No such health ID.
		UnknownHealthId,
		/// The health ID is deactivated.
		HealthIdDeactivated,
		/// The patient is not enrolled.
		NotEnrolled,
		/// The patient withdrew.
		Withdrawn,
		/// The patient did not select this hospital as a source.
		NotASource,
		/// The record is empty or larger than `MaxRecordSize`.
		BadRecordSize,
		/// A record cannot supersede itself.
		SupersedesItself,
		/// This content hash is already anchored for the patient (live or not).
		AlreadyAnchored,
		/// No record with this content hash is anchored for the patient.
		UnknownRecord,
		/// The record was anchored by another hospital: only its own hospital supersedes or
		/// revokes it.
		NotOwnRecord,
		/// The record to supersede is no longer live (superseded or revoked).
		RecordNotLive,
		/// The record is already revoked.
		AlreadyRevoked,
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Anchor an encrypted record: its category, BLAKE2b-256 of the ciphertext, size, and
		/// the record it supersedes, if any (a live record the same hospital anchored).
		///
		/// Origin: a gateway of a source hospital the enrolled patient selected. Errors:
		/// `NotAGateway`, `BadRecordSize`, `SupersedesItself`, the source refusals
		/// (`UnknownHealthId`, `HealthIdDeactivated`, `NotEnrolled`, `Withdrawn`, `NotASource`),
		/// `AlreadyAnchored` (the hash is anchored for the patient already), `UnknownRecord`,
		/// `NotOwnRecord`, `RecordNotLive` (for `supersedes`). Event: `RecordAnchored`.
		#[pallet::call_index(0)]
		#[pallet::weight(<T as Config>::WeightInfo::anchor())]
		pub fn anchor(
			origin: OriginFor<T>,
			health_id: HealthId,
			category: DataCategory,
			content_hash: H256,
			size: u32,
			supersedes: Option<H256>,
		) -> DispatchResult {
			let (_, hospital) = pallet_participants::Pallet::<T>::ensure_active_gateway(origin)
				.map_err(|_| Error::<T>::NotAGateway)?;
			ensure!(size > 0 && size <= T::MaxRecordSize::get(), Error::<T>::BadRecordSize);
			ensure!(supersedes != Some(content_hash), Error::<T>::SupersedesItself);
			pallet_consent::Pallet::<T>::is_source_of(&health_id, &hospital)
				.map_err(Self::refusal_to_error)?;
			ensure!(
				!Anchors::<T>::contains_key(health_id, content_hash),
				Error::<T>::AlreadyAnchored
			);
			if let Some(old) = supersedes {
				let record = Self::own_record(&health_id, &old, &hospital)?;
				ensure!(record.status == RecordStatus::Live, Error::<T>::RecordNotLive);
				Anchors::<T>::insert(
					health_id,
					old,
					AnchoredRecord { status: RecordStatus::Superseded, ..record },
				);
			}
			Anchors::<T>::insert(
				health_id,
				content_hash,
				AnchoredRecord { hospital: hospital.clone(), category, status: RecordStatus::Live },
			);
			let entry = RecordEntry {
				hospital,
				op: RecordOp::Anchor { category, content_hash, size, supersedes },
				at: pallet_consent::Pallet::<T>::now(),
			};
			let (index, head) = Self::append(&health_id, &entry);
			Self::deposit_event(Event::RecordAnchored { health_id, index, entry, head });
			Ok(())
		}

		/// Revoke a record the signer's hospital anchored (live or superseded); the patient
		/// need not be enrolled any more (erasure after withdrawal).
		///
		/// Origin: a gateway of the active hospital that anchored the record. Errors:
		/// `NotAGateway`, `UnknownHealthId`, `UnknownRecord`, `NotOwnRecord`,
		/// `AlreadyRevoked`. Event: `RecordRevoked`.
		#[pallet::call_index(1)]
		#[pallet::weight(<T as Config>::WeightInfo::revoke())]
		pub fn revoke(
			origin: OriginFor<T>,
			health_id: HealthId,
			content_hash: H256,
			reason: RevocationReason,
		) -> DispatchResult {
			let (_, hospital) = pallet_participants::Pallet::<T>::ensure_active_gateway(origin)
				.map_err(|_| Error::<T>::NotAGateway)?;
			ensure!(
				pallet_health_id::HealthIds::<T>::contains_key(health_id),
				Error::<T>::UnknownHealthId
			);
			let record = Self::own_record(&health_id, &content_hash, &hospital)?;
			ensure!(record.status != RecordStatus::Revoked, Error::<T>::AlreadyRevoked);
			Anchors::<T>::insert(
				health_id,
				content_hash,
				AnchoredRecord { status: RecordStatus::Revoked, ..record },
			);
			let entry = RecordEntry {
				hospital,
				op: RecordOp::Revoke { content_hash, reason },
				at: pallet_consent::Pallet::<T>::now(),
			};
			let (index, head) = Self::append(&health_id, &entry);
			Self::deposit_event(Event::RecordRevoked { health_id, index, entry, head });
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		/// The record `content_hash` anchored for `health_id`, if `hospital` anchored it.
		fn own_record(
			health_id: &HealthId,
			content_hash: &H256,
			hospital: &healthchain_primitives::HospitalCode,
		) -> Result<AnchoredRecord, DispatchError> {
			let record =
				Anchors::<T>::get(health_id, content_hash).ok_or(Error::<T>::UnknownRecord)?;
			ensure!(&record.hospital == hospital, Error::<T>::NotOwnRecord);
			Ok(record)
		}

		/// The category of `content_hash` if it is a live record of `health_id`: what an
		/// attestation may name (the access-log pallet asks it for every record).
		pub fn live_record(health_id: &HealthId, content_hash: &H256) -> Option<DataCategory> {
			Anchors::<T>::get(health_id, content_hash)
				.filter(|r| r.status == RecordStatus::Live)
				.map(|r| r.category)
		}

		/// Appends to the patient's log and offchain index; returns (index, new head).
		fn append(health_id: &HealthId, entry: &RecordEntry) -> (u64, H256) {
			let prev = RecordLogs::<T>::get(health_id);
			let block = frame_system::Pallet::<T>::block_number().saturated_into::<u32>();
			let next = append_and_index(LOG, health_id, &prev, block, entry);
			RecordLogs::<T>::insert(health_id, next);
			(prev.count, next.head)
		}

		fn refusal_to_error(r: SourceRefusal) -> DispatchError {
			match r {
				SourceRefusal::UnknownPatient => Error::<T>::UnknownHealthId,
				SourceRefusal::PatientDeactivated => Error::<T>::HealthIdDeactivated,
				SourceRefusal::NotEnrolled => Error::<T>::NotEnrolled,
				SourceRefusal::Withdrawn => Error::<T>::Withdrawn,
				SourceRefusal::UnknownHospital | SourceRefusal::HospitalSuspended => {
					Error::<T>::NotAGateway
				},
				SourceRefusal::NotSelected => Error::<T>::NotASource,
			}
			.into()
		}
	}
}
