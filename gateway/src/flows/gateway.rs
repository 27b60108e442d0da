//! The [`Gateway`]: its configuration, store, node view, exchange key, TLS identity and peer
//! directory; its liveness and status. What it does lives in one file per flow beside this
//! one: [`super::put`], [`super::fetch`], [`super::serve`], [`super::identify`] and
//! [`super::watcher`].

use super::rate_limit::RateLimiter;
use crate::{
	chain::NodeView,
	config::Config,
	error::{unavailable, GatewayError},
	peers::{
		directory::{self, Peer},
		tls::{Fingerprint, Identity},
	},
	vault::{crypto::ExchangeKey, Store},
	wire::{HealthAnswer, NodeStatus, StatusAnswer},
};
use jsonrpsee::http_client::HttpClient;
use std::collections::BTreeMap;

/// `gateway_acceptTerms` and `gateway_myAccesses` calls a minute per caller.
pub const DOCTOR_CALLS_PER_MINUTE: u32 = 20;

/// The gateway.
pub struct Gateway {
	/// Configuration.
	pub config: Config,
	/// Local storage.
	pub store: Store,
	/// The chain, through this gateway's node.
	pub node: NodeView,
	pub(crate) exchange: ExchangeKey,
	lookup_secret: Vec<u8>,
	pub(crate) peers: BTreeMap<String, Peer>,
	pub(crate) tls: Identity,
	/// Rate limit of `gateway_identify`, per caller.
	pub identify_limit: RateLimiter,
	/// Rate limit of the doctor's costlier calls (`gateway_acceptTerms`,
	/// `gateway_myAccesses`), per caller.
	pub doctor_limit: RateLimiter,
	/// Puts whose anchor is being submitted (settling leaves them alone).
	submitting: std::sync::Mutex<std::collections::BTreeSet<[u8; 32]>>,
}

/// Marks a put as being submitted until dropped.
pub struct Submitting<'a> {
	gw: &'a Gateway,
	hash: [u8; 32],
}

impl Drop for Submitting<'_> {
	fn drop(&mut self) {
		self.gw.submitting.lock().unwrap_or_else(|e| e.into_inner()).remove(&self.hash);
	}
}

impl Gateway {
	/// Builds a gateway from its parts; checks the peer directory's keys.
	pub fn new(
		config: Config,
		store: Store,
		node: NodeView,
		exchange: ExchangeKey,
		lookup_secret: Vec<u8>,
		tls: Identity,
	) -> Result<Self, GatewayError> {
		let peers = directory::directory(&config.peers)?;
		let identify_limit = RateLimiter::new(config.auth.identify_per_minute);
		let doctor_limit = RateLimiter::new(DOCTOR_CALLS_PER_MINUTE);
		Ok(Gateway {
			config,
			store,
			node,
			exchange,
			lookup_secret,
			peers,
			tls,
			identify_limit,
			doctor_limit,
			submitting: Default::default(),
		})
	}

	/// Marks the put of `hash` as being submitted, until the guard is dropped.
	pub fn submitting(&self, hash: [u8; 32]) -> Submitting<'_> {
		self.submitting.lock().unwrap_or_else(|e| e.into_inner()).insert(hash);
		Submitting { gw: self, hash }
	}

	/// Whether the put of `hash` is being submitted.
	pub fn is_submitting(&self, hash: &[u8; 32]) -> bool {
		self.submitting.lock().unwrap_or_else(|e| e.into_inner()).contains(hash)
	}

	/// The fingerprints of the directory's certificates, for the peer API's TLS.
	pub fn peer_pins(&self) -> BTreeMap<Fingerprint, String> {
		self.peers.iter().map(|(code, p)| (p.pin, code.clone())).collect()
	}

	/// This gateway's TLS identity.
	pub fn tls_identity(&self) -> &Identity {
		&self.tls
	}

	/// A client of `source`'s peer API over mutual TLS: this gateway's certificate, and
	/// only the certificate pinned for `source` accepted.
	pub fn peer_client(&self, source: &str) -> Result<HttpClient, GatewayError> {
		directory::client(&self.peers, &self.tls, source)
	}

	/// This gateway's X25519 public key.
	pub fn exchange_public(&self) -> [u8; 32] {
		self.exchange.public()
	}

	/// The lookup secret (for `identify`).
	pub fn lookup_secret(&self) -> &[u8] {
		&self.lookup_secret
	}

	/// This hospital's code.
	pub fn hospital(&self) -> &str {
		&self.config.hospital
	}

	/// Liveness: the node answers.
	pub async fn health(&self) -> Result<HealthAnswer, GatewayError> {
		let best = self
			.node
			.best_number()
			.await
			.map_err(|e| unavailable(format!("node unreachable: {}", e.message)))?;
		Ok(HealthAnswer { status: "ok".into(), hospital: self.hospital().to_string(), best })
	}

	/// Status for operators.
	pub async fn status(&self) -> StatusAnswer {
		let node = match self.node.best_number().await {
			Ok(n) => NodeStatus { reachable: true, best: Some(n), error: None },
			Err(e) => NodeStatus { reachable: false, best: None, error: Some(e.message) },
		};
		let (records, erased) = self.store.counts();
		StatusAnswer {
			hospital: self.hospital().to_string(),
			account: self.node.account(),
			exchange_key: self.exchange.public().into(),
			cert_sha256: self.tls.fingerprint().into(),
			node,
			records,
			erased,
			// Operator status only: a store read error shows as zero (and is logged).
			pending_shredding: self.store.stopped().map(|s| s.len()).unwrap_or(0),
			pending_puts: self.store.pending().map(|p| p.len()).unwrap_or(0),
			pending_revocations: self.store.revoke_due().len(),
		}
	}
}
