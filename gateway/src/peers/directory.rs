//! The peer directory: the other hospitals' gateways this gateway knows (the configuration's
//! `[peers]`), each with its URL, X25519 key and pinned certificate; and the mutual-TLS client
//! that calls one of them.

use super::tls::{peer_client_config, Fingerprint, Identity};
use crate::{
	config,
	error::{bad, codes, err, GatewayError},
	wire::MAX_BODY_BYTES,
};
use jsonrpsee::http_client::{HttpClient, HttpClientBuilder};
use std::{collections::BTreeMap, time::Duration};

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

/// The directory of the configuration's `[peers]`, by hospital code; checks each peer's keys.
pub fn directory(
	peers: &BTreeMap<String, config::Peer>,
) -> Result<BTreeMap<String, Peer>, GatewayError> {
	let mut directory = BTreeMap::new();
	for (code, p) in peers {
		let mut key = [0u8; 32];
		healthchain_primitives::hex_decode_into(&p.public_key, &mut key)
			.map_err(|e| bad(format!("peer {code}: public key: {e}")))?;
		let mut pin = [0u8; 32];
		healthchain_primitives::hex_decode_into(&p.cert_sha256, &mut pin)
			.map_err(|e| bad(format!("peer {code}: cert_sha256: {e}")))?;
		directory.insert(code.clone(), Peer { url: p.url.clone(), key, pin });
	}
	Ok(directory)
}

/// A client of `source`'s peer API over mutual TLS: `identity`'s certificate, and only the
/// certificate the directory `peers` pins for `source` accepted.
pub fn client(
	peers: &BTreeMap<String, Peer>,
	identity: &Identity,
	source: &str,
) -> Result<HttpClient, GatewayError> {
	let peer = peers
		.get(source)
		.ok_or_else(|| err(codes::UNKNOWN_PEER, format!("unknown peer gateway {source}")))?;
	let tls = peer_client_config(identity, peer.pin)
		.map_err(|e| err(codes::PEER_FAILED, format!("TLS for {source}: {e}")))?;
	HttpClientBuilder::default()
		.request_timeout(Duration::from_secs(120))
		.max_response_size(MAX_BODY_BYTES)
		.with_custom_cert_store(tls)
		.build(&peer.url)
		.map_err(|e| err(codes::PEER_FAILED, format!("peer {source} ({}): {e}", peer.url)))
}
