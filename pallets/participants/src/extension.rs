//! The permission gate and the quotas: two transaction extensions that stand in for fees on a
//! chain without a currency.
//!
//! - [`CheckPermission`]: who may make which call. A stranger, a call outside the signer's
//!   role (a call nested in a batch included) or a patient's call for someone else's health ID
//!   is refused at pool validation, each with its own code ([`codes`]); the same check is
//!   installed as a call filter on the transaction's origin, so dispatch refuses what the pool
//!   would have (`frame_system::Error::CallFiltered`), calls nested in batches included.
//! - [`CheckNonceWithinQuota`]: the nonce check (encoded as the standard `CheckNonce`, so
//!   wallets and explorers sign and decode it unchanged) plus the signer's quota: calls per
//!   block and per period, and transactions waiting in the pool.

use crate::{Allowance, CallKind, CallPolicy, Config, Pallet, Usages, WeightInfo};
use codec::{Decode, DecodeWithMemTracking, Encode};
use core::marker::PhantomData;
use frame_support::{
	dispatch::DispatchInfo,
	pallet_prelude::TransactionSource,
	traits::{Get, OriginTrait},
	DefaultNoBound,
};
use scale_info::TypeInfo;
use sp_runtime::{
	impl_tx_ext_default,
	traits::{
		DispatchInfoOf, Dispatchable, PostDispatchInfoOf, TransactionExtension, ValidateResult,
	},
	transaction_validity::{
		InvalidTransaction, TransactionLongevity, TransactionValidityError, ValidTransaction,
	},
	DispatchResult, SaturatedConversion, Saturating, Weight,
};

/// The `InvalidTransaction::Custom` codes of the permission gate and the quotas. The README
/// has the same table.
pub mod codes {
	/// The signer is neither a participant (operator, gateway, registrar, licensing
	/// authority) nor a patient's controller key.
	pub const NOT_PERMITTED: u8 = 10;
	/// The call, or a call nested in a batch, is not one the signer's role may make.
	pub const CALL_OUTSIDE_ROLE: u8 = 11;
	/// A patient's call for a health ID the signer does not act for: another patient's ID or
	/// request, or a gateway or registrar without an open assistance session for the patient.
	pub const NOT_FOR_THIS_PATIENT: u8 = 12;
	/// Batches nested deeper than the runtime allows.
	pub const BATCH_TOO_DEEP: u8 = 13;
	/// The signer's calls this period (counting its transactions already waiting in the pool)
	/// would exceed its quota.
	pub const PERIOD_QUOTA: u8 = 14;
	/// The signer already has its bound of transactions waiting in the pool.
	pub const POOL_SHARE: u8 = 15;
	/// The transaction alone counts more calls than the signer may make in one block.
	pub const BLOCK_QUOTA: u8 = 16;
	/// The signer's hospital, or the registrar itself (or the hospital of its service point),
	/// is suspended: none of its calls enter the pool.
	pub const SUSPENDED: u8 = 17;
}

pub use codes::NOT_PERMITTED;

/// The permission gate. A signed transaction passes only if its signer holds a participant
/// role or is a patient's controller key, and the runtime's [`CallPolicy`] allows the call for
/// that signer. Otherwise pool validation fails with `InvalidTransaction::Custom` and one of
/// [`codes`], and the transaction never enters the pool or a block. Sets the pool priority
/// from the call (hospital anchors and attestations first). Unsigned transactions and
/// inherents are left to their own checks.
#[derive(Encode, Decode, DecodeWithMemTracking, DefaultNoBound, Clone, Eq, PartialEq, TypeInfo)]
#[scale_info(skip_type_params(T))]
pub struct CheckPermission<T>(PhantomData<T>);

impl<T: Config + Send + Sync> CheckPermission<T> {
	/// A new permission gate.
	pub fn new() -> Self {
		Self(PhantomData)
	}

	/// The gate's decision for `who` making `call`, with the code of a refusal.
	pub fn allowance(
		who: &T::AccountId,
		call: &<T as frame_system::Config>::RuntimeCall,
	) -> Result<(crate::Signer, Allowance), u8> {
		let signer = Pallet::<T>::signer_of(who).ok_or(codes::NOT_PERMITTED)?;
		if Pallet::<T>::is_suspended(who, &signer) {
			return Err(codes::SUSPENDED);
		}
		let allowance = T::CallPolicy::check(who, &signer, call).map_err(|r| r.code())?;
		Ok((signer, allowance))
	}
}

impl<T: Config + Send + Sync> core::fmt::Debug for CheckPermission<T> {
	fn fmt(&self, f: &mut core::fmt::Formatter) -> core::fmt::Result {
		write!(f, "CheckPermission")
	}
}

