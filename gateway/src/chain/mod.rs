//! The chain as the gateway sees it: every question it asks its node and every extrinsic it
//! signs goes through [`NodeView`](node::NodeView); and the gateway's clock. Reads use the
//! typed `health_*` client; log pages are verified with the one verification
//! (`primitives::logs::verify_page`) and folded with the one live-records rule
//! (`primitives::logs::live_records`); the source rule is the chain's (`health_sourceCheck`);
//! calls and events are the types generated from the runtime metadata (`healthchain-client`).
//! The chain layer imports nothing from the other layers (only the shared leaf modules
//! `error`, `log` and `wire`).
//!
//! - [`node`]: the connection, readiness, block hashes and submission;
//! - [`consent`]: the consent decision, the source rule, consent state, requests and grants;
//! - [`logs`]: the verified record and access logs;
//! - [`extrinsics`]: anchors, revocations, emergency accesses, requests and attestations;
//! - [`events`]: the patients' choices in a finalized block's events;
//! - [`participants`]: practitioners, this hospital, the terms, emergency accesses;
//! - [`clock`]: the gateway's clock.

pub mod clock;
pub mod consent;
pub mod events;
pub mod extrinsics;
pub mod logs;
pub mod node;
pub mod participants;

pub use clock::now_ms;
pub use node::{NodeView, Readiness, DEVELOPMENT_SECRET_ON_LIVE_CHAIN};
