//! # Health IDs
//!
//! A patient is a [`HealthId`]: a 32-byte keyed hash (BLAKE2b-256 keyed with the network lookup
//! secret) of their normalised identity document, computed off chain by a registrar with
//! [`healthchain_primitives::document`]. The chain never sees a name or a document number.
//!
//! Only registrars (identity-verification points admitted by the operators) register health
//! IDs, after verifying the person in person or by bank KYC and attesting that they are 18 or
//! older. A health ID has either a controller key (the patient's wallet), which then passes
//! the permission gate and signs consent decisions, or is `Assisted`: the patient has no
//! smartphone and a hospital gateway acts for them in person. A registrar rebinds the key after
//! re-verification (lost phone) and deactivates health IDs (death, duplicate).

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

/// The patients' controller keys, for the permission gate
/// (`pallet_participants::Config::PatientControllers`).
pub struct PatientControllerKeys<T>(core::marker::PhantomData<T>);
impl<T: Config> frame_support::traits::Contains<T::AccountId> for PatientControllerKeys<T> {
	fn contains(who: &T::AccountId) -> bool {
		Controllers::<T>::contains_key(who)
	}
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::pallet_prelude::*;
	use frame_system::pallet_prelude::*;
	use healthchain_primitives::{DocumentKind, HealthId};

	/// A health ID record as stored for this runtime.
	pub type HealthIdRecordOf<T> =
		HealthIdRecord<<T as frame_system::Config>::AccountId, BlockNumberFor<T>>;

	/// Configuration of the health-id pallet.
	#[pallet::config]
	pub trait Config: frame_system::Config + pallet_participants::Config {
		/// The overarching event type.
		#[allow(deprecated)]
		type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;

		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;
	}

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	/// Registered health IDs.
	#[pallet::storage]
	pub type HealthIds<T: Config> =
		StorageMap<_, Blake2_128Concat, HealthId, HealthIdRecordOf<T>, OptionQuery>;

	/// The health ID each controller key signs for. Controllers pass the permission gate.
	#[pallet::storage]
	pub type Controllers<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, HealthId, OptionQuery>;

