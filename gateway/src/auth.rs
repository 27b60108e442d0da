//! Who may call the local API: OAuth2/OIDC bearer tokens (JWTs) from the hospital's identity
//! provider, verified against its JWKS (RS256, ES256 or EdDSA only; never `none` or HS*), a
//! Host allow-list against DNS rebinding, per-method scopes, and a per-caller rate limit on
//! `gateway_identify`. A dev identity provider ([`dev_idp_keygen`], [`mint_token`]) serves
//! the tests and the README walkthrough.
//!
//! [`AuthLayer`] goes first (outermost) in the local API's HTTP middleware, before the
//! `GET /health` proxy, so that it sees `GET /health` as such. The token itself is never
//! logged.

use crate::{
	error::{codes, err, GatewayError},
	info, warn,
};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use http::{header, HeaderValue, Method, StatusCode};
use jsonrpsee::server::{HttpBody, HttpResponse};
use jsonwebtoken::{
	jwk::{AlgorithmParameters, EllipticCurve, Jwk, PublicKeyUse},
	Algorithm, DecodingKey, EncodingKey, Header, Validation,
};
use ring::signature::{Ed25519KeyPair, KeyPair as _};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::{
	collections::{BTreeSet, HashMap},
	future::Future,
	io::Write as _,
	net::SocketAddr,
	path::{Path, PathBuf},
	pin::Pin,
	sync::{Arc, Mutex, PoisonError, RwLock},
	task::{Context, Poll},
	time::{Duration, Instant},
};

/// Scopes of the local API.
pub mod scopes {
	/// `gateway_put`.
	pub const PUT: &str = "records.write";
	/// `gateway_fetch` for treatment.
	pub const FETCH: &str = "records.read";
	/// `gateway_fetch` for an emergency.
	pub const EMERGENCY: &str = "records.emergency";
	/// `gateway_identify`.
	pub const IDENTIFY: &str = "patients.identify";
	/// `gateway_status`.
	pub const STATUS: &str = "gateway.status";
	/// FHIR `Consent` search: a patient's consent state.
	pub const CONSENT_READ: &str = "consent.read";
	/// FHIR `AuditEvent` search: a patient's access log.
	pub const AUDIT_READ: &str = "audit.read";
}

/// The error type of HTTP middleware in jsonrpsee.
type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Signature algorithms accepted, whatever a JWK or a token header says.
const ACCEPTED: [&str; 3] = ["RS256", "ES256", "EdDSA"];
/// After a token with an unknown `kid` (the provider rotated its keys), the JWKS is read
/// again, then not again for this long (a flood of made-up `kid`s costs one read a minute).
const REFETCH: Duration = Duration::from_secs(60);
/// How long a JWKS fetch may take.
const FETCH_TIMEOUT: Duration = Duration::from_secs(10);
/// The largest JWKS accepted.
const MAX_JWKS: usize = 1 << 20;
/// The longest token accepted.
const MAX_TOKEN: usize = 16 * 1024;

/// `[auth]` section of the gateway configuration.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct AuthConfig {
	/// The identity provider's issuer (`iss`), exactly as in its tokens.
	pub issuer: String,
	/// This gateway's audience (`aud`).
	pub audience: String,
	/// The identity provider's JWKS in a file (exactly one of `jwks_file`, `jwks_url`).
	pub jwks_file: Option<PathBuf>,
	/// The identity provider's JWKS URL: `http://` on a trusted network only.
	pub jwks_url: Option<String>,
	/// The claim holding the practitioner's licence number.
	#[serde(default = "default_licence_claim")]
	pub licence_claim: String,
	/// Clock skew allowed on `exp` and `nbf`.
	#[serde(default = "default_leeway")]
	pub leeway_secs: u64,
	/// `gateway_identify` calls allowed per caller and minute.
	#[serde(default = "default_identify_per_minute")]
	pub identify_per_minute: u32,
	/// Host header allow-list (`host` or `host:port`); empty: the `api_listen` address,
	/// `localhost:<port>` and `127.0.0.1:<port>` (see [`effective_hosts`]).
	#[serde(default)]
	pub allowed_hosts: Vec<String>,
}

/// Default of [`AuthConfig::licence_claim`].
fn default_licence_claim() -> String {
	String::from("licence")
}

/// Default of [`AuthConfig::leeway_secs`].
fn default_leeway() -> u64 {
	30
}

/// Default of [`AuthConfig::identify_per_minute`].
fn default_identify_per_minute() -> u32 {
	30
}

impl AuthConfig {
	/// Checks the section's values (the message names the field).
	pub fn validate(&self) -> Result<(), String> {
		if self.issuer.trim().is_empty() || self.audience.trim().is_empty() {
			return Err("auth.issuer and auth.audience must not be empty".into());
		}
		match (&self.jwks_file, &self.jwks_url) {
			(Some(_), None) => {},
			(None, Some(url)) => {
				let uri =
					url.parse::<http::Uri>().map_err(|e| format!("auth.jwks_url {url}: {e}"))?;
				match uri.scheme_str() {
					Some("https") => {},
					// Whoever answers a JWKS fetch could mint any token: plain HTTP only on
					// this machine.
					Some("http") if is_loopback_host(uri.host().unwrap_or_default()) => {},
					Some("http") => {
						return Err(format!(
							"auth.jwks_url {url}: plain http:// only to a loopback address; use \
							 https:// (certificates checked against the system's roots) or jwks_file"
						))
					},
					_ => return Err(format!("auth.jwks_url {url} is not an https:// URL")),
				}
			},
			_ => return Err("exactly one of auth.jwks_file and auth.jwks_url must be set".into()),
		}
		if self.licence_claim.is_empty() {
			return Err("auth.licence_claim must not be empty".into());
		}
		if self.leeway_secs > 300 {
			return Err("auth.leeway_secs must be at most 300".into());
		}
		if self.identify_per_minute == 0 {
			return Err("auth.identify_per_minute must be at least 1".into());
		}
		Ok(())
	}
}

