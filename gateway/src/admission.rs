//! Which connections an API's listener takes on ([`crate::tls::serve`]): a budget of
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

use crate::{info, warn};
use std::{
	collections::{BTreeMap, BTreeSet},
	fmt,
	future::Future,
	net::{IpAddr, Ipv4Addr, Ipv6Addr},
	sync::{Arc, Mutex, PoisonError},
	time::{Duration, Instant},
};

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

/// How long one resolution of a directory host may take.
const RESOLVE_TIMEOUT: Duration = Duration::from_secs(10);

/// How long an address that proved a pinned certificate counts as a peer's.
pub const LEARNED_TTL: Duration = Duration::from_secs(3600);

/// The most learned peer addresses kept (the oldest goes first).
pub const MAX_LEARNED: usize = 64;

/// At most one log line per reason in this interval.
pub const LOG_INTERVAL: Duration = Duration::from_secs(10);

/// Where connections come from, as they are counted: an IPv4 address, or an IPv6 /64.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Source {
	/// An IPv4 address (IPv4-mapped IPv6 addresses included).
	V4(Ipv4Addr),
	/// The first 64 bits of an IPv6 address.
	V6([u16; 4]),
}

impl From<IpAddr> for Source {
	fn from(ip: IpAddr) -> Self {
		match ip.to_canonical() {
			IpAddr::V4(a) => Source::V4(a),
			IpAddr::V6(a) => {
				let s = a.segments();
				Source::V6([s[0], s[1], s[2], s[3]])
			},
		}
	}
}

impl fmt::Display for Source {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		match self {
			Source::V4(a) => write!(f, "{a}"),
			Source::V6([a, b, c, d]) => {
				write!(f, "{}/64", Ipv6Addr::new(*a, *b, *c, *d, 0, 0, 0, 0))
			},
		}
	}
}

/// Why a connection was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
	/// The whole budget is in use.
	Full,
	/// Strangers hold all the connections they may.
	StrangersFull,
	/// This stranger's source holds all the unauthenticated connections it may.
	AddressBusy,
	/// This peer's source holds all the unauthenticated connections it may.
	PeerAddressBusy,
}

impl Refusal {
	/// What the log says.
	pub fn reason(self) -> &'static str {
		match self {
			Refusal::Full => "too many connections",
			Refusal::StrangersFull => "unknown addresses hold their share of connections",
			Refusal::AddressBusy => "too many unauthenticated connections from this address",
			Refusal::PeerAddressBusy => {
				"too many unauthenticated connections from a peer's address"
			},
		}
	}

	/// The limit that was reached, under `limits`.
	pub fn limit(self, limits: &Limits) -> usize {
		match self {
			Refusal::Full => limits.total,
			Refusal::StrangersFull => limits.total.saturating_sub(limits.reserved),
			Refusal::AddressBusy => limits.handshakes_per_address,
			Refusal::PeerAddressBusy => limits.handshakes_per_peer_address,
		}
	}

	fn index(self) -> usize {
		match self {
			Refusal::Full => 0,
			Refusal::StrangersFull => 1,
			Refusal::AddressBusy => 2,
			Refusal::PeerAddressBusy => 3,
		}
	}
}

/// An admitted connection's place in the [`Ledger`].
#[derive(Debug)]
pub struct Entry {
	source: Source,
	/// It draws on the strangers' share.
	stranger: bool,
	/// Its handshake is under way (it counts against its source's handshakes).
	handshaking: bool,
}

/// The bookkeeping of one listener's connections (no clock and no I/O of its own: the
/// caller passes the time).
#[derive(Debug)]
pub struct Ledger {
	limits: Limits,
	/// The directory peers' sources.
	directory: BTreeSet<Source>,
	/// Sources that proved a pinned certificate, and when they last did.
	learned: BTreeMap<Source, Instant>,
	/// Connections held.
	open: usize,
	/// Connections held on the strangers' share.
	strangers: usize,
	/// Handshakes under way, by source (no zero entries).
	handshakes: BTreeMap<Source, usize>,
}

