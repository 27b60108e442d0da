//! Development tools, outside the service: the development identity provider ([`idp`]), the
//! store benchmark ([`store_bench`]) and the patient's wallet for demos ([`wallet`]). The dev
//! layer may use every other layer; nothing but the command line (and tests) uses it.

pub mod idp;
pub mod store_bench;
pub mod wallet;
