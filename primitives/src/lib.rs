//! Types shared by the HealthChain runtime, the node's `health_*` RPC, the hospital gateway and
//! clients.
//!
//! Nothing here carries personal data: a patient is a [`HealthId`], a keyed hash of an identity
//! document computed off chain (see [`document`]); hospitals and practitioners are identified by
//! their public registry codes.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod demo;
pub mod document;
pub mod logs;
pub mod views;

use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use serde::{Deserialize, Serialize};
use sp_core::ConstU32;
use sp_runtime::BoundedVec;

/// Milliseconds since the Unix epoch (the timestamp pallet's unit).
pub type Moment = u64;

/// A calendar day number in the network's civil time zone (Asia/Bangkok for the Thai network):
/// days since 1970-01-01 in that zone.
pub type Day = u32;

/// Milliseconds in a day.
pub const MILLIS_PER_DAY: u64 = 86_400_000;

/// Maximum length of a hospital code (the Thai 5-digit HCODE fits with room to spare).
pub const MAX_HOSPITAL_CODE_LEN: u32 = 16;
/// Maximum record hashes named by one access attestation (for benchmark ranges).
pub const MAX_RECORDS_PER_ATTESTATION_U32: u32 = logs::MAX_RECORDS_PER_ATTESTATION;

/// Maximum length of a practitioner's licence number.
pub const MAX_LICENCE_LEN: u32 = 16;

/// Most overdue emergency-access reviews one `HealthApi::overdue_reviews` call returns (the
/// runtime caps a larger `limit` to this; the `health_overdueReviews` RPC refuses it).
pub const MAX_OVERDUE_PAGE: u32 = 100;

/// A hospital's public registry code, e.g. `b"10662"`.
pub type HospitalCode = BoundedVec<u8, ConstU32<MAX_HOSPITAL_CODE_LEN>>;

/// A practitioner's public licence number from the licensing authority, e.g. `b"MD12345"`.
pub type LicenceNumber = BoundedVec<u8, ConstU32<MAX_LICENCE_LEN>>;

/// The calendar day of `now` (milliseconds since the epoch) for a zone `offset_secs` east of UTC.
///
/// Bangkok is UTC+7, so its day changes at 17:00 UTC.
pub fn day_of(now: Moment, offset_secs: i64) -> Day {
	let local_secs = (now / 1000) as i64 + offset_secs;
	local_secs.div_euclid(86_400).clamp(0, u32::MAX as i64) as Day
}

/// The first millisecond (UTC epoch) of the day after `day` in a zone `offset_secs` east of UTC.
pub fn start_of_next_day(day: Day, offset_secs: i64) -> Moment {
	let next_local_secs = (day as i64 + 1) * 86_400;
	((next_local_secs - offset_secs).max(0) as u64) * 1000
}

/// A patient's digital health ID: BLAKE2b-256 keyed with the network lookup secret over the
/// normalised identity document (see [`document::derive_health_id`]).
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	PartialOrd,
	Ord,
	Hash,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
)]
pub struct HealthId(pub [u8; 32]);

impl HealthId {
	/// `0x`-prefixed lower-case hex, the form used in JSON.
	pub fn to_hex(&self) -> alloc::string::String {
		hex_encode(&self.0)
	}

	/// Parses `0x`-prefixed (or bare) hex of exactly 32 bytes.
	pub fn from_hex(s: &str) -> Result<Self, HexError> {
		let mut out = [0u8; 32];
		hex_decode_into(s, &mut out)?;
		Ok(HealthId(out))
	}
}

impl Serialize for HealthId {
	fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
		s.serialize_str(&self.to_hex())
	}
}

impl<'de> Deserialize<'de> for HealthId {
	fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
		let s = alloc::string::String::deserialize(d)?;
		HealthId::from_hex(&s).map_err(serde::de::Error::custom)
	}
}

impl core::str::FromStr for HealthId {
	type Err = HexError;

	/// Parses `0x`-prefixed (or bare) hex of exactly 32 bytes, as on a command line.
	fn from_str(s: &str) -> Result<Self, Self::Err> {
		HealthId::from_hex(s)
	}
}

