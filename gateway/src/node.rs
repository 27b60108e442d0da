//! The gateway's one view of the chain: every question it asks its node and every extrinsic
//! it signs goes through [`NodeView`]. Reads use the typed `health_*` client; log pages are
//! verified with the one verification (`primitives::logs::verify_page`) and folded with the
//! one live-records rule (`primitives::logs::live_records`); the source rule is the chain's
//! (`health_sourceCheck`); calls and events are the types generated from the runtime
//! metadata (`healthchain-client`).

use crate::error::{bad, err, unavailable, GatewayError};
use healthchain_client::{
	calls,
	rpc::{codes as rpc_codes, CheckAccessParams, ConsentAnswer, PageParams, RequestAnswer},
	runtime,
	subxt::utils::AccountId32,
	Client, HealthRpcClient, Included, Keypair, SubmitError, Wait,
};
use healthchain_primitives::{
	logs::{self, AccessBasis, AccessEntry, LiveRecord, RecordEntry, RecordOp, RevocationReason},
	DataCategory, Decision, HealthId, Purpose, SourceRefusal,
};
use jsonrpsee::core::ClientError;
use sp_core::H256;

use crate::wire::EmergencyReason;

/// What an attestation produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attested {
	/// Its position in the patient's access log.
	pub index: u64,
	/// The finalized block that holds it.
	pub block: u64,
	/// What the access rested on.
	pub basis: AccessBasis,
}

/// A grant from an approved per-request consent request, as stored on chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
	/// The hospital it was granted to.
	pub hospital: String,
	/// The practitioner it was granted to.
	pub practitioner: String,
	/// The request it came from.
	pub request_id: u64,
	/// The categories it covers.
	pub categories: Vec<DataCategory>,
	/// The purpose it covers.
	pub purpose: Purpose,
	/// When it was granted (ms).
	pub granted_at: u64,
	/// When it stops permitting (ms, exclusive).
	pub expires_at: u64,
}

/// One verified access-log entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoggedAccess {
	/// Its position in the log.
	pub index: u64,
	/// The block that holds it.
	pub block: u32,
	/// The log head after it.
	pub head: H256,
	/// The entry, decoded from its verified bytes.
	pub entry: AccessEntry,
}

/// A verified page of an access log, newest first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessPage {
	/// Entries in the whole log.
	pub count: u64,
	/// The entries.
	pub entries: Vec<LoggedAccess>,
	/// The cursor of the next (older) page.
	pub next_cursor: Option<H256>,
}

/// The node, as this gateway (hospital `hospital`, signing with its gateway key) sees it.
/// The connection is made on first use and made again after the node went away, so the
/// gateway starts (and answers `unavailable`) while its node is down.
pub struct NodeView {
	url: String,
	client: tokio::sync::RwLock<Option<Client>>,
	signer: Keypair,
	account: AccountId32,
	hospital: String,
	submit_lock: tokio::sync::Mutex<()>,
	max_head_age_ms: u64,
	/// The gateway holds the published development lookup secret: it works only with
	/// development and local chains, never with a `Live` one.
	development_secret: bool,
	/// The refusal above was logged (once).
	refusal_logged: std::sync::atomic::AtomicBool,
}

/// Why a gateway with the published development lookup secret does not use a `Live` chain.
pub const DEVELOPMENT_SECRET_ON_LIVE_CHAIN: &str =
	"refused: this gateway's lookup secret is the published development secret and the node's \
	 chain is Live (a production network); configure the network's own lookup secret \
	 (lookup_secret_file)";

/// Whether the node's view may be acted on: not syncing, finalized head recent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Readiness {
	/// The finalized block number.
	pub finalized: u64,
	/// Its hash.
	pub finalized_hash: H256,
	/// Why the gateway must not act on this node's view now, if so.
	pub not_ready: Option<String>,
}

fn rpc_error(method: &str, e: ClientError) -> GatewayError {
	match e {
		ClientError::Call(c) if c.code() == rpc_codes::INVALID_PARAMS => {
			bad(format!("{method}: {}", c.message()))
		},
		ClientError::Call(c) => unavailable(format!("{method}: {}", c.message())),
		other => unavailable(format!("{method}: node unavailable: {other}")),
	}
}