impl Ledger {
	/// An empty ledger under `limits`.
	pub fn new(limits: Limits) -> Self {
		Ledger {
			limits,
			directory: BTreeSet::new(),
			learned: BTreeMap::new(),
			open: 0,
			strangers: 0,
			handshakes: BTreeMap::new(),
		}
	}

	/// Replaces the directory peers' sources.
	pub fn set_directory(&mut self, sources: impl IntoIterator<Item = Source>) {
		self.directory = sources.into_iter().collect();
	}

	/// Whether `source` is a peer's: in the directory, or learned within [`LEARNED_TTL`].
	pub fn is_peer(&self, source: &Source, now: Instant) -> bool {
		self.directory.contains(source)
			|| self
				.learned
				.get(source)
				.is_some_and(|t| now.saturating_duration_since(*t) < LEARNED_TTL)
	}

	/// Takes on a connection from `source`, or says why not.
	pub fn admit(&mut self, source: Source, now: Instant) -> Result<Entry, Refusal> {
		if self.open >= self.limits.total {
			return Err(Refusal::Full);
		}
		let peer = self.is_peer(&source, now);
		let handshakes = self.handshakes.get(&source).copied().unwrap_or(0);
		if peer {
			if handshakes >= self.limits.handshakes_per_peer_address {
				return Err(Refusal::PeerAddressBusy);
			}
		} else {
			if self.strangers >= self.limits.total.saturating_sub(self.limits.reserved) {
				return Err(Refusal::StrangersFull);
			}
			if handshakes >= self.limits.handshakes_per_address {
				return Err(Refusal::AddressBusy);
			}
			self.strangers += 1;
		}
		self.open += 1;
		self.handshakes.insert(source, handshakes + 1);
		Ok(Entry { source, stranger: !peer, handshaking: true })
	}

	/// The connection of `entry` finished its handshake; `pinned` when it proved a pinned
	/// certificate: then it counts as a peer's, and its source is learned.
	pub fn establish(&mut self, entry: &mut Entry, pinned: bool, now: Instant) {
		if entry.handshaking {
			entry.handshaking = false;
			self.end_handshake(entry.source);
		}
		if pinned {
			if entry.stranger {
				entry.stranger = false;
				self.strangers = self.strangers.saturating_sub(1);
			}
			if !self.directory.contains(&entry.source) {
				self.learn(entry.source, now);
			}
		}
	}

	/// The connection of `entry` closed.
	pub fn release(&mut self, entry: &Entry) {
		if entry.handshaking {
			self.end_handshake(entry.source);
		}
		if entry.stranger {
			self.strangers = self.strangers.saturating_sub(1);
		}
		self.open = self.open.saturating_sub(1);
	}

	/// Connections held.
	pub fn open(&self) -> usize {
		self.open
	}

	/// Connections held on the strangers' share.
	pub fn strangers(&self) -> usize {
		self.strangers
	}

	/// Handshakes under way from `source`.
	pub fn handshakes(&self, source: &Source) -> usize {
		self.handshakes.get(source).copied().unwrap_or(0)
	}

	fn end_handshake(&mut self, source: Source) {
		if let Some(n) = self.handshakes.get_mut(&source) {
			*n = n.saturating_sub(1);
			if *n == 0 {
				self.handshakes.remove(&source);
			}
		}
	}

	fn learn(&mut self, source: Source, now: Instant) {
		self.learned.retain(|_, t| now.saturating_duration_since(*t) < LEARNED_TTL);
		self.learned.insert(source, now);
		while self.learned.len() > MAX_LEARNED {
			let oldest = self.learned.iter().min_by_key(|(_, t)| **t).map(|(s, _)| *s);
			match oldest {
				Some(s) => self.learned.remove(&s),
				None => break,
			};
		}
	}
}

/// Lets one log line through per [`LOG_INTERVAL`], counting those held back.
#[derive(Debug, Default)]
pub struct Throttle {
	last: Option<Instant>,
	held_back: u64,
}

