//! `fetch`, in four steps: [`Gateway::permit`] (the consent decision, with an emergency access
//! or the patient's answer to a per-request consent request when needed),
//! [`Gateway::select`] (the patient's live records in those categories, from hospitals the
//! chain's source rule still lets serve them), [`Gateway::attest`] (the access is attested on
//! chain; the runtime decides again) and [`Gateway::collect`] (each source's records, checked
//! against their anchored hashes).

use crate::{
	error::{bad, codes, err, name, unavailable, GatewayError},
	info,
	node::Attested,
	serve::open_records,
	service::{Gateway, MAX_RECORDS},
	warn,
	wire::{FetchRequest, FetchResult, FetchedRecord, PeerApiClient, ServeRequest, Unavailable},
};
use healthchain_client::runtime;
use healthchain_primitives::{
	logs::LiveRecord, DataCategory, Decision, DenyReason, HealthId, Purpose,
};
use jsonrpsee::http_client::HttpClientBuilder;
use std::{
	collections::{BTreeMap, BTreeSet},
	time::Duration,
};

/// What step 1 settled: the access is permitted for these categories and purpose.
#[derive(Clone, Debug)]
pub struct Permit {
	/// Categories asked for.
	pub categories: Vec<DataCategory>,
	/// Purpose.
	pub purpose: Purpose,
	/// Whether the patient was asked (a per-request grant).
	pub asked: bool,
}

/// Unavailable records, by source hospital.
type Unavailables = BTreeMap<String, Unavailable>;

fn note(unavailable: &mut Unavailables, source: &str, r: &LiveRecord, code: i32, reason: String) {
	unavailable
		.entry(source.to_string())
		.or_insert(Unavailable { source: source.to_string(), records: vec![], code, reason })
		.records
		.push(r.content_hash);
}

impl Gateway {
	/// Fetches a patient's records for a practitioner of this hospital.
	pub async fn fetch(&self, req: FetchRequest) -> Result<FetchResult, GatewayError> {
		let permit = self.permit(&req).await?;
		let (wanted, unavailable) = self.select(req.health_id, &permit.categories).await?;
		let attested = self.attest(&req, &permit, &wanted).await?;
		self.collect(req.health_id, attested, wanted, unavailable).await
	}

