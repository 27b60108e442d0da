//! Test runtime for the participants pallet.

use crate as pallet_participants;
use frame_support::{derive_impl, parameter_types};
use frame_system::EnsureRoot;
use healthchain_primitives::{ConsentPolicy, HospitalCode, LicenceNumber};
use sp_runtime::BuildStorage;

type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Participants: pallet_participants,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
}

parameter_types! {
	pub const MaxGateways: u32 = 3;
	pub const MaxAffiliations: u32 = 2;
}

impl pallet_participants::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type AdminOrigin = EnsureRoot<u64>;
	type MaxGateways = MaxGateways;
	type MaxAffiliations = MaxAffiliations;
	type PatientControllers = frame_support::traits::Nothing;
	type WeightInfo = ();
}

/// Operator account.
pub const OPERATOR: u64 = 1;
/// Gateway of hospital A (one-time consent).
pub const GW_A: u64 = 10;
/// Gateway of hospital B (per-request consent).
pub const GW_B: u64 = 20;
/// A registrar (bank branch).
pub const REGISTRAR: u64 = 30;
/// The licensing authority.
pub const COUNCIL: u64 = 40;
/// An account with no role.
pub const STRANGER: u64 = 99;

pub fn code(s: &str) -> HospitalCode {
	s.as_bytes().to_vec().try_into().expect("short code")
}

pub fn lic(s: &str) -> LicenceNumber {
	s.as_bytes().to_vec().try_into().expect("short licence")
}

pub fn name(s: &str) -> crate::Name {
	s.as_bytes().to_vec().try_into().expect("short name")
}

pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut t = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_participants::GenesisConfig::<Test> {
		operators: vec![OPERATOR],
		hospitals: vec![
			(code("A001"), name("Hospital A"), ConsentPolicy::OneTime, vec![GW_A]),
			(code("B002"), name("Hospital B"), ConsentPolicy::PerRequest, vec![GW_B]),
		],
		registrars: vec![(REGISTRAR, crate::RegistrarKind::BankBranch, name("Bank branch"))],
		licensing_authority: Some(COUNCIL),
		practitioners: vec![(lic("MD1"), vec![code("A001")], true)],
	}
	.assimilate_storage(&mut t)
	.unwrap();
	let mut ext: sp_io::TestExternalities = t.into();
	ext.execute_with(|| System::set_block_number(1));
	ext
}
