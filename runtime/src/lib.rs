//! # HealthChain runtime
//!
//! A permissioned chain for a national health information exchange: digital health IDs,
//! consent states and access attestations on chain; clinical payloads encrypted off chain and
//! referenced by content hash.
//!
//! No currency and no transaction fees: the permission gate ([`pallet_participants::CheckPermission`])
//! admits to the pool only the calls each signer's role may make
//! ([`configs::permissions`]), and [`pallet_participants::CheckNonceWithinQuota`] holds every
//! signer to its quota of calls per block and per day and its share of the pool.

#![cfg_attr(not(feature = "std"), no_std)]
#![recursion_limit = "256"]

// The runtime as networks run it: no benchmarks (see `build.rs`).
#[cfg(feature = "std")]
include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));

/// The same runtime built with `runtime-benchmarks`, for the node's `benchmark` subcommands
/// only (feature `bench-wasm`): no chain spec of a network carries it (see `build.rs`).
#[cfg(all(feature = "std", feature = "bench-wasm"))]
pub mod bench {
	include!(concat!(env!("OUT_DIR"), "/bench_wasm_binary.rs"));
}

/// The next release of this runtime (`spec_version` one higher, no benchmarks), for the
/// upgrade test: see `build.rs`.
#[cfg(feature = "std")]
pub mod next {
	include!(concat!(env!("OUT_DIR"), "/next_wasm_binary.rs"));
}

extern crate alloc;

use alloc::vec::Vec;

mod apis;
pub mod configs;
pub mod genesis_config_presets;
mod no_currency;
pub mod weights;

use frame_support::{
	derive_impl,
	dispatch::DispatchClass,
	parameter_types,
	traits::{ChangeMembers, ConstBool, ConstU32, ConstU64, EitherOfDiverse, InitializeMembers},
	weights::{constants::WEIGHT_REF_TIME_PER_SECOND, Weight},
};
use frame_system::EnsureRoot;
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_runtime::{
	generic, impl_opaque_keys,
	traits::{BlakeTwo256, IdentifyAccount, Verify},
	MultiAddress, MultiSignature, Perbill,
};
use sp_version::RuntimeVersion;

pub use apis::RuntimeApi;
pub use frame_system::Call as SystemCall;
pub use pallet_participants::{CheckNonceWithinQuota, CheckPermission};
pub use pallet_timestamp::Call as TimestampCall;
#[cfg(any(feature = "std", test))]
pub use sp_runtime::BuildStorage;

/// An index to a block.
pub type BlockNumber = u32;
/// The signature type of transactions (sr25519 for wallets and gateways).
pub type Signature = MultiSignature;
/// An account: the public key of the transaction signing scheme.
pub type AccountId = <<Signature as Verify>::Signer as IdentifyAccount>::AccountId;
/// A transaction counter per account.
pub type Nonce = u32;
/// A hash of some data used by the chain.
pub type Hash = sp_core::H256;

/// Opaque types for the node, independent of the runtime's call types.
pub mod opaque {
	use super::*;
	pub use sp_runtime::OpaqueExtrinsic as UncheckedExtrinsic;

	/// Opaque block header type.
	pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
	/// Opaque block type.
	pub type Block = generic::Block<Header, UncheckedExtrinsic>;
	/// Opaque block identifier type.
	pub type BlockId = generic::BlockId<Block>;
}

impl_opaque_keys! {
	/// The session keys of a validator: Aura (block authoring) and GRANDPA (finality).
	pub struct SessionKeys {
		/// Aura block-authoring key.
		pub aura: Aura,
		/// GRANDPA finality key.
		pub grandpa: Grandpa,
	}
}

/// The runtime version.
#[cfg(not(feature = "increment-spec-version"))]
#[sp_version::runtime_version]
pub const VERSION: RuntimeVersion = RuntimeVersion {
	spec_name: alloc::borrow::Cow::Borrowed("healthchain"),
	impl_name: alloc::borrow::Cow::Borrowed("healthchain"),
	authoring_version: 1,
	spec_version: 105,
	impl_version: 1,
	apis: apis::RUNTIME_API_VERSIONS,
	transaction_version: 1,
	system_version: 1,
};

