//! Who may call the local API: OAuth2/OIDC bearer tokens (JWTs) from the hospital's identity
//! provider, verified against its JWKS (RS256, ES256 or EdDSA only; never `none` or HS*), and a
//! Host allow-list against DNS rebinding. The flows check the scopes of the
//! [`Caller`](crate::flows::caller::Caller) a token names, and `gateway_identify`'s per-caller
//! rate limit. A dev identity provider ([`crate::dev::idp`]) serves the tests and the README
//! walkthrough.
//!
//! [`AuthLayer`] goes first (outermost) in the local API's HTTP middleware, before the
//! `GET /health` proxy, so that it sees `GET /health` as such. The token itself is never
//! logged.
//!
//! - [`jwks`]: the identity provider's keys (file or URL);
//! - [`jwt`]: the token checks ([`Verifier`]);
//! - [`host`]: the Host allow-list;
//! - [`middleware`]: the tower layer;
//! - [`refusal`]: the HTTP refusals (JSON-RPC errors, or `OperationOutcome`s for `/fhir`);
//! - [`untrusted`]: handling the text of an unverified token.

pub mod host;
pub mod jwks;
pub mod jwt;
pub mod middleware;
pub mod refusal;
pub mod untrusted;

#[cfg(test)]
mod tests;

pub use host::{effective_hosts, host_allowed};
pub use jwt::{AuthError, Verifier};
pub use middleware::{AuthLayer, AuthService};
