//! `fetch`, in four steps: [`Gateway::permit`] (the consent decision, with the patient's answer
//! to a per-request consent request when needed),
//! [`Gateway::select`] (the patient's live records in those categories, from hospitals the
//! chain's source rule still lets serve them), [`Gateway::attest`] (the access is attested on
//! chain, in the same transaction as the emergency access a first emergency fetch opens; the
//! runtime decides again) and [`Gateway::collect`] (each source's records, asked of every
//! source at once, checked against their anchored hashes); and the opening of a source's sealed answer
//! ([`open_records`]): unseal the keys, check each ciphertext against its anchored hash,
//! decrypt.

use super::{
	caller::{scopes, Caller},
	gateway::Gateway,
};
use crate::{
	chain::{extrinsics::Attested, now_ms},
	error::{bad, codes, denied, err, name, unavailable, GatewayError},
	info,
	vault::{
		crypto::{self, ExchangeKey},
		journal::JournalEntry,
	},
	warn,
	wire::{
		EmergencyReason, FetchRequest, FetchResult, FetchTimings, FetchedRecord, PeerApiClient,
		SealedKey, ServeAnswer, ServeRequest, SourceTiming, Unavailable, MAX_PAGE_BYTES,
		MAX_RECORDS, MAX_SERVE_BYTES,
	},
};
use healthchain_client::runtime;
use healthchain_primitives::{
	logs::LiveRecord, DataCategory, Decision, DenyReason, HealthId, Purpose,
};
use sp_core::H256;
use std::{
	collections::{BTreeMap, BTreeSet},
	time::{Duration, Instant},
};

/// What step 1 settled: the access is permitted for these categories and purpose.
#[derive(Clone, Debug)]
pub struct Permit {
	/// Categories asked for.
	pub categories: Vec<DataCategory>,
	/// Purpose.
	pub purpose: Purpose,
	/// For a first emergency fetch: the emergency access to open, in the attestation's own
	/// transaction.
	pub open_emergency: Option<EmergencyReason>,
	/// When the patient's answer was seen on chain: set when the patient was asked (a
	/// per-request grant).
	pub answered_at: Option<Instant>,
}

/// Unavailable records, by source hospital.
type Unavailables = BTreeMap<String, Unavailable>;

/// Notes a record of `source` as unavailable, with the code and reason of the first such
/// record of that source.
fn note(unavailable: &mut Unavailables, source: &str, r: &LiveRecord, code: i32, reason: String) {
	unavailable
		.entry(source.to_string())
		.or_insert(Unavailable { source: source.to_string(), records: vec![], code, reason })
		.records
		.push(r.content_hash);
}

impl Gateway {
	/// Fetches a patient's records for the practitioner whose token `caller` carries: scope
	/// `records.read`, and `records.emergency` for an emergency; the licence number is the
	/// token's.
	pub async fn fetch(
		&self,
		caller: &Caller,
		req: FetchRequest,
	) -> Result<FetchResult, GatewayError> {
		caller.require(scopes::FETCH)?;
		if req.purpose == Some(Purpose::Emergency) || req.emergency_reason.is_some() {
			caller.require(scopes::EMERGENCY)?;
		}
		let practitioner = caller.licence()?.to_string();
		let start = Instant::now();
		let permit = self.permit(&req, &practitioner).await?;
		let permitted = Instant::now();
		let offset = req.offset.unwrap_or(0) as usize;
		let selection = self.select(req.health_id, &permit.categories, offset).await;
		let (wanted, unavailable, next_offset) = match (selection, permit.open_emergency) {
			(Ok(selection), _) => selection,
			// Nothing to attest, but the doctor asked in an emergency: the access is opened
			// (flagged, reviewed) before anything of the patient's records is told.
			(Err(e), Some(reason)) => {
				self.node
					.open_emergency_access(req.health_id, &practitioner, reason)
					.await
					.map_err(|e| err(codes::DENIED, format!("emergency access refused: {e}")))?;
				warn!("emergency_access_opened", {"healthId": req.health_id, "practitioner": practitioner, "reason": reason});
				return Err(e);
			},
			(Err(e), None) => return Err(e),
		};
		let selected = Instant::now();
		let attested = self.attest(&req, &practitioner, &permit, &wanted).await?;
		let attested_at = Instant::now();
		let entry = JournalEntry { at: now_ms(), health_id: req.health_id, index: attested.index };
		// The attestation is on chain whatever happens here: a journal write that fails only
		// leaves this access out of the doctor's own list (logged).
		if let Err(e) = self.store.journal_access(&practitioner, entry) {
			warn!("journal_write_failed", {"error": e.to_string()});
		}
		let mut result = self.collect(req.health_id, attested, wanted, unavailable).await?;
		result.next_offset = next_offset;
		let ms = |from: Instant, to: Instant| to.saturating_duration_since(from).as_millis() as u64;
		let end = Instant::now();
		result.timings.permit_ms = ms(start, permitted);
		result.timings.after_answer_ms = permit.answered_at.map(|at| ms(at, end));
		result.timings.select_ms = ms(permitted, selected);
		result.timings.attest_ms = ms(selected, attested_at);
		result.timings.collect_ms = ms(attested_at, end);
		result.timings.total_ms = ms(start, end);
		Ok(result)
	}

