//! `serve`: a peer gateway asks this (source) gateway for records. The chain's source rule
//! must still let this hospital serve the patient, and the requester's attestation must be
//! in the finalized access log (hash chain verified), recent, made by the requester, and name
//! every record and its category; every record must still be live in the finalized record
//! log (not superseded or revoked since). The records are then sealed for the requester
//! (X25519), who checks each ciphertext against its anchored hash before decrypting
//! ([`open_records`]).

use crate::{
	crypto::{self, ExchangeKey},
	error::{bad, codes, err, name, GatewayError},
	info,
	service::{now_ms, Gateway, MAX_RECORDS, MAX_SERVE_BYTES},
	tls::PeerIdentity,
	warn,
	wire::{FetchedRecord, SealedKey, ServeAnswer, ServeRequest},
};
use healthchain_primitives::DataCategory;
use sp_core::H256;

impl Gateway {
	/// Serves a peer's request (see the module documentation for the checks).
	/// `tls_peer` is the hospital whose pinned certificate the mutual-TLS connection
	/// presented: the request must be made in its own name.
	pub async fn serve(
		&self,
		tls_peer: Option<&PeerIdentity>,
		req: ServeRequest,
	) -> Result<ServeAnswer, GatewayError> {
		let id = req.health_id;
		match tls_peer {
			Some(PeerIdentity(code)) if *code == req.requester => {},
			Some(PeerIdentity(code)) => {
				warn!("serve_refused", {"healthId": id, "requester": req.requester, "tlsPeer": code, "reason": "requester is not the TLS peer"});
				return Err(err(
					codes::UNKNOWN_PEER,
					format!(
						"the TLS client is {code}; it may not ask in the name of {}",
						req.requester
					),
				));
			},
			None => return Err(err(codes::UNKNOWN_PEER, "no authenticated TLS peer")),
		}
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
		// Every record checked before any is read; at most MAX_SERVE_BYTES a call (one record
		// at least), as requesters ask.
		let mut bytes = 0u64;
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
			bytes += meta.size as u64;
		}
		// Each record is still live in the patient's finalized record log, as this hospital
		// anchored it: never superseded or revoked since it was attested (the chain checked it
		// when the attestation was made; the log is asked again here, at serve time).
		let live = self.node.live_records(id).await?;
		for hash in &req.records {
			let ours = live.iter().any(|r| {
				r.content_hash == *hash
					&& healthchain_client::rpc::text(&r.hospital) == self.hospital()
			});
			if !ours {
				warn!("serve_refused", {"healthId": id, "requester": req.requester, "contentHash": hash, "reason": "not live"});
				return Err(err(
					codes::NOT_LIVE,
					format!("record {hash:?} is no longer live in the patient's record log"),
				));
			}
		}
		if req.records.len() > 1 && bytes > MAX_SERVE_BYTES {
			return Err(bad(format!(
				"records: {bytes} bytes asked at once; at most {MAX_SERVE_BYTES} (or one record) a call"
			)));
		}
		let mut keys = Vec::new();
		let mut ciphertexts = Vec::new();
		for hash in &req.records {
			let ciphertext = self.store.ciphertext(&hash.0)?;
			let key = self.store.key(&hash.0)?;
			keys.push(SealedKey { hash: *hash, key: H256(*key) });
			ciphertexts.push(ciphertext.into());
		}
		let sealed = seal_keys(&requester.key, &keys);
		info!("served", {"healthId": id, "requester": req.requester, "attestation": req.attestation, "records": req.records.len()});
		Ok(ServeAnswer { sealed: sealed.into(), ciphertexts })
	}
}

/// Seals record keys for a requester, with a fresh ephemeral key: what a source returns
/// beside the ciphertexts.
pub fn seal_keys(requester_key: &[u8; 32], keys: &[SealedKey]) -> Vec<u8> {
	crypto::seal_for(requester_key, &serde_json::to_vec(keys).unwrap_or_default())
}

