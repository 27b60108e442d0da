//! Digital health IDs: keyed-hash patient identifiers, their controller keys and rebinds.

use frame_support::traits::ConstU32;

use crate::{configs::governance::RootOrCouncilMajority, Runtime, RuntimeEvent, DAYS};

/// Health IDs, registered by registrars; a controller rebind waits a day.
impl pallet_health_id::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type AdminOrigin = RootOrCouncilMajority;
	/// A registrar's rebinding of a controller key takes effect after a day, unless the
	/// current key confirms it sooner or cancels it.
	type RebindDelay = ConstU32<DAYS>;
	/// For 30 days after the current key cancelled a rebind, a new rebind of the same health
	/// ID is contested: the key cannot cancel it and the council decides it (a stolen key
	/// blocks one rebind only).
	type ContestWindow = ConstU32<{ 30 * DAYS }>;
	type MaxLinkedDocuments = ConstU32<8>;
	type WeightInfo = pallet_health_id::weights::SubstrateWeight<Runtime>;
}
