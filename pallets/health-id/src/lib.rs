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
//! smartphone and a hospital gateway acts for them in person.
//!
//! ## How far a registrar reaches
//!
//! A registrar's word alone does not take a patient's health ID away at once.
//!
//! - **Rebinding the controller is delayed.** After re-verifying the person (a lost phone), a
//!   registrar calls [`Pallet::rebind_controller`], which only schedules the new controller in
//!   [`PendingRebinds`]. It takes effect once [`Config::RebindDelay`] blocks have passed (a day
//!   on the production chain), when any registrar calls [`Pallet::complete_rebind`]. Until then
//!   the current key keeps all its rights and can cancel the rebind
//!   ([`Pallet::cancel_rebind`]), so a deceived or dishonest registrar cannot silently take over
//!   a patient's consent decisions; any registrar can cancel it too (a mistaken request). The
//!   current key can instead apply it at once with its own signature
//!   ([`Pallet::confirm_rebind`]), e.g. when moving to a new phone while still holding the old
//!   one. A health ID has at most one pending rebind: a new request replaces the older one. The
//!   delay also applies to an assisted health ID, which has no key to cancel with. When the
//!   rebind is applied, the health ID must still be active and the new key still unused.
//! - **A contested rebind goes to governance.** Keys live on phones, and phones get stolen: a
//!   thief holding the key could cancel every rebind the registrar schedules after the patient
//!   reports the phone lost. So when the current key cancels a rebind, the block is recorded
//!   in [`KeyCancelledRebind`], and a rebind scheduled within [`Config::ContestWindow`] blocks
//!   of it (or one replacing a contested pending rebind) is **contested**: the key can no
//!   longer cancel it ([`Error::RebindContested`]) and it does not complete on the delay alone
//!   ([`Error::AwaitingGovernance`]). `AdminOrigin` decides: [`Pallet::approve_rebind`]
//!   applies it at once (naming the controller it approves), [`Pallet::reject_rebind`] drops
//!   it; only the registrar that scheduled it may still withdraw it. The key may still confirm
//!   it. A thief can therefore block one rebind only (if the registrar reschedules within the
//!   window), and within the window a dishonest registrar cannot override a patient's
//!   cancellation without governance either.
//! - **Deactivation can be undone by governance.** A registrar deactivates a health ID (death,
//!   duplicate): its key loses all rights and any pending rebind is dropped. `AdminOrigin` (the
//!   operators' council) can [`Pallet::reactivate`] it; it comes back as assisted, and a
//!   registrar then binds a key through the delayed rebind.
//! - **One person, one health ID.** A person's later documents (a renewed passport, a migrant's
//!   pink card after their passport) are linked to their existing health ID with
//!   [`Pallet::link_document`] (at most [`Config::MaxLinkedDocuments`] per health ID) instead of
//!   enrolling the person a second time. A document is identified by the same keyed hash a
//!   health ID is made of. A linked document cannot be registered as a health ID, and a
//!   registered health ID cannot be linked as a document; [`Pallet::resolve`] maps either to
//!   the person's health ID.

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

/// The patients' controller keys, for the permission gate
/// (`pallet_participants::Config::Patients`).
pub struct PatientControllerKeys<T>(core::marker::PhantomData<T>);
impl<T: Config> pallet_participants::PatientKeys<T::AccountId> for PatientControllerKeys<T> {
	fn health_id_of(who: &T::AccountId) -> Option<healthchain_primitives::HealthId> {
		Controllers::<T>::get(who)
	}

	fn binding_key(who: &T::AccountId) -> Option<alloc::vec::Vec<u8>> {
		Some(Controllers::<T>::hashed_key_for(who))
	}

	fn is_patient_key(who: &T::AccountId) -> bool {
		Pallet::<T>::is_patient_key(who)
	}
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::pallet_prelude::*;
	use frame_system::pallet_prelude::*;
	use healthchain_primitives::{DocumentKind, HealthId};
	use sp_runtime::traits::Saturating;

	/// A health ID record as stored for this runtime.
	pub type HealthIdRecordOf<T> =
		HealthIdRecord<<T as frame_system::Config>::AccountId, BlockNumberFor<T>>;

	/// A pending controller rebind as stored for this runtime.
	pub type PendingRebindOf<T> =
		PendingRebind<<T as frame_system::Config>::AccountId, BlockNumberFor<T>>;