impl NodeView {
	/// A view of the node at `node_url`, signing with `signer` for hospital `hospital`;
	/// nothing is connected yet. The gateway acts on the chain's state only while the
	/// finalized head is at most `max_head_age_secs` old.
	///
	/// `development_secret`: the gateway's lookup secret is the published development one;
	/// the view then refuses a node whose chain is `Live` (a production network).
	pub fn new(
		node_url: &str,
		signer: Keypair,
		hospital: &str,
		max_head_age_secs: u64,
		development_secret: bool,
	) -> Self {
		let account = signer.public_key().to_account_id();
		NodeView {
			url: node_url.to_string(),
			client: Default::default(),
			signer,
			account,
			hospital: hospital.to_string(),
			submit_lock: Default::default(),
			max_head_age_ms: max_head_age_secs.saturating_mul(1000),
			development_secret,
			refusal_logged: Default::default(),
		}
	}

	/// The gateway's account (SS58).
	pub fn account(&self) -> String {
		self.account.to_string()
	}

	/// The client, connecting first if needed.
	pub async fn client(&self) -> Result<Client, GatewayError> {
		if let Some(c) = self.client.read().await.as_ref() {
			return Ok(c.clone());
		}
		let mut slot = self.client.write().await;
		if let Some(c) = slot.as_ref() {
			return Ok(c.clone());
		}
		let c = Client::connect(&self.url)
			.await
			.map_err(|e| unavailable(format!("the node at {} is not reachable: {e}", self.url)))?;
		if self.development_secret {
			use jsonrpsee::core::client::ClientT;
			let chain_type: serde_json::Value = c
				.health()
				.request("system_chainType", jsonrpsee::rpc_params![])
				.await
				.map_err(|e| rpc_error("system_chainType", e))?;
			if chain_type == "Live" {
				use std::sync::atomic::Ordering;
				if !self.refusal_logged.swap(true, Ordering::Relaxed) {
					crate::error!("development_secret_on_live_chain", {"node": self.url});
				}
				return Err(unavailable(DEVELOPMENT_SECRET_ON_LIVE_CHAIN));
			}
		}
		*slot = Some(c.clone());
		Ok(c)
	}

	/// Drops the connection (the node went away); the next use connects again.
	pub async fn reconnect(&self) {
		*self.client.write().await = None;
	}

	/// The node's best block number: the liveness probe.
	pub async fn best_number(&self) -> Result<u64, GatewayError> {
		let client = self.client().await?;
		match client.best_number().await {
			Ok(n) => Ok(n),
			Err(e) => {
				self.reconnect().await;
				Err(unavailable(e))
			},
		}
	}

	/// Whether the gateway may act on this node's view: the node is not syncing
	/// (`system_health`) and its finalized head's block time is recent. A node that is
	/// syncing, cut off or behind would show patients as unknown or not enrolled.
	pub async fn readiness(&self) -> Result<Readiness, GatewayError> {
		use jsonrpsee::core::client::ClientT;
		type Header = healthchain_client::subxt::config::substrate::SubstrateHeader<H256>;
		let client = self.client().await?;
		let rpc = client.health();
		let health: serde_json::Value = rpc
			.request("system_health", jsonrpsee::rpc_params![])
			.await
			.map_err(|e| rpc_error("system_health", e))?;
		let syncing = health.get("isSyncing").and_then(|v| v.as_bool()).unwrap_or(true);
		let finalized_hash: H256 = rpc
			.request("chain_getFinalizedHead", jsonrpsee::rpc_params![])
			.await
			.map_err(|e| rpc_error("chain_getFinalizedHead", e))?;
		let header: Option<Header> = rpc
			.request("chain_getHeader", jsonrpsee::rpc_params![finalized_hash])
			.await
			.map_err(|e| rpc_error("chain_getHeader", e))?;
		let finalized = header.map(|h| h.number).unwrap_or(0);
		let at = self.block_time(&client, finalized_hash).await?;
		let age = crate::service::now_ms().saturating_sub(at);
		let not_ready = if syncing {
			Some("the node is syncing".to_string())
		} else if age > self.max_head_age_ms {
			Some(format!(
				"the node's finalized head #{finalized} is {} s old (at most {} s)",
				age / 1000,
				self.max_head_age_ms / 1000
			))
		} else {
			None
		};
		Ok(Readiness { finalized, finalized_hash, not_ready })
	}

