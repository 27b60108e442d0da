//! Test runtime for the health-id pallet.

use crate as pallet_health_id;
use frame_support::{derive_impl, parameter_types};
use frame_system::EnsureRoot;
use sp_runtime::BuildStorage;

type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Participants: pallet_participants,
		Ids: pallet_health_id,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
}

parameter_types! {
	/// Gateways per hospital.
	pub const MaxGateways: u32 = 3;
	/// Affiliations per practitioner.
	pub const MaxAffiliations: u32 = 4;
	/// Blocks before a scheduled controller rebind can be completed (a day on the real chain).
	pub const RebindDelay: u64 = 10;
	/// Blocks after a key's cancellation during which a new rebind is contested (30 days on
	/// the real chain).
	pub const ContestWindow: u64 = 50;
	/// Documents linkable to one health ID (8 on the real chain; 2 to reach the bound).
	pub const MaxLinkedDocuments: u32 = 2;
}

impl pallet_participants::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type AdminOrigin = EnsureRoot<u64>;
	type MaxGateways = MaxGateways;
	type MaxAffiliations = MaxAffiliations;
	type Patients = pallet_health_id::PatientControllerKeys<Test>;
	type CallPolicy = pallet_participants::AnyCallForTests;
	type QuotaPeriod = frame_support::traits::ConstU64<100>;
	type PatientQuota = pallet_participants::AnyQuotaForTests;
	type GatewayQuota = pallet_participants::AnyQuotaForTests;
	type RegistrarQuota = pallet_participants::AnyQuotaForTests;
	type LicensingAuthorityQuota = pallet_participants::AnyQuotaForTests;
	type OperatorQuota = pallet_participants::AnyQuotaForTests;
	type ProtectiveCallsPerBlock = frame_support::traits::ConstU32<2>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = pallet_participants::OperatorRemarksForTests<Test>;
}

impl pallet_health_id::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type AdminOrigin = EnsureRoot<u64>;
	type RebindDelay = RebindDelay;
	type ContestWindow = ContestWindow;
	type MaxLinkedDocuments = MaxLinkedDocuments;
	type WeightInfo = ();
}

/// A registrar.
pub const REGISTRAR: u64 = 30;
/// Another registrar.
pub const REGISTRAR_B: u64 = 31;
/// A hospital gateway (not a registrar).
pub const GW_A: u64 = 10;
/// A patient's wallet key.
pub const PATIENT: u64 = 100;
/// Another wallet key.
pub const NEW_PHONE: u64 = 101;

/// Test state: hospital `A001` with gateway `GW_A`, registrars `REGISTRAR` and `REGISTRAR_B`,
/// no health IDs, at block 1.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut t = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_participants::GenesisConfig::<Test> {
		operators: vec![],
		hospitals: vec![(
			b"A001".to_vec().try_into().unwrap(),
			b"Hospital A".to_vec().try_into().unwrap(),
			healthchain_primitives::ConsentPolicy::OneTime,
			vec![GW_A],
		)],
		registrars: vec![
			(
				REGISTRAR,
				pallet_participants::RegistrarKind::BankBranch,
				b"Bank".to_vec().try_into().unwrap(),
			),
			(
				REGISTRAR_B,
				pallet_participants::RegistrarKind::BankBranch,
				b"Bank B".to_vec().try_into().unwrap(),
			),
		],
		licensing_authority: None,
		practitioners: vec![],
	}
	.assimilate_storage(&mut t)
	.unwrap();
	let mut ext: sp_io::TestExternalities = t.into();
	ext.execute_with(|| System::set_block_number(1));
	ext
}