/// The runtime version of the next release, which the upgrade test builds (`build.rs`,
/// `next_wasm_binary.rs`): the same runtime, `spec_version` one higher. Keep the two
/// versions equal but for that number.
#[cfg(feature = "increment-spec-version")]
#[sp_version::runtime_version]
pub const VERSION: RuntimeVersion = RuntimeVersion {
	spec_name: alloc::borrow::Cow::Borrowed("healthchain"),
	impl_name: alloc::borrow::Cow::Borrowed("healthchain"),
	authoring_version: 1,
	spec_version: 106,
	impl_version: 1,
	apis: apis::RUNTIME_API_VERSIONS,
	transaction_version: 1,
	system_version: 1,
};

/// Target block time: one Aura slot of 2 s.
pub const MILLISECS_PER_BLOCK: u64 = 2000;
/// The Aura slot duration. Cannot change after the chain starts.
pub const SLOT_DURATION: u64 = MILLISECS_PER_BLOCK;
/// Blocks per minute.
pub const MINUTES: BlockNumber = 60_000 / (MILLISECS_PER_BLOCK as BlockNumber);
/// Blocks per hour.
pub const HOURS: BlockNumber = MINUTES * 60;
/// Blocks per day.
pub const DAYS: BlockNumber = HOURS * 24;

/// Asia/Bangkok is UTC+7: the network's calendar days change at 17:00 UTC.
pub const UTC_OFFSET_SECS: i64 = 7 * 3600;

/// The share of a block's weight and length for normal transactions. The rest is kept for
/// operational ones, which here are council votes and closes (tens of µs each) and the runtime
/// upgrade (a whole block in any case): 10 % of a block, 100 ms, is more than they use, and
/// the 25 % that relay chains keep for heavier operational traffic would idle here.
const NORMAL_DISPATCH_RATIO: Perbill = Perbill::from_percent(90);
/// The compute of one block: 1 s, no proof-size limit (a solochain).
const MAXIMUM_BLOCK_WEIGHT: Weight = Weight::from_parts(WEIGHT_REF_TIME_PER_SECOND, u64::MAX);

parameter_types! {
	/// Block hashes kept for mortal transactions.
	pub const BlockHashCount: BlockNumber = 2400;
	/// The runtime version.
	pub const Version: RuntimeVersion = VERSION;
	/// 1 s of compute in a 2 s block (an authored block is imported by every other
	/// validator within the same slot), 90 % of it for normal transactions; the base weights
	/// of a block and of an extrinsic are the ones measured on this chain
	/// ([`weights::BlockExecutionWeight`], [`weights::ExtrinsicBaseWeight`]).
	pub RuntimeBlockWeights: frame_system::limits::BlockWeights =
		frame_system::limits::BlockWeights::builder()
			.base_block(weights::BlockExecutionWeight::get())
			.for_class(DispatchClass::all(), |w| {
				w.base_extrinsic = weights::ExtrinsicBaseWeight::get();
			})
			.for_class(DispatchClass::Normal, |w| {
				w.max_total = Some(NORMAL_DISPATCH_RATIO * MAXIMUM_BLOCK_WEIGHT);
			})
			.for_class(DispatchClass::Operational, |w| {
				w.max_total = Some(MAXIMUM_BLOCK_WEIGHT);
				w.reserved =
					Some(MAXIMUM_BLOCK_WEIGHT - NORMAL_DISPATCH_RATIO * MAXIMUM_BLOCK_WEIGHT);
			})
			.avg_block_initialization(Perbill::from_percent(10))
			.build_or_panic();
	/// 5 MiB blocks.
	pub RuntimeBlockLength: frame_system::limits::BlockLength =
		frame_system::limits::BlockLength::builder()
			.max_length(5 * 1024 * 1024)
			.modify_max_length_for_class(frame_support::dispatch::DispatchClass::Normal, |max| {
				*max = NORMAL_DISPATCH_RATIO * *max
			})
			.build();
	/// The generic Substrate SS58 prefix.
	pub const SS58Prefix: u8 = 42;
}

