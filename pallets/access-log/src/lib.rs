//! # Access log
//!
//! Every access to a patient's data is attested on chain by the gateway of the hospital where
//! the doctor treats: the categories looked at, the records served (their content hashes), the
//! purpose, and what the access rested on. The runtime runs the one consent decision,
//! [`pallet_consent::Pallet::decide`], and refuses the attestation unless it permits; the
//! grant or emergency access the permit rests on is recorded in the entry.
//!
//! State keeps per patient only a [`LogHead`] `(count, head)`; every entry is in the
//! `AccessAttested` events and in each node's offchain index, served by `health_accessLog`,
//! so patients and auditors can see who accessed what and verify the log is complete.

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
	use healthchain_primitives::{
		categories_from, logs::append_and_index, Categories, Decision, DenyReason, HealthId,
		LicenceNumber, Purpose,
	};
	use sp_core::H256;
	use sp_runtime::SaturatedConversion;

	/// Configuration of the access-log pallet.
	#[pallet::config]
	pub trait Config: frame_system::Config + pallet_consent::Config {
		/// The overarching event type.
		#[allow(deprecated)]
		type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;

		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;
	}

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	/// Each patient's access log: entry count and hash-chain head.
	#[pallet::storage]
	pub type AccessLogs<T: Config> = StorageMap<_, Blake2_128Concat, HealthId, LogHead, ValueQuery>;

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
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Attest that `practitioner`, treating at the signer's hospital, accessed
		/// `health_id`'s `categories` by fetching `records`, for `purpose`. Refused unless the
		/// consent decision permits it at this block's time.
		#[pallet::call_index(0)]
		#[pallet::weight(<T as Config>::WeightInfo::attest(records.len() as u32))]
		pub fn attest(
			origin: OriginFor<T>,
			health_id: HealthId,
			practitioner: LicenceNumber,
			categories: Categories,
			records: RecordHashes,
			purpose: Purpose,
		) -> DispatchResult {
			let (_, hospital) = pallet_participants::Pallet::<T>::ensure_active_gateway(origin)
				.map_err(|_| Error::<T>::NotAGateway)?;
			ensure!(!records.is_empty(), Error::<T>::NoRecords);
			for (i, r) in records.iter().enumerate() {
				ensure!(!records[..i].contains(r), Error::<T>::DuplicateRecord);
			}
			let now = pallet_consent::Pallet::<T>::now();
			let basis = match pallet_consent::Pallet::<T>::decide(
				&practitioner,
				&hospital,
				&health_id,
				&categories,
				purpose,
				now,
			) {
				Decision::Permit(basis) => basis,
				Decision::NeedsRequest => return Err(Error::<T>::ConsentRequestNeeded.into()),
				Decision::Deny(reason) => return Err(Error::<T>::AccessDenied(reason).into()),
			};
			let entry = AccessEntry {
				basis: pallet_consent::Pallet::<T>::basis_reference(
					&practitioner,
					&hospital,
					&health_id,
					basis,
				),
				hospital,
				practitioner,
				categories: categories_from(&categories),
				records,
				purpose,
				at: now,
			};
			let prev = AccessLogs::<T>::get(health_id);
			let block = frame_system::Pallet::<T>::block_number().saturated_into::<u32>();
			let next = append_and_index(LOG, &health_id, &prev, block, &entry);
			AccessLogs::<T>::insert(health_id, next);
			Self::deposit_event(Event::AccessAttested {
				health_id,
				index: prev.count,
				entry,
				head: next.head,
			});
			Ok(())
		}
	}
}