impl Throttle {
	/// An event at `now`: `Some(n)` when it is to be logged, `n` events having been held
	/// back since the last line; `None` when it is held back.
	pub fn event(&mut self, now: Instant) -> Option<u64> {
		match self.last {
			Some(last) if now.saturating_duration_since(last) < LOG_INTERVAL => {
				self.held_back += 1;
				None
			},
			_ => {
				self.last = Some(now);
				Some(std::mem::take(&mut self.held_back))
			},
		}
	}
}

/// One listener's admission: its [`Ledger`], shared by the accept loop and the connections'
/// [`Ticket`]s, and its throttled refusal log.
#[derive(Debug)]
pub struct Admission {
	/// The API's name in the logs.
	name: &'static str,
	limits: Limits,
	ledger: Mutex<Ledger>,
	/// One per [`Refusal`], one for handshake timeouts and one for failed handshakes.
	throttles: Mutex<[Throttle; 6]>,
}

/// The [`Admission::throttles`] slot of handshake timeouts.
const TIMEOUTS: usize = 4;

/// The [`Admission::throttles`] slot of failed handshakes.
const FAILURES: usize = 5;

impl Admission {
	/// The admission of API `name` under `limits`.
	pub fn new(name: &'static str, limits: Limits) -> Arc<Self> {
		Arc::new(Admission {
			name,
			limits,
			ledger: Mutex::new(Ledger::new(limits)),
			throttles: Mutex::new(Default::default()),
		})
	}

	/// The API's name in the logs.
	pub fn name(&self) -> &'static str {
		self.name
	}

	/// Its limits.
	pub fn limits(&self) -> &Limits {
		&self.limits
	}

	/// Connections held.
	pub fn open(&self) -> usize {
		self.ledger().open()
	}

	/// Connections held on the strangers' share.
	pub fn strangers(&self) -> usize {
		self.ledger().strangers()
	}

	fn ledger(&self) -> std::sync::MutexGuard<'_, Ledger> {
		self.ledger.lock().unwrap_or_else(PoisonError::into_inner)
	}

	/// Replaces the directory peers' sources.
	pub fn set_directory(&self, sources: impl IntoIterator<Item = Source>) {
		self.ledger().set_directory(sources);
	}

	/// Takes on a connection from `ip` (the ticket holds its place until dropped), or logs
	/// why not.
	pub fn admit(self: &Arc<Self>, ip: IpAddr) -> Option<Ticket> {
		let source = Source::from(ip);
		let now = Instant::now();
		let admitted = self.ledger().admit(source, now);
		match admitted {
			Ok(entry) => Some(Ticket { admission: self.clone(), entry }),
			Err(refusal) => {
				if let Some(held_back) = self.throttle(refusal.index(), now) {
					warn!("connection_refused", {
						"api": self.name, "reason": refusal.reason(),
						"limit": refusal.limit(&self.limits), "remote": source.to_string(),
						"heldBack": held_back,
					});
				}
				None
			},
		}
	}

	/// Logs that the handshake of a connection from `ip` timed out.
	pub fn handshake_timed_out(&self, ip: IpAddr) {
		if let Some(held_back) = self.throttle(TIMEOUTS, Instant::now()) {
			warn!("tls_handshake_failed", {
				"api": self.name, "remote": Source::from(ip).to_string(), "error": "timed out",
				"timeoutMs": self.limits.handshake_timeout.as_millis() as u64,
				"heldBack": held_back,
			});
		}
	}

	/// Logs that the handshake of a connection from `ip` failed with `error`.
	pub fn handshake_failed(&self, ip: IpAddr, error: &dyn fmt::Display) {
		if let Some(held_back) = self.throttle(FAILURES, Instant::now()) {
			warn!("tls_handshake_failed", {
				"api": self.name, "remote": Source::from(ip).to_string(),
				"error": error.to_string(), "heldBack": held_back,
			});
		}
	}

	fn throttle(&self, slot: usize, now: Instant) -> Option<u64> {
		let mut throttles = self.throttles.lock().unwrap_or_else(PoisonError::into_inner);
		throttles.get_mut(slot).and_then(|t| t.event(now))
	}
}

