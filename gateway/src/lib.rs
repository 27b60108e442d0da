//! The HealthChain hospital gateway: identifies patients with the shared primitives, keeps
//! clinical records encrypted off chain (a fresh XChaCha20-Poly1305 key per record,
//! content-addressed by the ciphertext's BLAKE2b-256), and exchanges them with peer gateways
//! under the consent recorded on chain.
//!
//! This crate has the gateway's local parts (configuration, patient identification, record
//! encryption and storage, key shredding, sealing for a peer). The chain-facing service
//! (anchoring, attestation, peer fetch over HTTP) builds on them.

pub mod config;
pub mod crypto;
pub mod identify;
pub mod store;