#[derive_impl(frame_system::config_preludes::SolochainDefaultConfig)]
impl frame_system::Config for Runtime {
	type Block = Block;
	/// Removes the calls no signed origin may make ([`configs::permissions::NotRemoved`]);
	/// the permission gate adds each signer's own table to its transactions' origins.
	type BaseCallFilter = configs::permissions::NotRemoved;
	type BlockWeights = RuntimeBlockWeights;
	type BlockLength = RuntimeBlockLength;
	type AccountId = AccountId;
	type Nonce = Nonce;
	type Hash = Hash;
	type BlockHashCount = BlockHashCount;
	/// The node's database is ParityDB (built without RocksDB): storage reads and writes are
	/// weighed at its costs measured here on a million-patient state (`scripts/weights storage`).
	type DbWeight = weights::paritydb_weights::constants::ParityDbWeight;
	/// frame_system's transaction extensions, benchmarked on this chain.
	type ExtensionsWeightInfo = weights::frame_system_extensions::WeightInfo<Runtime>;
	type Version = Version;
	/// No currency: accounts carry no data besides their nonce and reference counts.
	type AccountData = ();
	type SS58Prefix = SS58Prefix;
	type MaxConsumers = ConstU32<16>;
}

parameter_types! {
	/// A session lasts 20 blocks (40 s): validator-set changes take effect within about a
	/// minute. Sessions carry no rewards or eras here, so they can be short.
	pub const SessionPeriod: BlockNumber = 20;
	/// Sessions start at block 0.
	pub const SessionOffset: BlockNumber = 0;
}

impl pallet_session::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type ValidatorId = AccountId;
	type ValidatorIdOf = sp_runtime::traits::ConvertInto;
	type ShouldEndSession = pallet_session::PeriodicSessions<SessionPeriod, SessionOffset>;
	type NextSessionRotation = pallet_session::PeriodicSessions<SessionPeriod, SessionOffset>;
	type SessionManager = ValidatorSet;
	type SessionHandler = <SessionKeys as sp_runtime::traits::OpaqueKeys>::KeyTypeIdProviders;
	type Keys = SessionKeys;
	type DisablingStrategy = ();
	type WeightInfo = pallet_session::weights::SubstrateWeight<Runtime>;
	/// No currency: session keys need no deposit.
	type Currency = no_currency::NoCurrency;
	type KeyDeposit = frame_support::traits::ConstU128<0>;
}

impl pallet_validator_set::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type AdminOrigin = RootOrCouncilMajority;
	type MaxValidators = ConstU32<32>;
	type MinValidators = ConstU32<1>;
	type WeightInfo = pallet_validator_set::weights::SubstrateWeight<Runtime>;
}

parameter_types! {
	/// Well-known (authorised) nodes.
	pub const MaxWellKnownNodes: u32 = 64;
	/// Longest libp2p peer id accepted.
	pub const MaxPeerIdLength: u32 = 128;
}

impl pallet_node_authorization::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type MaxWellKnownNodes = MaxWellKnownNodes;
	type MaxPeerIdLength = MaxPeerIdLength;
	type AddOrigin = RootOrCouncilMajority;
	type RemoveOrigin = RootOrCouncilMajority;
	type SwapOrigin = RootOrCouncilMajority;
	type ResetOrigin = RootOrCouncilMajority;
	type WeightInfo = ();
}

impl pallet_aura::Config for Runtime {
	type AuthorityId = AuraId;
	type DisabledValidators = ();
	type MaxAuthorities = ConstU32<32>;
	type AllowMultipleBlocksPerSlot = ConstBool<false>;
	type SlotDuration = pallet_aura::MinimumPeriodTimesTwo<Runtime>;
}

impl pallet_grandpa::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = ();
	type MaxAuthorities = ConstU32<32>;
	type MaxNominators = ConstU32<0>;
	type MaxSetIdSessionEntries = ConstU64<0>;
	type KeyOwnerProof = sp_core::Void;
	type EquivocationReportSystem = ();
}

