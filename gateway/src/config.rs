//! The gateway's configuration file (TOML), with its `[auth]` section ([`AuthConfig`]). A
//! shared leaf: it imports no other module of the gateway.
//!
//! ```toml
//! node_url = "ws://127.0.0.1:9944"
//! hospital = "H0001"
//! signing_key_file = "/etc/healthchain/gateway.key"     # sr25519 secret URI
//! exchange_key_file = "/etc/healthchain/exchange.key"   # X25519 secret, hex
//! lookup_secret_file = "/etc/healthchain/lookup.secret" # network lookup secret, hex
//! storage_dir = "/var/lib/healthchain-gateway"
//! kek_file = "/etc/healthchain/kek"                    # key-encryption key, hex, 0600,
//!                                                       # outside storage_dir (or the
//!                                                       # HEALTHCHAIN_GATEWAY_KEK variable)
//! listen = "0.0.0.0:8600"           # peer API (other hospitals' gateways), mutual TLS
//! api_listen = "127.0.0.1:8700"      # local API (this hospital's systems only)
//! metrics_listen = "127.0.0.1:9616"  # optional: Prometheus metrics, no token (loopback)
//! api_tls = false                    # serve the local API over TLS too
//! max_head_age_secs = 120            # act on the chain only when the node's finalized
//!                                    # head is this recent (and it is not syncing)
//! retention_secs = 86400             # keep keys this long after a withdrawal
//! attestation_max_age_secs = 600     # serve peers only on attestations this recent
//! consent_wait_secs = 120            # how long a fetch waits for a patient's answer
//!
//!
//! [tls]                                                 # from `healthchain-gateway keygen`
//! cert_file = "/etc/healthchain/tls.crt"
//! key_file = "/etc/healthchain/tls.key"
//!
//! [auth]                                                # the hospital's identity provider
//! issuer = "https://idp.hospital.example"
//! audience = "healthchain-gateway"
//! jwks_file = "/etc/healthchain/idp.jwks.json"          # or jwks_url
//! # SMART on FHIR discovery (`/fhir/.well-known/smart-configuration`) for the doctor app
//! # and any SMART app: the provider's endpoints (optional; without them discovery is 404)
//! authorization_endpoint = "https://idp.hospital.example/auth"
//! token_endpoint = "https://idp.hospital.example/token"
//! allowed_origins = ["https://doctor.hospital.example"]  # browser apps on other origins (CORS)
//!
//! [doctor_app]                                          # optional: serve the doctor app
//! dir = "/usr/share/healthchain/apps"                   # the built apps (apps/dist)
//! client_id = "doctor-app"                              # its client at the provider
//!
//! [peers.H0002]
//! url = "https://127.0.0.1:8601"
//! public_key = "0x…"                                    # the peer's X25519 public key
//! cert_sha256 = "0x…"                                   # SHA-256 of its TLS certificate
//! ```

use serde::Deserialize;
use std::{collections::BTreeMap, net::SocketAddr, path::PathBuf};

/// A peer gateway in the directory.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Peer {
	/// Its base URL.
	pub url: String,
	/// Its X25519 public key, `0x` hex.
	pub public_key: String,
	/// The SHA-256 of its TLS certificate (DER), `0x` hex: the only certificate accepted
	/// from it, as a server and as a client.
	pub cert_sha256: String,
}

/// This gateway's TLS certificate and key (PEM), from `healthchain-gateway keygen`.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct TlsFiles {
	/// The certificate chain.
	pub cert_file: PathBuf,
	/// The private key (mode 0600).
	pub key_file: PathBuf,
}

