//! # Validator set
//!
//! The operators' validators. The council adds and removes validators by motion; changes take
//! effect at the next session boundary through `pallet_session`, which hands the new set's
//! Aura and GRANDPA keys to consensus, so no node restarts. Each validator registers its
//! session keys with the standard `author_rotateKeys` RPC and `session.setKeys` call.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;

#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
pub mod weights;

pub use weights::WeightInfo;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::vec::Vec;
	use frame_support::pallet_prelude::*;
	use frame_system::pallet_prelude::*;

	/// Configuration of the validator-set pallet.
	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The overarching event type.
		#[allow(deprecated)]
		type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;

		/// Who changes the validator set: a council majority (or root) in the runtime.
		type AdminOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Maximum validators.
		#[pallet::constant]
		type MaxValidators: Get<u32>;

		/// Minimum validators kept (GRANDPA needs a majority of them online).
		#[pallet::constant]
		type MinValidators: Get<u32>;

		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;
	}

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	/// The validators from the next session on.
	#[pallet::storage]
	pub type Validators<T: Config> =
		StorageValue<_, BoundedVec<T::AccountId, T::MaxValidators>, ValueQuery>;

	/// Whether the set changed since the last session began.
	#[pallet::storage]
	pub type Changed<T: Config> = StorageValue<_, bool, ValueQuery>;

	/// Events of the validator-set pallet.
	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A validator joins from the next session.
		ValidatorAdded {
			/// The validator's account.
			validator: T::AccountId,
		},
		/// A validator leaves from the next session.
		ValidatorRemoved {
			/// The validator's account.
			validator: T::AccountId,
		},
		/// A new session began with this validator set.
		SessionValidators {
			/// Session index.
			session: u32,
			/// Its validators.
			validators: Vec<T::AccountId>,
		},
	}

	/// Errors of the validator-set pallet.
	#[pallet::error]
	pub enum Error<T> {
		/// Already a validator.
		AlreadyValidator,
		/// Not a validator.
		NotValidator,
		/// The set is full.
		TooManyValidators,
		/// The set would fall below the minimum.
		TooFewValidators,
	}

	/// Genesis validators.
	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The initial validators (their keys go in the session pallet's genesis).
		pub validators: Vec<T::AccountId>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			let set: BoundedVec<_, T::MaxValidators> = self
				.validators
				.clone()
				.try_into()
				.expect("genesis validators within MaxValidators");
			Validators::<T>::put(set);
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Add a validator from the next session. Needs `AdminOrigin` (a council motion).
		/// The validator must have set its session keys (`session.setKeys`) to author.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::add_validator())]
		pub fn add_validator(origin: OriginFor<T>, validator: T::AccountId) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Validators::<T>::try_mutate(|set| -> DispatchResult {
				ensure!(!set.contains(&validator), Error::<T>::AlreadyValidator);
				set.try_push(validator.clone()).map_err(|_| Error::<T>::TooManyValidators)?;
				Ok(())
			})?;
			Changed::<T>::put(true);
			Self::deposit_event(Event::ValidatorAdded { validator });
			Ok(())
		}

		/// Remove a validator from the next session. Needs `AdminOrigin` (a council motion).
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::remove_validator())]
		pub fn remove_validator(origin: OriginFor<T>, validator: T::AccountId) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Validators::<T>::try_mutate(|set| -> DispatchResult {
				let pos =
					set.iter().position(|v| v == &validator).ok_or(Error::<T>::NotValidator)?;
				ensure!(set.len() as u32 > T::MinValidators::get(), Error::<T>::TooFewValidators);
				set.remove(pos);
				Ok(())
			})?;
			Changed::<T>::put(true);
			Self::deposit_event(Event::ValidatorRemoved { validator });
			Ok(())
		}
	}

	impl<T: Config> pallet_session::SessionManager<T::AccountId> for Pallet<T> {
		fn new_session(index: u32) -> Option<Vec<T::AccountId>> {
			// Session 0 and 1 take the genesis keys; afterwards hand over the set when changed.
			if index <= 1 || !Changed::<T>::take() {
				return None;
			}
			let validators = Validators::<T>::get().into_inner();
			Self::deposit_event(Event::SessionValidators {
				session: index,
				validators: validators.clone(),
			});
			Some(validators)
		}
		fn end_session(_: u32) {}
		fn start_session(_: u32) {}
	}
}