/// The Host allow-list in force: `allowed`, or when empty the `api_listen` address,
/// `localhost:<port>` and `127.0.0.1:<port>` (any port when `api_listen` has port 0, as in
/// tests that bind an ephemeral port).
pub fn effective_hosts(allowed: &[String], api_listen: SocketAddr) -> Vec<String> {
	if !allowed.is_empty() {
		return allowed.to_vec();
	}
	let port = api_listen.port();
	let ip = match api_listen.ip() {
		std::net::IpAddr::V6(v6) => format!("[{v6}]"),
		v4 => v4.to_string(),
	};
	[ip, "localhost".into(), "127.0.0.1".into()]
		.into_iter()
		.map(|host| if port == 0 { host } else { format!("{host}:{port}") })
		.collect()
}

/// Who called, from a verified token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
	/// The `sub` claim.
	pub subject: String,
	/// Granted scopes (`scope`, space separated, and `scp`).
	pub scopes: BTreeSet<String>,
	/// The practitioner's licence number (the configured licence claim).
	pub licence: Option<String>,
	/// The OAuth2 client (`azp` or `client_id`).
	pub client_id: Option<String>,
}

impl Caller {
	/// Refuses unless the token grants `scope`.
	pub fn require(&self, scope: &str) -> Result<(), GatewayError> {
		if self.scopes.contains(scope) {
			return Ok(());
		}
		warn!("auth_refused", {"subject": self.subject, "reason": "missing scope", "scope": scope});
		Err(err(codes::FORBIDDEN, format!("the token lacks scope {scope}")))
	}

	/// The practitioner's licence number, or a refusal.
	pub fn licence(&self) -> Result<&str, GatewayError> {
		self.licence.as_deref().ok_or_else(|| {
			warn!("auth_refused", {"subject": self.subject, "reason": "no licence claim"});
			err(codes::FORBIDDEN, "the token carries no licence claim")
		})
	}
}

/// Why a token was refused.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum AuthError {
	/// No `Authorization: Bearer` header.
	#[error("no bearer token")]
	Missing,
	/// Not a well-formed JWT, or an algorithm or claim this gateway refuses.
	#[error("malformed token: {0}")]
	Malformed(String),
	/// `exp` has passed.
	#[error("token expired")]
	Expired,
	/// `nbf` is still ahead.
	#[error("token not yet valid")]
	NotYetValid,
	/// The signature does not verify with the named key.
	#[error("token signature does not verify")]
	BadSignature,
	/// `aud` does not name this gateway.
	#[error("token audience is not this gateway's")]
	WrongAudience,
	/// `iss` is not the configured issuer.
	#[error("token issuer is not the configured one")]
	WrongIssuer,
	/// The `kid` is not in the JWKS.
	#[error("unknown signing key {0}")]
	UnknownKey(String),
}

impl AuthError {
	/// The HTTP status of a refusal.
	pub fn http_status(&self) -> u16 {
		401
	}

	/// The JSON-RPC error code of a refusal.
	pub fn code(&self) -> i32 {
		codes::UNAUTHENTICATED
	}
}

/// A verification key from the JWKS.
#[derive(Clone)]
struct Key {
	/// Its `kid`.
	kid: Option<String>,
	/// The one algorithm it verifies.
	alg: Algorithm,
	/// The key.
	key: DecodingKey,
}

/// The usable keys of a JWKS.
struct KeySet(Vec<Key>);

impl KeySet {
	/// The key a token names; without a `kid` (or a keyless single key), the only key.
	fn find(&self, kid: Option<&str>) -> Option<&Key> {
		let only = match self.0.as_slice() {
			[only] if kid.is_none() || only.kid.is_none() => Some(only),
			_ => None,
		};
		kid.and_then(|kid| self.0.iter().find(|k| k.kid.as_deref() == Some(kid))).or(only)
	}
}

/// Verifies bearer tokens against the identity provider's JWKS.
pub struct Verifier {
	/// The `[auth]` section.
	config: AuthConfig,
	/// The keys in force.
	keys: RwLock<Arc<KeySet>>,
	/// When the JWKS was last read (serialises re-reads).
	last_read: tokio::sync::Mutex<Option<Instant>>,
}

impl std::fmt::Debug for Verifier {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		f.debug_struct("Verifier")
			.field("issuer", &self.config.issuer)
			.field("audience", &self.config.audience)
			.field("keys", &self.current().0.len())
			.finish()
	}
}

impl Verifier {
	/// Validates the configuration and reads (or fetches) the JWKS.
	pub async fn load(config: &AuthConfig) -> Result<Self, String> {
		config.validate()?;
		let keys = parse_jwks(&read_jwks(config).await?)?;
		info!("jwks_loaded", {"keys": keys.0.len(), "issuer": config.issuer});
		Ok(Self {
			config: config.clone(),
			keys: RwLock::new(Arc::new(keys)),
			last_read: tokio::sync::Mutex::new(None),
		})
	}

