//! `serve`: a peer gateway asks this (source) gateway for records. The chain's source rule
//! must still let this hospital serve the patient, and the requester's attestation must be
//! in the finalized access log (hash chain verified), recent, made by the requester, and name
//! every record and its category. The records are then sealed for the requester
//! (X25519), who checks each ciphertext against its anchored hash before decrypting
//! ([`open_records`]).

use crate::{
	crypto::{self, ExchangeKey},
	error::{bad, codes, err, name, GatewayError},
	info,
	service::{now_ms, Gateway, MAX_RECORDS},
	warn,
	wire::{FetchedRecord, SealedRecord, ServeAnswer, ServeRequest},
};
use healthchain_primitives::DataCategory;
use sp_core::H256;

impl Gateway {
	/// Serves a peer's request (see the module documentation for the checks).
	pub async fn serve(&self, req: ServeRequest) -> Result<ServeAnswer, GatewayError> {
		let id = req.health_id;
		let requester = self.peers.get(&req.requester).ok_or_else(|| {
			err(codes::UNKNOWN_PEER, format!("unknown peer gateway {}", req.requester))
		})?;
		if req.records.is_empty() || req.records.len() > MAX_RECORDS {
			return Err(bad(format!("records: 1 to {MAX_RECORDS} hashes")));
		}

		// The chain's source rule: this hospital may still serve the patient's data.
		let rule = self.node.serves(id, false).await?;
		let stopped = self.store.stopped_since(&id).is_some();
		if let Err(refusal) = rule {
			warn!("serve_refused", {"healthId": id, "requester": req.requester, "reason": refusal});
			return Err(err(
				codes::NOT_SERVED,
				format!(
					"records are not served: the chain refuses this source ({})",
					name(&refusal)
				),
			));
		}
		if stopped {
			warn!("serve_refused", {"healthId": id, "requester": req.requester, "reason": "stopped"});
			return Err(err(codes::NOT_SERVED, "records are not served: this hospital stopped"));
		}

		// The attestation, verified against the finalized on-chain head.
		let entry = self.node.attestation(id, req.attestation).await?;
		let refuse = |m: String| {
			warn!("serve_refused", {"healthId": id, "requester": req.requester, "attestation": req.attestation, "reason": m});
			err(codes::BAD_ATTESTATION, m)
		};
		let attested_by = healthchain_client::rpc::text(&entry.hospital);
		if attested_by != req.requester {
			return Err(refuse(format!(
				"attestation {} was made by {attested_by}, not {}",
				req.attestation, req.requester
			)));
		}
		let age_ms = now_ms().saturating_sub(entry.at);
		if age_ms > self.config.attestation_max_age_secs * 1000 {
			return Err(refuse(format!(
				"attestation {} is {} s old (at most {} s)",
				req.attestation,
				age_ms / 1000,
				self.config.attestation_max_age_secs
			)));
		}
		let mut items = Vec::new();
		for hash in &req.records {
			if !entry.records.contains(hash) {
				return Err(refuse(format!(
					"attestation {} does not name record {hash:?}",
					req.attestation
				)));
			}
			let meta = self.store.meta(&hash.0).filter(|m| m.health_id == id).ok_or_else(|| {
				err(codes::UNKNOWN_RECORD, format!("no record {hash:?} of this patient here"))
			})?;
			if !entry.categories.contains(&meta.category) {
				return Err(refuse(format!(
					"attestation {} does not cover category {}",
					req.attestation,
					name(&meta.category)
				)));
			}
			let ciphertext = self.store.ciphertext(&hash.0)?;
			let key = self.store.key(&hash.0)?;
			items.push(SealedRecord {
				hash: *hash,
				ciphertext: ciphertext.into(),
				key: H256(*key),
			});
		}
		let sealed = seal_records(&self.exchange, &requester.key, &items);
		info!("served", {"healthId": id, "requester": req.requester, "attestation": req.attestation, "records": req.records.len()});
		Ok(ServeAnswer { sealed: sealed.into() })
	}
}

/// Seals records (ciphertext and key each) for a requester: what a source returns.
pub fn seal_records(
	exchange: &ExchangeKey,
	requester_key: &[u8; 32],
	records: &[SealedRecord],
) -> Vec<u8> {
	exchange.seal_for(requester_key, &serde_json::to_vec(records).unwrap_or_default())
}

