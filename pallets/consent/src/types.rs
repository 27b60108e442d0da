//! Types stored by the consent pallet.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{
	traits::Get, BoundedVec, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound,
};
use healthchain_primitives::{
	logs::LogHead, Categories, Day, HealthId, HospitalCode, LicenceNumber, Moment, Purpose,
};
use scale_info::TypeInfo;

/// Identifier of a per-request consent request.
pub type RequestId = u64;
/// Identifier of an emergency access.
pub type EmergencyId = u64;

/// Which source hospitals may send a patient's data into the exchange.
#[derive(
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	DebugNoBound,
)]
#[scale_info(skip_type_params(MaxSources))]
#[codec(mel_bound())]
pub enum SourceSelection<MaxSources: Get<u32>> {
	/// Every participating hospital, including hospitals that join later.
	All,
	/// Only these hospitals.
	Only(BoundedVec<HospitalCode, MaxSources>),
}

impl<M: Get<u32>> SourceSelection<M> {
	/// Whether `hospital` is selected (activity of the hospital is checked elsewhere).
	pub fn includes(&self, hospital: &HospitalCode) -> bool {
		match self {
			SourceSelection::All => true,
			SourceSelection::Only(list) => list.contains(hospital),
		}
	}
}

/// Whether a patient takes part in the exchange.
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
	Debug,
)]
pub enum EnrolmentStatus {
	/// Joined: their data may be exchanged under the rules.
	Enrolled,
	/// Withdrew ("do not accept"); may join again from the next day.
	Withdrawn,
}

/// A patient's consent state.
#[derive(
	CloneNoBound, PartialEqNoBound, EqNoBound, Encode, Decode, MaxEncodedLen, TypeInfo, DebugNoBound,
)]
#[scale_info(skip_type_params(MaxSources))]
#[codec(mel_bound())]
pub struct ConsentRecord<MaxSources: Get<u32>> {
	/// Enrolled or withdrawn.
	pub status: EnrolmentStatus,
	/// The source hospitals chosen.
	pub sources: SourceSelection<MaxSources>,
	/// Whether sensitive data may be shared (a separate, explicit opt-in).
	pub sensitive_opt_in: bool,
	/// The day of the latest enrolment.
	pub enrolled_on: Day,
	/// The day the source selection was last changed after enrolling, if ever.
	pub sources_changed_on: Option<Day>,
	/// The day of the latest withdrawal, if any.
	pub withdrawn_on: Option<Day>,
	/// The patient's access log (entry count and hash-chain head), appended to by the
	/// access-log pallet alone. It is kept here, beside the consent state, because every
	/// attestation reads this record for the consent decision: the log then costs an access
	/// no storage item of its own. It outlives a withdrawal and carries over a new enrolment.
	pub access_log: LogHead,
}

impl<MaxSources: Get<u32>> ConsentRecord<MaxSources> {
	/// A new enrolment on `today` with these sources: no sensitive opt-in, no changes yet;
	/// the patient's access log so far (empty at a first enrolment) carried over.
	pub fn enrolled(sources: SourceSelection<MaxSources>, today: Day, access_log: LogHead) -> Self {
		Self {
			status: EnrolmentStatus::Enrolled,
			sources,
			sensitive_opt_in: false,
			enrolled_on: today,
			sources_changed_on: None,
			withdrawn_on: None,
			access_log,
		}
	}
}

/// Who acted for the patient.
#[derive(
	Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug,
)]
pub enum Actor {
	/// The patient, with their controller key.
	Patient,
	/// ASSISTED: a gateway of this hospital, for an assisted patient present there, within an
	/// assistance session a registrar opened after checking the patient's ID card.
	AssistedAt(HospitalCode),
	/// ASSISTED: the registrar (service point) that opened the assistance session, for an
	/// assisted patient in front of it.
	AssistedAtServicePoint,
}

impl Actor {
	/// Whether someone acted for the patient (an assisted act).
	pub fn is_assisted(&self) -> bool {
		!matches!(self, Actor::Patient)
	}
}

/// Where an assisted patient is served during an assistance session.
#[derive(
	Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug,
)]
pub enum Assistant {
	/// At this hospital: its gateways act for the patient.
	Hospital(HospitalCode),
	/// At the registrar's own service point: the registrar acts for the patient.
	ServicePoint,
}

