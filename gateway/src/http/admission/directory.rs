//! The directory peers' addresses, as the peer API's admission counts them: the hosts of the
//! peers' URLs, addresses at once and host names resolved again every [`DIRECTORY_REFRESH`].

use super::{gate::Admission, ledger::Source, limits::DIRECTORY_REFRESH};
use crate::{info, warn};
use std::{
	collections::{BTreeMap, BTreeSet},
	future::Future,
	net::IpAddr,
	sync::Arc,
	time::Duration,
};

/// How long one resolution of a directory host may take.
const RESOLVE_TIMEOUT: Duration = Duration::from_secs(10);

/// The host and port of a peer URL (`https://host[:port][/…]`), if it has a host.
pub fn host_port(url: &str) -> Option<(String, u16)> {
	let uri: http::Uri = url.parse().ok()?;
	let host = uri.host()?.trim_start_matches('[').trim_end_matches(']');
	if host.is_empty() {
		return None;
	}
	Some((host.to_string(), uri.port_u16().unwrap_or(443)))
}

/// The sources of a host: itself when it is an address, else what the resolver says.
async fn resolve(host: &str, port: u16) -> Result<BTreeSet<Source>, String> {
	if let Ok(ip) = host.parse::<IpAddr>() {
		return Ok(BTreeSet::from([Source::from(ip)]));
	}
	match tokio::time::timeout(RESOLVE_TIMEOUT, tokio::net::lookup_host((host, port))).await {
		Ok(Ok(addrs)) => {
			let sources: BTreeSet<Source> = addrs.map(|a| Source::from(a.ip())).collect();
			if sources.is_empty() {
				Err("no address".into())
			} else {
				Ok(sources)
			}
		},
		Ok(Err(e)) => Err(e.to_string()),
		Err(_) => Err("timed out".into()),
	}
}

/// Keeps `admission`'s directory sources: the addresses of the hosts of `urls` (the peer
/// directory's URLs) at once, and those of host names resolved again every
/// [`DIRECTORY_REFRESH`], until `stopped`. A name that does not resolve keeps the addresses
/// it last had.
pub fn follow_directory(
	admission: Arc<Admission>,
	urls: Vec<String>,
	stopped: impl Future<Output = ()> + Send + 'static,
) {
	let mut hosts = BTreeMap::new();
	for url in &urls {
		match host_port(url) {
			Some((host, port)) => {
				hosts.insert(host, port);
			},
			None => warn!("peer_address_unknown", {"api": admission.name(), "url": url}),
		}
	}
	// Addresses in the URLs count from the first connection on.
	let literal: BTreeSet<Source> =
		hosts.keys().filter_map(|h| h.parse::<IpAddr>().ok()).map(Source::from).collect();
	admission.set_directory(literal.iter().copied());
	if hosts.keys().all(|h| h.parse::<IpAddr>().is_ok()) {
		info!("peer_addresses", {"api": admission.name(), "sources": literal.len()});
		return;
	}
	tokio::spawn(async move {
		tokio::pin!(stopped);
		let mut known: BTreeMap<String, BTreeSet<Source>> = BTreeMap::new();
		loop {
			for (host, port) in &hosts {
				match resolve(host, *port).await {
					Ok(sources) => {
						known.insert(host.clone(), sources);
					},
					Err(e) => {
						warn!("peer_address_unresolved", {"api": admission.name(), "host": host, "error": e, "kept": known.get(host).map_or(0, |s| s.len())});
					},
				}
			}
			let sources: BTreeSet<Source> = known.values().flatten().copied().collect();
			info!("peer_addresses", {"api": admission.name(), "sources": sources.len()});
			admission.set_directory(sources);
			tokio::select! {
				_ = tokio::time::sleep(DIRECTORY_REFRESH) => {},
				_ = &mut stopped => return,
			}
		}
	});
}
