//! The gateway service: put (encrypt, store, anchor), fetch (consent check, per-request wait,
//! attestation, peer fetch, integrity check), serve (a peer's request, verified against the
//! chain) and the withdrawal watcher (stop serving, shred after the retention period).

use crate::{
	chain::{hid, text, variant, Chain, ChainError},
	config::Config,
	crypto::{self, ExchangeKey},
	error, info,
	store::{RecordMeta, Store, StoreError},
	warn,
};
use codec::Decode;
use healthchain_primitives::{
	logs::{AccessEntry, LogHead},
	DataCategory, HealthId, Purpose,
};
use jsonrpsee::{
	core::client::ClientT,
	http_client::{HttpClient, HttpClientBuilder},
	rpc_params,
};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value as Json};
use sp_core::H256;
use std::{
	collections::{BTreeMap, BTreeSet},
	time::{Duration, SystemTime, UNIX_EPOCH},
};
use subxt::dynamic::Value;

/// The most records one attestation may name (the chain's bound).
pub const MAX_RECORDS: usize = healthchain_primitives::logs::MAX_RECORDS_PER_ATTESTATION as usize;

/// A gateway error: a stable code for programs and a message for people.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct GatewayError {
	/// Stable code (see the README's gateway section).
	pub code: i32,
	/// What went wrong, in words.
	pub message: String,
}

/// Error codes of the gateway APIs.
pub mod codes {
	/// A parameter is malformed (hex, category, document, bundle).
	pub const BAD_INPUT: i32 = 4000;
	/// The consent decision denies the access (the message names the reason).
	pub const DENIED: i32 = 4010;
	/// The patient refused the per-request consent request.
	pub const REQUEST_REFUSED: i32 = 4011;
	/// The patient did not answer within the wait.
	pub const REQUEST_TIMED_OUT: i32 = 4012;
	/// The grant expired before the attestation was included.
	pub const GRANT_EXPIRED: i32 = 4013;
	/// The chain refused an anchor (not enrolled, not a source, ...).
	pub const ANCHOR_REFUSED: i32 = 4020;
	/// The peer gateway is not in this gateway's directory.
	pub const UNKNOWN_PEER: i32 = 4030;
	/// The peer gateway refused or could not be reached.
	pub const PEER_FAILED: i32 = 4031;
	/// The attestation a peer request rests on is missing, old, or does not cover it.
	pub const BAD_ATTESTATION: i32 = 4040;
	/// This hospital no longer serves the patient (withdrawal, source removed).
	pub const NOT_SERVED: i32 = 4041;
	/// The record's key was destroyed.
	pub const ERASED: i32 = 4042;
	/// No such record here.
	pub const UNKNOWN_RECORD: i32 = 4043;
	/// A ciphertext does not match its anchored hash or fails authentication.
	pub const INTEGRITY: i32 = 4050;
	/// Nothing to fetch.
	pub const NO_RECORDS: i32 = 4060;
	/// The node is unreachable or the store failed.
	pub const UNAVAILABLE: i32 = 5000;
}

fn err(code: i32, message: impl Into<String>) -> GatewayError {
	GatewayError { code, message: message.into() }
}

fn bad(message: impl Into<String>) -> GatewayError {
	err(codes::BAD_INPUT, message)
}

impl From<ChainError> for GatewayError {
	fn from(e: ChainError) -> Self {
		match &e {
			ChainError::Rpc { message, .. } if message.contains("hex") => bad(e.to_string()),
			_ => err(codes::UNAVAILABLE, e.to_string()),
		}
	}
}

impl From<StoreError> for GatewayError {
	fn from(e: StoreError) -> Self {
		let code = match &e {
			StoreError::Erased(_) => codes::ERASED,
			StoreError::UnknownRecord(_) => codes::UNKNOWN_RECORD,
			StoreError::Crypto(_) => codes::INTEGRITY,
			StoreError::Io { .. } => codes::UNAVAILABLE,
		};
		err(code, e.to_string())
	}
}

fn now_ms() -> u64 {
	SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

fn hex32(s: &str, what: &str) -> Result<[u8; 32], GatewayError> {
	let mut out = [0u8; 32];
	healthchain_primitives::hex_decode_into(s, &mut out)
		.map_err(|e| bad(format!("{what}: {e}")))?;
	Ok(out)
}

fn h(bytes: &[u8]) -> String {
	format!("0x{}", hex::encode(bytes))
}

fn category_name(c: DataCategory) -> String {
	serde_json::to_value(c).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

fn category_variant(c: DataCategory) -> Value {
	variant(&format!("{c:?}"))
}

/// `put`: a FHIR bundle for a patient and category.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PutRequest {
	/// The patient.
	pub health_id: String,
	/// The record's category (camelCase name).
	pub category: DataCategory,
	/// The FHIR JSON bundle.
	pub bundle: Json,
	/// The content hash of the record this one replaces.
	#[serde(default)]
	pub supersedes: Option<String>,
}

/// `put`'s answer.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct PutResult {
	/// BLAKE2b-256 of the ciphertext, as anchored.
	pub content_hash: String,
	/// Ciphertext size.
	pub size: u32,
	/// The finalized block with the anchor.
	pub block: u64,
	/// Position in the patient's record log.
	pub index: u64,
}

