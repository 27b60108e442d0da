//! The HealthChain hospital gateway: identifies patients with the shared primitives, keeps
//! clinical records encrypted off chain (a fresh XChaCha20-Poly1305 key per record,
//! content-addressed by the ciphertext's BLAKE2b-256), anchors them on chain, and exchanges
//! them with peer gateways under the consent recorded on chain: the requester attests the
//! access, the source verifies the attestation on chain and seals the record for the
//! requester (an ephemeral X25519 key per answer) over mutual TLS with pinned certificates,
//! and the requester checks the anchored hash before showing anything. Callers of the local
//! API authenticate with bearer tokens of the hospital's identity provider; record keys are
//! wrapped at rest with a key-encryption key kept outside the store.

pub mod log;

pub mod admission;
pub mod api;
pub mod auth;
pub mod config;
pub mod crypto;
pub mod error;
pub mod fetch;
pub mod fhir;
pub mod identify;
pub mod metrics;
pub mod node;
pub mod put;
pub mod serve;
pub mod service;
pub mod store;
pub mod store_bench;
pub mod tls;
pub mod watcher;
pub mod wire;
