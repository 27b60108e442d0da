//! Mutual TLS between gateways (rustls), with each peer's certificate pinned in the peer
//! directory by the SHA-256 of its DER encoding; TLS for the local API; and the accept loop
//! that serves a jsonrpsee module over plain TCP or TLS.
//!
//! Gateways are few and known: the directory, not a certificate authority, says who they
//! are. A pinned verifier accepts exactly the certificates the directory names (and, on the
//! server side, tells the API which hospital the client is), while rustls checks the
//! handshake signatures with the provider's algorithms. Nothing here is hand-written crypto.

use crate::{info, warn};
use jsonrpsee::server::{serve_with_graceful_shutdown, stop_channel, ServerHandle, StopHandle};
use rustls::{
	client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier},
	crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider},
	pki_types::{pem::PemObject, CertificateDer, PrivateKeyDer, ServerName, UnixTime},
	server::danger::{ClientCertVerified, ClientCertVerifier},
	CertificateError, DigitallySignedStruct, DistinguishedName, SignatureScheme,
};
use std::{collections::BTreeMap, net::SocketAddr, path::Path, sync::Arc};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

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

/// Connections an API serves at once; more are closed on accept.
pub const MAX_CONNECTIONS: usize = 256;

/// How long a TLS handshake may take before the connection is dropped.
const HANDSHAKE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// How an API listens: plain HTTP or TLS, and whether a client certificate names a peer.
pub enum Transport {
	/// Plain HTTP (the local API on loopback without TLS).
	Plain,
	/// TLS; when `peers` is given, the client's pinned certificate names its hospital
	/// ([`PeerIdentity`] in each request's extensions).
	Tls {
		/// The TLS configuration.
		config: Arc<rustls::ServerConfig>,
		/// Fingerprint → hospital, for the peer API.
		peers: Option<BTreeMap<Fingerprint, String>>,
	},
}

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
/// handle is stopped.
pub async fn serve(
	addr: SocketAddr,
	make: impl Fn(StopHandle) -> HttpService + Send + Sync + 'static,
	transport: Transport,
	name: &'static str,
) -> Result<(SocketAddr, ServerHandle), String> {
	let listener =
		TcpListener::bind(addr).await.map_err(|e| format!("cannot listen on {addr}: {e}"))?;
	let local = listener.local_addr().map_err(|e| e.to_string())?;
	let (stop_handle, server_handle) = stop_channel();
	let (acceptor, peers) = match transport {
		Transport::Plain => (None, None),
		Transport::Tls { config, peers } => (Some(TlsAcceptor::from(config)), peers),
	};
	let slots = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
	tokio::spawn(async move {
		loop {
			let (sock, remote) = tokio::select! {
				res = listener.accept() => match res {
					Ok(s) => s,
					Err(_) => continue,
				},
				_ = stop_handle.clone().shutdown() => break,
			};
			// A connection holds a slot for its whole life (the slot rides in its service);
			// over the limit, new connections are closed at once.
			let Ok(slot) = slots.clone().try_acquire_owned() else {
				warn!("connection_refused", {"api": name, "reason": "too many connections", "limit": MAX_CONNECTIONS});
				continue;
			};
			let slot = Arc::new(slot);
			let svc = make(stop_handle.clone());
			let stopped = stop_handle.clone().shutdown();
			let acceptor = acceptor.clone();
			let peers = peers.clone();
			tokio::spawn(async move {
				let Some(acceptor) = acceptor else {
					let svc = tls_service(svc, move |req| {
						let _held = &slot;
						req
					});
					serve_connection(sock, svc, stopped);
					return;
				};
				let tls = match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(sock)).await
				{
					Ok(Ok(tls)) => tls,
					Ok(Err(e)) => {
						warn!("tls_handshake_failed", {"api": name, "remote": remote.ip().to_string(), "error": e.to_string()});
						return;
					},
					Err(_) => {
						warn!("tls_handshake_failed", {"api": name, "remote": remote.ip().to_string(), "error": "timed out"});
						return;
					},
				};
				let identity = peers.as_ref().and_then(|pins| {
					let (_, conn) = tls.get_ref();
					let cert = conn.peer_certificates()?.first()?;
					pins.get(&fingerprint(cert)).cloned().map(PeerIdentity)
				});
				if peers.is_some() && identity.is_none() {
					// The verifier accepts only pinned certificates: this cannot happen.
					return;
				}
				let svc = tls_service(
					svc,
					move |mut req: jsonrpsee::server::HttpRequest<hyper::body::Incoming>| {
						let _held = &slot;
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
}