/// `fetch`: a practitioner of this hospital asks for a patient's records.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FetchRequest {
	/// The patient.
	pub health_id: String,
	/// The practitioner's licence number.
	pub practitioner: String,
	/// Categories wanted; default: every category except `sensitive`.
	#[serde(default)]
	pub categories: Option<Vec<DataCategory>>,
	/// `treatment` (default) or `emergency`.
	#[serde(default)]
	pub purpose: Option<Purpose>,
	/// For emergencies: `unconscious`, `lifeThreatening` or `unableToConsent`.
	#[serde(default)]
	pub emergency_reason: Option<String>,
	/// For per-request hospitals: ask a grant shorter than the rest of the day (ms).
	#[serde(default)]
	pub grant_for_ms: Option<u64>,
	/// How long to wait for the patient's answer (s); default from the configuration.
	#[serde(default)]
	pub wait_secs: Option<u64>,
}

/// One fetched record.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct FetchedRecord {
	/// Content hash (as anchored).
	pub content_hash: String,
	/// The source hospital.
	pub source: String,
	/// Category.
	pub category: DataCategory,
	/// The FHIR bundle.
	pub bundle: Json,
}

/// A record or source that could not be fetched, and why.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Unavailable {
	/// The source hospital.
	pub source: String,
	/// The records concerned.
	pub records: Vec<String>,
	/// Error code.
	pub code: i32,
	/// Why.
	pub reason: String,
}

/// `fetch`'s answer.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct FetchResult {
	/// The attestation's position in the patient's access log.
	pub attestation: u64,
	/// The finalized block holding it.
	pub block: u64,
	/// What the access rested on: `enrolment`, `grant` or `emergency`.
	pub basis: String,
	/// The records, checked against their anchored hashes.
	pub records: Vec<FetchedRecord>,
	/// What could not be fetched.
	pub unavailable: Vec<Unavailable>,
}

/// A peer's request to this (source) gateway.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ServeRequest {
	/// The patient.
	pub health_id: String,
	/// The records wanted (content hashes).
	pub records: Vec<String>,
	/// The requester's attestation: its index in the patient's access log.
	pub attestation: u64,
	/// The requesting hospital.
	pub requester: String,
}

/// What a source seals for the requester.
#[derive(Serialize, Deserialize)]
struct SealedRecord {
	hash: String,
	ciphertext: String,
	key: String,
}

/// An anchored, live record of the patient, from the chain's record log.
#[derive(Clone, Debug)]
struct ChainRecord {
	hash: [u8; 32],
	hospital: String,
	category: DataCategory,
}

/// The gateway.
pub struct Gateway {
	/// Configuration.
	pub config: Config,
	/// Local storage.
	pub store: Store,
	/// The chain.
	pub chain: Chain,
	exchange: ExchangeKey,
	lookup_secret: Vec<u8>,
	peers: BTreeMap<String, (String, [u8; 32])>,
}

impl Gateway {
	/// Builds a gateway from its parts.
	pub fn new(
		config: Config,
		store: Store,
		chain: Chain,
		exchange: ExchangeKey,
		lookup_secret: Vec<u8>,
	) -> Result<Self, GatewayError> {
		let mut peers = BTreeMap::new();
		for (code, p) in &config.peers {
			peers.insert(code.clone(), (p.url.clone(), hex32(&p.public_key, "peer public key")?));
		}
		Ok(Gateway { config, store, chain, exchange, lookup_secret, peers })
	}

	/// This gateway's X25519 public key.
	pub fn exchange_public(&self) -> [u8; 32] {
		self.exchange.public()
	}

	/// The lookup secret (for `identify`).
	pub fn lookup_secret(&self) -> &[u8] {
		&self.lookup_secret
	}

	fn hospital(&self) -> &str {
		&self.config.hospital
	}

	// ---------------------------------------------------------------- put

