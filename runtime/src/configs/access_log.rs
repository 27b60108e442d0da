//! Access attestations: every access a gateway served, checked by the consent decision.

use frame_support::traits::ConstU32;

use crate::{Runtime, RuntimeEvent};

/// Access attestations, attested in batches.
impl pallet_access_log::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = pallet_access_log::weights::SubstrateWeight<Runtime>;
	/// 100 accesses (about 9 KiB, under 2 % of a block's weight at the benchmarked cost):
	/// a gateway's backlog of a few seconds in one transaction, still small enough that one
	/// refused batch costs its author little.
	type MaxBatch = ConstU32<100>;
}
