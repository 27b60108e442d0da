//! The gateway's flows: what it does, each flow with both of its halves and its own
//! `impl Gateway` block. They use the vault, the chain view and the peers below them, and know
//! nothing of HTTP: the servers above call them with the [`Caller`](caller::Caller) a token
//! named.
//!
//! - [`gateway`]: the [`Gateway`] (its parts, liveness and status);
//! - [`caller`]: who calls a flow and the scopes each flow needs;
//! - [`doctor`]: the doctor app's own calls: who they are, the terms, a patient's state,
//!   their recent accesses;
//! - [`identify`]: a document to a health ID, rate limited per caller ([`rate_limit`]);
//! - [`put`]: encrypt, store, anchor, and the settling of puts whose outcome was lost;
//! - [`fetch`]: the requester's half of an exchange: consent, attestation, collection, and
//!   the opening of each source's sealed answer;
//! - [`serve`]: the source's half: the checks, and the sealing for the requester;
//! - [`watcher`]: the withdrawal watcher: stop marks, shredding, revocations.

pub mod caller;
pub mod doctor;
pub mod fetch;
pub mod gateway;
pub mod identify;
pub mod put;
pub mod rate_limit;
pub mod serve;
pub mod watcher;

pub use gateway::{Gateway, Submitting};
