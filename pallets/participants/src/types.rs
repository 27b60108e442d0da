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

/// A practitioner's licence status, set by the licensing authority: defined once, in the
/// primitives.
pub use healthchain_primitives::LicenceStatus;

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

/// Who signs a transaction, as the permission gate sees it: a participant role, or the
/// controller key of a patient's health ID.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Signer {
	/// An operator (council member).
	Operator,
	/// A gateway of the hospital with this code.
	Gateway(HospitalCode),
	/// An identity-verification point.
	Registrar,
	/// The licensing authority.
	LicensingAuthority,
	/// The controller key of this health ID.
	Patient(healthchain_primitives::HealthId),
}

impl Signer {
	/// The kind of signer, which sets the quota.
	pub fn kind(&self) -> SignerKind {
		match self {
			Signer::Operator => SignerKind::Operator,
			Signer::Gateway(_) => SignerKind::Gateway,
			Signer::Registrar => SignerKind::Registrar,
			Signer::LicensingAuthority => SignerKind::LicensingAuthority,
			Signer::Patient(_) => SignerKind::Patient,
		}
	}
}

/// The kinds of signers, each with its own transaction quota.
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
pub enum SignerKind {
	/// Patients' controller keys.
	Patient,
	/// Hospital gateways.
	Gateway,
	/// Registrars.
	Registrar,
	/// The licensing authority.
	LicensingAuthority,
	/// Operators.
	Operator,
}

impl SignerKind {
	/// Every kind of signer.
	pub const ALL: [SignerKind; 5] = [
		SignerKind::Patient,
		SignerKind::Gateway,
		SignerKind::Registrar,
		SignerKind::LicensingAuthority,
		SignerKind::Operator,
	];
}

/// A transaction budget: there are no fees, so every signer has a number of calls it may make
/// per block and per quota period (a day), and a bound on its transactions waiting in the pool.
/// A batch counts each call in it.
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
pub struct Quota {
	/// Calls per block.
	pub per_block: u32,
	/// Calls per quota period.
	pub per_period: u32,
	/// Transactions of one account waiting in the pool (nonces ahead of the account's).
	pub max_pooled: u32,
}

/// What an account has used of its quota.
#[derive(Clone, Copy, PartialEq, Eq, Default, Encode, Decode, MaxEncodedLen, TypeInfo, Debug)]
pub struct Usage<BlockNumber> {
	/// The quota period counted (block number divided by the period's length).
	pub period: BlockNumber,
	/// Calls in that period.
	pub in_period: u32,
	/// The block counted.
	pub block: BlockNumber,
	/// Calls in that block.
	pub in_block: u32,
}

impl<BlockNumber: PartialEq + Copy> Usage<BlockNumber> {
	/// Calls used in `period`, `block` (zero when the counter is of an earlier one).
	pub fn used(&self, period: BlockNumber, block: BlockNumber) -> (u32, u32) {
		(
			if self.period == period { self.in_period } else { 0 },
			if self.block == block { self.in_block } else { 0 },
		)
	}
}

/// What a call, checked against its signer, costs and weighs in the pool.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Allowance {
	/// Calls counted against the quota (each call of a batch counts).
	pub calls: u32,
	/// Pool priority.
	pub priority: u64,
}

/// Why the permission gate refuses a call of a known signer. Each has its own
/// `InvalidTransaction::Custom` code ([`crate::codes`]).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Refusal {
	/// The call, or a call in a batch, is not one the signer's role may make.
	OutsideRole,
	/// A patient's call for a health ID the signer does not act for.
	NotForThisPatient,
	/// Batches nested too deep.
	BatchTooDeep,
}

/// Whether a call protects the patient who signs it (withdrawing, cancelling or confirming a
/// rebind, revoking a grant, refusing a request): such calls are never refused by the
/// period's quota, only bounded per block ([`crate::Config::ProtectiveCallsPerBlock`]).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum CallKind {
	/// Counted against the signer's quota.
	Ordinary,
	/// Protects the patient: outside the period's quota, bounded per block.
	Protective,
}

impl Refusal {
	/// The `InvalidTransaction::Custom` code.
	pub fn code(self) -> u8 {
		match self {
			Refusal::OutsideRole => crate::codes::CALL_OUTSIDE_ROLE,
			Refusal::NotForThisPatient => crate::codes::NOT_FOR_THIS_PATIENT,
			Refusal::BatchTooDeep => crate::codes::BATCH_TOO_DEEP,
		}
	}
}