impl<T: Config + Send + Sync> TransactionExtension<<T as frame_system::Config>::RuntimeCall>
	for CheckPermission<T>
{
	const IDENTIFIER: &'static str = "CheckPermission";
	type Implicit = ();
	type Val = ();
	type Pre = ();

	fn weight(&self, call: &<T as frame_system::Config>::RuntimeCall) -> Weight {
		// Benchmarked: the signer's role, and for each act for a patient the costliest rule
		// (a gateway acting for an assisted patient: the health ID and the assistance session).
		match T::CallPolicy::checks(call) {
			0 => T::WeightInfo::check_permission_by_role(),
			acts => T::WeightInfo::check_permission(acts),
		}
	}

	fn validate(
		&self,
		origin: <T as frame_system::Config>::RuntimeOrigin,
		call: &<T as frame_system::Config>::RuntimeCall,
		_info: &DispatchInfoOf<<T as frame_system::Config>::RuntimeCall>,
		_len: usize,
		_self_implicit: Self::Implicit,
		_inherited_implication: &impl Encode,
		_source: TransactionSource,
	) -> ValidateResult<Self::Val, <T as frame_system::Config>::RuntimeCall> {
		let Some(who) = origin.as_signer().cloned() else {
			return Ok((Default::default(), (), origin));
		};
		let (signer, allowance) =
			Self::allowance(&who, call).map_err(InvalidTransaction::Custom)?;
		// Dispatch asks the same table again, for the call and every call nested in it.
		let mut origin = origin;
		origin.add_filter(move |c| T::CallPolicy::check(&who, &signer, c).is_ok());
		let validity = ValidTransaction { priority: allowance.priority, ..Default::default() };
		Ok((validity, (), origin))
	}

	impl_tx_ext_default!(<T as frame_system::Config>::RuntimeCall; prepare);
}

