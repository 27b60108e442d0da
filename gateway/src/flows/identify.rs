//! Patient identification: a document (kind and number) to a `HealthId`, with the network
//! lookup secret, through the shared primitives; `gateway_identify` is limited per caller
//! ([`super::rate_limit::RateLimiter`]) and logged as who asked and when, never the number.

use super::{
	caller::{scopes, Caller},
	gateway::Gateway,
};
use crate::{
	error::{bad, GatewayError},
	info,
	wire::{IdentifyAnswer, IdentifyRequest},
};
use healthchain_primitives::{
	document::{self, DocumentError},
	DocumentKind, HealthId,
};

impl Gateway {
	/// `gateway_identify` for a caller whose token has scope `patients.identify`, within the
	/// caller's rate limit.
	pub fn identify(
		&self,
		caller: &Caller,
		req: IdentifyRequest,
	) -> Result<IdentifyAnswer, GatewayError> {
		caller.require(scopes::IDENTIFY)?;
		self.identify_limit.check(&caller.subject)?;
		// Who asked and when; never the number.
		info!("identify", {"caller": caller.subject, "kind": req.kind});
		let kind = parse_kind(&req.kind).map_err(bad)?;
		let health_id =
			health_id(self.lookup_secret(), kind, &req.number).map_err(|e| bad(e.to_string()))?;
		Ok(IdentifyAnswer { health_id })
	}
}

/// Parses a document kind as written on the command line or in a request:
/// `thai-citizen`, `thai-non-citizen` or `passport:<ISO alpha-3 country>`.
pub fn parse_kind(s: &str) -> Result<DocumentKind, String> {
	match s {
		"thai-citizen" => Ok(DocumentKind::ThaiCitizenId),
		"thai-non-citizen" => Ok(DocumentKind::ThaiNonCitizenId),
		other => match other.strip_prefix("passport:") {
			Some(country) => document::parse_country(country)
				.map(|country| DocumentKind::Passport { country })
				.map_err(|e| e.to_string()),
			None => Err(format!(
				"unknown document kind {other:?}: use thai-citizen, thai-non-citizen or passport:<country>"
			)),
		},
	}
}

/// The health ID of a document.
pub fn health_id(
	secret: &[u8],
	kind: DocumentKind,
	number: &str,
) -> Result<HealthId, DocumentError> {
	document::health_id_of(secret, kind, number)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn kinds_parse_with_clear_errors() {
		assert_eq!(parse_kind("thai-citizen"), Ok(DocumentKind::ThaiCitizenId));
		assert_eq!(parse_kind("passport:mmr"), Ok(DocumentKind::Passport { country: *b"MMR" }));
		assert!(parse_kind("passport:12").is_err());
		assert!(parse_kind("driver").unwrap_err().contains("unknown document kind"));
	}

	#[test]
	fn checksum_errors_reach_the_user() {
		let err = health_id(&[1u8; 32], DocumentKind::ThaiCitizenId, "1101700230709").unwrap_err();
		assert!(err.to_string().contains("check digit"));
	}
}
