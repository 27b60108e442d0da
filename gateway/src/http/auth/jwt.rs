//! The token checks: a JWT's algorithm (RS256, ES256 or EdDSA; never `none` or HS*), its
//! signature with the named key of the JWKS (read again, at most once a minute, for an
//! unknown `kid`), its issuer, audience, expiry and not-before (with the leeway); and the
//! [`Caller`] its claims name.

use super::{
	jwks::{parse_jwks, read_jwks, Key, KeySet},
	untrusted::{segment, shorten},
};
use crate::{config::AuthConfig, error::codes, flows::caller::Caller, info, warn};
use jsonwebtoken::Validation;
use serde_json::Value;
use std::{
	collections::BTreeSet,
	sync::{Arc, PoisonError, RwLock},
	time::{Duration, Instant},
};

/// Signature algorithms accepted, whatever a JWK or a token header says.
const ACCEPTED: [&str; 3] = ["RS256", "ES256", "EdDSA"];
/// After a token with an unknown `kid` (the provider rotated its keys), the JWKS is read
/// again, then not again for this long (a flood of made-up `kid`s costs one read a minute).
const REFETCH: Duration = Duration::from_secs(60);
/// The longest token accepted.
const MAX_TOKEN: usize = 16 * 1024;

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