	/// Encrypts and stores a bundle, anchors it and waits for finality. A refused anchor
	/// leaves nothing in the store.
	pub async fn put(&self, req: PutRequest) -> Result<PutResult, GatewayError> {
		let health_id = HealthId(hex32(&req.health_id, "healthId")?);
		let supersedes = req.supersedes.as_deref().map(|s| hex32(s, "supersedes")).transpose()?;
		if req.bundle.get("resourceType").and_then(Json::as_str) != Some("Bundle") {
			return Err(bad("bundle: expected a FHIR Bundle (resourceType \"Bundle\")"));
		}
		let plaintext = serde_json::to_vec(&req.bundle).map_err(|e| bad(e.to_string()))?;
		let (hash, size) = self.store.put(&plaintext)?;
		let anchored = self
			.chain
			.submit(
				"Records",
				"anchor",
				vec![
					hid(&health_id),
					category_variant(req.category),
					Value::from_bytes(hash),
					Value::u128(size as u128),
					match supersedes {
						Some(s) => Value::unnamed_variant("Some", vec![Value::from_bytes(s)]),
						None => variant("None"),
					},
				],
			)
			.await;
		let included = match anchored {
			Ok(i) => i,
			Err(e) => {
				self.store.discard(&hash);
				warn!("put_refused", {"healthId": req.health_id, "error": e.to_string()});
				return Err(match e {
					ChainError::Failed { .. } => err(codes::ANCHOR_REFUSED, e.to_string()),
					other => other.into(),
				});
			},
		};
		let index = included
			.event("Records", "RecordAnchored")
			.and_then(|e| e.leading::<(HealthId, u64)>())
			.map(|(_, i)| i)
			.unwrap_or_default();
		let meta =
			RecordMeta { health_id, category: req.category, size, block: included.block_number };
		self.store.put_meta(&hash, &meta)?;
		info!("put", {"healthId": req.health_id, "contentHash": h(&hash), "category": category_name(req.category), "size": size, "block": included.block_number, "index": index});
		Ok(PutResult { content_hash: h(&hash), size, block: included.block_number, index })
	}

	// ---------------------------------------------------------------- fetch

	/// Fetches a patient's records for a practitioner of this hospital.
	pub async fn fetch(&self, req: FetchRequest) -> Result<FetchResult, GatewayError> {
		let health_id = HealthId(hex32(&req.health_id, "healthId")?);
		let purpose = req.purpose.unwrap_or(Purpose::Treatment);
		if req.practitioner.is_empty() || req.practitioner.len() > 16 {
			return Err(bad("practitioner: 1 to 16 characters"));
		}
		let categories: Vec<DataCategory> = match &req.categories {
			Some(c) if c.is_empty() => return Err(bad("categories: empty list")),
			Some(c) => c.clone(),
			None => {
				DataCategory::ALL.into_iter().filter(|c| *c != DataCategory::Sensitive).collect()
			},
		};
		let emergency_reason = match (purpose, req.emergency_reason.as_deref()) {
			(Purpose::Emergency, Some(r)) => Some(match r {
				"unconscious" => "Unconscious",
				"lifeThreatening" => "LifeThreatening",
				"unableToConsent" => "UnableToConsent",
				other => return Err(bad(format!("emergencyReason: unknown reason {other:?}"))),
			}),
			(Purpose::Emergency, None) => {
				return Err(bad("emergencyReason is required for an emergency fetch"))
			},
			(Purpose::Treatment, Some(_)) => {
				return Err(bad("emergencyReason is only for purpose emergency"))
			},
			(Purpose::Treatment, None) => None,
		};

		// 1. The consent decision, from the runtime's one decision function.
		let mut decision = self.check(&health_id, &req.practitioner, &categories, purpose).await?;
		let mut asked = false;
		if decision.0 == "deny" && decision.1.as_deref() == Some("noEmergencyAccess") {
			if let Some(reason) = emergency_reason {
				self.chain
					.submit(
						"Consent",
						"open_emergency_access",
						vec![hid(&health_id), text(&req.practitioner), variant(reason)],
					)
					.await
					.map_err(|e| err(codes::DENIED, format!("emergency access refused: {e}")))?;
				warn!("emergency_access_opened", {"healthId": req.health_id, "practitioner": req.practitioner, "reason": reason});
				decision = self.check(&health_id, &req.practitioner, &categories, purpose).await?;
			}
		}
		match decision.0.as_str() {
			"permit" => {},
			"needsRequest" => {
				self.ask_patient(&health_id, &req, &categories, purpose).await?;
				asked = true;
			},
			_ => {
				let reason = decision.1.unwrap_or_else(|| "unknown".into());
				warn!("fetch_denied", {"healthId": req.health_id, "practitioner": req.practitioner, "reason": reason});
				return Err(err(codes::DENIED, format!("access denied: {reason}")));
			},
		}

		// 2. The patient's live records in those categories, from selected sources.
		let consent = self.chain.rpc("health_consent", vec![json!(req.health_id)]).await?;
		let selected = |hospital: &str| shares_records_from(&consent, hospital);
		let mut unavailable: BTreeMap<String, Unavailable> = BTreeMap::new();
		let mut wanted: Vec<ChainRecord> = Vec::new();
		for r in self.live_records(&req.health_id).await? {
			if !categories.contains(&r.category) {
				continue;
			}
			let problem = if !selected(&r.hospital) {
				Some((
					codes::NOT_SERVED,
					format!("the patient no longer shares records from {}", r.hospital),
				))
			} else if r.hospital != self.hospital() && !self.peers.contains_key(&r.hospital) {
				Some((
					codes::UNKNOWN_PEER,
					format!("unknown peer gateway {}: not in this gateway's directory", r.hospital),
				))
			} else {
				None
			};
			match problem {
				Some((code, reason)) => {
					let u = unavailable.entry(r.hospital.clone()).or_insert(Unavailable {
						source: r.hospital.clone(),
						records: vec![],
						code,
						reason,
					});
					u.records.push(h(&r.hash));
				},
				None => wanted.push(r),
			}
		}
		if wanted.len() > MAX_RECORDS {
			// Newest first; the rest need another fetch.
			wanted.drain(..wanted.len() - MAX_RECORDS);
		}
		if wanted.is_empty() {
			let why = unavailable.values().next().map(|u| (u.code, u.reason.clone())).unwrap_or((
				codes::NO_RECORDS,
				"the patient has no records in these categories".into(),
			));
			return Err(err(why.0, why.1));
		}

		// 3. Attest the access; the runtime decides again at the block's time.
		let covered: BTreeSet<DataCategory> = wanted.iter().map(|r| r.category).collect();
		let attested = self
			.chain
			.submit(
				"AccessLog",
				"attest",
				vec![
					hid(&health_id),
					text(&req.practitioner),
					Value::unnamed_composite(covered.iter().map(|c| category_variant(*c))),
					Value::unnamed_composite(wanted.iter().map(|r| Value::from_bytes(r.hash))),
					variant(&format!("{purpose:?}")),
				],
			)
			.await
			.map_err(|e| match e.pallet_error() {
				Some("ConsentRequestNeeded") if asked => err(
					codes::GRANT_EXPIRED,
					format!(
						"the patient's grant expired before the attestation was included ({e})"
					),
				),
				Some("ConsentRequestNeeded") => err(codes::DENIED, format!("access denied: {e}")),
				Some(_) => err(codes::DENIED, format!("access denied: {e}")),
				None => e.into(),
			})?;
		let (index, basis) = attested
			.event("AccessLog", "AccessAttested")
			.and_then(|e| e.leading::<(HealthId, u64, AccessEntry)>())
			.map(|(_, i, entry)| (i, format!("{:?}", entry.basis)))
			.ok_or_else(|| err(codes::UNAVAILABLE, "attestation included without its event"))?;
		info!("access_attested", {"healthId": req.health_id, "practitioner": req.practitioner, "index": index, "block": attested.block_number, "records": wanted.len()});

		// 4. Fetch from each source, checking every ciphertext against its anchored hash.
		let mut by_source: BTreeMap<String, Vec<ChainRecord>> = BTreeMap::new();
		for r in wanted {
			by_source.entry(r.hospital.clone()).or_default().push(r);
		}
		let mut records = Vec::new();
		for (source, recs) in by_source {
			let got = if source == self.hospital() {
				self.local_records(&health_id, &recs)
			} else {
				self.fetch_from_peer(&source, &req.health_id, index, &recs).await
			};
			match got {
				Ok(mut r) => records.append(&mut r),
				Err(e) => {
					warn!("fetch_source_failed", {"healthId": req.health_id, "source": source, "code": e.code, "error": e.message});
					unavailable.insert(
						source.clone(),
						Unavailable {
							source,
							records: recs.iter().map(|r| h(&r.hash)).collect(),
							code: e.code,
							reason: e.message,
						},
					);
				},
			}
		}
		if records.is_empty() {
			let first = unavailable.values().next();
			return Err(first
				.map(|u| err(u.code, u.reason.clone()))
				.unwrap_or_else(|| err(codes::NO_RECORDS, "nothing fetched")));
		}
		Ok(FetchResult {
			attestation: index,
			block: attested.block_number,
			basis: basis_name(&basis),
			records,
			unavailable: unavailable.into_values().collect(),
		})
	}