/// The gateway configuration.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Config {
	/// The node's RPC URL.
	pub node_url: String,
	/// This hospital's code.
	pub hospital: String,
	/// File holding the hospital gateway's sr25519 secret URI.
	pub signing_key_file: PathBuf,
	/// File holding this gateway's X25519 secret (hex).
	pub exchange_key_file: PathBuf,
	/// File holding the network lookup secret (hex, 32 to 64 bytes).
	pub lookup_secret_file: PathBuf,
	/// Where ciphertexts and the record index live.
	pub storage_dir: PathBuf,
	/// File holding the key-encryption key (hex, 0600), outside `storage_dir`; the
	/// `HEALTHCHAIN_GATEWAY_KEK` environment variable takes precedence.
	#[serde(default)]
	pub kek_file: Option<PathBuf>,
	/// This gateway's TLS certificate and key.
	pub tls: TlsFiles,
	/// Whether the local API serves TLS (with the same certificate) instead of plain HTTP.
	#[serde(default)]
	pub api_tls: bool,
	/// The identity provider whose tokens the local API accepts.
	pub auth: AuthConfig,
	/// The oldest finalized head (by its block time) on which the gateway acts (shreds,
	/// marks, recovers); older means the node is behind.
	#[serde(default = "default_head_age")]
	pub max_head_age_secs: u64,
	/// Listen address of the peer API (JSON-RPC over HTTP, for other hospitals' gateways).
	pub listen: SocketAddr,
	/// Listen address of the local API (put, fetch, identify, status: this hospital's systems).
	pub api_listen: SocketAddr,
	/// Listen address of the Prometheus metrics (`/metrics`, no token: a loopback or
	/// monitoring-only address); off when not set.
	#[serde(default)]
	pub metrics_listen: Option<SocketAddr>,
	/// How long after a withdrawal or source removal record keys are kept before shredding.
	#[serde(default = "default_retention")]
	pub retention_secs: u64,
	/// The oldest access attestation (by its block time) a peer request may rest on.
	#[serde(default = "default_attestation_age")]
	pub attestation_max_age_secs: u64,
	/// How long a fetch waits for the patient to answer a per-request consent request.
	#[serde(default = "default_consent_wait")]
	pub consent_wait_secs: u64,
	/// Peer gateways by hospital code.
	#[serde(default)]
	pub peers: BTreeMap<String, Peer>,
	/// The doctor app, served by the local API under `/doctor/` when set.
	#[serde(default)]
	pub doctor_app: Option<DoctorApp>,
}

/// `[doctor_app]`: the doctor web app the local API serves (`/doctor/`, `/assets/`,
/// `/config.json`), so a hospital needs no other web server for it.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct DoctorApp {
	/// The built apps (`apps/dist`: `doctor/index.html` and `assets/`).
	pub dir: PathBuf,
	/// The app's OAuth client at the identity provider.
	#[serde(default = "default_client_id")]
	pub client_id: String,
}

/// Default of [`DoctorApp::client_id`].
fn default_client_id() -> String {
	String::from("doctor-app")
}

/// Default of [`Config::max_head_age_secs`].
fn default_head_age() -> u64 {
	120
}

/// Default of [`Config::retention_secs`].
fn default_retention() -> u64 {
	86_400
}

/// Default of [`Config::attestation_max_age_secs`].
fn default_attestation_age() -> u64 {
	600
}

/// Default of [`Config::consent_wait_secs`].
fn default_consent_wait() -> u64 {
	120
}

/// Why a configuration was refused.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
	/// The file could not be read.
	#[error("cannot read {path}: {source}")]
	Read {
		/// Which file.
		path: PathBuf,
		/// Why.
		source: std::io::Error,
	},
	/// The TOML is invalid.
	#[error("invalid configuration: {0}")]
	Parse(#[from] toml::de::Error),
	/// A field has a bad value.
	#[error("invalid configuration: {0}")]
	Invalid(String),
}

impl Config {
	/// Parses and validates a configuration.
	pub fn parse(text: &str) -> Result<Self, ConfigError> {
		let c: Config = toml::from_str(text)?;
		if c.hospital.is_empty() || c.hospital.len() > 16 {
			return Err(ConfigError::Invalid("hospital must be 1 to 16 characters".into()));
		}
		if !(c.node_url.starts_with("ws://")
			|| c.node_url.starts_with("wss://")
			|| c.node_url.starts_with("http"))
		{
			return Err(ConfigError::Invalid(format!(
				"node_url {} is not a ws(s):// or http(s):// URL",
				c.node_url
			)));
		}
		if !c.api_tls && !c.api_listen.ip().is_loopback() {
			return Err(ConfigError::Invalid(format!(
				"api_listen {} is not a loopback address: set api_tls = true (bearer tokens never \
				 cross a network in the clear)",
				c.api_listen
			)));
		}
		if c.listen == c.api_listen {
			return Err(ConfigError::Invalid(
				"listen and api_listen must differ: the local API is not for peers".into(),
			));
		}
		for (code, peer) in &c.peers {
			let mut k = [0u8; 32];
			healthchain_primitives::hex_decode_into(&peer.public_key, &mut k)
				.map_err(|e| ConfigError::Invalid(format!("peers.{code}.public_key: {e}")))?;
			healthchain_primitives::hex_decode_into(&peer.cert_sha256, &mut k)
				.map_err(|e| ConfigError::Invalid(format!("peers.{code}.cert_sha256: {e}")))?;
			if !peer.url.starts_with("https://") {
				return Err(ConfigError::Invalid(format!(
					"peers.{code}.url must be https:// (gateways talk over mutual TLS)"
				)));
			}
		}
		if let Some(kek) = &c.kek_file {
			if kek.starts_with(&c.storage_dir) {
				return Err(ConfigError::Invalid(
					"kek_file must live outside storage_dir: a backup of the store must not carry its key".into(),
				));
			}
		}
		Ok(c)
	}

