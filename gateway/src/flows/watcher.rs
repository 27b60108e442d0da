//! The withdrawal watcher: follows finalized blocks and acts on the patient's own choices.
//!
//! The rules, each against a failure seen in the field:
//! - It acts only on a node that is ready ([`NodeView::readiness`]): not syncing, finalized
//!   head recent. A syncing or cut-off node shows patients as unknown.
//! - It acts only on blocks of the chain it has followed: the last block it processed (its
//!   watermark) must be in the node's finalized chain. A freshly started node of the same
//!   genesis is another chain.
//! - Only a finalized `Withdrawn` or `SourcesChanged` event it has seen, confirmed by the
//!   chain's source rule (the patient's choice), starts the retention clock. A patient who
//!   merely looks not enrolled or unknown is not served (serve asks the rule on every
//!   request) but never shredded.
//! - Just before shredding it checks again: node ready, the event's block still in the
//!   node's finalized chain, the source rule still the patient's choice.
//! - A shred is recorded with its revocation due; the revocation (`Erased`) is retried until
//!   the chain holds it.
//! - A store that cannot be read defers: the catch-up stops before the block (the watermark
//!   stays), a patient's shredding waits for the next tick, and nothing is read as "no records"
//!   or "not stopped".
//!
//! The reading of a block's events is the chain view's ([`NodeView::choices`]); what is done
//! about them is here.
//!
//! [`NodeView::readiness`]: crate::chain::NodeView::readiness
//! [`NodeView::choices`]: crate::chain::NodeView::choices

use super::gateway::Gateway;
use crate::{
	chain::{clock::now_ms, events::Choices},
	error,
	error::GatewayError,
	info,
	vault::{StopMark, StoreError},
	warn,
};
use healthchain_primitives::{logs::RecordOp, HealthId};
use sp_core::H256;
use std::{
	collections::{BTreeMap, BTreeSet},
	time::Duration,
};

impl Gateway {
	/// Whether the patient has records here that are not erased, or puts pending (a store
	/// read error is returned: the caller defers).
	fn has_live_records(&self, health_id: &HealthId) -> Result<bool, StoreError> {
		if self.has_pending_puts(health_id) {
			return Ok(true);
		}
		for (hash, _) in self.store.records_of(health_id)? {
			if !self.store.is_erased(&hash)? {
				return Ok(true);
			}
		}
		Ok(false)
	}

	/// Records of patients this hospital stopped serving whose keys are not shredded yet
	/// (the shredding backlog, for the metrics).
	pub fn shred_backlog(&self) -> Result<usize, StoreError> {
		let mut backlog = 0;
		for (id, _) in self.store.stopped()? {
			for (hash, _) in self.store.records_of(&id)? {
				if !self.store.is_erased(&hash)? {
					backlog += 1;
				}
			}
		}
		Ok(backlog)
	}

	/// Whether a put for the patient is still pending (its record may yet become live).
	fn has_pending_puts(&self, health_id: &HealthId) -> bool {
		self.store
			.pending()
			.map(|p| p.iter().any(|(_, put)| &put.health_id == health_id))
			.unwrap_or(true)
	}

	/// The node is ready and its finalized chain holds the watcher's watermark: the
	/// finalized block number and hash to act on, or why not.
	pub(crate) async fn actionable(&self) -> Result<(u64, H256), String> {
		let ready = self.node.readiness().await.map_err(|e| e.message)?;
		if let Some(why) = ready.not_ready {
			return Err(why);
		}
		let watermark = self.store.watermark().map_err(|e| e.to_string())?;
		if let Some((n, hash)) = watermark {
			if n > ready.finalized {
				return Err(format!(
					"the node's finalized head #{} is behind the last block this gateway processed (#{n})",
					ready.finalized
				));
			}
			let here = self.node.block_hash(n).await.map_err(|e| e.message)?;
			if here != Some(H256(hash)) {
				return Err(format!(
					"the node's chain does not hold block #{n} {:?} that this gateway processed: another chain",
					H256(hash)
				));
			}
		}
		Ok((ready.finalized, ready.finalized_hash))
	}

	/// Acts on one finalized block's events: a patient's choice confirmed by the source rule
	/// starts the retention clock (with the block as evidence); serving resumes when the
	/// rule allows it again.
	async fn on_events(
		&self,
		number: u64,
		hash: H256,
		touched: Choices,
	) -> Result<(), GatewayError> {
		for id in touched.enrolled.iter().chain(&touched.chose) {
			if !self.has_live_records(id)? {
				continue;
			}
			match self.node.serves(*id, true).await? {
				Ok(()) => {
					if self.store.clear_stopped(id) {
						info!("serving_resumed", {"healthId": id});
					}
				},
				Err(refusal) if refusal.is_patient_choice() && touched.chose.contains(id) => {
					let mark =
						StopMark { since_secs: now_ms() / 1000, block: number, block_hash: hash.0 };
					if self.store.mark_stopped(id, &mark)? {
						warn!("serving_stopped", {"healthId": id, "reason": refusal, "block": number, "shredAfterSecs": self.config.retention_secs});
					}
				},
				Err(refusal) => warn!("not_served", {"healthId": id, "reason": refusal}),
			}
		}
		Ok(())
	}

