//! An HL7 FHIR R4 REST facade on the local API, under `/fhir`, backed by the same services
//! and the same consent checks as the JSON-RPC methods (`application/fhir+json`):
//!
//! | request | does | scope |
//! |---|---|---|
//! | `GET /fhir/metadata` | the `CapabilityStatement` (no token) | — |
//! | `POST /fhir/Bundle` | the put path: encrypt, store, anchor; `201` with the Bundle, its id the content hash, the anchor's block in `meta.extension` | `records.write` |
//! | `GET /fhir/Patient/{healthId}/$everything` | the fetch path: a `searchset` of the records, the consent basis in `meta.security` and a `Provenance`, what could not be fetched as an `OperationOutcome` entry | `records.read` |
//! | `GET /fhir/Consent?patient=` | the consent state on chain as `Consent` resources | `consent.read` |
//! | `GET /fhir/AuditEvent?patient=` | the verified access log as `AuditEvent`s, newest first, paged | `audit.read` |
//!
//! Every error is an `OperationOutcome` with the HTTP status a FHIR client expects
//! ([`map::status_of`]). The layer sits inside [`crate::http::auth::AuthLayer`], which has checked
//! the token and the Host before any of this runs. Unknown search parameters are refused
//! (a mistyped filter must not widen what a fetch returns).

//!
//! - [`request`]: a request taken apart, and what a handler answers;
//! - [`bundle`]: `POST /fhir/Bundle`, the put path;
//! - [`search`]: `$everything` (the fetch path), `Consent` and `AuditEvent`;
//! - [`capabilities`]: the `CapabilityStatement`;
//! - [`map`]: every mapping from the gateway's and the chain's types to FHIR resources;
//! - [`model`]: the FHIR resources.

pub mod bundle;
pub mod capabilities;
pub mod map;
pub mod model;
pub mod request;
pub mod search;

use crate::{
	error::{bad, err, GatewayError},
	flows::{caller::Caller, Gateway},
	warn,
	wire::MAX_BODY_BYTES,
};
use http::{header, HeaderValue, Method, StatusCode};
use http_body_util::BodyExt;
use hyper::body::Bytes;
use jsonrpsee::server::{HttpBody, HttpRequest, HttpResponse};
use model::{OperationOutcome, Resource, FHIR_JSON};
use request::{Reply, Request};
use std::{
	future::Future,
	pin::Pin,
	sync::Arc,
	task::{Context, Poll},
};

/// The facade's base path.
pub const BASE: &str = "/fhir";

/// The error type of HTTP middleware in jsonrpsee.
type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Whether a request path is the facade's.
pub fn is_fhir(path: &str) -> bool {
	path == BASE || path.starts_with("/fhir/")
}

/// Whether a request is the one the facade serves without a token.
pub fn is_public(method: &Method, path: &str) -> bool {
	method == Method::GET && path == "/fhir/metadata"
}

/// A refused request: its HTTP status and the `OperationOutcome`.
#[derive(Debug)]
pub struct Failure {
	/// HTTP status.
	pub status: u16,
	/// The outcome.
	pub outcome: OperationOutcome,
}

impl From<GatewayError> for Failure {
	fn from(e: GatewayError) -> Self {
		let (status, outcome) = map::outcome(&e);
		Failure { status, outcome }
	}
}

impl Failure {
	/// A refusal with an explicit status and FHIR issue type (routing and HTTP errors that
	/// have no gateway code).
	fn http(status: u16, issue: &str, message: impl Into<String>) -> Self {
		let message = message.into();
		let mut outcome = map::outcome(&bad(message.clone())).1;
		outcome.issue[0].code = issue.into();
		outcome.issue[0].details = None;
		outcome.issue[0].diagnostics = Some(message);
		Failure { status, outcome }
	}
}

/// A FHIR response: status, resource, extra headers.
fn respond(
	status: u16,
	body: &impl serde::Serialize,
	headers: &[(header::HeaderName, String)],
) -> HttpResponse {
	let body = serde_json::to_vec(body).unwrap_or_default();
	let mut res = http::Response::new(HttpBody::from(body));
	*res.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
	res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(FHIR_JSON));
	for (name, value) in headers {
		if let Ok(v) = HeaderValue::from_str(value) {
			res.headers_mut().insert(name.clone(), v);
		}
	}
	res
}

/// A refusal as a FHIR response (also used by the authentication layer for `/fhir` paths).
pub fn refusal(status: u16, code: i32, message: &str) -> HttpResponse {
	let f = Failure::from(err(code, message));
	respond(status, &Resource::OperationOutcome(f.outcome), &[])
}

/// Tower layer serving `/fhir` (inside the authentication layer).
#[derive(Clone)]
pub struct FhirLayer {
	gw: Arc<Gateway>,
}

impl FhirLayer {
	/// The facade of `gw`.
	pub fn new(gw: Arc<Gateway>) -> Self {
		FhirLayer { gw }
	}
}

impl<S> tower::Layer<S> for FhirLayer {
	type Service = FhirService<S>;

	fn layer(&self, inner: S) -> Self::Service {
		FhirService { inner, gw: self.gw.clone() }
	}
}