/// Opens a source's answer: unseals the keys, checks every expected record's ciphertext
/// against its anchored hash, then decrypts it. Nothing is returned unless every record
/// checks.
pub fn open_records(
	exchange: &ExchangeKey,
	source: &str,
	answer: &ServeAnswer,
	expected: &[(H256, DataCategory)],
) -> Result<Vec<FetchedRecord>, GatewayError> {
	let opened = exchange
		.open(&answer.sealed)
		.map_err(|e| err(codes::INTEGRITY, format!("answer from {source} does not open: {e}")))?;
	let keys: Vec<SealedKey> = serde_json::from_slice(&opened)
		.map_err(|e| err(codes::PEER_FAILED, format!("peer {source}: malformed payload: {e}")))?;
	if answer.ciphertexts.len() != expected.len() {
		return Err(err(
			codes::PEER_FAILED,
			format!(
				"peer {source} returned {} records, not {}",
				answer.ciphertexts.len(),
				expected.len()
			),
		));
	}
	let mut out = Vec::new();
	for ((hash, category), ciphertext) in expected.iter().zip(&answer.ciphertexts) {
		let key = keys.iter().find(|k| k.hash == *hash).ok_or_else(|| {
			err(codes::PEER_FAILED, format!("peer {source} did not return the key of {hash:?}"))
		})?;
		crypto::verify_hash(&hash.0, ciphertext).map_err(|e| {
			err(codes::INTEGRITY, format!("record from {source} fails its anchored hash: {e}"))
		})?;
		let plain = crypto::decrypt(&key.key.0, ciphertext)
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

	fn record(plain: &[u8]) -> (SealedKey, Vec<u8>) {
		let key = crypto::new_record_key();
		let ct = crypto::encrypt(&key, plain);
		(SealedKey { hash: H256(crypto::content_hash(&ct)), key: H256(*key) }, ct)
	}

	fn answer(to: &[u8; 32], keys: &[SealedKey], cts: &[Vec<u8>]) -> ServeAnswer {
		ServeAnswer {
			sealed: seal_keys(to, keys).into(),
			ciphertexts: cts.iter().cloned().map(Into::into).collect(),
		}
	}

	#[test]
	fn the_requester_checks_every_anchored_hash_before_showing_anything() {
		let (bystander, requester) = (ExchangeKey::generate(), ExchangeKey::generate());
		let (good, good_ct) = record(br#"{"resourceType":"Bundle"}"#);
		let (other, other_ct) = record(br#"{"resourceType":"Bundle","id":"2"}"#);
		let expected = [(good.hash, DataCategory::Allergy), (other.hash, DataCategory::Visit)];
		let keys = [good.clone(), other.clone()];
		let cts = [good_ct.clone(), other_ct.clone()];
		let to = requester.public();
		let got = open_records(&requester, "H0001", &answer(&to, &keys, &cts), &expected).unwrap();
		assert_eq!(got.len(), 2);
		assert_eq!(got[0].bundle, serde_json::json!({"resourceType": "Bundle"}));

		// A source that swaps in other bytes under the anchored hash is caught.
		let mut tampered = good_ct.clone();
		tampered[30] ^= 1;
		let bad = answer(&to, &keys, &[tampered, other_ct.clone()]);
		let e = open_records(&requester, "H0001", &bad, &expected).unwrap_err();
		assert_eq!(e.code, codes::INTEGRITY);
		assert!(e.message.contains("anchored hash"), "{}", e.message);

		// A missing record, a missing key, a wrong key, and an answer sealed for another
		// gateway.
		let short = answer(&to, &keys, std::slice::from_ref(&good_ct));
		assert_eq!(
			open_records(&requester, "H0001", &short, &expected).unwrap_err().code,
			codes::PEER_FAILED
		);
		let keyless = answer(&to, std::slice::from_ref(&good), &cts);
		assert_eq!(
			open_records(&requester, "H0001", &keyless, &expected).unwrap_err().code,
			codes::PEER_FAILED
		);
		let mut wrong_key = good.clone();
		wrong_key.key = H256::repeat_byte(9);
		let wrong = answer(&to, &[wrong_key, other.clone()], &cts);
		assert_eq!(
			open_records(&requester, "H0001", &wrong, &expected).unwrap_err().code,
			codes::INTEGRITY
		);
		let elsewhere = answer(&bystander.public(), &keys, &cts);
		assert_eq!(
			open_records(&requester, "H0001", &elsewhere, &expected).unwrap_err().code,
			codes::INTEGRITY
		);
	}
}
