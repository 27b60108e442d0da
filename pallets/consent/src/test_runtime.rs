//! The test runtime shared by the unit tests of the consent, records and access-log pallets.
//!
//! One fixture instead of a copy in every pallet:
//! [`impl_test_runtime!`](crate::impl_test_runtime) writes the runtime, its genesis and the
//! helpers into the calling module (each pallet's `mock.rs`). It only holds a macro, so it
//! costs nothing in a runtime build.

/// Writes the HealthChain test runtime into the calling module.
///
/// The expansion holds the `Test` runtime (`System`, `Timestamp`, `Participants`, `HealthIds`,
/// `Consent`, then the extra pallets given), the `Config` impls of every pallet but the extra
/// ones, the actors (`GW_A`, `GW_B`, `GW_C`, `REGISTRAR`, `COUNCIL`, `SOMCHAI_KEY`,
/// `MALEE_KEY`, `STRANGER`), the clock (`T0`, `MINUTE`, `HOUR`, `set_now`), the patients
/// (`somchai`, `malee`, `aung`, `nobody`), `code` and `lic`, and `new_test_ext`: three
/// hospitals (A001 and C003 one-time consent, B002 per-request) with one gateway each, a
/// registrar, the licensing authority, three licensed practitioners and three health IDs, at
/// block 1 and `T0`. Helpers some callers do not use are `#[allow(dead_code)]`.
///
/// Paths in the expansion name crates, and `macro_rules!` resolves them where the macro is
/// called, so the calling module must see `frame_support`, `frame_system`, `pallet_timestamp`,
/// `pallet_participants`, `pallet_health_id`, `pallet_consent`, `healthchain_primitives`,
/// `sp_runtime` and `sp_io` (inside the consent pallet: `use crate as pallet_consent;`).
/// An extra pallet's own `Config` impl stays with the caller, after the invocation.
///
/// ```text
/// // pallets/consent/src/mock.rs
/// use crate as pallet_consent;
/// crate::impl_test_runtime!();
///
/// // pallets/records/src/mock.rs
/// use crate as pallet_records;
/// pallet_consent::impl_test_runtime!(Records: pallet_records);
/// impl pallet_records::Config for Test {
///     // ...
/// }
/// ```
#[macro_export]
macro_rules! impl_test_runtime {
	( $( $name:ident : $pallet:ident ),* $(,)? ) => {
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
			/// Gateways per hospital.
			pub const MaxGateways: u32 = 3;
			/// Hospitals per practitioner.
			pub const MaxAffiliations: u32 = 4;
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
			pub const MaxGrants: u32 = 3;
			pub const MaxPendingPerHospital: u32 = 2;
			pub const MaxUnreviewedEmergencies: u32 = 2;
			pub const ReviewDeadline: healthchain_primitives::Moment = 72 * 3600 * 1000;
			pub const OverturnWindow: healthchain_primitives::Moment = 90 * 24 * 3600 * 1000;
			pub const AssistanceDuration: healthchain_primitives::Moment = 30 * 60 * 1000;
		}

		impl pallet_participants::Config for Test {
			type RuntimeEvent = RuntimeEvent;
			type AdminOrigin = frame_system::EnsureRoot<u64>;
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
			type AdminOrigin = frame_system::EnsureRoot<u64>;
			type RebindDelay = frame_support::traits::ConstU64<10>;
			type ContestWindow = frame_support::traits::ConstU64<50>;
			type MaxLinkedDocuments = frame_support::traits::ConstU32<2>;
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
