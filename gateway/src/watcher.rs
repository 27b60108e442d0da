//! The withdrawal watcher: follows finalized blocks; when a patient with records here enrols,
//! withdraws or changes sources, asks the chain's source rule (at the finalized block) and
//! starts or cancels the retention clock. After the retention period the records' keys are
//! shredded and their anchors revoked with reason `Erased`.
//!
//! Only the patient's own choices (a withdrawal, a source selection without this hospital)
//! start the clock. A deactivated health ID or a suspended hospital stops serving at once
//! (serve asks the rule on every request) but never leads to shredding: those can be undone
//! by their authority.

use crate::{error, info, service::now_ms, service::Gateway, warn};
use healthchain_client::runtime::consent::events::{Enrolled, SourcesChanged, Withdrawn};
use healthchain_primitives::HealthId;
use sp_core::H256;
use std::{collections::BTreeSet, time::Duration};

impl Gateway {
	/// Re-evaluates one patient with the chain's source rule at the finalized block: marks
	/// them stopped (starting the retention clock) when the patient chose so, or clears the
	/// mark when this hospital may serve them again.
	pub async fn reconcile(&self, health_id: &HealthId) -> Result<(), error::GatewayError> {
		let live = self
			.store
			.records_of(health_id)
			.into_iter()
			.any(|(hash, _)| !self.store.is_erased(&hash));
		if !live {
			return Ok(());
		}
		match self.node.serves(*health_id, true).await? {
			Ok(()) => {
				if self.store.clear_stopped(health_id) {
					info!("serving_resumed", {"healthId": health_id});
				}
			},
			Err(refusal) if refusal.is_patient_choice() => {
				if self.store.mark_stopped(health_id, now_ms() / 1000)? {
					warn!("serving_stopped", {"healthId": health_id, "reason": refusal, "shredAfterSecs": self.config.retention_secs});
				}
			},
			Err(refusal) => {
				warn!("not_served", {"healthId": health_id, "reason": refusal});
			},
		}
		Ok(())
	}

	/// Shreds the records of patients stopped longer than the retention period (after
	/// checking once more, at the finalized block, that the patient still chose so), and
	/// revokes their anchors on chain with reason `Erased`. Returns how many records were
	/// shredded.
	pub async fn shred_due(&self) -> usize {
		let now = now_ms() / 1000;
		let mut shredded = 0;
		for (health_id, since) in self.store.stopped() {
			if now < since.saturating_add(self.config.retention_secs) {
				continue;
			}
			match self.node.serves(health_id, true).await {
				Ok(Err(refusal)) if refusal.is_patient_choice() => {},
				Ok(_) => {
					// The patient shares records from here again (or the refusal is not
					// theirs): nothing to shred.
					self.store.clear_stopped(&health_id);
					info!("shredding_cancelled", {"healthId": health_id});
					continue;
				},
				Err(e) => {
					error!("shred_deferred", {"healthId": health_id, "error": e.message});
					continue;
				},
			}
			for (hash, _) in self.store.records_of(&health_id) {
				if self.store.is_erased(&hash) {
					continue;
				}
				let content_hash = H256(hash);
				if let Err(e) = self.store.shred(&hash) {
					error!("shred_failed", {"healthId": health_id, "contentHash": content_hash, "error": e.to_string()});
					continue;
				}
				shredded += 1;
				info!("record_shredded", {"healthId": health_id, "contentHash": content_hash});
				if let Err(e) = self.node.revoke_erased(health_id, content_hash).await {
					error!("revoke_failed", {"healthId": health_id, "contentHash": content_hash, "error": e.to_string()});
				}
			}
			self.store.clear_stopped(&health_id);
		}
		shredded
	}

	/// Follows finalized blocks; on an enrolment, withdrawal or source change of a patient
	/// with records here, re-evaluates that patient. Shreds what is due every second.
	/// Returns when the node's stream ends (the caller reconnects) or on shutdown.
	pub async fn watch(&self, mut shutdown: tokio::sync::watch::Receiver<bool>) {
		// Catch up on whatever happened while the gateway was down.
		let patients: BTreeSet<HealthId> =
			self.store.all_meta().into_iter().map(|(_, m)| m.health_id).collect();
		for p in &patients {
			if let Err(e) = self.reconcile(p).await {
				error!("reconcile_failed", {"healthId": p, "error": e.message});
			}
		}
		let mut blocks = match self.node.client().api().stream_blocks().await {
			Ok(b) => b,
			Err(e) => {
				error!("watch_failed", {"error": e.to_string()});
				return;
			},
		};
		let mut tick = tokio::time::interval(Duration::from_secs(1));
		loop {
			tokio::select! {
				_ = shutdown.changed() => return,
				_ = tick.tick() => { self.shred_due().await; },
				block = blocks.next() => {
					let Some(Ok(block)) = block else {
						error!("watch_stream_ended", {});
						return;
					};
					let Ok(at) = block.at().await else { continue };
					let Ok(events) = at.events().fetch().await else { continue };
					let mut touched = BTreeSet::new();
					touched.extend(events.find::<Enrolled>().flatten().map(|e| e.health_id.0));
					touched.extend(events.find::<Withdrawn>().flatten().map(|e| e.health_id.0));
					touched
						.extend(events.find::<SourcesChanged>().flatten().map(|e| e.health_id.0));
					for id in touched {
						if let Err(e) = self.reconcile(&id).await {
							error!("reconcile_failed", {"healthId": id, "error": e.message});
						}
					}
				}
			}
		}
	}
}
