//! The identity provider's keys: the JWKS read from a file or fetched over https (the
//! system's roots; plain http only on loopback), with the usable signing keys kept: RSA
//! (RS256, 2048 bits or more), P-256 (ES256) or Ed25519 (EdDSA).

use super::untrusted::{b64, shorten};
use crate::{config::AuthConfig, warn};
use http::StatusCode;
use jsonwebtoken::{
	jwk::{AlgorithmParameters, EllipticCurve, Jwk, PublicKeyUse},
	Algorithm, DecodingKey,
};
use serde_json::Value;
use std::{collections::BTreeSet, time::Duration};

/// How long a JWKS fetch may take.
const FETCH_TIMEOUT: Duration = Duration::from_secs(10);
/// The largest JWKS accepted.
const MAX_JWKS: usize = 1 << 20;

/// A verification key from the JWKS.
#[derive(Clone)]
pub struct Key {
	/// Its `kid`.
	pub kid: Option<String>,
	/// The one algorithm it verifies.
	pub alg: Algorithm,
	/// The key.
	pub key: DecodingKey,
}

/// The usable keys of a JWKS.
pub struct KeySet(pub Vec<Key>);

impl KeySet {
	/// The key a token names; without a `kid` (or a keyless single key), the only key.
	pub fn find(&self, kid: Option<&str>) -> Option<&Key> {
		let only = match self.0.as_slice() {
			[only] if kid.is_none() || only.kid.is_none() => Some(only),
			_ => None,
		};
		kid.and_then(|kid| self.0.iter().find(|k| k.kid.as_deref() == Some(kid))).or(only)
	}
}

/// The JWKS text, from the file or the URL.
pub async fn read_jwks(config: &AuthConfig) -> Result<String, String> {
	match (&config.jwks_file, &config.jwks_url) {
		(Some(path), _) => tokio::fs::read_to_string(path)
			.await
			.map_err(|e| format!("cannot read {}: {e}", path.display())),
		(None, Some(url)) => fetch_jwks(url).await,
		(None, None) => Err("exactly one of auth.jwks_file and auth.jwks_url must be set".into()),
	}
}

/// Fetches a JWKS (https with the system's roots, or http on loopback), with a timeout.
async fn fetch_jwks(url: &str) -> Result<String, String> {
	tokio::time::timeout(FETCH_TIMEOUT, fetch_once(url))
		.await
		.map_err(|_| format!("cannot fetch {url}: no answer within 10 s"))?
}

/// One JWKS fetch (a hyper client over rustls, server certificates checked with the
/// platform verifier; the body is limited to 1 MiB).
async fn fetch_once(url: &str) -> Result<String, String> {
	use http_body_util::{BodyExt as _, Empty, Limited};
	use hyper_util::{client::legacy::Client, rt::TokioExecutor};
	use rustls_platform_verifier::BuilderVerifierExt;
	let uri: http::Uri = url.parse().map_err(|e| format!("jwks_url {url}: {e}"))?;
	let tls = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
		rustls::crypto::ring::default_provider(),
	))
	.with_safe_default_protocol_versions()
	.map_err(|e| e.to_string())?
	.with_platform_verifier()
	.with_no_client_auth();
	let connector = hyper_rustls::HttpsConnectorBuilder::new()
		.with_tls_config(tls)
		.https_or_http()
		.enable_http1()
		.build();
	let client: Client<_, Empty<hyper::body::Bytes>> =
		Client::builder(TokioExecutor::new()).build(connector);
	let res = client.get(uri).await.map_err(|e| format!("cannot fetch {url}: {e}"))?;
	if res.status() != StatusCode::OK {
		return Err(format!("cannot fetch {url}: HTTP {}", res.status()));
	}
	let body = Limited::new(res.into_body(), MAX_JWKS)
		.collect()
		.await
		.map_err(|e| format!("cannot read {url}: {e}"))?
		.to_bytes();
	String::from_utf8(body.to_vec()).map_err(|_| format!("{url}: the JWKS is not UTF-8"))
}

/// Parses a JWKS, keeping the usable signing keys (others are logged and skipped).
pub fn parse_jwks(text: &str) -> Result<KeySet, String> {
	let doc: Value =
		serde_json::from_str(text).map_err(|e| format!("the JWKS is not JSON: {e}"))?;
	let entries =
		doc.get("keys").and_then(Value::as_array).ok_or("the JWKS has no \"keys\" array")?;
	let mut keys = Vec::new();
	for (i, entry) in entries.iter().enumerate() {
		let parsed = serde_json::from_value::<Jwk>(entry.clone()).map_err(|e| e.to_string());
		match parsed.and_then(|jwk| key_from_jwk(&jwk)) {
			Ok(key) => keys.push(key),
			Err(why) => {
				let kid = entry.get("kid").and_then(Value::as_str).map(shorten);
				warn!("jwks_key_skipped", {"index": i, "kid": kid, "reason": why});
			},
		}
	}
	if keys.is_empty() {
		return Err("the JWKS has no usable signing key (RS256, ES256 or EdDSA)".into());
	}
	let mut seen = BTreeSet::new();
	for key in &keys {
		match &key.kid {
			None if keys.len() > 1 => {
				return Err("the JWKS has several keys: each needs a kid".into())
			},
			Some(kid) if !seen.insert(kid.clone()) => {
				return Err(format!("the JWKS has two keys with kid {kid}"))
			},
			_ => {},
		}
	}
	Ok(KeySet(keys))
}

/// A verification key from a JWK: RSA (RS256, 2048 bits or more), P-256 (ES256) or Ed25519
/// (EdDSA); symmetric keys and other algorithms are refused.
fn key_from_jwk(jwk: &Jwk) -> Result<Key, String> {
	if matches!(jwk.common.public_key_use, Some(PublicKeyUse::Encryption | PublicKeyUse::Other(_)))
	{
		return Err("not a signing key (use)".into());
	}
	let (alg, key) = match &jwk.algorithm {
		AlgorithmParameters::RSA(p) => {
			let n = b64(&p.n)?;
			if n.iter().skip_while(|b| **b == 0).count() < 256 {
				return Err("RSA modulus under 2048 bits".into());
			}
			(Algorithm::RS256, DecodingKey::from_rsa_components(&p.n, &p.e))
		},
		AlgorithmParameters::EllipticCurve(p) if p.curve == EllipticCurve::P256 => {
			if b64(&p.x)?.len() != 32 || b64(&p.y)?.len() != 32 {
				return Err("P-256 coordinates must be 32 bytes".into());
			}
			(Algorithm::ES256, DecodingKey::from_ec_components(&p.x, &p.y))
		},
		AlgorithmParameters::OctetKeyPair(p) if p.curve == EllipticCurve::Ed25519 => {
			if b64(&p.x)?.len() != 32 {
				return Err("an Ed25519 public key is 32 bytes".into());
			}
			(Algorithm::EdDSA, DecodingKey::from_ed_components(&p.x))
		},
		AlgorithmParameters::OctetKey(_) => return Err("symmetric (oct) keys are refused".into()),
		_ => return Err("unsupported curve (P-256 or Ed25519 only)".into()),
	};
	let key = key.map_err(|e| format!("bad key material: {e}"))?;
	if let Some(declared) = jwk.common.key_algorithm {
		if declared.to_string() != format!("{alg:?}") {
			return Err(format!("alg {declared} is not accepted (RS256, ES256 or EdDSA only)"));
		}
	}
	Ok(Key { kid: jwk.common.key_id.clone(), alg, key })
}
