//! `put`: encrypt a FHIR bundle with a fresh key, store it under the hash of its ciphertext,
//! anchor the hash on chain and wait for finality.

use crate::{
	error::{bad, codes, err, GatewayError},
	info,
	service::Gateway,
	store::RecordMeta,
	warn,
	wire::{PutRequest, PutResult},
};
use serde_json::Value as Json;
use sp_core::H256;

impl Gateway {
	/// Encrypts, stores and anchors a bundle. A definite refusal of the anchor (by the pool
	/// or in a block) leaves nothing in the store; an unknown outcome (the node went away
	/// after submission) keeps the ciphertext and key, since the anchor may be final.
	pub async fn put(&self, req: PutRequest) -> Result<PutResult, GatewayError> {
		if req.bundle.get("resourceType").and_then(Json::as_str) != Some("Bundle") {
			return Err(bad("bundle: expected a FHIR Bundle (resourceType \"Bundle\")"));
		}
		let plaintext = serde_json::to_vec(&req.bundle).map_err(|e| bad(e.to_string()))?;
		let (hash, size) = self.store.put(&plaintext)?;
		let content_hash = H256(hash);
		let anchored =
			self.node.anchor(req.health_id, req.category, content_hash, size, req.supersedes).await;
		let (index, block) = match anchored {
			Ok(done) => done,
			Err(e) => {
				let definite = e.is_definite_refusal();
				if definite {
					self.store.discard(&hash);
				}
				warn!("put_refused", {"healthId": req.health_id, "contentHash": content_hash, "definite": definite, "error": e.to_string()});
				return Err(match e.failure() {
					Some(_) => err(codes::ANCHOR_REFUSED, e.to_string()),
					None => e.into(),
				});
			},
		};
		let meta = RecordMeta { health_id: req.health_id, category: req.category, size, block };
		self.store.put_meta(&hash, &meta)?;
		info!("put", {"healthId": req.health_id, "contentHash": content_hash, "category": req.category, "size": size, "block": block, "index": index});
		Ok(PutResult { content_hash, size, block, index })
	}
}
