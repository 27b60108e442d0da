//! The Host allow-list of the local API, against DNS rebinding: the configured hosts, or by
//! default the listen address, `localhost` and `127.0.0.1` on its port.

use std::net::SocketAddr;

/// The Host allow-list in force: `allowed`, or when empty the `api_listen` address,
/// `localhost:<port>` and `127.0.0.1:<port>` (any port when `api_listen` has port 0, as in
/// tests that bind an ephemeral port).
pub fn effective_hosts(allowed: &[String], api_listen: SocketAddr) -> Vec<String> {
	if !allowed.is_empty() {
		return allowed.to_vec();
	}
	let port = api_listen.port();
	let ip = match api_listen.ip() {
		std::net::IpAddr::V6(v6) => format!("[{v6}]"),
		v4 => v4.to_string(),
	};
	[ip, "localhost".into(), "127.0.0.1".into()]
		.into_iter()
		.map(|host| if port == 0 { host } else { format!("{host}:{port}") })
		.collect()
}

/// Splits `host[:port]` (IPv6 in brackets); `None` for an unusable value.
fn split_host(value: &str) -> Option<(&str, Option<&str>)> {
	let (host, port) = if value.starts_with('[') {
		let end = value.find(']')? + 1;
		match &value[end..] {
			"" => (&value[..end], None),
			tail => (&value[..end], Some(tail.strip_prefix(':')?)),
		}
	} else {
		match value.split_once(':') {
			Some((h, p)) if !p.contains(':') => (h, Some(p)),
			Some(_) => return None,
			None => (value, None),
		}
	};
	let port_ok = port.is_none_or(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
	(!host.is_empty() && port_ok).then_some((host, port))
}

/// Whether a Host header is allowed: an entry `host` allows any port, `host:port` exactly
/// that one (host names compared case-insensitively). No Host: refused.
pub fn host_allowed(host: Option<&str>, allowed: &[String]) -> bool {
	let Some((host, port)) = host.and_then(|h| split_host(h.trim())) else {
		return false;
	};
	allowed
		.iter()
		.filter_map(|a| split_host(a.trim()))
		.any(|(h, p)| h.eq_ignore_ascii_case(host) && (p.is_none() || p == port))
}
