//! The gateway: its configuration, store, node view, exchange key and peer directory. What it
//! does lives in one module per job: [`crate::put`], [`crate::fetch`], [`crate::serve`] and
//! [`crate::watcher`].

use crate::{
	config::Config,
	crypto::ExchangeKey,
	error::{bad, unavailable, GatewayError},
	node::NodeView,
	store::Store,
	wire::{HealthAnswer, NodeStatus, StatusAnswer},
};
use healthchain_primitives::logs::MAX_RECORDS_PER_ATTESTATION;
use std::{
	collections::BTreeMap,
	time::{SystemTime, UNIX_EPOCH},
};

/// The most records one attestation may name (the chain's bound).
pub const MAX_RECORDS: usize = MAX_RECORDS_PER_ATTESTATION as usize;

/// A peer gateway of the directory.
#[derive(Clone, Debug)]
pub struct Peer {
	/// Its peer API URL.
	pub url: String,
	/// Its X25519 public key.
	pub key: [u8; 32],
}

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
}

/// Milliseconds since the Unix epoch.
pub(crate) fn now_ms() -> u64 {
	SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

impl Gateway {
	/// Builds a gateway from its parts; checks the peer directory's keys.
	pub fn new(
		config: Config,
		store: Store,
		node: NodeView,
		exchange: ExchangeKey,
		lookup_secret: Vec<u8>,
	) -> Result<Self, GatewayError> {
		let mut peers = BTreeMap::new();
		for (code, p) in &config.peers {
			let mut key = [0u8; 32];
			healthchain_primitives::hex_decode_into(&p.public_key, &mut key)
				.map_err(|e| bad(format!("peer {code}: public key: {e}")))?;
			peers.insert(code.clone(), Peer { url: p.url.clone(), key });
		}
		Ok(Gateway { config, store, node, exchange, lookup_secret, peers })
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
		let all = self.store.all_meta();
		let erased = all.iter().filter(|(hash, _)| self.store.is_erased(hash)).count();
		StatusAnswer {
			hospital: self.hospital().to_string(),
			account: self.node.account(),
			exchange_key: self.exchange.public().into(),
			node,
			records: all.len() - erased,
			erased,
			pending_shredding: self.store.stopped().len(),
		}
	}
}
