//! Test runtime for the records pallet: participants, health IDs, timestamp, consent.

use crate as pallet_records;
use frame_support::{derive_impl, parameter_types};
use frame_system::EnsureRoot;
use healthchain_primitives::{
	document::health_id_of, ConsentPolicy, DocumentKind, HealthId, HospitalCode, LicenceNumber,
	Moment,
};
use pallet_health_id::Controller;
use sp_runtime::BuildStorage;

type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Timestamp: pallet_timestamp,
		Participants: pallet_participants,
		HealthIds: pallet_health_id,
		Consent: pallet_consent,
		Records: pallet_records,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
}

impl pallet_timestamp::Config for Test {
	type Moment = u64;
	type OnTimestampSet = ();
	type MinimumPeriod = frame_support::traits::ConstU64<1>;
	type WeightInfo = ();
}

parameter_types! {
	pub const MaxGateways: u32 = 3;
	pub const MaxAffiliations: u32 = 4;
	pub const UtcOffsetSecs: i64 = 7 * 3600;
	pub const MaxSources: u32 = 4;
	pub const RequestTtl: Moment = 15 * 60 * 1000;
	pub const MaxPendingRequests: u32 = 3;
	pub const EmergencyDuration: Moment = 24 * 3600 * 1000;
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

impl pallet_consent::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type TimeProvider = Timestamp;
	type UtcOffsetSecs = UtcOffsetSecs;
	type MaxSources = MaxSources;
	type RequestTtl = RequestTtl;
	type MaxPendingRequests = MaxPendingRequests;
	type EmergencyDuration = EmergencyDuration;
	type WeightInfo = ();
}

impl pallet_records::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type MaxRecordSize = frame_support::traits::ConstU32<1_000_000>;
	type WeightInfo = ();
}

/// Gateway of hospital A001 (one-time consent).
pub const GW_A: u64 = 10;
/// Gateway of hospital B002 (per-request consent).
pub const GW_B: u64 = 20;
/// Gateway of hospital C003 (one-time consent).
pub const GW_C: u64 = 25;
/// Registrar.
pub const REGISTRAR: u64 = 30;
/// Licensing authority.
pub const COUNCIL: u64 = 40;
/// Somchai's wallet key.
pub const SOMCHAI_KEY: u64 = 100;
/// Another patient's wallet key.
pub const MALEE_KEY: u64 = 101;
/// Somebody with no role.
pub const STRANGER: u64 = 999;

/// 2026-11-21 10:00 Bangkok (03:00 UTC), in ms.
pub const T0: Moment = 1_795_230_000_000;

const SECRET: [u8; 32] = [42u8; 32];

pub fn code(s: &str) -> HospitalCode {
	s.as_bytes().to_vec().try_into().expect("short code")
}
pub fn lic(s: &str) -> LicenceNumber {
	s.as_bytes().to_vec().try_into().expect("short licence")
}
/// Somchai: Thai citizen with a wallet key.
pub fn somchai() -> HealthId {
	health_id_of(&SECRET, DocumentKind::ThaiCitizenId, "1101700230708").unwrap()
}
/// Malee: Thai citizen with a wallet key.
pub fn malee() -> HealthId {
	health_id_of(&SECRET, DocumentKind::ThaiCitizenId, "1101700230716").unwrap()
}
/// Aung: migrant worker with a passport, served in person (assisted).
pub fn aung() -> HealthId {
	health_id_of(&SECRET, DocumentKind::Passport { country: *b"MMR" }, "MB123456").unwrap()
}
/// A health ID nobody registered.
pub fn nobody() -> HealthId {
	HealthId([0xee; 32])
}

/// Sets the block timestamp (ms).
pub fn set_now(ms: Moment) {
	pallet_timestamp::Now::<Test>::put(ms);
}

pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut t = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	let name = |s: &str| -> pallet_participants::Name { s.as_bytes().to_vec().try_into().unwrap() };
	pallet_participants::GenesisConfig::<Test> {
		operators: vec![],
		hospitals: vec![
			(code("A001"), name("A"), ConsentPolicy::OneTime, vec![GW_A]),
			(code("B002"), name("B"), ConsentPolicy::PerRequest, vec![GW_B]),
			(code("C003"), name("C"), ConsentPolicy::OneTime, vec![GW_C]),
		],
		registrars: vec![(REGISTRAR, pallet_participants::RegistrarKind::BankBranch, name("Bank"))],
		licensing_authority: Some(COUNCIL),
		practitioners: vec![
			(lic("MD-A"), vec![code("A001")], true),
			(lic("MD-B"), vec![code("B002")], true),
			(lic("MD-AB"), vec![code("A001"), code("B002")], true),
		],
	}
	.assimilate_storage(&mut t)
	.unwrap();
	pallet_health_id::GenesisConfig::<Test> {
		health_ids: vec![
			(somchai(), DocumentKind::ThaiCitizenId, Controller::Key(SOMCHAI_KEY), REGISTRAR),
			(malee(), DocumentKind::ThaiCitizenId, Controller::Key(MALEE_KEY), REGISTRAR),
			(aung(), DocumentKind::Passport { country: *b"MMR" }, Controller::Assisted, REGISTRAR),
		],
	}
	.assimilate_storage(&mut t)
	.unwrap();
	let mut ext: sp_io::TestExternalities = t.into();
	ext.execute_with(|| {
		System::set_block_number(1);
		set_now(T0);
	});
	ext
}
