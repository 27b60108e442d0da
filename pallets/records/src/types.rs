//! Types of the records pallet: the log entry types are shared with the node and clients.

use healthchain_primitives::logs::LogKind;
pub use healthchain_primitives::logs::{LogHead, RecordEntry, RecordOp, RevocationReason};

/// This pallet's log in the offchain index.
pub const LOG: LogKind = LogKind::Records;
