//! The HealthChain hospital gateway: identifies patients with the shared primitives, keeps
//! clinical records encrypted off chain (a fresh XChaCha20-Poly1305 key per record,
//! content-addressed by the ciphertext's BLAKE2b-256), anchors them on chain, and exchanges
//! them with peer gateways under the consent recorded on chain: the requester attests the
//! access, the source verifies the attestation on chain and seals the record for the
//! requester (an ephemeral X25519 key per answer) over mutual TLS with pinned certificates,
//! and the requester checks the anchored hash before showing anything. Callers of the local
//! API authenticate with bearer tokens of the hospital's identity provider; record keys are
//! wrapped at rest with a key-encryption key kept outside the store.
//!
//! The crate is in layers that depend one way (`scripts/check-imports` checks it; see
//! `docs/ARCHITECTURE.md`): the shared leaf modules [`error`], [`log`], [`config`] and
//! [`wire`] import no other module; [`vault`] (storage at rest), [`chain`] (the node) and
//! [`peers`] (the other gateways) import only the leaves; [`flows`] (what the gateway does)
//! imports those; [`http`] (the servers) imports the flows; [`dev`] (development tools) may
//! import anything. The binary's command line sits on top of them all.

pub mod log;

pub mod config;
pub mod error;
pub mod wire;

pub mod chain;
pub mod peers;
pub mod vault;

pub mod flows;

pub mod http;

pub mod dev;
