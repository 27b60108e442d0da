//! The admission's unit tests: strangers' and peers' shares, learned peers, sources, the
//! directory's addresses and tickets.

use super::*;
use std::{
	net::{IpAddr, Ipv4Addr},
	time::{Duration, Instant},
};

/// Small limits: 10 connections, 4 of them kept for peers, 2 handshakes per stranger's
/// source and 3 per peer's.
const SMALL: Limits = Limits {
	total: 10,
	reserved: 4,
	handshakes_per_address: 2,
	handshakes_per_peer_address: 3,
	handshake_timeout: Duration::from_secs(1),
};

fn v4(last: u8) -> Source {
	Source::V4(Ipv4Addr::new(10, 0, 0, last))
}

#[test]
fn a_strangers_source_holds_few_handshakes_until_they_end() {
	let now = Instant::now();
	let mut ledger = Ledger::new(SMALL);
	let mut a = ledger.admit(v4(1), now).unwrap();
	let _b = ledger.admit(v4(1), now).unwrap();
	assert_eq!(ledger.admit(v4(1), now).unwrap_err(), Refusal::AddressBusy);
	assert!(ledger.admit(v4(2), now).is_ok(), "another source is not held up");
	// A finished handshake without a pinned certificate (the local API's) leaves the
	// handshake count, not the strangers' share.
	ledger.establish(&mut a, false, now);
	assert_eq!(ledger.handshakes(&v4(1)), 1);
	assert_eq!(ledger.strangers(), 3);
	let c = ledger.admit(v4(1), now).unwrap();
	ledger.release(&c);
	ledger.release(&a);
	assert_eq!((ledger.open(), ledger.strangers(), ledger.handshakes(&v4(1))), (2, 2, 1));
}

#[test]
fn strangers_cannot_fill_the_room_kept_for_peers() {
	let now = Instant::now();
	let mut ledger = Ledger::new(SMALL);
	ledger.set_directory([v4(100)]);
	let strangers: Vec<_> = (1..=6).map(|i| ledger.admit(v4(i), now).unwrap()).collect();
	assert_eq!(ledger.admit(v4(7), now).unwrap_err(), Refusal::StrangersFull);
	// The directory peer's source gets the reserve, 3 handshakes at a time.
	let mut peers: Vec<_> = (0..3).map(|_| ledger.admit(v4(100), now).unwrap()).collect();
	assert_eq!(ledger.admit(v4(100), now).unwrap_err(), Refusal::PeerAddressBusy);
	for p in &mut peers {
		ledger.establish(p, true, now);
	}
	peers.push(ledger.admit(v4(100), now).unwrap());
	assert_eq!(ledger.open(), 10);
	assert_eq!(ledger.admit(v4(100), now).unwrap_err(), Refusal::Full);
	// Everything released: the ledger is empty again.
	for e in strangers.iter().chain(&peers) {
		ledger.release(e);
	}
	assert_eq!((ledger.open(), ledger.strangers(), ledger.handshakes(&v4(100))), (0, 0, 0));
	assert_eq!(ledger.handshakes(&v4(1)), 0);
}

#[test]
fn a_pinned_certificate_makes_a_connection_and_its_source_a_peers() {
	let now = Instant::now();
	let mut ledger = Ledger::new(SMALL);
	// A peer calling from an address outside the directory: a stranger at first.
	let mut first = ledger.admit(v4(50), now).unwrap();
	assert_eq!(ledger.strangers(), 1);
	ledger.establish(&mut first, true, now);
	assert_eq!((ledger.strangers(), ledger.handshakes(&v4(50))), (0, 0));
	assert!(ledger.is_peer(&v4(50), now));
	// With the strangers' share full, the learned source still gets in.
	let _strangers: Vec<_> = (1..=6).map(|i| ledger.admit(v4(i), now).unwrap()).collect();
	assert_eq!(ledger.admit(v4(7), now).unwrap_err(), Refusal::StrangersFull);
	let second = ledger.admit(v4(50), now).unwrap();
	assert!(!second.stranger);
	// A strange connection that fails its handshake goes, and frees its place.
	ledger.release(&second);
	ledger.release(&first);
	assert_eq!(ledger.open(), 6);
	// Learning expires.
	assert!(!ledger.is_peer(&v4(50), now + LEARNED_TTL));
}