impl pallet_timestamp::Config for Runtime {
	/// Milliseconds since the Unix epoch.
	type Moment = u64;
	type OnTimestampSet = Aura;
	type MinimumPeriod = ConstU64<{ SLOT_DURATION / 2 }>;
	type WeightInfo = ();
}

impl pallet_sudo::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type WeightInfo = pallet_sudo::weights::SubstrateWeight<Runtime>;
}

impl pallet_utility::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type PalletsOrigin = OriginCaller;
	type WeightInfo = pallet_utility::weights::SubstrateWeight<Runtime>;
}

/// The operators' council.
pub type CouncilCollective = pallet_collective::Instance1;
/// The operators' council membership.
pub type CouncilMembershipInstance = pallet_membership::Instance1;

/// More than half of the operators' council.
pub type CouncilMajority =
	pallet_collective::EnsureProportionMoreThan<AccountId, CouncilCollective, 1, 2>;
/// Root (the development chain's sudo) or more than half of the council.
pub type RootOrCouncilMajority = EitherOfDiverse<EnsureRoot<AccountId>, CouncilMajority>;

parameter_types! {
	/// How long a council motion stays open: 1 hour.
	pub const CouncilMotionDuration: BlockNumber = HOURS;
	/// Open council motions at once.
	pub const CouncilMaxProposals: u32 = 100;
	/// Operators on the council.
	pub const CouncilMaxMembers: u32 = 32;
	/// A council motion may use half a block.
	pub MaxProposalWeight: Weight = Perbill::from_percent(50) * RuntimeBlockWeights::get().max_block;
}

impl pallet_collective::Config<CouncilCollective> for Runtime {
	type RuntimeOrigin = RuntimeOrigin;
	type Proposal = RuntimeCall;
	type RuntimeEvent = RuntimeEvent;
	type MotionDuration = CouncilMotionDuration;
	type MaxProposals = CouncilMaxProposals;
	type MaxMembers = CouncilMaxMembers;
	type DefaultVote = pallet_collective::MoreThanMajorityThenPrimeDefaultVote;
	type WeightInfo = pallet_collective::weights::SubstrateWeight<Runtime>;
	type SetMembersOrigin = EnsureRoot<AccountId>;
	type MaxProposalWeight = MaxProposalWeight;
	type DisapproveOrigin = RootOrCouncilMajority;
	type KillOrigin = RootOrCouncilMajority;
	type Consideration = ();
}

/// Keeps the council's members and the operators' participant role (which lets them sign)
/// in step with the council membership.
pub struct CouncilAndOperators;
impl ChangeMembers<AccountId> for CouncilAndOperators {
	fn change_members_sorted(incoming: &[AccountId], outgoing: &[AccountId], new: &[AccountId]) {
		<Council as ChangeMembers<AccountId>>::change_members_sorted(incoming, outgoing, new);
		<Participants as ChangeMembers<AccountId>>::change_members_sorted(incoming, outgoing, new);
	}
	fn set_prime(prime: Option<AccountId>) {
		<Council as ChangeMembers<AccountId>>::set_prime(prime);
	}
	fn get_prime() -> Option<AccountId> {
		<Council as ChangeMembers<AccountId>>::get_prime()
	}
}
impl InitializeMembers<AccountId> for CouncilAndOperators {
	fn initialize_members(members: &[AccountId]) {
		<Council as InitializeMembers<AccountId>>::initialize_members(members);
	}
}

impl pallet_membership::Config<CouncilMembershipInstance> for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type AddOrigin = RootOrCouncilMajority;
	type RemoveOrigin = RootOrCouncilMajority;
	type SwapOrigin = RootOrCouncilMajority;
	type ResetOrigin = RootOrCouncilMajority;
	type PrimeOrigin = RootOrCouncilMajority;
	type MembershipInitialized = CouncilAndOperators;
	type MembershipChanged = CouncilAndOperators;
	type MaxMembers = CouncilMaxMembers;
	type WeightInfo = pallet_membership::weights::SubstrateWeight<Runtime>;
}

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

