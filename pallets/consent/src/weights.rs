//! Weights for `pallet_consent`.
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

/// Weight functions needed for `pallet_consent`.
pub trait WeightInfo {
	fn enrol(s: u32) -> Weight;
	fn withdraw(p: u32) -> Weight;
	fn set_sources(s: u32) -> Weight;
	fn set_sensitive_opt_in() -> Weight;
	fn request_access(p: u32) -> Weight;
	fn respond(p: u32) -> Weight;
	fn revoke_grant() -> Weight;
	fn open_emergency_access() -> Weight;
	fn review_emergency_access() -> Weight;
}

/// Weights for `pallet_consent` using the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn enrol(s: u32) -> Weight {
		provisional::<T>(3 + s as u64, 1)
	}
	fn withdraw(p: u32) -> Weight {
		provisional::<T>(4, 3 + p as u64)
	}
	fn set_sources(s: u32) -> Weight {
		provisional::<T>(3 + s as u64, 1)
	}
	fn set_sensitive_opt_in() -> Weight {
		provisional::<T>(3, 1)
	}
	fn request_access(p: u32) -> Weight {
		provisional::<T>(6 + p as u64, 4 + p as u64)
	}
	fn respond(_p: u32) -> Weight {
		provisional::<T>(5, 3)
	}
	fn revoke_grant() -> Weight {
		provisional::<T>(3, 1)
	}
	fn open_emergency_access() -> Weight {
		provisional::<T>(5, 3)
	}
	fn review_emergency_access() -> Weight {
		provisional::<T>(3, 2)
	}
}

fn provisional<T: frame_system::Config>(reads: u64, writes: u64) -> Weight {
	Weight::from_parts(50_000_000, 10_000)
		.saturating_add(T::DbWeight::get().reads(reads))
		.saturating_add(T::DbWeight::get().writes(writes))
}

// For tests.
impl WeightInfo for () {
	fn enrol(_s: u32) -> Weight {
		Weight::zero()
	}
	fn withdraw(_p: u32) -> Weight {
		Weight::zero()
	}
	fn set_sources(_s: u32) -> Weight {
		Weight::zero()
	}
	fn set_sensitive_opt_in() -> Weight {
		Weight::zero()
	}
	fn request_access(_p: u32) -> Weight {
		Weight::zero()
	}
	fn respond(_p: u32) -> Weight {
		Weight::zero()
	}
	fn revoke_grant() -> Weight {
		Weight::zero()
	}
	fn open_emergency_access() -> Weight {
		Weight::zero()
	}
	fn review_emergency_access() -> Weight {
		Weight::zero()
	}
}