	async fn check(
		&self,
		health_id: &HealthId,
		practitioner: &str,
		categories: &[DataCategory],
		purpose: Purpose,
	) -> Result<(String, Option<String>), GatewayError> {
		let d = self
			.chain
			.rpc(
				"health_checkAccess",
				vec![json!({
					"practitioner": practitioner,
					"hospital": self.hospital(),
					"healthId": health_id.to_hex(),
					"categories": categories,
					"purpose": purpose,
				})],
			)
			.await?;
		Ok((
			d["decision"].as_str().unwrap_or("deny").to_string(),
			d["basis"].as_str().map(str::to_string),
		))
	}

	/// Sends a per-request consent request and waits for the patient's answer in finalized
	/// blocks' events.
	async fn ask_patient(
		&self,
		health_id: &HealthId,
		req: &FetchRequest,
		categories: &[DataCategory],
		purpose: Purpose,
	) -> Result<(), GatewayError> {
		// Subscribe first so the answer cannot slip between inclusion and subscription.
		let mut blocks =
			self.chain.api().stream_blocks().await.map_err(|e| {
				err(codes::UNAVAILABLE, format!("cannot follow finalized blocks: {e}"))
			})?;
		let grant_for = match req.grant_for_ms {
			Some(0) => return Err(bad("grantForMs must be positive")),
			Some(ms) => Value::unnamed_variant("Some", vec![Value::u128(ms as u128)]),
			None => variant("None"),
		};
		let included = self
			.chain
			.submit(
				"Consent",
				"request_access",
				vec![
					hid(health_id),
					text(&req.practitioner),
					Value::unnamed_composite(categories.iter().map(|c| category_variant(*c))),
					variant(&format!("{purpose:?}")),
					grant_for,
				],
			)
			.await
			.map_err(|e| err(codes::DENIED, format!("consent request refused: {e}")))?;
		let request_id = included
			.event("Consent", "AccessRequested")
			.and_then(|e| e.leading::<u64>())
			.ok_or_else(|| err(codes::UNAVAILABLE, "request included without its event"))?;
		info!("consent_requested", {"healthId": req.health_id, "practitioner": req.practitioner, "requestId": request_id});
		let wait = Duration::from_secs(req.wait_secs.unwrap_or(self.config.consent_wait_secs));
		let answer = tokio::time::timeout(wait, async {
			while let Some(block) = blocks.next().await {
				let Ok(block) = block else { continue };
				let Ok(at) = block.at().await else { continue };
				let Ok(events) = at.events().fetch().await else { continue };
				for ev in events.iter().flatten() {
					if ev.pallet_name() != "Consent" {
						continue;
					}
					let granted = match ev.event_name() {
						"AccessGranted" => true,
						"AccessRefused" => false,
						_ => continue,
					};
					if u64::decode(&mut ev.field_bytes()).ok() == Some(request_id) {
						return Some(granted);
					}
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
			Ok(None) => Err(err(codes::UNAVAILABLE, "the node closed the block stream")),
			Err(_) => Err(err(
				codes::REQUEST_TIMED_OUT,
				format!(
					"the patient did not answer consent request {request_id} within {} s",
					wait.as_secs()
				),
			)),
		}
	}

	/// The patient's live records (anchored, not revoked by their anchoring hospital, not
	/// superseded), newest last.
	async fn live_records(&self, health_id: &str) -> Result<Vec<ChainRecord>, GatewayError> {
		let mut entries = Vec::new();
		let mut cursor: Option<String> = None;
		loop {
			let mut page = json!({"limit": 100, "finalized": true});
			if let Some(c) = &cursor {
				page["cursor"] = json!(c);
			}
			let p = self.chain.rpc("health_records", vec![json!(health_id), page]).await?;
			if let Some(list) = p["entries"].as_array() {
				entries.extend(list.iter().cloned());
			}
			match p["nextCursor"].as_str() {
				Some(c) => cursor = Some(c.to_string()),
				None => break,
			}
		}
		entries.reverse(); // oldest first
		let mut live: Vec<ChainRecord> = Vec::new();
		for e in entries {
			let e = &e["entry"];
			let hospital = e["hospital"].as_str().unwrap_or_default().to_string();
			let Ok(hash) = hex32(e["contentHash"].as_str().unwrap_or_default(), "contentHash")
			else {
				continue;
			};
			match e["op"].as_str() {
				Some("anchor") => {
					if let Some(old) = e["supersedes"].as_str().and_then(|s| hex32(s, "").ok()) {
						live.retain(|r| !(r.hash == old && r.hospital == hospital));
					}
					let Ok(category) = serde_json::from_value(e["category"].clone()) else {
						continue;
					};
					live.push(ChainRecord { hash, hospital, category });
				},
				Some("revoke") => live.retain(|r| !(r.hash == hash && r.hospital == hospital)),
				_ => {},
			}
		}
		Ok(live)
	}

	fn local_records(
		&self,
		health_id: &HealthId,
		recs: &[ChainRecord],
	) -> Result<Vec<FetchedRecord>, GatewayError> {
		if self.store.stopped_since(health_id).is_some() {
			return Err(err(codes::NOT_SERVED, "this hospital no longer serves the patient"));
		}
		recs.iter()
			.map(|r| {
				let plain = self.store.plaintext(&r.hash)?;
				Ok(FetchedRecord {
					content_hash: h(&r.hash),
					source: r.hospital.clone(),
					category: r.category,
					bundle: serde_json::from_slice(&plain)
						.map_err(|e| err(codes::INTEGRITY, format!("stored bundle: {e}")))?,
				})
			})
			.collect()
	}

	async fn fetch_from_peer(
		&self,
		source: &str,
		health_id: &str,
		attestation: u64,
		recs: &[ChainRecord],
	) -> Result<Vec<FetchedRecord>, GatewayError> {
		let (url, peer_key) = self
			.peers
			.get(source)
			.ok_or_else(|| err(codes::UNKNOWN_PEER, format!("unknown peer gateway {source}")))?;
		let client: HttpClient = HttpClientBuilder::default()
			.request_timeout(Duration::from_secs(30))
			.build(url)
			.map_err(|e| err(codes::PEER_FAILED, format!("peer {source} ({url}): {e}")))?;
		let request = ServeRequest {
			health_id: health_id.to_string(),
			records: recs.iter().map(|r| h(&r.hash)).collect(),
			attestation,
			requester: self.hospital().to_string(),
		};
		let answer: Json =
			client.request("gateway_serve", rpc_params![request]).await.map_err(|e| match e {
				jsonrpsee::core::ClientError::Call(c) => {
					err(c.code(), format!("peer {source} refused: {}", c.message()))
				},
				other => {
					err(codes::PEER_FAILED, format!("peer {source} ({url}) unreachable: {other}"))
				},
			})?;
		let sealed = answer["sealed"]
			.as_str()
			.and_then(|s| hex::decode(s.trim_start_matches("0x")).ok())
			.ok_or_else(|| err(codes::PEER_FAILED, format!("peer {source}: malformed answer")))?;
		self.open_from_peer(source, peer_key, &sealed, recs)
	}

	fn open_from_peer(
		&self,
		source: &str,
		peer_key: &[u8; 32],
		sealed: &[u8],
		recs: &[ChainRecord],
	) -> Result<Vec<FetchedRecord>, GatewayError> {
		let expected: Vec<([u8; 32], DataCategory)> =
			recs.iter().map(|r| (r.hash, r.category)).collect();
		open_records(&self.exchange, source, peer_key, sealed, &expected)
	}

	// ---------------------------------------------------------------- serve

	/// Serves a peer's request: checks on chain that the requester's attestation exists in a
	/// finalized block, is recent, names the requester's hospital, these records and their
	/// categories, that the patient still shares records from this hospital; then seals the
	/// records for the requester.
	pub async fn serve(&self, req: ServeRequest) -> Result<Json, GatewayError> {
		let health_id = HealthId(hex32(&req.health_id, "healthId")?);
		let (_, requester_key) = self.peers.get(&req.requester).ok_or_else(|| {
			err(codes::UNKNOWN_PEER, format!("unknown peer gateway {}", req.requester))
		})?;
		if req.records.is_empty() || req.records.len() > MAX_RECORDS {
			return Err(bad(format!("records: 1 to {MAX_RECORDS} hashes")));
		}
		let wanted: Vec<[u8; 32]> =
			req.records.iter().map(|r| hex32(r, "record")).collect::<Result<_, _>>()?;

		// The patient still shares records from this hospital.
		let consent = self.chain.rpc("health_consent", vec![json!(req.health_id)]).await?;
		let enrolled = consent["enrolled"].as_bool() == Some(true);
		let selected = shares_records_from(&consent, self.hospital());
		if !enrolled || !selected || self.store.stopped_since(&health_id).is_some() {
			let why = if !enrolled { "withdrew" } else { "removed this hospital as a source" };
			warn!("serve_refused", {"healthId": req.health_id, "requester": req.requester, "reason": why});
			return Err(err(
				codes::NOT_SERVED,
				format!("the patient {why}: records are not served"),
			));
		}

		// The attestation, verified against the finalized on-chain head.
		let entry = self.find_attestation(&req.health_id, req.attestation).await?;
		let attested_by = String::from_utf8_lossy(&entry.hospital).to_string();
		let refuse = |m: String| {
			warn!("serve_refused", {"healthId": req.health_id, "requester": req.requester, "attestation": req.attestation, "reason": m});
			err(codes::BAD_ATTESTATION, m)
		};
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
		for hash in &wanted {
			if !entry.records.iter().any(|r| r.as_bytes() == hash) {
				return Err(refuse(format!(
					"attestation {} does not name record {}",
					req.attestation,
					h(hash)
				)));
			}
			let meta =
				self.store.meta(hash).filter(|m| m.health_id == health_id).ok_or_else(|| {
					err(
						codes::UNKNOWN_RECORD,
						format!("no record {} of this patient here", h(hash)),
					)
				})?;
			if !entry.categories.contains(&meta.category) {
				return Err(refuse(format!(
					"attestation {} does not cover category {}",
					req.attestation,
					category_name(meta.category)
				)));
			}
			let ct = self.store.ciphertext(hash)?;
			let key = self.store.key(hash)?;
			items.push((*hash, ct, *key));
		}
		let sealed = seal_records(&self.exchange, requester_key, &items);
		info!("served", {"healthId": req.health_id, "requester": req.requester, "attestation": req.attestation, "records": wanted.len()});
		Ok(json!({ "sealed": h(&sealed) }))
	}

	/// Finds access-log entry `index` of a patient in finalized state and checks the hash
	/// chain from the on-chain head down to it.
	async fn find_attestation(
		&self,
		health_id: &str,
		index: u64,
	) -> Result<AccessEntry, GatewayError> {
		let page = self
			.chain
			.rpc(
				"health_accessLog",
				vec![json!(health_id), json!({"limit": 100, "finalized": true})],
			)
			.await?;
		let count = page["count"].as_u64().unwrap_or(0);
		if index >= count {
			return Err(err(
				codes::BAD_ATTESTATION,
				format!("no attestation {index} in the patient's finalized access log ({count} entries)"),
			));
		}
		let mut expected = hex32(page["head"].as_str().unwrap_or_default(), "head")?;
		for e in page["entries"].as_array().into_iter().flatten() {
			let head = hex32(e["head"].as_str().unwrap_or_default(), "head")?;
			let prev = hex32(e["prevHead"].as_str().unwrap_or_default(), "prevHead")?;
			let encoded =
				hex::decode(e["encoded"].as_str().unwrap_or_default().trim_start_matches("0x"))
					.map_err(|_| err(codes::BAD_ATTESTATION, "access log entry not hex"))?;
			if head != expected || LogHead::next_head(&H256(prev), &encoded).0 != head {
				return Err(err(
					codes::BAD_ATTESTATION,
					"the node served an access log that does not match the on-chain head",
				));
			}
			if e["index"].as_u64() == Some(index) {
				return AccessEntry::decode(&mut &encoded[..])
					.map_err(|_| err(codes::BAD_ATTESTATION, "access log entry does not decode"));
			}
			expected = prev;
		}
		Err(err(codes::BAD_ATTESTATION, format!("attestation {index} is too old to serve on")))
	}

	// ---------------------------------------------------------------- withdrawal

	/// Whether the patient currently shares records from this hospital.
	async fn serving(&self, health_id: &HealthId) -> Result<bool, GatewayError> {
		let consent = self.chain.rpc("health_consent", vec![json!(health_id.to_hex())]).await?;
		Ok(consent["enrolled"].as_bool() == Some(true)
			&& shares_records_from(&consent, self.hospital()))
	}

	/// Re-evaluates one patient: marks them stopped (starting the retention clock) or clears
	/// the mark if they share records from this hospital again.
	pub async fn reconcile(&self, health_id: &HealthId) -> Result<(), GatewayError> {
		let live = self
			.store
			.records_of(health_id)
			.into_iter()
			.any(|(hash, _)| !self.store.is_erased(&hash));
		if !live {
			return Ok(());
		}
		if self.serving(health_id).await? {
			if self.store.clear_stopped(health_id) {
				info!("serving_resumed", {"healthId": health_id.to_hex()});
			}
		} else if self.store.mark_stopped(health_id, now_ms() / 1000)? {
			warn!("serving_stopped", {"healthId": health_id.to_hex(), "shredAfterSecs": self.config.retention_secs});
		}
		Ok(())
	}

	/// Shreds the records of patients stopped longer than the retention period, and revokes
	/// their anchors on chain with reason `Erased`. Returns how many records were shredded.
	pub async fn shred_due(&self) -> usize {
		let now = now_ms() / 1000;
		let mut shredded = 0;
		for (health_id, since) in self.store.stopped() {
			if now < since.saturating_add(self.config.retention_secs) {
				continue;
			}
			for (hash, _) in self.store.records_of(&health_id) {
				if self.store.is_erased(&hash) {
					continue;
				}
				if let Err(e) = self.store.shred(&hash) {
					error!("shred_failed", {"healthId": health_id.to_hex(), "contentHash": h(&hash), "error": e.to_string()});
					continue;
				}
				shredded += 1;
				info!("record_shredded", {"healthId": health_id.to_hex(), "contentHash": h(&hash)});
				if let Err(e) = self
					.chain
					.submit(
						"Records",
						"revoke",
						vec![hid(&health_id), Value::from_bytes(hash), variant("Erased")],
					)
					.await
				{
					error!("revoke_failed", {"healthId": health_id.to_hex(), "contentHash": h(&hash), "error": e.to_string()});
				}
			}
			self.store.clear_stopped(&health_id);
		}
		shredded
	}

	/// Follows finalized blocks; on a withdrawal, source change or enrolment of a patient
	/// with records here, re-evaluates that patient. Shreds what is due every second.
	/// Returns when the node's stream ends (the caller reconnects) or on shutdown.
	pub async fn watch(&self, mut shutdown: tokio::sync::watch::Receiver<bool>) {
		// Catch up on whatever happened while the gateway was down.
		let patients: BTreeSet<HealthId> =
			self.store.all_meta().into_iter().map(|(_, m)| m.health_id).collect();
		for p in &patients {
			if let Err(e) = self.reconcile(p).await {
				error!("reconcile_failed", {"healthId": p.to_hex(), "error": e.message});
			}
		}
		let mut blocks = match self.chain.api().stream_blocks().await {
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
					for ev in events.iter().flatten() {
						if ev.pallet_name() == "Consent" &&
							matches!(ev.event_name(), "Withdrawn" | "SourcesChanged" | "Enrolled")
						{
							if let Ok(id) = HealthId::decode(&mut ev.field_bytes()) {
								touched.insert(id);
							}
						}
					}
					for id in touched {
						if let Err(e) = self.reconcile(&id).await {
							error!("reconcile_failed", {"healthId": id.to_hex(), "error": e.message});
						}
					}
				}
			}
		}
	}

	/// Status for operators.
	pub async fn status(&self) -> Json {
		let best = self.chain.best_number().await;
		let all = self.store.all_meta();
		let erased = all.iter().filter(|(hash, _)| self.store.is_erased(hash)).count();
		json!({
			"hospital": self.hospital(),
			"account": self.chain.account(),
			"exchangeKey": h(&self.exchange.public()),
			"node": match &best { Ok(n) => json!({"reachable": true, "best": n}), Err(e) => json!({"reachable": false, "error": e.to_string()}) },
			"records": all.len() - erased,
			"erased": erased,
			"pendingShredding": self.store.stopped().len(),
		})
	}
}

/// Whether a `health_consent` answer's source selection includes `hospital` (`"all"` or a
/// list of codes); `false` for a patient who never enrolled.
fn shares_records_from(consent: &Json, hospital: &str) -> bool {
	match &consent["sources"] {
		Json::String(s) => s == "all",
		Json::Array(list) => list.iter().any(|c| c.as_str() == Some(hospital)),
		_ => false,
	}
}

/// Opens a source's sealed answer and checks every expected record's ciphertext against its
/// anchored hash before decrypting it. Nothing is returned unless every record checks.
pub fn open_records(
	exchange: &ExchangeKey,
	source: &str,
	peer_key: &[u8; 32],
	sealed: &[u8],
	expected: &[([u8; 32], DataCategory)],
) -> Result<Vec<FetchedRecord>, GatewayError> {
	let opened = exchange
		.open_from(peer_key, sealed)
		.map_err(|e| err(codes::INTEGRITY, format!("answer from {source} does not open: {e}")))?;
	let items: Vec<SealedRecord> = serde_json::from_slice(&opened)
		.map_err(|e| err(codes::PEER_FAILED, format!("peer {source}: malformed payload: {e}")))?;
	let mut out = Vec::new();
	for (hash, category) in expected {
		let item = items.iter().find(|i| i.hash == h(hash)).ok_or_else(|| {
			err(codes::PEER_FAILED, format!("peer {source} did not return {}", h(hash)))
		})?;
		let ct = hex::decode(item.ciphertext.trim_start_matches("0x"))
			.map_err(|_| err(codes::PEER_FAILED, "ciphertext not hex"))?;
		crypto::verify_hash(hash, &ct).map_err(|e| {
			err(codes::INTEGRITY, format!("record from {source} fails its anchored hash: {e}"))
		})?;
		let key = hex32(&item.key, "record key")?;
		let plain = crypto::decrypt(&key, &ct)
			.map_err(|e| err(codes::INTEGRITY, format!("record from {source}: {e}")))?;
		out.push(FetchedRecord {
			content_hash: h(hash),
			source: source.to_string(),
			category: *category,
			bundle: serde_json::from_slice(&plain)
				.map_err(|e| err(codes::INTEGRITY, format!("bundle from {source}: {e}")))?,
		});
	}
	Ok(out)
}

/// Seals records (ciphertext and key each) for a requester: what a source returns.
pub fn seal_records(
	exchange: &ExchangeKey,
	requester_key: &[u8; 32],
	records: &[([u8; 32], Vec<u8>, [u8; 32])],
) -> Vec<u8> {
	let items: Vec<SealedRecord> = records
		.iter()
		.map(|(hash, ct, key)| SealedRecord { hash: h(hash), ciphertext: h(ct), key: h(key) })
		.collect();
	exchange.seal_for(requester_key, &serde_json::to_vec(&items).unwrap_or_default())
}

fn basis_name(debug: &str) -> String {
	let first = debug.split(|c: char| !c.is_alphanumeric()).next().unwrap_or("");
	let mut s = first.to_string();
	if let Some(c) = s.get_mut(0..1) {
		c.make_ascii_lowercase();
	}
	s
}

#[cfg(test)]
mod tests {
	use super::*;

