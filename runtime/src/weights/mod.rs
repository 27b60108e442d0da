//! Weights measured on this chain by `scripts/weights` (release node, this machine):
//! the base weights of a block and of an extrinsic (`benchmark overhead`: an empty block, and
//! an operator's signed `System::remark` with every transaction extension), frame_system's
//! own transaction extensions (`benchmark pallet --pallet frame_system_extensions`), and
//! ParityDB's cost of a storage read and write (`benchmark storage` on a state of a million
//! registered and enrolled patients).
//!
//! The extrinsic base weight is not `benchmark overhead`'s figure as it stands: that figure is
//! the time of a whole signed remark, its transaction extensions' work included, and every
//! extension charges its own benchmarked weight as well (polkadot-sdk issue #9981). So
//! [`ExtrinsicBaseWeight`] is the measured remark less the compute its extensions charge on
//! their own, as the subtraction model does. Their storage reads and writes are
//! not subtracted: the overhead benchmark read the same few keys in every transaction, from
//! the node's cache, while the extensions charge each access at ParityDB's measured cost.

use crate::Runtime;
use frame_support::{parameter_types, weights::Weight};

pub mod block_weights;
pub mod extrinsic_weights;
pub mod frame_system_extensions;
// The storage benchmark's template documents each field of a struct expression.
#[allow(unused_doc_comments)]
pub mod paritydb_weights;

pub use block_weights::BlockExecutionWeight;

/// Storage reads and writes in the benchmarks of the permission gate for a signer found by
/// its role (the signer's role, and a gateway's hospital: the suspension check) and of the
/// nonce check with the quotas for a participant (the account and the usage read, the quota
/// override being read once a block by the participants pallet's `on_initialize`; the nonce
/// and the usage written). A test checks them against the generated weight files.
pub const GATE_BY_ROLE_DB: (u64, u64) = (2, 0);
/// See [`GATE_BY_ROLE_DB`].
pub const QUOTA_BY_ROLE_DB: (u64, u64) = (2, 2);

/// The compute the transaction extensions of an operator's signed remark (the extrinsic
/// `benchmark overhead` measures) charge on their own: frame_system's checks (no storage),
/// the permission gate by role and the nonce check with the quotas for a participant, each
/// without its storage accesses.
pub fn operator_remark_extensions_compute() -> Weight {
	use frame_system::ExtensionsWeightInfo as _;
	use pallet_participants::WeightInfo as _;
	type System = <Runtime as frame_system::Config>::ExtensionsWeightInfo;
	type Participants = <Runtime as pallet_participants::Config>::WeightInfo;
	let db = <Runtime as frame_system::Config>::DbWeight::get();
	let system = System::check_non_zero_sender()
		.saturating_add(System::check_spec_version())
		.saturating_add(System::check_tx_version())
		.saturating_add(System::check_genesis())
		.saturating_add(System::check_mortality_mortal_transaction())
		.saturating_add(System::check_weight());
	let gate = Participants::check_permission_by_role()
		.saturating_sub(db.reads_writes(GATE_BY_ROLE_DB.0, GATE_BY_ROLE_DB.1));
	let quota = Participants::check_nonce_within_quota_by_role()
		.saturating_sub(db.reads_writes(QUOTA_BY_ROLE_DB.0, QUOTA_BY_ROLE_DB.1));
	Weight::from_parts(system.saturating_add(gate).saturating_add(quota).ref_time(), 0)
}

parameter_types! {
	/// The base weight of an extrinsic: the measured signed remark
	/// ([`extrinsic_weights::ExtrinsicBaseWeight`]) less
	/// [`operator_remark_extensions_compute`]. What is left is the signature check, the
	/// extrinsic's decoding and the executive's bookkeeping.
	pub ExtrinsicBaseWeight: Weight = extrinsic_weights::ExtrinsicBaseWeight::get()
		.saturating_sub(operator_remark_extensions_compute());
}

#[cfg(test)]
mod tests {
	use super::*;
	use frame_support::weights::constants::{RocksDbWeight, WEIGHT_REF_TIME_PER_MICROS};
	use pallet_participants::WeightInfo;

	/// The generated files carry every benchmark twice: with the runtime's database weights
	/// and with RocksDB's (`()`). Taking the stated reads and writes off both leaves the same
	/// compute only if the counts are the benchmarks' own.
	#[test]
	fn the_stated_storage_accesses_are_the_benchmarks() {
		type Participants = <Runtime as pallet_participants::Config>::WeightInfo;
		let db = <Runtime as frame_system::Config>::DbWeight::get();
		let rocks = RocksDbWeight::get();
		let compute =
			|w: Weight, db: frame_support::weights::RuntimeDbWeight, (r, wr): (u64, u64)| {
				w.ref_time() - db.reads_writes(r, wr).ref_time()
			};
		assert_eq!(
			compute(Participants::check_permission_by_role(), db, GATE_BY_ROLE_DB),
			compute(<() as WeightInfo>::check_permission_by_role(), rocks, GATE_BY_ROLE_DB),
		);
		assert_eq!(
			compute(Participants::check_nonce_within_quota_by_role(), db, QUOTA_BY_ROLE_DB),
			compute(
				<() as WeightInfo>::check_nonce_within_quota_by_role(),
				rocks,
				QUOTA_BY_ROLE_DB
			),
		);
	}

	#[test]
	fn the_base_weight_is_the_measured_remark_less_its_extensions_compute() {
		let measured = extrinsic_weights::ExtrinsicBaseWeight::get();
		let base = ExtrinsicBaseWeight::get();
		let compute = operator_remark_extensions_compute();
		assert!(compute.ref_time() > 0);
		assert_eq!(base.ref_time(), measured.ref_time() - compute.ref_time());
		// What is left covers at least a signature check.
		assert!(base.ref_time() >= 10 * WEIGHT_REF_TIME_PER_MICROS, "{base:?}");
	}
}
