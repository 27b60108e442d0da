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
//! ([`map::status_of`]). The layer sits inside [`crate::auth::AuthLayer`], which has checked
//! the token and the Host before any of this runs. Unknown search parameters are refused
//! (a mistyped filter must not widen what a fetch returns).

pub mod map;
pub mod model;

use crate::{
	auth::{scopes, Caller},
	error::{bad, codes, err, GatewayError},
	service::{now_ms, Gateway, MAX_BODY_BYTES},
	warn,
	wire::{EmergencyReason, FetchRequest, PutRequest},
};
use healthchain_primitives::{DataCategory, HealthId, Purpose};
use http::{header, HeaderValue, Method, StatusCode};
use http_body_util::BodyExt;
use hyper::body::Bytes;
use jsonrpsee::server::{HttpBody, HttpRequest, HttpResponse};
use model::{
	systems as sys, Bundle, BundleEntry, BundleLink, CapabilityStatement, Coding, EntryResource,
	EntrySearch, Implementation, Interaction, Meta, Operation, OperationOutcome, Resource, Rest,
	RestResource, RestSecurity, SearchParam, Software, FHIR_JSON,
};
use serde::de::DeserializeOwned;
use serde_json::{json, Value as Json};
use sp_core::H256;
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

/// What a handler answers.
struct Reply {
	status: u16,
	body: EntryResource,
	headers: Vec<(header::HeaderName, String)>,
}

impl Reply {
	fn ok(resource: Resource) -> Self {
		Reply { status: 200, body: EntryResource::Made(Box::new(resource)), headers: vec![] }
	}
}

/// A request, taken apart.
struct Request {
	method: Method,
	/// Path segments after `/fhir`, percent-decoded.
	segments: Vec<String>,
	/// Query parameters in order.
	query: Vec<(String, String)>,
	/// `<scheme>://<host>/fhir`, for absolute links.
	base: String,
	caller: Option<Caller>,
	content_type: Option<String>,
}

impl Request {
	/// The caller (always there behind the authentication layer, but for `metadata`).
	fn caller(&self) -> Result<&Caller, GatewayError> {
		self.caller.as_ref().ok_or_else(|| err(codes::UNAUTHENTICATED, "no authenticated caller"))
	}

	/// Refuses parameters not in `known`; returns the value of each known one given (once).
	fn params(&self, known: &[&str]) -> Result<Vec<Option<String>>, GatewayError> {
		let mut values = vec![None; known.len()];
		for (k, v) in &self.query {
			let Some(i) = known.iter().position(|n| n == k) else {
				return Err(bad(format!(
					"unknown search parameter {k:?}; this endpoint takes {}",
					known.join(", ")
				)));
			};
			if values[i].replace(v.clone()).is_some() {
				return Err(bad(format!("parameter {k:?} given twice")));
			}
		}
		Ok(values)
	}
}

/// A word of the JSON APIs (`allergy`, `emergency`, `unconscious`) as its type.
fn word<T: DeserializeOwned>(what: &str, value: &str) -> Result<T, GatewayError> {
	T::deserialize(serde::de::value::StrDeserializer::<serde::de::value::Error>::new(value))
		.map_err(|e| bad(format!("{what}: {e}")))
}

fn health_id(what: &str, value: &str) -> Result<HealthId, GatewayError> {
	HealthId::from_hex(value).map_err(|e| bad(format!("{what}: not a health ID ({e:?}): {value}")))
}

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
			Ok(Reply::ok(Resource::CapabilityStatement(capabilities(&req.base))))
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
			Ok(create_bundle(gw, req, &bytes.to_bytes()).await?)
		},
		["Patient", id, "$everything"] if get => Ok(everything(gw, req, id).await?),
		["Consent"] if get => Ok(consent_search(gw, req).await?),
		["AuditEvent"] if get => Ok(audit_search(gw, req).await?),
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

/// The one value a Bundle names (repeats of the same value count once), or a bad-input error:
/// `missing()` when it names none, `several` when it names more than one.
fn exactly_one<T: PartialEq + Copy>(
	mut values: Vec<T>,
	missing: impl FnOnce() -> String,
	several: &str,
) -> Result<T, GatewayError> {
	values.dedup();
	match values.as_slice() {
		[one] => Ok(*one),
		[] => Err(bad(missing())),
		_ => Err(bad(several)),
	}
}

