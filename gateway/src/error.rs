//! The gateway's errors: a stable code for programs and a message for people. Every API
//! (local, peer) answers with these codes; the README lists them. A shared leaf: it imports
//! no other module of the gateway (the vault maps its own errors to these codes).

use healthchain_client::SubmitError;

/// A gateway error: a stable code for programs and a message for people.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct GatewayError {
	/// Stable code (see [`codes`]).
	pub code: i32,
	/// What went wrong, in words.
	pub message: String,
}

/// Error codes of the gateway APIs.
pub mod codes {
	/// A parameter is malformed (hex, category, document, bundle).
	pub const BAD_INPUT: i32 = 4000;
	/// No bearer token, or one that does not verify (expired, not yet valid, forged, wrong
	/// issuer or audience, unknown key): HTTP 401.
	pub const UNAUTHENTICATED: i32 = 4001;
	/// The token lacks the scope (or the licence claim) the call needs.
	pub const FORBIDDEN: i32 = 4003;
	/// The request's Host header is not in the allow-list (DNS rebinding): HTTP 403.
	pub const FORBIDDEN_HOST: i32 = 4004;
	/// Too many calls of this kind by this caller; try again later.
	pub const RATE_LIMITED: i32 = 4029;
	/// The consent decision denies the access (the message names the reason).
	pub const DENIED: i32 = 4010;
	/// The patient refused the per-request consent request.
	pub const REQUEST_REFUSED: i32 = 4011;
	/// The patient did not answer within the wait.
	pub const REQUEST_TIMED_OUT: i32 = 4012;
	/// The grant expired before the attestation was included.
	pub const GRANT_EXPIRED: i32 = 4013;
	/// The chain refused an anchor (not enrolled, not a source, ...).
	pub const ANCHOR_REFUSED: i32 = 4020;
	/// The peer gateway is not in this gateway's directory.
	pub const UNKNOWN_PEER: i32 = 4030;
	/// The peer gateway refused or could not be reached.
	pub const PEER_FAILED: i32 = 4031;
	/// The attestation a peer request rests on is missing, old, or does not cover it.
	pub const BAD_ATTESTATION: i32 = 4040;
	/// This hospital no longer serves the patient (withdrawal, source removed, health ID
	/// deactivated, hospital suspended: the chain's source rule refuses).
	pub const NOT_SERVED: i32 = 4041;
	/// The record's key was destroyed.
	pub const ERASED: i32 = 4042;
	/// No such record here.
	pub const UNKNOWN_RECORD: i32 = 4043;
	/// The record is no longer live in the patient's record log (superseded or revoked since
	/// it was attested): not served.
	pub const NOT_LIVE: i32 = 4044;
	/// A ciphertext does not match its anchored hash or fails authentication.
	pub const INTEGRITY: i32 = 4050;
	/// Nothing to fetch.
	pub const NO_RECORDS: i32 = 4060;
	/// The node is unreachable or the store failed.
	pub const UNAVAILABLE: i32 = 5000;
}

/// The wire name of a value (an enum's camelCase variant name, as the JSON APIs spell it),
/// for messages: `access denied: withdrawn`.
pub fn name<T: serde::Serialize>(value: &T) -> String {
	match serde_json::to_value(value) {
		Ok(serde_json::Value::String(s)) => s,
		Ok(other) => other.to_string(),
		Err(_) => String::from("?"),
	}
}

/// An error with `code` and `message`.
pub fn err(code: i32, message: impl Into<String>) -> GatewayError {
	GatewayError { code, message: message.into() }
}

/// A malformed-input error.
pub fn bad(message: impl Into<String>) -> GatewayError {
	err(codes::BAD_INPUT, message)
}

/// The consent decision's refusal, in the one wording every flow uses:
/// `access denied: <reason>` (code `4010`).
pub fn denied(reason: &healthchain_primitives::DenyReason) -> GatewayError {
	err(codes::DENIED, format!("access denied: {}", name(reason)))
}

/// The node could not answer.
pub fn unavailable(message: impl std::fmt::Display) -> GatewayError {
	err(codes::UNAVAILABLE, message.to_string())
}

impl From<SubmitError> for GatewayError {
	fn from(e: SubmitError) -> Self {
		unavailable(e)
	}
}

impl From<GatewayError> for jsonrpsee::types::ErrorObjectOwned {
	fn from(e: GatewayError) -> Self {
		jsonrpsee::types::ErrorObject::owned(e.code, e.message, None::<()>)
	}
}