	/// The block time (`Timestamp::Now`, ms) of block `at`; 0 for genesis.
	async fn block_time(&self, client: &Client, at: H256) -> Result<u64, GatewayError> {
		use codec::Decode;
		use jsonrpsee::core::client::ClientT;
		let key = [sp_crypto_hashing::twox_128(b"Timestamp"), sp_crypto_hashing::twox_128(b"Now")]
			.concat();
		let raw: Option<sp_core::Bytes> = client
			.health()
			.request("state_getStorage", jsonrpsee::rpc_params![sp_core::Bytes(key), at])
			.await
			.map_err(|e| rpc_error("state_getStorage", e))?;
		Ok(raw.and_then(|b| u64::decode(&mut &b.0[..]).ok()).unwrap_or(0))
	}

	/// The hash of finalized-chain block `number` on this node, if it has one.
	pub async fn block_hash(&self, number: u64) -> Result<Option<H256>, GatewayError> {
		use jsonrpsee::core::client::ClientT;
		let client = self.client().await?;
		client
			.health()
			.request("chain_getBlockHash", jsonrpsee::rpc_params![number])
			.await
			.map_err(|e| rpc_error("chain_getBlockHash", e))
	}

	/// Signs and submits `call` with the gateway key (one submission at a time: the nonce
	/// comes from the node's pool view) and waits for finality.
	pub async fn submit<C: healthchain_client::subxt::transactions::Payload>(
		&self,
		call: &C,
	) -> Result<Included, SubmitError> {
		let _one_at_a_time = self.submit_lock.lock().await;
		let client = self.client().await.map_err(|e| SubmitError::Unavailable(e.message))?;
		let result = client.submit(&self.signer, call, Wait::Finalized).await;
		if matches!(result, Err(SubmitError::Unavailable(_) | SubmitError::Unknown(_))) {
			self.reconnect().await;
		}
		result
	}

	// ------------------------------------------------------------------ reads

	/// The consent decision (the runtime's `consent::decide`) for a practitioner of this
	/// hospital.
	pub async fn decide(
		&self,
		health_id: HealthId,
		practitioner: &str,
		categories: &[DataCategory],
		purpose: Purpose,
	) -> Result<Decision, GatewayError> {
		let params = CheckAccessParams {
			practitioner: practitioner.to_string(),
			hospital: self.hospital.clone(),
			health_id,
			categories: categories.to_vec(),
			purpose,
			at_time: None,
		};
		let answer = self
			.client()
			.await?
			.health()
			.check_access(params)
			.await
			.map_err(|e| rpc_error("health_checkAccess", e))?;
		Ok(answer.decision)
	}

	/// The chain's source rule: may `hospital` send (and serve) the patient's data, at the
	/// best block or the finalized one.
	pub async fn source_check(
		&self,
		health_id: HealthId,
		hospital: &str,
		finalized: bool,
	) -> Result<Result<(), SourceRefusal>, GatewayError> {
		let answer = self
			.client()
			.await?
			.health()
			.source_check(health_id, hospital.to_string(), Some(finalized))
			.await
			.map_err(|e| rpc_error("health_sourceCheck", e))?;
		Ok(answer.status.result())
	}

	/// The chain's source rule for this gateway's own hospital.
	pub async fn serves(
		&self,
		health_id: HealthId,
		finalized: bool,
	) -> Result<Result<(), SourceRefusal>, GatewayError> {
		self.source_check(health_id, &self.hospital, finalized).await
	}

	/// The patient's whole record log in finalized state, oldest first, with positions:
	/// every page verified against the on-chain head.
	pub async fn record_log(
		&self,
		health_id: HealthId,
	) -> Result<Vec<(u64, RecordEntry)>, GatewayError> {
		let client = self.client().await?;
		let mut entries = Vec::new();
		let mut cursor: Option<H256> = None;
		loop {
			let page = client
				.health()
				.records(health_id, Some(PageParams { limit: Some(100), cursor, finalized: true }))
				.await
				.map_err(|e| rpc_error("health_records", e))?;
			// The first page ends at the on-chain head, each later one at the cursor it was
			// asked with.
			let from = cursor.unwrap_or(page.head);
			let verified = page.verified::<RecordEntry>(from).map_err(|e| {
				unavailable(format!("the node served a record log that does not verify: {e}"))
			})?;
			entries.extend(verified);
			match page.next_cursor {
				Some(c) => cursor = Some(c),
				None => break,
			}
		}
		entries.reverse(); // oldest first
		Ok(entries)
	}

