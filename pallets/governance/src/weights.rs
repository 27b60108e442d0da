//! Weights for `pallet_governance`.
//!
//! PROVISIONAL: a flat upper bound until `scripts/weights` regenerates this file from
//! `healthchain-node benchmark pallet` runs on the reference machine.

#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use core::marker::PhantomData;
use frame_support::{
	traits::Get,
	weights::{constants::RocksDbWeight, Weight},
};

/// Weight functions needed for `pallet_governance`.
pub trait WeightInfo {
	fn dispatch_as_root() -> Weight;
}

/// Weights for `pallet_governance` using the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn dispatch_as_root() -> Weight {
		Weight::from_parts(20_000_000, 1_000)
	}
}

// For tests.
impl WeightInfo for () {
	fn dispatch_as_root() -> Weight {
		Weight::zero()
	}
}