	/// Verifies a token: signature, `iss`, `aud`, `exp` (required), `nbf`, with the leeway.
	pub async fn verify(&self, token: &str) -> Result<Caller, AuthError> {
		if token.len() > MAX_TOKEN {
			return Err(AuthError::Malformed("the token is too long".into()));
		}
		if token.split('.').count() != 3 {
			return Err(AuthError::Malformed("a JWT has three dot-separated parts".into()));
		}
		let head = segment(token, 0)
			.ok_or_else(|| AuthError::Malformed("the header is not base64url JSON".into()))?;
		let alg = head.get("alg").and_then(Value::as_str).unwrap_or("(missing)");
		if !ACCEPTED.contains(&alg) {
			return Err(AuthError::Malformed(format!(
				"algorithm {} is not accepted (RS256, ES256 or EdDSA only)",
				shorten(alg)
			)));
		}
		let header = jsonwebtoken::decode_header(token)
			.map_err(|e| AuthError::Malformed(format!("header: {e}")))?;
		let key = self.key_for(header.kid.as_deref()).await?;
		if header.alg != key.alg {
			return Err(AuthError::Malformed(format!(
				"algorithm {:?} does not match the key's ({:?})",
				header.alg, key.alg
			)));
		}
		let mut validation = Validation::new(key.alg);
		validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
		validation.set_issuer(&[&self.config.issuer]);
		validation.set_audience(&[&self.config.audience]);
		validation.validate_exp = true;
		validation.validate_nbf = true;
		validation.leeway = self.config.leeway_secs;
		let data =
			jsonwebtoken::decode::<Value>(token, &key.key, &validation).map_err(jwt_error)?;
		caller_from(&data.claims, &self.config.licence_claim)
	}

	/// The words for a refusal, naming the expected audience or issuer.
	pub fn reason(&self, e: &AuthError) -> String {
		match e {
			AuthError::WrongAudience => format!("token audience is not {}", self.config.audience),
			AuthError::WrongIssuer => format!("token issuer is not {}", self.config.issuer),
			other => other.to_string(),
		}
	}

	/// The keys in force.
	fn current(&self) -> Arc<KeySet> {
		self.keys.read().unwrap_or_else(PoisonError::into_inner).clone()
	}

	/// The key a token names, reading the JWKS again (at most once a minute) for an
	/// unknown `kid`.
	async fn key_for(&self, kid: Option<&str>) -> Result<Key, AuthError> {
		if let Some(key) = self.current().find(kid) {
			return Ok(key.clone());
		}
		let Some(kid) = kid else {
			return Err(AuthError::Malformed(
				"the token names no signing key (kid) and the JWKS has several".into(),
			));
		};
		self.reread().await;
		self.current().find(Some(kid)).cloned().ok_or_else(|| AuthError::UnknownKey(shorten(kid)))
	}

	/// Reads the JWKS again unless it was re-read in the last minute.
	async fn reread(&self) {
		let mut last = self.last_read.lock().await;
		if last.is_some_and(|t| t.elapsed() < REFETCH) {
			return;
		}
		*last = Some(Instant::now());
		match read_jwks(&self.config).await.and_then(|text| parse_jwks(&text)) {
			Ok(keys) => {
				info!("jwks_loaded", {"keys": keys.0.len(), "issuer": self.config.issuer});
				*self.keys.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(keys);
			},
			Err(e) => warn!("jwks_refresh_failed", {"reason": e}),
		}
	}
}

/// The JWKS text, from the file or the URL.
async fn read_jwks(config: &AuthConfig) -> Result<String, String> {
	match (&config.jwks_file, &config.jwks_url) {
		(Some(path), _) => tokio::fs::read_to_string(path)
			.await
			.map_err(|e| format!("cannot read {}: {e}", path.display())),
		(None, Some(url)) => fetch_jwks(url).await,
		(None, None) => Err("exactly one of auth.jwks_file and auth.jwks_url must be set".into()),
	}
}

/// Whether `host` (of a URL) is this machine.
fn is_loopback_host(host: &str) -> bool {
	let host = host.trim_start_matches('[').trim_end_matches(']');
	host.eq_ignore_ascii_case("localhost")
		|| host.parse::<std::net::IpAddr>().map(|ip| ip.is_loopback()).unwrap_or(false)
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
fn parse_jwks(text: &str) -> Result<KeySet, String> {
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

/// Decodes base64url (no padding).
fn b64(text: &str) -> Result<Vec<u8>, String> {
	URL_SAFE_NO_PAD.decode(text).map_err(|e| format!("bad base64url: {e}"))
}

/// One part of a JWT as JSON, without verification (header checks and logs only).
fn segment(token: &str, index: usize) -> Option<Value> {
	let part = token.split('.').nth(index)?;
	serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).ok()?).ok()
}

/// At most 64 characters of untrusted text, for messages and logs.
fn shorten(text: &str) -> String {
	text.chars().take(64).collect()
}

/// The refusal for a `jsonwebtoken` error.
fn jwt_error(e: jsonwebtoken::errors::Error) -> AuthError {
	use jsonwebtoken::errors::ErrorKind as K;
	match e.kind() {
		K::InvalidSignature
		| K::InvalidEcdsaKey
		| K::InvalidRsaKey(_)
		| K::InvalidKeyFormat
		| K::Crypto(_) => AuthError::BadSignature,
		K::ExpiredSignature => AuthError::Expired,
		K::ImmatureSignature => AuthError::NotYetValid,
		K::InvalidAudience => AuthError::WrongAudience,
		K::InvalidIssuer => AuthError::WrongIssuer,
		K::MissingRequiredClaim(c) => AuthError::Malformed(format!("missing or invalid claim {c}")),
		K::InvalidAlgorithm => AuthError::Malformed("algorithm does not match the key".into()),
		_ => AuthError::Malformed(e.to_string()),
	}
}

