//! # Consent
//!
//! The consent engine of the exchange:
//!
//! - **enrolment**: joining is consenting; the patient chooses source hospitals, `All`
//!   (hospitals that join later included) or a list;
//! - **once a day**: the source selection changes at most once per calendar day;
//! - **withdrawal** at any time; joining again only from the next calendar day;
//! - **sensitive data**: a separate explicit opt-in, off by default;
//! - **per-request consent** at hospitals whose policy asks it: a request for categories and a
//!   purpose, answered by the patient; an approval becomes a grant that lasts until the end of
//!   the day or a shorter time asked for; an unanswered request lapses;
//! - **emergency access** ("break glass"): opened by a hospital for a licensed, affiliated
//!   doctor with a reason, time-boxed, flagged, never covering sensitive data without the
//!   opt-in, and reviewed by the hospital afterwards;
//! - **[`Pallet::decide`]**: the one decision function (permit / deny with reason /
//!   needs-request), used by the access-log pallet, the runtime API and the node's RPC.
//!
//! Days are calendar days in the network's time zone (`UtcOffsetSecs`, +7 h for
//! Asia/Bangkok), computed from the timestamp.
//!
//! The patient acts with their controller key. Nobody else can act for a patient, with one
//! exception: an *assisted* patient (no smartphone, `Controller::Assisted`) is served in
//! person within an **assistance session**, the chain's fresh evidence of their presence. A
//! registrar (service point) checks the patient's ID card and opens the session with
//! [`Pallet::open_assistance`], for one hospital (whose gateways then act for the patient) or
//! for its own desk, for `AssistanceDuration` (minutes). Every act in a session is flagged in
//! its event (`by: AssistedAt(hospital)` or `AssistedAtServicePoint`). A hospital's gateway
//! never answers a consent request of its own hospital, session or not: the patient answers
//! those with their key or at a service point.
//!
//! State stays bounded: grants per patient (`MaxGrants`), open requests per patient and per
//! hospital, unreviewed emergency accesses per practitioner; lapsed requests and reviewed,
//! expired emergency accesses are pruned on touch and by a bounded `on_idle` sweep.

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
	use alloc::vec::Vec;
	use frame_support::{pallet_prelude::*, traits::UnixTime};
	use frame_system::pallet_prelude::*;
	use healthchain_primitives::{
		categories_from, day_of, logs::LogHead, start_of_next_day, Categories, ConsentPolicy,
		DataCategory, Day, Decision, DenyReason, HealthId, HospitalCode, LicenceNumber, Moment,
		PermitBasis, Purpose,
	};
	use pallet_health_id::Controller;

	/// A source selection as used by this runtime.
	pub type SourceSelectionOf<T> = SourceSelection<<T as Config>::MaxSources>;
	/// A consent record as stored for this runtime.
	pub type ConsentRecordOf<T> = ConsentRecord<<T as Config>::MaxSources>;

	/// Configuration of the consent pallet.
	#[pallet::config]
	pub trait Config:
		frame_system::Config + pallet_participants::Config + pallet_health_id::Config
	{
		/// The overarching event type.
		#[allow(deprecated)]
		type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;

		/// Wall-clock time of the current block (the timestamp pallet).
		type TimeProvider: UnixTime;

		/// The network's civil time zone, in seconds east of UTC (Asia/Bangkok: 25 200).
		#[pallet::constant]
		type UtcOffsetSecs: Get<i64>;

		/// Maximum hospitals in a source list.
		#[pallet::constant]
		type MaxSources: Get<u32>;

		/// How long a per-request consent request stays open unanswered (ms).
		#[pallet::constant]
		type RequestTtl: Get<Moment>;

		/// Maximum open requests per patient.
		#[pallet::constant]
		type MaxPendingRequests: Get<u32>;

		/// How long an emergency access lasts (ms).
		#[pallet::constant]
		type EmergencyDuration: Get<Moment>;

		/// Maximum grants a patient holds at once (expired ones are pruned when a new one
		/// needs the room).
		#[pallet::constant]
		type MaxGrants: Get<u32>;

		/// Maximum open requests one hospital holds for one patient, so that one hospital
		/// cannot fill all of a patient's `MaxPendingRequests` slots.
		#[pallet::constant]
		type MaxPendingPerHospital: Get<u32>;

		/// Maximum emergency accesses of one practitioner waiting for review.
		#[pallet::constant]
		type MaxUnreviewedEmergencies: Get<u32>;

		/// How long after opening an emergency access its review is overdue (ms); overdue
		/// reviews are listed for the licensing authority.
		#[pallet::constant]
		type ReviewDeadline: Get<Moment>;

		/// How long after an emergency access ended a `Justified` review can still be
		/// overturned by the licensing authority (ms): the reviewed access stays in state that
		/// long.
		#[pallet::constant]
		type OverturnWindow: Get<Moment>;

		/// How long an assistance session lasts (ms).
		#[pallet::constant]
		type AssistanceDuration: Get<Moment>;

		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;
	}

	/// The pallet's storage version.
	///
	/// - 0: up to spec 105.
	/// - 1: [`ConsentRecord`] has `access_log`, the access log's head formerly in the
	///   access-log pallet's own map (`pallet_access_log::migrations::v1` moves it).
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Each patient's consent state.
	#[pallet::storage]
	pub type Consents<T: Config> =
		StorageMap<_, Blake2_128Concat, HealthId, ConsentRecordOf<T>, OptionQuery>;

	/// The next request identifier.
	#[pallet::storage]
	pub type NextRequestId<T: Config> = StorageValue<_, RequestId, ValueQuery>;

	/// Open per-request consent requests.
	#[pallet::storage]
	pub type Requests<T: Config> =
		StorageMap<_, Twox64Concat, RequestId, AccessRequest, OptionQuery>;

	/// The open requests of each patient, oldest first.
	#[pallet::storage]
	pub type PendingRequests<T: Config> = StorageMap<
		_,
		Blake2_128Concat,
		HealthId,
		BoundedVec<RequestId, T::MaxPendingRequests>,
		ValueQuery,
	>;

	/// Grants from approved requests, by patient, hospital and practitioner.
	#[pallet::storage]
	pub type Grants<T: Config> = StorageNMap<
		_,
		(
			NMapKey<Blake2_128Concat, HealthId>,
			NMapKey<Blake2_128Concat, HospitalCode>,
			NMapKey<Blake2_128Concat, LicenceNumber>,
		),
		AccessGrant,
		OptionQuery,
	>;

	/// The next emergency access identifier.
	#[pallet::storage]
	pub type NextEmergencyId<T: Config> = StorageValue<_, EmergencyId, ValueQuery>;

	/// Emergency accesses, kept until reviewed and expired.
	#[pallet::storage]
	pub type EmergencyAccesses<T: Config> =
		StorageMap<_, Twox64Concat, EmergencyId, EmergencyAccess, OptionQuery>;

	/// The latest emergency access by patient, hospital and practitioner.
	#[pallet::storage]
	pub type ActiveEmergency<T: Config> = StorageNMap<
		_,
		(
			NMapKey<Blake2_128Concat, HealthId>,
			NMapKey<Blake2_128Concat, HospitalCode>,
			NMapKey<Blake2_128Concat, LicenceNumber>,
		),
		EmergencyId,
		OptionQuery,
	>;

	/// How many grants each patient holds (bounded by `MaxGrants`).
	#[pallet::storage]
	pub type GrantCount<T: Config> = StorageMap<_, Blake2_128Concat, HealthId, u32, ValueQuery>;

	/// Open assistance sessions of assisted patients.
	#[pallet::storage]
	pub type Assistance<T: Config> = StorageMap<
		_,
		Blake2_128Concat,
		HealthId,
		AssistanceSession<<T as frame_system::Config>::AccountId>,
		OptionQuery,
	>;

	/// Emergency accesses waiting for review, per practitioner.
	#[pallet::storage]
	pub type UnreviewedEmergencies<T: Config> =
		StorageMap<_, Blake2_128Concat, LicenceNumber, u32, ValueQuery>;

	/// How many of each practitioner's emergency accesses the licensing authority found
	/// unjustified (an overturned `Justified` review included): what counts against them.
	#[pallet::storage]
	pub type UnjustifiedEmergencies<T: Config> =
		StorageMap<_, Blake2_128Concat, LicenceNumber, u32, ValueQuery>;

	/// The last day each patient refused a consent request (flags emergency accesses opened
	/// the same day).
	#[pallet::storage]
	pub type LastRefusal<T: Config> = StorageMap<_, Blake2_128Concat, HealthId, Day, OptionQuery>;

	/// How far the on-idle pruning has got.
	#[pallet::storage]
	pub type Pruning<T: Config> = StorageValue<_, PruneCursor, ValueQuery>;

	/// Events of the consent pallet.
	/// Patients enrolled at genesis, for development, test and benchmark networks.
	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Registered health IDs enrolled with every hospital as a source.
		pub enrolments: alloc::vec::Vec<HealthId>,
		#[serde(skip)]
		#[doc(hidden)]
		pub _config: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			for id in &self.enrolments {
				assert!(
					pallet_health_id::HealthIds::<T>::contains_key(id),
					"a genesis enrolment names an unregistered health ID"
				);
				assert!(!Consents::<T>::contains_key(id), "duplicate genesis enrolment");
				Consents::<T>::insert(
					id,
					ConsentRecord::enrolled(
						SourceSelection::All,
						Pallet::<T>::today(),
						Default::default(),
					),
				);
			}
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A patient joined the exchange (joining is consenting).
		Enrolled {
			/// The patient.
			health_id: HealthId,
			/// The source hospitals chosen.
			sources: SourceSelectionOf<T>,
			/// Who acted.
			by: Actor,
		},
		/// A patient withdrew ("do not accept").
		Withdrawn {
			/// The patient.
			health_id: HealthId,
			/// Who acted.
			by: Actor,
		},
		/// A patient changed their source hospitals.
		SourcesChanged {
			/// The patient.
			health_id: HealthId,
			/// The new selection.
			sources: SourceSelectionOf<T>,
			/// Who acted.
			by: Actor,
		},
		/// A patient opted in to, or out of, sharing sensitive data.
		SensitiveOptInChanged {
			/// The patient.
			health_id: HealthId,
			/// Opted in.
			opt_in: bool,
			/// Who acted.
			by: Actor,
		},
		/// A per-request hospital asked a patient for access.
		AccessRequested {
			/// Request identifier.
			request_id: RequestId,
			/// The patient.
			health_id: HealthId,
			/// The hospital.
			hospital: HospitalCode,
			/// The doctor.
			practitioner: LicenceNumber,
			/// Categories asked for.
			categories: Categories,
			/// Purpose.
			purpose: Purpose,
			/// When the request lapses unanswered (ms).
			expires_at: Moment,
		},
		/// The patient approved a request: a grant now exists.
		AccessGranted {
			/// Request identifier.
			request_id: RequestId,
			/// The patient.
			health_id: HealthId,
			/// The hospital.
			hospital: HospitalCode,
			/// The doctor.
			practitioner: LicenceNumber,
			/// Categories covered.
			categories: Categories,
			/// When the grant stops permitting (ms).
			expires_at: Moment,
			/// Who acted.
			by: Actor,
		},
		/// The patient refused a request.
		AccessRefused {
			/// Request identifier.
			request_id: RequestId,
			/// The patient.
			health_id: HealthId,
			/// Who acted.
			by: Actor,
		},
		/// The patient revoked a grant before it expired.
		GrantRevoked {
			/// The patient.
			health_id: HealthId,
			/// The hospital.
			hospital: HospitalCode,
			/// The doctor.
			practitioner: LicenceNumber,
			/// Who acted.
			by: Actor,
		},
		/// FLAGGED: a hospital opened an emergency access; it must be reviewed.
		EmergencyAccessOpened {
			/// Emergency access identifier.
			emergency_id: EmergencyId,
			/// The patient.
			health_id: HealthId,
			/// The hospital.
			hospital: HospitalCode,
			/// The doctor.
			practitioner: LicenceNumber,
			/// Why.
			reason: EmergencyReason,
			/// When it stops permitting (ms).
			expires_at: Moment,
			/// FLAGGED: the patient refused a consent request earlier the same day.
			after_refusal: bool,
		},
		/// The licensing authority reviewed an emergency access. `Unjustified` ends it at once
		/// and counts against the practitioner.
		EmergencyAccessReviewed {
			/// Emergency access identifier.
			emergency_id: EmergencyId,
			/// The hospital that opened it.
			hospital: HospitalCode,
			/// The verdict.
			review: Review,
			/// FLAGGED: a `Justified` review was overturned to `Unjustified`.
			overturned: bool,
		},
		/// A registrar checked an assisted patient's ID card and opened an assistance session.
		AssistanceOpened {
			/// The patient.
			health_id: HealthId,
			/// Where the patient is served.
			at: Assistant,
			/// The registrar.
			registrar: <T as frame_system::Config>::AccountId,
			/// When the session ends (ms).
			expires_at: Moment,
		},
		/// An assistance session was closed before it ended.
		AssistanceClosed {
			/// The patient.
			health_id: HealthId,
		},
	}

	/// Errors of the consent pallet.
	#[pallet::error]
	pub enum Error<T> {
		/// No such health ID.
		UnknownHealthId,
		/// The health ID is deactivated.
		HealthIdDeactivated,
		/// The signer is neither the patient's controller nor, for an assisted patient, a
		/// gateway of an active hospital.
		NotPatient,
		/// The patient is already enrolled.
		AlreadyEnrolled,
		/// The patient withdrew today; they may join again from the next day.
		ReenrolTooSoon,
		/// The patient is not enrolled.
		NotEnrolled,
		/// The source selection was already changed today; once a day only.
		SourcesAlreadyChangedToday,
		/// The new source selection is the current one.
		SourcesUnchanged,
		/// A source list must name at least one hospital.
		EmptySourceList,
		/// A source list names a hospital twice.
		DuplicateSource,
		/// A source list names a hospital that is unknown or suspended.
		InactiveSource,
		/// The opt-in already has this value.
		OptInUnchanged,
		/// The signer is not a gateway of an active hospital.
		NotAGateway,
		/// The hospital's policy is one-time consent: no request is needed.
		NotPerRequestHospital,
		/// Emergencies use emergency access, not a request.
		UseEmergencyAccess,
		/// No data category was asked for.
		NoCategories,
		/// The practitioner is not registered.
		UnknownPractitioner,
		/// The practitioner's licence is suspended or revoked.
		PractitionerNotLicensed,
		/// The practitioner is not affiliated with the hospital.
		NotAffiliated,
		/// The practitioner has not accepted the exchange's terms.
		TermsNotAccepted,
		/// The patient has too many open requests.
		TooManyPendingRequests,
		/// No such open request.
		UnknownRequest,
		/// The request lapsed before it was answered.
		RequestExpired,
		/// The asked grant lifetime is zero.
		ZeroGrantLifetime,
		/// No grant for this hospital and practitioner.
		UnknownGrant,
		/// No such emergency access.
		UnknownEmergencyAccess,
		/// The emergency access was already reviewed.
		AlreadyReviewed,
		/// A review must be `Justified` or `Unjustified`.
		InvalidReview,
		/// The patient holds `MaxGrants` unexpired grants.
		TooManyGrants,
		/// This hospital already holds `MaxPendingPerHospital` open requests for the patient.
		TooManyRequestsFromHospital,
		/// A hospital's gateway cannot answer a consent request its own hospital made.
		OwnHospitalRequest,
		/// The practitioner has `MaxUnreviewedEmergencies` emergency accesses waiting for
		/// review.
		TooManyUnreviewedEmergencies,
		/// The health ID has a controller key: the patient acts with it, not through a
		/// session.
		NotAssisted,
		/// The signer is not a registrar.
		NotRegistrar,
		/// No open assistance session for this patient.
		NoAssistanceSession,
		/// A session's hospital is unknown or suspended.
		InactiveHospital,
		/// A hospital never reviews an emergency access its own gateway opened.
		OpenerCannotReview,
		/// Only the licensing authority reviews emergency accesses.
		NotReviewer,
		/// The act needs the patient's own key or a session at a registrar's own service
		/// point (the sensitive-data opt-in, withdrawal, revoking a grant): a hospital's
		/// assistance session does not allow it.
		NeedsServicePoint,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// Prunes lapsed requests and reviewed, expired emergency accesses, oldest first, as
		/// far as the block's spare weight allows.
		fn on_idle(_n: BlockNumberFor<T>, remaining: Weight) -> Weight {
			Self::prune(remaining)
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Join the exchange, choosing source hospitals. Signed by the patient's controller
		/// (or, for an assisted patient, a gateway of the hospital where they are present).
		#[pallet::call_index(0)]
		#[pallet::weight(<T as Config>::WeightInfo::enrol(T::MaxSources::get()))]
		pub fn enrol(
			origin: OriginFor<T>,
			health_id: HealthId,
			sources: SourceSelectionOf<T>,
		) -> DispatchResult {
			let by = Self::ensure_patient(origin, &health_id, ActScope::Routine)?;
			Self::validate_sources(&sources)?;
			let today = Self::today();
			let existing = Consents::<T>::get(health_id);
			if let Some(existing) = &existing {
				ensure!(existing.status != EnrolmentStatus::Enrolled, Error::<T>::AlreadyEnrolled);
				ensure!(
					existing.withdrawn_on.is_none_or(|d| today > d),
					Error::<T>::ReenrolTooSoon
				);
			}
			let access_log = existing.map(|e| e.access_log).unwrap_or_default();
			Consents::<T>::insert(
				health_id,
				ConsentRecord::enrolled(sources.clone(), today, access_log),
			);
			Self::deposit_event(Event::Enrolled { health_id, sources, by });
			Ok(())
		}

		/// Withdraw from the exchange ("do not accept"), at any time. Open requests and
		/// grants lapse with it. Joining again is possible from the next day. For an assisted
		/// patient, only at a registrar's own service point ([`ActScope::Protected`]).
		#[pallet::call_index(1)]
		#[pallet::weight(<T as Config>::WeightInfo::withdraw(T::MaxPendingRequests::get()))]
		pub fn withdraw(origin: OriginFor<T>, health_id: HealthId) -> DispatchResult {
			let by = Self::ensure_patient(origin, &health_id, ActScope::Protected)?;
			let today = Self::today();
			Consents::<T>::try_mutate(health_id, |c| -> DispatchResult {
				let c = c.as_mut().ok_or(Error::<T>::NotEnrolled)?;
				ensure!(c.status == EnrolmentStatus::Enrolled, Error::<T>::NotEnrolled);
				c.status = EnrolmentStatus::Withdrawn;
				c.withdrawn_on = Some(today);
				c.sensitive_opt_in = false;
				Ok(())
			})?;
			for id in PendingRequests::<T>::take(health_id) {
				Requests::<T>::remove(id);
			}
			// Grants are keyed by patient first and at most `MaxGrants` a patient, so this
			// clears exactly this patient's grants in a bounded, weighed removal.
			let _ = Grants::<T>::clear_prefix((health_id,), T::MaxGrants::get(), None);
			GrantCount::<T>::remove(health_id);
			Self::deposit_event(Event::Withdrawn { health_id, by });
			Ok(())
		}

		/// Change the source hospitals: at most once per calendar day.
		#[pallet::call_index(2)]
		#[pallet::weight(<T as Config>::WeightInfo::set_sources(T::MaxSources::get()))]
		pub fn set_sources(
			origin: OriginFor<T>,
			health_id: HealthId,
			sources: SourceSelectionOf<T>,
		) -> DispatchResult {
			let by = Self::ensure_patient(origin, &health_id, ActScope::Routine)?;
			Self::validate_sources(&sources)?;
			let today = Self::today();
			Consents::<T>::try_mutate(health_id, |c| -> DispatchResult {
				let c = c.as_mut().ok_or(Error::<T>::NotEnrolled)?;
				ensure!(c.status == EnrolmentStatus::Enrolled, Error::<T>::NotEnrolled);
				ensure!(
					c.sources_changed_on != Some(today),
					Error::<T>::SourcesAlreadyChangedToday
				);
				ensure!(c.sources != sources, Error::<T>::SourcesUnchanged);
				c.sources = sources.clone();
				c.sources_changed_on = Some(today);
				Ok(())
			})?;
			Self::deposit_event(Event::SourcesChanged { health_id, sources, by });
			Ok(())
		}

		/// Opt in to (or out of) sharing sensitive data. Off by default. For an assisted
		/// patient, only at a registrar's own service point ([`ActScope::Protected`]).
		#[pallet::call_index(3)]
		#[pallet::weight(<T as Config>::WeightInfo::set_sensitive_opt_in())]
		pub fn set_sensitive_opt_in(
			origin: OriginFor<T>,
			health_id: HealthId,
			opt_in: bool,
		) -> DispatchResult {
			let by = Self::ensure_patient(origin, &health_id, ActScope::Protected)?;
			Consents::<T>::try_mutate(health_id, |c| -> DispatchResult {
				let c = c.as_mut().ok_or(Error::<T>::NotEnrolled)?;
				ensure!(c.status == EnrolmentStatus::Enrolled, Error::<T>::NotEnrolled);
				ensure!(c.sensitive_opt_in != opt_in, Error::<T>::OptInUnchanged);
				c.sensitive_opt_in = opt_in;
				Ok(())
			})?;
			Self::deposit_event(Event::SensitiveOptInChanged { health_id, opt_in, by });
			Ok(())
		}

		/// Ask an enrolled patient for access, for a doctor of the signer's per-request
		/// hospital. `grant_for` asks for a grant shorter than the rest of the day (ms).
		#[pallet::call_index(4)]
		#[pallet::weight(<T as Config>::WeightInfo::request_access(T::MaxPendingRequests::get()))]
		pub fn request_access(
			origin: OriginFor<T>,
			health_id: HealthId,
			practitioner: LicenceNumber,
			categories: Categories,
			purpose: Purpose,
			grant_for: Option<Moment>,
		) -> DispatchResult {
			let (_, hospital) = pallet_participants::Pallet::<T>::ensure_active_gateway(origin)
				.map_err(|_| Error::<T>::NotAGateway)?;
			let policy =
				pallet_participants::Pallet::<T>::check_practitioner_at(&practitioner, &hospital)
					.map_err(Self::deny_to_error)?;
			ensure!(policy == ConsentPolicy::PerRequest, Error::<T>::NotPerRequestHospital);
			ensure!(purpose != Purpose::Emergency, Error::<T>::UseEmergencyAccess);
			ensure!(!categories.is_empty(), Error::<T>::NoCategories);
			ensure!(grant_for != Some(0), Error::<T>::ZeroGrantLifetime);
			pallet_health_id::Pallet::<T>::active_record(&health_id)
				.map_err(Self::deny_to_error)?;
			ensure!(Self::is_enrolled(&health_id), Error::<T>::NotEnrolled);

			let now = Self::now();
			let mut pending = PendingRequests::<T>::get(health_id);
			let mut from_this_hospital = 0u32;
			pending.retain(|id| match Requests::<T>::get(id) {
				Some(r) if r.expires_at > now => {
					if r.hospital == hospital {
						from_this_hospital += 1;
					}
					true
				},
				_ => {
					Requests::<T>::remove(id);
					false
				},
			});
			ensure!(
				from_this_hospital < T::MaxPendingPerHospital::get(),
				Error::<T>::TooManyRequestsFromHospital
			);
			let request_id = NextRequestId::<T>::get();
			pending.try_push(request_id).map_err(|_| Error::<T>::TooManyPendingRequests)?;
			NextRequestId::<T>::put(request_id.saturating_add(1));
			let categories = categories_from(&categories);
			let expires_at = now.saturating_add(T::RequestTtl::get());
			Requests::<T>::insert(
				request_id,
				AccessRequest {
					health_id,
					hospital: hospital.clone(),
					practitioner: practitioner.clone(),
					categories: categories.clone(),
					purpose,
					created_at: now,
					expires_at,
					grant_for,
				},
			);
			PendingRequests::<T>::insert(health_id, pending);
			Self::deposit_event(Event::AccessRequested {
				request_id,
				health_id,
				hospital,
				practitioner,
				categories,
				purpose,
				expires_at,
			});
			Ok(())
		}

		/// Approve or refuse an open request, in front of the doctor. An approval becomes a
		/// grant until the end of the day, or the shorter time the request asked for.
		#[pallet::call_index(5)]
		#[pallet::weight(<T as Config>::WeightInfo::respond(T::MaxPendingRequests::get()))]
		pub fn respond(
			origin: OriginFor<T>,
			request_id: RequestId,
			approve: bool,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let (by, request) = Self::answers_for(&who, request_id)?;
			let now = Self::now();
			ensure!(now < request.expires_at, Error::<T>::RequestExpired);
			ensure!(Self::is_enrolled(&request.health_id), Error::<T>::NotEnrolled);
			Requests::<T>::remove(request_id);
			PendingRequests::<T>::mutate(request.health_id, |p| p.retain(|id| *id != request_id));
			if approve {
				let end_of_day = start_of_next_day(Self::day(now), T::UtcOffsetSecs::get());
				let expires_at = match request.grant_for {
					Some(d) => end_of_day.min(now.saturating_add(d)),
					None => end_of_day,
				};
				Self::make_room_for_grant(&request, now)?;
				Grants::<T>::insert(
					(request.health_id, request.hospital.clone(), request.practitioner.clone()),
					AccessGrant {
						request_id,
						categories: request.categories.clone(),
						purpose: request.purpose,
						granted_at: now,
						expires_at,
					},
				);
				Self::deposit_event(Event::AccessGranted {
					request_id,
					health_id: request.health_id,
					hospital: request.hospital,
					practitioner: request.practitioner,
					categories: request.categories,
					expires_at,
					by,
				});
			} else {
				LastRefusal::<T>::insert(request.health_id, Self::day(now));
				Self::deposit_event(Event::AccessRefused {
					request_id,
					health_id: request.health_id,
					by,
				});
			}
			Ok(())
		}

		/// Revoke a grant before it expires. For an assisted patient, only at a registrar's
		/// own service point ([`ActScope::Protected`]).
		#[pallet::call_index(6)]
		#[pallet::weight(<T as Config>::WeightInfo::revoke_grant())]
		pub fn revoke_grant(
			origin: OriginFor<T>,
			health_id: HealthId,
			hospital: HospitalCode,
			practitioner: LicenceNumber,
		) -> DispatchResult {
			let by = Self::ensure_patient(origin, &health_id, ActScope::Protected)?;
			Grants::<T>::take((health_id, hospital.clone(), practitioner.clone()))
				.ok_or(Error::<T>::UnknownGrant)?;
			GrantCount::<T>::mutate(health_id, |n| *n = n.saturating_sub(1));
			Self::deposit_event(Event::GrantRevoked { health_id, hospital, practitioner, by });
			Ok(())
		}

		/// Open an emergency access for a licensed, affiliated doctor of the signer's hospital,
		/// with a reason. No patient response is needed; it is flagged, lasts
		/// `EmergencyDuration`, never covers sensitive data without the patient's opt-in, and
		/// must be reviewed by the licensing authority (never by the hospital that opened it).
		#[pallet::call_index(7)]
		#[pallet::weight(<T as Config>::WeightInfo::open_emergency_access())]
		pub fn open_emergency_access(
			origin: OriginFor<T>,
			health_id: HealthId,
			practitioner: LicenceNumber,
			reason: EmergencyReason,
		) -> DispatchResult {
			let (_, hospital) = pallet_participants::Pallet::<T>::ensure_active_gateway(origin)
				.map_err(|_| Error::<T>::NotAGateway)?;
			pallet_participants::Pallet::<T>::check_practitioner_at(&practitioner, &hospital)
				.map_err(Self::deny_to_error)?;
			pallet_health_id::Pallet::<T>::active_record(&health_id)
				.map_err(Self::deny_to_error)?;
			let unreviewed = UnreviewedEmergencies::<T>::get(&practitioner);
			ensure!(
				unreviewed < T::MaxUnreviewedEmergencies::get(),
				Error::<T>::TooManyUnreviewedEmergencies
			);
			let now = Self::now();
			let after_refusal = LastRefusal::<T>::get(health_id) == Some(Self::day(now));
			UnreviewedEmergencies::<T>::insert(&practitioner, unreviewed.saturating_add(1));
			let expires_at = now.saturating_add(T::EmergencyDuration::get());
			let emergency_id = NextEmergencyId::<T>::get();
			NextEmergencyId::<T>::put(emergency_id.saturating_add(1));
			EmergencyAccesses::<T>::insert(
				emergency_id,
				EmergencyAccess {
					health_id,
					hospital: hospital.clone(),
					practitioner: practitioner.clone(),
					reason,
					opened_at: now,
					expires_at,
					review: Review::Pending,
					after_refusal,
				},
			);
			ActiveEmergency::<T>::insert(
				(health_id, hospital.clone(), practitioner.clone()),
				emergency_id,
			);
			Self::deposit_event(Event::EmergencyAccessOpened {
				emergency_id,
				health_id,
				hospital,
				practitioner,
				reason,
				expires_at,
				after_refusal,
			});
			Ok(())
		}

		/// Review an emergency access: `Justified` or `Unjustified`. `Unjustified` ends the
		/// access at once and counts against the practitioner ([`UnjustifiedEmergencies`]). A
		/// `Justified` review can be overturned to `Unjustified` while the access is in state
		/// (until `OverturnWindow` after it ended); any other second review is refused. A
		/// hospital never reviews an access its own gateway opened: the review is the
		/// licensing authority's.
		///
		/// Origin: the licensing authority. Errors: `InvalidReview` (`Pending`),
		/// `OpenerCannotReview` (a gateway of the hospital that opened it), `NotReviewer`
		/// (anyone else), `UnknownEmergencyAccess`, `AlreadyReviewed`. Event:
		/// `EmergencyAccessReviewed` (with `overturned`).
		#[pallet::call_index(8)]
		#[pallet::weight(<T as Config>::WeightInfo::review_emergency_access())]
		pub fn review_emergency_access(
			origin: OriginFor<T>,
			emergency_id: EmergencyId,
			review: Review,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(review != Review::Pending, Error::<T>::InvalidReview);
			let mut access = EmergencyAccesses::<T>::get(emergency_id)
				.ok_or(Error::<T>::UnknownEmergencyAccess)?;
			if !pallet_participants::Pallet::<T>::is_licensing_authority(&who) {
				let opener = pallet_participants::Pallet::<T>::hospital_of_gateway(&who)
					.is_some_and(|h| h == access.hospital);
				return Err(if opener {
					Error::<T>::OpenerCannotReview
				} else {
					Error::<T>::NotReviewer
				}
				.into());
			}
			let overturned = match (access.review, review) {
				(Review::Pending, _) => false,
				(Review::Justified, Review::Unjustified) => true,
				_ => return Err(Error::<T>::AlreadyReviewed.into()),
			};
			if !overturned {
				UnreviewedEmergencies::<T>::mutate_exists(&access.practitioner, |n| {
					*n = n.map(|n| n.saturating_sub(1)).filter(|n| *n > 0)
				});
			}
			if review == Review::Unjustified {
				// Ended by the verdict: nothing permits on it any more.
				access.expires_at = access.expires_at.min(Self::now());
				UnjustifiedEmergencies::<T>::mutate(&access.practitioner, |n| {
					*n = n.saturating_add(1)
				});
			}
			access.review = review;
			EmergencyAccesses::<T>::insert(emergency_id, access.clone());
			Self::deposit_event(Event::EmergencyAccessReviewed {
				emergency_id,
				hospital: access.hospital,
				review,
				overturned,
			});
			Ok(())
		}

		/// Open an assistance session for an assisted patient (no controller key), after
		/// checking their ID card in person: for `AssistanceDuration`, at a hospital (its
		/// gateways may then act for the patient) or at the registrar's own service point
		/// (the registrar may). A new session replaces an open one.
		///
		/// Origin: a registrar. Errors: `NotRegistrar`, `UnknownHealthId`,
		/// `HealthIdDeactivated`, `NotAssisted`, `InactiveHospital`. Event:
		/// `AssistanceOpened`.
		#[pallet::call_index(9)]
		#[pallet::weight(<T as Config>::WeightInfo::open_assistance())]
		pub fn open_assistance(
			origin: OriginFor<T>,
			health_id: HealthId,
			at: Assistant,
		) -> DispatchResult {
			let registrar = ensure_signed(origin)?;
			ensure!(
				pallet_participants::Pallet::<T>::is_registrar(&registrar),
				Error::<T>::NotRegistrar
			);
			let record = pallet_health_id::HealthIds::<T>::get(health_id)
				.ok_or(Error::<T>::UnknownHealthId)?;
			ensure!(
				record.status == pallet_health_id::HealthIdStatus::Active,
				Error::<T>::HealthIdDeactivated
			);
			ensure!(record.controller == Controller::Assisted, Error::<T>::NotAssisted);
			if let Assistant::Hospital(h) = &at {
				ensure!(
					pallet_participants::Pallet::<T>::is_active_hospital(h),
					Error::<T>::InactiveHospital
				);
			}
			let expires_at = Self::now().saturating_add(T::AssistanceDuration::get());
			Assistance::<T>::insert(
				health_id,
				AssistanceSession { at: at.clone(), opened_by: registrar.clone(), expires_at },
			);
			Self::deposit_event(Event::AssistanceOpened { health_id, at, registrar, expires_at });
			Ok(())
		}

		/// Close an assistance session before it ends (the patient has left).
		///
		/// Origin: a registrar, or a gateway of the session's hospital. Errors:
		/// `NoAssistanceSession`, `NotPatient` (anyone else). Event: `AssistanceClosed`.
		#[pallet::call_index(10)]
		#[pallet::weight(<T as Config>::WeightInfo::close_assistance())]
		pub fn close_assistance(origin: OriginFor<T>, health_id: HealthId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let session = Assistance::<T>::get(health_id).ok_or(Error::<T>::NoAssistanceSession)?;
			let allowed = pallet_participants::Pallet::<T>::is_registrar(&who)
				|| matches!(
					(&session.at, pallet_participants::Pallet::<T>::hospital_of_gateway(&who)),
					(Assistant::Hospital(h), Some(mine)) if *h == mine
				);
			ensure!(allowed, Error::<T>::NotPatient);
			Assistance::<T>::remove(health_id);
			Self::deposit_event(Event::AssistanceClosed { health_id });
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		/// The current time (ms since the epoch) from the timestamp pallet.
		pub fn now() -> Moment {
			T::TimeProvider::now().as_millis() as Moment
		}

		/// The calendar day of `now` in the network's zone.
		pub fn day(now: Moment) -> Day {
			day_of(now, T::UtcOffsetSecs::get())
		}

		/// Today's calendar day in the network's zone.
		pub fn today() -> Day {
			Self::day(Self::now())
		}

		/// Whether the patient is enrolled now.
		pub fn is_enrolled(health_id: &HealthId) -> bool {
			Consents::<T>::get(health_id).is_some_and(|c| c.status == EnrolmentStatus::Enrolled)
		}

		/// Whether `hospital` may send the patient's data into the exchange now: the patient
		/// is enrolled, their health ID is active, the hospital is active and selected.
		pub fn is_source_of(
			health_id: &HealthId,
			hospital: &HospitalCode,
		) -> Result<(), SourceRefusal> {
			match pallet_health_id::Pallet::<T>::active_record(health_id) {
				Err(DenyReason::PatientDeactivated) => {
					return Err(SourceRefusal::PatientDeactivated)
				},
				Err(_) => return Err(SourceRefusal::UnknownPatient),
				Ok(_) => {},
			}
			let consent = Consents::<T>::get(health_id).ok_or(SourceRefusal::NotEnrolled)?;
			if consent.status != EnrolmentStatus::Enrolled {
				return Err(SourceRefusal::Withdrawn);
			}
			let h = pallet_participants::Hospitals::<T>::get(hospital)
				.ok_or(SourceRefusal::UnknownHospital)?;
			if h.status != pallet_participants::HospitalStatus::Active {
				return Err(SourceRefusal::HospitalSuspended);
			}
			if !consent.sources.includes(hospital) {
				return Err(SourceRefusal::NotSelected);
			}
			Ok(())
		}

		/// THE consent decision: may `practitioner`, treating at `hospital`, see
		/// `health_id`'s `categories` for `purpose` at time `now`?
		///
		/// Order of checks: categories asked for; hospital active and practitioner licensed,
		/// affiliated and past the terms; health ID active; patient enrolled; sensitive data
		/// opted in; then emergency access (for the emergency purpose), the hospital's
		/// one-time policy, or an unexpired grant covering the categories and purpose
		/// (per-request policy; otherwise `NeedsRequest`).
		pub fn decide(
			practitioner: &LicenceNumber,
			hospital: &HospitalCode,
			health_id: &HealthId,
			categories: &[DataCategory],
			purpose: Purpose,
			now: Moment,
		) -> Decision {
			match Self::evaluate(practitioner, hospital, health_id, categories, purpose, now) {
				Ok(Some(basis)) => Decision::Permit(basis),
				Ok(None) => Decision::NeedsRequest,
				Err(reason) => Decision::Deny(reason),
			}
		}

		fn evaluate(
			practitioner: &LicenceNumber,
			hospital: &HospitalCode,
			health_id: &HealthId,
			categories: &[DataCategory],
			purpose: Purpose,
			now: Moment,
		) -> Result<Option<PermitBasis>, DenyReason> {
			if categories.is_empty() {
				return Err(DenyReason::NoCategories);
			}
			let policy =
				pallet_participants::Pallet::<T>::check_practitioner_at(practitioner, hospital)?;
			pallet_health_id::Pallet::<T>::active_record(health_id)?;
			let consent = Consents::<T>::get(health_id).ok_or(DenyReason::NotEnrolled)?;
			if consent.status != EnrolmentStatus::Enrolled {
				return Err(DenyReason::Withdrawn);
			}
			if categories.contains(&DataCategory::Sensitive) && !consent.sensitive_opt_in {
				return Err(DenyReason::SensitiveNotOptedIn);
			}
			let key = (*health_id, hospital.clone(), practitioner.clone());
			if purpose == Purpose::Emergency {
				let open = ActiveEmergency::<T>::get(key.clone())
					.and_then(EmergencyAccesses::<T>::get)
					.is_some_and(|e| now >= e.opened_at && now < e.expires_at);
				return if open {
					Ok(Some(PermitBasis::Emergency))
				} else {
					Err(DenyReason::NoEmergencyAccess)
				};
			}
			match policy {
				ConsentPolicy::OneTime => Ok(Some(PermitBasis::Enrolment)),
				ConsentPolicy::PerRequest => {
					let covered = Grants::<T>::get(key.clone()).is_some_and(|g| {
						g.is_live(now)
							&& g.purpose == purpose
							&& categories.iter().all(|c| g.categories.contains(c))
					});
					Ok(covered.then_some(PermitBasis::Grant))
				},
			}
		}

		/// The head of `health_id`'s access log (empty if they never enrolled).
		pub fn access_log_head(health_id: &HealthId) -> LogHead {
			Consents::<T>::get(health_id).map(|c| c.access_log).unwrap_or_default()
		}

		/// Appends to `health_id`'s access log, kept in their consent record: `append` turns
		/// the log's head into the next one. Answers the heads before and after, or `None`,
		/// writing nothing, if the patient has no consent record (never so for an access the
		/// consent decision permitted). Only the access-log pallet appends.
		pub fn append_access_log(
			health_id: &HealthId,
			append: impl FnOnce(&LogHead) -> LogHead,
		) -> Option<(LogHead, LogHead)> {
			Consents::<T>::try_mutate_exists(health_id, |record| {
				let record = record.as_mut().ok_or(())?;
				let prev = record.access_log;
				record.access_log = append(&prev);
				Ok::<_, ()>((prev, record.access_log))
			})
			.ok()
		}

		/// A patient's consent state, for the `HealthApi` runtime API.
		pub fn consent_view(
			health_id: &HealthId,
		) -> Option<healthchain_primitives::views::ConsentView> {
			let today = Self::today();
			Consents::<T>::get(health_id).map(|c| {
				let enrolled = c.status == EnrolmentStatus::Enrolled;
				healthchain_primitives::views::ConsentView {
					enrolled,
					sources: match &c.sources {
						SourceSelection::All => None,
						SourceSelection::Only(list) => Some(list.clone().into_inner()),
					},
					sensitive_opt_in: c.sensitive_opt_in,
					enrolled_on: c.enrolled_on,
					sources_changed_on: c.sources_changed_on,
					withdrawn_on: c.withdrawn_on,
					today,
					can_change_sources_today: enrolled && c.sources_changed_on != Some(today),
					can_enrol_today: !enrolled && c.withdrawn_on.is_none_or(|d| today > d),
				}
			})
		}

		/// A patient's open, unexpired requests, for the `HealthApi` runtime API.
		pub fn pending_request_views(
			health_id: &HealthId,
		) -> Vec<healthchain_primitives::views::RequestView> {
			let now = Self::now();
			PendingRequests::<T>::get(health_id)
				.into_iter()
				.filter_map(|id| Requests::<T>::get(id).map(|r| (id, r)))
				.filter(|(_, r)| r.expires_at > now)
				.map(|(id, r)| healthchain_primitives::views::RequestView {
					id,
					hospital: r.hospital,
					practitioner: r.practitioner,
					categories: r.categories,
					purpose: r.purpose,
					created_at: r.created_at,
					expires_at: r.expires_at,
				})
				.collect()
		}

		/// A patient's grants that still permit now (expired ones left out, pruned or not), for
		/// the `HealthApi` runtime API: the one live-grants answer gateways, the FHIR facade and
		/// the patient app read.
		pub fn live_grant_views(
			health_id: &HealthId,
		) -> Vec<healthchain_primitives::views::GrantView> {
			let now = Self::now();
			Grants::<T>::iter_prefix((*health_id,))
				.filter(|(_, g)| g.is_live(now))
				.map(|((hospital, practitioner), g)| healthchain_primitives::views::GrantView {
					request_id: g.request_id,
					hospital,
					practitioner,
					categories: g.categories,
					purpose: g.purpose,
					granted_at: g.granted_at,
					expires_at: g.expires_at,
				})
				.collect()
		}

		/// The grant or emergency access a permit rests on, for the access log.
		pub fn basis_reference(
			practitioner: &LicenceNumber,
			hospital: &HospitalCode,
			health_id: &HealthId,
			basis: PermitBasis,
		) -> healthchain_primitives::logs::AccessBasis {
			use healthchain_primitives::logs::AccessBasis;
			let key = (*health_id, hospital.clone(), practitioner.clone());
			match basis {
				PermitBasis::Enrolment => AccessBasis::Enrolment,
				PermitBasis::Grant => AccessBasis::Grant(
					Grants::<T>::get(key.clone()).map(|g| g.request_id).unwrap_or_default(),
				),
				PermitBasis::Emergency => AccessBasis::Emergency(
					ActiveEmergency::<T>::get(key.clone()).unwrap_or_default(),
				),
			}
		}

		/// Checks that the signer acts for the patient in `scope` ([`Pallet::acts_for`]).
		pub fn ensure_patient(
			origin: OriginFor<T>,
			health_id: &HealthId,
			scope: ActScope,
		) -> Result<Actor, DispatchError> {
			let who = ensure_signed(origin)?;
			Self::acts_for(&who, health_id, scope).map_err(Into::into)
		}

		/// THE rule of who answers an open request (asked at dispatch and by the runtime's
		/// permission gate): whoever acts for its patient ([`Pallet::acts_for`],
		/// [`ActScope::Routine`]), except the hospital that asked: neither its gateways in an
		/// assistance session at it nor a registrar at its own service point answer for the
		/// patient (`OwnHospitalRequest`). Returns who acted and the request.
		pub fn answers_for(
			who: &T::AccountId,
			request_id: RequestId,
		) -> Result<(Actor, AccessRequest), Error<T>> {
			let request = Requests::<T>::get(request_id).ok_or(Error::<T>::UnknownRequest)?;
			let by = Self::acts_for(who, &request.health_id, ActScope::Routine)?;
			let own_hospital = match &by {
				Actor::Patient => false,
				Actor::AssistedAt(h) => *h == request.hospital,
				Actor::AssistedAtServicePoint => {
					pallet_participants::Pallet::<T>::service_point_hospital(who).as_ref()
						== Some(&request.hospital)
				},
			};
			ensure!(!own_hospital, Error::<T>::OwnHospitalRequest);
			Ok((by, request))
		}

		/// THE rule of who acts for a patient, asked at dispatch and by the runtime's
		/// permission gate at pool validation: the patient's controller key; for an assisted
		/// patient, within an open assistance session, a gateway of the session's active
		/// hospital ([`ActScope::Routine`] acts only) or the registrar that opened a
		/// service-point session (every act).
		pub fn acts_for(
			who: &T::AccountId,
			health_id: &HealthId,
			scope: ActScope,
		) -> Result<Actor, Error<T>> {
			let record = pallet_health_id::HealthIds::<T>::get(health_id)
				.ok_or(Error::<T>::UnknownHealthId)?;
			ensure!(
				record.status == pallet_health_id::HealthIdStatus::Active,
				Error::<T>::HealthIdDeactivated
			);
			match record.controller {
				Controller::Key(key) if &key == who => Ok(Actor::Patient),
				Controller::Assisted => {
					let session = Assistance::<T>::get(health_id)
						.filter(|s| Self::now() < s.expires_at)
						.ok_or(Error::<T>::NoAssistanceSession)?;
					match session.at {
						Assistant::Hospital(h) => {
							let mine = pallet_participants::Pallet::<T>::hospital_of_gateway(who)
								.filter(pallet_participants::Pallet::<T>::is_active_hospital);
							ensure!(mine.as_ref() == Some(&h), Error::<T>::NotPatient);
							ensure!(scope == ActScope::Routine, Error::<T>::NeedsServicePoint);
							Ok(Actor::AssistedAt(h))
						},
						Assistant::ServicePoint => {
							ensure!(
								&session.opened_by == who
									&& pallet_participants::Pallet::<T>::is_registrar(who),
								Error::<T>::NotPatient
							);
							Ok(Actor::AssistedAtServicePoint)
						},
					}
				},
				_ => Err(Error::<T>::NotPatient),
			}
		}

		/// The patient an open request is addressed to.
		pub fn request_patient(request_id: RequestId) -> Option<HealthId> {
			Requests::<T>::get(request_id).map(|r| r.health_id)
		}

		/// Makes room for the grant `request` will become: a grant for the same hospital and
		/// practitioner is replaced; otherwise, with `MaxGrants` held, expired grants are
		/// pruned (a bounded walk of this patient's grants).
		fn make_room_for_grant(request: &AccessRequest, now: Moment) -> DispatchResult {
			let key = (request.health_id, request.hospital.clone(), request.practitioner.clone());
			if Grants::<T>::contains_key(key) {
				return Ok(());
			}
			let mut count = GrantCount::<T>::get(request.health_id);
			if count >= T::MaxGrants::get() {
				let expired: Vec<_> = Grants::<T>::iter_prefix((request.health_id,))
					.take(T::MaxGrants::get() as usize)
					.filter(|(_, g)| g.expires_at <= now)
					.map(|(k, _)| k)
					.collect();
				for (hospital, practitioner) in expired {
					Grants::<T>::remove((request.health_id, hospital, practitioner));
					count = count.saturating_sub(1);
				}
			}
			ensure!(count < T::MaxGrants::get(), Error::<T>::TooManyGrants);
			GrantCount::<T>::insert(request.health_id, count.saturating_add(1));
			Ok(())
		}

		/// One step's weight of the on-idle pruning: the cursor, one entry and its index.
		/// The weight of pruning one entry, request or emergency access, whichever costs
		/// more (the slopes of the `prune` benchmark).
		fn prune_step_weight() -> Weight {
			let base = <T as Config>::WeightInfo::prune(0, 0);
			let request = <T as Config>::WeightInfo::prune(1, 0).saturating_sub(base);
			let emergency = <T as Config>::WeightInfo::prune(0, 1).saturating_sub(base);
			request.max(emergency)
		}

		/// Prunes, oldest first, lapsed requests (with their place in the patient's open list)
		/// and emergency accesses that are reviewed and over, while `remaining` allows; stops
		/// at the first entry still needed. Returns the weight used.
		pub fn prune(remaining: Weight) -> Weight {
			let step = Self::prune_step_weight();
			// The cursor and the two next identifiers, and the cursor written (benchmarked).
			let mut used = <T as Config>::WeightInfo::prune(0, 0);
			if remaining.any_lt(used.saturating_add(step)) {
				return Weight::zero();
			}
			let now = Self::now();
			let mut cursor = Pruning::<T>::get();
			let start = cursor;
			let next_request = NextRequestId::<T>::get();
			while cursor.request < next_request && remaining.all_gte(used.saturating_add(step)) {
				used.saturating_accrue(step);
				match Requests::<T>::get(cursor.request) {
					Some(r) if r.expires_at > now => break,
					Some(r) => {
						Requests::<T>::remove(cursor.request);
						let id = cursor.request;
						PendingRequests::<T>::mutate_exists(r.health_id, |p| {
							if let Some(list) = p {
								list.retain(|x| *x != id);
								if list.is_empty() {
									*p = None;
								}
							}
						});
					},
					None => {},
				}
				cursor.request = cursor.request.saturating_add(1);
			}
			let next_emergency = NextEmergencyId::<T>::get();
			while cursor.emergency < next_emergency && remaining.all_gte(used.saturating_add(step))
			{
				used.saturating_accrue(step);
				match EmergencyAccesses::<T>::get(cursor.emergency) {
					Some(e) if !Self::prunable(&e, now) => break,
					Some(e) => {
						EmergencyAccesses::<T>::remove(cursor.emergency);
						let key = (e.health_id, e.hospital, e.practitioner);
						if ActiveEmergency::<T>::get(key.clone()) == Some(cursor.emergency) {
							ActiveEmergency::<T>::remove(key);
						}
					},
					None => {},
				}
				cursor.emergency = cursor.emergency.saturating_add(1);
			}
			if cursor != start {
				Pruning::<T>::put(cursor);
			}
			used
		}

		/// Whether an emergency access can leave state: reviewed and ended, and if `Justified`
		/// past the time it can still be overturned (`OverturnWindow` after it ended).
		fn prunable(e: &EmergencyAccess, now: Moment) -> bool {
			match e.review {
				Review::Pending => false,
				Review::Unjustified => e.expires_at <= now,
				Review::Justified => e.expires_at.saturating_add(T::OverturnWindow::get()) <= now,
			}
		}

		/// Emergency accesses still waiting for review `ReviewDeadline` after they were
		/// opened, oldest first, at most `limit`, for the licensing authority (walks the
		/// emergency accesses still in state, which the pruning keeps to the unreviewed and
		/// the unended; at most 10 000 of them are looked at).
		pub fn overdue_reviews(limit: u32) -> Vec<(EmergencyId, EmergencyAccess)> {
			let now = Self::now();
			let deadline = T::ReviewDeadline::get();
			let next = NextEmergencyId::<T>::get()
				.min(Pruning::<T>::get().emergency.saturating_add(10_000));
			let mut out = Vec::new();
			let mut id = Pruning::<T>::get().emergency;
			while id < next && out.len() < limit as usize {
				if let Some(e) = EmergencyAccesses::<T>::get(id) {
					if e.review == Review::Pending && e.opened_at.saturating_add(deadline) <= now {
						out.push((id, e));
					}
				}
				id = id.saturating_add(1);
			}
			out
		}

		/// [`Self::overdue_reviews`] as the `HealthApi` runtime API serves them: at most
		/// `limit`, and never more than [`healthchain_primitives::MAX_OVERDUE_PAGE`].
		pub fn overdue_review_views(
			limit: u32,
		) -> Vec<healthchain_primitives::views::OverdueReview> {
			use healthchain_primitives::views::OverdueReview;
			let deadline = T::ReviewDeadline::get();
			Self::overdue_reviews(limit.min(healthchain_primitives::MAX_OVERDUE_PAGE))
				.into_iter()
				.map(|(emergency_id, e)| OverdueReview {
					emergency_id,
					health_id: e.health_id,
					hospital: e.hospital,
					practitioner: e.practitioner,
					reason: e.reason,
					opened_at: e.opened_at,
					review_due_at: e.opened_at.saturating_add(deadline),
					after_refusal: e.after_refusal,
				})
				.collect()
		}

		fn validate_sources(sources: &SourceSelectionOf<T>) -> DispatchResult {
			if let SourceSelection::Only(list) = sources {
				ensure!(!list.is_empty(), Error::<T>::EmptySourceList);
				for (i, h) in list.iter().enumerate() {
					ensure!(!list[..i].contains(h), Error::<T>::DuplicateSource);
					ensure!(
						pallet_participants::Pallet::<T>::is_active_hospital(h),
						Error::<T>::InactiveSource
					);
				}
			}
			Ok(())
		}

		fn deny_to_error(reason: DenyReason) -> DispatchError {
			match reason {
				DenyReason::UnknownHospital | DenyReason::HospitalSuspended => {
					Error::<T>::NotAGateway
				},
				DenyReason::UnknownPractitioner => Error::<T>::UnknownPractitioner,
				DenyReason::PractitionerNotLicensed => Error::<T>::PractitionerNotLicensed,
				DenyReason::NotAffiliated => Error::<T>::NotAffiliated,
				DenyReason::TermsNotAccepted => Error::<T>::TermsNotAccepted,
				DenyReason::UnknownPatient => Error::<T>::UnknownHealthId,
				DenyReason::PatientDeactivated => Error::<T>::HealthIdDeactivated,
				DenyReason::NotEnrolled | DenyReason::Withdrawn => Error::<T>::NotEnrolled,
				DenyReason::NoCategories => Error::<T>::NoCategories,
				DenyReason::SensitiveNotOptedIn | DenyReason::NoEmergencyAccess => {
					Error::<T>::NotPatient
				},
			}
			.into()
		}
	}
}
