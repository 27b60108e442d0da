//! The test runtime of HealthChain's pallets, written once, and the pallet configurations it
//! is made of.
//!
//! A pallet's unit tests (`#[cfg(test)] mod mock`) need the pallet itself in their runtime: a
//! runtime defined in a crate that depends on the pallet would hold a second copy of it, so
//! the shared runtime cannot be a crate of its own. It is text instead: `macro_rules!` macros
//! that each pallet's `mock.rs` expands. Paths in an expansion resolve where the macro is
//! called, so the macros live here, in the lowest pallet, and every pallet above expands them
//! with its own crate in scope (`use crate as pallet_consent;`). The module holds only macros:
//! nothing of it reaches a runtime build.
//!
//! - [`impl_participants_config!`](crate::impl_participants_config) writes the one
//!   `pallet_participants::Config` of the tests: every gate and quota open, unless the caller
//!   (the participants pallet's own tests, which test the gate) gives its own call table,
//!   quotas, quota period and affiliation bound.
//! - [`impl_health_id_config!`](crate::impl_health_id_config) writes the one
//!   `pallet_health_id::Config` of the tests and its parameter types.
//! - [`impl_test_runtime!`](crate::impl_test_runtime) writes the shared runtime `Test`
//!   (`System`, `Timestamp`, `Participants`, `HealthIds`, `Consent`, then `Records` and
//!   `AccessLog` when asked), every pallet's configuration (the two above included), the
//!   actors, the clock and the genesis.
//!
//! Who expands what:
//!
//! | mock | runtime | configurations |
//! | --- | --- | --- |
//! | `pallet_participants` | its own (`System`, `Participants`): tests the gate with its own call table | `impl_participants_config!` with its table, patients, quotas |
//! | `pallet_health_id` | its own (`System`, `Participants`, `Ids`): no consent pallet below it | `impl_participants_config!`, `impl_health_id_config!` |
//! | `pallet_consent` | `impl_test_runtime!()` | all, from `impl_test_runtime!` |
//! | `pallet_records` | `impl_test_runtime!(Records)` | all, from `impl_test_runtime!` |
//! | `pallet_access_log` | `impl_test_runtime!(Records, AccessLog)` | all, from `impl_test_runtime!` |
//!
//! No mock writes a configuration of these five pallets by hand.

/// Writes the tests' `pallet_participants::Config` for `$runtime` into the calling module.
///
/// Admin origin root, 3 gateways per hospital, `WeightInfo = ()`, two protective calls a
/// block, and the operators' remarks as the benchmarks' worst cases. With only `Patients`
/// given, every call is allowed ([`AnyCallForTests`](crate::AnyCallForTests)), no quota is
/// reached ([`AnyQuotaForTests`](crate::AnyQuotaForTests)), quotas count per 100 blocks and a
/// practitioner holds 4 affiliations; the long form sets these too (`ParticipantQuota` is the
/// quota of every role but patients).
///
/// The calling module must see `frame_support`, `frame_system` and the runtime's
/// `RuntimeEvent`; accounts are `u64`.
///
/// ```text
/// pallet_participants::impl_participants_config!(
///     Test,
///     Patients = pallet_health_id::PatientControllerKeys<Test>,
/// );
/// ```
#[macro_export]
macro_rules! impl_participants_config {
	($runtime:ty, Patients = $patients:ty $(,)?) => {
		$crate::impl_participants_config!(
			$runtime,
			Patients = $patients,
			CallPolicy = $crate::AnyCallForTests,
			MaxAffiliations = frame_support::traits::ConstU32<4>,
			QuotaPeriod = frame_support::traits::ConstU64<100>,
			PatientQuota = $crate::AnyQuotaForTests,
			ParticipantQuota = $crate::AnyQuotaForTests,
		);
	};
	(
		$runtime:ty,
		Patients = $patients:ty,
		CallPolicy = $policy:ty,
		MaxAffiliations = $affiliations:ty,
		QuotaPeriod = $period:ty,
		PatientQuota = $patient_quota:ty,
		ParticipantQuota = $participant_quota:ty $(,)?
	) => {
		impl $crate::Config for $runtime {
			type RuntimeEvent = RuntimeEvent;
			type AdminOrigin = frame_system::EnsureRoot<u64>;
			type MaxGateways = frame_support::traits::ConstU32<3>;
			type MaxAffiliations = $affiliations;
			type Patients = $patients;
			type CallPolicy = $policy;
			type QuotaPeriod = $period;
			type PatientQuota = $patient_quota;
			type GatewayQuota = $participant_quota;
			type RegistrarQuota = $participant_quota;
			type LicensingAuthorityQuota = $participant_quota;
			type OperatorQuota = $participant_quota;
			type ProtectiveCallsPerBlock = frame_support::traits::ConstU32<2>;
			type WeightInfo = ();
			#[cfg(feature = "runtime-benchmarks")]
			type BenchmarkHelper = $crate::OperatorRemarksForTests<$runtime>;
		}
	};
}

