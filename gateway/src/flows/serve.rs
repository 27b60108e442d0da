//! `serve`: a peer gateway asks this (source) gateway for records. The chain's source rule
//! must still let this hospital serve the patient, and the requester's attestation must be
//! in the finalized access log (hash chain verified), recent, made by the requester, and name
//! every record and its category; every record must still be live in the finalized record
//! log (not superseded or revoked since). The records are then sealed for the requester
//! (X25519), who checks each ciphertext against its anchored hash before decrypting
//! ([`super::fetch::open_records`]).

use super::gateway::Gateway;
use crate::{
	chain::clock::now_ms,
	error::{bad, codes, err, name, GatewayError},
	info,
	peers::tls::PeerIdentity,
	vault::{crypto, StoreError},
	warn,
	wire::{SealedKey, ServeAnswer, ServeRequest, MAX_RECORDS, MAX_SERVE_BYTES},
};
use healthchain_primitives::HealthId;
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
		let stopped = self.store.stopped_since(&id);
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
		not_stopped(&id, &req.requester, stopped)?;

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
			// A store read error refuses (logged there), never reads as "no such record".
			let meta =
				self.store.meta(&hash.0)?.filter(|m| m.health_id == id).ok_or_else(|| {
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

/// The stop-mark check of serve: refuses when this hospital stopped serving the patient, and
/// when the store cannot say (a read error, logged by the store, refuses as unavailable: it
/// never reads as "still served").
pub(crate) fn not_stopped(
	id: &HealthId,
	requester: &str,
	stopped: Result<Option<u64>, StoreError>,
) -> Result<(), GatewayError> {
	match stopped {
		Ok(None) => Ok(()),
		Ok(Some(_)) => {
			warn!("serve_refused", {"healthId": id, "requester": requester, "reason": "stopped"});
			Err(err(codes::NOT_SERVED, "records are not served: this hospital stopped"))
		},
		Err(e) => {
			warn!("serve_refused", {"healthId": id, "requester": requester, "reason": "store unreadable"});
			Err(e.into())
		},
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::vault::{Kek, StopMark, Store};

	#[test]
	fn a_stop_mark_that_cannot_be_read_refuses_serving() {
		let id = HealthId([7; 32]);
		assert_eq!(not_stopped(&id, "H0002", Ok(None)), Ok(()));
		let stopped = not_stopped(&id, "H0002", Ok(Some(100))).unwrap_err();
		assert_eq!(stopped.code, codes::NOT_SERVED);
		let unreadable = not_stopped(&id, "H0002", Err(StoreError::Db("disk gone".into())));
		assert_eq!(unreadable.unwrap_err().code, codes::UNAVAILABLE);

		// Through a real store: a mark is read as such.
		let dir = tempfile::tempdir().unwrap();
		let store = Store::open(dir.path(), Kek::from_bytes([1; 32])).unwrap();
		assert_eq!(not_stopped(&id, "H0002", store.stopped_since(&id)), Ok(()));
		let mark = StopMark { since_secs: 100, block: 10, block_hash: [1; 32] };
		store.mark_stopped(&id, &mark).unwrap();
		let refused = not_stopped(&id, "H0002", store.stopped_since(&id)).unwrap_err();
		assert_eq!(refused.code, codes::NOT_SERVED);
	}
}
