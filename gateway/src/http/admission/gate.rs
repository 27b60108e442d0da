//! One listener's admission: its [`Ledger`], shared by the accept loop and the connections'
//! [`Ticket`]s, and its throttled refusal log ([`Throttle`]).

use super::{
	ledger::{Entry, Ledger, Source},
	limits::{Limits, LOG_INTERVAL},
};
use crate::warn;
use std::{
	fmt,
	net::IpAddr,
	sync::{Arc, Mutex, PoisonError},
	time::Instant,
};

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

	/// The ledger, locked (a panic elsewhere while it was held leaves it usable).
	pub(super) fn ledger(&self) -> std::sync::MutexGuard<'_, Ledger> {
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

	/// Whether the event of throttle `slot` at `now` is logged: `Some(held back)` when it is.
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
