//! Anchors of encrypted off-chain records.

use frame_support::traits::ConstU32;

use crate::{Runtime, RuntimeEvent};

/// Record anchors: content hashes of records up to 64 MiB.
impl pallet_records::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	/// 64 MiB: imaging summaries, not raw imaging.
	type MaxRecordSize = ConstU32<{ 64 * 1024 * 1024 }>;
	type WeightInfo = pallet_records::weights::SubstrateWeight<Runtime>;
}