	/// The patient's live records (finalized state), oldest first: the verified record log
	/// folded with the one live-records rule.
	pub async fn live_records(&self, health_id: HealthId) -> Result<Vec<LiveRecord>, GatewayError> {
		let entries: Vec<RecordEntry> =
			self.record_log(health_id).await?.into_iter().map(|(_, e)| e).collect();
		Ok(logs::live_records(&entries))
	}

	/// Whether this hospital anchored `content_hash` for the patient in finalized state
	/// (revoked since or not): its position in the record log.
	pub async fn anchored_here(
		&self,
		health_id: HealthId,
		content_hash: H256,
	) -> Result<Option<u64>, GatewayError> {
		let log = self.record_log(health_id).await?;
		Ok(log.into_iter().find_map(|(index, e)| match e.op {
			RecordOp::Anchor { content_hash: h, .. }
				if h == content_hash
					&& healthchain_client::rpc::text(&e.hospital) == self.hospital =>
			{
				Some(index)
			},
			_ => None,
		}))
	}

	/// Access-log entry `index` of a patient in finalized state, with the hash chain from
	/// the on-chain head down to it verified.
	pub async fn attestation(
		&self,
		health_id: HealthId,
		index: u64,
	) -> Result<AccessEntry, GatewayError> {
		use crate::error::codes::BAD_ATTESTATION;
		let page = self
			.client()
			.await?
			.health()
			.access_log(
				health_id,
				Some(PageParams { limit: Some(100), cursor: None, finalized: true }),
			)
			.await
			.map_err(|e| rpc_error("health_accessLog", e))?;
		if index >= page.count {
			return Err(err(
				BAD_ATTESTATION,
				format!(
					"no attestation {index} in the patient's finalized access log ({} entries)",
					page.count
				),
			));
		}
		let verified = page.verified::<AccessEntry>(page.head).map_err(|e| {
			err(BAD_ATTESTATION, format!("the node served an access log that does not verify: {e}"))
		})?;
		verified.into_iter().find(|(i, _)| *i == index).map(|(_, e)| e).ok_or_else(|| {
			err(BAD_ATTESTATION, format!("attestation {index} is too old to serve on"))
		})
	}

	/// The patient's consent state at the best block, or `None` if they never enrolled.
	pub async fn consent(
		&self,
		health_id: HealthId,
	) -> Result<Option<ConsentAnswer>, GatewayError> {
		self.client()
			.await?
			.health()
			.consent(health_id)
			.await
			.map_err(|e| rpc_error("health_consent", e))
	}

	/// The patient's open per-request consent requests at the best block.
	pub async fn pending_requests(
		&self,
		health_id: HealthId,
	) -> Result<Vec<RequestAnswer>, GatewayError> {
		self.client()
			.await?
			.health()
			.pending_requests(health_id)
			.await
			.map_err(|e| rpc_error("health_pendingRequests", e))
	}

	/// The patient's grants from approved consent requests at the best block, as stored
	/// (a grant permits until its `expires_at`; the chain prunes it later).
	pub async fn grants(&self, health_id: HealthId) -> Result<Vec<Grant>, GatewayError> {
		let client = self.client().await?;
		let at = client.api().at_current_block().await.map_err(unavailable)?;
		let entry = at
			.storage()
			.entry(runtime::storage().consent().grants())
			.map_err(|e| unavailable(format!("Consent.Grants: {e}")))?;
		let mut items = entry
			.iter((healthchain_client::subxt::utils::Static(health_id),))
			.await
			.map_err(|e| unavailable(format!("Consent.Grants: {e}")))?;
		let mut grants = Vec::new();
		while let Some(item) = items.next().await {
			let item = item.map_err(|e| unavailable(format!("Consent.Grants: {e}")))?;
			let (_, hospital, practitioner) = item
				.key()
				.and_then(|k| k.decode())
				.map_err(|e| unavailable(format!("Consent.Grants key: {e}")))?;
			let g = item
				.value()
				.decode()
				.map_err(|e| unavailable(format!("Consent.Grants value: {e}")))?;
			grants.push(Grant {
				hospital: healthchain_client::rpc::text(&hospital.0),
				practitioner: healthchain_client::rpc::text(&practitioner.0),
				request_id: g.request_id,
				categories: g.categories.0.into_iter().map(|c| c.0).collect(),
				purpose: g.purpose.0,
				granted_at: g.granted_at,
				expires_at: g.expires_at,
			});
		}
		Ok(grants)
	}