/// The service of [`FhirLayer`]: `/fhir` here, everything else to the JSON-RPC server.
#[derive(Clone)]
pub struct FhirService<S> {
	inner: S,
	gw: Arc<Gateway>,
}

impl<S, B> tower::Service<HttpRequest<B>> for FhirService<S>
where
	S: tower::Service<HttpRequest<B>, Response = HttpResponse> + Clone + Send + 'static,
	S::Error: Into<BoxError> + 'static,
	S::Future: Send + 'static,
	B: hyper::body::Body<Data = Bytes> + Send + 'static,
	B::Error: Into<BoxError>,
{
	type Response = HttpResponse;
	type Error = BoxError;
	type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, BoxError>> + Send + 'static>>;

	fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
		self.inner.poll_ready(cx).map_err(Into::into)
	}

	fn call(&mut self, req: HttpRequest<B>) -> Self::Future {
		if !is_fhir(req.uri().path()) {
			let fut = self.inner.call(req);
			return Box::pin(async move { fut.await.map_err(Into::into) });
		}
		let gw = self.gw.clone();
		Box::pin(async move { Ok(handle(gw, req).await) })
	}
}

/// Answers one `/fhir` request: takes it apart, routes it, and turns a refusal into an
/// `OperationOutcome` (logged as `fhir_refused`).
async fn handle<B>(gw: Arc<Gateway>, req: HttpRequest<B>) -> HttpResponse
where
	B: hyper::body::Body<Data = Bytes> + Send + 'static,
	B::Error: Into<BoxError>,
{
	let (parts, body) = req.into_parts();
	let path = parts.uri.path().to_string();
	let segments: Vec<String> = path
		.trim_start_matches(BASE)
		.split('/')
		.filter(|s| !s.is_empty())
		.map(|s| percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned())
		.collect();
	let query = form_urlencoded::parse(parts.uri.query().unwrap_or("").as_bytes())
		.map(|(k, v)| (k.into_owned(), v.into_owned()))
		.collect();
	let scheme = if gw.config.api_tls { "https" } else { "http" };
	let host = parts.headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
	let request = Request {
		method: parts.method.clone(),
		segments,
		query,
		base: format!("{scheme}://{host}{BASE}"),
		caller: parts.extensions.get::<Caller>().cloned(),
		content_type: parts
			.headers
			.get(header::CONTENT_TYPE)
			.and_then(|h| h.to_str().ok())
			.map(str::to_string),
	};
	let body = http_body_util::Limited::new(body, MAX_BODY_BYTES as usize);
	let result = route(&gw, &request, body).await;
	match result {
		Ok(reply) => respond(reply.status, &reply.body, &reply.headers),
		Err(f) => {
			let subject = request.caller.as_ref().map(|c| c.subject.clone());
			let code = f.outcome.issue.first().map(|i| i.code.clone());
			warn!("fhir_refused", {"method": request.method.as_str(), "path": path, "status": f.status, "issue": code, "caller": subject});
			respond(f.status, &Resource::OperationOutcome(f.outcome), &[])
		},
	}
}

/// The handler of a request by method and path; `405` for a known path with another
/// method, `404` for an unknown one.
async fn route<B>(gw: &Gateway, req: &Request, body: B) -> Result<Reply, Failure>
where
	B: hyper::body::Body<Data = Bytes> + Send + 'static,
	B::Error: Into<BoxError>,
{
	let segments: Vec<&str> = req.segments.iter().map(String::as_str).collect();
	let get = req.method == Method::GET;
	let post = req.method == Method::POST;
	match segments.as_slice() {
		["metadata"] if get => {
			Ok(Reply::ok(Resource::CapabilityStatement(capabilities::capabilities(&req.base))))
		},
		["Bundle"] if post => {
			let media = req.content_type.as_deref().unwrap_or("");
			let media = media.split(';').next().unwrap_or("").trim();
			if !matches!(media, "application/fhir+json" | "application/json") {
				return Err(Failure::http(
					415,
					"not-supported",
					format!("Content-Type {media:?}: send application/fhir+json"),
				));
			}
			let bytes = body.collect().await.map_err(|e| {
				let e: BoxError = e.into();
				Failure::http(413, "too-costly", format!("the body could not be read: {e}"))
			})?;
			Ok(bundle::create_bundle(gw, req, &bytes.to_bytes()).await?)
		},
		["Patient", id, "$everything"] if get => Ok(search::everything(gw, req, id).await?),
		["Consent"] if get => Ok(search::consent_search(gw, req).await?),
		["AuditEvent"] if get => Ok(search::audit_search(gw, req).await?),
		["metadata"]
		| ["Bundle"]
		| ["Patient", _, "$everything"]
		| ["Consent"]
		| ["AuditEvent"] => Err(Failure::http(
			405,
			"not-supported",
			format!("{} is not supported here; see GET /fhir/metadata", req.method),
		)),
		_ => Err(Failure::http(
			404,
			"not-supported",
			format!(
				"no such FHIR endpoint: /fhir/{}; see GET /fhir/metadata",
				req.segments.join("/")
			),
		)),
	}
}
