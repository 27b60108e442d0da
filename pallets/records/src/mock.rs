//! Test runtime for the records pallet: participants, health IDs, timestamp, consent.
//!
//! The runtime, genesis and helpers are the shared fixture of
//! [`pallet_consent::impl_test_runtime`]; only the records pallet's `Config` is written here.

use crate as pallet_records;

pallet_consent::impl_test_runtime!(Records: pallet_records);

impl pallet_records::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type MaxRecordSize = frame_support::traits::ConstU32<1_000_000>;
	type WeightInfo = ();
}