	/// Configuration of the health-id pallet.
	#[pallet::config]
	pub trait Config: frame_system::Config + pallet_participants::Config {
		/// The overarching event type.
		#[allow(deprecated)]
		type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;

		/// Origin that reactivates a deactivated health ID (governance: Root or a majority of
		/// the operators' council in the runtime).
		type AdminOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Blocks a controller rebind scheduled by a registrar waits before it can be
		/// completed; during them the current controller key can cancel it.
		#[pallet::constant]
		type RebindDelay: Get<BlockNumberFor<Self>>;

		/// Blocks after the current controller key cancelled a rebind during which a new
		/// rebind of the same health ID is contested: the key cannot cancel it, and it waits
		/// for `AdminOrigin` ([`Pallet::approve_rebind`]) instead of completing after
		/// `RebindDelay`.
		#[pallet::constant]
		type ContestWindow: Get<BlockNumberFor<Self>>;

		/// Most further identity documents that can be linked to one health ID.
		#[pallet::constant]
		type MaxLinkedDocuments: Get<u32>;

		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;
	}

	/// The in-code storage version of the pallet's storage layout.
	///
	/// - 0 (implicit; no version was declared): up to spec 102, [`PendingRebind`] without
	///   `contested`.
	/// - 1: [`PendingRebind`] has `contested`; [`crate::migrations::v1::MigrateV0ToV1`]
	///   upgrades the entries of [`PendingRebinds`] written by a version 0 runtime.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(2);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Registered health IDs.
	#[pallet::storage]
	pub type HealthIds<T: Config> =
		StorageMap<_, Blake2_128Concat, HealthId, HealthIdRecordOf<T>, OptionQuery>;

	/// The health ID each controller key signs for. Controllers pass the permission gate.
	#[pallet::storage]
	pub type Controllers<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, HealthId, OptionQuery>;

	/// Controller rebinds scheduled by a registrar and waiting for `RebindDelay` to pass: at
	/// most one per health ID.
	#[pallet::storage]
	pub type PendingRebinds<T: Config> =
		StorageMap<_, Blake2_128Concat, HealthId, PendingRebindOf<T>, OptionQuery>;

	/// The new key of each pending rebind to a key, with the health ID it awaits
	/// ([`PendingRebinds`] the other way round, kept in step with it). Such a key can be
	/// neither bound to another health ID nor given a participant role: one role per key.
	#[pallet::storage]
	pub type PendingKeys<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, HealthId, OptionQuery>;

	/// The block in which a health ID's current controller key last cancelled a rebind: at
	/// most one entry per health ID. A rebind scheduled less than `ContestWindow` blocks later
	/// is contested. Removed when a rebind of the health ID is applied, when governance rejects
	/// one, at deactivation, and when a rebind is scheduled after the window has passed.
	#[pallet::storage]
	pub type KeyCancelledRebind<T: Config> =
		StorageMap<_, Blake2_128Concat, HealthId, BlockNumberFor<T>, OptionQuery>;

	/// Further identity documents of a person (keyed hash of the document, derived like a
	/// health ID), each mapped to the person's health ID.
	#[pallet::storage]
	pub type LinkedDocuments<T: Config> =
		StorageMap<_, Blake2_128Concat, HealthId, HealthId, OptionQuery>;

