//! The accept loop that serves a jsonrpsee module over plain TCP or TLS, taking on
//! connections as [`super::admission`] allows (on the peer API: few unauthenticated ones per
//! address, short handshakes, room kept for the directory's peers), and telling the peer
//! API's methods which hospital a pinned client certificate named.

use super::admission::{self, Admission};
use crate::{
	info,
	peers::tls::{fingerprint, Fingerprint, PeerIdentity},
};
use jsonrpsee::server::{serve_with_graceful_shutdown, stop_channel, ServerHandle, StopHandle};
use std::{collections::BTreeMap, net::SocketAddr, sync::Arc, time::Duration};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

pub use super::admission::MAX_CONNECTIONS;

/// The peer directory as the peer API's listener uses it.
#[derive(Clone, Debug, Default)]
pub struct Directory {
	/// Fingerprint → hospital code: the hospital a pinned client certificate names.
	pub pins: BTreeMap<Fingerprint, String>,
	/// The peers' URLs (`https://host:port`): connections from their hosts' addresses draw on
	/// the room kept for peers ([`super::admission`]).
	pub urls: Vec<String>,
}

/// How an API listens: plain HTTP or TLS, and whether a client certificate names a peer.
pub enum Transport {
	/// Plain HTTP (the local API on loopback without TLS).
	Plain,
	/// TLS; when `peers` is given, the client's pinned certificate names its hospital
	/// ([`PeerIdentity`] in each request's extensions), and the listener admits connections
	/// under the peer API's limits ([`admission::PEER_API`]).
	Tls {
		/// The TLS configuration.
		config: Arc<rustls::ServerConfig>,
		/// The peer directory, for the peer API.
		peers: Option<Directory>,
	},
}

/// After a failed accept (out of file descriptors, say), the listener waits this long
/// rather than spin.
const ACCEPT_ERROR_BACKOFF: Duration = Duration::from_millis(100);

/// Serves one connection (boxed here, where its types are concrete, so the accept loop's
/// task is plainly `Send`).
fn serve_connection<I>(
	io: I,
	svc: HttpService,
	stopped: impl std::future::Future<Output = ()> + Send + 'static,
) where
	I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + Unpin + 'static,
{
	tokio::spawn(serve_with_graceful_shutdown(io, svc, stopped));
}

/// The service of a TLS connection: each request carries the client's [`PeerIdentity`],
/// if any.
fn tls_service(
	svc: HttpService,
	f: impl Fn(
			jsonrpsee::server::HttpRequest<hyper::body::Incoming>,
		) -> jsonrpsee::server::HttpRequest<hyper::body::Incoming>
		+ Clone
		+ Send
		+ Sync
		+ 'static,
) -> HttpService {
	HttpService::new(tower::ServiceExt::map_request(svc, f))
}

/// The HTTP service of one connection: jsonrpsee's service with its middleware, boxed.
pub type HttpService = tower::util::BoxCloneService<
	jsonrpsee::server::HttpRequest<hyper::body::Incoming>,
	jsonrpsee::server::HttpResponse,
	Box<dyn std::error::Error + Send + Sync>,
>;

/// Binds `addr` and serves the connections' services (`make`, given the server's stop
/// handle: jsonrpsee's `TowerServiceBuilder::build`) over `transport`, until the returned
/// handle is stopped. The peer API (a transport with a directory) admits connections under
/// [`admission::PEER_API`], the local API under [`admission::LOCAL_API`].
pub async fn serve(
	addr: SocketAddr,
	make: impl Fn(StopHandle) -> HttpService + Send + Sync + 'static,
	transport: Transport,
	name: &'static str,
) -> Result<(SocketAddr, ServerHandle), String> {
	let limits = match &transport {
		Transport::Tls { peers: Some(_), .. } => admission::PEER_API,
		_ => admission::LOCAL_API,
	};
	serve_with(addr, make, transport, Admission::new(name, limits)).await
}

