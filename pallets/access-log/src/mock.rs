//! Test runtime for the access-log pallet: participants, health IDs, timestamp, consent,
//! records.
//!
//! The runtime, genesis and helpers are the shared fixture of
//! [`pallet_consent::impl_test_runtime`]; only the access-log pallet's `Config` is written here.

use crate as pallet_access_log;

pallet_consent::impl_test_runtime!(Records: pallet_records, AccessLog: pallet_access_log);

impl pallet_records::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type MaxRecordSize = frame_support::traits::ConstU32<1_000_000>;
	type WeightInfo = ();
}

impl pallet_access_log::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = ();
	type MaxBatch = frame_support::traits::ConstU32<100>;
}