	/// Step 1: checks the request and asks the runtime's consent decision; asks the patient
	/// when that is what the decision needs, or notes the emergency access to open with the
	/// attestation (step 3) when an emergency fetch finds none open.
	pub async fn permit(
		&self,
		req: &FetchRequest,
		practitioner: &str,
	) -> Result<Permit, GatewayError> {
		let purpose = req.purpose.unwrap_or(Purpose::Treatment);
		let max = healthchain_primitives::MAX_LICENCE_LEN as usize;
		if practitioner.is_empty() || practitioner.len() > max {
			return Err(bad(format!("the token's licence claim: 1 to {max} characters")));
		}
		let categories: Vec<DataCategory> = match &req.categories {
			Some(c) if c.is_empty() => return Err(bad("categories: empty list")),
			Some(c) => c.clone(),
			None => {
				DataCategory::ALL.into_iter().filter(|c| *c != DataCategory::Sensitive).collect()
			},
		};
		match (purpose, req.emergency_reason) {
			(Purpose::Emergency, None) => {
				return Err(bad("emergencyReason is required for an emergency fetch"))
			},
			(Purpose::Treatment, Some(_)) => {
				return Err(bad("emergencyReason is only for purpose emergency"))
			},
			_ => {},
		}
		let id = req.health_id;
		let decision = self.node.decide(id, practitioner, &categories, purpose).await?;
		let mut permit = Permit { categories, purpose, open_emergency: None, answered_at: None };
		match (decision, req.emergency_reason) {
			(Decision::Permit(_), _) => {},
			// The opening's own checks and the attestation's decision run on chain, in one
			// transaction (step 3).
			(Decision::Deny(DenyReason::NoEmergencyAccess), Some(reason)) => {
				permit.open_emergency = Some(reason);
			},
			(Decision::NeedsRequest, _) => {
				let answered = self.ask_patient(req, practitioner, &permit.categories, purpose);
				permit.answered_at = Some(answered.await?);
			},
			(Decision::Deny(reason), _) => {
				warn!("fetch_denied", {"healthId": id, "practitioner": practitioner, "reason": reason});
				return Err(denied(&reason));
			},
		}
		Ok(permit)
	}

