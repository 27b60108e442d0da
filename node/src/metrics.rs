//! HealthChain's own Prometheus metrics, served next to Substrate's on the node's Prometheus
//! endpoint (`--prometheus-port`, 9615 by default). The node labels every series with its
//! chain id (`chain="…"`).
//!
//! Every finalized block is observed once (each finality notification carries the blocks it
//! finalizes), so a fork never counts twice:
//!
//! | series | what |
//! | --- | --- |
//! | `healthchain_attestations_total{basis}` | accesses attested (`enrolment`, `grant`, `emergency`) |
//! | `healthchain_attestation_refusals_total{reason}` | attestations refused on chain: a failed `attest`, a batch's `AttestationRefused`; `reason` as the RPC names it (`notEnrolled`, `consentRequestNeeded`, …) |
//! | `healthchain_anchors_total` | records anchored |
//! | `healthchain_pending_consent_requests` | consent requests in state and not expired |
//! | `healthchain_open_emergency_accesses` | emergency accesses not ended |
//! | `healthchain_metrics_finalized_block` | the last finalized block observed |
//!
//! Events are decoded with the runtime types this node was built with. A block of another
//! runtime whose events do not decode is logged and skipped, never guessed.

use crate::client::FullClient;
use codec::Decode;
use frame_support::{storage::StoragePrefixedMap, traits::PalletInfoAccess};
use futures::StreamExt;
use healthchain_primitives::logs::{AccessBasis, AttestRefusal};
use healthchain_runtime::{opaque::Block, Runtime, RuntimeEvent};
use sc_client_api::{BlockchainEvents, StorageProvider};
use sp_core::storage::StorageKey;
use sp_runtime::{traits::Header, DispatchError};
use std::sync::Arc;
use substrate_prometheus_endpoint::{
	register, Counter, CounterVec, Gauge, Opts, PrometheusError, Registry, U64,
};

type Hash = <Block as sp_runtime::traits::Block>::Hash;

/// The series above.
#[derive(Clone)]
pub struct Metrics {
	attestations: CounterVec<U64>,
	refusals: CounterVec<U64>,
	anchors: Counter<U64>,
	pending_requests: Gauge<U64>,
	open_emergencies: Gauge<U64>,
	finalized: Gauge<U64>,
}

impl Metrics {
	/// Registers the series in the node's registry.
	pub fn register(registry: &Registry) -> Result<Self, PrometheusError> {
		Ok(Self {
			attestations: register(
				CounterVec::new(
					Opts::new("healthchain_attestations_total", "Accesses attested on chain"),
					&["basis"],
				)?,
				registry,
			)?,
			refusals: register(
				CounterVec::new(
					Opts::new(
						"healthchain_attestation_refusals_total",
						"Attestations refused on chain, by reason",
					),
					&["reason"],
				)?,
				registry,
			)?,
			anchors: register(
				Counter::new("healthchain_anchors_total", "Records anchored on chain")?,
				registry,
			)?,
			pending_requests: register(
				Gauge::new(
					"healthchain_pending_consent_requests",
					"Consent requests waiting for the patient (in state, not expired)",
				)?,
				registry,
			)?,
			open_emergencies: register(
				Gauge::new(
					"healthchain_open_emergency_accesses",
					"Emergency accesses that have not ended",
				)?,
				registry,
			)?,
			finalized: register(
				Gauge::new(
					"healthchain_metrics_finalized_block",
					"The last finalized block the HealthChain metrics observed",
				)?,
				registry,
			)?,
		})
	}
}

/// A refusal's label: the deny reason, or the refusal's kind, as the RPC spells them.
fn refusal_label(refusal: &AttestRefusal) -> String {
	let value = serde_json::to_value(refusal).unwrap_or_default();
	let label = match refusal {
		AttestRefusal::AccessDenied(_) => &value["reason"],
		_ => &value["kind"],
	};
	label.as_str().unwrap_or("unknown").to_string()
}

