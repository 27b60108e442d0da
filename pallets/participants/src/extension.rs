//! The permission gate: a transaction extension that keeps strangers out of the pool.

use crate::{Config, Pallet};
use codec::{Decode, DecodeWithMemTracking, Encode};
use core::marker::PhantomData;
use frame_support::{
	pallet_prelude::TransactionSource,
	traits::{Contains, Get, OriginTrait},
	DefaultNoBound,
};
use scale_info::TypeInfo;
use sp_runtime::{
	impl_tx_ext_default,
	traits::{DispatchInfoOf, TransactionExtension},
	transaction_validity::InvalidTransaction,
	Weight,
};

/// `InvalidTransaction::Custom` code of a signed transaction from an account that is neither a
/// registered participant nor a patient controller. Documented in the README.
pub const NOT_PERMITTED: u8 = 10;

/// The permission gate. A signed transaction passes only if its signer holds a participant
/// role (operator, gateway, registrar, licensing authority) or is a patient controller;
/// otherwise pool validation fails with `InvalidTransaction::Custom(NOT_PERMITTED)` and the
/// transaction never enters the pool or a block. Unsigned transactions and inherents are
/// left to their own checks.
#[derive(Encode, Decode, DecodeWithMemTracking, DefaultNoBound, Clone, Eq, PartialEq, TypeInfo)]
#[scale_info(skip_type_params(T))]
pub struct CheckPermission<T>(PhantomData<T>);

impl<T: Config + Send + Sync> CheckPermission<T> {
	/// A new permission gate.
	pub fn new() -> Self {
		Self(PhantomData)
	}
}

impl<T: Config + Send + Sync> core::fmt::Debug for CheckPermission<T> {
	fn fmt(&self, f: &mut core::fmt::Formatter) -> core::fmt::Result {
		write!(f, "CheckPermission")
	}
}

impl<T: Config + Send + Sync> TransactionExtension<T::RuntimeCall> for CheckPermission<T> {
	const IDENTIFIER: &'static str = "CheckPermission";
	type Implicit = ();
	type Val = ();
	type Pre = ();

	fn weight(&self, _: &T::RuntimeCall) -> Weight {
		// One read of the signer's role, one of the patient controllers.
		T::DbWeight::get().reads(2)
	}

	fn validate(
		&self,
		origin: <T as frame_system::Config>::RuntimeOrigin,
		_call: &T::RuntimeCall,
		_info: &DispatchInfoOf<T::RuntimeCall>,
		_len: usize,
		_self_implicit: Self::Implicit,
		_inherited_implication: &impl Encode,
		_source: TransactionSource,
	) -> sp_runtime::traits::ValidateResult<Self::Val, T::RuntimeCall> {
		if let Some(who) = origin.as_signer() {
			if !Pallet::<T>::has_role(who) && !T::PatientControllers::contains(who) {
				return Err(InvalidTransaction::Custom(NOT_PERMITTED).into());
			}
		}
		Ok((Default::default(), (), origin))
	}

	impl_tx_ext_default!(T::RuntimeCall; prepare);
}
