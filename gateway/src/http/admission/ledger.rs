//! The bookkeeping of one listener's connections: where each comes from ([`Source`]), whether
//! it is a stranger's or a peer's, the handshakes under way per source, and why a connection
//! is refused ([`Refusal`]). No clock and no I/O of its own: the caller passes the time.

use super::limits::{Limits, LEARNED_TTL, MAX_LEARNED};
use std::{
	collections::{BTreeMap, BTreeSet},
	fmt,
	net::{IpAddr, Ipv4Addr, Ipv6Addr},
	time::Instant,
};

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

	/// Its slot among the admission's throttles.
	pub(super) fn index(self) -> usize {
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
	pub(super) stranger: bool,
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
	pub(super) learned: BTreeMap<Source, Instant>,
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

	/// A handshake from `source` ended.
	fn end_handshake(&mut self, source: Source) {
		if let Some(n) = self.handshakes.get_mut(&source) {
			*n = n.saturating_sub(1);
			if *n == 0 {
				self.handshakes.remove(&source);
			}
		}
	}

	/// Learns `source` as a peer's (the oldest learned one goes beyond [`MAX_LEARNED`]).
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
