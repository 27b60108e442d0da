//! The gateway's two JSON-RPC-over-HTTP APIs.
//!
//! - The **local API** (`api_listen`, for this hospital's own systems): `gateway_identify`,
//!   `gateway_put`, `gateway_fetch`, `gateway_status`, `gateway_health`.
//! - The **peer API** (`listen`, for other hospitals' gateways): `gateway_serve`,
//!   `gateway_health`.
//!
//! Both answer `GET /health` (liveness and node reachability) for load balancers.
//! Every error is a JSON-RPC error with a stable code (`service::codes`); malformed
//! parameters get `-32602`.

use crate::{
	identify,
	service::{codes, FetchRequest, Gateway, GatewayError, PutRequest, ServeRequest},
};
use jsonrpsee::{
	server::{middleware::http::ProxyGetRequestLayer, Server, ServerHandle},
	types::{ErrorObject, ErrorObjectOwned, Params},
	RpcModule,
};
use serde::Deserialize;
use serde_json::{json, Value as Json};
use std::{net::SocketAddr, sync::Arc};

fn to_rpc(e: GatewayError) -> ErrorObjectOwned {
	ErrorObject::owned(e.code, e.message, None::<()>)
}

fn one<T: for<'de> Deserialize<'de>>(params: Params<'_>) -> Result<T, ErrorObjectOwned> {
	params.one::<T>()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct IdentifyRequest {
	kind: String,
	number: String,
}

async fn health(gw: &Gateway) -> Result<Json, ErrorObjectOwned> {
	match gw.chain.best_number().await {
		Ok(best) => Ok(json!({"status": "ok", "hospital": gw.config.hospital, "best": best})),
		Err(e) => Err(ErrorObject::owned(
			codes::UNAVAILABLE,
			format!("node unreachable: {e}"),
			None::<()>,
		)),
	}
}

/// The local API's methods.
pub fn local_module(gw: Arc<Gateway>) -> RpcModule<Arc<Gateway>> {
	let mut m = RpcModule::new(gw);
	m.register_async_method("gateway_put", |params, gw, _| async move {
		let req: PutRequest = one(params)?;
		gw.put(req).await.map_err(to_rpc)
	})
	.expect("unique method name");
	m.register_async_method("gateway_fetch", |params, gw, _| async move {
		let req: FetchRequest = one(params)?;
		gw.fetch(req).await.map_err(to_rpc)
	})
	.expect("unique method name");
	m.register_method("gateway_identify", |params, gw, _| {
		let req: IdentifyRequest = one(params)?;
		let kind = identify::parse_kind(&req.kind)
			.map_err(|e| ErrorObject::owned(codes::BAD_INPUT, e, None::<()>))?;
		let id = identify::health_id(gw.lookup_secret(), kind, &req.number)
			.map_err(|e| ErrorObject::owned(codes::BAD_INPUT, e.to_string(), None::<()>))?;
		Ok::<_, ErrorObjectOwned>(json!({ "healthId": id.to_hex() }))
	})
	.expect("unique method name");
	m.register_async_method("gateway_status", |_, gw, _| async move {
		Ok::<_, ErrorObjectOwned>(gw.status().await)
	})
	.expect("unique method name");
	m.register_async_method("gateway_health", |_, gw, _| async move { health(&gw).await })
		.expect("unique method name");
	m
}

/// The peer API's methods.
pub fn peer_module(gw: Arc<Gateway>) -> RpcModule<Arc<Gateway>> {
	let mut m = RpcModule::new(gw);
	m.register_async_method("gateway_serve", |params, gw, _| async move {
		let req: ServeRequest = one(params)?;
		gw.serve(req).await.map_err(to_rpc)
	})
	.expect("unique method name");
	m.register_async_method("gateway_health", |_, gw, _| async move { health(&gw).await })
		.expect("unique method name");
	m
}

/// Starts an HTTP JSON-RPC server with `GET /health` on `addr`.
pub async fn start(
	addr: SocketAddr,
	module: RpcModule<Arc<Gateway>>,
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
