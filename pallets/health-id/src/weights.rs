//! Weights for `pallet_health_id`.
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

/// Weight functions needed for `pallet_health_id`.
pub trait WeightInfo {
	fn register() -> Weight;
	fn rebind_controller() -> Weight;
	fn deactivate() -> Weight;
}

/// Weights for `pallet_health_id` using the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn register() -> Weight {
		provisional::<T>(4, 3)
	}
	fn rebind_controller() -> Weight {
		provisional::<T>(5, 5)
	}
	fn deactivate() -> Weight {
		provisional::<T>(3, 3)
	}
}

fn provisional<T: frame_system::Config>(reads: u64, writes: u64) -> Weight {
	Weight::from_parts(50_000_000, 10_000)
		.saturating_add(T::DbWeight::get().reads(reads))
		.saturating_add(T::DbWeight::get().writes(writes))
}

// For tests.
impl WeightInfo for () {
	fn register() -> Weight {
		Weight::zero()
	}
	fn rebind_controller() -> Weight {
		Weight::zero()
	}
	fn deactivate() -> Weight {
		Weight::zero()
	}
}
