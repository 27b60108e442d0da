//! Weights for `pallet_participants`.
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

/// Weight functions needed for `pallet_participants`.
pub trait WeightInfo {
	fn admit_hospital() -> Weight;
	fn set_hospital_status() -> Weight;
	fn set_consent_policy() -> Weight;
	fn add_gateway() -> Weight;
	fn remove_gateway() -> Weight;
	fn admit_registrar() -> Weight;
	fn remove_registrar() -> Weight;
	fn set_licensing_authority() -> Weight;
	fn license_practitioner() -> Weight;
	fn set_licence_status() -> Weight;
	fn affiliate_practitioner() -> Weight;
	fn end_affiliation() -> Weight;
	fn accept_terms() -> Weight;
}

/// Weights for `pallet_participants` using the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn admit_hospital() -> Weight {
		provisional::<T>(3, 4)
	}
	fn set_hospital_status() -> Weight {
		provisional::<T>(1, 1)
	}
	fn set_consent_policy() -> Weight {
		provisional::<T>(2, 1)
	}
	fn add_gateway() -> Weight {
		provisional::<T>(3, 3)
	}
	fn remove_gateway() -> Weight {
		provisional::<T>(3, 3)
	}
	fn admit_registrar() -> Weight {
		provisional::<T>(3, 3)
	}
	fn remove_registrar() -> Weight {
		provisional::<T>(2, 3)
	}
	fn set_licensing_authority() -> Weight {
		provisional::<T>(3, 4)
	}
	fn license_practitioner() -> Weight {
		provisional::<T>(2, 1)
	}
	fn set_licence_status() -> Weight {
		provisional::<T>(2, 1)
	}
	fn affiliate_practitioner() -> Weight {
		provisional::<T>(3, 1)
	}
	fn end_affiliation() -> Weight {
		provisional::<T>(2, 1)
	}
	fn accept_terms() -> Weight {
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
	fn admit_hospital() -> Weight {
		Weight::zero()
	}
	fn set_hospital_status() -> Weight {
		Weight::zero()
	}
	fn set_consent_policy() -> Weight {
		Weight::zero()
	}
	fn add_gateway() -> Weight {
		Weight::zero()
	}
	fn remove_gateway() -> Weight {
		Weight::zero()
	}
	fn admit_registrar() -> Weight {
		Weight::zero()
	}
	fn remove_registrar() -> Weight {
		Weight::zero()
	}
	fn set_licensing_authority() -> Weight {
		Weight::zero()
	}
	fn license_practitioner() -> Weight {
		Weight::zero()
	}
	fn set_licence_status() -> Weight {
		Weight::zero()
	}
	fn affiliate_practitioner() -> Weight {
		Weight::zero()
	}
	fn end_affiliation() -> Weight {
		Weight::zero()
	}
	fn accept_terms() -> Weight {
		Weight::zero()
	}
}
