//! The gateway's HTTP side, on top of the flows: the two JSON-RPC servers ([`api`]), their
//! listeners over TCP or TLS ([`listener`]) and admission of connections ([`admission`]), the
//! authentication of the local API ([`auth`]), the FHIR facade ([`fhir`]), what is served without a token
//! (SMART discovery, the doctor app: [`public`]) and the Prometheus metrics ([`metrics`]).

pub mod admission;
pub mod api;
pub mod auth;
pub mod fhir;
pub mod listener;
pub mod metrics;
pub mod public;