	/// Step 2: the patient's live records in `categories` (finalized, verified log), from
	/// sources the chain still lets serve them and that this gateway knows (the rest is
	/// reported as unavailable): one page, newest first, skipping the newest `offset`, of at
	/// most [`MAX_RECORDS`] records and [`MAX_PAGE_BYTES`] (at least one record). Also
	/// returns the offset of the next page, if any.
	pub async fn select(
		&self,
		health_id: HealthId,
		categories: &[DataCategory],
		offset: usize,
	) -> Result<(Vec<LiveRecord>, Unavailables, Option<u32>), GatewayError> {
		let mut unavailable = Unavailables::new();
		let mut wanted = Vec::new();
		let mut refusals = BTreeMap::new();
		for r in self.node.live_records(health_id).await? {
			if !categories.contains(&r.category) {
				continue;
			}
			let source = healthchain_client::rpc::text(&r.hospital);
			if !refusals.contains_key(&source) {
				let rule = self.node.source_check(health_id, &source, false).await?;
				refusals.insert(source.clone(), rule);
			}
			if let Some(Err(refusal)) = refusals.get(&source) {
				let why =
					format!("{source} may not serve the patient's records: {}", name(refusal));
				note(&mut unavailable, &source, &r, codes::NOT_SERVED, why);
			} else if source != self.hospital() && !self.peers.contains_key(&source) {
				let why = format!("unknown peer gateway {source}: not in this gateway's directory");
				note(&mut unavailable, &source, &r, codes::UNKNOWN_PEER, why);
			} else {
				wanted.push(r);
			}
		}
		// Newest first; skip the pages already fetched; the rest need another fetch.
		wanted.reverse();
		let available = wanted.len();
		wanted.drain(..offset.min(available));
		let mut bytes = 0u64;
		let mut take = 0;
		for r in &wanted {
			if take == MAX_RECORDS || (take > 0 && bytes + r.size as u64 > MAX_PAGE_BYTES) {
				break;
			}
			bytes += r.size as u64;
			take += 1;
		}
		wanted.truncate(take);
		let next = offset + take;
		let next_offset = (next < available).then_some(next as u32);
		if wanted.is_empty() && offset > 0 && offset >= available {
			return Err(bad(format!("offset {offset}: the patient has {available} records here")));
		}
		if wanted.is_empty() {
			let (code, reason) =
				unavailable.values().next().map(|u| (u.code, u.reason.clone())).unwrap_or((
					codes::NO_RECORDS,
					"the patient has no records in these categories".into(),
				));
			return Err(err(code, reason));
		}
		Ok((wanted, unavailable, next_offset))
	}

	/// Step 3: attests the access on chain, naming the records and their categories.
	pub async fn attest(
		&self,
		req: &FetchRequest,
		practitioner: &str,
		permit: &Permit,
		wanted: &[LiveRecord],
	) -> Result<Attested, GatewayError> {
		let covered: Vec<DataCategory> =
			wanted.iter().map(|r| r.category).collect::<BTreeSet<_>>().into_iter().collect();
		let hashes: Vec<_> = wanted.iter().map(|r| r.content_hash).collect();
		let id = req.health_id;
		let attested = match permit.open_emergency {
			Some(reason) => {
				let attested = self
					.node
					.open_emergency_and_attest(id, practitioner, reason, &covered, &hashes)
					.await
					.map_err(|e| match e.pallet_error() {
						Some(_) => err(codes::DENIED, format!("emergency access refused: {e}")),
						None => e.into(),
					})?;
				warn!("emergency_access_opened", {"healthId": id, "practitioner": practitioner, "reason": reason});
				attested
			},
			None => self
				.node
				.attest(id, practitioner, &covered, &hashes, permit.purpose)
				.await
				.map_err(|e| match e.pallet_error() {
					Some("ConsentRequestNeeded") if permit.answered_at.is_some() => err(
						codes::GRANT_EXPIRED,
						format!(
							"the patient's grant expired before the attestation was included ({e})"
						),
					),
					Some(_) => err(codes::DENIED, format!("access denied: {e}")),
					None => e.into(),
				})?,
		};
		info!("access_attested", {"healthId": req.health_id, "practitioner": practitioner, "index": attested.index, "block": attested.block, "records": wanted.len()});
		Ok(attested)
	}

