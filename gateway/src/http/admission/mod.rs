//! Which connections an API's listener takes on ([`super::listener::serve`]): a budget of
//! connections, a small share of it per remote address for connections that have not
//! authenticated yet, and, on the peer API, part of the budget kept for the peer gateways of
//! the directory, so that idle or slow TLS handshakes from elsewhere cannot starve them.
//!
//! On the peer API every connection must present a pinned client certificate, so a connection
//! is *unauthenticated* from accept until its TLS handshake ends, which
//! [`Limits::handshake_timeout`] keeps short. Connections are counted per *source*: an IPv4
//! address, or the /64 prefix of an IPv6 address (one host commonly holds a whole /64);
//! IPv4-mapped IPv6 addresses count as their IPv4 address.
//!
//! - A *stranger* (a source that is neither a directory peer's address nor a learned one) holds
//!   at most [`Limits::handshakes_per_address`] unauthenticated connections, and all strangers
//!   together at most `total - reserved` connections: the last [`Limits::reserved`] connections
//!   are only for peers.
//! - The directory's peers are known by the addresses of their URLs' hosts (resolved when the
//!   listener starts, names again every [`DIRECTORY_REFRESH`]); their connections may use the
//!   whole budget, with [`Limits::handshakes_per_peer_address`] unauthenticated ones per
//!   address (a peer's address may be shared with its hospital's other hosts).
//! - Once a handshake proves a pinned certificate the connection counts as a peer's: it no
//!   longer draws on the strangers' share, and its source is *learned* (a gateway may call out
//!   from another address than the one it serves on) for [`LEARNED_TTL`], at most
//!   [`MAX_LEARNED`] of them.
//!
//! Refusals, handshake timeouts and failed handshakes are logged at most once per
//! [`LOG_INTERVAL`] and kind, with the count of those held back, so that a flood does not
//! become a flood of log lines. Addresses are logged; nothing else about a connection is known
//! here.

//!
//! - [`limits`]: the budgets of the two APIs and the timings;
//! - [`ledger`]: the bookkeeping of one listener's connections (no clock, no I/O);
//! - [`gate`]: one listener's admission: its ledger, its tickets and its throttled log;
//! - [`directory`]: the directory peers' addresses, resolved again from time to time.

pub mod directory;
pub mod gate;
pub mod ledger;
pub mod limits;

#[cfg(test)]
mod tests;

pub use directory::{follow_directory, host_port};
pub use gate::{Admission, Throttle, Ticket};
pub use ledger::{Entry, Ledger, Refusal, Source};
pub use limits::{
	Limits, DIRECTORY_REFRESH, LEARNED_TTL, LOCAL_API, LOG_INTERVAL, MAX_CONNECTIONS, MAX_LEARNED,
	PEER_API,
};
