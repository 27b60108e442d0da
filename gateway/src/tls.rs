//! Mutual TLS between gateways (rustls), with each peer's certificate pinned in the peer
//! directory by the SHA-256 of its DER encoding; TLS for the local API; and the accept loop
//! that serves a jsonrpsee module over plain TCP or TLS, taking on connections as
//! [`crate::admission`] allows (on the peer API: few unauthenticated ones per address, short
//! handshakes, room kept for the directory's peers).
//!
//! Gateways are few and known: the directory, not a certificate authority, says who they
//! are. A pinned verifier accepts exactly the certificates the directory names (and, on the
//! server side, tells the API which hospital the client is), while rustls checks the
//! handshake signatures with the provider's algorithms. Nothing here is hand-written crypto.

use crate::{
	admission::{self, Admission},
	info, warn,
};
use jsonrpsee::server::{serve_with_graceful_shutdown, stop_channel, ServerHandle, StopHandle};
use rustls::{
	client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier},
	crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider},
	pki_types::{pem::PemObject, CertificateDer, PrivateKeyDer, ServerName, UnixTime},
	server::danger::{ClientCertVerified, ClientCertVerifier},
	CertificateError, DigitallySignedStruct, DistinguishedName, SignatureScheme,
};
use std::{collections::BTreeMap, net::SocketAddr, path::Path, sync::Arc, time::Duration};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

pub use crate::admission::MAX_CONNECTIONS;

/// The SHA-256 of a certificate's DER encoding: how the directory pins a peer.
pub type Fingerprint = [u8; 32];

/// SHA-256 of a DER certificate.
pub fn fingerprint(cert: &CertificateDer<'_>) -> Fingerprint {
	sp_crypto_hashing::sha2_256(cert.as_ref())
}

/// The hospital a TLS client proved to be (its certificate is pinned in the directory under
/// this code). The peer API's methods find it in their request extensions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeerIdentity(pub String);

/// This gateway's TLS certificate chain and private key.
pub struct Identity {
	/// The certificate chain, end entity first.
	pub certs: Vec<CertificateDer<'static>>,
	/// The private key.
	pub key: PrivateKeyDer<'static>,
}

impl Clone for Identity {
	fn clone(&self) -> Self {
		Identity { certs: self.certs.clone(), key: self.key.clone_key() }
	}
}

impl Identity {
	/// Reads a PEM certificate chain and a PEM private key.
	pub fn load(cert_file: &Path, key_file: &Path) -> Result<Self, String> {
		let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert_file)
			.map_err(|e| format!("{}: {e}", cert_file.display()))?
			.collect::<Result<_, _>>()
			.map_err(|e| format!("{}: {e}", cert_file.display()))?;
		if certs.is_empty() {
			return Err(format!("{}: no certificate", cert_file.display()));
		}
		let key = PrivateKeyDer::from_pem_file(key_file)
			.map_err(|e| format!("{}: {e}", key_file.display()))?;
		Ok(Identity { certs, key })
	}

	/// The SHA-256 of this gateway's own certificate (what peers pin).
	pub fn fingerprint(&self) -> Fingerprint {
		self.certs.first().map(fingerprint).unwrap_or_default()
	}
}

/// A new self-signed certificate and key (ECDSA P-256) for `name`, as PEM: what `keygen`
/// writes.
pub fn self_signed(name: &str) -> Result<(String, String, Fingerprint), String> {
	let cert = rcgen::generate_simple_self_signed(vec![name.to_string(), "localhost".into()])
		.map_err(|e| format!("cannot generate a certificate: {e}"))?;
	// rcgen signs anew on every serialisation (ECDSA signatures are randomised): the pin is
	// taken from the very PEM written out.
	let pem = cert.serialize_pem().map_err(|e| format!("cannot encode the certificate: {e}"))?;
	let der = CertificateDer::from_pem_slice(pem.as_bytes())
		.map_err(|e| format!("cannot read back the certificate: {e}"))?;
	Ok((pem, cert.serialize_private_key_pem(), fingerprint(&der)))
}

fn provider() -> Arc<CryptoProvider> {
	Arc::new(rustls::crypto::ring::default_provider())
}

fn pinned_error() -> rustls::Error {
	rustls::Error::InvalidCertificate(CertificateError::ApplicationVerificationFailure)
}

/// The handshake-signature methods of a pinned verifier (a struct with a `provider`): the
/// pin decides which certificate is acceptable, rustls's own verification with the
/// provider's algorithms checks that the peer holds its key.
macro_rules! handshake_signatures {
	() => {
		fn verify_tls12_signature(
			&self,
			message: &[u8],
			cert: &CertificateDer<'_>,
			dss: &DigitallySignedStruct,
		) -> Result<HandshakeSignatureValid, rustls::Error> {
			verify_tls12_signature(
				message,
				cert,
				dss,
				&self.provider.signature_verification_algorithms,
			)
		}

		fn verify_tls13_signature(
			&self,
			message: &[u8],
			cert: &CertificateDer<'_>,
			dss: &DigitallySignedStruct,
		) -> Result<HandshakeSignatureValid, rustls::Error> {
			verify_tls13_signature(
				message,
				cert,
				dss,
				&self.provider.signature_verification_algorithms,
			)
		}

		fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
			self.provider.signature_verification_algorithms.supported_schemes()
		}
	};
}

/// Accepts exactly the client certificates pinned in the directory.
#[derive(Debug)]
struct PinnedClients {
	pins: BTreeMap<Fingerprint, String>,
	provider: Arc<CryptoProvider>,
}