	/// Step 4: fetches each source's records (this hospital's from the store, others' from
	/// their gateways on the attestation) and checks every one against its anchored hash.
	pub async fn collect(
		&self,
		health_id: HealthId,
		attested: Attested,
		wanted: Vec<LiveRecord>,
		mut unavailable: Unavailables,
	) -> Result<FetchResult, GatewayError> {
		let mut by_source: BTreeMap<String, Vec<LiveRecord>> = BTreeMap::new();
		for r in wanted {
			by_source.entry(healthchain_client::rpc::text(&r.hospital)).or_default().push(r);
		}
		// Every source at once: the fetch waits for the slowest, not for their sum.
		let asked = by_source.into_iter().map(|(source, recs)| async move {
			let got = if source == self.hospital() {
				let timing = SourceTiming { source: source.clone(), ..Default::default() };
				self.local_records(&health_id, &recs).map(|r| (r, timing))
			} else {
				self.fetch_from_peer(&source, health_id, attested.index, &recs).await
			};
			(source, recs, got)
		});
		let mut records = Vec::new();
		let mut timings = Vec::new();
		for (source, recs, got) in futures::future::join_all(asked).await {
			match got {
				Ok((mut r, timing)) => {
					records.append(&mut r);
					timings.push(timing);
				},
				Err(e) => {
					warn!("fetch_source_failed", {"healthId": health_id, "source": source, "code": e.code, "error": e.message});
					unavailable.insert(
						source.clone(),
						Unavailable {
							source,
							records: recs.iter().map(|r| r.content_hash).collect(),
							code: e.code,
							reason: e.message,
						},
					);
				},
			}
		}
		if records.is_empty() {
			return Err(unavailable
				.values()
				.next()
				.map(|u| err(u.code, u.reason.clone()))
				.unwrap_or_else(|| err(codes::NO_RECORDS, "nothing fetched")));
		}
		Ok(FetchResult {
			attestation: attested.index,
			block: attested.block,
			basis: attested.basis.permit_basis(),
			records,
			unavailable: unavailable.into_values().collect(),
			next_offset: None,
			timings: FetchTimings { sources: timings, ..Default::default() },
		})
	}

	/// Sends a per-request consent request and waits for the patient's answer in the events
	/// of the node's best blocks; returns when the approval was seen. Acting on a best block
	/// is safe here: the attestation that follows is decided again by the runtime in the
	/// block that includes it, which descends from the approval's, and a source serves only
	/// on that attestation once it is final, which makes the approval final too; an approval
	/// on a fork that loses makes the attestation fail (`GRANT_EXPIRED`), never serve.
	async fn ask_patient(
		&self,
		req: &FetchRequest,
		practitioner: &str,
		categories: &[DataCategory],
		purpose: Purpose,
	) -> Result<Instant, GatewayError> {
		if req.grant_for_ms == Some(0) {
			return Err(bad("grantForMs must be positive"));
		}
		// Subscribe first so the answer cannot slip between inclusion and subscription.
		let client = self.node.client().await?;
		let mut blocks = client
			.api()
			.stream_best_blocks()
			.await
			.map_err(|e| unavailable(format!("cannot follow best blocks: {e}")))?;
		let request_id = self
			.node
			.request_access(req.health_id, practitioner, categories, purpose, req.grant_for_ms)
			.await
			.map_err(|e| err(codes::DENIED, format!("consent request refused: {e}")))?;
		info!("consent_requested", {"healthId": req.health_id, "practitioner": practitioner, "requestId": request_id});
		let wait = Duration::from_secs(req.wait_secs.unwrap_or(self.config.consent_wait_secs));
		let answer = tokio::time::timeout(wait, async {
			while let Some(block) = blocks.next().await {
				let Ok(block) = block else { continue };
				let Ok(at) = block.at().await else { continue };
				let Ok(events) = at.events().fetch().await else { continue };
				use runtime::consent::events::{AccessGranted, AccessRefused};
				if events.find::<AccessGranted>().flatten().any(|e| e.request_id == request_id) {
					return Some(true);
				}
				if events.find::<AccessRefused>().flatten().any(|e| e.request_id == request_id) {
					return Some(false);
				}
			}
			None
		})
		.await;
		match answer {
			Ok(Some(true)) => {
				info!("consent_granted", {"healthId": req.health_id, "requestId": request_id});
				Ok(Instant::now())
			},
			Ok(Some(false)) => Err(err(
				codes::REQUEST_REFUSED,
				format!("the patient refused consent request {request_id}"),
			)),
			// The best-block stream does not fill gaps (a reorg, a burst of imports): before
			// giving up, the chain's own decision says whether the approval is there.
			Ok(None) | Err(_)
				if matches!(
					self.node.decide(req.health_id, practitioner, categories, purpose).await,
					Ok(Decision::Permit(_))
				) =>
			{
				info!("consent_granted", {"healthId": req.health_id, "requestId": request_id});
				Ok(Instant::now())
			},
			Ok(None) => Err(unavailable("the node closed the block stream")),
			Err(_) => Err(err(
				codes::REQUEST_TIMED_OUT,
				format!(
					"the patient did not answer consent request {request_id} within {} s",
					wait.as_secs()
				),
			)),
		}
	}