/// Why a hex string was refused.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum HexError {
	/// The string has the wrong number of hex digits.
	WrongLength {
		/// Bytes expected.
		expected: usize,
		/// Hex digits found (after any `0x`).
		found_digits: usize,
	},
	/// A character is not a hex digit.
	NotHex,
}

impl core::fmt::Display for HexError {
	fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
		match self {
			HexError::WrongLength { expected, found_digits } => write!(
				f,
				"expected {} hex digits ({} bytes), found {}",
				expected * 2,
				expected,
				found_digits
			),
			HexError::NotHex => write!(f, "not a hex string"),
		}
	}
}

impl core::error::Error for HexError {}

/// `0x`-prefixed lower-case hex of `bytes`.
pub fn hex_encode(bytes: &[u8]) -> alloc::string::String {
	const DIGITS: &[u8; 16] = b"0123456789abcdef";
	let mut s = alloc::string::String::with_capacity(2 + bytes.len() * 2);
	s.push_str("0x");
	for b in bytes {
		s.push(DIGITS[(b >> 4) as usize] as char);
		s.push(DIGITS[(b & 0xf) as usize] as char);
	}
	s
}

/// Decodes `0x`-prefixed (or bare) hex into exactly `out.len()` bytes.
pub fn hex_decode_into(s: &str, out: &mut [u8]) -> Result<(), HexError> {
	let digits = s.strip_prefix("0x").unwrap_or(s).as_bytes();
	if digits.len() != out.len() * 2 {
		return Err(HexError::WrongLength { expected: out.len(), found_digits: digits.len() });
	}
	fn nibble(c: u8) -> Result<u8, HexError> {
		match c {
			b'0'..=b'9' => Ok(c - b'0'),
			b'a'..=b'f' => Ok(c - b'a' + 10),
			b'A'..=b'F' => Ok(c - b'A' + 10),
			_ => Err(HexError::NotHex),
		}
	}
	for (i, pair) in digits.chunks(2).enumerate() {
		out[i] = (nibble(pair[0])? << 4) | nibble(pair[1])?;
	}
	Ok(())
}

/// The kind of identity document a health ID was derived from. The number itself never goes
/// on chain.
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
	Serialize,
	Deserialize,
	Debug,
)]
#[serde(rename_all = "camelCase")]
pub enum DocumentKind {
	/// Thai national ID card of a Thai citizen (13 digits, first digit 1-5 or 8).
	ThaiCitizenId,
	/// Thai 13-digit ID issued to a non-citizen, e.g. a registered migrant worker's pink card
	/// (first digit 0, 6 or 7).
	ThaiNonCitizenId,
	/// A passport, with the issuing country's ISO 3166-1 alpha-3 code.
	Passport {
		/// ISO 3166-1 alpha-3 country code, upper case ASCII, e.g. `*b"MMR"`.
		country: [u8; 3],
	},
}

/// Clinical data categories exchanged through the network.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	PartialOrd,
	Ord,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Serialize,
	Deserialize,
	Debug,
)]
#[serde(rename_all = "camelCase")]
pub enum DataCategory {
	/// Drug allergies.
	Allergy,
	/// Diagnoses.
	Diagnosis,
	/// Dispensed medication.
	Medication,
	/// Vaccinations.
	Vaccine,
	/// Procedures.
	Procedure,
	/// Measurements (vital signs and the like).
	Measurement,
	/// Laboratory results and imaging summaries.
	LabAndImaging,
	/// Visits.
	Visit,
	/// Sensitive health data (Thai PDPA s.26): needs the patient's separate opt-in.
	Sensitive,
}

impl DataCategory {
	/// Every category, in order.
	pub const ALL: [DataCategory; 9] = [
		DataCategory::Allergy,
		DataCategory::Diagnosis,
		DataCategory::Medication,
		DataCategory::Vaccine,
		DataCategory::Procedure,
		DataCategory::Measurement,
		DataCategory::LabAndImaging,
		DataCategory::Visit,
		DataCategory::Sensitive,
	];
}

/// A set of data categories: sorted, without duplicates, at most one of each.
pub type Categories = BoundedVec<DataCategory, ConstU32<9>>;