/// Opens a source's sealed answer and checks every expected record's ciphertext against its
/// anchored hash before decrypting it. Nothing is returned unless every record checks.
pub fn open_records(
	exchange: &ExchangeKey,
	source: &str,
	peer_key: &[u8; 32],
	sealed: &[u8],
	expected: &[(H256, DataCategory)],
) -> Result<Vec<FetchedRecord>, GatewayError> {
	let opened = exchange
		.open_from(peer_key, sealed)
		.map_err(|e| err(codes::INTEGRITY, format!("answer from {source} does not open: {e}")))?;
	let items: Vec<SealedRecord> = serde_json::from_slice(&opened)
		.map_err(|e| err(codes::PEER_FAILED, format!("peer {source}: malformed payload: {e}")))?;
	let mut out = Vec::new();
	for (hash, category) in expected {
		let item = items.iter().find(|i| i.hash == *hash).ok_or_else(|| {
			err(codes::PEER_FAILED, format!("peer {source} did not return {hash:?}"))
		})?;
		crypto::verify_hash(&hash.0, &item.ciphertext).map_err(|e| {
			err(codes::INTEGRITY, format!("record from {source} fails its anchored hash: {e}"))
		})?;
		let plain = crypto::decrypt(&item.key.0, &item.ciphertext)
			.map_err(|e| err(codes::INTEGRITY, format!("record from {source}: {e}")))?;
		out.push(FetchedRecord {
			content_hash: *hash,
			source: source.to_string(),
			category: *category,
			bundle: serde_json::from_slice(&plain)
				.map_err(|e| err(codes::INTEGRITY, format!("bundle from {source}: {e}")))?,
		});
	}
	Ok(out)
}

#[cfg(test)]
mod tests {
	use super::*;

	fn sealed_record(plain: &[u8]) -> SealedRecord {
		let key = crypto::new_record_key();
		let ct = crypto::encrypt(&key, plain);
		SealedRecord {
			hash: H256(crypto::content_hash(&ct)),
			ciphertext: ct.into(),
			key: H256(*key),
		}
	}

	#[test]
	fn the_requester_checks_every_anchored_hash_before_showing_anything() {
		let (source, requester) = (ExchangeKey::generate(), ExchangeKey::generate());
		let good = sealed_record(br#"{"resourceType":"Bundle"}"#);
		let other = sealed_record(br#"{"resourceType":"Bundle","id":"2"}"#);
		let expected = [(good.hash, DataCategory::Allergy), (other.hash, DataCategory::Visit)];
		let sealed = seal_records(&source, &requester.public(), &[good.clone(), other.clone()]);
		let got = open_records(&requester, "H0001", &source.public(), &sealed, &expected).unwrap();
		assert_eq!(got.len(), 2);
		assert_eq!(got[0].bundle, serde_json::json!({"resourceType": "Bundle"}));

		// A source that swaps in other bytes under the anchored hash is caught.
		let mut tampered = good.clone();
		tampered.ciphertext.0[30] ^= 1;
		let sealed = seal_records(&source, &requester.public(), &[tampered, other.clone()]);
		let e =
			open_records(&requester, "H0001", &source.public(), &sealed, &expected).unwrap_err();
		assert_eq!(e.code, codes::INTEGRITY);
		assert!(e.message.contains("anchored hash"), "{}", e.message);

		// A missing record, a wrong key, and an answer sealed by someone else.
		let sealed = seal_records(&source, &requester.public(), std::slice::from_ref(&good));
		let e =
			open_records(&requester, "H0001", &source.public(), &sealed, &expected).unwrap_err();
		assert_eq!(e.code, codes::PEER_FAILED);
		let mut wrong_key = good.clone();
		wrong_key.key = H256::repeat_byte(9);
		let sealed = seal_records(&source, &requester.public(), &[wrong_key, other.clone()]);
		let e =
			open_records(&requester, "H0001", &source.public(), &sealed, &expected).unwrap_err();
		assert_eq!(e.code, codes::INTEGRITY);
		let impostor = ExchangeKey::generate();
		let sealed = seal_records(&impostor, &requester.public(), &[good, other]);
		let e =
			open_records(&requester, "H0001", &source.public(), &sealed, &expected).unwrap_err();
		assert_eq!(e.code, codes::INTEGRITY);
	}
}