	/// This hospital's own records, from the store.
	fn local_records(
		&self,
		health_id: &HealthId,
		recs: &[LiveRecord],
	) -> Result<Vec<FetchedRecord>, GatewayError> {
		// A store that cannot say whether the patient is still served refuses (logged there).
		if self.store.stopped_since(health_id)?.is_some() {
			return Err(err(codes::NOT_SERVED, "this hospital no longer serves the patient"));
		}
		recs.iter()
			.map(|r| {
				let plain = self.store.plaintext(&r.content_hash.0)?;
				Ok(FetchedRecord {
					content_hash: r.content_hash,
					source: healthchain_client::rpc::text(&r.hospital),
					category: r.category,
					bundle: serde_json::from_slice(&plain)
						.map_err(|e| err(codes::INTEGRITY, format!("stored bundle: {e}")))?,
				})
			})
			.collect()
	}

	/// A peer's records, served on the attestation over mutual TLS and opened here; asked
	/// in batches of at most [`MAX_SERVE_BYTES`] (one record at least).
	async fn fetch_from_peer(
		&self,
		source: &str,
		health_id: HealthId,
		attestation: u64,
		recs: &[LiveRecord],
	) -> Result<(Vec<FetchedRecord>, SourceTiming), GatewayError> {
		let client = self.peer_client(source)?;
		let mut out = Vec::new();
		let (mut serve, mut open) = (Duration::ZERO, Duration::ZERO);
		let mut rest = recs;
		while !rest.is_empty() {
			let mut bytes = 0u64;
			let mut n = 0;
			for r in rest {
				if n > 0 && bytes + r.size as u64 > MAX_SERVE_BYTES {
					break;
				}
				bytes += r.size as u64;
				n += 1;
			}
			let (batch, later) = rest.split_at(n);
			rest = later;
			let request = ServeRequest {
				health_id,
				records: batch.iter().map(|r| r.content_hash).collect(),
				attestation,
				requester: self.hospital().to_string(),
			};
			let asked = Instant::now();
			let answer = client.serve(request).await.map_err(|e| match e {
				jsonrpsee::core::ClientError::Call(c) => {
					err(c.code(), format!("peer {source} refused: {}", c.message()))
				},
				other => err(codes::PEER_FAILED, format!("peer {source} unreachable: {other}")),
			})?;
			let answered = Instant::now();
			serve += answered - asked;
			let expected: Vec<_> = batch.iter().map(|r| (r.content_hash, r.category)).collect();
			out.append(&mut open_records(&self.exchange, source, &answer, &expected)?);
			open += answered.elapsed();
		}
		let timing = SourceTiming {
			source: source.to_string(),
			serve_ms: serve.as_millis() as u64,
			open_ms: open.as_millis() as u64,
		};
		Ok((out, timing))
	}
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
	use crate::flows::serve::seal_keys;

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