/// An admitted connection's place: released when dropped.
#[derive(Debug)]
pub struct Ticket {
	admission: Arc<Admission>,
	entry: Entry,
}

impl Ticket {
	/// The connection finished its handshake (or has none); `pinned` when it proved a pinned
	/// certificate.
	pub fn establish(&mut self, pinned: bool) {
		self.admission.ledger().establish(&mut self.entry, pinned, Instant::now());
	}
}

impl Drop for Ticket {
	fn drop(&mut self) {
		self.admission.ledger().release(&self.entry);
	}
}

/// The host and port of a peer URL (`https://host[:port][/…]`), if it has a host.
pub fn host_port(url: &str) -> Option<(String, u16)> {
	let uri: http::Uri = url.parse().ok()?;
	let host = uri.host()?.trim_start_matches('[').trim_end_matches(']');
	if host.is_empty() {
		return None;
	}
	Some((host.to_string(), uri.port_u16().unwrap_or(443)))
}

/// The sources of a host: itself when it is an address, else what the resolver says.
async fn resolve(host: &str, port: u16) -> Result<BTreeSet<Source>, String> {
	if let Ok(ip) = host.parse::<IpAddr>() {
		return Ok(BTreeSet::from([Source::from(ip)]));
	}
	match tokio::time::timeout(RESOLVE_TIMEOUT, tokio::net::lookup_host((host, port))).await {
		Ok(Ok(addrs)) => {
			let sources: BTreeSet<Source> = addrs.map(|a| Source::from(a.ip())).collect();
			if sources.is_empty() {
				Err("no address".into())
			} else {
				Ok(sources)
			}
		},
		Ok(Err(e)) => Err(e.to_string()),
		Err(_) => Err("timed out".into()),
	}
}

/// Keeps `admission`'s directory sources: the addresses of the hosts of `urls` (the peer
/// directory's URLs) at once, and those of host names resolved again every
/// [`DIRECTORY_REFRESH`], until `stopped`. A name that does not resolve keeps the addresses
/// it last had.
pub fn follow_directory(
	admission: Arc<Admission>,
	urls: Vec<String>,
	stopped: impl Future<Output = ()> + Send + 'static,
) {
	let mut hosts = BTreeMap::new();
	for url in &urls {
		match host_port(url) {
			Some((host, port)) => {
				hosts.insert(host, port);
			},
			None => warn!("peer_address_unknown", {"api": admission.name, "url": url}),
		}
	}
	// Addresses in the URLs count from the first connection on.
	let literal: BTreeSet<Source> =
		hosts.keys().filter_map(|h| h.parse::<IpAddr>().ok()).map(Source::from).collect();
	admission.set_directory(literal.iter().copied());
	if hosts.keys().all(|h| h.parse::<IpAddr>().is_ok()) {
		info!("peer_addresses", {"api": admission.name, "sources": literal.len()});
		return;
	}
	tokio::spawn(async move {
		tokio::pin!(stopped);
		let mut known: BTreeMap<String, BTreeSet<Source>> = BTreeMap::new();
		loop {
			for (host, port) in &hosts {
				match resolve(host, *port).await {
					Ok(sources) => {
						known.insert(host.clone(), sources);
					},
					Err(e) => {
						warn!("peer_address_unresolved", {"api": admission.name, "host": host, "error": e, "kept": known.get(host).map_or(0, |s| s.len())});
					},
				}
			}
			let sources: BTreeSet<Source> = known.values().flatten().copied().collect();
			info!("peer_addresses", {"api": admission.name, "sources": sources.len()});
			admission.set_directory(sources);
			tokio::select! {
				_ = tokio::time::sleep(DIRECTORY_REFRESH) => {},
				_ = &mut stopped => return,
			}
		}
	});
}

#[cfg(test)]
mod tests {
	use super::*;

