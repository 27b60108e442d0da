//! The gateway's two JSON-RPC-over-HTTP servers, implementing the typed contracts of
//! [`crate::wire`] by calling the flows:
//!
//! - the **local API** (`api_listen`, for this hospital's own systems): `gateway_identify`,
//!   `gateway_put`, `gateway_fetch`, `gateway_status`, `gateway_health`, and the doctor app's
//!   `gateway_me`, `gateway_acceptTerms`, `gateway_patient`, `gateway_myAccesses`. Every request but
//!   `GET /health` carries a bearer token ([`super::auth`]); a Host allow-list stops DNS
//!   rebinding; TLS when `api_tls` is set.
//! - the **peer API** (`listen`, for other hospitals' gateways): `gateway_serve`,
//!   `gateway_health`, over mutual TLS with the directory's pinned certificates
//!   ([`crate::peers::tls`], [`super::listener`]).
//!
//! The local API also serves the FHIR facade under `/fhir` ([`super::fhir`]), behind the
//! same authentication.
//!
//! Both answer `GET /health` (liveness and node reachability) for load balancers. Every error
//! is a JSON-RPC error with a stable code ([`crate::error::codes`]); malformed parameters get
//! `-32602`.

use super::{
	auth::{AuthLayer, Verifier},
	fhir::FhirLayer,
	listener::{self, Transport},
	metrics::Metrics,
	public::{self, PublicLayer},
};
use crate::{
	error::{codes, err, GatewayError},
	flows::{
		caller::{scopes, Caller},
		Gateway,
	},
	peers::tls::{self, PeerIdentity},
	wire::{
		FetchRequest, FetchResult, HealthAnswer, IdentifyAnswer, IdentifyRequest, LocalApiServer,
		MeAnswer, MyAccess, MyAccessesRequest, PatientAnswer, PatientRequest, PeerApiServer,
		PutRequest, PutResult, ServeAnswer, ServeRequest, StatusAnswer, TermsAnswer,
		MAX_BODY_BYTES,
	},
};
use jsonrpsee::{
	core::{async_trait, RpcResult},
	server::{
		middleware::{http::ProxyGetRequestLayer, rpc::RpcServiceBuilder},
		Server, ServerHandle,
	},
	Extensions,
};
use std::{net::SocketAddr, sync::Arc};

/// The local API's server.
pub struct Local(pub Arc<Gateway>);

/// The peer API's server.
pub struct Peer(pub Arc<Gateway>);

/// The caller the authentication layer put in the request (always there behind it).
fn caller(ext: &Extensions) -> Result<&Caller, GatewayError> {
	ext.get::<Caller>().ok_or_else(|| err(codes::UNAUTHENTICATED, "no authenticated caller"))
}

#[async_trait]
impl LocalApiServer for Local {
	async fn put(&self, ext: &Extensions, req: PutRequest) -> RpcResult<PutResult> {
		Ok(self.0.put(caller(ext)?, req).await?)
	}

	async fn fetch(&self, ext: &Extensions, req: FetchRequest) -> RpcResult<FetchResult> {
		// Its own task: a client that hangs up mid-fetch does not stop it half-way (the
		// attestation may already be on chain; the doctor's access journal is then written
		// all the same).
		let (gw, caller) = (self.0.clone(), caller(ext)?.clone());
		let task = tokio::spawn(async move { gw.fetch(&caller, req).await });
		let answer = task
			.await
			.map_err(|e| err(codes::UNAVAILABLE, format!("the fetch did not complete: {e}")))?;
		Ok(answer?)
	}

	fn identify(&self, ext: &Extensions, req: IdentifyRequest) -> RpcResult<IdentifyAnswer> {
		Ok(self.0.identify(caller(ext)?, req)?)
	}

	async fn me(&self, ext: &Extensions) -> RpcResult<MeAnswer> {
		Ok(self.0.me(caller(ext)?).await?)
	}

	async fn accept_terms(&self, ext: &Extensions) -> RpcResult<TermsAnswer> {
		Ok(self.0.accept_terms(caller(ext)?).await?)
	}

	async fn patient(&self, ext: &Extensions, req: PatientRequest) -> RpcResult<PatientAnswer> {
		Ok(self.0.patient(caller(ext)?, req.health_id).await?)
	}

