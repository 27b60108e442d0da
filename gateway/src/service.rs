//! The gateway: its configuration, store, node view, exchange key and peer directory. What it
//! does lives in one module per job: [`crate::put`], [`crate::fetch`], [`crate::serve`] and
//! [`crate::watcher`].

use crate::{
	auth::RateLimiter,
	config::Config,
	crypto::ExchangeKey,
	error::{bad, codes, err, unavailable, GatewayError},
	node::NodeView,
	store::Store,
	tls::{peer_client_config, Fingerprint, Identity},
	wire::{HealthAnswer, NodeStatus, StatusAnswer},
};
use healthchain_primitives::logs::MAX_RECORDS_PER_ATTESTATION;
use jsonrpsee::http_client::{HttpClient, HttpClientBuilder};
use std::{
	collections::BTreeMap,
	sync::Arc,
	time::{Duration, SystemTime, UNIX_EPOCH},
};

/// The most records one attestation may name (the chain's bound).
pub const MAX_RECORDS: usize = MAX_RECORDS_PER_ATTESTATION as usize;

/// The chain's largest record (the records pallet's `MaxRecordSize`, 64 MiB).
pub const MAX_RECORD_BYTES: u64 = 64 * 1024 * 1024;

/// The most ciphertext bytes one fetch returns (one record at least): larger results page.
pub const MAX_PAGE_BYTES: u64 = MAX_RECORD_BYTES;

/// The most ciphertext bytes one `gateway_serve` call asks for (one record at least).
pub const MAX_SERVE_BYTES: u64 = 32 * 1024 * 1024;

/// HTTP body limit of the local API's requests (a bundle of the largest record) and of
/// both APIs' answers (a page of records; ciphertexts travel hex-encoded between peers).
pub const MAX_BODY_BYTES: u32 = (2 * MAX_RECORD_BYTES + 16 * 1024 * 1024) as u32;

/// A peer gateway of the directory.
#[derive(Clone, Debug)]
pub struct Peer {
	/// Its peer API URL.
	pub url: String,
	/// Its X25519 public key.
	pub key: [u8; 32],
	/// The SHA-256 of its TLS certificate.
	pub pin: Fingerprint,
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
	pub(crate) tls: Identity,
	/// Rate limit of `gateway_identify`, per caller.
	pub identify_limit: RateLimiter,
	/// Puts whose anchor is being submitted (settling leaves them alone).
	submitting: std::sync::Mutex<std::collections::BTreeSet<[u8; 32]>>,
	/// Request counts and latency, the shredding backlog (served on `metrics_listen`).
	pub metrics: Arc<crate::metrics::Metrics>,
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
		tls: Identity,
	) -> Result<Self, GatewayError> {
		let mut peers = BTreeMap::new();
		for (code, p) in &config.peers {
			let mut key = [0u8; 32];
			healthchain_primitives::hex_decode_into(&p.public_key, &mut key)
				.map_err(|e| bad(format!("peer {code}: public key: {e}")))?;
			let mut pin = [0u8; 32];
			healthchain_primitives::hex_decode_into(&p.cert_sha256, &mut pin)
				.map_err(|e| bad(format!("peer {code}: cert_sha256: {e}")))?;
			peers.insert(code.clone(), Peer { url: p.url.clone(), key, pin });
		}
		let identify_limit = RateLimiter::new(config.auth.identify_per_minute);
		let metrics = Arc::new(crate::metrics::Metrics::new().map_err(bad)?);
		Ok(Gateway {
			config,
			store,
			node,
			exchange,
			lookup_secret,
			peers,
			tls,
			identify_limit,
			submitting: Default::default(),
			metrics,
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
		let peer = self
			.peers
			.get(source)
			.ok_or_else(|| err(codes::UNKNOWN_PEER, format!("unknown peer gateway {source}")))?;
		let tls = peer_client_config(&self.tls, peer.pin)
			.map_err(|e| err(codes::PEER_FAILED, format!("TLS for {source}: {e}")))?;
		HttpClientBuilder::default()
			.request_timeout(Duration::from_secs(120))
			.max_response_size(MAX_BODY_BYTES)
			.with_custom_cert_store(tls)
			.build(&peer.url)
			.map_err(|e| err(codes::PEER_FAILED, format!("peer {source} ({}): {e}", peer.url)))
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
			pending_shredding: self.store.stopped().len(),
			pending_puts: self.store.pending().map(|p| p.len()).unwrap_or(0),
			pending_revocations: self.store.revoke_due().len(),
		}
	}
}
