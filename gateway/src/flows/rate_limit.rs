//! A per-caller rate limit (fixed one-minute windows, keyed by the token's subject): how many
//! `gateway_identify` calls one caller may make.

use crate::{
	error::{codes, err, GatewayError},
	warn,
};
use std::{
	collections::HashMap,
	sync::{Mutex, PoisonError},
	time::{Duration, Instant},
};

/// Per-caller rate limit (fixed one-minute windows, keyed by the token's subject).
#[derive(Debug)]
pub struct RateLimiter {
	/// Calls allowed per window.
	per_minute: u32,
	/// Window start and calls so far, by subject.
	windows: Mutex<HashMap<String, (Instant, u32)>>,
}

impl RateLimiter {
	/// A limiter allowing `per_minute` calls per subject and minute.
	pub fn new(per_minute: u32) -> Self {
		Self { per_minute, windows: Mutex::new(HashMap::new()) }
	}

	/// Counts a call, or refuses it.
	pub fn check(&self, subject: &str) -> Result<(), GatewayError> {
		self.check_at(subject, Instant::now())
	}

	/// [`Self::check`] at a given instant.
	fn check_at(&self, subject: &str, now: Instant) -> Result<(), GatewayError> {
		const WINDOW: Duration = Duration::from_secs(60);
		let allowed = {
			let mut windows = self.windows.lock().unwrap_or_else(PoisonError::into_inner);
			if windows.len() > 10_000 {
				windows.retain(|_, (start, _)| now.saturating_duration_since(*start) < WINDOW);
			}
			let entry = windows.entry(subject.to_string()).or_insert((now, 0));
			if now.saturating_duration_since(entry.0) >= WINDOW {
				*entry = (now, 0);
			}
			let allowed = entry.1 < self.per_minute;
			if allowed {
				entry.1 += 1;
			}
			allowed
		};
		if allowed {
			return Ok(());
		}
		warn!("rate_limited", {"subject": subject, "perMinute": self.per_minute});
		Err(err(
			codes::RATE_LIMITED,
			format!("too many identify calls: at most {} a minute per caller", self.per_minute),
		))
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn rate_limiter_allows_n_a_minute() {
		let limiter = RateLimiter::new(3);
		let now = Instant::now();
		for _ in 0..3 {
			limiter.check_at("a", now).unwrap();
		}
		assert_eq!(limiter.check_at("a", now).unwrap_err().code, codes::RATE_LIMITED);
		limiter.check_at("b", now).unwrap();
		limiter.check_at("a", now + Duration::from_secs(61)).unwrap();
	}
}