	async fn my_accesses(
		&self,
		ext: &Extensions,
		req: Option<MyAccessesRequest>,
	) -> RpcResult<Vec<MyAccess>> {
		Ok(self.0.my_accesses(caller(ext)?, req.unwrap_or_default()).await?)
	}

	async fn status(&self, ext: &Extensions) -> RpcResult<StatusAnswer> {
		caller(ext)?.require(scopes::STATUS)?;
		Ok(self.0.status().await)
	}

	async fn health(&self) -> RpcResult<HealthAnswer> {
		Ok(self.0.health().await?)
	}
}

#[async_trait]
impl PeerApiServer for Peer {
	async fn serve(&self, ext: &Extensions, req: ServeRequest) -> RpcResult<ServeAnswer> {
		Ok(self.0.serve(ext.get::<PeerIdentity>(), req).await?)
	}

	async fn peer_health(&self) -> RpcResult<HealthAnswer> {
		Ok(self.0.health().await?)
	}
}

/// Starts the local API on `addr`: bearer tokens checked by `verifier`, Host allow-list,
/// `GET /health`, TLS when the configuration asks; every call counted in `metrics`.
pub async fn start_local(
	gw: Arc<Gateway>,
	addr: SocketAddr,
	verifier: Arc<Verifier>,
	metrics: Arc<Metrics>,
) -> Result<(SocketAddr, ServerHandle), String> {
	let health = ProxyGetRequestLayer::new("/health", "gateway_health")
		.map_err(|e| format!("health route: {e}"))?;
	let auth = AuthLayer::new(verifier, gw.config.auth.allowed_hosts.clone(), addr);
	let transport = if gw.config.api_tls {
		let config = tls::local_server_config(gw.tls_identity())?;
		Transport::Tls { config: Arc::new(config), peers: None }
	} else {
		Transport::Plain
	};
	let methods = Local(gw.clone()).into_rpc();
	let known = methods.method_names().map(String::from).collect();
	let builder = Server::builder()
		.set_http_middleware(
			tower::ServiceBuilder::new()
				.layer(public::cors(&gw.config.auth))
				.layer(auth)
				.layer(PublicLayer::new(Arc::new(gw.config.clone())))
				.layer(FhirLayer::new(gw.clone()))
				.layer(health),
		)
		.set_rpc_middleware(RpcServiceBuilder::new().layer(metrics.layer("local", known)))
		.max_request_body_size(MAX_BODY_BYTES)
		.max_response_body_size(MAX_BODY_BYTES)
		.http_only()
		.to_service_builder();
	listener::serve(
		addr,
		move |stop| listener::HttpService::new(builder.clone().build(methods.clone(), stop)),
		transport,
		"local",
	)
	.await
}

/// Starts the peer API on `addr`: mutual TLS, only the directory's pinned certificates; the
/// directory's addresses get the room kept for peers ([`super::admission`]); every call
/// counted in `metrics`.
pub async fn start_peer(
	gw: Arc<Gateway>,
	addr: SocketAddr,
	metrics: Arc<Metrics>,
) -> Result<(SocketAddr, ServerHandle), String> {
	let health = ProxyGetRequestLayer::new("/health", "gateway_health")
		.map_err(|e| format!("health route: {e}"))?;
	let pins = gw.peer_pins();
	let config = tls::peer_server_config(gw.tls_identity(), pins.clone())?;
	let urls = gw.config.peers.values().map(|p| p.url.clone()).collect();
	let methods = Peer(gw.clone()).into_rpc();
	let known = methods.method_names().map(String::from).collect();
	let builder = Server::builder()
		.set_http_middleware(tower::ServiceBuilder::new().layer(health))
		.set_rpc_middleware(RpcServiceBuilder::new().layer(metrics.layer("peer", known)))
		.max_request_body_size(1024 * 1024)
		.max_response_body_size(MAX_BODY_BYTES)
		.http_only()
		.to_service_builder();
	listener::serve(
		addr,
		move |stop| listener::HttpService::new(builder.clone().build(methods.clone(), stop)),
		Transport::Tls {
			config: Arc::new(config),
			peers: Some(listener::Directory { pins, urls }),
		},
		"peer",
	)
	.await
}
