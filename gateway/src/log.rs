//! Structured logs: one JSON object per line on standard error, with a timestamp, a level, an
//! event name and the event's fields. Health IDs are logged, clinical content never is.

use serde_json::{Map, Value};
use std::{
	io::Write,
	time::{SystemTime, UNIX_EPOCH},
};

/// Log levels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
	/// Normal operation.
	Info,
	/// A refused request or a recoverable problem.
	Warn,
	/// A failure the operator must look at.
	Error,
}

impl Level {
	fn as_str(self) -> &'static str {
		match self {
			Level::Info => "info",
			Level::Warn => "warn",
			Level::Error => "error",
		}
	}
}

/// Formats one log line (without the newline).
pub fn line(level: Level, event: &str, fields: Value) -> String {
	let ts = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis()).unwrap_or(0);
	let mut obj = Map::new();
	obj.insert("ts".into(), Value::from(ts as u64));
	obj.insert("level".into(), Value::from(level.as_str()));
	obj.insert("event".into(), Value::from(event));
	if let Value::Object(extra) = fields {
		obj.extend(extra);
	}
	Value::Object(obj).to_string()
}

/// Writes one log line to standard error.
pub fn emit(level: Level, event: &str, fields: Value) {
	let mut err = std::io::stderr().lock();
	let _ = writeln!(err, "{}", line(level, event, fields));
}

/// `info!("event", {"field": value, ...})`
#[macro_export]
macro_rules! info {
	($event:expr, $($json:tt)+) => { $crate::log::emit($crate::log::Level::Info, $event, serde_json::json!($($json)+)) };
}

/// `warn!("event", {"field": value, ...})`
#[macro_export]
macro_rules! warn {
	($event:expr, $($json:tt)+) => { $crate::log::emit($crate::log::Level::Warn, $event, serde_json::json!($($json)+)) };
}

/// `error!("event", {"field": value, ...})`
#[macro_export]
macro_rules! error {
	($event:expr, $($json:tt)+) => { $crate::log::emit($crate::log::Level::Error, $event, serde_json::json!($($json)+)) };
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn lines_are_json_objects_with_the_fields() {
		let l = line(Level::Warn, "fetch_refused", serde_json::json!({"reason": "withdrawn"}));
		let v: Value = serde_json::from_str(&l).unwrap();
		assert_eq!(v["level"], "warn");
		assert_eq!(v["event"], "fetch_refused");
		assert_eq!(v["reason"], "withdrawn");
		assert!(v["ts"].as_u64().unwrap() > 1_700_000_000_000);
	}
}