	/// Processes finalized blocks after the watermark up to `finalized`, in order, moving
	/// the watermark block by block. The first run starts at the finalized head.
	pub async fn catch_up(&self, finalized: u64, finalized_hash: H256) -> Result<(), GatewayError> {
		let Some((mut n, _)) = self.store.watermark()? else {
			self.store.set_watermark(finalized, &finalized_hash.0)?;
			return Ok(());
		};
		while n < finalized {
			n += 1;
			let Some(hash) = self.node.block_hash(n).await? else {
				return Err(crate::error::unavailable(format!("the node has no block #{n}")));
			};
			let touched = self.node.choices(hash).await?;
			self.on_events(n, hash, touched).await?;
			self.store.set_watermark(n, &hash.0)?;
		}
		Ok(())
	}

	/// Clears the stop marks of patients the source rule lets this hospital serve again
	/// (never sets one: only a seen event does).
	pub async fn reconcile(&self, health_id: &HealthId) -> Result<(), GatewayError> {
		if self.store.stopped_since(health_id)?.is_some()
			&& self.node.serves(*health_id, true).await?.is_ok()
			&& self.store.clear_stopped(health_id)
		{
			info!("serving_resumed", {"healthId": health_id});
		}
		Ok(())
	}

	/// Shreds the records of patients stopped longer than the retention period, after
	/// checking once more (see the module documentation); records each shred's revocation
	/// as due. Returns how many records were shredded.
	pub async fn shred_due(&self) -> usize {
		let now = now_ms() / 1000;
		let stopped = match self.store.stopped() {
			Ok(stopped) => stopped,
			Err(e) => {
				// Logged by the store; the next tick reads again.
				warn!("shred_deferred", {"reason": format!("the store cannot be read: {e}")});
				return 0;
			},
		};
		let due: Vec<(HealthId, StopMark)> = stopped
			.into_iter()
			.filter(|(_, m)| now >= m.since_secs.saturating_add(self.config.retention_secs))
			.collect();
		if due.is_empty() {
			return 0;
		}
		if let Err(why) = self.actionable().await {
			for (id, _) in &due {
				warn!("shred_deferred", {"healthId": id, "reason": why});
			}
			return 0;
		}
		let mut shredded = 0;
		for (health_id, mark) in due {
			match self.node.block_hash(mark.block).await {
				Ok(Some(h)) if h.0 == mark.block_hash => {},
				Ok(_) => {
					warn!("shred_deferred", {"healthId": health_id, "reason": "the block of the patient's choice is not in this node's finalized chain", "block": mark.block});
					continue;
				},
				Err(e) => {
					warn!("shred_deferred", {"healthId": health_id, "reason": e.message});
					continue;
				},
			}
			match self.node.serves(health_id, true).await {
				Ok(Err(refusal)) if refusal.is_patient_choice() => {},
				Ok(Ok(())) => {
					self.store.clear_stopped(&health_id);
					info!("shredding_cancelled", {"healthId": health_id});
					continue;
				},
				Ok(Err(refusal)) => {
					warn!("shred_deferred", {"healthId": health_id, "reason": refusal});
					continue;
				},
				Err(e) => {
					warn!("shred_deferred", {"healthId": health_id, "reason": e.message});
					continue;
				},
			}
			if self.has_pending_puts(&health_id) {
				// Settled first: a put that turns out anchored is shredded with the rest.
				warn!("shred_deferred", {"healthId": health_id, "reason": "a put for the patient is still pending"});
				continue;
			}
			// A store read error defers this patient (the mark stays): never read as "no
			// records", which would clear the mark with the records unshredded.
			let records = match self.store.records_of(&health_id) {
				Ok(records) => records,
				Err(e) => {
					warn!("shred_deferred", {"healthId": health_id, "reason": format!("the store cannot be read: {e}")});
					continue;
				},
			};
			let mut failed = false;
			for (hash, _) in records {
				match self.store.is_erased(&hash) {
					Ok(true) => continue,
					Ok(false) => {},
					Err(e) => {
						failed = true;
						error!("shred_failed", {"healthId": health_id, "contentHash": H256(hash), "error": e.to_string()});
						continue;
					},
				}
				match self.store.shred(&hash, &health_id) {
					Ok(()) => {
						shredded += 1;
						info!("record_shredded", {"healthId": health_id, "contentHash": H256(hash)});
					},
					Err(e) => {
						failed = true;
						error!("shred_failed", {"healthId": health_id, "contentHash": H256(hash), "error": e.to_string()});
					},
				}
			}
			// A failed shred keeps the mark: the next tick tries again.
			if !failed {
				self.store.clear_stopped(&health_id);
			}
		}
		shredded
	}