/// The nonce check with the signer's quota. Encoded and identified as the standard
/// `CheckNonce` (a compact nonce), so every wallet signs it unchanged.
///
/// At pool validation a transaction is refused when it alone counts more calls than one
/// block allows ([`codes::BLOCK_QUOTA`]), when its nonce is `max_pooled` or more ahead of the
/// account's ([`codes::POOL_SHARE`]: one account cannot hold more than that many
/// transactions in the pool), or when the period's calls so far plus the transactions queued
/// ahead of it and its own calls exceed the period's quota ([`codes::PERIOD_QUOTA`]); a call
/// that protects the patient ([`CallKind::Protective`]) is never refused by the period's
/// quota and does not use it, but at most `ProtectiveCallsPerBlock` calls a block pass. In a
/// block, a transaction over the block's quota is `ExhaustsResources`: it stays in the pool
/// for the next block. The calls are counted when the transaction is applied.
#[derive(Encode, Decode, DecodeWithMemTracking, Clone, Eq, PartialEq, TypeInfo)]
#[scale_info(skip_type_params(T))]
pub struct CheckNonceWithinQuota<T: Config>(#[codec(compact)] pub T::Nonce);

impl<T: Config> CheckNonceWithinQuota<T> {
	/// The extension for a transaction with this nonce.
	pub fn from(nonce: T::Nonce) -> Self {
		Self(nonce)
	}
}

impl<T: Config> core::fmt::Debug for CheckNonceWithinQuota<T> {
	fn fmt(&self, f: &mut core::fmt::Formatter) -> core::fmt::Result {
		write!(f, "CheckNonceWithinQuota")
	}
}

/// What [`CheckNonceWithinQuota`] carries from validation to preparation.
pub enum QuotaVal<AccountId> {
	/// Not signed: nothing to count.
	Unsigned,
	/// A signed transaction: the signer, the calls it counts for in the block and in the
	/// period (none for a protective call), and whether the signer was found by its role (a
	/// participant, not a patient's key).
	Signed(AccountId, u32, u32, bool),
}

impl<T: Config + Send + Sync> TransactionExtension<<T as frame_system::Config>::RuntimeCall>
	for CheckNonceWithinQuota<T>
where
	<T as frame_system::Config>::RuntimeCall: Dispatchable<Info = DispatchInfo>,
{
	const IDENTIFIER: &'static str = "CheckNonce";
	type Implicit = ();
	type Val = QuotaVal<T::AccountId>;
	/// The weight charged and not used: a participant signer is found by its role, which
	/// costs less than a patient's key.
	type Pre = Weight;

	fn weight(&self, _: &<T as frame_system::Config>::RuntimeCall) -> Weight {
		// Benchmarked for a patient signer (role miss, then the controller binding, both
		// already read by the permission gate; the quota override read once a block by
		// `on_initialize`): the account's nonce and the usage counter read, the nonce and the
		// counter written.
		T::WeightInfo::check_nonce_within_quota()
	}

	fn validate(
		&self,
		origin: <T as frame_system::Config>::RuntimeOrigin,
		call: &<T as frame_system::Config>::RuntimeCall,
		_info: &DispatchInfoOf<<T as frame_system::Config>::RuntimeCall>,
		_len: usize,
		_self_implicit: Self::Implicit,
		_inherited_implication: &impl Encode,
		_source: TransactionSource,
	) -> ValidateResult<Self::Val, <T as frame_system::Config>::RuntimeCall> {
		let Some(who) = origin.as_signer().cloned() else {
			return Ok((Default::default(), QuotaVal::Unsigned, origin));
		};
		let nonce_info = frame_system::CheckNonce::<T>::validate_nonce_for_account(&who, self.0)?;
		let validity = ValidTransaction {
			priority: 0,
			requires: nonce_info.requires,
			provides: nonce_info.provides,
			longevity: TransactionLongevity::MAX,
			propagate: true,
		};
		// The permission gate refuses strangers before this extension runs.
		let signer =
			Pallet::<T>::signer_of(&who).ok_or(InvalidTransaction::Custom(NOT_PERMITTED))?;
		let quota = Pallet::<T>::quota_of(signer.kind());
		let calls = T::CallPolicy::calls(call);
		let kind = T::CallPolicy::kind(call);
		// A protective call (a withdrawal, a cancelled rebind, a revoked grant...) is never
		// refused by the period's quota: only a small bound per block stops floods of them.
		let per_block = match kind {
			CallKind::Ordinary => quota.per_block,
			CallKind::Protective => quota.per_block.min(T::ProtectiveCallsPerBlock::get()),
		};
		if calls > per_block {
			return Err(InvalidTransaction::Custom(codes::BLOCK_QUOTA).into());
		}
		let account_nonce = frame_system::Pallet::<T>::account_nonce(&who);
		let ahead: u32 = self.0.saturating_sub(account_nonce).saturated_into();
		if ahead >= quota.max_pooled {
			return Err(InvalidTransaction::Custom(codes::POOL_SHARE).into());
		}
		let (period, block) = Pallet::<T>::quota_clock();
		let (in_period, in_block) = Usages::<T>::get(&who).used(period, block);
		if kind == CallKind::Ordinary
			&& in_period.saturating_add(ahead).saturating_add(calls) > quota.per_period
		{
			return Err(InvalidTransaction::Custom(codes::PERIOD_QUOTA).into());
		}
		if in_block.saturating_add(calls) > per_block {
			return Err(InvalidTransaction::ExhaustsResources.into());
		}
		let by_role = !matches!(signer, crate::Signer::Patient(_));
		let period_calls = match kind {
			CallKind::Ordinary => calls,
			CallKind::Protective => 0,
		};
		Ok((validity, QuotaVal::Signed(who, calls, period_calls, by_role), origin))
	}

	fn prepare(
		self,
		val: Self::Val,
		_origin: &<T as frame_system::Config>::RuntimeOrigin,
		_call: &<T as frame_system::Config>::RuntimeCall,
		_info: &DispatchInfoOf<<T as frame_system::Config>::RuntimeCall>,
		_len: usize,
	) -> Result<Self::Pre, TransactionValidityError> {
		let QuotaVal::Signed(who, calls, period_calls, by_role) = val else {
			return Ok(Weight::zero());
		};
		frame_system::CheckNonce::<T>::prepare_nonce_for_account(&who, self.0)?;
		let (period, block) = Pallet::<T>::quota_clock();
		Usages::<T>::mutate(&who, |u| {
			let (in_period, in_block) = u.used(period, block);
			*u = crate::Usage {
				period,
				in_period: in_period.saturating_add(period_calls),
				block,
				in_block: in_block.saturating_add(calls),
			};
		});
		// The weight assumes the costliest signer, a patient's key, found after a role miss.
		Ok(if by_role {
			T::WeightInfo::check_nonce_within_quota()
				.saturating_sub(T::WeightInfo::check_nonce_within_quota_by_role())
		} else {
			Weight::zero()
		})
	}

	fn post_dispatch_details(
		unused: Self::Pre,
		_info: &DispatchInfoOf<<T as frame_system::Config>::RuntimeCall>,
		_post_info: &PostDispatchInfoOf<<T as frame_system::Config>::RuntimeCall>,
		_len: usize,
		_result: &DispatchResult,
	) -> Result<Weight, TransactionValidityError> {
		Ok(unused)
	}
}
