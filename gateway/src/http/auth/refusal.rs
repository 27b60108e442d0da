//! The HTTP refusals of the authentication layer: a JSON-RPC error body with the HTTP status,
//! or, for a `/fhir` request, an `OperationOutcome` as FHIR clients expect; a 401 carries
//! `WWW-Authenticate` (RFC 6750).

use crate::{error::codes, http::fhir};
use http::{header, HeaderValue, StatusCode};
use jsonrpsee::server::{HttpBody, HttpResponse};
use serde_json::json;

/// An HTTP refusal with a JSON-RPC error body.
pub fn refusal(status: StatusCode, code: i32, message: &str) -> HttpResponse {
	let body = json!({"jsonrpc": "2.0", "id": null, "error": {"code": code, "message": message}});
	let mut res = http::Response::new(HttpBody::from(body.to_string()));
	*res.status_mut() = status;
	res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
	res
}

/// A 401 with `WWW-Authenticate` (RFC 6750); an OperationOutcome for a FHIR request.
pub fn unauthorized(message: &str, fhir: bool) -> HttpResponse {
	let mut res = if fhir {
		fhir::refusal(401, codes::UNAUTHENTICATED, message)
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