/// `POST /fhir/Bundle`: the put path. The patient is the Bundle's `Patient` entry's health
/// ID identifier (or `?patient=`), the category its `meta.tag` of the category system (or
/// `?category=`); `?supersedes=` names the record it replaces.
async fn create_bundle(gw: &Gateway, req: &Request, body: &[u8]) -> Result<Reply, GatewayError> {
	let caller = req.caller()?;
	let [patient_param, category_param, supersedes] =
		<[Option<String>; 3]>::try_from(req.params(&["patient", "category", "supersedes"])?)
			.map_err(|_| bad("parameters"))?;
	let mut bundle: Json =
		serde_json::from_slice(body).map_err(|e| bad(format!("the body is not JSON: {e}")))?;
	let incoming: model::IncomingBundle = serde_json::from_value(bundle.clone())
		.map_err(|e| bad(format!("the body is not a FHIR resource: {e}")))?;
	if incoming.resource_type != "Bundle" {
		return Err(bad(format!("expected a Bundle, got a {}", incoming.resource_type)));
	}
	let ids = incoming
		.entry
		.iter()
		.filter_map(|e| e.resource.as_ref())
		.filter(|r| r.resource_type == "Patient")
		.flat_map(|r| &r.identifier)
		.filter(|i| i.system.as_deref() == Some(sys::HEALTH_ID))
		.filter_map(|i| i.value.clone())
		.chain(patient_param)
		.map(|v| health_id("patient", &v))
		.collect::<Result<Vec<_>, _>>()?;
	let health_id = exactly_one(
		ids,
		|| {
			format!(
				"no patient: add a Patient entry with an identifier of system {} (or ?patient=)",
				sys::HEALTH_ID
			)
		},
		"the Bundle names more than one patient",
	)?;
	let categories = incoming
		.meta
		.iter()
		.flat_map(|m| &m.tag)
		.filter(|t| t.system.as_deref() == Some(sys::CATEGORY))
		.filter_map(|t| t.code.clone())
		.chain(category_param)
		.map(|c| word::<DataCategory>("category", &c))
		.collect::<Result<Vec<_>, _>>()?;
	let category = exactly_one(
		categories,
		|| format!("no category: add a meta.tag of system {} (or ?category=)", sys::CATEGORY),
		"the Bundle has more than one category",
	)?;
	let supersedes = supersedes
		.map(|s| s.parse::<H256>().map_err(|e| bad(format!("supersedes: {e}"))))
		.transpose()?;
	let put = PutRequest { health_id, category, bundle: bundle.clone(), supersedes };
	let done = gw.put(caller, put).await?;
	// The answer: the Bundle as stored, its id the content hash, the anchor in meta.
	let id = map::hash_id(&done.content_hash);
	let anchor = model::Extension {
		url: sys::ANCHOR.into(),
		extension: vec![
			model::Extension {
				url: "block".into(),
				value_unsigned_int: Some(done.block),
				..Default::default()
			},
			model::Extension {
				url: "index".into(),
				value_unsigned_int: Some(done.index),
				..Default::default()
			},
		],
		..Default::default()
	};
	if let Some(obj) = bundle.as_object_mut() {
		obj.insert("id".into(), Json::String(id.clone()));
		let meta = obj.entry("meta").or_insert_with(|| json!({}));
		if let Some(meta) = meta.as_object_mut() {
			meta.insert("versionId".into(), Json::String("1".into()));
			meta.insert("lastUpdated".into(), Json::String(map::instant(now_ms())));
			let ext = meta.entry("extension").or_insert_with(|| json!([]));
			if let Some(list) = ext.as_array_mut() {
				list.push(serde_json::to_value(&anchor).map_err(|e| bad(e.to_string()))?);
			}
		}
	}
	let location = format!("{}/Bundle/{id}/_history/1", req.base);
	Ok(Reply {
		status: 201,
		body: EntryResource::Stored(bundle),
		headers: vec![(header::LOCATION, location), (header::ETAG, "W/\"1\"".into())],
	})
}