/// Sorts and de-duplicates `list` into a [`Categories`] set.
pub fn categories_from(list: &[DataCategory]) -> Categories {
	let mut v: Vec<DataCategory> = list.to_vec();
	v.sort();
	v.dedup();
	// At most 9 distinct values exist, so this never truncates.
	BoundedVec::truncate_from(v)
}

/// Why a practitioner looks at a patient's data.
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
	Serialize,
	Deserialize,
	Debug,
)]
#[serde(rename_all = "camelCase")]
pub enum Purpose {
	/// Ordinary treatment under the patient's consent.
	Treatment,
	/// Emergency care under an open, time-boxed, reviewed emergency access.
	Emergency,
}

/// Why an emergency access was opened (JSON: `unconscious`, `lifeThreatening`,
/// `unableToConsent`). Defined once: the consent pallet stores it, views and the RPC carry it,
/// the gateway's wire and command line take it.
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
	Serialize,
	Deserialize,
	Debug,
)]
#[serde(rename_all = "camelCase")]
pub enum EmergencyReason {
	/// The patient is unconscious.
	Unconscious,
	/// The patient's life is in danger.
	LifeThreatening,
	/// The patient cannot consent for another reason (confusion, sedation, ...).
	UnableToConsent,
}

impl EmergencyReason {
	/// Every reason, in order.
	pub const ALL: [EmergencyReason; 3] = [
		EmergencyReason::Unconscious,
		EmergencyReason::LifeThreatening,
		EmergencyReason::UnableToConsent,
	];

	/// The reason's name on a command line: `unconscious`, `life-threatening`,
	/// `unable-to-consent`.
	pub const fn cli_name(self) -> &'static str {
		match self {
			EmergencyReason::Unconscious => "unconscious",
			EmergencyReason::LifeThreatening => "life-threatening",
			EmergencyReason::UnableToConsent => "unable-to-consent",
		}
	}
}

impl core::str::FromStr for EmergencyReason {
	type Err = &'static str;

	/// Reads a reason by its command-line name or its JSON name (`life-threatening` or
	/// `lifeThreatening`).
	fn from_str(s: &str) -> Result<Self, Self::Err> {
		let wanted: alloc::string::String = s.chars().filter(|c| *c != '-').collect();
		EmergencyReason::ALL
			.into_iter()
			.find(|r| {
				let name: alloc::string::String =
					r.cli_name().chars().filter(|c| *c != '-').collect();
				name.eq_ignore_ascii_case(&wanted)
			})
			.ok_or("expected unconscious, life-threatening or unable-to-consent")
	}
}

/// A practitioner's licence status, kept by the licensing authority (JSON: `licensed`,
/// `suspended`, `revoked`).
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
	Serialize,
	Deserialize,
	Debug,
)]
#[serde(rename_all = "camelCase")]
pub enum LicenceStatus {
	/// May practise.
	Licensed,
	/// Temporarily may not practise.
	Suspended,
	/// Permanently struck off; cannot be reinstated.
	Revoked,
}

/// A hospital's consent policy, chosen by the hospital where the doctor treats.
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
	Serialize,
	Deserialize,
	Debug,
)]
#[serde(rename_all = "camelCase")]
pub enum ConsentPolicy {
	/// The patient's enrolment is consent enough for any licensed, affiliated doctor.
	OneTime,
	/// Each access needs the patient's approval of a request, made in front of the doctor.
	PerRequest,
}

/// What a permit rests on.
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
	Serialize,
	Deserialize,
	Debug,
)]
#[serde(rename_all = "camelCase")]
pub enum PermitBasis {
	/// The patient's enrolment, at a one-time-consent hospital.
	Enrolment,
	/// An unexpired grant from an approved per-request consent request.
	Grant,
	/// An open emergency access.
	Emergency,
}

