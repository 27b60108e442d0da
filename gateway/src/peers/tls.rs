//! Mutual TLS between gateways (rustls), with each peer's certificate pinned in the peer
//! directory by the SHA-256 of its DER encoding, and TLS for the local API: this gateway's
//! identity, the pinned verifiers and the client and server configurations. The listeners
//! that use the server configurations are in [`crate::http::listener`].
//!
//! Gateways are few and known: the directory, not a certificate authority, says who they
//! are. A pinned verifier accepts exactly the certificates the directory names (and, on the
//! server side, tells the API which hospital the client is), while rustls checks the
//! handshake signatures with the provider's algorithms. Nothing here is hand-written crypto.

use crate::warn;
use rustls::{
	client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier},
	crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider},
	pki_types::{pem::PemObject, CertificateDer, PrivateKeyDer, ServerName, UnixTime},
	server::danger::{ClientCertVerified, ClientCertVerifier},
	CertificateError, DigitallySignedStruct, DistinguishedName, SignatureScheme,
};
use std::{collections::BTreeMap, path::Path, sync::Arc};

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

/// The rustls crypto provider (ring).
fn provider() -> Arc<CryptoProvider> {
	Arc::new(rustls::crypto::ring::default_provider())
}

/// The refusal of a certificate that is not the pinned one.
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