/// [`serve`], taking on connections as `admission` allows.
async fn serve_with(
	addr: SocketAddr,
	make: impl Fn(StopHandle) -> HttpService + Send + Sync + 'static,
	transport: Transport,
	admission: Arc<Admission>,
) -> Result<(SocketAddr, ServerHandle), String> {
	let listener =
		TcpListener::bind(addr).await.map_err(|e| format!("cannot listen on {addr}: {e}"))?;
	let local = listener.local_addr().map_err(|e| e.to_string())?;
	let (stop_handle, server_handle) = stop_channel();
	let (name, limits) = (admission.name(), *admission.limits());
	let (acceptor, pins) = match transport {
		Transport::Plain => (None, None),
		Transport::Tls { config, peers } => {
			let pins = peers.map(|Directory { pins, urls }| {
				admission::follow_directory(
					admission.clone(),
					urls,
					stop_handle.clone().shutdown(),
				);
				Arc::new(pins)
			});
			(Some(TlsAcceptor::from(config)), pins)
		},
	};
	tokio::spawn(async move {
		loop {
			let (sock, remote) = tokio::select! {
				res = listener.accept() => match res {
					Ok(s) => s,
					Err(_) => {
						tokio::time::sleep(ACCEPT_ERROR_BACKOFF).await;
						continue;
					},
				},
				_ = stop_handle.clone().shutdown() => break,
			};
			// A connection holds its ticket for its whole life (the ticket rides in its
			// service); a refused one is reset at once (logged by the admission, throttled),
			// which leaves no TIME_WAIT behind on this side.
			let Some(mut ticket) = admission.admit(remote.ip()) else {
				let _ = sock.set_linger(Some(Duration::ZERO));
				continue;
			};
			let svc = make(stop_handle.clone());
			let stopped = stop_handle.clone().shutdown();
			let acceptor = acceptor.clone();
			let pins = pins.clone();
			let admission = admission.clone();
			tokio::spawn(async move {
				let Some(acceptor) = acceptor else {
					ticket.establish(false);
					let ticket = Arc::new(ticket);
					let svc = tls_service(svc, move |req| {
						let _held = &ticket;
						req
					});
					serve_connection(sock, svc, stopped);
					return;
				};
				let handshake = acceptor.accept(sock);
				let tls = match tokio::time::timeout(limits.handshake_timeout, handshake).await {
					Ok(Ok(tls)) => tls,
					Ok(Err(e)) => {
						admission.handshake_failed(remote.ip(), &e);
						return;
					},
					Err(_) => {
						admission.handshake_timed_out(remote.ip());
						return;
					},
				};
				let identity = pins.as_ref().and_then(|pins| {
					let (_, conn) = tls.get_ref();
					let cert = conn.peer_certificates()?.first()?;
					pins.get(&fingerprint(cert)).cloned().map(PeerIdentity)
				});
				if pins.is_some() && identity.is_none() {
					// The verifier accepts only pinned certificates: this cannot happen.
					return;
				}
				// From here on the connection is a peer's (on the peer API) or an
				// authenticated-per-request caller's (on the local API).
				ticket.establish(identity.is_some());
				let ticket = Arc::new(ticket);
				let svc = tls_service(
					svc,
					move |mut req: jsonrpsee::server::HttpRequest<hyper::body::Incoming>| {
						let _held = &ticket;
						if let Some(id) = &identity {
							req.extensions_mut().insert(id.clone());
						}
						req
					},
				);
				serve_connection(tls, svc, stopped);
			});
		}
		info!("listener_stopped", {"api": name});
	});
	Ok((local, server_handle))
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::peers::tls::{peer_client_config, peer_server_config, self_signed, Identity};
	use rustls::pki_types::{pem::PemObject, CertificateDer, PrivateKeyDer};

	fn identity(name: &str) -> Identity {
		let (cert, key, _) = self_signed(name).unwrap();
		Identity {
			certs: vec![CertificateDer::from_pem_slice(cert.as_bytes()).unwrap()],
			key: PrivateKeyDer::from_pem_slice(key.as_bytes()).unwrap(),
		}
	}

	/// Test limits: 16 connections, 4 kept for peers, 2 handshakes per stranger's address,
	/// and handshakes that outlast the test (a refusal is then told by its reset).
	const SMALL: admission::Limits = admission::Limits {
		total: 16,
		reserved: 4,
		handshakes_per_address: 2,
		handshakes_per_peer_address: 8,
		handshake_timeout: Duration::from_secs(600),
	};

	/// A peer API on loopback under `admission`, pinning `client` as H0001, with 127.0.0.1
	/// in its directory; its one method answers with the hospital the client proved to be.
	async fn peer_api(
		server: &Identity,
		client: &Identity,
		admission: Arc<Admission>,
	) -> (SocketAddr, ServerHandle) {
		let pins = BTreeMap::from([(client.fingerprint(), "H0001".to_string())]);
		let config = peer_server_config(server, pins.clone()).unwrap();
		let mut module = jsonrpsee::RpcModule::new(());
		module
			.register_method("whoami", |_, _, ext| ext.get::<PeerIdentity>().map(|p| p.0.clone()))
			.unwrap();
		let builder = jsonrpsee::server::Server::builder().http_only().to_service_builder();
		let directory = Directory { pins, urls: vec!["https://127.0.0.1:8601".into()] };
		serve_with(
			"127.0.0.1:0".parse().unwrap(),
			move |stop| HttpService::new(builder.clone().build(module.clone(), stop)),
			Transport::Tls { config: Arc::new(config), peers: Some(directory) },
			admission,
		)
		.await
		.unwrap()
	}

	/// An idle TCP connection to `to` from loopback address `127.0.0.<last>` (a connection
	/// the server resets at once may fail here already).
	async fn idle_from(last: u8, to: SocketAddr) -> std::io::Result<tokio::net::TcpStream> {
		let socket = tokio::net::TcpSocket::new_v4()?;
		socket.bind(std::net::SocketAddr::from(([127, 0, 0, last], 0)))?;
		socket.connect(to).await
	}

	/// Whether a connection from `127.0.0.<last>` is reset without a word: refused.
	async fn refused(last: u8, to: SocketAddr) -> bool {
		let reset = |e: &std::io::Error| e.kind() == std::io::ErrorKind::ConnectionReset;
		match idle_from(last, to).await {
			Ok(mut conn) => first_read(&mut conn).await.is_err_and(|e| reset(&e)),
			Err(e) => reset(&e),
		}
	}

	/// Waits until `done`, for at most a minute (a bound for a broken test, not a speed).
	async fn until(what: &str, done: impl Fn() -> bool) {
		let start = std::time::Instant::now();
		while !done() {
			assert!(start.elapsed() < Duration::from_secs(60), "{what}");
			tokio::time::sleep(Duration::from_millis(10)).await;
		}
	}

	/// Reads what the server sends first: a refused connection is reset without a word.
	async fn first_read(conn: &mut tokio::net::TcpStream) -> std::io::Result<usize> {
		use tokio::io::AsyncReadExt;
		conn.read(&mut [0u8; 64]).await
	}

	#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
	async fn idle_strangers_cannot_starve_a_pinned_peer() {
		use jsonrpsee::core::client::ClientT;
		let (server, client) = (identity("H0002"), identity("H0001"));
		let admission = Admission::new("peer", SMALL);
		let (addr, handle) = peer_api(&server, &client, admission.clone()).await;

		// Three idle connections from each of ten addresses: two per address are taken on,
		// until strangers hold their share (12 of 16).
		let mut flood = Vec::new();
		for last in 2..12 {
			for _ in 0..3 {
				flood.push(idle_from(last, addr).await);
			}
		}
		until("strangers never filled their share", || admission.strangers() == 12).await;
		assert!(refused(12, addr).await, "a stranger beyond the share is reset at once");

		// The pinned peer, from its directory address, is served meanwhile.
		let tls = peer_client_config(&client, server.fingerprint()).unwrap();
		let peer = jsonrpsee::http_client::HttpClientBuilder::default()
			.with_custom_cert_store(tls)
			.build(format!("https://127.0.0.1:{}", addr.port()))
			.unwrap();
		let who: Option<String> = peer.request("whoami", jsonrpsee::rpc_params![]).await.unwrap();
		assert_eq!(who.as_deref(), Some("H0001"));
		assert_eq!(admission.strangers(), 12, "the peer's connection is not a stranger's");

		// The flood gone, its places are free again.
		drop(flood);
		until("the flood's places were never released", || admission.strangers() == 0).await;
		let _again = idle_from(12, addr).await.unwrap();
		until("a stranger is taken on again", || admission.strangers() == 1).await;
		handle.stop().unwrap();
	}

	#[tokio::test]
	async fn an_idle_handshake_is_closed_after_the_timeout() {
		let (server, client) = (identity("H0002"), identity("H0001"));
		let limits = admission::Limits { handshake_timeout: Duration::from_millis(200), ..SMALL };
		let admission = Admission::new("peer", limits);
		let (addr, handle) = peer_api(&server, &client, admission.clone()).await;
		let mut idle = idle_from(2, addr).await.unwrap();
		// Closed, not reset: it was taken on, and let go when its handshake ran out.
		assert_eq!(first_read(&mut idle).await.unwrap(), 0);
		until("the timed-out connection's place was never released", || admission.open() == 0)
			.await;
		handle.stop().unwrap();
	}
}
