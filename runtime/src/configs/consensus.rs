//! Block authoring and finality: Aura, GRANDPA, sessions fed by the council's validator set,
//! and the authorised nodes.

use frame_support::{
	parameter_types,
	traits::{ConstBool, ConstU32, ConstU64},
};
use sp_consensus_aura::sr25519::AuthorityId as AuraId;

use crate::{
	configs::governance::RootOrCouncilMajority, no_currency, AccountId, BlockNumber, Runtime,
	RuntimeEvent, SessionKeys, ValidatorSet,
};

parameter_types! {
	/// A session lasts 20 blocks (40 s): validator-set changes take effect within about a
	/// minute. Sessions carry no rewards or eras here, so they can be short.
	pub const SessionPeriod: BlockNumber = 20;
	/// Sessions start at block 0.
	pub const SessionOffset: BlockNumber = 0;
}

/// Sessions: hand the validator set's keys to Aura and GRANDPA.
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

/// The operators' validators, changed by council motion.
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

/// Authorised nodes (well-known peer ids), managed by the council.
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

/// Aura block authoring: one slot per block.
impl pallet_aura::Config for Runtime {
	type AuthorityId = AuraId;
	type DisabledValidators = ();
	type MaxAuthorities = ConstU32<32>;
	type AllowMultipleBlocksPerSlot = ConstBool<false>;
	type SlotDuration = pallet_aura::MinimumPeriodTimesTwo<Runtime>;
}

/// GRANDPA finality, without equivocation reports.
impl pallet_grandpa::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = ();
	type MaxAuthorities = ConstU32<32>;
	type MaxNominators = ConstU32<0>;
	type MaxSetIdSessionEntries = ConstU64<0>;
	type KeyOwnerProof = sp_core::Void;
	type EquivocationReportSystem = ();
}