impl pallet_participants::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type AdminOrigin = RootOrCouncilMajority;
	type MaxGateways = ConstU32<8>;
	type MaxAffiliations = ConstU32<16>;
	type Patients = pallet_health_id::PatientControllerKeys<Runtime>;
	type CallPolicy = configs::permissions::RoleBoundCalls;
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
	type BenchmarkHelper = configs::permissions::benchmark_cases::GateWorstCases;
}

impl pallet_health_id::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type AdminOrigin = RootOrCouncilMajority;
	/// A registrar's rebinding of a controller key takes effect after a day, unless the
	/// current key confirms it sooner or cancels it.
	type RebindDelay = ConstU32<DAYS>;
	/// For 30 days after the current key cancelled a rebind, a new rebind of the same health
	/// ID is contested: the key cannot cancel it and the council decides it (a stolen key
	/// blocks one rebind only).
	type ContestWindow = ConstU32<{ 30 * DAYS }>;
	type MaxLinkedDocuments = ConstU32<8>;
	type WeightInfo = pallet_health_id::weights::SubstrateWeight<Runtime>;
}

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

impl pallet_records::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	/// 64 MiB: imaging summaries, not raw imaging.
	type MaxRecordSize = ConstU32<{ 64 * 1024 * 1024 }>;
	type WeightInfo = pallet_records::weights::SubstrateWeight<Runtime>;
}

impl pallet_access_log::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = pallet_access_log::weights::SubstrateWeight<Runtime>;
	/// 100 accesses (about 9 KiB, under 2 % of a block's weight at the benchmarked cost):
	/// a gateway's backlog of a few seconds in one transaction, still small enough that one
	/// refused batch costs its author little.
	type MaxBatch = ConstU32<100>;
}

impl pallet_governance::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type CouncilOrigin = CouncilMajority;
	type WeightInfo = pallet_governance::weights::SubstrateWeight<Runtime>;
}

/// The runtime: stock FRAME pallets and HealthChain's own.
#[frame_support::runtime]
mod runtime {
	#[runtime::runtime]
	#[runtime::derive(
		RuntimeCall,
		RuntimeEvent,
		RuntimeError,
		RuntimeOrigin,
		RuntimeFreezeReason,
		RuntimeHoldReason,
		RuntimeSlashReason,
		RuntimeLockId,
		RuntimeTask,
		RuntimeViewFunction
	)]
	pub struct Runtime;

	/// Accounts, blocks, events.
	#[runtime::pallet_index(0)]
	pub type System = frame_system;

	/// Block timestamps (the consent engine's clock).
	#[runtime::pallet_index(1)]
	pub type Timestamp = pallet_timestamp;

	/// The operators' validators, changed by council motion.
	#[runtime::pallet_index(8)]
	pub type ValidatorSet = pallet_validator_set;

	/// Sessions: hand the validator set's keys to Aura and GRANDPA.
	#[runtime::pallet_index(9)]
	pub type Session = pallet_session;

	/// Aura block authoring.
	#[runtime::pallet_index(2)]
	pub type Aura = pallet_aura;

	/// GRANDPA finality.
	#[runtime::pallet_index(3)]
	pub type Grandpa = pallet_grandpa;

	/// Batches.
	#[runtime::pallet_index(4)]
	pub type Utility = pallet_utility;

	/// Superuser: only the development preset sets a key.
	#[runtime::pallet_index(5)]
	pub type Sudo = pallet_sudo;

	/// Authorised nodes (well-known peer ids), managed by the council.
	#[runtime::pallet_index(15)]
	pub type NodeAuthorization = pallet_node_authorization;

	/// The operators' council.
	#[runtime::pallet_index(6)]
	pub type Council = pallet_collective<Instance1>;

	/// Who sits on the operators' council.
	#[runtime::pallet_index(7)]
	pub type CouncilMembership = pallet_membership<Instance1>;

	/// Root-level changes (runtime upgrades) by council motion.
	#[runtime::pallet_index(16)]
	pub type Governance = pallet_governance;

	/// Hospitals, registrars, the licensing authority, practitioners, operators.
	#[runtime::pallet_index(10)]
	pub type Participants = pallet_participants;

	/// Digital health IDs.
	#[runtime::pallet_index(11)]
	pub type HealthIds = pallet_health_id;

	/// The consent engine.
	#[runtime::pallet_index(12)]
	pub type Consent = pallet_consent;

	/// Anchors of encrypted off-chain records.
	#[runtime::pallet_index(13)]
	pub type Records = pallet_records;

	/// Access attestations.
	#[runtime::pallet_index(14)]
	pub type AccessLog = pallet_access_log;
}

