//! The chain has no currency. `pallet_session` still asks for one to hold deposits for
//! session keys; with a zero deposit nothing is ever held, and this type answers "no funds"
//! to everything else.

use crate::{AccountId, RuntimeHoldReason};
use frame_support::traits::tokens::{
	fungible, DepositConsequence, Fortitude, Preservation, Provenance, WithdrawConsequence,
};
use sp_runtime::DispatchError;

/// A currency with no funds anywhere.
pub struct NoCurrency;

impl fungible::Inspect<AccountId> for NoCurrency {
	type Balance = u128;
	fn total_issuance() -> u128 {
		0
	}
	fn minimum_balance() -> u128 {
		0
	}
	fn total_balance(_: &AccountId) -> u128 {
		0
	}
	fn balance(_: &AccountId) -> u128 {
		0
	}
	fn reducible_balance(_: &AccountId, _: Preservation, _: Fortitude) -> u128 {
		0
	}
	fn can_deposit(_: &AccountId, _: u128, _: Provenance) -> DepositConsequence {
		DepositConsequence::UnknownAsset
	}
	fn can_withdraw(_: &AccountId, _: u128) -> WithdrawConsequence<u128> {
		WithdrawConsequence::UnknownAsset
	}
}

impl fungible::Unbalanced<AccountId> for NoCurrency {
	fn handle_dust(_: fungible::Dust<AccountId, Self>) {}
	fn write_balance(_: &AccountId, _: u128) -> Result<Option<u128>, DispatchError> {
		Err(DispatchError::Other("this chain has no currency"))
	}
	fn set_total_issuance(_: u128) {}
}

impl fungible::Mutate<AccountId> for NoCurrency {}

impl fungible::hold::Inspect<AccountId> for NoCurrency {
	type Reason = RuntimeHoldReason;
	fn total_balance_on_hold(_: &AccountId) -> u128 {
		0
	}
	fn balance_on_hold(_: &Self::Reason, _: &AccountId) -> u128 {
		0
	}
}

impl fungible::hold::Unbalanced<AccountId> for NoCurrency {
	fn set_balance_on_hold(
		_: &Self::Reason,
		_: &AccountId,
		amount: u128,
	) -> Result<(), DispatchError> {
		if amount == 0 {
			Ok(())
		} else {
			Err(DispatchError::Other("this chain has no currency"))
		}
	}
}

impl fungible::hold::Mutate<AccountId> for NoCurrency {}
