//! Governance: the operators' council and its membership (which also names the operators),
//! root-level changes by council motion, and sudo (development chains only).

use frame_support::{
	parameter_types,
	traits::{ChangeMembers, EitherOfDiverse, InitializeMembers},
	weights::Weight,
};
use frame_system::EnsureRoot;
use sp_runtime::Perbill;

use crate::{
	configs::system::RuntimeBlockWeights, AccountId, BlockNumber, Council, Participants, Runtime,
	RuntimeCall, RuntimeEvent, RuntimeOrigin, HOURS,
};

/// The operators' council.
pub type CouncilCollective = pallet_collective::Instance1;
/// The operators' council membership.
pub type CouncilMembershipInstance = pallet_membership::Instance1;

/// More than half of the operators' council.
pub type CouncilMajority =
	pallet_collective::EnsureProportionMoreThan<AccountId, CouncilCollective, 1, 2>;
/// Root (the development chain's sudo) or more than half of the council.
pub type RootOrCouncilMajority = EitherOfDiverse<EnsureRoot<AccountId>, CouncilMajority>;

/// Superuser: only the development preset sets a key.
impl pallet_sudo::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type WeightInfo = pallet_sudo::weights::SubstrateWeight<Runtime>;
}

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

/// The operators' council: motions pass with more than half of its members.
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

/// Who sits on the operators' council (and so who is an operator).
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

/// Root-level changes (runtime upgrades) by council motion.
impl pallet_governance::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type CouncilOrigin = CouncilMajority;
	type WeightInfo = pallet_governance::weights::SubstrateWeight<Runtime>;
}