/// A search-set entry of a resource the facade made.
fn entry(resource: Resource, full_url: Option<String>, mode: &str) -> BundleEntry {
	BundleEntry {
		full_url,
		resource: EntryResource::Made(Box::new(resource)),
		search: Some(EntrySearch { mode: mode.into() }),
	}
}

/// A `searchset` Bundle with a `self` link (and `next`, when there is more).
fn searchset(
	meta: Option<Meta>,
	total: Option<u64>,
	self_url: String,
	next: Option<String>,
	entry: Vec<BundleEntry>,
) -> Resource {
	let mut link = vec![BundleLink { relation: "self".into(), url: self_url }];
	link.extend(next.map(|url| BundleLink { relation: "next".into(), url }));
	Resource::Bundle(Bundle {
		meta,
		kind: "searchset".into(),
		timestamp: Some(map::instant(now_ms())),
		total,
		link,
		entry,
	})
}

/// The request's own URL, for `self` links.
fn self_url(req: &Request) -> String {
	let path = req.segments.join("/");
	if req.query.is_empty() {
		return format!("{}/{path}", req.base);
	}
	let query = form_urlencoded::Serializer::new(String::new()).extend_pairs(&req.query).finish();
	format!("{}/{path}?{query}", req.base)
}

/// `GET /fhir/Patient/{healthId}/$everything`: the fetch path (`gateway_fetch`), for the
/// practitioner of the token. Parameters: `category` (comma-separated; default every
/// category but `sensitive`), `purpose` (`treatment` or `emergency`), `reason` (for an
/// emergency), `wait` (seconds for a per-request answer), `_offset` (the next page).
async fn everything(gw: &Gateway, req: &Request, id: &str) -> Result<Reply, GatewayError> {
	let caller = req.caller()?;
	let health_id = health_id("the patient in the path", id)?;
	let [categories, purpose, reason, wait, offset] = <[Option<String>; 5]>::try_from(
		req.params(&["category", "purpose", "reason", "wait", "_offset"])?,
	)
	.map_err(|_| bad("parameters"))?;
	let categories = categories
		.map(|list| list.split(',').map(|c| word::<DataCategory>("category", c.trim())).collect())
		.transpose()?;
	let purpose = purpose.map(|p| word::<Purpose>("purpose", &p)).transpose()?;
	let emergency_reason = reason.map(|r| word::<EmergencyReason>("reason", &r)).transpose()?;
	let number = |what: &str, v: String| {
		v.parse::<u32>().map_err(|_| bad(format!("{what}: not a number: {v:?}")))
	};
	let wait_secs = wait.map(|w| number("wait", w).map(u64::from)).transpose()?;
	let offset = offset.map(|o| number("_offset", o)).transpose()?;
	let fetch = FetchRequest {
		health_id,
		categories,
		purpose,
		emergency_reason,
		grant_for_ms: None,
		wait_secs,
		offset,
	};
	let used = purpose.unwrap_or(Purpose::Treatment);
	let result = gw.fetch(caller, fetch).await?;
	let licence = caller.licence()?.to_string();

	let mut entries: Vec<BundleEntry> = result
		.records
		.iter()
		.map(|r| {
			let id = map::hash_id(&r.content_hash);
			let mut stored = r.bundle.clone();
			if let Some(obj) = stored.as_object_mut() {
				obj.insert("id".into(), Json::String(id.clone()));
				let meta = obj.entry("meta").or_insert_with(|| json!({}));
				if let Some(meta) = meta.as_object_mut() {
					meta.insert(
						"source".into(),
						Json::String(format!("{}|{}", sys::HOSPITAL, r.source)),
					);
				}
			}
			BundleEntry {
				full_url: Some(format!("{}/Bundle/{id}", req.base)),
				resource: EntryResource::Stored(stored),
				search: Some(EntrySearch { mode: "match".into() }),
			}
		})
		.collect();
	let provenance = map::provenance(&health_id, &result, &licence, gw.hospital(), used, now_ms());
	entries.push(entry(Resource::Provenance(provenance), None, "include"));
	if !result.unavailable.is_empty() {
		let issues = result
			.unavailable
			.iter()
			.map(|u| {
				let hashes: Vec<String> = u.records.iter().map(|h| format!("{h:?}")).collect();
				let message =
					format!("{} (records at {}: {})", u.reason, u.source, hashes.join(", "));
				map::issue("warning", &err(u.code, message))
			})
			.collect();
		entries.push(entry(
			Resource::OperationOutcome(OperationOutcome { issue: issues }),
			None,
			"outcome",
		));
	}
	let basis = map::basis_code(result.basis);
	let mut security: Vec<Coding> =
		map::purposes_of_use(used).into_iter().flat_map(|c| c.coding).collect();
	security.push(Coding::code(sys::CONSENT_BASIS, basis));
	let next = result.next_offset.map(|n| {
		let mut query: Vec<(String, String)> =
			req.query.iter().filter(|(k, _)| k != "_offset").cloned().collect();
		query.push(("_offset".into(), n.to_string()));
		let query = form_urlencoded::Serializer::new(String::new()).extend_pairs(&query).finish();
		format!("{}/Patient/{}/$everything?{query}", req.base, health_id.to_hex())
	});
	Ok(Reply::ok(searchset(
		Some(Meta { security, tag: vec![] }),
		None,
		self_url(req),
		next,
		entries,
	)))
}