/// The refusal a failed extrinsic's error is, if it is the access log's.
fn failed_attestation(error: &DispatchError) -> Option<AttestRefusal> {
	let DispatchError::Module(module) = error else { return None };
	let access_log = <healthchain_runtime::AccessLog as PalletInfoAccess>::index();
	if module.index as usize != access_log {
		return None;
	}
	pallet_access_log::Error::<Runtime>::decode(&mut &module.error[..]).ok()?.refusal()
}

fn read<T: Decode>(client: &FullClient, hash: Hash, key: Vec<u8>) -> Option<T> {
	let data = client.storage(hash, &StorageKey(key)).ok()??;
	T::decode(&mut &data.0[..]).ok()
}

/// The events of block `hash`, decoded with this node's runtime types; `None` (logged) where
/// they do not decode (a block of another runtime) or the state is gone.
pub fn block_events(client: &FullClient, hash: Hash) -> Option<Vec<RuntimeEvent>> {
	// `System.Events` (the storage item is private to frame-system; its key is public).
	let system = <healthchain_runtime::System as PalletInfoAccess>::name();
	let key = frame_support::storage::storage_prefix(system.as_bytes(), b"Events").to_vec();
	type Records = Vec<frame_system::EventRecord<RuntimeEvent, Hash>>;
	let events = read::<Records>(client, hash, key);
	if events.is_none() {
		log::warn!(target: "healthchain-metrics", "events of block {hash} do not decode; skipped");
	}
	Some(events?.into_iter().map(|r| r.event).collect())
}

fn observe(client: &FullClient, metrics: &Metrics, hash: Hash) {
	let Some(events) = block_events(client, hash) else { return };
	for event in events {
		match event {
			RuntimeEvent::AccessLog(pallet_access_log::Event::AccessAttested { entry, .. }) => {
				let basis = match entry.basis {
					AccessBasis::Enrolment => "enrolment",
					AccessBasis::Grant(_) => "grant",
					AccessBasis::Emergency(_) => "emergency",
				};
				metrics.attestations.with_label_values(&[basis]).inc();
			},
			RuntimeEvent::AccessLog(pallet_access_log::Event::AttestationRefused {
				reason,
				..
			}) => metrics.refusals.with_label_values(&[&refusal_label(&reason)]).inc(),
			RuntimeEvent::System(frame_system::Event::ExtrinsicFailed {
				dispatch_error, ..
			}) => {
				if let Some(refusal) = failed_attestation(&dispatch_error) {
					metrics.refusals.with_label_values(&[&refusal_label(&refusal)]).inc();
				}
			},
			RuntimeEvent::Records(pallet_records::Event::RecordAnchored { .. }) => {
				metrics.anchors.inc()
			},
			_ => {},
		}
	}

	let now: u64 =
		read(client, hash, pallet_timestamp::Now::<Runtime>::hashed_key().to_vec()).unwrap_or(0);
	let count = |prefix: Vec<u8>, open: &dyn Fn(&[u8]) -> bool| -> u64 {
		client
			.storage_pairs(hash, Some(&StorageKey(prefix)), None)
			.map(|pairs| pairs.filter(|(_, v)| open(&v.0)).count() as u64)
			.unwrap_or(0)
	};
	let requests = count(pallet_consent::Requests::<Runtime>::final_prefix().to_vec(), &|v| {
		pallet_consent::AccessRequest::decode(&mut &v[..]).is_ok_and(|r| r.expires_at > now)
	});
	let emergencies =
		count(pallet_consent::EmergencyAccesses::<Runtime>::final_prefix().to_vec(), &|v| {
			pallet_consent::EmergencyAccess::decode(&mut &v[..]).is_ok_and(|e| e.expires_at > now)
		});
	metrics.pending_requests.set(requests);
	metrics.open_emergencies.set(emergencies);
}

/// Observes every finalized block, in order, until the node stops.
pub async fn run(client: Arc<FullClient>, metrics: Metrics) {
	let mut finality = client.finality_notification_stream();
	while let Some(notification) = finality.next().await {
		for hash in notification.tree_route.iter().chain(std::iter::once(&notification.hash)) {
			observe(&client, &metrics, *hash);
		}
		let number: u32 = *notification.header.number();
		metrics.finalized.set(number.into());
	}
}