	/// A page of the patient's access log in finalized state, newest first, at most
	/// `limit` entries below `cursor` (from the on-chain head when `None`): the hash chain
	/// verified from where it was asked, each entry decoded from its verified bytes.
	pub async fn access_page(
		&self,
		health_id: HealthId,
		cursor: Option<H256>,
		limit: u32,
	) -> Result<AccessPage, GatewayError> {
		let page = self
			.client()
			.await?
			.health()
			.access_log(health_id, Some(PageParams { limit: Some(limit), cursor, finalized: true }))
			.await
			.map_err(|e| rpc_error("health_accessLog", e))?;
		let verified = page.verified::<AccessEntry>(cursor.unwrap_or(page.head)).map_err(|e| {
			unavailable(format!("the node served an access log that does not verify: {e}"))
		})?;
		let entries = verified
			.into_iter()
			.zip(&page.entries)
			.map(|((index, entry), item)| LoggedAccess {
				index,
				block: item.block_number,
				head: item.head,
				entry,
			})
			.collect();
		Ok(AccessPage { count: page.count, entries, next_cursor: page.next_cursor })
	}

	// ------------------------------------------------------------------ writes

	/// Anchors a record; returns its position in the patient's record log and the block.
	pub async fn anchor(
		&self,
		health_id: HealthId,
		category: DataCategory,
		content_hash: H256,
		size: u32,
		supersedes: Option<H256>,
	) -> Result<(u64, u64), SubmitError> {
		let call = calls::anchor(health_id, category, content_hash, size, supersedes);
		let included = self.submit(&call).await?;
		let index =
			included
				.event::<runtime::records::events::RecordAnchored>()
				.map(|e| e.index)
				.ok_or_else(|| SubmitError::Unknown("anchor included without its event".into()))?;
		Ok((index, included.block_number))
	}

	/// Revokes one of this hospital's anchors because its key was destroyed.
	pub async fn revoke_erased(
		&self,
		health_id: HealthId,
		content_hash: H256,
	) -> Result<(), SubmitError> {
		let call = calls::revoke(health_id, content_hash, RevocationReason::Erased);
		self.submit(&call).await.map(|_| ())
	}

	/// Opens an emergency access for a practitioner of this hospital.
	pub async fn open_emergency_access(
		&self,
		health_id: HealthId,
		practitioner: &str,
		reason: EmergencyReason,
	) -> Result<(), SubmitError> {
		use calls::EmergencyReason as Chain;
		let reason = match reason {
			EmergencyReason::Unconscious => Chain::Unconscious,
			EmergencyReason::LifeThreatening => Chain::LifeThreatening,
			EmergencyReason::UnableToConsent => Chain::UnableToConsent,
		};
		let call = calls::open_emergency_access(health_id, practitioner, reason);
		self.submit(&call).await.map(|_| ())
	}

	/// Sends a per-request consent request; returns its id.
	pub async fn request_access(
		&self,
		health_id: HealthId,
		practitioner: &str,
		categories: &[DataCategory],
		purpose: Purpose,
		grant_for_ms: Option<u64>,
	) -> Result<u64, SubmitError> {
		let call =
			calls::request_access(health_id, practitioner, categories, purpose, grant_for_ms);
		let included = self.submit(&call).await?;
		included
			.event::<runtime::consent::events::AccessRequested>()
			.map(|e| e.request_id)
			.ok_or_else(|| SubmitError::Unknown("request included without its event".into()))
	}

	/// Attests an access; the runtime decides again at the block's time.
	pub async fn attest(
		&self,
		health_id: HealthId,
		practitioner: &str,
		categories: &[DataCategory],
		records: &[H256],
		purpose: Purpose,
	) -> Result<Attested, SubmitError> {
		let call = calls::attest(health_id, practitioner, categories, records, purpose);
		let included = self.submit(&call).await?;
		included
			.event::<runtime::access_log::events::AccessAttested>()
			.map(|e| Attested {
				index: e.index,
				block: included.block_number,
				basis: e.entry.0.basis,
			})
			.ok_or_else(|| SubmitError::Unknown("attestation included without its event".into()))
	}
}
