//! Types stored by the health-id pallet.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use healthchain_primitives::DocumentKind;
use scale_info::TypeInfo;

/// Who signs a patient's consent decisions.
#[derive(
	Clone,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
	serde::Serialize,
	serde::Deserialize,
)]
pub enum Controller<AccountId> {
	/// The patient's own wallet key.
	Key(AccountId),
	/// The patient has no smartphone: a gateway of the hospital where they are present acts
	/// for them, in person.
	Assisted,
}

/// Why a health ID was deactivated.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
)]
pub enum DeactivationReason {
	/// The patient died.
	Deceased,
	/// A duplicate of another health ID.
	Duplicate,
	/// Another reason, recorded by the registrar off chain.
	Other,
}

/// Whether a health ID can be used.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
)]
pub enum HealthIdStatus {
	/// In use.
	Active,
	/// Deactivated by a registrar; only governance can reactivate it.
	Deactivated(DeactivationReason),
}

/// What the chain knows about a health ID: no personal data, only the document kind.
#[derive(Clone, PartialEq, Eq, Encode, Decode, MaxEncodedLen, TypeInfo, Debug)]
pub struct HealthIdRecord<AccountId, BlockNumber> {
	/// Who signs consent decisions.
	pub controller: Controller<AccountId>,
	/// The kind of identity document it was derived from.
	pub document: DocumentKind,
	/// Active or deactivated.
	pub status: HealthIdStatus,
	/// The registrar that verified the identity.
	pub registered_by: AccountId,
	/// The block it was registered in.
	pub registered_at: BlockNumber,
}

/// A controller rebind a registrar scheduled, waiting for its delay to pass (or, if
/// contested, for governance). Until it is applied, the health ID's current controller key
/// keeps its rights and, unless it is contested, can cancel it.
#[derive(Clone, PartialEq, Eq, Encode, Decode, MaxEncodedLen, TypeInfo, Debug)]
pub struct PendingRebind<AccountId, BlockNumber> {
	/// The controller the health ID will be bound to.
	pub controller: Controller<AccountId>,
	/// The registrar that scheduled it after re-verifying the person.
	pub registrar: AccountId,
	/// The first block in which a registrar can complete it (if not contested).
	pub effective_at: BlockNumber,
	/// Scheduled within `ContestWindow` blocks of the current key cancelling a rebind (or
	/// replacing a contested one): the key cannot cancel it, and it is applied only by
	/// governance (`approve_rebind`) or the key's own confirmation, never on the delay alone.
	pub contested: bool,
}

/// A genesis health ID: the ID, its document kind, its controller and the registering
/// registrar.
pub type GenesisHealthId<AccountId> = (
	healthchain_primitives::HealthId,
	healthchain_primitives::DocumentKind,
	Controller<AccountId>,
	AccountId,
);
