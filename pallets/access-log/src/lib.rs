//! # Access log
//!
//! Every access to a patient's data is attested on chain by the gateway of the hospital where
//! the doctor treats: the categories looked at, the records served (their content hashes), the
//! purpose, and what the access rested on. The runtime runs the one consent decision,
//! [`pallet_consent::Pallet::decide`], and refuses the attestation unless it permits; the
//! grant or emergency access the permit rests on is recorded in the entry.
//!
//! State keeps per patient only a [`LogHead`] `(count, head)`, in the patient's consent
//! record (`pallet_consent::ConsentRecord::access_log`), which the consent decision reads for
//! every access anyway; every entry is in the `AccessAttested` events and in each node's
//! offchain index, served by `health_accessLog`, so patients and auditors can see who accessed
//! what and verify the log is complete.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;

#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
pub mod migrations;
pub mod types;
pub mod weights;

pub use types::*;
pub use weights::WeightInfo;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::pallet_prelude::*;
	use frame_system::pallet_prelude::*;
	use healthchain_primitives::{
		categories_from,
		logs::{append_and_index, AccessAttestation, AttestRefusal, LogHead},
		Categories, Decision, DenyReason, HealthId, HospitalCode, LicenceNumber, Purpose,
	};
	use sp_core::H256;
	use sp_runtime::SaturatedConversion;

	/// Configuration of the access-log pallet.
	#[pallet::config]
	pub trait Config:
		frame_system::Config + pallet_consent::Config + pallet_records::Config
	{
		/// The overarching event type.
		#[allow(deprecated)]
		type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;

		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;

		/// The most accesses one `attest_batch` may carry.
		#[pallet::constant]
		type MaxBatch: Get<u32>;
	}

	/// The pallet's storage version.
	///
	/// - 0: up to spec 105, each patient's log head in the pallet's own `AccessLogs` map.
	/// - 1: the head is in the patient's consent record; [`crate::migrations::v1`] moved it.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Events of the access-log pallet: together they are the full access log.
	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A hospital attested an access that the consent decision permitted.
		AccessAttested {
			/// The patient.
			health_id: HealthId,
			/// Position in the patient's access log.
			index: u64,
			/// The log entry.
			entry: AccessEntry,
			/// The log head after it.
			head: H256,
		},
		/// One access of an `attest_batch` was not attested, for the reason given; the other
		/// accesses of the batch are unaffected.
		AttestationRefused {
			/// Its position in the batch.
			index: u32,
			/// The patient it named.
			health_id: HealthId,
			/// Why.
			reason: AttestRefusal,
		},
	}

	/// Errors of the access-log pallet.
	#[pallet::error]
	pub enum Error<T> {
		/// The signer is not a gateway of an active hospital.
		NotAGateway,
		/// The consent decision denies this access, for the reason given.
		AccessDenied(DenyReason),
		/// The hospital asks per-request consent and no unexpired grant covers this access.
		ConsentRequestNeeded,
		/// An attestation must name at least one record.
		NoRecords,
		/// A record hash is named twice.
		DuplicateRecord,
		/// A named record is not live in the patient's record log (never anchored for the
		/// patient, superseded or revoked).
		RecordNotLive,
		/// A named record's category is not among the categories asked for.
		RecordOutsideCategories,
		/// A batch must carry at least one access.
		EmptyBatch,
	}

	impl<T> From<AttestRefusal> for Error<T> {
		fn from(r: AttestRefusal) -> Self {
			match r {
				AttestRefusal::AccessDenied(reason) => Error::AccessDenied(reason),
				AttestRefusal::ConsentRequestNeeded => Error::ConsentRequestNeeded,
				AttestRefusal::NoRecords => Error::NoRecords,
				AttestRefusal::DuplicateRecord => Error::DuplicateRecord,
				AttestRefusal::RecordNotLive => Error::RecordNotLive,
				AttestRefusal::RecordOutsideCategories => Error::RecordOutsideCategories,
			}
		}
	}

	impl<T> Error<T> {
		/// The refusal this error reports for an access (the inverse of the `From` above),
		/// or `None` for an error of the signer or the batch.
		pub fn refusal(&self) -> Option<AttestRefusal> {
			Some(match self {
				Error::AccessDenied(reason) => AttestRefusal::AccessDenied(*reason),
				Error::ConsentRequestNeeded => AttestRefusal::ConsentRequestNeeded,
				Error::NoRecords => AttestRefusal::NoRecords,
				Error::DuplicateRecord => AttestRefusal::DuplicateRecord,
				Error::RecordNotLive => AttestRefusal::RecordNotLive,
				Error::RecordOutsideCategories => AttestRefusal::RecordOutsideCategories,
				_ => return None,
			})
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Attest that `practitioner`, treating at the signer's hospital, accessed
		/// `health_id`'s `categories` by fetching `records`, for `purpose`. Refused unless the
		/// consent decision permits it at this block's time.
		///
		/// Origin: signed by a gateway of an active hospital.
		///
		/// Errors: `NotAGateway`; `NoRecords`; `DuplicateRecord`; `AccessDenied` with the
		/// decision's reason; `ConsentRequestNeeded`.
		///
		/// Emits `AccessAttested`. Weight: the benchmarked worst case; the grant read is
		/// refunded when the access rests on the patient's enrolment.
		#[pallet::call_index(0)]
		#[pallet::weight(Pallet::<T>::attest_weight(records.len() as u32, *purpose))]
		pub fn attest(
			origin: OriginFor<T>,
			health_id: HealthId,
			practitioner: LicenceNumber,
			categories: Categories,
			records: RecordHashes,
			purpose: Purpose,
		) -> DispatchResultWithPostInfo {
			let weight = Self::attest_weight(records.len() as u32, purpose);
			let (_, hospital) = pallet_participants::Pallet::<T>::ensure_active_gateway(origin)
				.map_err(|_| Error::<T>::NotAGateway)?;
			let access =
				AccessAttestation { health_id, practitioner, categories, records, purpose };
			let now = pallet_consent::Pallet::<T>::now();
			let entry = Self::permitted_entry(&hospital, access, now).map_err(Error::<T>::from)?;
			let unused = Self::unread(&entry.basis);
			Self::append(health_id, entry);
			Ok(Some(weight.saturating_sub(unused)).into())
		}

		/// Attest many accesses at once, each exactly as `attest` would: each is decided on
		/// its own, a permitted one is appended to its patient's log with the entry a single
		/// attestation would make, and a refused one is reported and skipped. The batch
		/// succeeds when the signer may attest, whatever its accesses' outcomes.
		///
		/// Origin: signed by a gateway of an active hospital.
		///
		/// Errors: `NotAGateway`; `EmptyBatch`. An access's own refusal (`AttestRefusal`) is
		/// not an error of the call.
		///
		/// Emits `AccessAttested` for each permitted access and `AttestationRefused` (with its
		/// position and the reason) for each refused one, in the batch's order. Weight: as
		/// `attest`, access by access, with the same refunds.
		#[pallet::call_index(1)]
		#[pallet::weight(Pallet::<T>::batch_weight(accesses))]
		pub fn attest_batch(
			origin: OriginFor<T>,
			accesses: BoundedVec<AccessAttestation, T::MaxBatch>,
		) -> DispatchResultWithPostInfo {
			let weight = Self::batch_weight(&accesses);
			let (_, hospital) = pallet_participants::Pallet::<T>::ensure_active_gateway(origin)
				.map_err(|_| Error::<T>::NotAGateway)?;
			ensure!(!accesses.is_empty(), Error::<T>::EmptyBatch);
			let now = pallet_consent::Pallet::<T>::now();
			let mut unused = Weight::zero();
			for (index, access) in accesses.into_iter().enumerate() {
				let health_id = access.health_id;
				match Self::permitted_entry(&hospital, access, now) {
					Ok(entry) => {
						unused.saturating_accrue(Self::unread(&entry.basis));
						Self::append(health_id, entry)
					},
					Err(reason) => Self::deposit_event(Event::AttestationRefused {
						index: index as u32,
						health_id,
						reason,
					}),
				}
			}
			Ok(Some(weight.saturating_sub(unused)).into())
		}
	}

	impl<T: Config> Pallet<T> {
		/// The weight of an `attest` of `records` records for `purpose`: the benchmarked
		/// worst case (a per-request hospital's grant read) and, for an emergency, the second
		/// read an emergency permit makes (the access and the patient's open one).
		pub fn attest_weight(records: u32, purpose: Purpose) -> Weight {
			<T as Config>::WeightInfo::attest(records).saturating_add(Self::emergency_read(purpose))
		}

		/// The weight of an `attest_batch` of `accesses`: the benchmarked batch of as many
		/// one-record accesses, plus each further record at `attest`'s benchmarked cost of a
		/// record, plus an emergency's second read for each emergency access.
		pub fn batch_weight(accesses: &[AccessAttestation]) -> Weight {
			let further: u32 = accesses
				.iter()
				.map(|a| (a.records.len() as u32).saturating_sub(1))
				.fold(0, u32::saturating_add);
			let per_record = <T as Config>::WeightInfo::attest(2)
				.saturating_sub(<T as Config>::WeightInfo::attest(1));
			let emergencies = accesses
				.iter()
				.map(|a| Self::emergency_read(a.purpose))
				.fold(Weight::zero(), Weight::saturating_add);
			<T as Config>::WeightInfo::attest_batch(accesses.len() as u32)
				.saturating_add(per_record.saturating_mul(further.into()))
				.saturating_add(emergencies)
		}

		/// The read an emergency permit makes beyond the benchmarked grant lookup.
		fn emergency_read(purpose: Purpose) -> Weight {
			match purpose {
				Purpose::Emergency => T::DbWeight::get().reads(1),
				_ => Weight::zero(),
			}
		}

		/// The weight charged for an access and not used: an access resting on the patient's
		/// enrolment (a one-time-consent hospital) reads no grant.
		fn unread(basis: &AccessBasis) -> Weight {
			match basis {
				AccessBasis::Enrolment => T::DbWeight::get().reads(1),
				_ => Weight::zero(),
			}
		}

		/// The log entry of `access` attested by `hospital`'s gateway at `now`, if the
		/// access names its records well and the consent decision permits it.
		pub fn permitted_entry(
			hospital: &HospitalCode,
			access: AccessAttestation,
			now: healthchain_primitives::Moment,
		) -> Result<AccessEntry, AttestRefusal> {
			let AccessAttestation { health_id, practitioner, categories, records, purpose } =
				access;
			if records.is_empty() {
				return Err(AttestRefusal::NoRecords);
			}
			for (i, r) in records.iter().enumerate() {
				if records[..i].contains(r) {
					return Err(AttestRefusal::DuplicateRecord);
				}
			}
			let basis = match pallet_consent::Pallet::<T>::decide(
				&practitioner,
				hospital,
				&health_id,
				&categories,
				purpose,
				now,
			) {
				Decision::Permit(basis) => basis,
				Decision::NeedsRequest => return Err(AttestRefusal::ConsentRequestNeeded),
				Decision::Deny(reason) => return Err(AttestRefusal::AccessDenied(reason)),
			};
			// Every named record is live in the patient's record log, and of a category the
			// access asks for: an attestation never names a record it could not be served.
			for r in records.iter() {
				match pallet_records::Pallet::<T>::live_record(&health_id, r) {
					None => return Err(AttestRefusal::RecordNotLive),
					Some(category) if !categories.contains(&category) => {
						return Err(AttestRefusal::RecordOutsideCategories)
					},
					Some(_) => {},
				}
			}
			Ok(AccessEntry {
				basis: pallet_consent::Pallet::<T>::basis_reference(
					&practitioner,
					hospital,
					&health_id,
					basis,
				),
				hospital: hospital.clone(),
				practitioner,
				categories: categories_from(&categories),
				records,
				purpose,
				at: now,
			})
		}

		/// The head of `health_id`'s access log.
		pub fn head(health_id: &HealthId) -> LogHead {
			pallet_consent::Pallet::<T>::access_log_head(health_id)
		}

		/// Appends `entry` to `health_id`'s log (the head in their consent record, the offchain
		/// index) and emits it. The consent decision permitted the entry, so the patient has a
		/// consent record; were it missing, nothing is written or emitted.
		fn append(health_id: HealthId, entry: AccessEntry) {
			let block = frame_system::Pallet::<T>::block_number().saturated_into::<u32>();
			let appended = pallet_consent::Pallet::<T>::append_access_log(&health_id, |prev| {
				append_and_index(LOG, &health_id, prev, block, &entry)
			});
			let Some((prev, next)) = appended else {
				frame_support::defensive!("a permitted access names a patient without consent");
				return;
			};
			Self::deposit_event(Event::AccessAttested {
				health_id,
				index: prev.count,
				entry,
				head: next.head,
			});
		}
	}
}