/// Writes the tests' `pallet_health_id::Config` for `$runtime` into the calling module, with
/// its parameter types `RebindDelay`, `ContestWindow` and `MaxLinkedDocuments`.
///
/// The calling module must see `frame_support`, `frame_system`, `pallet_health_id` and the
/// runtime's `RuntimeEvent`; accounts are `u64` and block numbers `u64`.
#[macro_export]
macro_rules! impl_health_id_config {
	($runtime:ty) => {
		frame_support::parameter_types! {
			/// Blocks before a scheduled controller rebind can be completed (a day on the real
			/// chain).
			pub const RebindDelay: u64 = 10;
			/// Blocks after a key's cancellation during which a new rebind is contested (30
			/// days on the real chain).
			pub const ContestWindow: u64 = 50;
			/// Documents linkable to one health ID (8 on the real chain; 2 to reach the bound).
			pub const MaxLinkedDocuments: u32 = 2;
		}

		impl pallet_health_id::Config for $runtime {
			type RuntimeEvent = RuntimeEvent;
			type AdminOrigin = frame_system::EnsureRoot<u64>;
			type RebindDelay = RebindDelay;
			type ContestWindow = ContestWindow;
			type MaxLinkedDocuments = MaxLinkedDocuments;
			type WeightInfo = ();
		}
	};
}

