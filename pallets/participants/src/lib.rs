//! # Participants
//!
//! Who takes part in the HealthChain exchange, and in which role:
//!
//! - **hospitals**: public hospital code, name, consent policy (one-time or per-request),
//!   status (active or suspended) and the gateway accounts that sign for them;
//! - **registrars**: identity-verification points (bank branches, hospital service points)
//!   that register health IDs;
//! - **the licensing authority** (the Medical Council), which licenses, suspends and revokes
//!   practitioners;
//! - **practitioners**, keyed by licence number, affiliated to hospitals by those hospitals'
//!   gateways, with the exchange's terms accepted at first login;
//! - **operators**, the council members who run the validators.
//!
//! Admitting and suspending hospitals and registrars and naming the licensing authority need
//! `AdminOrigin` (a council motion in the runtime). Every account holds at most one role
//! ([`Roles`]); an account with a role gets a provider reference so that its nonce works on a
//! chain without a currency, and loses it with the role.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;

#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
pub mod extension;
pub mod test_runtime;
pub mod types;
pub mod weights;

pub use extension::{codes, CheckNonceWithinQuota, CheckPermission, NOT_PERMITTED};
pub use types::*;
pub use weights::WeightInfo;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::vec::Vec;
	use frame_support::pallet_prelude::*;
	use frame_system::pallet_prelude::*;
	use healthchain_primitives::{ConsentPolicy, DenyReason, HospitalCode, LicenceNumber};

	/// A hospital as stored for this runtime.
	pub type HospitalOf<T> =
		Hospital<<T as frame_system::Config>::AccountId, <T as Config>::MaxGateways>;
	/// A practitioner as stored for this runtime.
	pub type PractitionerOf<T> = Practitioner<<T as Config>::MaxAffiliations>;

	/// Configuration of the participants pallet.
	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The overarching event type.
		#[allow(deprecated)]
		type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;

		/// Who admits and suspends hospitals and registrars and names the licensing authority:
		/// a council majority (or root) in the runtime.
		type AdminOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Maximum gateway accounts per hospital.
		#[pallet::constant]
		type MaxGateways: Get<u32>;

		/// Maximum hospitals a practitioner can be affiliated with.
		#[pallet::constant]
		type MaxAffiliations: Get<u32>;

		/// Accounts that pass the permission gate without a participant role: the patients'
		/// controller keys (the health-id pallet), each for its own health ID.
		type Patients: PatientKeys<Self::AccountId>;

		/// Which signer may make which call: the runtime's table, asked by the permission
		/// gate at pool validation and again at dispatch.
		type CallPolicy: CallPolicy<Self::AccountId, <Self as frame_system::Config>::RuntimeCall>;

		/// The length of a quota period, in blocks (a day).
		#[pallet::constant]
		type QuotaPeriod: Get<BlockNumberFor<Self>>;

		/// A patient key's quota, until governance sets another ([`Pallet::set_quota`]).
		#[pallet::constant]
		type PatientQuota: Get<Quota>;

		/// A gateway's quota, until governance sets another.
		#[pallet::constant]
		type GatewayQuota: Get<Quota>;

		/// A registrar's quota, until governance sets another.
		#[pallet::constant]
		type RegistrarQuota: Get<Quota>;

		/// The licensing authority's quota, until governance sets another.
		#[pallet::constant]
		type LicensingAuthorityQuota: Get<Quota>;

		/// An operator's quota, until governance sets another.
		#[pallet::constant]
		type OperatorQuota: Get<Quota>;

		/// How many calls that protect the patient ([`CallKind::Protective`]: withdrawing,
		/// cancelling or confirming a rebind, revoking a grant, refusing a request) one account
		/// may make in a block. They are outside the period's quota, so that a patient who
		/// used their day's calls can still protect themselves; this bound stops floods.
		#[pallet::constant]
		type ProtectiveCallsPerBlock: Get<u32>;

		/// Weights of this pallet's calls and of its transaction extensions.
		type WeightInfo: WeightInfo;

		/// Sets up the worst cases of the transaction extensions' benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper<
			Self::AccountId,
			<Self as frame_system::Config>::RuntimeCall,
		>;
	}

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	/// Participating hospitals by hospital code.
	#[pallet::storage]
	pub type Hospitals<T: Config> =
		StorageMap<_, Blake2_128Concat, HospitalCode, HospitalOf<T>, OptionQuery>;

	/// Registrars (identity-verification points) by account.
	#[pallet::storage]
	pub type Registrars<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, Registrar, OptionQuery>;

	/// Registrars suspended by governance ([`Pallet::set_registrar_status`]): their calls are
	/// refused at the pool until they are reinstated.
	#[pallet::storage]
	pub type SuspendedRegistrars<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, (), OptionQuery>;

	/// The licensing authority's account (the Medical Council), if named.
	#[pallet::storage]
	pub type LicensingAuthority<T: Config> = StorageValue<_, T::AccountId, OptionQuery>;

	/// Practitioners by licence number.
	#[pallet::storage]
	pub type Practitioners<T: Config> =
		StorageMap<_, Blake2_128Concat, LicenceNumber, PractitionerOf<T>, OptionQuery>;

	/// The role of each account that has one. The permission gate admits exactly these
	/// accounts (and patient controllers) to the transaction pool.
	#[pallet::storage]
	pub type Roles<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, Role, OptionQuery>;

	/// Quotas set by governance, replacing the runtime's defaults for a kind of signer.
	#[pallet::storage]
	pub type QuotaOverrides<T: Config> =
		StorageMap<_, Twox64Concat, SignerKind, Quota, OptionQuery>;

	/// What each signing account has used of its quota (one entry per account that ever
	/// signed: participants and patients, both bounded by their registries).
	#[pallet::storage]
	pub type Usages<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, Usage<BlockNumberFor<T>>, ValueQuery>;

	/// Events of the participants pallet.
	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A hospital was admitted to the exchange.
		HospitalAdmitted {
			/// Hospital code.
			hospital: HospitalCode,
			/// Its consent policy.
			policy: ConsentPolicy,
		},
		/// A hospital was suspended or reinstated.
		HospitalStatusChanged {
			/// Hospital code.
			hospital: HospitalCode,
			/// The new status.
			status: HospitalStatus,
		},
		/// A hospital changed its consent policy.
		ConsentPolicyChanged {
			/// Hospital code.
			hospital: HospitalCode,
			/// The new policy.
			policy: ConsentPolicy,
		},
		/// A gateway account now signs for a hospital.
		GatewayAdded {
			/// Hospital code.
			hospital: HospitalCode,
			/// Gateway account.
			gateway: T::AccountId,
		},
		/// A gateway account no longer signs for a hospital.
		GatewayRemoved {
			/// Hospital code.
			hospital: HospitalCode,
			/// Gateway account.
			gateway: T::AccountId,
		},
		/// A registrar was admitted.
		RegistrarAdmitted {
			/// Registrar account.
			registrar: T::AccountId,
			/// Kind of verification point.
			kind: RegistrarKind,
		},
		/// A registrar was removed.
		RegistrarRemoved {
			/// Registrar account.
			registrar: T::AccountId,
		},
		/// A registrar was suspended or reinstated.
		RegistrarStatusChanged {
			/// Registrar account.
			registrar: T::AccountId,
			/// Suspended (`true`) or reinstated.
			suspended: bool,
		},
		/// The licensing authority's account was set.
		LicensingAuthoritySet {
			/// The new account.
			authority: T::AccountId,
		},
		/// A practitioner was licensed.
		PractitionerLicensed {
			/// Licence number.
			licence: LicenceNumber,
		},
		/// A practitioner's licence status changed.
		LicenceStatusChanged {
			/// Licence number.
			licence: LicenceNumber,
			/// The new status.
			status: LicenceStatus,
		},
		/// A hospital affiliated a practitioner.
		PractitionerAffiliated {
			/// Licence number.
			licence: LicenceNumber,
			/// Hospital code.
			hospital: HospitalCode,
		},
		/// A hospital ended a practitioner's affiliation.
		AffiliationEnded {
			/// Licence number.
			licence: LicenceNumber,
			/// Hospital code.
			hospital: HospitalCode,
		},
		/// A practitioner accepted the exchange's terms at first login.
		TermsAccepted {
			/// Licence number.
			licence: LicenceNumber,
			/// The hospital whose gateway recorded it.
			hospital: HospitalCode,
		},
		/// An account became an operator.
		OperatorAdded {
			/// Operator account.
			operator: T::AccountId,
		},
		/// An account stopped being an operator.
		OperatorRemoved {
			/// Operator account.
			operator: T::AccountId,
		},
		/// Governance set (or, with `None`, reset to the runtime's default) a kind of
		/// signer's quota.
		QuotaSet {
			/// The kind of signer.
			kind: SignerKind,
			/// The quota now in force.
			quota: Quota,
		},
	}

	/// Errors of the participants pallet.
	#[pallet::error]
	pub enum Error<T> {
		/// A hospital with this code is already registered.
		HospitalExists,
		/// No hospital with this code.
		UnknownHospital,
		/// The hospital is suspended.
		HospitalSuspended,
		/// The hospital already has this status.
		StatusUnchanged,
		/// The account already holds a role in the network; one account, one role.
		AccountInUse,
		/// The signer is not a gateway of an active hospital.
		NotAGateway,
		/// The signer is not a gateway of this hospital.
		NotThisHospitalsGateway,
		/// The hospital has the maximum number of gateways.
		TooManyGateways,
		/// The account is not a gateway of this hospital.
		UnknownGateway,
		/// A hospital must keep at least one gateway.
		LastGateway,
		/// The account is already a registrar.
		RegistrarExists,
		/// The account is not a registrar.
		UnknownRegistrar,
		/// The signer is not the licensing authority.
		NotLicensingAuthority,
		/// A practitioner with this licence number already exists.
		PractitionerExists,
		/// No practitioner with this licence number.
		UnknownPractitioner,
		/// The licence is revoked, which is final.
		LicenceRevoked,
		/// The practitioner is not licensed (suspended or revoked).
		NotLicensed,
		/// The practitioner is already affiliated with this hospital.
		AlreadyAffiliated,
		/// The practitioner is not affiliated with this hospital.
		NotAffiliated,
		/// The practitioner has the maximum number of affiliations.
		TooManyAffiliations,
		/// The practitioner already accepted the terms.
		TermsAlreadyAccepted,
		/// A hospital code, licence number or name is empty.
		EmptyIdentifier,
		/// A quota must allow at least one call per block, per period and in the pool.
		ZeroQuota,
		/// The account controls a health ID, or is the new key of a pending rebind: a
		/// patient's key never holds a participant role.
		PatientKey,
	}

	/// Genesis participants: for development and test networks, and a national network's
	/// founding members.
	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Operators (council members).
		pub operators: Vec<T::AccountId>,
		/// Hospitals: code, name, policy, gateway accounts.
		pub hospitals: Vec<(HospitalCode, Name, ConsentPolicy, Vec<T::AccountId>)>,
		/// Registrars: account, kind, name.
		pub registrars: Vec<(T::AccountId, RegistrarKind, Name)>,
		/// The licensing authority.
		pub licensing_authority: Option<T::AccountId>,
		/// Practitioners: licence number, affiliated hospitals, terms accepted.
		pub practitioners: Vec<(LicenceNumber, Vec<HospitalCode>, bool)>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			for operator in &self.operators {
				Pallet::<T>::grant_role(operator, Role::Operator)
					.expect("genesis operators hold one role each");
			}
			for (code, name, policy, gateways) in &self.hospitals {
				assert!(!Hospitals::<T>::contains_key(code), "duplicate genesis hospital");
				let bounded: BoundedVec<_, T::MaxGateways> =
					gateways.clone().try_into().expect("genesis gateways within MaxGateways");
				for gateway in gateways {
					Pallet::<T>::grant_role(gateway, Role::Gateway(code.clone()))
						.expect("genesis gateways hold one role each");
				}
				Hospitals::<T>::insert(
					code,
					Hospital {
						name: name.clone(),
						policy: *policy,
						status: HospitalStatus::Active,
						gateways: bounded,
					},
				);
			}
			for (account, kind, name) in &self.registrars {
				Pallet::<T>::grant_role(account, Role::Registrar)
					.expect("genesis registrars hold one role each");
				Registrars::<T>::insert(
					account,
					Registrar { kind: kind.clone(), name: name.clone() },
				);
			}
			if let Some(authority) = &self.licensing_authority {
				Pallet::<T>::grant_role(authority, Role::LicensingAuthority)
					.expect("the genesis licensing authority holds one role");
				LicensingAuthority::<T>::put(authority);
			}
			for (licence, hospitals, terms_accepted) in &self.practitioners {
				for h in hospitals {
					assert!(
						Hospitals::<T>::contains_key(h),
						"genesis affiliation to unknown hospital"
					);
				}
				Practitioners::<T>::insert(
					licence,
					Practitioner {
						status: LicenceStatus::Licensed,
						affiliations: hospitals
							.clone()
							.try_into()
							.expect("genesis affiliations within MaxAffiliations"),
						terms_accepted: *terms_accepted,
					},
				);
			}
		}
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// Reads every kind's quota override once a block, before the block's transactions:
		/// the nonce check with the quotas reads its signer's kind's override in every
		/// transaction, and those reads are then served from the node's cache of this block's
		/// reads. The extension's benchmark whitelists the override accordingly, as FRAME
		/// whitelists the keys `frame_system` reads in every block.
		fn on_initialize(_: BlockNumberFor<T>) -> Weight {
			for kind in SignerKind::ALL {
				let _in_force = QuotaOverrides::<T>::get(kind);
			}
			T::WeightInfo::read_quotas()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Admit a hospital with its first gateway account. Needs `AdminOrigin`.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::admit_hospital())]
		pub fn admit_hospital(
			origin: OriginFor<T>,
			hospital: HospitalCode,
			name: Name,
			policy: ConsentPolicy,
			gateway: T::AccountId,
		) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			ensure!(!hospital.is_empty() && !name.is_empty(), Error::<T>::EmptyIdentifier);
			ensure!(!Hospitals::<T>::contains_key(&hospital), Error::<T>::HospitalExists);
			Self::grant_role(&gateway, Role::Gateway(hospital.clone()))?;
			let gateways = BoundedVec::truncate_from(alloc::vec![gateway.clone()]);
			Hospitals::<T>::insert(
				&hospital,
				Hospital { name, policy, status: HospitalStatus::Active, gateways },
			);
			Self::deposit_event(Event::HospitalAdmitted { hospital: hospital.clone(), policy });
			Self::deposit_event(Event::GatewayAdded { hospital, gateway });
			Ok(())
		}

		/// Suspend or reinstate a hospital. Needs `AdminOrigin`.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::set_hospital_status())]
		pub fn set_hospital_status(
			origin: OriginFor<T>,
			hospital: HospitalCode,
			status: HospitalStatus,
		) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Hospitals::<T>::try_mutate(&hospital, |h| -> DispatchResult {
				let h = h.as_mut().ok_or(Error::<T>::UnknownHospital)?;
				ensure!(h.status != status, Error::<T>::StatusUnchanged);
				h.status = status;
				Ok(())
			})?;
			Self::deposit_event(Event::HospitalStatusChanged { hospital, status });
			Ok(())
		}

		/// Change a hospital's consent policy. Signed by one of the hospital's gateways, or
		/// `AdminOrigin`.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::set_consent_policy())]
		pub fn set_consent_policy(
			origin: OriginFor<T>,
			hospital: HospitalCode,
			policy: ConsentPolicy,
		) -> DispatchResult {
			Self::ensure_admin_or_active_gateway_of(origin, &hospital)?;
			Hospitals::<T>::try_mutate(&hospital, |h| -> DispatchResult {
				let h = h.as_mut().ok_or(Error::<T>::UnknownHospital)?;
				h.policy = policy;
				Ok(())
			})?;
			Self::deposit_event(Event::ConsentPolicyChanged { hospital, policy });
			Ok(())
		}

		/// Add a gateway account to a hospital.
		///
		/// Origin: a gateway of the hospital while it is active, or `AdminOrigin`. Errors:
		/// `NotAGateway`, `NotThisHospitalsGateway`, `HospitalSuspended` (a suspended
		/// hospital's gateway), `UnknownHospital`, `AccountInUse` (the account holds a role),
		/// `PatientKey` (it is a patient's key), `TooManyGateways`. Event: `GatewayAdded`.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::add_gateway())]
		pub fn add_gateway(
			origin: OriginFor<T>,
			hospital: HospitalCode,
			gateway: T::AccountId,
		) -> DispatchResult {
			Self::ensure_admin_or_active_gateway_of(origin, &hospital)?;
			let mut h = Hospitals::<T>::get(&hospital).ok_or(Error::<T>::UnknownHospital)?;
			ensure!(!Roles::<T>::contains_key(&gateway), Error::<T>::AccountInUse);
			ensure!(!T::Patients::is_patient_key(&gateway), Error::<T>::PatientKey);
			h.gateways.try_push(gateway.clone()).map_err(|_| Error::<T>::TooManyGateways)?;
			Self::grant_role(&gateway, Role::Gateway(hospital.clone()))?;
			Hospitals::<T>::insert(&hospital, h);
			Self::deposit_event(Event::GatewayAdded { hospital, gateway });
			Ok(())
		}

		/// Remove a gateway account from a hospital (key rotation, decommissioning).
		///
		/// Origin: a gateway of the hospital while it is active (never the last one), or
		/// `AdminOrigin` (any, the last one included: the council can silence a hospital
		/// completely). Errors: `NotAGateway`, `NotThisHospitalsGateway`, `HospitalSuspended`,
		/// `UnknownHospital`, `UnknownGateway`, `LastGateway`. Event: `GatewayRemoved`.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::remove_gateway())]
		pub fn remove_gateway(
			origin: OriginFor<T>,
			hospital: HospitalCode,
			gateway: T::AccountId,
		) -> DispatchResult {
			let by_admin = Self::ensure_admin_or_active_gateway_of(origin, &hospital)?;
			let mut h = Hospitals::<T>::get(&hospital).ok_or(Error::<T>::UnknownHospital)?;
			let pos =
				h.gateways.iter().position(|g| g == &gateway).ok_or(Error::<T>::UnknownGateway)?;
			ensure!(by_admin || h.gateways.len() > 1, Error::<T>::LastGateway);
			h.gateways.remove(pos);
			Hospitals::<T>::insert(&hospital, h);
			Self::revoke_role(&gateway);
			Self::deposit_event(Event::GatewayRemoved { hospital, gateway });
			Ok(())
		}

		/// Admit a registrar (identity-verification point). Needs `AdminOrigin`.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::admit_registrar())]
		pub fn admit_registrar(
			origin: OriginFor<T>,
			registrar: T::AccountId,
			kind: RegistrarKind,
			name: Name,
		) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			ensure!(!name.is_empty(), Error::<T>::EmptyIdentifier);
			ensure!(!Registrars::<T>::contains_key(&registrar), Error::<T>::RegistrarExists);
			if let RegistrarKind::HospitalServicePoint(code) = &kind {
				ensure!(Hospitals::<T>::contains_key(code), Error::<T>::UnknownHospital);
			}
			Self::grant_role(&registrar, Role::Registrar)?;
			Registrars::<T>::insert(&registrar, Registrar { kind: kind.clone(), name });
			Self::deposit_event(Event::RegistrarAdmitted { registrar, kind });
			Ok(())
		}

		/// Remove a registrar. Needs `AdminOrigin`.
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::remove_registrar())]
		pub fn remove_registrar(origin: OriginFor<T>, registrar: T::AccountId) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Registrars::<T>::take(&registrar).ok_or(Error::<T>::UnknownRegistrar)?;
			SuspendedRegistrars::<T>::remove(&registrar);
			Self::revoke_role(&registrar);
			Self::deposit_event(Event::RegistrarRemoved { registrar });
			Ok(())
		}

		/// Name the licensing authority's account, replacing any previous one. Needs
		/// `AdminOrigin`.
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::set_licensing_authority())]
		pub fn set_licensing_authority(
			origin: OriginFor<T>,
			authority: T::AccountId,
		) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			ensure!(!Roles::<T>::contains_key(&authority), Error::<T>::AccountInUse);
			ensure!(!T::Patients::is_patient_key(&authority), Error::<T>::PatientKey);
			if let Some(old) = LicensingAuthority::<T>::take() {
				Self::revoke_role(&old);
			}
			Self::grant_role(&authority, Role::LicensingAuthority)?;
			LicensingAuthority::<T>::put(&authority);
			Self::deposit_event(Event::LicensingAuthoritySet { authority });
			Ok(())
		}

		/// License a practitioner. Signed by the licensing authority.
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::license_practitioner())]
		pub fn license_practitioner(
			origin: OriginFor<T>,
			licence: LicenceNumber,
		) -> DispatchResult {
			Self::ensure_licensing_authority(origin)?;
			ensure!(!licence.is_empty(), Error::<T>::EmptyIdentifier);
			ensure!(!Practitioners::<T>::contains_key(&licence), Error::<T>::PractitionerExists);
			Practitioners::<T>::insert(
				&licence,
				Practitioner {
					status: LicenceStatus::Licensed,
					affiliations: BoundedVec::new(),
					terms_accepted: false,
				},
			);
			Self::deposit_event(Event::PractitionerLicensed { licence });
			Ok(())
		}

		/// Suspend, reinstate or revoke a practitioner's licence. Signed by the licensing
		/// authority. Revocation is final.
		#[pallet::call_index(9)]
		#[pallet::weight(T::WeightInfo::set_licence_status())]
		pub fn set_licence_status(
			origin: OriginFor<T>,
			licence: LicenceNumber,
			status: LicenceStatus,
		) -> DispatchResult {
			Self::ensure_licensing_authority(origin)?;
			Practitioners::<T>::try_mutate(&licence, |p| -> DispatchResult {
				let p = p.as_mut().ok_or(Error::<T>::UnknownPractitioner)?;
				ensure!(p.status != LicenceStatus::Revoked, Error::<T>::LicenceRevoked);
				ensure!(p.status != status, Error::<T>::StatusUnchanged);
				p.status = status;
				Ok(())
			})?;
			Self::deposit_event(Event::LicenceStatusChanged { licence, status });
			Ok(())
		}

		/// Affiliate a licensed practitioner with the signer's hospital. Signed by a gateway of
		/// an active hospital (its staff add their doctors).
		#[pallet::call_index(10)]
		#[pallet::weight(T::WeightInfo::affiliate_practitioner())]
		pub fn affiliate_practitioner(
			origin: OriginFor<T>,
			licence: LicenceNumber,
		) -> DispatchResult {
			let (_, hospital) = Self::ensure_active_gateway(origin)?;
			Practitioners::<T>::try_mutate(&licence, |p| -> DispatchResult {
				let p = p.as_mut().ok_or(Error::<T>::UnknownPractitioner)?;
				ensure!(p.status == LicenceStatus::Licensed, Error::<T>::NotLicensed);
				ensure!(!p.affiliations.contains(&hospital), Error::<T>::AlreadyAffiliated);
				p.affiliations
					.try_push(hospital.clone())
					.map_err(|_| Error::<T>::TooManyAffiliations)?;
				Ok(())
			})?;
			Self::deposit_event(Event::PractitionerAffiliated { licence, hospital });
			Ok(())
		}

		/// End a practitioner's affiliation with the signer's hospital. Signed by a gateway of
		/// that hospital (active or suspended: a suspended hospital may still clean up).
		#[pallet::call_index(11)]
		#[pallet::weight(T::WeightInfo::end_affiliation())]
		pub fn end_affiliation(origin: OriginFor<T>, licence: LicenceNumber) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let hospital = Self::hospital_of_gateway(&who).ok_or(Error::<T>::NotAGateway)?;
			Practitioners::<T>::try_mutate(&licence, |p| -> DispatchResult {
				let p = p.as_mut().ok_or(Error::<T>::UnknownPractitioner)?;
				let pos = p
					.affiliations
					.iter()
					.position(|h| h == &hospital)
					.ok_or(Error::<T>::NotAffiliated)?;
				p.affiliations.remove(pos);
				Ok(())
			})?;
			Self::deposit_event(Event::AffiliationEnded { licence, hospital });
			Ok(())
		}

		/// Record that a practitioner accepted the exchange's terms at first login. Signed by a
		/// gateway of an active hospital the practitioner is affiliated with.
		#[pallet::call_index(12)]
		#[pallet::weight(T::WeightInfo::accept_terms())]
		pub fn accept_terms(origin: OriginFor<T>, licence: LicenceNumber) -> DispatchResult {
			let (_, hospital) = Self::ensure_active_gateway(origin)?;
			Practitioners::<T>::try_mutate(&licence, |p| -> DispatchResult {
				let p = p.as_mut().ok_or(Error::<T>::UnknownPractitioner)?;
				ensure!(p.affiliations.contains(&hospital), Error::<T>::NotAffiliated);
				ensure!(!p.terms_accepted, Error::<T>::TermsAlreadyAccepted);
				p.terms_accepted = true;
				Ok(())
			})?;
			Self::deposit_event(Event::TermsAccepted { licence, hospital });
			Ok(())
		}

		/// Set a kind of signer's quota, or with `None` go back to the runtime's default.
		/// Takes effect from the next transaction.
		///
		/// Origin: `AdminOrigin` (a council majority). Errors: `ZeroQuota`. Event: `QuotaSet`.
		#[pallet::call_index(13)]
		#[pallet::weight(T::WeightInfo::set_quota())]
		pub fn set_quota(
			origin: OriginFor<T>,
			kind: SignerKind,
			quota: Option<Quota>,
		) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			match quota {
				Some(q) => {
					ensure!(
						q.per_block > 0 && q.per_period > 0 && q.max_pooled > 0,
						Error::<T>::ZeroQuota
					);
					QuotaOverrides::<T>::insert(kind, q);
				},
				None => QuotaOverrides::<T>::remove(kind),
			}
			Self::deposit_event(Event::QuotaSet { kind, quota: Self::quota_of(kind) });
			Ok(())
		}

		/// Suspend (`suspended = true`) or reinstate a registrar. A suspended registrar's calls
		/// are refused at the pool ([`codes::SUSPENDED`]) and at dispatch.
		///
		/// Origin: `AdminOrigin` (a council majority). Errors: `UnknownRegistrar`,
		/// `StatusUnchanged`. Event: `RegistrarStatusChanged`.
		#[pallet::call_index(14)]
		#[pallet::weight(T::WeightInfo::set_registrar_status())]
		pub fn set_registrar_status(
			origin: OriginFor<T>,
			registrar: T::AccountId,
			suspended: bool,
		) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			ensure!(Registrars::<T>::contains_key(&registrar), Error::<T>::UnknownRegistrar);
			ensure!(
				SuspendedRegistrars::<T>::contains_key(&registrar) != suspended,
				Error::<T>::StatusUnchanged
			);
			if suspended {
				SuspendedRegistrars::<T>::insert(&registrar, ());
			} else {
				SuspendedRegistrars::<T>::remove(&registrar);
			}
			Self::deposit_event(Event::RegistrarStatusChanged { registrar, suspended });
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		/// Gives `who` a role and a provider reference. Fails if it already holds one, or if it
		/// is a patient's key (controlling a health ID or awaiting a rebind to one): one role
		/// per key. Public for genesis builders and other pallets' benchmarks; calls go through
		/// the checked extrinsics above.
		pub fn grant_role(who: &T::AccountId, role: Role) -> DispatchResult {
			ensure!(!Roles::<T>::contains_key(who), Error::<T>::AccountInUse);
			ensure!(!T::Patients::is_patient_key(who), Error::<T>::PatientKey);
			Roles::<T>::insert(who, role);
			frame_system::Pallet::<T>::inc_providers(who);
			Ok(())
		}

		/// Takes `who`'s role and provider reference away.
		pub fn revoke_role(who: &T::AccountId) {
			if Roles::<T>::take(who).is_some() {
				// The account may still be referenced (e.g. as a patient controller) and keep
				// other providers; failing to drop ours only leaves the account alive.
				let _ = frame_system::Pallet::<T>::dec_providers(who);
			}
		}

		/// The hospital `who` signs for, if it is a gateway.
		pub fn hospital_of_gateway(who: &T::AccountId) -> Option<HospitalCode> {
			match Roles::<T>::get(who) {
				Some(Role::Gateway(code)) => Some(code),
				_ => None,
			}
		}

		/// Whether `who` holds any role (operator, gateway, registrar, licensing authority).
		pub fn has_role(who: &T::AccountId) -> bool {
			Roles::<T>::contains_key(who)
		}

		/// Who `who` signs as: its participant role, or the patient whose controller key it
		/// is; `None` for a stranger.
		pub fn signer_of(who: &T::AccountId) -> Option<Signer> {
			match Roles::<T>::get(who) {
				Some(Role::Operator) => Some(Signer::Operator),
				Some(Role::Gateway(code)) => Some(Signer::Gateway(code)),
				Some(Role::Registrar) => Some(Signer::Registrar),
				Some(Role::LicensingAuthority) => Some(Signer::LicensingAuthority),
				None => T::Patients::health_id_of(who).map(Signer::Patient),
			}
		}

		/// The quota in force for a kind of signer: governance's, or the runtime's default.
		pub fn quota_of(kind: SignerKind) -> Quota {
			QuotaOverrides::<T>::get(kind).unwrap_or_else(|| match kind {
				SignerKind::Patient => T::PatientQuota::get(),
				SignerKind::Gateway => T::GatewayQuota::get(),
				SignerKind::Registrar => T::RegistrarQuota::get(),
				SignerKind::LicensingAuthority => T::LicensingAuthorityQuota::get(),
				SignerKind::Operator => T::OperatorQuota::get(),
			})
		}

		/// The current quota period and block.
		pub fn quota_clock() -> (BlockNumberFor<T>, BlockNumberFor<T>) {
			let block = frame_system::Pallet::<T>::block_number();
			let period = T::QuotaPeriod::get().max(1u32.into());
			(block / period, block)
		}

		/// Whether `who` is a registrar that is not suspended ([`Pallet::is_suspended`]).
		pub fn is_registrar(who: &T::AccountId) -> bool {
			matches!(Roles::<T>::get(who), Some(Role::Registrar))
				&& !Self::is_suspended(who, &Signer::Registrar)
		}

		/// Whether `who`, signing as `signer`, is suspended: a gateway of a suspended
		/// hospital, or a registrar that governance suspended or whose service point's
		/// hospital is suspended. The permission gate refuses a suspended signer's every
		/// call at the pool ([`codes::SUSPENDED`]).
		pub fn is_suspended(who: &T::AccountId, signer: &Signer) -> bool {
			match signer {
				Signer::Gateway(code) => !Self::is_active_hospital(code),
				Signer::Registrar => {
					SuspendedRegistrars::<T>::contains_key(who)
						|| Registrars::<T>::get(who).is_some_and(|r| match r.kind {
							RegistrarKind::HospitalServicePoint(code) => {
								!Self::is_active_hospital(&code)
							},
							_ => false,
						})
				},
				_ => false,
			}
		}

		/// The hospital whose service point `who` is, if it is a registrar attached to one.
		pub fn service_point_hospital(who: &T::AccountId) -> Option<HospitalCode> {
			match Registrars::<T>::get(who)?.kind {
				RegistrarKind::HospitalServicePoint(code) => Some(code),
				_ => None,
			}
		}

		/// Whether the hospital exists and is active.
		pub fn is_active_hospital(code: &HospitalCode) -> bool {
			Hospitals::<T>::get(code).is_some_and(|h| h.status == HospitalStatus::Active)
		}

		/// Checks that a signed origin is a gateway of an active hospital, and returns the
		/// signer and the hospital code.
		pub fn ensure_active_gateway(
			origin: OriginFor<T>,
		) -> Result<(T::AccountId, HospitalCode), DispatchError> {
			let who = ensure_signed(origin)?;
			let hospital = Self::hospital_of_gateway(&who).ok_or(Error::<T>::NotAGateway)?;
			ensure!(Self::is_active_hospital(&hospital), Error::<T>::HospitalSuspended);
			Ok((who, hospital))
		}

		/// Checks that the origin is `AdminOrigin` (returns `true`) or a gateway of
		/// `hospital` while it is active (returns `false`).
		fn ensure_admin_or_active_gateway_of(
			origin: OriginFor<T>,
			hospital: &HospitalCode,
		) -> Result<bool, DispatchError> {
			match T::AdminOrigin::try_origin(origin) {
				Ok(_) => Ok(true),
				Err(origin) => {
					let who = ensure_signed(origin)?;
					let own = Self::hospital_of_gateway(&who).ok_or(Error::<T>::NotAGateway)?;
					ensure!(&own == hospital, Error::<T>::NotThisHospitalsGateway);
					ensure!(Self::is_active_hospital(hospital), Error::<T>::HospitalSuspended);
					Ok(false)
				},
			}
		}

		/// Whether `who` is the licensing authority.
		pub fn is_licensing_authority(who: &T::AccountId) -> bool {
			LicensingAuthority::<T>::get().as_ref() == Some(who)
		}

		fn ensure_licensing_authority(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(Self::is_licensing_authority(&who), Error::<T>::NotLicensingAuthority);
			Ok(())
		}

		/// The participant part of the consent decision: is `hospital` active, and is
		/// `practitioner` licensed, affiliated with it and past the terms? Returns the
		/// hospital's consent policy, or the reason to deny.
		pub fn check_practitioner_at(
			practitioner: &LicenceNumber,
			hospital: &HospitalCode,
		) -> Result<ConsentPolicy, DenyReason> {
			let h = Hospitals::<T>::get(hospital).ok_or(DenyReason::UnknownHospital)?;
			if h.status != HospitalStatus::Active {
				return Err(DenyReason::HospitalSuspended);
			}
			let p = Practitioners::<T>::get(practitioner).ok_or(DenyReason::UnknownPractitioner)?;
			if p.status != LicenceStatus::Licensed {
				return Err(DenyReason::PractitionerNotLicensed);
			}
			if !p.affiliations.contains(hospital) {
				return Err(DenyReason::NotAffiliated);
			}
			if !p.terms_accepted {
				return Err(DenyReason::TermsNotAccepted);
			}
			Ok(h.policy)
		}

		/// A hospital, for the `HealthApi` runtime API.
		pub fn hospital_view(
			code: &HospitalCode,
		) -> Option<healthchain_primitives::views::HospitalView<T::AccountId>> {
			Hospitals::<T>::get(code).map(|h| healthchain_primitives::views::HospitalView {
				code: code.clone(),
				name: h.name.into_inner(),
				policy: h.policy,
				active: h.status == HospitalStatus::Active,
				gateways: h.gateways.into_inner(),
			})
		}

		/// A practitioner, for the `HealthApi` runtime API.
		pub fn practitioner_view(
			licence: &LicenceNumber,
		) -> Option<healthchain_primitives::views::PractitionerView> {
			Practitioners::<T>::get(licence).map(|p| {
				healthchain_primitives::views::PractitionerView {
					licence: licence.clone(),
					status: p.status,
					affiliations: p.affiliations.into_inner(),
					terms_accepted: p.terms_accepted,
				}
			})
		}

		/// Adds an operator (called when the council's membership changes).
		pub fn add_operator(who: &T::AccountId) -> DispatchResult {
			Self::grant_role(who, Role::Operator)?;
			Self::deposit_event(Event::OperatorAdded { operator: who.clone() });
			Ok(())
		}

		/// Removes an operator (called when the council's membership changes).
		pub fn remove_operator(who: &T::AccountId) {
			if matches!(Roles::<T>::get(who), Some(Role::Operator)) {
				Self::revoke_role(who);
				Self::deposit_event(Event::OperatorRemoved { operator: who.clone() });
			}
		}
	}

	/// Keeps operator roles in step with the council's membership: wire it as (part of)
	/// `pallet_membership::Config::MembershipChanged`.
	impl<T: Config> frame_support::traits::ChangeMembers<T::AccountId> for Pallet<T> {
		fn change_members_sorted(
			incoming: &[T::AccountId],
			outgoing: &[T::AccountId],
			_sorted_new: &[T::AccountId],
		) {
			for who in outgoing {
				Self::remove_operator(who);
			}
			for who in incoming {
				// An account that already holds another role cannot also be an operator;
				// membership changes cannot fail, so such an account just gets no operator role.
				let _ = Self::add_operator(who);
			}
		}
	}
}