/// The caller named by verified claims.
fn caller_from(claims: &Value, licence_claim: &str) -> Result<Caller, AuthError> {
	let text = |name: &str| claims.get(name).and_then(Value::as_str).map(str::trim);
	let subject = text("sub")
		.filter(|s| !s.is_empty())
		.ok_or_else(|| AuthError::Malformed("the sub claim is empty".into()))?;
	let mut scopes = BTreeSet::new();
	scopes.extend(text("scope").unwrap_or("").split_whitespace().map(String::from));
	match claims.get("scp") {
		Some(Value::Array(list)) => {
			scopes.extend(list.iter().filter_map(Value::as_str).map(String::from))
		},
		Some(Value::String(s)) => scopes.extend(s.split_whitespace().map(String::from)),
		_ => {},
	}
	let licence = text(licence_claim).filter(|s| !s.is_empty()).map(String::from);
	let client_id = text("azp").or_else(|| text("client_id")).map(String::from);
	Ok(Caller { subject: subject.to_string(), scopes, licence, client_id })
}

/// Splits `host[:port]` (IPv6 in brackets); `None` for an unusable value.
fn split_host(value: &str) -> Option<(&str, Option<&str>)> {
	let (host, port) = if value.starts_with('[') {
		let end = value.find(']')? + 1;
		match &value[end..] {
			"" => (&value[..end], None),
			tail => (&value[..end], Some(tail.strip_prefix(':')?)),
		}
	} else {
		match value.split_once(':') {
			Some((h, p)) if !p.contains(':') => (h, Some(p)),
			Some(_) => return None,
			None => (value, None),
		}
	};
	let port_ok = port.is_none_or(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
	(!host.is_empty() && port_ok).then_some((host, port))
}

/// Whether a Host header is allowed: an entry `host` allows any port, `host:port` exactly
/// that one (host names compared case-insensitively). No Host: refused.
pub fn host_allowed(host: Option<&str>, allowed: &[String]) -> bool {
	let Some((host, port)) = host.and_then(|h| split_host(h.trim())) else {
		return false;
	};
	allowed
		.iter()
		.filter_map(|a| split_host(a.trim()))
		.any(|(h, p)| h.eq_ignore_ascii_case(host) && (p.is_none() || p == port))
}

/// The bearer token of a request, if any.
fn bearer(headers: &http::HeaderMap) -> Option<String> {
	let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
	let (scheme, token) = value.split_once(' ')?;
	let token = token.trim();
	(scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then(|| token.to_string())
}

/// An HTTP refusal with a JSON-RPC error body.
fn refusal(status: StatusCode, code: i32, message: &str) -> HttpResponse {
	let body = json!({"jsonrpc": "2.0", "id": null, "error": {"code": code, "message": message}});
	let mut res = http::Response::new(HttpBody::from(body.to_string()));
	*res.status_mut() = status;
	res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
	res
}

/// A 401 with `WWW-Authenticate` (RFC 6750); an OperationOutcome for a FHIR request.
fn unauthorized(message: &str, fhir: bool) -> HttpResponse {
	let mut res = if fhir {
		crate::fhir::refusal(401, codes::UNAUTHENTICATED, message)
	} else {
		refusal(StatusCode::UNAUTHORIZED, codes::UNAUTHENTICATED, message)
	};
	let safe: String = message
		.chars()
		.map(|c| if (' '..='~').contains(&c) && c != '"' && c != '\\' { c } else { '?' })
		.collect();
	let value = format!("Bearer error=\"invalid_token\", error_description=\"{safe}\"");
	let value = HeaderValue::from_str(&value)
		.unwrap_or_else(|_| HeaderValue::from_static("Bearer error=\"invalid_token\""));
	res.headers_mut().insert(header::WWW_AUTHENTICATE, value);
	res
}

/// Tower layer authenticating the local API (see the module documentation).
#[derive(Clone, Debug)]
pub struct AuthLayer {
	/// The token verifier.
	verifier: Arc<Verifier>,
	/// The Host allow-list.
	hosts: Arc<[String]>,
}

impl AuthLayer {
	/// A layer with a verifier and the configured Host allow-list (`allowed_hosts`; when
	/// empty, the defaults for `api_listen`: see [`effective_hosts`]).
	pub fn new(
		verifier: Arc<Verifier>,
		allowed_hosts: Vec<String>,
		api_listen: SocketAddr,
	) -> Self {
		Self { verifier, hosts: effective_hosts(&allowed_hosts, api_listen).into() }
	}
}

impl<S> tower::Layer<S> for AuthLayer {
	type Service = AuthService<S>;

	fn layer(&self, inner: S) -> Self::Service {
		AuthService { inner, verifier: self.verifier.clone(), hosts: self.hosts.clone() }
	}
}

/// The service of [`AuthLayer`].
#[derive(Clone, Debug)]
pub struct AuthService<S> {
	/// The wrapped service.
	inner: S,
	/// The token verifier.
	verifier: Arc<Verifier>,
	/// The Host allow-list.
	hosts: Arc<[String]>,
}

impl<S, B> tower::Service<http::Request<B>> for AuthService<S>
where
	S: tower::Service<http::Request<B>, Response = HttpResponse> + Clone + Send + 'static,
	S::Error: Into<BoxError> + 'static,
	S::Future: Send + 'static,
	B: Send + 'static,
{
	type Response = HttpResponse;
	type Error = BoxError;
	type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, BoxError>> + Send + 'static>>;

	fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
		self.inner.poll_ready(cx).map_err(Into::into)
	}

	fn call(&mut self, mut req: http::Request<B>) -> Self::Future {
		let path = shorten(req.uri().path());
		let host = req
			.headers()
			.get(header::HOST)
			.and_then(|v| v.to_str().ok())
			.or_else(|| req.uri().authority().map(|a| a.as_str()));
		// Refusals of FHIR requests are OperationOutcomes, as FHIR clients expect.
		let fhir = crate::fhir::is_fhir(req.uri().path());
		if !host_allowed(host, &self.hosts) {
			let shown = shorten(host.unwrap_or("(none)"));
			warn!("host_refused", {"host": shown, "path": path});
			let message = format!("host {shown} is not allowed");
			let res = if fhir {
				crate::fhir::refusal(403, codes::FORBIDDEN_HOST, &message)
			} else {
				refusal(StatusCode::FORBIDDEN, codes::FORBIDDEN_HOST, &message)
			};
			return Box::pin(std::future::ready(Ok::<_, BoxError>(res)));
		}
		if (req.method() == Method::GET && req.uri() == "/health")
			|| crate::fhir::is_public(req.method(), req.uri().path())
		{
			let fut = self.inner.call(req);
			return Box::pin(async move { fut.await.map_err(Into::<BoxError>::into) });
		}
		let token = bearer(req.headers());
		let verifier = self.verifier.clone();
		let clone = self.inner.clone();
		let mut inner = std::mem::replace(&mut self.inner, clone);
		Box::pin(async move {
			let verified = match &token {
				Some(token) => verifier.verify(token).await,
				None => Err(AuthError::Missing),
			};
			match verified {
				Ok(caller) => {
					req.extensions_mut().insert(caller);
					inner.call(req).await.map_err(Into::<BoxError>::into)
				},
				Err(e) => {
					let reason = verifier.reason(&e);
					let subject = token
						.as_deref()
						.and_then(|t| segment(t, 1))
						.and_then(|c| c.get("sub").and_then(Value::as_str).map(shorten));
					warn!("auth_refused", {"reason": reason, "path": path, "subject": subject});
					Ok(unauthorized(&reason, fhir))
				},
			}
		})
	}
}

/// Per-caller rate limit (fixed one-minute windows, keyed by the token's subject).
#[derive(Debug)]
pub struct RateLimiter {
	/// Calls allowed per window.
	per_minute: u32,
	/// Window start and calls so far, by subject.
	windows: Mutex<HashMap<String, (Instant, u32)>>,
}

impl RateLimiter {
	/// A limiter allowing `per_minute` calls per subject and minute.
	pub fn new(per_minute: u32) -> Self {
		Self { per_minute, windows: Mutex::new(HashMap::new()) }
	}

	/// Counts a call, or refuses it.
	pub fn check(&self, subject: &str) -> Result<(), GatewayError> {
		self.check_at(subject, Instant::now())
	}

	/// [`Self::check`] at a given instant.
	fn check_at(&self, subject: &str, now: Instant) -> Result<(), GatewayError> {
		const WINDOW: Duration = Duration::from_secs(60);
		let allowed = {
			let mut windows = self.windows.lock().unwrap_or_else(PoisonError::into_inner);
			if windows.len() > 10_000 {
				windows.retain(|_, (start, _)| now.saturating_duration_since(*start) < WINDOW);
			}
			let entry = windows.entry(subject.to_string()).or_insert((now, 0));
			if now.saturating_duration_since(entry.0) >= WINDOW {
				*entry = (now, 0);
			}
			let allowed = entry.1 < self.per_minute;
			if allowed {
				entry.1 += 1;
			}
			allowed
		};
		if allowed {
			return Ok(());
		}
		warn!("rate_limited", {"subject": subject, "perMinute": self.per_minute});
		Err(err(
			codes::RATE_LIMITED,
			format!("too many identify calls: at most {} a minute per caller", self.per_minute),
		))
	}
}

/// Creates a new file (never an existing one) with a Unix mode.
fn create_new(path: &Path, mode: u32) -> std::io::Result<std::fs::File> {
	let mut options = std::fs::OpenOptions::new();
	options.write(true).create_new(true);
	#[cfg(unix)]
	std::os::unix::fs::OpenOptionsExt::mode(&mut options, mode);
	#[cfg(not(unix))]
	let _ = mode;
	options.open(path)
}

/// Dev identity provider: a new Ed25519 signing key (PKCS#8 DER, hex, mode 0600) and its
/// JWKS (mode 0644). Existing files are never overwritten.
pub fn dev_idp_keygen(key_file: &Path, jwks_file: &Path, kid: &str) -> Result<(), String> {
	if kid.is_empty() {
		return Err("the kid must not be empty".into());
	}
	let pkcs8 = Ed25519KeyPair::generate_pkcs8(&ring::rand::SystemRandom::new())
		.map_err(|_| "cannot generate an Ed25519 key".to_string())?;
	let pair = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref())
		.map_err(|e| format!("the generated key is rejected: {e}"))?;
	let x = URL_SAFE_NO_PAD.encode(pair.public_key());
	let jwks = json!({"keys": [{"kty": "OKP", "crv": "Ed25519", "x": x, "kid": kid, "alg": "EdDSA", "use": "sig"}]});
	let refused = |path: &Path, e: std::io::Error| {
		format!("cannot create {} (an existing key is never overwritten): {e}", path.display())
	};
	let mut key_out = create_new(key_file, 0o600).map_err(|e| refused(key_file, e))?;
	let mut jwks_out = match create_new(jwks_file, 0o644) {
		Ok(file) => file,
		Err(e) => {
			drop(key_out);
			let _ = std::fs::remove_file(key_file);
			return Err(refused(jwks_file, e));
		},
	};
	key_out
		.write_all(format!("{}\n", hex::encode(&pkcs8)).as_bytes())
		.and_then(|()| key_out.sync_all())
		.map_err(|e| format!("cannot write {}: {e}", key_file.display()))?;
	jwks_out
		.write_all(format!("{jwks:#}\n").as_bytes())
		.and_then(|()| jwks_out.sync_all())
		.map_err(|e| format!("cannot write {}: {e}", jwks_file.display()))
}

