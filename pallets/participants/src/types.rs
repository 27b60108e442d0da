//! Types stored by the participants pallet.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{
	pallet_prelude::ConstU32, BoundedVec, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound,
};
use healthchain_primitives::{ConsentPolicy, HospitalCode};
use scale_info::TypeInfo;

/// Maximum length of a hospital's or registrar's display name (public registry data).
pub type MaxNameLen = ConstU32<64>;

/// A public display name, UTF-8.
pub type Name = BoundedVec<u8, MaxNameLen>;

/// Whether a hospital takes part in the exchange right now.
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
pub enum HospitalStatus {
	/// Takes part: its gateways sign, it sends and receives data.
	Active,
	/// Suspended by the operators: its gateways cannot act and access is denied.
	Suspended,
}

/// A participating hospital.
#[derive(
	CloneNoBound, PartialEqNoBound, EqNoBound, Encode, Decode, MaxEncodedLen, TypeInfo, DebugNoBound,
)]
#[scale_info(skip_type_params(MaxGateways))]
#[codec(mel_bound(AccountId: MaxEncodedLen))]
pub struct Hospital<
	AccountId: Clone + PartialEq + Eq + core::fmt::Debug,
	MaxGateways: frame_support::traits::Get<u32>,
> {
	/// Public name.
	pub name: Name,
	/// Consent policy applied to the hospital's doctors.
	pub policy: ConsentPolicy,
	/// Active or suspended.
	pub status: HospitalStatus,
	/// Gateway accounts that sign for the hospital.
	pub gateways: BoundedVec<AccountId, MaxGateways>,
}

/// Where a registrar verifies identities.
#[derive(
	Clone,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
	serde::Serialize,
	serde::Deserialize,
)]
pub enum RegistrarKind {
	/// A bank branch or a bank's app doing KYC.
	BankBranch,
	/// A service point at a hospital, checking the ID card in person.
	HospitalServicePoint(HospitalCode),
	/// Another identity-verification point approved by the operators.
	Other,
}

/// An identity-verification point allowed to register health IDs.
#[derive(Clone, PartialEq, Eq, Encode, Decode, MaxEncodedLen, TypeInfo, Debug)]
pub struct Registrar {
	/// What kind of point it is.
	pub kind: RegistrarKind,
	/// Public name.
	pub name: Name,
}

/// A practitioner's licence status, set by the licensing authority.
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
pub enum LicenceStatus {
	/// May practise.
	Licensed,
	/// Temporarily may not practise.
	Suspended,
	/// Permanently struck off; cannot be reinstated.
	Revoked,
}

/// A licensed practitioner, keyed by licence number.
#[derive(
	CloneNoBound, PartialEqNoBound, EqNoBound, Encode, Decode, MaxEncodedLen, TypeInfo, DebugNoBound,
)]
#[scale_info(skip_type_params(MaxAffiliations))]
#[codec(mel_bound())]
pub struct Practitioner<MaxAffiliations: frame_support::traits::Get<u32>> {
	/// Licence status.
	pub status: LicenceStatus,
	/// Hospitals the practitioner treats at, added by those hospitals.
	pub affiliations: BoundedVec<HospitalCode, MaxAffiliations>,
	/// Whether the practitioner accepted the exchange's terms (at first login).
	pub terms_accepted: bool,
}

/// The one role an account holds in the network.
#[derive(
	Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug,
)]
pub enum Role {
	/// An operator (council member) running validators.
	Operator,
	/// A gateway signing for the hospital with this code.
	Gateway(HospitalCode),
	/// An identity-verification point.
	Registrar,
	/// The licensing authority (the Medical Council).
	LicensingAuthority,
}