	/// Revokes, with reason `Erased`, the anchors of shredded records until the chain holds
	/// each revocation (a revocation already in the finalized log is not sent twice).
	pub async fn revoke_due(&self) {
		// The anchors this hospital already revoked, per patient (as erased, or earlier for
		// another reason: the chain takes one revocation of a record, so either settles it):
		// one log read per patient and pass, however many of its records are due.
		let mut revoked: BTreeMap<HealthId, BTreeSet<H256>> = BTreeMap::new();
		for (hash, health_id) in self.store.revoke_due() {
			let content_hash = H256(hash);
			if let std::collections::btree_map::Entry::Vacant(slot) = revoked.entry(health_id) {
				match self.node.record_log(health_id).await {
					Ok(log) => {
						let erased = log.into_iter().filter_map(|(_, e)| match e.op {
							RecordOp::Revoke { content_hash: h, .. }
								if healthchain_client::rpc::text(&e.hospital)
									== self.hospital() =>
							{
								Some(h)
							},
							_ => None,
						});
						slot.insert(erased.collect());
					},
					Err(e) => {
						warn!("revoke_deferred", {"healthId": health_id, "contentHash": content_hash, "error": e.message});
						continue;
					},
				}
			}
			let done = revoked.get(&health_id).is_some_and(|set| set.contains(&content_hash));
			let result =
				if done { Ok(()) } else { self.node.revoke_erased(health_id, content_hash).await };
			match result {
				Ok(()) => {
					if let Err(e) = self.store.revoked(&hash) {
						error!("revoke_unrecorded", {"contentHash": content_hash, "error": e.to_string()});
					} else {
						info!("anchor_revoked", {"healthId": health_id, "contentHash": content_hash});
					}
				},
				Err(e) => {
					error!("revoke_failed", {"healthId": health_id, "contentHash": content_hash, "error": e.to_string(), "retry": true});
				},
			}
		}
	}

	/// Waits until the node is reachable and ready, logging why not (once per reason).
	async fn wait_for_node(
		&self,
		shutdown: &mut tokio::sync::watch::Receiver<bool>,
	) -> Option<(u64, H256)> {
		let mut last = String::new();
		loop {
			match self.actionable().await {
				Ok(head) => {
					if !last.is_empty() {
						info!("node_ready", {"finalized": head.0});
					}
					return Some(head);
				},
				Err(why) => {
					if why != last {
						warn!("waiting_for_node", {"reason": why});
						last = why;
					}
				},
			}
			tokio::select! {
				_ = shutdown.changed() => return None,
				_ = tokio::time::sleep(Duration::from_secs(2)) => {},
			}
		}
	}

	/// Follows finalized blocks once the node is ready: catches up from the watermark,
	/// then acts on each new block; settles pending puts, shreds what is due and retries
	/// revocations on a timer. Returns when the node's stream ends (the caller calls again)
	/// or on shutdown.
	pub async fn watch(&self, mut shutdown: tokio::sync::watch::Receiver<bool>) {
		let Some((finalized, finalized_hash)) = self.wait_for_node(&mut shutdown).await else {
			return;
		};
		match self.settle_pending().await {
			Ok((0, 0)) => {},
			Ok((recovered, discarded)) => {
				info!("pending_settled", {"recovered": recovered, "discarded": discarded})
			},
			Err(e) => warn!("settle_deferred", {"error": e.message}),
		}
		for p in self.store.patients() {
			if let Err(e) = self.reconcile(&p).await {
				error!("reconcile_failed", {"healthId": p, "error": e.message});
			}
		}
		if let Err(e) = self.catch_up(finalized, finalized_hash).await {
			error!("catch_up_failed", {"error": e.message});
			self.node.reconnect().await;
			return;
		}
		let client = match self.node.client().await {
			Ok(c) => c,
			Err(e) => {
				error!("watch_failed", {"error": e.message});
				return;
			},
		};
		let mut blocks = match client.api().stream_blocks().await {
			Ok(b) => b,
			Err(e) => {
				error!("watch_failed", {"error": e.to_string()});
				self.node.reconnect().await;
				return;
			},
		};
		let mut tick = tokio::time::interval(Duration::from_secs(1));
		let mut slow = tokio::time::interval(Duration::from_secs(15));
		loop {
			tokio::select! {
				_ = shutdown.changed() => return,
				_ = tick.tick() => { self.shred_due().await; },
				_ = slow.tick() => {
					self.revoke_due().await;
					if let Err(e) = self.settle_pending().await {
						if self.store.pending().map(|p| !p.is_empty()).unwrap_or(false) {
							warn!("settle_deferred", {"error": e.message});
						}
					}
				},
				block = blocks.next() => {
					let Some(Ok(block)) = block else {
						error!("watch_stream_ended", {});
						self.node.reconnect().await;
						return;
					};
					let number = block.number();
					let hash = block.hash();
					// An unreadable watermark is not "processed": the catch-up below refuses.
					if matches!(self.store.watermark(), Ok(Some((n, _))) if number <= n) {
						continue;
					}
					// Only on a ready node that holds the watermark, and in order.
					match self.actionable().await {
						Ok(_) => {
							if let Err(e) = self.catch_up(number, hash).await {
								error!("catch_up_failed", {"error": e.message});
							}
						},
						Err(why) => warn!("block_not_acted_on", {"block": number, "reason": why}),
					}
				}
			}
		}
	}
}
