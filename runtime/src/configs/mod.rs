//! The pallets' configurations, one file per concern (as polkadot-sdk's solochain template
//! keeps them), each with the parameter types its configurations use. The runtime's
//! construction, version and time constants stay in the crate root, which re-exports the
//! public items defined here.
//!
//! - [`system`]: `frame_system` (block weights and length, the call filter), timestamps,
//!   batches.
//! - [`consensus`]: Aura, GRANDPA, sessions, the validator set, authorised nodes.
//! - [`governance`]: the operators' council and its membership, governance, sudo; the
//!   council origins the other configurations use.
//! - [`participants`]: the participants and every signer's quota.
//! - [`health_id`]: digital health IDs.
//! - [`consent`]: the consent engine.
//! - [`records`]: record anchors.
//! - [`access_log`]: access attestations.
//! - [`permissions`]: which signer may make which call (the permission gate's table).

pub mod access_log;
pub mod consensus;
pub mod consent;
pub mod governance;
pub mod health_id;
pub mod participants;
pub mod permissions;
pub mod records;
pub mod system;