	/// Genesis health IDs, for development and test networks.
	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Health IDs: id, document kind, controller, registering registrar.
		pub health_ids: alloc::vec::Vec<GenesisHealthId<T::AccountId>>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			for (id, document, controller, registrar) in &self.health_ids {
				assert!(!HealthIds::<T>::contains_key(id), "duplicate genesis health ID");
				Pallet::<T>::bind(controller, *id).expect("genesis controllers are unique");
				HealthIds::<T>::insert(
					id,
					HealthIdRecord {
						controller: controller.clone(),
						document: *document,
						status: HealthIdStatus::Active,
						registered_by: registrar.clone(),
						registered_at: Default::default(),
					},
				);
			}
		}
	}

	/// Events of the health-id pallet.
	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A registrar registered a health ID.
		Registered {
			/// The new health ID.
			health_id: HealthId,
			/// The kind of document it was derived from.
			document: DocumentKind,
			/// Whether the patient is served in person (no controller key).
			assisted: bool,
			/// The registrar.
			registrar: T::AccountId,
		},
		/// A registrar bound a health ID to a new controller after re-verification.
		ControllerRebound {
			/// The health ID.
			health_id: HealthId,
			/// Whether the patient is now served in person.
			assisted: bool,
			/// The registrar.
			registrar: T::AccountId,
		},
		/// A registrar deactivated a health ID.
		Deactivated {
			/// The health ID.
			health_id: HealthId,
			/// Why.
			reason: DeactivationReason,
			/// The registrar.
			registrar: T::AccountId,
		},
	}

	/// Errors of the health-id pallet.
	#[pallet::error]
	pub enum Error<T> {
		/// The signer is not a registrar.
		NotRegistrar,
		/// This health ID is already registered.
		AlreadyRegistered,
		/// The registrar did not attest that the person is 18 or older; only adults may join.
		NotAdult,
		/// The controller key already controls a health ID or holds a participant role.
		ControllerInUse,
		/// No such health ID.
		UnknownHealthId,
		/// The health ID is deactivated.
		HealthIdDeactivated,
		/// The new controller is the current one.
		SameController,
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Register a patient's health ID. Signed by a registrar that verified the identity
		/// document in person or by bank KYC and attests that the person is 18 or older.
		#[pallet::call_index(0)]
		#[pallet::weight(<T as Config>::WeightInfo::register())]
		pub fn register(
			origin: OriginFor<T>,
			health_id: HealthId,
			document: DocumentKind,
			adult_attested: bool,
			controller: Controller<T::AccountId>,
		) -> DispatchResult {
			let registrar = Self::ensure_registrar(origin)?;
			ensure!(adult_attested, Error::<T>::NotAdult);
			ensure!(!HealthIds::<T>::contains_key(health_id), Error::<T>::AlreadyRegistered);
			Self::bind(&controller, health_id)?;
			HealthIds::<T>::insert(
				health_id,
				HealthIdRecord {
					controller: controller.clone(),
					document,
					status: HealthIdStatus::Active,
					registered_by: registrar.clone(),
					registered_at: frame_system::Pallet::<T>::block_number(),
				},
			);
			Self::deposit_event(Event::Registered {
				health_id,
				document,
				assisted: controller == Controller::Assisted,
				registrar,
			});
			Ok(())
		}

		/// Bind a health ID to a new controller (or to assisted service) after the registrar
		/// re-verified the person, e.g. after a lost phone. The old key loses all rights.
		#[pallet::call_index(1)]
		#[pallet::weight(<T as Config>::WeightInfo::rebind_controller())]
		pub fn rebind_controller(
			origin: OriginFor<T>,
			health_id: HealthId,
			controller: Controller<T::AccountId>,
		) -> DispatchResult {
			let registrar = Self::ensure_registrar(origin)?;
			let mut record = HealthIds::<T>::get(health_id).ok_or(Error::<T>::UnknownHealthId)?;
			ensure!(record.status == HealthIdStatus::Active, Error::<T>::HealthIdDeactivated);
			ensure!(record.controller != controller, Error::<T>::SameController);
			Self::bind(&controller, health_id)?;
			Self::unbind(&record.controller);
			record.controller = controller.clone();
			HealthIds::<T>::insert(health_id, record);
			Self::deposit_event(Event::ControllerRebound {
				health_id,
				assisted: controller == Controller::Assisted,
				registrar,
			});
			Ok(())
		}

		/// Deactivate a health ID for good (death, duplicate). Its controller key loses all
		/// rights and no access to it is permitted any more.
		#[pallet::call_index(2)]
		#[pallet::weight(<T as Config>::WeightInfo::deactivate())]
		pub fn deactivate(
			origin: OriginFor<T>,
			health_id: HealthId,
			reason: DeactivationReason,
		) -> DispatchResult {
			let registrar = Self::ensure_registrar(origin)?;
			let mut record = HealthIds::<T>::get(health_id).ok_or(Error::<T>::UnknownHealthId)?;
			ensure!(record.status == HealthIdStatus::Active, Error::<T>::HealthIdDeactivated);
			Self::unbind(&record.controller);
			record.status = HealthIdStatus::Deactivated(reason);
			HealthIds::<T>::insert(health_id, record);
			Self::deposit_event(Event::Deactivated { health_id, reason, registrar });
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		fn ensure_registrar(origin: OriginFor<T>) -> Result<T::AccountId, DispatchError> {
			let who = ensure_signed(origin)?;
			ensure!(pallet_participants::Pallet::<T>::is_registrar(&who), Error::<T>::NotRegistrar);
			Ok(who)
		}

		/// Makes `controller` sign for `health_id` (a key gets a provider reference).
		fn bind(controller: &Controller<T::AccountId>, health_id: HealthId) -> DispatchResult {
			if let Controller::Key(key) = controller {
				ensure!(
					!Controllers::<T>::contains_key(key)
						&& !pallet_participants::Pallet::<T>::has_role(key),
					Error::<T>::ControllerInUse
				);
				Controllers::<T>::insert(key, health_id);
				frame_system::Pallet::<T>::inc_providers(key);
			}
			Ok(())
		}

		/// Takes signing rights (and the provider reference) from a controller key.
		fn unbind(controller: &Controller<T::AccountId>) {
			if let Controller::Key(key) = controller {
				if Controllers::<T>::take(key).is_some() {
					// Failing to drop the reference only leaves the account alive.
					let _ = frame_system::Pallet::<T>::dec_providers(key);
				}
			}
		}

		/// The health ID `who` controls, if any.
		pub fn health_id_of_controller(who: &T::AccountId) -> Option<HealthId> {
			Controllers::<T>::get(who)
		}

		/// Whether `who` is the controller key of an active health ID.
		pub fn is_patient_controller(who: &T::AccountId) -> bool {
			Controllers::<T>::contains_key(who)
		}

		/// A health ID, for the `HealthApi` runtime API.
		pub fn view(
			health_id: &HealthId,
		) -> Option<healthchain_primitives::views::HealthIdView<T::AccountId>> {
			HealthIds::<T>::get(health_id).map(|r| healthchain_primitives::views::HealthIdView {
				document: r.document,
				controller: match r.controller {
					Controller::Key(k) => Some(k),
					Controller::Assisted => None,
				},
				active: r.status == HealthIdStatus::Active,
			})
		}

		/// The active record of `health_id`, or why there is none.
		pub fn active_record(
			health_id: &HealthId,
		) -> Result<HealthIdRecordOf<T>, healthchain_primitives::DenyReason> {
			let record = HealthIds::<T>::get(health_id)
				.ok_or(healthchain_primitives::DenyReason::UnknownPatient)?;
			if record.status != HealthIdStatus::Active {
				return Err(healthchain_primitives::DenyReason::PatientDeactivated);
			}
			Ok(record)
		}
	}
}
