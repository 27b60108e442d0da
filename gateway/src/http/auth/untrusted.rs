//! The text of a token or header that is not verified yet: decoded for header checks and
//! logs only, and shortened before it is shown.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use serde_json::Value;

/// Decodes base64url (no padding).
pub fn b64(text: &str) -> Result<Vec<u8>, String> {
	URL_SAFE_NO_PAD.decode(text).map_err(|e| format!("bad base64url: {e}"))
}

/// One part of a JWT as JSON, without verification (header checks and logs only).
pub fn segment(token: &str, index: usize) -> Option<Value> {
	let part = token.split('.').nth(index)?;
	serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).ok()?).ok()
}

/// At most 64 characters of untrusted text, for messages and logs.
pub fn shorten(text: &str) -> String {
	text.chars().take(64).collect()
}
