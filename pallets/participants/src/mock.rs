//! Test runtime for the participants pallet: `System` and `Participants`, with a call table
//! and quotas of its own to test the permission gate.
//!
//! The pallet's configuration is the shared one of [`crate::impl_participants_config`], with
//! this module's call table, patients, quotas, quota period and affiliation bound.

use crate as pallet_participants;
use frame_support::{derive_impl, parameter_types};
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
	/// Non-zero storage costs, so refunds of reads not made show.
	type DbWeight = frame_support::weights::constants::RocksDbWeight;
}

parameter_types! {
	/// Hospitals per practitioner (2, to reach the bound).
	pub const MaxAffiliations: u32 = 2;
	/// Quotas count per 10 blocks.
	pub const QuotaPeriod: u64 = 10;
	/// A patient key's quota: small, so that the tests reach it.
	pub const PatientQuota: crate::Quota = crate::Quota { per_block: 2, per_period: 3, max_pooled: 2 };
	/// Every other role's quota.
	pub const ParticipantQuota: crate::Quota =
		crate::Quota { per_block: 100, per_period: 1000, max_pooled: 100 };
}

/// The test runtime's call table: operators may make any call; gateways the participants
/// pallet's calls; registrars `System::remark`; a patient key only `System::remark_with_event`
/// (standing in for its consent calls), and only the patient `PATIENT_ID`'s key.
pub struct TestPolicy;
impl crate::CallPolicy<u64, RuntimeCall> for TestPolicy {
	fn check(
		_who: &u64,
		signer: &crate::Signer,
		call: &RuntimeCall,
	) -> Result<crate::Allowance, crate::Refusal> {
		use crate::{Refusal, Signer};
		let allowed = match (signer, call) {
			(Signer::Operator, _) => true,
			(Signer::Gateway(_), RuntimeCall::Participants(_)) => true,
			(Signer::Registrar, RuntimeCall::System(frame_system::Call::remark { .. })) => true,
			(
				Signer::Patient(id),
				RuntimeCall::System(frame_system::Call::remark_with_event { .. }),
			) => {
				if *id != PATIENT_ID {
					return Err(Refusal::NotForThisPatient);
				}
				true
			},
			_ => false,
		};
		if !allowed {
			return Err(Refusal::OutsideRole);
		}
		let priority = if matches!(signer, crate::Signer::Patient(_)) { 1 } else { 2 };
		Ok(crate::Allowance { calls: Self::calls(call), priority })
	}

	/// A `remark_with_event` of n bytes stands in for a batch of n calls.
	fn calls(call: &RuntimeCall) -> u32 {
		match call {
			RuntimeCall::System(frame_system::Call::remark_with_event { remark }) => {
				remark.len().max(1) as u32
			},
			_ => 1,
		}
	}
	fn checks(_call: &RuntimeCall) -> u32 {
		0
	}

	/// A `remark_with_event` whose first byte is `!` stands in for a protective call (a
	/// withdrawal, a cancelled rebind).
	fn kind(call: &RuntimeCall) -> crate::CallKind {
		match call {
			RuntimeCall::System(frame_system::Call::remark_with_event { remark })
				if remark.first() == Some(&b'!') =>
			{
				crate::CallKind::Protective
			},
			_ => crate::CallKind::Ordinary,
		}
	}
}

/// Two patient keys: `PATIENT` (of `PATIENT_ID`) and `OTHER_PATIENT` (of another ID).
pub struct TestPatients;
impl crate::PatientKeys<u64> for TestPatients {
	fn health_id_of(who: &u64) -> Option<healthchain_primitives::HealthId> {
		match *who {
			PATIENT => Some(PATIENT_ID),
			OTHER_PATIENT => Some(healthchain_primitives::HealthId([2; 32])),
			_ => None,
		}
	}
}

/// A patient's controller key.
pub const PATIENT: u64 = 50;
/// Another patient's controller key.
pub const OTHER_PATIENT: u64 = 51;
/// The health ID `PATIENT` controls.
pub const PATIENT_ID: healthchain_primitives::HealthId = healthchain_primitives::HealthId([1; 32]);

crate::impl_participants_config!(
	Test,
	Patients = TestPatients,
	CallPolicy = TestPolicy,
	MaxAffiliations = MaxAffiliations,
	QuotaPeriod = QuotaPeriod,
	PatientQuota = PatientQuota,
	ParticipantQuota = ParticipantQuota,
);

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

/// A hospital code from a short string.
pub fn code(s: &str) -> HospitalCode {
	s.as_bytes().to_vec().try_into().expect("short code")
}

/// A licence number from a short string.
pub fn lic(s: &str) -> LicenceNumber {
	s.as_bytes().to_vec().try_into().expect("short licence")
}

/// A name from a short string.
pub fn name(s: &str) -> crate::Name {
	s.as_bytes().to_vec().try_into().expect("short name")
}

/// Genesis: the operator, hospitals A001 (one-time consent) and B002 (per-request) with one
/// gateway each, a bank-branch registrar, the licensing authority and one licensed
/// practitioner at A001; block 1.
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