/// What an act for a patient may change, which decides who may make it for an assisted
/// patient ([`crate::Pallet::acts_for`]).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ActScope {
	/// Enrolling, changing the source hospitals, answering another hospital's request: the
	/// patient's key, or within an assistance session at a hospital (its gateways) or at a
	/// registrar's service point (that registrar).
	Routine,
	/// The sensitive-data opt-in, withdrawal (which starts crypto-shredding at every source)
	/// and revoking a grant: the patient's key, or within a session at a registrar's own
	/// service point only; never a hospital, which could open the patient's sensitive data to
	/// its own doctors.
	Protected,
}

/// A short-lived assistance session: the fresh evidence of an assisted patient's presence,
/// without which nobody can act for them.
#[derive(Clone, PartialEq, Eq, Encode, Decode, MaxEncodedLen, TypeInfo, Debug)]
pub struct AssistanceSession<AccountId> {
	/// Where the patient is served.
	pub at: Assistant,
	/// The registrar that checked the patient's ID card and opened it.
	pub opened_by: AccountId,
	/// When it ends (ms, exclusive).
	pub expires_at: Moment,
}

/// An open per-request consent request, waiting for the patient's answer.
#[derive(Clone, PartialEq, Eq, Encode, Decode, MaxEncodedLen, TypeInfo, Debug)]
pub struct AccessRequest {
	/// The patient.
	pub health_id: HealthId,
	/// The hospital where the doctor treats.
	pub hospital: HospitalCode,
	/// The doctor.
	pub practitioner: LicenceNumber,
	/// The categories asked for.
	pub categories: Categories,
	/// Why.
	pub purpose: Purpose,
	/// When it was made (ms).
	pub created_at: Moment,
	/// When it lapses unanswered (ms).
	pub expires_at: Moment,
	/// Shorter grant lifetime asked for (ms), if any; otherwise the grant ends with the day.
	pub grant_for: Option<Moment>,
}

/// An access grant: an approved request.
#[derive(Clone, PartialEq, Eq, Encode, Decode, MaxEncodedLen, TypeInfo, Debug)]
pub struct AccessGrant {
	/// The request it came from.
	pub request_id: RequestId,
	/// The categories covered.
	pub categories: Categories,
	/// The purpose covered.
	pub purpose: Purpose,
	/// When it was granted (ms).
	pub granted_at: Moment,
	/// When it stops permitting (ms, exclusive).
	pub expires_at: Moment,
}

impl AccessGrant {
	/// Whether the grant permits at `now` (ms): granted and not yet expired. The one rule the
	/// consent decision and the live-grants view both ask.
	pub fn is_live(&self, now: Moment) -> bool {
		now >= self.granted_at && now < self.expires_at
	}
}

/// Why an emergency access was opened: defined once, in the primitives.
pub use healthchain_primitives::EmergencyReason;

/// The hospital's review of an emergency access.
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
	Debug,
)]
pub enum Review {
	/// Not reviewed yet.
	Pending,
	/// Reviewed: the emergency access was justified.
	Justified,
	/// Reviewed: the emergency access was not justified (for follow-up off chain).
	Unjustified,
}

/// An emergency ("break glass") access: time-boxed, flagged and reviewed.
#[derive(Clone, PartialEq, Eq, Encode, Decode, MaxEncodedLen, TypeInfo, Debug)]
pub struct EmergencyAccess {
	/// The patient.
	pub health_id: HealthId,
	/// The hospital.
	pub hospital: HospitalCode,
	/// The doctor.
	pub practitioner: LicenceNumber,
	/// Why.
	pub reason: EmergencyReason,
	/// When it was opened (ms).
	pub opened_at: Moment,
	/// When it stops permitting (ms, exclusive).
	pub expires_at: Moment,
	/// The hospital's (or the licensing authority's) review.
	pub review: Review,
	/// FLAGGED: opened on a day the patient had refused a consent request.
	pub after_refusal: bool,
}

/// Where the on-idle pruning has got to: every request and emergency access below these
/// identifiers is gone or still needed.
#[derive(Clone, Copy, PartialEq, Eq, Default, Encode, Decode, MaxEncodedLen, TypeInfo, Debug)]
pub struct PruneCursor {
	/// The oldest request that may still be in state.
	pub request: RequestId,
	/// The oldest emergency access that may still be in state.
	pub emergency: EmergencyId,
}

/// Why a hospital may not send a patient's data into the exchange: defined in the shared
/// primitives because the `HealthApi` runtime API and the `health_sourceCheck` RPC return it.
pub use healthchain_primitives::SourceRefusal;