/// Why access is denied: stable, machine-readable reasons.
#[cfg_attr(feature = "frame", derive(frame_support::PalletError))]
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
	Serialize,
	Deserialize,
	Debug,
)]
#[serde(rename_all = "camelCase")]
pub enum DenyReason {
	/// The hospital is not registered.
	UnknownHospital,
	/// The hospital is suspended.
	HospitalSuspended,
	/// The practitioner is not registered with the licensing authority.
	UnknownPractitioner,
	/// The practitioner's licence is suspended or revoked.
	PractitionerNotLicensed,
	/// The practitioner is not affiliated with the hospital.
	NotAffiliated,
	/// The practitioner has not accepted the exchange's terms.
	TermsNotAccepted,
	/// No such health ID.
	UnknownPatient,
	/// The health ID is deactivated.
	PatientDeactivated,
	/// The patient never enrolled.
	NotEnrolled,
	/// The patient withdrew their consent.
	Withdrawn,
	/// Sensitive data was asked for and the patient has not opted in to sharing it.
	SensitiveNotOptedIn,
	/// No data category was asked for.
	NoCategories,
	/// Emergency purpose without an open emergency access for this practitioner.
	NoEmergencyAccess,
}

/// Why a hospital may not send a patient's data into the exchange (or serve it from there):
/// the refusals of the consent pallet's one source rule, `is_source_of`.
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
	Serialize,
	Deserialize,
	Debug,
)]
#[serde(rename_all = "camelCase")]
pub enum SourceRefusal {
	/// No such health ID.
	UnknownPatient,
	/// The health ID is deactivated.
	PatientDeactivated,
	/// The patient never enrolled.
	NotEnrolled,
	/// The patient withdrew.
	Withdrawn,
	/// No such hospital.
	UnknownHospital,
	/// The hospital is suspended.
	HospitalSuspended,
	/// The patient did not select this hospital as a source.
	NotSelected,
}

impl SourceRefusal {
	/// Whether the refusal is the patient's own choice (a withdrawal, or a source selection
	/// without this hospital), as opposed to the state of a registry (a deactivated health
	/// ID, a suspended hospital) that may be undone by its authority.
	pub fn is_patient_choice(&self) -> bool {
		matches!(self, SourceRefusal::Withdrawn | SourceRefusal::NotSelected)
	}
}

/// The answer of the one consent decision function.
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
	Serialize,
	Deserialize,
	Debug,
)]
#[serde(rename_all = "camelCase", tag = "decision", content = "basis")]
pub enum Decision {
	/// Access is permitted.
	Permit(PermitBasis),
	/// Access is denied.
	Deny(DenyReason),
	/// The hospital asks per-request consent and no grant covers this access yet.
	NeedsRequest,
}

impl Decision {
	/// Whether this is a permit.
	pub fn is_permit(&self) -> bool {
		matches!(self, Decision::Permit(_))
	}
}

/// The runtime API. In a module only to scope one lint: the client methods that
/// `decl_runtime_apis!` generates take the block hash on top of `decide`'s six parameters.
#[allow(clippy::too_many_arguments)]
mod runtime_api {
	use super::*;

