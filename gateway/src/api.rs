//! The gateway's two JSON-RPC-over-HTTP servers, implementing the typed contracts of
//! [`crate::wire`]:
//!
//! - the **local API** (`api_listen`, for this hospital's own systems): `gateway_identify`,
//!   `gateway_put`, `gateway_fetch`, `gateway_status`, `gateway_health`;
//! - the **peer API** (`listen`, for other hospitals' gateways): `gateway_serve`,
//!   `gateway_health`.
//!
//! Both answer `GET /health` (liveness and node reachability) for load balancers. Every error
//! is a JSON-RPC error with a stable code ([`crate::error::codes`]); malformed parameters get
//! `-32602`.

use crate::{
	error::bad,
	identify,
	service::Gateway,
	wire::{
		FetchRequest, FetchResult, HealthAnswer, IdentifyAnswer, IdentifyRequest, LocalApiServer,
		PeerApiServer, PutRequest, PutResult, ServeAnswer, ServeRequest, StatusAnswer,
	},
};
use jsonrpsee::{
	core::{async_trait, RpcResult},
	server::{middleware::http::ProxyGetRequestLayer, Server, ServerHandle},
	RpcModule,
};
use std::{net::SocketAddr, sync::Arc};

/// The local API's server.
pub struct Local(pub Arc<Gateway>);

/// The peer API's server.
pub struct Peer(pub Arc<Gateway>);

#[async_trait]
impl LocalApiServer for Local {
	async fn put(&self, req: PutRequest) -> RpcResult<PutResult> {
		Ok(self.0.put(req).await?)
	}

	async fn fetch(&self, req: FetchRequest) -> RpcResult<FetchResult> {
		Ok(self.0.fetch(req).await?)
	}

	fn identify(&self, req: IdentifyRequest) -> RpcResult<IdentifyAnswer> {
		let kind = identify::parse_kind(&req.kind).map_err(bad)?;
		let health_id = identify::health_id(self.0.lookup_secret(), kind, &req.number)
			.map_err(|e| bad(e.to_string()))?;
		Ok(IdentifyAnswer { health_id })
	}

	async fn status(&self) -> RpcResult<StatusAnswer> {
		Ok(self.0.status().await)
	}

	async fn health(&self) -> RpcResult<HealthAnswer> {
		Ok(self.0.health().await?)
	}
}

#[async_trait]
impl PeerApiServer for Peer {
	async fn serve(&self, req: ServeRequest) -> RpcResult<ServeAnswer> {
		Ok(self.0.serve(req).await?)
	}

	async fn peer_health(&self) -> RpcResult<HealthAnswer> {
		Ok(self.0.health().await?)
	}
}

/// The local API's methods.
pub fn local_module(gw: Arc<Gateway>) -> RpcModule<Local> {
	Local(gw).into_rpc()
}

/// The peer API's methods.
pub fn peer_module(gw: Arc<Gateway>) -> RpcModule<Peer> {
	Peer(gw).into_rpc()
}

/// Starts an HTTP JSON-RPC server with `GET /health` on `addr`.
pub async fn start<M: Send + Sync + 'static>(
	addr: SocketAddr,
	module: RpcModule<M>,
) -> Result<(SocketAddr, ServerHandle), String> {
	let health = ProxyGetRequestLayer::new("/health", "gateway_health")
		.map_err(|e| format!("health route: {e}"))?;
	let server = Server::builder()
		.set_http_middleware(tower::ServiceBuilder::new().layer(health))
		.http_only()
		.build(addr)
		.await
		.map_err(|e| format!("cannot listen on {addr}: {e}"))?;
	let local = server.local_addr().map_err(|e| e.to_string())?;
	Ok((local, server.start(module)))
}