/// What [`mint_token`] puts in a token (also the `token` command's options).
#[derive(Clone, Debug, Default, PartialEq, Eq, clap::Args)]
pub struct TokenSpec {
	/// The `iss` claim (the gateway's `[auth] issuer`).
	#[arg(long)]
	pub issuer: String,
	/// The `aud` claim (the gateway's `[auth] audience`).
	#[arg(long)]
	pub audience: String,
	/// The `sub` claim: who the caller is.
	#[arg(long)]
	pub subject: String,
	/// Scopes, joined with spaces in the `scope` claim: records.write, records.read,
	/// records.emergency, patients.identify, gateway.status (repeat the flag).
	#[arg(long = "scope")]
	pub scopes: Vec<String>,
	/// The practitioner's licence number (the `licence` claim).
	#[arg(long)]
	pub licence: Option<String>,
	/// Lifetime in seconds (`exp` - now; negative: already expired, for tests).
	#[arg(long, default_value_t = 3600, allow_negative_numbers = true)]
	pub valid_for_secs: i64,
	/// `nbf` - now; positive: not yet valid (tests).
	#[arg(skip)]
	pub not_before_in_secs: i64,
	/// The header's `kid`.
	#[arg(long, default_value = "dev")]
	pub kid: String,
}

/// Dev identity provider: signs a token (EdDSA) with a key from [`dev_idp_keygen`].
pub fn mint_token(key_file: &Path, spec: &TokenSpec) -> Result<String, String> {
	let shown = key_file.display();
	let text =
		std::fs::read_to_string(key_file).map_err(|e| format!("cannot read {shown}: {e}"))?;
	let der = hex::decode(text.trim()).map_err(|e| format!("{shown} is not hex: {e}"))?;
	Ed25519KeyPair::from_pkcs8(&der)
		.map_err(|e| format!("{shown} is not an Ed25519 PKCS#8 key: {e}"))?;
	let now = i64::try_from(jsonwebtoken::get_current_timestamp()).unwrap_or(i64::MAX);
	let mut claims = Map::new();
	claims.insert("iss".into(), spec.issuer.clone().into());
	claims.insert("aud".into(), spec.audience.clone().into());
	claims.insert("sub".into(), spec.subject.clone().into());
	claims.insert("iat".into(), now.into());
	claims.insert("nbf".into(), now.saturating_add(spec.not_before_in_secs).into());
	claims.insert("exp".into(), now.saturating_add(spec.valid_for_secs).into());
	claims.insert("scope".into(), spec.scopes.join(" ").into());
	if let Some(licence) = &spec.licence {
		claims.insert("licence".into(), licence.clone().into());
	}
	let mut header = Header::new(Algorithm::EdDSA);
	header.kid = (!spec.kid.is_empty()).then(|| spec.kid.clone());
	jsonwebtoken::encode(&header, &Value::Object(claims), &EncodingKey::from_ed_der(&der))
		.map_err(|e| format!("cannot sign the token: {e}"))
}