	sp_api::decl_runtime_apis! {
		/// The consent engine and the views gateways and the node's `health_*` RPC need.
		///
		/// Version 2 added `overdue_reviews`, version 3 `live_grants`; callers check the version
		/// of the runtime at the block they ask (`api_version`) before calling it.
		#[api_version(2)]
		pub trait HealthApi<AccountId> where AccountId: codec::Codec {
			/// The consent decision for `practitioner` at `hospital` looking at `health_id`'s
			/// `categories` for `purpose` at time `now` (milliseconds; `None` = the block's
			/// timestamp). The very function the runtime applies to access attestations.
			fn decide(
				practitioner: LicenceNumber,
				hospital: HospitalCode,
				health_id: HealthId,
				categories: Vec<DataCategory>,
				purpose: Purpose,
				now: Option<Moment>,
			) -> Decision;

			/// A patient's consent state.
			fn consent(health_id: HealthId) -> Option<views::ConsentView>;

			/// A patient's open per-request consent requests (lapsed ones left out).
			fn pending_requests(health_id: HealthId) -> Vec<views::RequestView>;

			/// A hospital.
			fn hospital(code: HospitalCode) -> Option<views::HospitalView<AccountId>>;

			/// A practitioner.
			fn practitioner(licence: LicenceNumber) -> Option<views::PractitionerView>;

			/// A health ID.
			fn health_id(health_id: HealthId) -> Option<views::HealthIdView<AccountId>>;

			/// The head of a patient's record log.
			fn record_log(health_id: HealthId) -> logs::LogHead;

			/// The head of a patient's access log.
			fn access_log(health_id: HealthId) -> logs::LogHead;

			/// The one source rule: whether `hospital` may send `health_id`'s data into the
			/// exchange now (and so serve it to other hospitals), or why not. The rule the
			/// records pallet applies to anchors; gateways ask it before serving and before
			/// shredding.
			fn source_check(health_id: HealthId, hospital: HospitalCode)
				-> Result<(), SourceRefusal>;

			/// Emergency accesses whose review is still pending `ReviewDeadline` after they
			/// were opened, oldest first, for the licensing authority: at most `limit`, and
			/// never more than `MAX_OVERDUE_PAGE`. Since version 2.
			#[api_version(2)]
			fn overdue_reviews(limit: u32) -> Vec<views::OverdueReview>;

			/// A patient's grants that still permit at the block's time (expired ones left
			/// out, whether or not the chain pruned them yet): the one answer to "who may see
			/// what now" for gateways, the FHIR facade and the patient app. Since version 3.
			#[api_version(3)]
			fn live_grants(health_id: HealthId) -> Vec<views::GrantView>;
		}
	}
}
pub use runtime_api::*;

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn bangkok_day_changes_at_17_utc() {
		let offset = 7 * 3600;
		// 2026-11-21 16:59:59.999 UTC = 23:59:59.999 Bangkok.
		let before = 1_795_280_399_999u64;
		let after = before + 1;
		assert_eq!(day_of(after, offset), day_of(before, offset) + 1);
		assert_eq!(start_of_next_day(day_of(before, offset), offset), after);
	}

	#[test]
	fn health_id_hex_round_trip_and_errors() {
		let id = HealthId([0xab; 32]);
		let hex = id.to_hex();
		assert_eq!(HealthId::from_hex(&hex), Ok(id));
		assert_eq!(
			HealthId::from_hex("0x1234"),
			Err(HexError::WrongLength { expected: 32, found_digits: 4 })
		);
		let bad = alloc::format!("0x{}", "zz".repeat(32));
		assert_eq!(HealthId::from_hex(&bad), Err(HexError::NotHex));
	}

	#[test]
	fn categories_are_sorted_and_unique() {
		let c = categories_from(&[
			DataCategory::Sensitive,
			DataCategory::Allergy,
			DataCategory::Sensitive,
		]);
		assert_eq!(c.into_inner(), vec![DataCategory::Allergy, DataCategory::Sensitive]);
	}

	#[test]
	fn only_a_withdrawal_or_a_deselection_is_the_patients_choice() {
		use SourceRefusal::*;
		let choices: Vec<SourceRefusal> = [
			UnknownPatient,
			PatientDeactivated,
			NotEnrolled,
			Withdrawn,
			UnknownHospital,
			HospitalSuspended,
			NotSelected,
		]
		.into_iter()
		.filter(SourceRefusal::is_patient_choice)
		.collect();
		assert_eq!(choices, vec![Withdrawn, NotSelected]);
		let json = serde_json::to_string(&HospitalSuspended).unwrap();
		assert_eq!(json, r#""hospitalSuspended""#);
	}

	#[test]
	fn health_ids_parse_from_command_lines() {
		let id: HealthId = HealthId([7; 32]).to_hex().parse().unwrap();
		assert_eq!(id, HealthId([7; 32]));
		assert!("0x12".parse::<HealthId>().is_err());
	}

	#[test]
	fn decision_json_is_readable() {
		let json = serde_json::to_string(&Decision::Deny(DenyReason::NotEnrolled)).unwrap();
		assert_eq!(json, r#"{"decision":"deny","basis":"notEnrolled"}"#);
		let json = serde_json::to_string(&Decision::NeedsRequest).unwrap();
		assert_eq!(json, r#"{"decision":"needsRequest"}"#);
		let back: Decision =
			serde_json::from_str(r#"{"decision":"permit","basis":"grant"}"#).unwrap();
		assert_eq!(back, Decision::Permit(PermitBasis::Grant));
	}
}