	/// Reads and validates a configuration file.
	pub fn load(path: &std::path::Path) -> Result<Self, ConfigError> {
		let text = std::fs::read_to_string(path)
			.map_err(|source| ConfigError::Read { path: path.to_path_buf(), source })?;
		Self::parse(&text)
	}
}

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
	/// `localhost:<port>` and `127.0.0.1:<port>` (see [`crate::http::auth::effective_hosts`]).
	#[serde(default)]
	pub allowed_hosts: Vec<String>,
	/// The provider's OAuth 2.0 authorization endpoint, for SMART on FHIR discovery.
	#[serde(default)]
	pub authorization_endpoint: Option<String>,
	/// The provider's token endpoint, for SMART on FHIR discovery.
	#[serde(default)]
	pub token_endpoint: Option<String>,
	/// Origins (`scheme://host:port`) of browser apps allowed to call the local API from
	/// another origin (CORS); empty: none.
	#[serde(default)]
	pub allowed_origins: Vec<String>,
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
		for (name, url) in [
			("authorization_endpoint", &self.authorization_endpoint),
			("token_endpoint", &self.token_endpoint),
		] {
			if let Some(url) = url {
				let uri =
					url.parse::<http::Uri>().map_err(|e| format!("auth.{name} {url}: {e}"))?;
				let local = is_loopback_host(uri.host().unwrap_or_default());
				match uri.scheme_str() {
					Some("https") => {},
					Some("http") if local => {},
					_ => {
						return Err(format!(
							"auth.{name} {url}: https:// (http:// on loopback only)"
						))
					},
				}
			}
		}
		for origin in &self.allowed_origins {
			let uri = origin
				.parse::<http::Uri>()
				.map_err(|e| format!("auth.allowed_origins {origin}: {e}"))?;
			let bare =
				uri.path_and_query().is_none_or(|p| p.as_str() == "/" || p.as_str().is_empty());
			if !matches!(uri.scheme_str(), Some("http" | "https"))
				|| uri.host().is_none()
				|| !bare || origin.ends_with('/')
			{
				return Err(format!(
					"auth.allowed_origins {origin}: an origin is scheme://host[:port], nothing more"
				));
			}
			if uri.scheme_str() == Some("http") && !is_loopback_host(uri.host().unwrap_or_default())
			{
				return Err(format!(
					"auth.allowed_origins {origin}: https:// (http:// on loopback only: a page \
					 served in the clear on the LAN would hold the doctor's token)"
				));
			}
		}
		Ok(())
	}
}

/// Whether `host` (of a URL) is this machine.
fn is_loopback_host(host: &str) -> bool {
	let host = host.trim_start_matches('[').trim_end_matches(']');
	host.eq_ignore_ascii_case("localhost")
		|| host.parse::<std::net::IpAddr>().map(|ip| ip.is_loopback()).unwrap_or(false)
}

#[cfg(test)]
mod tests {
	use super::*;

	const GOOD: &str = r#"
node_url = "ws://127.0.0.1:9944"
hospital = "H0001"
signing_key_file = "gw.key"
exchange_key_file = "x.key"
lookup_secret_file = "lookup.secret"
storage_dir = "data"
listen = "127.0.0.1:8600"
api_listen = "127.0.0.1:8700"
kek_file = "kek"

[tls]
cert_file = "tls.crt"
key_file = "tls.key"

[auth]
issuer = "https://idp.example"
audience = "gw"
jwks_file = "jwks.json"

[peers.H0002]
url = "https://127.0.0.1:8601"
public_key = "0x0101010101010101010101010101010101010101010101010101010101010101"
cert_sha256 = "0x0202020202020202020202020202020202020202020202020202020202020202"
"#;

