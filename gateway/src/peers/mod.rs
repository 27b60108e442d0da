//! The other hospitals' gateways: this gateway's TLS identity and the pinning of each peer's
//! certificate ([`tls`]), and the peer directory with the mutual-TLS client that calls a peer
//! ([`directory`]). Imports nothing from the other layers (only the shared leaf modules).

pub mod directory;
pub mod tls;

pub use directory::Peer;
pub use tls::{Fingerprint, Identity, PeerIdentity};