#[test]
fn learned_sources_are_bounded() {
	let now = Instant::now();
	let mut ledger = Ledger::new(Limits { total: 1000, ..SMALL });
	for i in 0..=MAX_LEARNED {
		let mut e = ledger.admit(Source::V4(Ipv4Addr::from(i as u32 + 1)), now).unwrap();
		ledger.establish(&mut e, true, now + Duration::from_secs(i as u64));
		ledger.release(&e);
	}
	let later = now + Duration::from_secs(MAX_LEARNED as u64);
	assert_eq!(ledger.learned.len(), MAX_LEARNED);
	assert!(!ledger.is_peer(&Source::V4(Ipv4Addr::from(1u32)), later), "the oldest went");
	assert!(ledger.is_peer(&Source::V4(Ipv4Addr::from(2u32)), later));
}

#[test]
fn sources_group_ipv6_by_64_and_unmap_ipv4() {
	let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
	let b: IpAddr = "2001:db8:1:2:bbbb::2".parse().unwrap();
	let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
	assert_eq!(Source::from(a), Source::from(b));
	assert_ne!(Source::from(a), Source::from(c));
	assert_eq!(Source::from(a).to_string(), "2001:db8:1:2::/64");
	let mapped: IpAddr = "::ffff:10.0.0.1".parse().unwrap();
	assert_eq!(Source::from(mapped), v4(1));
	assert_eq!(v4(1).to_string(), "10.0.0.1");
}

#[test]
fn peer_urls_give_their_hosts() {
	assert_eq!(host_port("https://127.0.0.1:8601"), Some(("127.0.0.1".into(), 8601)));
	assert_eq!(host_port("https://[::1]:8600/"), Some(("::1".into(), 8600)));
	assert_eq!(host_port("https://gw.h2.example"), Some(("gw.h2.example".into(), 443)));
	assert_eq!(host_port("not a url"), None);
	assert_eq!(host_port("/relative"), None);
}

#[tokio::test]
async fn directory_addresses_count_at_once_and_names_resolve() {
	let admission = Admission::new("test", SMALL);
	let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
	follow_directory(
		admission.clone(),
		vec!["https://10.0.0.100:8600".into(), "https://localhost:8601".into()],
		async move {
			let _ = stopped.await;
		},
	);
	let now = Instant::now();
	assert!(admission.ledger().is_peer(&v4(100), now), "an address in a URL counts at once");
	let start = Instant::now();
	while !admission.ledger().is_peer(&Source::V4(Ipv4Addr::LOCALHOST), Instant::now()) {
		assert!(start.elapsed() < Duration::from_secs(60), "localhost never resolved");
		tokio::time::sleep(Duration::from_millis(20)).await;
	}
	assert!(admission.ledger().is_peer(&v4(100), Instant::now()), "and still does");
	let _ = stop.send(());
}

#[test]
fn tickets_release_their_place_and_refusals_are_throttled() {
	let admission = Admission::new("test", SMALL);
	let ip: IpAddr = "10.0.0.1".parse().unwrap();
	let mut first = admission.admit(ip).unwrap();
	let second = admission.admit(ip).unwrap();
	assert!(admission.admit(ip).is_none());
	first.establish(true);
	drop(second);
	assert_eq!((admission.open(), admission.strangers()), (1, 0));
	drop(first);
	assert_eq!((admission.open(), admission.strangers()), (0, 0));

	let now = Instant::now();
	let mut throttle = Throttle::default();
	assert_eq!(throttle.event(now), Some(0));
	assert_eq!(throttle.event(now + Duration::from_secs(1)), None);
	assert_eq!(throttle.event(now + Duration::from_secs(2)), None);
	assert_eq!(throttle.event(now + LOG_INTERVAL), Some(2));
	assert_eq!(throttle.event(now + LOG_INTERVAL), None);
}
