//! The admission's budgets: the connections an API serves at once, the room kept for the
//! directory's peers, the handshakes a source may have under way and how long they may take;
//! and how long learned peers and throttled log lines last.

use std::time::Duration;

/// Connections an API serves at once; more are closed on accept.
pub const MAX_CONNECTIONS: usize = 256;

/// How an API's listener admits connections.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
	/// Connections served at once, of every kind.
	pub total: usize,
	/// Of [`Self::total`], the connections strangers may never hold: room kept for the
	/// directory's peers (by address) and for connections that proved a pinned certificate.
	pub reserved: usize,
	/// Unauthenticated connections (TLS handshake under way) one stranger's source may hold.
	pub handshakes_per_address: usize,
	/// Unauthenticated connections one directory peer's (or learned) source may hold: more
	/// than a stranger's, since a gateway opens a connection per fetch, but bounded.
	pub handshakes_per_peer_address: usize,
	/// How long a TLS handshake may take before the connection is dropped.
	pub handshake_timeout: Duration,
}

/// The peer API's limits. Its clients are a few dozen gateways, each calling with a fresh
/// connection per fetch: a quarter of the budget is theirs alone, so strangers hold at most
/// 192 connections, and 8 of them per source (24 sources to fill that share). A handshake
/// between gateways takes two round trips and a signature each way: 3 s allows for a slow
/// network and a lost packet (TCP's first retransmission comes after 1 s), and makes a slot
/// held by an idle connection cheap to reclaim.
pub const PEER_API: Limits = Limits {
	total: MAX_CONNECTIONS,
	reserved: 64,
	handshakes_per_address: 8,
	handshakes_per_peer_address: 32,
	handshake_timeout: Duration::from_secs(3),
};

/// The local API's limits, as they were: it listens on loopback or the hospital's own network
/// for the hospital's systems, which authenticate per request (bearer tokens) rather than per
/// connection, and often from one address (an integration engine's connection pool); so no
/// reserve and no per-address cap, and TLS handshakes (`api_tls`) get 10 s.
pub const LOCAL_API: Limits = Limits {
	total: MAX_CONNECTIONS,
	reserved: 0,
	handshakes_per_address: MAX_CONNECTIONS,
	handshakes_per_peer_address: MAX_CONNECTIONS,
	handshake_timeout: Duration::from_secs(10),
};

/// How often the directory's host names are resolved again.
pub const DIRECTORY_REFRESH: Duration = Duration::from_secs(300);

/// How long an address that proved a pinned certificate counts as a peer's.
pub const LEARNED_TTL: Duration = Duration::from_secs(3600);

/// The most learned peer addresses kept (the oldest goes first).
pub const MAX_LEARNED: usize = 64;

/// At most one log line per reason in this interval.
pub const LOG_INTERVAL: Duration = Duration::from_secs(10);