/// Writes the HealthChain test runtime into the calling module.
///
/// The expansion holds the `Test` runtime (`System`, `Timestamp`, `Participants`, `HealthIds`,
/// `Consent`, then `Records` and `AccessLog` when asked), the `Config` impls of all its
/// pallets, the actors (`GW_A`, `GW_B`, `GW_C`, `GW_E`, `REGISTRAR`, `COUNCIL`, `SOMCHAI_KEY`,
/// `MALEE_KEY`, `STRANGER`), the clock (`T0`, `MINUTE`, `HOUR`, `set_now`), the patients
/// (`somchai`, `malee`, `aung`, `nobody`), `code` and `lic`, and `new_test_ext`: four
/// hospitals (A001 and C003 one-time consent, B002 and E005 per-request) with one gateway
/// each, a registrar, the licensing authority, four licensed practitioners and three health
/// IDs, at block 1 and `T0`. Helpers some callers do not use are `#[allow(dead_code)]`.
///
/// Paths in the expansion name crates, and `macro_rules!` resolves them where the macro is
/// called, so the calling module must see `frame_support`, `frame_system`, `pallet_timestamp`,
/// `pallet_participants`, `pallet_health_id`, `pallet_consent`, `healthchain_primitives`,
/// `sp_runtime` and `sp_io` (and `pallet_records`, `pallet_access_log` when it asks for them;
/// inside a pallet: `use crate as pallet_consent;`).
///
/// ```text
/// // pallets/consent/src/mock.rs
/// use crate as pallet_consent;
/// pallet_participants::impl_test_runtime!();
///
/// // pallets/records/src/mock.rs
/// use crate as pallet_records;
/// pallet_participants::impl_test_runtime!(Records);
///
/// // pallets/access-log/src/mock.rs
/// use crate as pallet_access_log;
/// pallet_participants::impl_test_runtime!(Records, AccessLog);
/// ```
#[macro_export]
macro_rules! impl_test_runtime {
	() => {
		$crate::impl_test_runtime!(@runtime);
	};
	(Records) => {
		$crate::impl_test_runtime!(@runtime Records: pallet_records);
		$crate::impl_test_runtime!(@records);
	};
	(Records, AccessLog) => {
		$crate::impl_test_runtime!(@runtime Records: pallet_records, AccessLog: pallet_access_log);
		$crate::impl_test_runtime!(@records);
		$crate::impl_test_runtime!(@access_log);
	};
	(@records) => {
		impl pallet_records::Config for Test {
			type RuntimeEvent = RuntimeEvent;
			type MaxRecordSize = frame_support::traits::ConstU32<1_000_000>;
			type WeightInfo = ();
		}
	};
	(@access_log) => {
		impl pallet_access_log::Config for Test {
			type RuntimeEvent = RuntimeEvent;
			type WeightInfo = ();
			type MaxBatch = frame_support::traits::ConstU32<100>;
		}
	};
	(@runtime $( $name:ident : $pallet:ident ),*) => {
		/// The block type of the test runtime.
		type Block = frame_system::mocking::MockBlock<Test>;

		frame_support::construct_runtime!(
			pub enum Test {
				System: frame_system,
				Timestamp: pallet_timestamp,
				Participants: pallet_participants,
				HealthIds: pallet_health_id,
				Consent: pallet_consent,
				$( $name: $pallet, )*
			}
		);

		use frame_support::derive_impl;

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

		frame_support::parameter_types! {
			/// Asia/Bangkok, UTC+7.
			pub const UtcOffsetSecs: i64 = 7 * 3600;
			/// Source hospitals in a listed selection.
			pub const MaxSources: u32 = 4;
			/// A consent request lapses after 15 minutes unanswered.
			pub const RequestTtl: healthchain_primitives::Moment = 15 * 60 * 1000;
			/// Open requests per patient.
			pub const MaxPendingRequests: u32 = 3;
			/// Emergency access lasts 24 hours.
			pub const EmergencyDuration: healthchain_primitives::Moment = 24 * 3600 * 1000;
			/// Grants per patient.
			pub const MaxGrants: u32 = 3;
			/// Open requests of one hospital per patient.
			pub const MaxPendingPerHospital: u32 = 2;
			/// Unreviewed emergency accesses per practitioner.
			pub const MaxUnreviewedEmergencies: u32 = 2;
			/// An emergency access unreviewed after 72 hours is overdue.
			pub const ReviewDeadline: healthchain_primitives::Moment = 72 * 3600 * 1000;
			/// A `Justified` review can be overturned for 90 days after the access ended.
			pub const OverturnWindow: healthchain_primitives::Moment = 90 * 24 * 3600 * 1000;
			/// An assistance session lasts 30 minutes.
			pub const AssistanceDuration: healthchain_primitives::Moment = 30 * 60 * 1000;
		}

		$crate::impl_participants_config!(
			Test,
			Patients = pallet_health_id::PatientControllerKeys<Test>,
		);

		$crate::impl_health_id_config!(Test);

		impl pallet_consent::Config for Test {
			type RuntimeEvent = RuntimeEvent;
			type TimeProvider = Timestamp;
			type UtcOffsetSecs = UtcOffsetSecs;
			type MaxSources = MaxSources;
			type RequestTtl = RequestTtl;
			type MaxPendingRequests = MaxPendingRequests;
			type EmergencyDuration = EmergencyDuration;
			type MaxGrants = MaxGrants;
			type MaxPendingPerHospital = MaxPendingPerHospital;
			type MaxUnreviewedEmergencies = MaxUnreviewedEmergencies;
			type ReviewDeadline = ReviewDeadline;
			type OverturnWindow = OverturnWindow;
			type AssistanceDuration = AssistanceDuration;
			type WeightInfo = ();
		}

		/// Gateway of hospital A001 (one-time consent).
		pub const GW_A: u64 = 10;
		/// Gateway of hospital B002 (per-request consent).
		pub const GW_B: u64 = 20;
		/// Gateway of hospital C003 (one-time consent).
		pub const GW_C: u64 = 25;
		/// Gateway of hospital E005 (per-request consent).
		pub const GW_E: u64 = 26;
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
		pub const T0: healthchain_primitives::Moment = 1_795_230_000_000;
		/// One minute, in ms.
		#[allow(dead_code)]
		pub const MINUTE: healthchain_primitives::Moment = 60_000;
		/// One hour, in ms.
		#[allow(dead_code)]
		pub const HOUR: healthchain_primitives::Moment = 3_600_000;

		/// The network secret the test health IDs are derived with.
		const SECRET: [u8; 32] = [42u8; 32];

		/// A hospital code from a short string.
		pub fn code(s: &str) -> healthchain_primitives::HospitalCode {
			s.as_bytes().to_vec().try_into().expect("short code")
		}
		/// A licence number from a short string.
		pub fn lic(s: &str) -> healthchain_primitives::LicenceNumber {
			s.as_bytes().to_vec().try_into().expect("short licence")
		}
		/// Somchai: Thai citizen with a wallet key.
		pub fn somchai() -> healthchain_primitives::HealthId {
			use healthchain_primitives::{document::health_id_of, DocumentKind};
			health_id_of(&SECRET, DocumentKind::ThaiCitizenId, "1101700230708").unwrap()
		}
		/// Malee: Thai citizen with a wallet key.
		pub fn malee() -> healthchain_primitives::HealthId {
			use healthchain_primitives::{document::health_id_of, DocumentKind};
			health_id_of(&SECRET, DocumentKind::ThaiCitizenId, "1101700230716").unwrap()
		}
		/// Aung: migrant worker with a passport, served in person (assisted).
		pub fn aung() -> healthchain_primitives::HealthId {
			use healthchain_primitives::{document::health_id_of, DocumentKind};
			health_id_of(&SECRET, DocumentKind::Passport { country: *b"MMR" }, "MB123456").unwrap()
		}
		/// A health ID nobody registered.
		#[allow(dead_code)]
		pub fn nobody() -> healthchain_primitives::HealthId {
			healthchain_primitives::HealthId([0xee; 32])
		}

		/// Sets the block timestamp (ms).
		pub fn set_now(ms: healthchain_primitives::Moment) {
			pallet_timestamp::Now::<Test>::put(ms);
		}

		/// Genesis: hospitals A001 and C003 (one-time consent) and B002 (per-request) with one
		/// gateway each, the registrar, the licensing authority, three licensed practitioners
		/// (MD-A at A001, MD-B at B002, MD-AB at both) and the health IDs of Somchai, Malee
		/// and Aung; block 1 at `T0`.
		pub fn new_test_ext() -> sp_io::TestExternalities {
			use healthchain_primitives::{ConsentPolicy, DocumentKind};
			use pallet_health_id::Controller;
			use pallet_participants::{Name, RegistrarKind};
			use sp_runtime::BuildStorage as _;

			let mut t = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
			let name = |s: &str| -> Name { s.as_bytes().to_vec().try_into().unwrap() };
			pallet_participants::GenesisConfig::<Test> {
				operators: vec![],
				hospitals: vec![
					(code("A001"), name("A"), ConsentPolicy::OneTime, vec![GW_A]),
					(code("B002"), name("B"), ConsentPolicy::PerRequest, vec![GW_B]),
					(code("C003"), name("C"), ConsentPolicy::OneTime, vec![GW_C]),
					(code("E005"), name("E"), ConsentPolicy::PerRequest, vec![GW_E]),
				],
				registrars: vec![(REGISTRAR, RegistrarKind::BankBranch, name("Bank"))],
				licensing_authority: Some(COUNCIL),
				practitioners: vec![
					(lic("MD-A"), vec![code("A001")], true),
					(lic("MD-B"), vec![code("B002")], true),
					(lic("MD-AB"), vec![code("A001"), code("B002")], true),
					(lic("MD-BE"), vec![code("B002"), code("E005")], true),
				],
			}
			.assimilate_storage(&mut t)
			.unwrap();
			let thai = DocumentKind::ThaiCitizenId;
			let passport = DocumentKind::Passport { country: *b"MMR" };
			pallet_health_id::GenesisConfig::<Test> {
				health_ids: vec![
					(somchai(), thai, Controller::Key(SOMCHAI_KEY), REGISTRAR),
					(malee(), thai, Controller::Key(MALEE_KEY), REGISTRAR),
					(aung(), passport, Controller::Assisted, REGISTRAR),
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
	};
}
