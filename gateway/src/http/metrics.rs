//! The gateway's Prometheus metrics, served on `metrics_listen` (off unless configured; keep
//! it on a loopback or monitoring-only address: it needs no token).
//!
//! | series | what |
//! | --- | --- |
//! | `healthchain_gateway_requests_total{api,method,outcome}` | JSON-RPC calls answered, by API (`local`, `peer`), method and outcome (`ok` or the error code) |
//! | `healthchain_gateway_request_duration_seconds{api,method,outcome}` | their latency (histogram) |
//! | `healthchain_gateway_shred_backlog` | records of patients this hospital stopped serving whose keys are not shredded yet |
//! | `healthchain_gateway_revocations_due` | shredded records whose on-chain revocation is not confirmed yet |
//!
//! Method names come from the API's own method list; any other name a caller sends is
//! counted as `other`, so a hostile caller cannot grow the label set. Nothing personal is
//! ever a label.

use jsonrpsee::{server::middleware::rpc::RpcServiceT, types::Request, MethodResponse};
use std::{
	collections::BTreeSet, future::Future, net::SocketAddr, pin::Pin, sync::Arc, time::Instant,
};
use substrate_prometheus_endpoint::{
	register, CounterVec, Gauge, HistogramOpts, HistogramVec, Opts, Registry, U64,
};

/// The gateway's series.
pub struct Metrics {
	registry: Registry,
	requests: CounterVec<U64>,
	latency: HistogramVec,
	shred_backlog: Gauge<U64>,
	revocations_due: Gauge<U64>,
}

impl Metrics {
	/// A fresh registry with the series above.
	pub fn new() -> Result<Self, String> {
		let registry = Registry::new();
		let labels = ["api", "method", "outcome"];
		let e = |e: substrate_prometheus_endpoint::PrometheusError| e.to_string();
		Ok(Self {
			requests: register(
				CounterVec::new(
					Opts::new("healthchain_gateway_requests_total", "JSON-RPC calls answered"),
					&labels,
				)
				.map_err(e)?,
				&registry,
			)
			.map_err(e)?,
			latency: register(
				HistogramVec::new(
					HistogramOpts::new(
						"healthchain_gateway_request_duration_seconds",
						"Time to answer a JSON-RPC call",
					)
					.buckets(vec![0.005, 0.025, 0.1, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0]),
					&labels,
				)
				.map_err(e)?,
				&registry,
			)
			.map_err(e)?,
			shred_backlog: register(
				Gauge::new(
					"healthchain_gateway_shred_backlog",
					"Records of patients no longer served whose keys are not shredded yet",
				)
				.map_err(e)?,
				&registry,
			)
			.map_err(e)?,
			revocations_due: register(
				Gauge::new(
					"healthchain_gateway_revocations_due",
					"Shredded records whose on-chain revocation is not confirmed yet",
				)
				.map_err(e)?,
				&registry,
			)
			.map_err(e)?,
			registry,
		})
	}

	/// Sets the shredding backlog gauges.
	pub fn set_backlog(&self, shred: usize, revocations: usize) {
		self.shred_backlog.set(shred as u64);
		self.revocations_due.set(revocations as u64);
	}

	/// Serves the registry on `addr` at `/metrics` until the process ends.
	pub async fn serve(&self, addr: SocketAddr) -> Result<(), String> {
		substrate_prometheus_endpoint::init_prometheus(addr, self.registry.clone())
			.await
			.map_err(|e| format!("metrics on {addr}: {e}"))
	}

	/// The JSON-RPC middleware that counts and times every call of `api`, whose method names
	/// are `known`.
	pub fn layer(self: &Arc<Self>, api: &'static str, known: BTreeSet<String>) -> MeteredLayer {
		MeteredLayer { metrics: self.clone(), api, known: Arc::new(known) }
	}
}

/// Builds [`Metered`] services.
#[derive(Clone)]
pub struct MeteredLayer {
	metrics: Arc<Metrics>,
	api: &'static str,
	known: Arc<BTreeSet<String>>,
}

impl<S> tower::Layer<S> for MeteredLayer {
	type Service = Metered<S>;

	fn layer(&self, service: S) -> Self::Service {
		Metered { service, layer: self.clone() }
	}
}

/// Counts and times the calls `service` answers.
#[derive(Clone)]
pub struct Metered<S> {
	service: S,
	layer: MeteredLayer,
}

impl<'a, S> RpcServiceT<'a> for Metered<S>
where
	S: RpcServiceT<'a> + Send + Sync + Clone + 'static,
{
	type Future = Pin<Box<dyn Future<Output = MethodResponse> + Send + 'a>>;

	fn call(&self, request: Request<'a>) -> Self::Future {
		let method = request.method_name();
		let method =
			if self.layer.known.contains(method) { method.to_string() } else { "other".into() };
		let layer = self.layer.clone();
		let service = self.service.clone();
		Box::pin(async move {
			let start = Instant::now();
			let response = service.call(request).await;
			let outcome = match response.as_error_code() {
				None => "ok".to_string(),
				Some(code) => code.to_string(),
			};
			let labels = [layer.api, method.as_str(), outcome.as_str()];
			layer.metrics.requests.with_label_values(&labels).inc();
			layer.metrics.latency.with_label_values(&labels).observe(start.elapsed().as_secs_f64());
			response
		})
	}
}
