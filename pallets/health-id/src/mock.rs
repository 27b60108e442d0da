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
	pub const MaxGateways: u32 = 3;
	pub const MaxAffiliations: u32 = 4;
}

impl pallet_participants::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type AdminOrigin = EnsureRoot<u64>;
	type MaxGateways = MaxGateways;
	type MaxAffiliations = MaxAffiliations;
	type PatientControllers = frame_support::traits::Nothing;
	type WeightInfo = ();
}

impl pallet_health_id::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = ();
}

/// A registrar.
pub const REGISTRAR: u64 = 30;
/// A hospital gateway (not a registrar).
pub const GW_A: u64 = 10;
/// A patient's wallet key.
pub const PATIENT: u64 = 100;
/// Another wallet key.
pub const NEW_PHONE: u64 = 101;

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
		registrars: vec![(
			REGISTRAR,
			pallet_participants::RegistrarKind::BankBranch,
			b"Bank".to_vec().try_into().unwrap(),
		)],
		licensing_authority: None,
		practitioners: vec![],
	}
	.assimilate_storage(&mut t)
	.unwrap();
	let mut ext: sp_io::TestExternalities = t.into();
	ext.execute_with(|| System::set_block_number(1));
	ext
}
