//! The participants: hospitals and their gateways, registrars, the licensing authority,
//! practitioners and operators, and every signer's quota of calls.

use frame_support::{parameter_types, traits::ConstU32};

use crate::{configs::governance::RootOrCouncilMajority, Runtime, RuntimeEvent, DAYS};

parameter_types! {
	/// A patient's phone: a few dozen consent acts a day, a handful at once.
	pub const PatientQuota: pallet_participants::Quota =
		pallet_participants::Quota { per_block: 4, per_period: 40, max_pooled: 4 };
	/// A hospital gateway: its peak of anchors and attestations (the load benchmark's rate is
	/// about 1 200 a block), and a national hospital's day.
	pub const GatewayQuota: pallet_participants::Quota =
		pallet_participants::Quota { per_block: 2_000, per_period: 2_000_000, max_pooled: 2_048 };
	/// A registrar: a busy service point's day of registrations and sessions.
	pub const RegistrarQuota: pallet_participants::Quota =
		pallet_participants::Quota { per_block: 200, per_period: 20_000, max_pooled: 256 };
	/// The licensing authority: licences and reviews.
	pub const LicensingAuthorityQuota: pallet_participants::Quota =
		pallet_participants::Quota { per_block: 200, per_period: 20_000, max_pooled: 256 };
	/// An operator: governance, session keys.
	pub const OperatorQuota: pallet_participants::Quota =
		pallet_participants::Quota { per_block: 200, per_period: 20_000, max_pooled: 256 };
}

/// The participants, the permission gate's table ([`super::permissions`]) and the quotas.
impl pallet_participants::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type AdminOrigin = RootOrCouncilMajority;
	type MaxGateways = ConstU32<8>;
	type MaxAffiliations = ConstU32<16>;
	type Patients = pallet_health_id::PatientControllerKeys<Runtime>;
	type CallPolicy = super::permissions::RoleBoundCalls;
	/// Quotas count per day (of blocks).
	type QuotaPeriod = ConstU32<DAYS>;
	type PatientQuota = PatientQuota;
	type GatewayQuota = GatewayQuota;
	type RegistrarQuota = RegistrarQuota;
	type LicensingAuthorityQuota = LicensingAuthorityQuota;
	type OperatorQuota = OperatorQuota;
	/// At most two of a patient's protective calls (withdraw, cancel a rebind...) a block.
	type ProtectiveCallsPerBlock = frame_support::traits::ConstU32<2>;
	type WeightInfo = pallet_participants::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = super::permissions::benchmark_cases::GateWorstCases;
}