impl ClientCertVerifier for PinnedClients {
	fn root_hint_subjects(&self) -> &[DistinguishedName] {
		&[]
	}

	fn verify_client_cert(
		&self,
		end_entity: &CertificateDer<'_>,
		_intermediates: &[CertificateDer<'_>],
		_now: UnixTime,
	) -> Result<ClientCertVerified, rustls::Error> {
		if self.pins.contains_key(&fingerprint(end_entity)) {
			Ok(ClientCertVerified::assertion())
		} else {
			warn!("tls_refused", {"side": "server", "reason": "client certificate not pinned in the directory", "certSha256": format!("0x{}", hex::encode(fingerprint(end_entity)))});
			Err(pinned_error())
		}
	}

	handshake_signatures!();
}

/// Accepts exactly one server certificate: the pinned one of the peer being called.
#[derive(Debug)]
struct PinnedServer {
	pin: Fingerprint,
	provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for PinnedServer {
	fn verify_server_cert(
		&self,
		end_entity: &CertificateDer<'_>,
		_intermediates: &[CertificateDer<'_>],
		_server_name: &ServerName<'_>,
		_ocsp_response: &[u8],
		_now: UnixTime,
	) -> Result<ServerCertVerified, rustls::Error> {
		if fingerprint(end_entity) == self.pin {
			Ok(ServerCertVerified::assertion())
		} else {
			Err(pinned_error())
		}
	}

	handshake_signatures!();
}

/// The peer API's TLS: this gateway's certificate, and client certificates required and
/// pinned (`pins`: fingerprint → hospital code).
pub fn peer_server_config(
	identity: &Identity,
	pins: BTreeMap<Fingerprint, String>,
) -> Result<rustls::ServerConfig, String> {
	let provider = provider();
	let verifier = Arc::new(PinnedClients { pins, provider: provider.clone() });
	rustls::ServerConfig::builder_with_provider(provider)
		.with_safe_default_protocol_versions()
		.map_err(|e| e.to_string())?
		.with_client_cert_verifier(verifier)
		.with_single_cert(identity.certs.clone(), identity.key.clone_key())
		.map_err(|e| format!("the TLS certificate and key do not fit: {e}"))
}

/// The local API's TLS (no client certificates: callers carry bearer tokens).
pub fn local_server_config(identity: &Identity) -> Result<rustls::ServerConfig, String> {
	rustls::ServerConfig::builder_with_provider(provider())
		.with_safe_default_protocol_versions()
		.map_err(|e| e.to_string())?
		.with_no_client_auth()
		.with_single_cert(identity.certs.clone(), identity.key.clone_key())
		.map_err(|e| format!("the TLS certificate and key do not fit: {e}"))
}

/// The client side of a call to one peer: this gateway's certificate as the client
/// certificate, and only the peer's pinned certificate accepted.
pub fn peer_client_config(
	identity: &Identity,
	pin: Fingerprint,
) -> Result<rustls::ClientConfig, String> {
	let provider = provider();
	let verifier = Arc::new(PinnedServer { pin, provider: provider.clone() });
	rustls::ClientConfig::builder_with_provider(provider)
		.with_safe_default_protocol_versions()
		.map_err(|e| e.to_string())?
		.dangerous()
		.with_custom_certificate_verifier(verifier)
		.with_client_auth_cert(identity.certs.clone(), identity.key.clone_key())
		.map_err(|e| format!("the TLS certificate and key do not fit: {e}"))
}

/// A client for a TLS server whose certificate is pinned, without a client certificate (the
/// command line and tests calling a local API that serves TLS).
pub fn pinned_client_config(pin: Fingerprint) -> Result<rustls::ClientConfig, String> {
	let provider = provider();
	let verifier = Arc::new(PinnedServer { pin, provider: provider.clone() });
	Ok(rustls::ClientConfig::builder_with_provider(provider)
		.with_safe_default_protocol_versions()
		.map_err(|e| e.to_string())?
		.dangerous()
		.with_custom_certificate_verifier(verifier)
		.with_no_client_auth())
}

/// The peer directory as the peer API's listener uses it.
#[derive(Clone, Debug, Default)]
pub struct Directory {
	/// Fingerprint → hospital code: the hospital a pinned client certificate names.
	pub pins: BTreeMap<Fingerprint, String>,
	/// The peers' URLs (`https://host:port`): connections from their hosts' addresses draw on
	/// the room kept for peers ([`crate::admission`]).
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

	fn identity(name: &str) -> Identity {
		let (cert, key, _) = self_signed(name).unwrap();
		Identity {
			certs: vec![CertificateDer::from_pem_slice(cert.as_bytes()).unwrap()],
			key: PrivateKeyDer::from_pem_slice(key.as_bytes()).unwrap(),
		}
	}

	#[test]
	fn configs_build_and_fingerprints_are_stable() {
		let a = identity("H0001");
		let (pem, _, fp) = self_signed("H0002").unwrap();
		assert_eq!(fingerprint(&CertificateDer::from_pem_slice(pem.as_bytes()).unwrap()), fp);
		assert_ne!(a.fingerprint(), fp);
		assert_eq!(a.fingerprint(), fingerprint(&a.certs[0]));
		let pins = BTreeMap::from([(fp, "H0002".to_string())]);
		assert!(peer_server_config(&a, pins).is_ok());
		assert!(local_server_config(&a).is_ok());
		assert!(peer_client_config(&a, fp).is_ok());
		assert!(pinned_client_config(fp).is_ok());
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
