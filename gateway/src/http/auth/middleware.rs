//! [`AuthLayer`]: the tower layer in front of the local API. It checks the Host first, lets
//! `GET /health`, the FHIR `metadata` and the [public](crate::http::public) paths through, and verifies the bearer token of every
//! other request, putting the [`Caller`] in the request's extensions.

use super::{
	host::{effective_hosts, host_allowed},
	jwt::{AuthError, Verifier},
	refusal::{refusal, unauthorized},
	untrusted::{segment, shorten},
};
use crate::{
	error::codes,
	http::{fhir, public},
	warn,
};
use http::{header, Method, StatusCode};
use jsonrpsee::server::HttpResponse;
use serde_json::Value;
use std::{
	future::Future,
	net::SocketAddr,
	pin::Pin,
	sync::Arc,
	task::{Context, Poll},
};

/// The error type of HTTP middleware in jsonrpsee.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The bearer token of a request, if any.
fn bearer(headers: &http::HeaderMap) -> Option<String> {
	let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
	let (scheme, token) = value.split_once(' ')?;
	let token = token.trim();
	(scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then(|| token.to_string())
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
		let fhir = fhir::is_fhir(req.uri().path());
		if !host_allowed(host, &self.hosts) {
			let shown = shorten(host.unwrap_or("(none)"));
			warn!("host_refused", {"host": shown, "path": path});
			let message = format!("host {shown} is not allowed");
			let res = if fhir {
				fhir::refusal(403, codes::FORBIDDEN_HOST, &message)
			} else {
				refusal(StatusCode::FORBIDDEN, codes::FORBIDDEN_HOST, &message)
			};
			return Box::pin(std::future::ready(Ok::<_, BoxError>(res)));
		}
		if (req.method() == Method::GET && req.uri() == "/health")
			|| fhir::is_public(req.method(), req.uri().path())
			|| public::is_public(req.method(), req.uri().path())
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
