//! What the local API serves without a token (after the Host check): SMART on FHIR discovery
//! (`GET /fhir/.well-known/smart-configuration`), and, when `[doctor_app]` is configured, the
//! doctor web app (`GET /doctor/…`, its `/assets/…`) and the `GET /config.json` it reads.
//! Also the CORS policy ([`cors`]) for browser apps on the origins `[auth] allowed_origins`
//! names.
//!
//! [`PublicLayer`] sits inside [`super::auth::AuthLayer`], which lets exactly the requests of
//! [`is_public`] through without a token.

use crate::{
	config::{AuthConfig, Config},
	flows::caller::scopes,
	http::fhir,
};
use http::{header, HeaderValue, Method, StatusCode};
use jsonrpsee::server::{HttpBody, HttpRequest, HttpResponse};
use serde::Serialize;
use std::{
	future::Future,
	path::{Component, Path, PathBuf},
	pin::Pin,
	sync::Arc,
	task::{Context, Poll},
	time::Duration,
};
use tower_http::cors::{AllowOrigin, CorsLayer};

/// The error type of HTTP middleware in jsonrpsee.
type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// SMART on FHIR discovery, under the FHIR base.
pub const SMART_CONFIGURATION: &str = "/fhir/.well-known/smart-configuration";
/// The doctor app's path.
pub const DOCTOR: &str = "/doctor/";
/// The built apps' shared assets (scripts, styles), next to the app.
const ASSETS: &str = "/assets/";
/// The apps' configuration.
const CONFIG: &str = "/config.json";

/// Whether a request is one the local API serves without a token.
pub fn is_public(method: &Method, path: &str) -> bool {
	(method == Method::GET || method == Method::HEAD)
		&& (path == SMART_CONFIGURATION
			|| path == CONFIG
			|| path == "/doctor"
			|| path.starts_with(DOCTOR)
			|| path.starts_with(ASSETS))
}

/// The SMART App Launch discovery document (SMART App Launch 2.x, section "Conformance"):
/// the hospital's identity provider as the authorization server of this FHIR endpoint.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct SmartConfiguration {
	/// The identity provider (`iss` of its tokens).
	pub issuer: String,
	/// Its JWKS, when configured as a URL.
	#[serde(skip_serializing_if = "Option::is_none")]
	pub jwks_uri: Option<String>,
	/// The authorization endpoint.
	pub authorization_endpoint: String,
	/// The token endpoint.
	pub token_endpoint: String,
	/// `authorization_code` (apps) and `client_credentials` (hospital systems).
	pub grant_types_supported: Vec<&'static str>,
	/// Public clients (PKCE) and confidential ones.
	pub token_endpoint_auth_methods_supported: Vec<&'static str>,
	/// The scopes this gateway checks, and OpenID Connect's.
	pub scopes_supported: Vec<&'static str>,
	/// `code`.
	pub response_types_supported: Vec<&'static str>,
	/// `S256`.
	pub code_challenge_methods_supported: Vec<&'static str>,
	/// What a SMART app may rely on.
	pub capabilities: Vec<&'static str>,
}

impl SmartConfiguration {
	/// The document for `[auth]`, or `None` when the endpoints are not configured.
	pub fn of(auth: &AuthConfig) -> Option<Self> {
		Some(SmartConfiguration {
			issuer: auth.issuer.clone(),
			jwks_uri: auth.jwks_url.clone(),
			authorization_endpoint: auth.authorization_endpoint.clone()?,
			token_endpoint: auth.token_endpoint.clone()?,
			grant_types_supported: vec!["authorization_code", "client_credentials"],
			token_endpoint_auth_methods_supported: vec!["none", "client_secret_basic"],
			scopes_supported: [&["openid", "profile"][..], &scopes::ALL[..]].concat(),
			response_types_supported: vec!["code"],
			code_challenge_methods_supported: vec!["S256"],
			capabilities: vec![
				"launch-standalone",
				"client-public",
				"client-confidential-symmetric",
				"sso-openid-connect",
				"permission-user",
			],
		})
	}
}