	#[test]
	fn parses_a_good_config() {
		let c = Config::parse(GOOD).unwrap();
		assert_eq!(c.hospital, "H0001");
		assert_eq!(c.retention_secs, 86_400);
		assert_eq!(c.peers["H0002"].url, "https://127.0.0.1:8601");
		assert_eq!(c.max_head_age_secs, 120);
		assert!(!c.api_tls);
	}

	#[test]
	fn refuses_bad_configs_clearly() {
		let bad_key = GOOD
			.replace("0x0101010101010101010101010101010101010101010101010101010101010101", "0x01");
		assert!(Config::parse(&bad_key)
			.unwrap_err()
			.to_string()
			.contains("peers.H0002.public_key"));
		let unknown = format!("{GOOD}\nsurprise = 1");
		assert!(Config::parse(&unknown).is_err());
		let bad_url = GOOD.replace("ws://127.0.0.1:9944", "ftp://x");
		assert!(Config::parse(&bad_url).unwrap_err().to_string().contains("node_url"));
		let same = GOOD.replace("127.0.0.1:8700", "127.0.0.1:8600");
		assert!(Config::parse(&same).unwrap_err().to_string().contains("api_listen"));
		let open_lan =
			GOOD.replace("api_listen = \"127.0.0.1:8700\"", "api_listen = \"10.0.0.5:8700\"");
		assert!(Config::parse(&open_lan).unwrap_err().to_string().contains("api_tls"));
		let lan_tls = format!("api_tls = true\n{open_lan}");
		assert!(Config::parse(&lan_tls).is_ok(), "a LAN-facing local API serves TLS");
		let plain = GOOD.replace("https://127.0.0.1:8601", "http://127.0.0.1:8601");
		assert!(Config::parse(&plain).unwrap_err().to_string().contains("mutual TLS"));
		let bad_pin = GOOD
			.replace("0x0202020202020202020202020202020202020202020202020202020202020202", "0x02");
		assert!(Config::parse(&bad_pin).unwrap_err().to_string().contains("cert_sha256"));
		let kek_inside = GOOD.replace("kek_file = \"kek\"", "kek_file = \"data/kek\"");
		assert!(Config::parse(&kek_inside)
			.unwrap_err()
			.to_string()
			.contains("outside storage_dir"));
		let auth = |extra: &str| {
			let text = GOOD.replace(
				"jwks_file = \"jwks.json\"",
				&format!("jwks_file = \"jwks.json\"\n{extra}"),
			);
			Config::parse(&text).map_err(|e| e.to_string()).and_then(|c| c.auth.validate())
		};
		assert!(auth("allowed_origins = [\"https://doctor.example:8443\"]").is_ok());
		assert!(auth("allowed_origins = [\"http://doctor.example\"]")
			.unwrap_err()
			.contains("https"));
		assert!(auth("allowed_origins = [\"http://127.0.0.1:8080\"]").is_ok());
		for bad in ["https://doctor.example/", "https://doctor.example/app", "doctor.example"] {
			let err = auth(&format!("allowed_origins = [\"{bad}\"]")).unwrap_err();
			assert!(err.contains("scheme://host"), "{bad}: {err}");
		}
		assert!(auth("token_endpoint = \"https://idp.example/token\"").is_ok());
		assert!(auth("token_endpoint = \"http://127.0.0.1:8790/token\"").is_ok());
		let err = auth("authorization_endpoint = \"http://idp.example/auth\"").unwrap_err();
		assert!(err.contains("auth.authorization_endpoint"), "{err}");
		let app = format!("{GOOD}\n[doctor_app]\ndir = \"apps/dist\"\n");
		let app = Config::parse(&app).unwrap().doctor_app.unwrap();
		assert_eq!((app.dir, app.client_id.as_str()), (PathBuf::from("apps/dist"), "doctor-app"));
		let no_auth = GOOD.replace("[auth]", "[unused]");
		assert!(
			Config::parse(&no_auth).is_err(),
			"the local API never runs without an identity provider"
		);
	}
}
