//! The consent engine: its clock (Bangkok calendar days), lifetimes and bounds.

use frame_support::{parameter_types, traits::ConstU32};

use crate::{Runtime, RuntimeEvent, Timestamp, UTC_OFFSET_SECS};

parameter_types! {
	/// Asia/Bangkok, UTC+7.
	pub const UtcOffsetSecs: i64 = UTC_OFFSET_SECS;
	/// Unanswered consent requests lapse after 15 minutes.
	pub const RequestTtl: u64 = 15 * 60 * 1000;
	/// Emergency accesses last 24 hours.
	pub const EmergencyDuration: u64 = 24 * 60 * 60 * 1000;
	/// An emergency access not reviewed within 72 hours is listed for the licensing
	/// authority.
	pub const ReviewDeadline: u64 = 72 * 60 * 60 * 1000;
	/// The licensing authority can overturn a `Justified` review for 90 days after the access
	/// ended; the reviewed access stays in state that long.
	pub const OverturnWindow: u64 = 90 * 24 * 60 * 60 * 1000;
	/// An assistance session lasts 30 minutes.
	pub const AssistanceDuration: u64 = 30 * 60 * 1000;
}

/// The consent engine, on the block timestamps.
impl pallet_consent::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type TimeProvider = Timestamp;
	type UtcOffsetSecs = UtcOffsetSecs;
	type MaxSources = ConstU32<32>;
	type RequestTtl = RequestTtl;
	type MaxPendingRequests = ConstU32<16>;
	type EmergencyDuration = EmergencyDuration;
	type MaxGrants = ConstU32<16>;
	type MaxPendingPerHospital = ConstU32<4>;
	type MaxUnreviewedEmergencies = ConstU32<10>;
	type ReviewDeadline = ReviewDeadline;
	type OverturnWindow = OverturnWindow;
	type AssistanceDuration = AssistanceDuration;
	type WeightInfo = pallet_consent::weights::SubstrateWeight<Runtime>;
}
