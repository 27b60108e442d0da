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

use sp_runtime::{
	generic, impl_opaque_keys,
	traits::{BlakeTwo256, IdentifyAccount, Verify},
	MultiAddress, MultiSignature,
};
use sp_version::RuntimeVersion;

pub use apis::RuntimeApi;
/// The configurations' public items (parameter types, council origins), as before the
/// configurations moved to [`configs`].
pub use configs::{consensus::*, consent::*, governance::*, participants::*, system::*};
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
/// - `pallet_access_log` 0 to 1 (from spec 105): each patient's access-log head moves into
///   their consent record (the consent pallet to version 1).
#[allow(unused_parens)]
type Migrations = (
	pallet_health_id::migrations::v1::MigrateV0ToV1<Runtime>,
	pallet_health_id::migrations::v2::MigrateV1ToV2<Runtime>,
	pallet_access_log::migrations::v1::MigrateV0ToV1<Runtime>,
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