	/// Small limits: 10 connections, 4 of them kept for peers, 2 handshakes per stranger's
	/// source and 3 per peer's.
	const SMALL: Limits = Limits {
		total: 10,
		reserved: 4,
		handshakes_per_address: 2,
		handshakes_per_peer_address: 3,
		handshake_timeout: Duration::from_secs(1),
	};

	fn v4(last: u8) -> Source {
		Source::V4(Ipv4Addr::new(10, 0, 0, last))
	}

	#[test]
	fn a_strangers_source_holds_few_handshakes_until_they_end() {
		let now = Instant::now();
		let mut ledger = Ledger::new(SMALL);
		let mut a = ledger.admit(v4(1), now).unwrap();
		let _b = ledger.admit(v4(1), now).unwrap();
		assert_eq!(ledger.admit(v4(1), now).unwrap_err(), Refusal::AddressBusy);
		assert!(ledger.admit(v4(2), now).is_ok(), "another source is not held up");
		// A finished handshake without a pinned certificate (the local API's) leaves the
		// handshake count, not the strangers' share.
		ledger.establish(&mut a, false, now);
		assert_eq!(ledger.handshakes(&v4(1)), 1);
		assert_eq!(ledger.strangers(), 3);
		let c = ledger.admit(v4(1), now).unwrap();
		ledger.release(&c);
		ledger.release(&a);
		assert_eq!((ledger.open(), ledger.strangers(), ledger.handshakes(&v4(1))), (2, 2, 1));
	}

	#[test]
	fn strangers_cannot_fill_the_room_kept_for_peers() {
		let now = Instant::now();
		let mut ledger = Ledger::new(SMALL);
		ledger.set_directory([v4(100)]);
		let strangers: Vec<_> = (1..=6).map(|i| ledger.admit(v4(i), now).unwrap()).collect();
		assert_eq!(ledger.admit(v4(7), now).unwrap_err(), Refusal::StrangersFull);
		// The directory peer's source gets the reserve, 3 handshakes at a time.
		let mut peers: Vec<_> = (0..3).map(|_| ledger.admit(v4(100), now).unwrap()).collect();
		assert_eq!(ledger.admit(v4(100), now).unwrap_err(), Refusal::PeerAddressBusy);
		for p in &mut peers {
			ledger.establish(p, true, now);
		}
		peers.push(ledger.admit(v4(100), now).unwrap());
		assert_eq!(ledger.open(), 10);
		assert_eq!(ledger.admit(v4(100), now).unwrap_err(), Refusal::Full);
		// Everything released: the ledger is empty again.
		for e in strangers.iter().chain(&peers) {
			ledger.release(e);
		}
		assert_eq!((ledger.open(), ledger.strangers(), ledger.handshakes(&v4(100))), (0, 0, 0));
		assert_eq!(ledger.handshakes(&v4(1)), 0);
	}

	#[test]
	fn a_pinned_certificate_makes_a_connection_and_its_source_a_peers() {
		let now = Instant::now();
		let mut ledger = Ledger::new(SMALL);
		// A peer calling from an address outside the directory: a stranger at first.
		let mut first = ledger.admit(v4(50), now).unwrap();
		assert_eq!(ledger.strangers(), 1);
		ledger.establish(&mut first, true, now);
		assert_eq!((ledger.strangers(), ledger.handshakes(&v4(50))), (0, 0));
		assert!(ledger.is_peer(&v4(50), now));
		// With the strangers' share full, the learned source still gets in.
		let _strangers: Vec<_> = (1..=6).map(|i| ledger.admit(v4(i), now).unwrap()).collect();
		assert_eq!(ledger.admit(v4(7), now).unwrap_err(), Refusal::StrangersFull);
		let second = ledger.admit(v4(50), now).unwrap();
		assert!(!second.stranger);
		// A strange connection that fails its handshake goes, and frees its place.
		ledger.release(&second);
		ledger.release(&first);
		assert_eq!(ledger.open(), 6);
		// Learning expires.
		assert!(!ledger.is_peer(&v4(50), now + LEARNED_TTL));
	}

