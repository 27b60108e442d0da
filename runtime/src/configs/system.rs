//! The chain itself: [`frame_system`] (blocks, accounts, the call filter), block timestamps and
//! batches.

use frame_support::{
	derive_impl,
	dispatch::DispatchClass,
	parameter_types,
	traits::{ConstU32, ConstU64},
	weights::{constants::WEIGHT_REF_TIME_PER_SECOND, Weight},
};
use sp_runtime::Perbill;
use sp_version::RuntimeVersion;

use crate::{
	configs::permissions, weights, AccountId, Aura, Block, BlockNumber, Hash, Nonce, OriginCaller,
	PalletInfo, Runtime, RuntimeCall, RuntimeEvent, RuntimeOrigin, RuntimeTask, SLOT_DURATION,
	VERSION,
};

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

/// Blocks, accounts and the call filter: a solochain without currency.
#[derive_impl(frame_system::config_preludes::SolochainDefaultConfig)]
impl frame_system::Config for Runtime {
	type Block = Block;
	/// Removes the calls no signed origin may make ([`permissions::NotRemoved`]);
	/// the permission gate adds each signer's own table to its transactions' origins.
	type BaseCallFilter = permissions::NotRemoved;
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

/// Block timestamps: Aura's slots and the consent engine's clock.
impl pallet_timestamp::Config for Runtime {
	/// Milliseconds since the Unix epoch.
	type Moment = u64;
	type OnTimestampSet = Aura;
	type MinimumPeriod = ConstU64<{ SLOT_DURATION / 2 }>;
	type WeightInfo = ();
}

/// Batches of calls (each checked against the signer's table, see [`permissions`]).
impl pallet_utility::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type PalletsOrigin = OriginCaller;
	type WeightInfo = pallet_utility::weights::SubstrateWeight<Runtime>;
}