	fn sealed_record(plain: &[u8]) -> ([u8; 32], Vec<u8>, [u8; 32]) {
		let key = crypto::new_record_key();
		let ct = crypto::encrypt(&key, plain);
		(crypto::content_hash(&ct), ct, *key)
	}

	#[test]
	fn the_requester_checks_every_anchored_hash_before_showing_anything() {
		let (source, requester) = (ExchangeKey::generate(), ExchangeKey::generate());
		let good = sealed_record(br#"{"resourceType":"Bundle"}"#);
		let other = sealed_record(br#"{"resourceType":"Bundle","id":"2"}"#);
		let expected = [(good.0, DataCategory::Allergy), (other.0, DataCategory::Visit)];
		let sealed = seal_records(&source, &requester.public(), &[good.clone(), other.clone()]);
		let got = open_records(&requester, "H0001", &source.public(), &sealed, &expected).unwrap();
		assert_eq!(got.len(), 2);
		assert_eq!(got[0].bundle, serde_json::json!({"resourceType": "Bundle"}));

		// A source that swaps in other bytes under the anchored hash is caught.
		let mut tampered = good.clone();
		tampered.1[30] ^= 1;
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
		wrong_key.2 = [9; 32];
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

	#[test]
	fn source_selection_of_a_consent_answer() {
		let all = serde_json::json!({"enrolled": true, "sources": "all"});
		let only_b = serde_json::json!({"enrolled": true, "sources": ["H0002"]});
		assert!(shares_records_from(&all, "H0001"));
		assert!(!shares_records_from(&only_b, "H0001"));
		assert!(shares_records_from(&only_b, "H0002"));
		assert!(!shares_records_from(&Json::Null, "H0001"));
	}

	#[test]
	fn basis_names() {
		assert_eq!(basis_name("Enrolment"), "enrolment");
		assert_eq!(basis_name("Grant(3)"), "grant");
		assert_eq!(basis_name("Emergency(0)"), "emergency");
	}
}
