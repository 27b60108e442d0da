//! Test runtime for the health-id pallet: `System`, `Participants` and `Ids` (no consent
//! pallet: it depends on this one), with a genesis of its own.
//!
//! Both pallets' configurations are the shared ones of
//! [`pallet_participants::impl_participants_config`] and
//! [`pallet_participants::impl_health_id_config`] (see [`pallet_participants::test_runtime`]).

use crate as pallet_health_id;
use frame_support::derive_impl;
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

pallet_participants::impl_participants_config!(
	Test,
	Patients = pallet_health_id::PatientControllerKeys<Test>,
);

pallet_participants::impl_health_id_config!(Test);

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
