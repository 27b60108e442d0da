//! Who calls a flow: the [`Caller`] a verified bearer token names (the HTTP layer verifies
//! the token), and the [`scopes`] each flow requires of it.

use crate::{
	error::{codes, err, GatewayError},
	warn,
};
use std::collections::BTreeSet;

/// Scopes of the local API.
pub mod scopes {
	/// `gateway_put`.
	pub const PUT: &str = "records.write";
	/// `gateway_fetch` for treatment.
	pub const FETCH: &str = "records.read";
	/// `gateway_fetch` for an emergency.
	pub const EMERGENCY: &str = "records.emergency";
	/// `gateway_identify`.
	pub const IDENTIFY: &str = "patients.identify";
	/// `gateway_status`.
	pub const STATUS: &str = "gateway.status";
	/// FHIR `Consent` search: a patient's consent state.
	pub const CONSENT_READ: &str = "consent.read";
	/// FHIR `AuditEvent` search: a patient's access log.
	pub const AUDIT_READ: &str = "audit.read";
	/// Every scope the local API checks.
	pub const ALL: [&str; 7] = [PUT, FETCH, EMERGENCY, IDENTIFY, STATUS, CONSENT_READ, AUDIT_READ];
}

/// Who called, from a verified token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
	/// The `sub` claim.
	pub subject: String,
	/// Granted scopes (`scope`, space separated, and `scp`).
	pub scopes: BTreeSet<String>,
	/// The practitioner's licence number (the configured licence claim).
	pub licence: Option<String>,
	/// The OAuth2 client (`azp` or `client_id`).
	pub client_id: Option<String>,
}

impl Caller {
	/// Refuses unless the token grants `scope`.
	pub fn require(&self, scope: &str) -> Result<(), GatewayError> {
		if self.scopes.contains(scope) {
			return Ok(());
		}
		warn!("auth_refused", {"subject": self.subject, "reason": "missing scope", "scope": scope});
		Err(err(codes::FORBIDDEN, format!("the token lacks scope {scope}")))
	}

	/// The practitioner's licence number, or a refusal.
	pub fn licence(&self) -> Result<&str, GatewayError> {
		self.licence.as_deref().ok_or_else(|| {
			warn!("auth_refused", {"subject": self.subject, "reason": "no licence claim"});
			err(codes::FORBIDDEN, "the token carries no licence claim")
		})
	}
}