/// The apps' `config.json` as this gateway serves it: the doctor app talks to this gateway.
#[derive(Clone, Debug, Serialize)]
struct AppsConfig {
	/// The doctor app's part.
	doctor: DoctorConfig,
}

/// The doctor app's configuration.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct DoctorConfig {
	/// Its OAuth client.
	client_id: String,
	/// The gateways it may use: this one.
	gateways: Vec<GatewayEntry>,
}

/// A gateway the doctor app may use.
#[derive(Clone, Debug, Serialize)]
struct GatewayEntry {
	/// Hospital code.
	hospital: String,
	/// The local API's URL.
	url: String,
}

/// The CORS policy of the local API: the configured origins may call it from a browser with
/// a bearer token (JSON-RPC and FHIR); nothing else is allowed, and no cookies are used.
pub fn cors(auth: &AuthConfig) -> CorsLayer {
	let origins: Vec<HeaderValue> =
		auth.allowed_origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()).collect();
	CorsLayer::new()
		.allow_origin(AllowOrigin::list(origins))
		.allow_methods([Method::GET, Method::POST])
		.allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE, header::ACCEPT])
		.expose_headers([header::WWW_AUTHENTICATE])
		.max_age(Duration::from_secs(600))
}

/// Tower layer serving the public paths (inside the authentication layer).
#[derive(Clone)]
pub struct PublicLayer {
	config: Arc<Config>,
}

impl PublicLayer {
	/// The public paths of a gateway with `config`.
	pub fn new(config: Arc<Config>) -> Self {
		PublicLayer { config }
	}
}

impl<S> tower::Layer<S> for PublicLayer {
	type Service = PublicService<S>;

	fn layer(&self, inner: S) -> Self::Service {
		PublicService { inner, config: self.config.clone() }
	}
}

/// The service of [`PublicLayer`].
#[derive(Clone)]
pub struct PublicService<S> {
	inner: S,
	config: Arc<Config>,
}

impl<S, B> tower::Service<HttpRequest<B>> for PublicService<S>
where
	S: tower::Service<HttpRequest<B>, Response = HttpResponse> + Clone + Send + 'static,
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

	fn call(&mut self, req: HttpRequest<B>) -> Self::Future {
		if !is_public(req.method(), req.uri().path()) {
			let fut = self.inner.call(req);
			return Box::pin(async move { fut.await.map_err(Into::into) });
		}
		let config = self.config.clone();
		let path = req.uri().path().to_string();
		let host = req.headers().get(header::HOST).and_then(|h| h.to_str().ok()).map(String::from);
		Box::pin(async move { Ok(answer(&config, &path, host.as_deref()).await) })
	}
}

/// Answers a public request for `path` (its Host header was checked: it names this gateway).
async fn answer(config: &Config, path: &str, host: Option<&str>) -> HttpResponse {
	if path == SMART_CONFIGURATION {
		return match SmartConfiguration::of(&config.auth) {
			Some(doc) => json(&doc),
			None => fhir::refusal(
				404,
				crate::error::codes::BAD_INPUT,
				"SMART on FHIR discovery is not configured here: the gateway's [auth] section \
				 names no authorization_endpoint and token_endpoint",
			),
		};
	}
	let Some(app) = &config.doctor_app else {
		return plain(
			StatusCode::NOT_FOUND,
			"no doctor app is served here ([doctor_app] is not set)",
		);
	};
	if path == "/doctor" {
		let mut res = plain(StatusCode::MOVED_PERMANENTLY, "the doctor app is at /doctor/");
		res.headers_mut().insert(header::LOCATION, HeaderValue::from_static(DOCTOR));
		return res;
	}
	if path == CONFIG {
		let scheme = if config.api_tls { "https" } else { "http" };
		let host = host.unwrap_or("localhost");
		return json(&AppsConfig {
			doctor: DoctorConfig {
				client_id: app.client_id.clone(),
				gateways: vec![GatewayEntry {
					hospital: config.hospital.clone(),
					url: format!("{scheme}://{host}"),
				}],
			},
		});
	}
	match file_of(&app.dir, path) {
		Some(file) => match read_served(&app.dir, &file).await {
			Some(bytes) => {
				let mut res = http::Response::new(HttpBody::from(bytes));
				let kind = content_type(&file);
				res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
				security_headers(&mut res);
				res
			},
			None => plain(StatusCode::NOT_FOUND, "no such file"),
		},
		None => plain(StatusCode::NOT_FOUND, "no such file"),
	}
}

