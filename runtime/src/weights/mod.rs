//! Weights measured on this chain by `scripts/weights` (release node, this machine):
//! the base weights of a block and of an extrinsic (`benchmark overhead`: an empty block, and
//! an operator's signed `System::remark` with every transaction extension), frame_system's
//! own transaction extensions (`benchmark pallet --pallet frame_system_extensions`), and
//! ParityDB's cost of a storage read and write (`benchmark storage` on a state of a million
//! registered and enrolled patients).

pub mod block_weights;
pub mod extrinsic_weights;
pub mod frame_system_extensions;
// The storage benchmark's template documents each field of a struct expression.
#[allow(unused_doc_comments)]
pub mod paritydb_weights;

pub use block_weights::BlockExecutionWeight;
pub use extrinsic_weights::ExtrinsicBaseWeight;
