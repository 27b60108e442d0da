//! A FHIR request taken apart (path segments, query parameters, the caller, the base URL for
//! links) and what a handler answers.

use super::model::{EntryResource, Resource};
use crate::{
	error::{bad, codes, err, GatewayError},
	flows::caller::Caller,
};
use healthchain_primitives::HealthId;
use http::{header, Method};
use serde::de::DeserializeOwned;

/// What a handler answers.
pub struct Reply {
	/// HTTP status.
	pub status: u16,
	/// The resource.
	pub body: EntryResource,
	/// Extra headers.
	pub headers: Vec<(header::HeaderName, String)>,
}

impl Reply {
	/// A `200` with a resource the facade made.
	pub fn ok(resource: Resource) -> Self {
		Reply { status: 200, body: EntryResource::Made(Box::new(resource)), headers: vec![] }
	}
}

/// A request, taken apart.
pub struct Request {
	/// The HTTP method.
	pub method: Method,
	/// Path segments after `/fhir`, percent-decoded.
	pub segments: Vec<String>,
	/// Query parameters in order.
	pub query: Vec<(String, String)>,
	/// `<scheme>://<host>/fhir`, for absolute links.
	pub base: String,
	/// The caller the authentication layer verified.
	pub caller: Option<Caller>,
	/// The `Content-Type` header.
	pub content_type: Option<String>,
}

impl Request {
	/// The caller (always there behind the authentication layer, but for `metadata`).
	pub fn caller(&self) -> Result<&Caller, GatewayError> {
		self.caller.as_ref().ok_or_else(|| err(codes::UNAUTHENTICATED, "no authenticated caller"))
	}

	/// Refuses parameters not in `known`; returns the value of each known one given (once).
	pub fn params(&self, known: &[&str]) -> Result<Vec<Option<String>>, GatewayError> {
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
pub fn word<T: DeserializeOwned>(what: &str, value: &str) -> Result<T, GatewayError> {
	T::deserialize(serde::de::value::StrDeserializer::<serde::de::value::Error>::new(value))
		.map_err(|e| bad(format!("{what}: {e}")))
}

/// A health ID of the request (`what` names where it was).
pub fn health_id(what: &str, value: &str) -> Result<HealthId, GatewayError> {
	HealthId::from_hex(value).map_err(|e| bad(format!("{what}: not a health ID ({e:?}): {value}")))
}