/// The largest file served (the built apps' largest script is about 1 MiB).
const MAX_FILE: u64 = 8 * 1024 * 1024;

/// The bytes of `file`, if it is a regular file of at most [`MAX_FILE`] bytes that is, once
/// links are resolved, still under `dir`.
async fn read_served(dir: &Path, file: &Path) -> Option<Vec<u8>> {
	let root = tokio::fs::canonicalize(dir).await.ok()?;
	let real = tokio::fs::canonicalize(file).await.ok()?;
	let meta = tokio::fs::metadata(&real).await.ok()?;
	if !real.starts_with(&root) || !meta.is_file() || meta.len() > MAX_FILE {
		return None;
	}
	tokio::fs::read(&real).await.ok()
}

/// The file under `dir` a request path names: `/doctor/` is its `index.html`; a path with
/// `..`, a hidden name or a backslash names none.
pub fn file_of(dir: &Path, path: &str) -> Option<PathBuf> {
	let relative = path.trim_start_matches('/');
	let relative =
		if relative.ends_with('/') { format!("{relative}index.html") } else { relative.into() };
	let relative = Path::new(&relative);
	let plain = relative.components().all(|c| match c {
		Component::Normal(name) => {
			let name = name.to_string_lossy();
			!name.starts_with('.') && !name.contains('\\')
		},
		_ => false,
	});
	plain.then(|| dir.join(relative))
}

/// The media type of a built app's file, by its extension.
fn content_type(file: &Path) -> &'static str {
	match file.extension().and_then(|e| e.to_str()) {
		Some("html") => "text/html; charset=utf-8",
		Some("js" | "mjs") => "text/javascript; charset=utf-8",
		Some("css") => "text/css; charset=utf-8",
		Some("json") => "application/json",
		Some("wasm") => "application/wasm",
		Some("svg") => "image/svg+xml",
		Some("png") => "image/png",
		Some("ico") => "image/x-icon",
		_ => "application/octet-stream",
	}
}

/// Headers every served page carries: no sniffing, no framing, no referrer to other sites.
fn security_headers(res: &mut HttpResponse) {
	let headers = res.headers_mut();
	headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
	headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
	headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
	headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
	headers.insert(
		header::CONTENT_SECURITY_POLICY,
		HeaderValue::from_static("frame-ancestors 'none'; object-src 'none'; base-uri 'none'"),
	);
}

/// A JSON answer.
fn json(body: &impl Serialize) -> HttpResponse {
	let body = serde_json::to_vec(body).unwrap_or_default();
	let mut res = http::Response::new(HttpBody::from(body));
	res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
	res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
	res
}

/// A plain-text answer with `status`.
fn plain(status: StatusCode, message: &'static str) -> HttpResponse {
	let mut res = http::Response::new(HttpBody::from(message));
	*res.status_mut() = status;
	res.headers_mut()
		.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
	res
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn only_plain_paths_under_the_app_are_files() {
		let dir = Path::new("/srv/apps");
		assert_eq!(file_of(dir, "/doctor/"), Some(dir.join("doctor/index.html")));
		assert_eq!(file_of(dir, "/assets/doctor-1.js"), Some(dir.join("assets/doctor-1.js")));
		for bad in ["/doctor/../../etc/passwd", "/doctor/.env", "/assets/..", "/doctor/a\\b"] {
			assert_eq!(file_of(dir, bad), None, "{bad}");
		}
	}

	#[test]
	fn public_paths_are_exactly_discovery_and_the_app() {
		assert!(is_public(&Method::GET, SMART_CONFIGURATION));
		assert!(is_public(&Method::GET, "/doctor/index.html"));
		assert!(is_public(&Method::GET, "/config.json"));
		assert!(!is_public(&Method::POST, "/doctor/"));
		assert!(!is_public(&Method::GET, "/fhir/Patient/0x00/$everything"));
		assert!(!is_public(&Method::GET, "/"));
	}
}