#[cfg(test)]
mod tests {
	use super::*;
	use http_body_util::BodyExt as _;
	use tower::{Layer as _, Service as _};

	const ISS: &str = "https://idp.h0001.example";
	const AUD: &str = "healthchain-gateway";

	/// A dev key pair in a temporary directory, and a verifier for it.
	async fn setup(dir: &Path) -> (PathBuf, Verifier) {
		let (key, jwks) = (dir.join("idp.key"), dir.join("jwks.json"));
		dev_idp_keygen(&key, &jwks, "k1").unwrap();
		let config: AuthConfig = toml::from_str(&format!(
			"issuer = \"{ISS}\"\naudience = \"{AUD}\"\njwks_file = \"{}\"",
			jwks.display()
		))
		.unwrap();
		(key, Verifier::load(&config).await.unwrap())
	}

	/// Why the verifier refuses a token minted from `spec`.
	async fn refused(verifier: &Verifier, key: &Path, spec: TokenSpec) -> AuthError {
		verifier.verify(&mint_token(key, &spec).unwrap()).await.unwrap_err()
	}

	fn spec() -> TokenSpec {
		TokenSpec {
			issuer: ISS.into(),
			audience: AUD.into(),
			subject: "dr.somchai".into(),
			scopes: vec![scopes::FETCH.into(), scopes::IDENTIFY.into()],
			licence: Some("MD-12345".into()),
			valid_for_secs: 600,
			not_before_in_secs: 0,
			kid: "k1".into(),
		}
	}