	/// Step 1: checks the request and asks the runtime's consent decision; opens an
	/// emergency access or asks the patient when that is what the decision needs.
	pub async fn permit(&self, req: &FetchRequest) -> Result<Permit, GatewayError> {
		let purpose = req.purpose.unwrap_or(Purpose::Treatment);
		let max = healthchain_primitives::MAX_LICENCE_LEN as usize;
		if req.practitioner.is_empty() || req.practitioner.len() > max {
			return Err(bad(format!("practitioner: 1 to {max} characters")));
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
		let mut decision = self.node.decide(id, &req.practitioner, &categories, purpose).await?;
		if let (Decision::Deny(DenyReason::NoEmergencyAccess), Some(reason)) =
			(decision, req.emergency_reason)
		{
			self.node
				.open_emergency_access(id, &req.practitioner, reason)
				.await
				.map_err(|e| err(codes::DENIED, format!("emergency access refused: {e}")))?;
			warn!("emergency_access_opened", {"healthId": id, "practitioner": req.practitioner, "reason": reason});
			decision = self.node.decide(id, &req.practitioner, &categories, purpose).await?;
		}
		let asked = match decision {
			Decision::Permit(_) => false,
			Decision::NeedsRequest => {
				self.ask_patient(req, &categories, purpose).await?;
				true
			},
			Decision::Deny(reason) => {
				warn!("fetch_denied", {"healthId": id, "practitioner": req.practitioner, "reason": reason});
				return Err(err(codes::DENIED, format!("access denied: {}", name(&reason))));
			},
		};
		Ok(Permit { categories, purpose, asked })
	}

	/// Step 2: the patient's live records in `categories` (finalized, verified log), newest
	/// [`MAX_RECORDS`] of them, from sources the chain still lets serve them and that this
	/// gateway knows; the rest is reported as unavailable.
	pub async fn select(
		&self,
		health_id: HealthId,
		categories: &[DataCategory],
	) -> Result<(Vec<LiveRecord>, Unavailables), GatewayError> {
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
		if wanted.len() > MAX_RECORDS {
			// Newest first; the rest need another fetch.
			wanted.drain(..wanted.len() - MAX_RECORDS);
		}
		if wanted.is_empty() {
			let (code, reason) =
				unavailable.values().next().map(|u| (u.code, u.reason.clone())).unwrap_or((
					codes::NO_RECORDS,
					"the patient has no records in these categories".into(),
				));
			return Err(err(code, reason));
		}
		Ok((wanted, unavailable))
	}

	/// Step 3: attests the access on chain, naming the records and their categories.
	pub async fn attest(
		&self,
		req: &FetchRequest,
		permit: &Permit,
		wanted: &[LiveRecord],
	) -> Result<Attested, GatewayError> {
		let covered: Vec<DataCategory> =
			wanted.iter().map(|r| r.category).collect::<BTreeSet<_>>().into_iter().collect();
		let hashes: Vec<_> = wanted.iter().map(|r| r.content_hash).collect();
		let attested = self
			.node
			.attest(req.health_id, &req.practitioner, &covered, &hashes, permit.purpose)
			.await
			.map_err(|e| match e.pallet_error() {
				Some("ConsentRequestNeeded") if permit.asked => err(
					codes::GRANT_EXPIRED,
					format!(
						"the patient's grant expired before the attestation was included ({e})"
					),
				),
				Some(_) => err(codes::DENIED, format!("access denied: {e}")),
				None => e.into(),
			})?;
		info!("access_attested", {"healthId": req.health_id, "practitioner": req.practitioner, "index": attested.index, "block": attested.block, "records": wanted.len()});
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
		let mut records = Vec::new();
		for (source, recs) in by_source {
			let got = if source == self.hospital() {
				self.local_records(&health_id, &recs)
			} else {
				self.fetch_from_peer(&source, health_id, attested.index, &recs).await
			};
			match got {
				Ok(mut r) => records.append(&mut r),
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
		})
	}

	/// Sends a per-request consent request and waits for the patient's answer in finalized
	/// blocks' events.
	async fn ask_patient(
		&self,
		req: &FetchRequest,
		categories: &[DataCategory],
		purpose: Purpose,
	) -> Result<(), GatewayError> {
		if req.grant_for_ms == Some(0) {
			return Err(bad("grantForMs must be positive"));
		}
		// Subscribe first so the answer cannot slip between inclusion and subscription.
		let mut blocks = self
			.node
			.client()
			.api()
			.stream_blocks()
			.await
			.map_err(|e| unavailable(format!("cannot follow finalized blocks: {e}")))?;
		let request_id = self
			.node
			.request_access(req.health_id, &req.practitioner, categories, purpose, req.grant_for_ms)
			.await
			.map_err(|e| err(codes::DENIED, format!("consent request refused: {e}")))?;
		info!("consent_requested", {"healthId": req.health_id, "practitioner": req.practitioner, "requestId": request_id});
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
				Ok(())
			},
			Ok(Some(false)) => Err(err(
				codes::REQUEST_REFUSED,
				format!("the patient refused consent request {request_id}"),
			)),
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
		if self.store.stopped_since(health_id).is_some() {
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

	/// A peer's records, served on the attestation and opened here.
	async fn fetch_from_peer(
		&self,
		source: &str,
		health_id: HealthId,
		attestation: u64,
		recs: &[LiveRecord],
	) -> Result<Vec<FetchedRecord>, GatewayError> {
		let peer = self
			.peers
			.get(source)
			.ok_or_else(|| err(codes::UNKNOWN_PEER, format!("unknown peer gateway {source}")))?;
		let client = HttpClientBuilder::default()
			.request_timeout(Duration::from_secs(30))
			.build(&peer.url)
			.map_err(|e| err(codes::PEER_FAILED, format!("peer {source} ({}): {e}", peer.url)))?;
		let request = ServeRequest {
			health_id,
			records: recs.iter().map(|r| r.content_hash).collect(),
			attestation,
			requester: self.hospital().to_string(),
		};
		let answer = client.serve(request).await.map_err(|e| match e {
			jsonrpsee::core::ClientError::Call(c) => {
				err(c.code(), format!("peer {source} refused: {}", c.message()))
			},
			other => err(
				codes::PEER_FAILED,
				format!("peer {source} ({}) unreachable: {other}", peer.url),
			),
		})?;
		let expected: Vec<_> = recs.iter().map(|r| (r.content_hash, r.category)).collect();
		open_records(&self.exchange, source, &peer.key, &answer.sealed, &expected)
	}
}
