//! `put`: encrypt a FHIR bundle with a fresh key, store it (pending) under the hash of its
//! ciphertext, anchor the hash on chain and wait for finality; and the settling of puts
//! whose outcome was not seen ([`Gateway::settle_pending`]).
//!
//! A stored record is deleted only when the chain has definitely refused its anchor: a
//! dispatch error in a finalized block, or — for a submission whose outcome was lost — a
//! finalized chain past the transaction's mortal era without the anchor. Anything else (a
//! lost subscription, a timeout, a pool answer that may have been a transport failure)
//! keeps the record pending, and the chain is asked again.

use super::{
	caller::{scopes, Caller},
	gateway::Gateway,
};
use crate::{
	chain::clock::now_ms,
	error::{bad, codes, err, GatewayError},
	info,
	vault::store::{RecordMeta, UNKNOWN_SINCE},
	warn,
	wire::{PutRequest, PutResult},
};
use healthchain_client::SubmitError;
use serde_json::Value as Json;
use sp_core::H256;

/// Blocks after a block at least as late as its birth by which a transaction, mortal for 64
/// blocks, is certainly dead (with a margin for the era's rounding).
pub const MORTAL_WINDOW: u64 = 64 + 16;

impl Gateway {
	/// Encrypts, stores and anchors a bundle for a hospital system whose token has scope
	/// `records.write`. A dispatch error of the anchor in a finalized block, or a node that
	/// could not take the submission at all, leaves nothing in the store; any other failure
	/// keeps the record pending, to be settled against the chain (it may be anchored).
	pub async fn put(&self, caller: &Caller, req: PutRequest) -> Result<PutResult, GatewayError> {
		caller.require(scopes::PUT)?;
		if req.bundle.get("resourceType").and_then(Json::as_str) != Some("Bundle") {
			return Err(bad("bundle: expected a FHIR Bundle (resourceType \"Bundle\")"));
		}
		let plaintext = serde_json::to_vec(&req.bundle).map_err(|e| bad(e.to_string()))?;
		// The era bound is unknown until a submission has happened: it is set when an outcome
		// is lost (or by settling, after a crash), never from a block read before the
		// submission queue, which the transaction's birth may come long after.
		let (hash, size) =
			self.store.put(&plaintext, req.health_id, req.category, UNKNOWN_SINCE)?;
		let content_hash = H256(hash);
		// While it is being submitted (waiting for the one-at-a-time submission lock, then
		// for finality), settling leaves it alone.
		let _submitting = self.submitting(hash);
		let anchored =
			self.node.anchor(req.health_id, req.category, content_hash, size, req.supersedes).await;
		let (index, block) = match anchored {
			Ok(done) => done,
			Err(SubmitError::Failed(failure)) => {
				// In a finalized block: the chain will never hold this anchor.
				self.store.discard(&hash)?;
				warn!("put_refused", {"caller": caller.subject, "healthId": req.health_id, "contentHash": content_hash, "error": failure.to_string()});
				return Err(err(
					codes::ANCHOR_REFUSED,
					format!("the chain refused the anchor: {failure}"),
				));
			},
			Err(e @ SubmitError::Unavailable(_)) => {
				// The node could not be reached or the transaction not built: nothing was
				// submitted.
				self.store.discard(&hash)?;
				return Err(e.into());
			},
			Err(e) => {
				// Perhaps anchored, perhaps not: kept pending, settled against the chain. The
				// transaction was born no later than the best block now.
				let since = self.node.best_number().await.unwrap_or(UNKNOWN_SINCE);
				self.store.set_pending_since(&hash, since)?;
				warn!("put_outcome_unknown", {"caller": caller.subject, "healthId": req.health_id, "contentHash": content_hash, "error": e.to_string()});
				let code = match e {
					SubmitError::Invalid(_) => codes::ANCHOR_REFUSED,
					_ => codes::UNAVAILABLE,
				};
				return Err(err(
					code,
					format!(
						"{e}; the record is kept as {content_hash:?} and settled against the chain \
						 (gateway_status counts it in pendingPuts until then)"
					),
				));
			},
		};
		let meta = RecordMeta {
			health_id: req.health_id,
			category: req.category,
			size,
			index,
			block: Some(block),
		};
		self.store.confirm(&hash, &meta)?;
		info!("put", {"caller": caller.subject, "healthId": req.health_id, "contentHash": content_hash, "category": req.category, "size": size, "block": block, "index": index});
		Ok(PutResult { content_hash, size, block, index })
	}

	/// Settles pending puts against the finalized chain, on a node that is ready: an anchor
	/// found makes the record live (recovered); an anchor still absent once the finalized
	/// chain is past the transaction's mortal era means it was refused, and only then is the
	/// record removed. Also removes ciphertexts that never reached the index (the process
	/// died before the put was recorded, so nothing was submitted). Returns (recovered,
	/// discarded).
	pub async fn settle_pending(&self) -> Result<(usize, usize), GatewayError> {
		// Only on a ready node of the chain this gateway has followed: a fresh node of the
		// same genesis lacks every anchor.
		let (finalized, _) = self.actionable().await.map_err(|why| err(codes::UNAVAILABLE, why))?;
		let (mut recovered, mut discarded) = (0, 0);
		for hash in self.store.unindexed_blobs() {
			self.store.remove_blob(&hash)?;
			warn!("unsubmitted_blob_removed", {"contentHash": H256(hash)});
		}
		for (hash, pending) in self.store.pending()? {
			if self.is_submitting(&hash) {
				continue;
			}
			let content_hash = H256(hash);
			match self.node.anchored_here(pending.health_id, content_hash).await? {
				Some(index) => {
					let meta = RecordMeta {
						health_id: pending.health_id,
						category: pending.category,
						size: pending.size,
						index,
						block: None,
					};
					self.store.confirm(&hash, &meta)?;
					recovered += 1;
					info!("record_recovered", {"healthId": pending.health_id, "contentHash": content_hash, "index": index});
				},
				None if pending.since_block == UNKNOWN_SINCE => {
					// Its submission's outcome was never recorded (a crash, or the node gone):
					// the era is bounded from now on.
					self.store.set_pending_since(&hash, self.node.best_number().await?)?;
				},
				None if finalized > pending.since_block.saturating_add(MORTAL_WINDOW) => {
					self.store.discard(&hash)?;
					discarded += 1;
					warn!("put_abandoned", {"healthId": pending.health_id, "contentHash": content_hash, "eraBoundBlock": pending.since_block, "finalized": finalized, "pendingSecs": (now_ms() / 1000).saturating_sub(pending.since_secs)});
				},
				None => {},
			}
		}
		Ok((recovered, discarded))
	}
}