/// `GET /fhir/Consent?patient=`: the patient's consent state on chain (best block).
async fn consent_search(gw: &Gateway, req: &Request) -> Result<Reply, GatewayError> {
	req.caller()?.require(scopes::CONSENT_READ)?;
	let [patient] = <[Option<String>; 1]>::try_from(req.params(&["patient"])?)
		.map_err(|_| bad("parameters"))?;
	let patient = patient.ok_or_else(|| bad("the patient parameter is required"))?;
	let id = health_id("patient", patient.trim_start_matches("Patient/"))?;
	let state = gw.node.consent(id).await?;
	let grants = gw.node.grants(id).await?;
	let pending = gw.node.pending_requests(id).await?;
	let consents = map::consents(&id, state.as_ref(), &grants, &pending);
	let total = consents.len() as u64;
	let entries = consents
		.into_iter()
		.map(|c| {
			let url = format!("{}/Consent/{}", req.base, c.id);
			entry(Resource::Consent(c), Some(url), "match")
		})
		.collect();
	Ok(Reply::ok(searchset(None, Some(total), self_url(req), None, entries)))
}

/// The largest `_count` of an `AuditEvent` page (the node's page limit).
const MAX_AUDIT_PAGE: u32 = 100;

/// `GET /fhir/AuditEvent?patient=`: the patient's access log (finalized, hash chain
/// verified), newest first; `_count` entries a page (default 20), `next` carrying the
/// log cursor.
async fn audit_search(gw: &Gateway, req: &Request) -> Result<Reply, GatewayError> {
	req.caller()?.require(scopes::AUDIT_READ)?;
	let [patient, count, cursor] =
		<[Option<String>; 3]>::try_from(req.params(&["patient", "_count", "_cursor"])?)
			.map_err(|_| bad("parameters"))?;
	let patient = patient.ok_or_else(|| bad("the patient parameter is required"))?;
	let id = health_id("patient", patient.trim_start_matches("Patient/"))?;
	let count = match count {
		None => 20,
		Some(c) => c
			.parse::<u32>()
			.ok()
			.filter(|n| (1..=MAX_AUDIT_PAGE).contains(n))
			.ok_or_else(|| bad(format!("_count: 1 to {MAX_AUDIT_PAGE}, got {c:?}")))?,
	};
	let cursor =
		cursor.map(|c| c.parse::<H256>().map_err(|e| bad(format!("_cursor: {e}")))).transpose()?;
	let page = gw.node.access_page(id, cursor, count).await?;
	let entries = page
		.entries
		.iter()
		.map(|logged| {
			let event = map::audit_event(&id, logged);
			let url = format!("{}/AuditEvent/{}", req.base, event.id);
			entry(Resource::AuditEvent(event), Some(url), "match")
		})
		.collect();
	let next = page.next_cursor.map(|c| {
		format!("{}/AuditEvent?patient={}&_count={count}&_cursor={c:?}", req.base, id.to_hex())
	});
	Ok(Reply::ok(searchset(None, Some(page.count), self_url(req), next, entries)))
}