	#[tokio::test]
	async fn minted_tokens_verify_and_bad_ones_are_refused() {
		let dir = tempfile::tempdir().unwrap();
		let (key, verifier) = setup(dir.path()).await;
		let caller = verifier.verify(&mint_token(&key, &spec()).unwrap()).await.unwrap();
		assert_eq!(caller.subject, "dr.somchai");
		assert_eq!(caller.licence().unwrap(), "MD-12345");
		assert!(caller.require(scopes::FETCH).is_ok());
		assert_eq!(caller.require(scopes::PUT).unwrap_err().code, codes::FORBIDDEN);
		assert_eq!(caller.client_id, None);

		assert_eq!(
			refused(&verifier, &key, TokenSpec { valid_for_secs: -3600, ..spec() }).await,
			AuthError::Expired
		);
		let early = TokenSpec { not_before_in_secs: 3600, ..spec() };
		assert_eq!(refused(&verifier, &key, early).await, AuthError::NotYetValid);
		let aud = TokenSpec { audience: "other".into(), ..spec() };
		assert_eq!(refused(&verifier, &key, aud).await, AuthError::WrongAudience);
		assert_eq!(
			verifier.reason(&AuthError::WrongAudience),
			format!("token audience is not {AUD}")
		);
		let iss = TokenSpec { issuer: "https://evil.example".into(), ..spec() };
		assert_eq!(refused(&verifier, &key, iss).await, AuthError::WrongIssuer);
		let kid = TokenSpec { kid: "k9".into(), ..spec() };
		assert_eq!(refused(&verifier, &key, kid).await, AuthError::UnknownKey("k9".into()));

		// Another key under the same kid.
		let other = tempfile::tempdir().unwrap();
		let (other_key, _) = setup(other.path()).await;
		let forged = mint_token(&other_key, &spec()).unwrap();
		assert_eq!(verifier.verify(&forged).await.unwrap_err(), AuthError::BadSignature);

		// `none` and HS256 (even "signed" with the public JWKS) are refused.
		let claims = URL_SAFE_NO_PAD.encode(
			json!({"iss": ISS, "aud": AUD, "sub": "x", "exp": 9_999_999_999u64}).to_string(),
		);
		let none = format!("{}.{claims}.", URL_SAFE_NO_PAD.encode(r#"{"alg":"none","kid":"k1"}"#));
		assert!(
			matches!(verifier.verify(&none).await, Err(AuthError::Malformed(m)) if m.contains("none"))
		);
		let mut hs = Header::new(Algorithm::HS256);
		hs.kid = Some("k1".into());
		let secret = std::fs::read(dir.path().join("jwks.json")).unwrap();
		let hs = jsonwebtoken::encode(
			&hs,
			&json!({"iss": ISS, "aud": AUD, "sub": "x", "exp": 9_999_999_999u64}),
			&EncodingKey::from_secret(&secret),
		)
		.unwrap();
		assert!(
			matches!(verifier.verify(&hs).await, Err(AuthError::Malformed(m)) if m.contains("HS256"))
		);
		assert!(matches!(verifier.verify("not.a-token").await, Err(AuthError::Malformed(_))));
	}

	/// Serves `body` (read afresh per request) as the answer to every HTTP request.
	async fn serve_file(path: PathBuf) -> String {
		use tokio::io::{AsyncReadExt, AsyncWriteExt};
		let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
		let addr = listener.local_addr().unwrap();
		tokio::spawn(async move {
			while let Ok((mut sock, _)) = listener.accept().await {
				let mut buf = [0u8; 2048];
				let _ = sock.read(&mut buf).await;
				let body = std::fs::read_to_string(&path).unwrap_or_default();
				let answer = format!(
					"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
					body.len()
				);
				let _ = sock.write_all(answer.as_bytes()).await;
			}
		});
		format!("http://{addr}/jwks.json")
	}

	#[tokio::test]
	async fn keys_come_from_a_jwks_url_and_a_new_kid_is_fetched_again() {
		let dir = tempfile::tempdir().unwrap();
		let (key, jwks) = (dir.path().join("idp.key"), dir.path().join("jwks.json"));
		dev_idp_keygen(&key, &jwks, "k1").unwrap();
		let url = serve_file(jwks.clone()).await;
		let config: AuthConfig = toml::from_str(&format!(
			"issuer = \"{ISS}\"\naudience = \"{AUD}\"\njwks_url = \"{url}\""
		))
		.unwrap();
		let verifier = Verifier::load(&config).await.unwrap();
		assert!(verifier.verify(&mint_token(&key, &spec()).unwrap()).await.is_ok());
		// The provider rotates to a new key: the JWKS at the URL now holds k2 only.
		let (key2, jwks2) = (dir.path().join("idp2.key"), dir.path().join("jwks2.json"));
		dev_idp_keygen(&key2, &jwks2, "k2").unwrap();
		std::fs::rename(&jwks2, &jwks).unwrap();
		let rotated = mint_token(&key2, &TokenSpec { kid: "k2".into(), ..spec() }).unwrap();
		assert!(verifier.verify(&rotated).await.is_ok(), "an unknown kid fetches the JWKS again");
		// Nothing listens: loading fails with a clear error.
		let gone: AuthConfig = toml::from_str(&format!(
			"issuer = \"{ISS}\"\naudience = \"{AUD}\"\njwks_url = \"http://127.0.0.1:9/jwks\""
		))
		.unwrap();
		assert!(Verifier::load(&gone).await.is_err());
	}

	#[test]
	fn keygen_never_overwrites_and_config_is_checked() {
		let dir = tempfile::tempdir().unwrap();
		let (key, jwks) = (dir.path().join("k"), dir.path().join("j"));
		dev_idp_keygen(&key, &jwks, "k1").unwrap();
		let e = dev_idp_keygen(&key, &dir.path().join("j2"), "k1").unwrap_err();
		assert!(e.contains("never overwritten"), "{e}");
		let c: AuthConfig =
			toml::from_str("issuer = \"i\"\naudience = \"a\"\njwks_url = \"http://idp.lan/jwks\"")
				.unwrap();
		assert_eq!(
			(c.leeway_secs, c.identify_per_minute, c.licence_claim.as_str()),
			(30, 30, "licence")
		);
		assert!(c.validate().unwrap_err().contains("plain http:// only to a loopback address"));
		for ok in ["https://idp.example/jwks", "http://127.0.0.1:8080/jwks", "http://localhost/j"] {
			let c: AuthConfig =
				toml::from_str(&format!("issuer = \"i\"\naudience = \"a\"\njwks_url = \"{ok}\""))
					.unwrap();
			assert!(c.validate().is_ok(), "{ok}");
		}
		assert!(
			toml::from_str::<AuthConfig>("issuer = \"i\"\naudience = \"a\"\nsurprise = 1").is_err()
		);
	}

	#[test]
	fn host_allow_list() {
		let allowed =
			vec!["127.0.0.1:8700".to_string(), "Gateway.H0001".into(), "[::1]:8700".into()];
		assert!(host_allowed(Some("127.0.0.1:8700"), &allowed));
		assert!(host_allowed(Some("gateway.h0001:443"), &allowed));
		assert!(host_allowed(Some("[::1]:8700"), &allowed));
		assert!(!host_allowed(Some("127.0.0.1:8701"), &allowed));
		assert!(!host_allowed(Some("evil.example"), &allowed));
		assert!(!host_allowed(Some("[::1]:9"), &allowed));
		assert!(!host_allowed(Some("127.0.0.1:"), &allowed));
		assert!(!host_allowed(None, &allowed));
		let defaults = effective_hosts(&[], "0.0.0.0:8700".parse().unwrap());
		assert_eq!(defaults, ["0.0.0.0:8700", "localhost:8700", "127.0.0.1:8700"]);
		let any_port = effective_hosts(&[], "127.0.0.1:0".parse().unwrap());
		assert!(host_allowed(Some("localhost:41234"), &any_port));
		assert_eq!(effective_hosts(&[], "[::1]:8700".parse().unwrap())[0], "[::1]:8700");
	}

	#[test]
	fn rate_limiter_allows_n_a_minute() {
		let limiter = RateLimiter::new(3);
		let now = Instant::now();
		for _ in 0..3 {
			limiter.check_at("a", now).unwrap();
		}
		assert_eq!(limiter.check_at("a", now).unwrap_err().code, codes::RATE_LIMITED);
		limiter.check_at("b", now).unwrap();
		limiter.check_at("a", now + Duration::from_secs(61)).unwrap();
	}

	/// Answers with the caller's subject.
	#[derive(Clone)]
	struct Echo;

	impl tower::Service<http::Request<HttpBody>> for Echo {
		type Response = HttpResponse;
		type Error = BoxError;
		type Future = std::future::Ready<Result<HttpResponse, BoxError>>;

		fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
			Poll::Ready(Ok(()))
		}

		fn call(&mut self, req: http::Request<HttpBody>) -> Self::Future {
			let who = req.extensions().get::<Caller>().map(|c| c.subject.clone());
			std::future::ready(Ok(http::Response::new(HttpBody::from(who.unwrap_or_default()))))
		}
	}

	#[tokio::test]
	async fn the_layer_checks_host_then_token() {
		let dir = tempfile::tempdir().unwrap();
		let (key, verifier) = setup(dir.path()).await;
		let addr: SocketAddr = "127.0.0.1:8700".parse().unwrap();
		let layer = AuthLayer::new(Arc::new(verifier), Vec::new(), addr);
		let mut svc = layer.layer(Echo);
		let mut send = |method: Method, path: &str, host: &str, token: Option<String>| {
			let mut req = http::Request::builder().method(method).uri(path).header("host", host);
			if let Some(t) = token {
				req = req.header("authorization", format!("Bearer {t}"));
			}
			svc.call(req.body(HttpBody::empty()).unwrap())
		};
		let body = |res: HttpResponse| async move {
			String::from_utf8(res.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap()
		};
		let res = send(Method::GET, "/health", "evil.example", None).await.unwrap();
		assert_eq!(res.status(), StatusCode::FORBIDDEN);
		assert!(body(res).await.contains(&codes::FORBIDDEN_HOST.to_string()));
		let res = send(Method::GET, "/health", "localhost:8700", None).await.unwrap();
		assert_eq!(res.status(), StatusCode::OK);
		let res = send(Method::POST, "/", "localhost:8700", None).await.unwrap();
		assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
		assert!(res.headers()[header::WWW_AUTHENTICATE]
			.to_str()
			.unwrap()
			.contains("no bearer token"));
		let expired = mint_token(&key, &TokenSpec { valid_for_secs: -3600, ..spec() }).unwrap();
		let res = send(Method::POST, "/", "localhost:8700", Some(expired)).await.unwrap();
		assert!(body(res).await.contains("token expired"));
		let good = mint_token(&key, &spec()).unwrap();
		let res = send(Method::POST, "/", "localhost:8700", Some(good)).await.unwrap();
		assert_eq!(res.status(), StatusCode::OK);
		assert_eq!(body(res).await, "dr.somchai");
	}
}