/// The runtime's table of which signer may make which call (implemented by the runtime,
/// which knows every pallet's calls).
pub trait CallPolicy<AccountId, Call> {
	/// Whether `who`, signing as `signer`, may make `call` (batches checked call by call),
	/// and what it costs; or why not.
	fn check(who: &AccountId, signer: &Signer, call: &Call) -> Result<Allowance, Refusal>;

	/// How many calls `call` counts for against a quota (a batch: each call in it), without
	/// reading storage.
	fn calls(call: &Call) -> u32;

	/// How many of the calls [`CallPolicy::check`] looks at for `call` (a batch: each call in
	/// it) are acts for a patient, the costliest rule (the health ID, and an assistance
	/// session or a request, are read), without reading storage: the permission gate's weight
	/// grows with it. A call the signer's role alone allows counts none.
	fn checks(call: &Call) -> u32;

	/// Whether `call` (a batch: every call in it) protects the patient who signs it, without
	/// reading storage. Such calls are outside the period's quota.
	fn kind(_call: &Call) -> CallKind {
		CallKind::Ordinary
	}
}

/// What the benchmarks of the permission gate and the quotas need from the runtime, which
/// alone knows the calls and their rules.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId, Call> {
	/// A signer and a call of `n` checks (a batch of `n` calls when `n > 1`), each of them
	/// the costliest for the gate to allow, with the state they need in place; for `n = 0`, a
	/// call the signer's role alone allows.
	fn worst_case_call(n: u32) -> (AccountId, Call);

	/// A patient's controller key and a call of its own (the signer the quota extension
	/// takes longest to find), with the state it needs in place.
	fn patient_call() -> (AccountId, Call);
}

/// For test runtimes: the benchmarks' worst cases are an operator's remark (an operator is
/// granted the role on first use). Never use it in a runtime: it measures the cheapest case.
#[cfg(feature = "runtime-benchmarks")]
pub struct OperatorRemarksForTests<T>(core::marker::PhantomData<T>);

#[cfg(feature = "runtime-benchmarks")]
impl<T: crate::Config> BenchmarkHelper<T::AccountId, <T as frame_system::Config>::RuntimeCall>
	for OperatorRemarksForTests<T>
{
	fn worst_case_call(_n: u32) -> (T::AccountId, <T as frame_system::Config>::RuntimeCall) {
		let who: T::AccountId = frame_benchmarking::account("operator", 0, 0);
		if !crate::Roles::<T>::contains_key(&who) {
			let _ = crate::Pallet::<T>::grant_role(&who, crate::Role::Operator);
		}
		(who, frame_system::Call::<T>::remark { remark: alloc::vec::Vec::new() }.into())
	}

	fn patient_call() -> (T::AccountId, <T as frame_system::Config>::RuntimeCall) {
		Self::worst_case_call(1)
	}
}

/// The patients' controller keys (the health-id pallet).
pub trait PatientKeys<AccountId> {
	/// The health ID `who` is the controller key of.
	fn health_id_of(who: &AccountId) -> Option<healthchain_primitives::HealthId>;

	/// The storage key [`PatientKeys::health_id_of`] reads for `who`, if it reads storage. The
	/// quota extension's benchmarks whitelist it: the permission gate has read it in the same
	/// transaction, so the node serves the quota's read from its cache.
	fn binding_key(_who: &AccountId) -> Option<alloc::vec::Vec<u8>> {
		None
	}

	/// Whether `who` controls a health ID or is the new key of a pending rebind: such a key
	/// can never be given a participant role (one role per key).
	fn is_patient_key(who: &AccountId) -> bool {
		Self::health_id_of(who).is_some()
	}
}

impl<AccountId> PatientKeys<AccountId> for () {
	fn health_id_of(_: &AccountId) -> Option<healthchain_primitives::HealthId> {
		None
	}
}

/// A quota no test reaches (1 000 calls a block, a period and in the pool): for the test
/// runtimes of pallets that do not test quotas. Never use it in a runtime.
pub struct AnyQuotaForTests;
impl frame_support::traits::Get<Quota> for AnyQuotaForTests {
	fn get() -> Quota {
		Quota { per_block: 1000, per_period: 1000, max_pooled: 1000 }
	}
}

/// A call table that allows every call to every signer, one call each: for the test runtimes
/// of pallets that do not test the gate. Never use it in a runtime.
pub struct AnyCallForTests;
impl<AccountId, Call> CallPolicy<AccountId, Call> for AnyCallForTests {
	fn check(_: &AccountId, _: &Signer, _: &Call) -> Result<Allowance, Refusal> {
		Ok(Allowance { calls: 1, priority: 0 })
	}

	fn calls(_: &Call) -> u32 {
		1
	}
	fn checks(_: &Call) -> u32 {
		0
	}
}
