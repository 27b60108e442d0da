//! The development identity provider, for demos and tests (production uses the hospital's
//! own): an Ed25519 signing key and its JWKS ([`dev_idp_keygen`]), and tokens signed with it
//! ([`mint_token`]).

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use ring::signature::{Ed25519KeyPair, KeyPair as _};
use serde_json::{json, Map, Value};
use std::{io::Write as _, path::Path};

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
