//! Read-only views of chain state for gateways and the node's `health_*` RPC, returned by the
//! [`crate::HealthApi`] runtime API. Plain, non-generic over runtime constants.

pub use crate::EmergencyReason;
use crate::{
	Categories, ConsentPolicy, Day, DocumentKind, HealthId, HospitalCode, LicenceNumber,
	LicenceStatus, Moment, Purpose,
};
use alloc::vec::Vec;
use codec::{Decode, Encode};
use scale_info::TypeInfo;

/// A hospital.
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub struct HospitalView<AccountId> {
	/// Hospital code.
	pub code: HospitalCode,
	/// Public name (UTF-8).
	pub name: Vec<u8>,
	/// Consent policy.
	pub policy: ConsentPolicy,
	/// Active (not suspended).
	pub active: bool,
	/// Gateway accounts.
	pub gateways: Vec<AccountId>,
}

/// A practitioner.
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub struct PractitionerView {
	/// Licence number.
	pub licence: LicenceNumber,
	/// Licence state.
	pub status: LicenceStatus,
	/// Hospitals the practitioner is affiliated with.
	pub affiliations: Vec<HospitalCode>,
	/// Terms accepted.
	pub terms_accepted: bool,
}

/// A health ID.
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub struct HealthIdView<AccountId> {
	/// Document kind.
	pub document: DocumentKind,
	/// Controller key; `None` for an assisted patient.
	pub controller: Option<AccountId>,
	/// Active (not deactivated).
	pub active: bool,
}

/// A patient's consent state, with what they may do today.
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub struct ConsentView {
	/// Enrolled now.
	pub enrolled: bool,
	/// `None` = all hospitals; otherwise the selected source hospitals.
	pub sources: Option<Vec<HospitalCode>>,
	/// Sensitive data opted in.
	pub sensitive_opt_in: bool,
	/// Day of the latest enrolment.
	pub enrolled_on: Day,
	/// Day of the latest source change, if any.
	pub sources_changed_on: Option<Day>,
	/// Day of the latest withdrawal, if any.
	pub withdrawn_on: Option<Day>,
	/// Today (network time zone).
	pub today: Day,
	/// Whether the source selection can still be changed today.
	pub can_change_sources_today: bool,
	/// Whether the patient may enrol again today.
	pub can_enrol_today: bool,
}

/// An open per-request consent request.
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub struct RequestView {
	/// Request identifier (answer it with `consent.respond`).
	pub id: u64,
	/// Hospital.
	pub hospital: HospitalCode,
	/// Doctor.
	pub practitioner: LicenceNumber,
	/// Categories asked for.
	pub categories: Categories,
	/// Purpose.
	pub purpose: Purpose,
	/// When it was made (ms).
	pub created_at: Moment,
	/// When it lapses (ms).
	pub expires_at: Moment,
}

/// A grant from an approved per-request consent request that still permits at the chain's
/// clock (`AccessGrant::is_live`): what the patient allowed, to whom, until when. Expired
/// grants the chain has not pruned yet are left out.
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub struct GrantView {
	/// The request it came from.
	pub request_id: u64,
	/// Hospital it was granted to.
	pub hospital: HospitalCode,
	/// Doctor it was granted to.
	pub practitioner: LicenceNumber,
	/// Categories covered.
	pub categories: Categories,
	/// Purpose covered.
	pub purpose: Purpose,
	/// When it was granted (ms).
	pub granted_at: Moment,
	/// When it stops permitting (ms, exclusive).
	pub expires_at: Moment,
}

/// An emergency access whose review is overdue: still pending `ReviewDeadline` after it was
/// opened. What the licensing authority needs to follow it up and review it
/// (`Consent.review_emergency_access`); nothing beyond what the chain already holds.
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub struct OverdueReview {
	/// Emergency access identifier (review it with `Consent.review_emergency_access`).
	pub emergency_id: u64,
	/// The patient.
	pub health_id: HealthId,
	/// The hospital that opened it.
	pub hospital: HospitalCode,
	/// The doctor it was opened for.
	pub practitioner: LicenceNumber,
	/// Why it was opened.
	pub reason: EmergencyReason,
	/// When it was opened (ms).
	pub opened_at: Moment,
	/// When its review fell due (ms): `opened_at + ReviewDeadline`.
	pub review_due_at: Moment,
	/// Opened on a day the patient had refused a consent request.
	pub after_refusal: bool,
}