	#[test]
	fn learned_sources_are_bounded() {
		let now = Instant::now();
		let mut ledger = Ledger::new(Limits { total: 1000, ..SMALL });
		for i in 0..=MAX_LEARNED {
			let mut e = ledger.admit(Source::V4(Ipv4Addr::from(i as u32 + 1)), now).unwrap();
			ledger.establish(&mut e, true, now + Duration::from_secs(i as u64));
			ledger.release(&e);
		}
		let later = now + Duration::from_secs(MAX_LEARNED as u64);
		assert_eq!(ledger.learned.len(), MAX_LEARNED);
		assert!(!ledger.is_peer(&Source::V4(Ipv4Addr::from(1u32)), later), "the oldest went");
		assert!(ledger.is_peer(&Source::V4(Ipv4Addr::from(2u32)), later));
	}

	#[test]
	fn sources_group_ipv6_by_64_and_unmap_ipv4() {
		let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
		let b: IpAddr = "2001:db8:1:2:bbbb::2".parse().unwrap();
		let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
		assert_eq!(Source::from(a), Source::from(b));
		assert_ne!(Source::from(a), Source::from(c));
		assert_eq!(Source::from(a).to_string(), "2001:db8:1:2::/64");
		let mapped: IpAddr = "::ffff:10.0.0.1".parse().unwrap();
		assert_eq!(Source::from(mapped), v4(1));
		assert_eq!(v4(1).to_string(), "10.0.0.1");
	}

	#[test]
	fn peer_urls_give_their_hosts() {
		assert_eq!(host_port("https://127.0.0.1:8601"), Some(("127.0.0.1".into(), 8601)));
		assert_eq!(host_port("https://[::1]:8600/"), Some(("::1".into(), 8600)));
		assert_eq!(host_port("https://gw.h2.example"), Some(("gw.h2.example".into(), 443)));
		assert_eq!(host_port("not a url"), None);
		assert_eq!(host_port("/relative"), None);
	}

	#[tokio::test]
	async fn directory_addresses_count_at_once_and_names_resolve() {
		let admission = Admission::new("test", SMALL);
		let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
		follow_directory(
			admission.clone(),
			vec!["https://10.0.0.100:8600".into(), "https://localhost:8601".into()],
			async move {
				let _ = stopped.await;
			},
		);
		let now = Instant::now();
		assert!(admission.ledger().is_peer(&v4(100), now), "an address in a URL counts at once");
		let start = Instant::now();
		while !admission.ledger().is_peer(&Source::V4(Ipv4Addr::LOCALHOST), Instant::now()) {
			assert!(start.elapsed() < Duration::from_secs(60), "localhost never resolved");
			tokio::time::sleep(Duration::from_millis(20)).await;
		}
		assert!(admission.ledger().is_peer(&v4(100), Instant::now()), "and still does");
		let _ = stop.send(());
	}

	#[test]
	fn tickets_release_their_place_and_refusals_are_throttled() {
		let admission = Admission::new("test", SMALL);
		let ip: IpAddr = "10.0.0.1".parse().unwrap();
		let mut first = admission.admit(ip).unwrap();
		let second = admission.admit(ip).unwrap();
		assert!(admission.admit(ip).is_none());
		first.establish(true);
		drop(second);
		assert_eq!((admission.open(), admission.strangers()), (1, 0));
		drop(first);
		assert_eq!((admission.open(), admission.strangers()), (0, 0));

		let now = Instant::now();
		let mut throttle = Throttle::default();
		assert_eq!(throttle.event(now), Some(0));
		assert_eq!(throttle.event(now + Duration::from_secs(1)), None);
		assert_eq!(throttle.event(now + Duration::from_secs(2)), None);
		assert_eq!(throttle.event(now + LOG_INTERVAL), Some(2));
		assert_eq!(throttle.event(now + LOG_INTERVAL), None);
	}
}