/// The address format for describing accounts.
pub type Address = MultiAddress<AccountId, ()>;
/// Block header type as expected by this runtime.
pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
/// Block type as expected by this runtime.
pub type Block = generic::Block<Header, UncheckedExtrinsic>;

/// The transaction extensions: the permission gate comes before the nonce check, so a
/// stranger is refused with the gate's code rather than as an unknown account; the nonce
/// check holds the signer to its quota (and is encoded as the standard `CheckNonce`).
pub type TxExtension = (
	frame_system::CheckNonZeroSender<Runtime>,
	pallet_participants::CheckPermission<Runtime>,
	frame_system::CheckSpecVersion<Runtime>,
	frame_system::CheckTxVersion<Runtime>,
	frame_system::CheckGenesis<Runtime>,
	frame_system::CheckEra<Runtime>,
	pallet_participants::CheckNonceWithinQuota<Runtime>,
	frame_system::CheckWeight<Runtime>,
);

/// Unchecked extrinsic type as expected by this runtime.
pub type UncheckedExtrinsic =
	generic::UncheckedExtrinsic<Address, RuntimeCall, Signature, TxExtension>;
/// The payload being signed in transactions.
pub type SignedPayload = generic::SignedPayload<RuntimeCall, TxExtension>;

/// Storage migrations run by `Executive` at a runtime upgrade, before the pallets'
/// `on_runtime_upgrade` hooks. Each is versioned: it runs only while its pallet's on-chain
/// storage version is the one it migrates from, so a migration left here is a no-op afterwards.
///
/// - `pallet_health_id` 0 to 1 (from spec 102): pending rebinds gained `contested`; the old
///   entries are kept, uncontested.
#[allow(unused_parens)]
type Migrations = (
	pallet_health_id::migrations::v1::MigrateV0ToV1<Runtime>,
	pallet_health_id::migrations::v2::MigrateV1ToV2<Runtime>,
);

/// Executive: dispatches to the pallets.
pub type Executive = frame_executive::Executive<
	Runtime,
	Block,
	frame_system::ChainContext<Runtime>,
	Runtime,
	AllPalletsWithSystem,
	Migrations,
>;

#[cfg(feature = "runtime-benchmarks")]
mod benches {
	frame_benchmarking::define_benchmarks!(
		[frame_benchmarking, BaselineBench::<Runtime>]
		[frame_system, SystemBench::<Runtime>]
		[frame_system_extensions, SystemExtensionsBench::<Runtime>]
		[pallet_timestamp, Timestamp]
		[pallet_sudo, Sudo]
		[pallet_utility, Utility]
		[pallet_collective, Council]
		[pallet_membership, CouncilMembership]
		[pallet_participants, Participants]
		[pallet_health_id, HealthIds]
		[pallet_consent, Consent]
		[pallet_records, Records]
		[pallet_access_log, AccessLog]
		[pallet_validator_set, ValidatorSet]
		[pallet_governance, Governance]
	);
}

/// The pallets this runtime is expected to expose in its metadata (checked by tests).
pub const EXPECTED_PALLETS: &[&str] = &[
	"System",
	"Timestamp",
	"ValidatorSet",
	"Session",
	"Aura",
	"Grandpa",
	"Utility",
	"Sudo",
	"Council",
	"CouncilMembership",
	"Governance",
	"Participants",
	"HealthIds",
	"Consent",
	"Records",
	"AccessLog",
	"NodeAuthorization",
];