	/// How many documents are linked to each health ID (at most `MaxLinkedDocuments`).
	#[pallet::storage]
	pub type LinkedCount<T: Config> = StorageMap<_, Blake2_128Concat, HealthId, u32, ValueQuery>;

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
		/// A scheduled controller rebind took effect: completed by a registrar after the
		/// delay, confirmed at once by the old controller key, or approved by governance. The
		/// old key lost all rights.
		ControllerRebound {
			/// The health ID.
			health_id: HealthId,
			/// Whether the patient is now served in person.
			assisted: bool,
			/// The registrar that scheduled the rebind after re-verifying the person.
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
		/// A registrar scheduled binding a health ID to a new controller. The current key
		/// keeps its rights until then and can cancel it, unless the rebind is contested.
		RebindScheduled {
			/// The health ID.
			health_id: HealthId,
			/// Whether the patient will be served in person (no controller key).
			assisted: bool,
			/// The registrar.
			registrar: T::AccountId,
			/// The first block in which the rebind can be completed (if not contested).
			effective_at: BlockNumberFor<T>,
			/// Whether the rebind is contested (the current key cancelled a rebind within
			/// `ContestWindow` blocks): the key cannot cancel it, and only governance
			/// (`approve_rebind`) or the key's own confirmation applies it.
			contested: bool,
		},
		/// A pending controller rebind was cancelled.
		RebindCancelled {
			/// The health ID.
			health_id: HealthId,
			/// Whether the current controller key cancelled it (otherwise a registrar did).
			by_patient: bool,
		},
		/// Governance approved a pending controller rebind (typically a contested one); it is
		/// applied at once (`ControllerRebound` follows).
		RebindApproved {
			/// The health ID.
			health_id: HealthId,
		},
		/// Governance rejected (dropped) a pending controller rebind; the current key keeps its
		/// rights and the record of its earlier cancellation is cleared.
		RebindRejected {
			/// The health ID.
			health_id: HealthId,
		},
		/// Governance reactivated a deactivated health ID; it is served in person until a
		/// registrar binds a key.
		Reactivated {
			/// The health ID.
			health_id: HealthId,
		},
		/// A registrar linked a further identity document of the person to their health ID.
		DocumentLinked {
			/// The person's health ID.
			health_id: HealthId,
			/// The kind of the linked document.
			kind: DocumentKind,
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
		/// The health ID has no pending controller rebind.
		NoPendingRebind,
		/// The signer is not the health ID's current controller key (nor, where allowed, a
		/// registrar).
		NotController,
		/// The rebind's delay has not passed yet.
		RebindNotDue,
		/// The health ID is active; only a deactivated one can be reactivated.
		NotDeactivated,
		/// The document is already registered as a health ID or linked to one.
		DocumentInUse,
		/// The health ID already has `MaxLinkedDocuments` linked documents.
		TooManyDocuments,
		/// The rebind is contested (the current key cancelled a rebind within `ContestWindow`
		/// blocks): the key cannot cancel it; governance decides (`approve_rebind`,
		/// `reject_rebind`).
		RebindContested,
		/// The rebind is contested: it does not complete on the delay alone but waits for
		/// governance (`approve_rebind`) or the current key's confirmation (`confirm_rebind`).
		AwaitingGovernance,
		/// The pending rebind binds another controller than the one governance approved (a
		/// registrar scheduled a different rebind while the motion was open).
		NotTheApprovedRebind,
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Register a patient's health ID.
		///
		/// Origin: signed by a registrar that verified the identity document in person or by
		/// bank KYC and attests that the person is 18 or older.
		///
		/// Errors: `NotRegistrar`; `NotAdult`; `AlreadyRegistered`; `DocumentInUse` when the
		/// hash is linked as a document of a registered person (who must not be enrolled
		/// twice); `ControllerInUse` when the key controls a health ID or holds a participant
		/// role.
		///
		/// Emits `Registered`.
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
			ensure!(!LinkedDocuments::<T>::contains_key(health_id), Error::<T>::DocumentInUse);
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

		/// Schedule binding a health ID to a new controller key (or to assisted service) after
		/// the registrar re-verified the person, e.g. after a lost phone.
		///
		/// Nothing changes at once: the rebind waits in [`PendingRebinds`] for `RebindDelay`
		/// blocks and is then applied by [`Pallet::complete_rebind`]. Until then the current
		/// key keeps its rights and can cancel it ([`Pallet::cancel_rebind`]) or apply it at
		/// once ([`Pallet::confirm_rebind`]). The delay applies to an assisted health ID too.
		/// A new request replaces a pending one.
		///
		/// The rebind is contested when the current key cancelled a rebind of this health ID
		/// less than `ContestWindow` blocks ago ([`KeyCancelledRebind`]), or when it replaces a
		/// contested pending rebind: then the key cannot cancel it and it waits for governance
		/// ([`Pallet::approve_rebind`]) instead of the delay. A key's cancellation older than
		/// the window is forgotten here.
		///
		/// Origin: signed by a registrar.
		///
		/// Errors: `NotRegistrar`; `UnknownHealthId`; `HealthIdDeactivated`; `SameController`;
		/// `ControllerInUse` when the new key controls a health ID or holds a participant role.
		///
		/// Emits `RebindScheduled` (with `contested`).
		#[pallet::call_index(1)]
		#[pallet::weight(<T as Config>::WeightInfo::rebind_controller())]
		pub fn rebind_controller(
			origin: OriginFor<T>,
			health_id: HealthId,
			controller: Controller<T::AccountId>,
		) -> DispatchResult {
			let registrar = Self::ensure_registrar(origin)?;
			let record = HealthIds::<T>::get(health_id).ok_or(Error::<T>::UnknownHealthId)?;
			ensure!(record.status == HealthIdStatus::Active, Error::<T>::HealthIdDeactivated);
			ensure!(record.controller != controller, Error::<T>::SameController);
			Self::ensure_bindable(&controller, health_id)?;
			let now = frame_system::Pallet::<T>::block_number();
			let contested = Self::contested_at(health_id, now);
			let effective_at = now.saturating_add(<T as Config>::RebindDelay::get());
			let assisted = controller == Controller::Assisted;
			Self::put_pending(
				health_id,
				PendingRebind { controller, registrar: registrar.clone(), effective_at, contested },
			);
			Self::deposit_event(Event::RebindScheduled {
				health_id,
				assisted,
				registrar,
				effective_at,
				contested,
			});
			Ok(())
		}

		/// Deactivate a health ID (death, duplicate). Its controller key loses all rights, any
		/// pending controller rebind is dropped (with the record of a key's cancellation), and
		/// no access to it is permitted any more. Only governance can reactivate it
		/// ([`Pallet::reactivate`]).
		///
		/// Origin: signed by a registrar.
		///
		/// Errors: `NotRegistrar`; `UnknownHealthId`; `HealthIdDeactivated` when already
		/// deactivated.
		///
		/// Emits `Deactivated`.
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
			Self::drop_pending(health_id);
			KeyCancelledRebind::<T>::remove(health_id);
			record.status = HealthIdStatus::Deactivated(reason);
			HealthIds::<T>::insert(health_id, record);
			Self::deposit_event(Event::Deactivated { health_id, reason, registrar });
			Ok(())
		}

		/// Cancel a health ID's pending controller rebind.
		///
		/// A cancellation by the current key is recorded ([`KeyCancelledRebind`]): a rebind a
		/// registrar schedules within `ContestWindow` blocks is contested and goes to
		/// governance, so that a thief holding a stolen key blocks one rebind only. The key
		/// cannot cancel a contested rebind; governance rejects it with
		/// [`Pallet::reject_rebind`].
		///
		/// Origin: signed by the health ID's current controller key (the patient refuses a
		/// rebind they did not ask for) or by a registrar (a mistaken request); a contested
		/// rebind only by the registrar that scheduled it.
		///
		/// Errors: `NotController` when the signer is neither; `NoPendingRebind`;
		/// `RebindContested` when the rebind is contested and the signer is the key or another
		/// registrar.
		///
		/// Emits `RebindCancelled`.
		#[pallet::call_index(3)]
		#[pallet::weight(<T as Config>::WeightInfo::cancel_rebind())]
		pub fn cancel_rebind(origin: OriginFor<T>, health_id: HealthId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let by_patient = if Controllers::<T>::get(&who) == Some(health_id) {
				true
			} else if pallet_participants::Pallet::<T>::is_registrar(&who) {
				false
			} else {
				return Err(Error::<T>::NotController.into());
			};
			let pending = PendingRebinds::<T>::get(health_id).ok_or(Error::<T>::NoPendingRebind)?;
			// A contested rebind is governance's to decide; only the registrar that scheduled
			// it may still withdraw it (its own mistake), no other registrar and not the key.
			ensure!(!pending.contested || pending.registrar == who, Error::<T>::RebindContested);
			if by_patient {
				KeyCancelledRebind::<T>::insert(
					health_id,
					frame_system::Pallet::<T>::block_number(),
				);
			}
			Self::drop_pending(health_id);
			Self::deposit_event(Event::RebindCancelled { health_id, by_patient });
			Ok(())
		}

		/// Apply a health ID's pending controller rebind at once, without waiting for the
		/// delay: the current key's own signature is the evidence that the patient agrees.
		/// This applies a contested rebind too. The signing key loses all rights.
		///
		/// Origin: signed by the health ID's current controller key.
		///
		/// Errors: `NotController`; `NoPendingRebind`; `ControllerInUse` when the new key
		/// has since come to control a health ID or hold a participant role.
		///
		/// Emits `ControllerRebound` (with the registrar that scheduled the rebind).
		#[pallet::call_index(4)]
		#[pallet::weight(<T as Config>::WeightInfo::confirm_rebind())]
		pub fn confirm_rebind(origin: OriginFor<T>, health_id: HealthId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(Controllers::<T>::get(&who) == Some(health_id), Error::<T>::NotController);
			let pending = PendingRebinds::<T>::get(health_id).ok_or(Error::<T>::NoPendingRebind)?;
			Self::apply_rebind(health_id, pending)
		}

		/// Apply a health ID's pending controller rebind once its delay has passed. The old
		/// key loses all rights. A contested rebind is not applied here: governance decides it
		/// ([`Pallet::approve_rebind`]).
		///
		/// Origin: signed by any registrar.
		///
		/// Errors: `NotRegistrar`; `NoPendingRebind`; `AwaitingGovernance` when the rebind is
		/// contested; `RebindNotDue` before the rebind's `effective_at` block;
		/// `ControllerInUse` when the new key has since come to control a health ID or hold a
		/// participant role (the rebind stays pending: cancel it or schedule another).
		///
		/// Emits `ControllerRebound` (with the registrar that scheduled the rebind).
		#[pallet::call_index(5)]
		#[pallet::weight(<T as Config>::WeightInfo::complete_rebind())]
		pub fn complete_rebind(origin: OriginFor<T>, health_id: HealthId) -> DispatchResult {
			Self::ensure_registrar(origin)?;
			let pending = PendingRebinds::<T>::get(health_id).ok_or(Error::<T>::NoPendingRebind)?;
			ensure!(!pending.contested, Error::<T>::AwaitingGovernance);
			ensure!(
				frame_system::Pallet::<T>::block_number() >= pending.effective_at,
				Error::<T>::RebindNotDue
			);
			Self::apply_rebind(health_id, pending)
		}

		/// Reactivate a deactivated health ID, e.g. one deactivated by mistake or by a
		/// dishonest registrar. It comes back as assisted (its old key was unbound at
		/// deactivation); a registrar then binds a key through [`Pallet::rebind_controller`]
		/// and its delay.
		///
		/// Origin: `AdminOrigin` (governance).
		///
		/// Errors: `BadOrigin`; `UnknownHealthId`; `NotDeactivated` when the health ID is
		/// active.
		///
		/// Emits `Reactivated`.
		#[pallet::call_index(6)]
		#[pallet::weight(<T as Config>::WeightInfo::reactivate())]
		pub fn reactivate(origin: OriginFor<T>, health_id: HealthId) -> DispatchResult {
			<T as Config>::AdminOrigin::ensure_origin(origin)?;
			let mut record = HealthIds::<T>::get(health_id).ok_or(Error::<T>::UnknownHealthId)?;
			ensure!(record.status != HealthIdStatus::Active, Error::<T>::NotDeactivated);
			record.status = HealthIdStatus::Active;
			record.controller = Controller::Assisted;
			HealthIds::<T>::insert(health_id, record);
			Self::deposit_event(Event::Reactivated { health_id });
			Ok(())
		}

		/// Link a further identity document of a person (a renewed passport, a migrant's pink
		/// card after their passport) to their health ID, so that the person is not enrolled
		/// a second time. `document` is the document's keyed hash, derived like a health ID;
		/// it is stored but not put in the event.
		///
		/// Origin: signed by a registrar that verified that both documents are the person's.
		///
		/// Errors: `NotRegistrar`; `UnknownHealthId`; `HealthIdDeactivated`; `DocumentInUse`
		/// when the document is itself a registered health ID or already linked;
		/// `TooManyDocuments` when `MaxLinkedDocuments` are linked already.
		///
		/// Emits `DocumentLinked`.
		#[pallet::call_index(7)]
		#[pallet::weight(<T as Config>::WeightInfo::link_document())]
		pub fn link_document(
			origin: OriginFor<T>,
			health_id: HealthId,
			document: HealthId,
			kind: DocumentKind,
		) -> DispatchResult {
			let registrar = Self::ensure_registrar(origin)?;
			let record = HealthIds::<T>::get(health_id).ok_or(Error::<T>::UnknownHealthId)?;
			ensure!(record.status == HealthIdStatus::Active, Error::<T>::HealthIdDeactivated);
			ensure!(Self::resolve(&document).is_none(), Error::<T>::DocumentInUse);
			LinkedCount::<T>::try_mutate(health_id, |count| -> DispatchResult {
				ensure!(
					*count < <T as Config>::MaxLinkedDocuments::get(),
					Error::<T>::TooManyDocuments
				);
				*count = count.saturating_add(1);
				Ok(())
			})?;
			LinkedDocuments::<T>::insert(document, health_id);
			Self::deposit_event(Event::DocumentLinked { health_id, kind, registrar });
			Ok(())
		}

		/// Apply a health ID's pending controller rebind at once: governance's decision on a
		/// contested rebind (one the current key cannot cancel and [`Pallet::complete_rebind`]
		/// does not apply), after checking the registrar's evidence, e.g. that the patient came
		/// in person and reported the phone stolen. An uncontested rebind may be approved too.
		/// The old key loses all rights, and the record of its cancellation is cleared.
		///
		/// Origin: `AdminOrigin` (governance: Root or a council majority in the runtime).
		///
		/// `controller` is the new controller the council approves; the pending rebind must
		/// bind exactly it, so a rebind a registrar schedules in its place while the motion is
		/// open is never approved by it.
		///
		/// Errors: `BadOrigin`; `NoPendingRebind`; `NotTheApprovedRebind` when the pending
		/// rebind binds another controller; `ControllerInUse` when the new key has since come
		/// to control a health ID or hold a participant role (the rebind stays pending: reject
		/// it, or a registrar schedules another).
		///
		/// Emits `RebindApproved`, then `ControllerRebound` (with the registrar that scheduled
		/// the rebind).
		#[pallet::call_index(8)]
		#[pallet::weight(<T as Config>::WeightInfo::approve_rebind())]
		pub fn approve_rebind(
			origin: OriginFor<T>,
			health_id: HealthId,
			controller: Controller<T::AccountId>,
		) -> DispatchResult {
			<T as Config>::AdminOrigin::ensure_origin(origin)?;
			let pending = PendingRebinds::<T>::get(health_id).ok_or(Error::<T>::NoPendingRebind)?;
			// The motion names the controller it approves: a rebind scheduled in its place
			// while the council voted is not the one approved.
			ensure!(pending.controller == controller, Error::<T>::NotTheApprovedRebind);
			// Reverted with the rest of the call if the rebind cannot be applied.
			Self::deposit_event(Event::RebindApproved { health_id });
			Self::apply_rebind(health_id, pending)
		}

		/// Drop a health ID's pending controller rebind: governance's decision against a
		/// contested rebind (e.g. the key holder is the patient and the registrar's evidence
		/// does not hold). An uncontested rebind may be rejected too. The current key keeps its
		/// rights, and the record of its earlier cancellation is cleared: the next rebind is
		/// contested only if the key cancels one again.
		///
		/// Origin: `AdminOrigin` (governance: Root or a council majority in the runtime).
		///
		/// Errors: `BadOrigin`; `NoPendingRebind`.
		///
		/// Emits `RebindRejected`.
		#[pallet::call_index(9)]
		#[pallet::weight(<T as Config>::WeightInfo::reject_rebind())]
		pub fn reject_rebind(origin: OriginFor<T>, health_id: HealthId) -> DispatchResult {
			<T as Config>::AdminOrigin::ensure_origin(origin)?;
			Self::drop_pending(health_id).ok_or(Error::<T>::NoPendingRebind)?;
			KeyCancelledRebind::<T>::remove(health_id);
			Self::deposit_event(Event::RebindRejected { health_id });
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		/// The signer, if it is a registrar.
		fn ensure_registrar(origin: OriginFor<T>) -> Result<T::AccountId, DispatchError> {
			let who = ensure_signed(origin)?;
			ensure!(pallet_participants::Pallet::<T>::is_registrar(&who), Error::<T>::NotRegistrar);
			Ok(who)
		}

		/// Whether `controller` can be bound to `health_id`: a key must neither control a
		/// health ID, nor await a rebind to another one, nor hold a participant role (one role
		/// per key). Assisted service can always be bound.
		fn ensure_bindable(
			controller: &Controller<T::AccountId>,
			health_id: HealthId,
		) -> DispatchResult {
			if let Controller::Key(key) = controller {
				ensure!(
					!Controllers::<T>::contains_key(key)
						&& PendingKeys::<T>::get(key).is_none_or(|id| id == health_id)
						&& !pallet_participants::Pallet::<T>::has_role(key),
					Error::<T>::ControllerInUse
				);
			}
			Ok(())
		}

		/// Stores `pending` as `health_id`'s pending rebind, replacing any, with its key in
		/// [`PendingKeys`].
		fn put_pending(health_id: HealthId, pending: PendingRebindOf<T>) {
			Self::drop_pending(health_id);
			if let Controller::Key(key) = &pending.controller {
				PendingKeys::<T>::insert(key, health_id);
			}
			PendingRebinds::<T>::insert(health_id, pending);
		}

		/// Removes and returns `health_id`'s pending rebind, and its key from
		/// [`PendingKeys`].
		fn drop_pending(health_id: HealthId) -> Option<PendingRebindOf<T>> {
			let pending = PendingRebinds::<T>::take(health_id)?;
			if let Controller::Key(key) = &pending.controller {
				if PendingKeys::<T>::get(key) == Some(health_id) {
					PendingKeys::<T>::remove(key);
				}
			}
			Some(pending)
		}

		/// Makes `controller` sign for `health_id` (a key gets a provider reference).
		fn bind(controller: &Controller<T::AccountId>, health_id: HealthId) -> DispatchResult {
			Self::ensure_bindable(controller, health_id)?;
			if let Controller::Key(key) = controller {
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

		/// Whether a rebind of `health_id` scheduled in block `now` is contested: its current
		/// key cancelled a rebind less than `ContestWindow` blocks before, or a contested
		/// rebind is pending (and is being replaced). Forgets a key's cancellation older than
		/// the window.
		fn contested_at(health_id: HealthId, now: BlockNumberFor<T>) -> bool {
			let recent_cancel = match KeyCancelledRebind::<T>::get(health_id) {
				Some(at) if now < at.saturating_add(<T as Config>::ContestWindow::get()) => true,
				Some(_) => {
					KeyCancelledRebind::<T>::remove(health_id);
					false
				},
				None => false,
			};
			recent_cancel || PendingRebinds::<T>::get(health_id).is_some_and(|p| p.contested)
		}

		/// Applies `pending` to `health_id` and removes it (with the record of a key's
		/// cancellation): binds the new controller and unbinds the old one, after checking
		/// again that the health ID is active and the new key still free.
		fn apply_rebind(health_id: HealthId, pending: PendingRebindOf<T>) -> DispatchResult {
			let mut record = HealthIds::<T>::get(health_id).ok_or(Error::<T>::UnknownHealthId)?;
			ensure!(record.status == HealthIdStatus::Active, Error::<T>::HealthIdDeactivated);
			ensure!(record.controller != pending.controller, Error::<T>::SameController);
			Self::bind(&pending.controller, health_id)?;
			Self::unbind(&record.controller);
			let assisted = pending.controller == Controller::Assisted;
			record.controller = pending.controller;
			HealthIds::<T>::insert(health_id, record);
			Self::drop_pending(health_id);
			KeyCancelledRebind::<T>::remove(health_id);
			Self::deposit_event(Event::ControllerRebound {
				health_id,
				assisted,
				registrar: pending.registrar,
			});
			Ok(())
		}

		/// The health ID `who` controls, if any.
		pub fn health_id_of_controller(who: &T::AccountId) -> Option<HealthId> {
			Controllers::<T>::get(who)
		}

		/// Whether `who` is the controller key of an active health ID.
		pub fn is_patient_controller(who: &T::AccountId) -> bool {
			Controllers::<T>::contains_key(who)
		}

		/// Whether `who` controls a health ID or is the new key of a pending rebind.
		pub fn is_patient_key(who: &T::AccountId) -> bool {
			Controllers::<T>::contains_key(who) || PendingKeys::<T>::contains_key(who)
		}

		/// The person's health ID for a document hash: a registered health ID resolves to
		/// itself (active or not), a linked document to its person's health ID.
		pub fn resolve(document: &HealthId) -> Option<HealthId> {
			if HealthIds::<T>::contains_key(document) {
				Some(*document)
			} else {
				LinkedDocuments::<T>::get(document)
			}
		}

		/// The pending controller rebind of `health_id`, if any.
		pub fn pending_rebind(health_id: &HealthId) -> Option<PendingRebindOf<T>> {
			PendingRebinds::<T>::get(health_id)
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