/// The `CapabilityStatement`: exactly what the facade serves.
fn capabilities(base: &str) -> CapabilityStatement {
	let param = |name: &str, kind: &str, doc: &str| SearchParam {
		name: name.into(),
		kind: kind.into(),
		documentation: doc.into(),
	};
	let interaction =
		|code: &str, doc: &str| Interaction { code: code.into(), documentation: doc.into() };
	CapabilityStatement {
		status: "active".into(),
		date: map::instant(now_ms()),
		kind: "instance".into(),
		software: Software {
			name: "healthchain-gateway".into(),
			version: env!("CARGO_PKG_VERSION").into(),
		},
		implementation: Implementation {
			description: "HealthChain hospital gateway: encrypted records under on-chain consent"
				.into(),
			url: base.into(),
		},
		fhir_version: model::FHIR_VERSION.into(),
		format: vec![FHIR_JSON.into(), "json".into()],
		rest: vec![Rest {
			mode: "server".into(),
			security: RestSecurity {
				service: vec![Coding::new(
					"http://terminology.hl7.org/CodeSystem/restful-security-service",
					"OAuth",
					"OAuth",
				)
				.into()],
				description: "Bearer tokens (JWT) of the hospital's identity provider; scopes \
				              records.write (Bundle create), records.read (Patient $everything, \
				              with the licence claim; records.emergency for an emergency), \
				              consent.read (Consent), audit.read (AuditEvent)."
					.into(),
			},
			resource: vec![
				RestResource {
					kind: "Bundle".into(),
					documentation: Some(
						"A clinical record: encrypted, stored at this hospital and anchored on \
						 chain by its content hash (the id). The patient is a Patient entry's \
						 health-ID identifier, the category a meta.tag."
							.into(),
					),
					interaction: vec![interaction(
						"create",
						"the put path; 201 once the anchor is final",
					)],
					search_param: vec![],
					operation: vec![],
				},
				RestResource {
					kind: "Patient".into(),
					documentation: Some("Patients by health ID (0x-prefixed hex).".into()),
					interaction: vec![],
					search_param: vec![],
					operation: vec![Operation {
						name: "everything".into(),
						definition: sys::EVERYTHING.into(),
						documentation: "The records the practitioner may see under the consent \
						                on chain, attested first; parameters category, purpose, \
						                reason, wait, _offset."
							.into(),
					}],
				},
				RestResource {
					kind: "Consent".into(),
					documentation: Some("The patient's consent state on chain.".into()),
					interaction: vec![interaction("search-type", "by patient")],
					search_param: vec![param("patient", "reference", "health ID (required)")],
					operation: vec![],
				},
				RestResource {
					kind: "AuditEvent".into(),
					documentation: Some(
						"The patient's verified access log, newest first (IHE BALP read).".into(),
					),
					interaction: vec![interaction("search-type", "by patient, paged")],
					search_param: vec![
						param("patient", "reference", "health ID (required)"),
						param("_count", "number", "entries a page, 1 to 100 (default 20)"),
					],
					operation: vec![],
				},
			],
		}],
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn a_bundle_names_exactly_one_patient_or_category() {
		let one = |values: Vec<u8>| exactly_one(values, || "none".into(), "several");
		assert_eq!(one(vec![7]).map_err(|e| e.message), Ok(7));
		assert_eq!(one(vec![7, 7]).map_err(|e| e.message), Ok(7), "a repeat counts once");
		let none = one(vec![]).unwrap_err();
		assert_eq!((none.code, none.message.as_str()), (crate::error::codes::BAD_INPUT, "none"));
		assert_eq!(one(vec![7, 8]).unwrap_err().message, "several");
		assert_eq!(one(vec![7, 8, 7]).unwrap_err().message, "several");
	}
}
