//! Weights for `pallet_records`.
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

/// Weight functions needed for `pallet_records`.
pub trait WeightInfo {
	fn anchor() -> Weight;
	fn revoke() -> Weight;
}

/// Weights for `pallet_records` using the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn anchor() -> Weight {
		provisional::<T>(6, 1)
	}
	fn revoke() -> Weight {
		provisional::<T>(3, 1)
	}
}

fn provisional<T: frame_system::Config>(reads: u64, writes: u64) -> Weight {
	Weight::from_parts(50_000_000, 10_000)
		.saturating_add(T::DbWeight::get().reads(reads))
		.saturating_add(T::DbWeight::get().writes(writes))
}

// For tests.
impl WeightInfo for () {
	fn anchor() -> Weight {
		Weight::zero()
	}
	fn revoke() -> Weight {
		Weight::zero()
	}
}
