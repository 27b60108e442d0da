//! The node's RPC extensions: the standard `system_*` account nonce API, and the `health_*`
//! namespace for hospital gateways (see `docs/rpc.md`).

use std::sync::Arc;

use codec::Decode;
use healthchain_primitives::{
	hex_encode,
	logs::{
		self, AccessBasis, AccessEntry, IndexedEntry, LogHead, LogKind, RecordEntry, RecordOp,
		RevocationReason,
	},
	views, ConsentPolicy, DataCategory, Decision, DocumentKind, HealthApi, HealthId, HospitalCode,
	LicenceNumber, Moment, Purpose,
};
use healthchain_runtime::{opaque::Block, AccountId, Nonce};
use jsonrpsee::{
	core::RpcResult,
	proc_macros::rpc,
	types::{ErrorObject, ErrorObjectOwned},
	RpcModule,
};
use sc_client_api::BlockBackend;
use sc_transaction_pool_api::TransactionPool;
use serde::{Deserialize, Serialize};
use sp_api::ProvideRuntimeApi;
use sp_block_builder::BlockBuilder;
use sp_blockchain::{Error as BlockChainError, HeaderBackend, HeaderMetadata};
use sp_core::offchain::OffchainStorage;
use sp_core::{crypto::Ss58Codec, H256};
use sp_runtime::traits::Block as BlockT;

/// Full client dependencies.
pub struct FullDeps<C, P, S> {
	/// The client instance to use.
	pub client: Arc<C>,
	/// Transaction pool instance.
	pub pool: Arc<P>,
	/// The offchain index (written during block import), if the database has one.
	pub offchain: Option<S>,
}

/// Instantiate all full RPC extensions.
pub fn create_full<C, P, S>(
	deps: FullDeps<C, P, S>,
) -> Result<RpcModule<()>, Box<dyn std::error::Error + Send + Sync>>
where
	C: ProvideRuntimeApi<Block> + BlockBackend<Block>,
	C: HeaderBackend<Block> + HeaderMetadata<Block, Error = BlockChainError> + 'static,
	C: Send + Sync + 'static,
	C::Api: substrate_frame_rpc_system::AccountNonceApi<Block, AccountId, Nonce>,
	C::Api: BlockBuilder<Block>,
	C::Api: HealthApi<Block, AccountId>,
	P: TransactionPool + 'static,
	S: OffchainStorage + 'static,
{
	use substrate_frame_rpc_system::{System, SystemApiServer};

	let mut module = RpcModule::new(());
	let FullDeps { client, pool, offchain } = deps;

	module.merge(System::new(client.clone(), pool).into_rpc())?;
	module.merge(Health { client, offchain }.into_rpc())?;

	Ok(module)
}

/// Stable error codes of the `health_*` namespace.
pub mod codes {
	/// A parameter is malformed (bad hex, empty or too long code, unknown category name).
	pub const INVALID_PARAMS: i32 = 4000;
	/// A page parameter is out of range, or the cursor is not in this patient's log.
	pub const INVALID_PAGE: i32 = 4001;
	/// The runtime API call failed.
	pub const RUNTIME_ERROR: i32 = 5000;
	/// The node's offchain index lacks an entry the chain says exists (the node imported
	/// blocks with indexing off): resync the node or ask another one.
	pub const INDEX_INCOMPLETE: i32 = 5001;
}

fn error(code: i32, message: impl Into<String>) -> ErrorObjectOwned {
	ErrorObject::owned(code, message.into(), None::<()>)
}

fn invalid(message: impl Into<String>) -> ErrorObjectOwned {
	error(codes::INVALID_PARAMS, message)
}

/// Parses a `0x`-hex health ID.
pub fn parse_health_id(s: &str) -> Result<HealthId, ErrorObjectOwned> {
	HealthId::from_hex(s).map_err(|e| invalid(format!("healthId: {e}")))
}

/// Parses a 32-byte `0x`-hex hash.
pub fn parse_h256(what: &str, s: &str) -> Result<H256, ErrorObjectOwned> {
	let mut out = [0u8; 32];
	healthchain_primitives::hex_decode_into(s, &mut out)
		.map_err(|e| invalid(format!("{what}: {e}")))?;
	Ok(H256(out))
}

fn parse_code(what: &str, s: &str, max: u32) -> Result<Vec<u8>, ErrorObjectOwned> {
	let s = s.trim();
	if s.is_empty() || s.len() > max as usize {
		return Err(invalid(format!("{what}: expected 1 to {max} characters, got {}", s.len())));
	}
	Ok(s.as_bytes().to_vec())
}

/// Parses a hospital code.
pub fn parse_hospital(s: &str) -> Result<HospitalCode, ErrorObjectOwned> {
	let v = parse_code("hospital", s, healthchain_primitives::MAX_HOSPITAL_CODE_LEN)?;
	Ok(HospitalCode::truncate_from(v))
}

/// Parses a licence number.
pub fn parse_licence(s: &str) -> Result<LicenceNumber, ErrorObjectOwned> {
	let v = parse_code("practitioner", s, healthchain_primitives::MAX_LICENCE_LEN)?;
	Ok(LicenceNumber::truncate_from(v))
}

fn text(bytes: &[u8]) -> String {
	String::from_utf8_lossy(bytes).into_owned()
}

/// `health_checkAccess` parameters.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CheckAccessParams {
	/// Practitioner licence number.
	pub practitioner: String,
	/// Hospital code where the practitioner treats.
	pub hospital: String,
	/// Patient health ID (`0x` + 64 hex digits).
	pub health_id: String,
	/// Categories asked for.
	pub categories: Vec<DataCategory>,
	/// `treatment` or `emergency`.
	pub purpose: Purpose,
	/// Evaluate at this time (ms since the epoch) instead of the block's timestamp.
	#[serde(default)]
	pub at_time: Option<Moment>,
}

/// A block reference in answers.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct BlockRef {
	/// Block number.
	pub number: u32,
	/// Block hash.
	pub hash: String,
}

/// `health_checkAccess` answer.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckAccessAnswer {
	/// The decision: `{"decision":"permit","basis":...}`, `{"decision":"deny","basis":<reason>}`
	/// or `{"decision":"needsRequest"}`.
	#[serde(flatten)]
	pub decision: Decision,
	/// The block whose state was used.
	pub at: BlockRef,
}

/// Page parameters for the log methods.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PageParams {
	/// Entries per page, 1 to 100 (default 20).
	#[serde(default)]
	pub limit: Option<u32>,
	/// Continue below this head (the `nextCursor` of the previous page).
	#[serde(default)]
	pub cursor: Option<String>,
	/// Read at the finalized block instead of the best block.
	#[serde(default)]
	pub finalized: bool,
}

/// One log entry as served.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogItem<E> {
	/// Zero-based position in the log.
	pub index: u64,
	/// The block holding the entry.
	pub block_number: u32,
	/// Head before the entry.
	pub prev_head: String,
	/// Head after the entry: `blake2_256(prevHead ++ encoded)`.
	pub head: String,
	/// SCALE encoding of the entry, to recompute the head.
	pub encoded: String,
	/// The entry, decoded.
	pub entry: E,
}

/// A page of a log, newest first.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogPage<E> {
	/// The patient.
	pub health_id: String,
	/// Entries in the log at `at`.
	pub count: u64,
	/// The on-chain head at `at`.
	pub head: String,
	/// The block whose state was used.
	pub at: BlockRef,
	/// The entries, newest first.
	pub entries: Vec<LogItem<E>>,
	/// Pass as `cursor` for the next (older) page; `null` at the start of the log.
	pub next_cursor: Option<String>,
}

/// A record log entry as JSON.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "op")]
pub enum RecordJson {
	/// An anchored record.
	#[serde(rename_all = "camelCase")]
	Anchor {
		/// Source hospital.
		hospital: String,
		/// Category.
		category: DataCategory,
		/// BLAKE2b-256 of the ciphertext.
		content_hash: String,
		/// Ciphertext size.
		size: u32,
		/// Superseded record.
		supersedes: Option<String>,
		/// Time (ms).
		at: Moment,
	},
	/// A revocation (effective when `hospital` anchored the record).
	#[serde(rename_all = "camelCase")]
	Revoke {
		/// Revoking hospital.
		hospital: String,
		/// Revoked record.
		content_hash: String,
		/// Why.
		reason: RevocationReason,
		/// Time (ms).
		at: Moment,
	},
}

impl From<RecordEntry> for RecordJson {
	fn from(e: RecordEntry) -> Self {
		match e.op {
			RecordOp::Anchor { category, content_hash, size, supersedes } => RecordJson::Anchor {
				hospital: text(&e.hospital),
				category,
				content_hash: hex_encode(content_hash.as_bytes()),
				size,
				supersedes: supersedes.map(|h| hex_encode(h.as_bytes())),
				at: e.at,
			},
			RecordOp::Revoke { content_hash, reason } => RecordJson::Revoke {
				hospital: text(&e.hospital),
				content_hash: hex_encode(content_hash.as_bytes()),
				reason,
				at: e.at,
			},
		}
	}
}

/// What an access rested on, as JSON.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", tag = "kind", content = "id")]
pub enum BasisJson {
	/// Enrolment at a one-time-consent hospital.
	Enrolment,
	/// A grant from this request.
	Grant(u64),
	/// This emergency access.
	Emergency(u64),
}

/// An access log entry as JSON.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessJson {
	/// Hospital where the doctor treats.
	pub hospital: String,
	/// Doctor's licence number.
	pub practitioner: String,
	/// Categories looked at.
	pub categories: Vec<DataCategory>,
	/// Records served.
	pub records: Vec<String>,
	/// Purpose.
	pub purpose: Purpose,
	/// What it rested on.
	pub basis: BasisJson,
	/// Time (ms).
	pub at: Moment,
}

impl From<AccessEntry> for AccessJson {
	fn from(e: AccessEntry) -> Self {
		AccessJson {
			hospital: text(&e.hospital),
			practitioner: text(&e.practitioner),
			categories: e.categories.into_inner(),
			records: e.records.iter().map(|h| hex_encode(h.as_bytes())).collect(),
			purpose: e.purpose,
			basis: match e.basis {
				AccessBasis::Enrolment => BasisJson::Enrolment,
				AccessBasis::Grant(id) => BasisJson::Grant(id),
				AccessBasis::Emergency(id) => BasisJson::Emergency(id),
			},
			at: e.at,
		}
	}
}

/// A hospital as JSON.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HospitalJson {
	/// Code.
	pub code: String,
	/// Name.
	pub name: String,
	/// Consent policy.
	pub policy: ConsentPolicy,
	/// Active (not suspended).
	pub active: bool,
	/// Gateway accounts (SS58).
	pub gateways: Vec<String>,
}

/// A practitioner as JSON.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PractitionerJson {
	/// Licence number.
	pub licence: String,
	/// `licensed`, `suspended` or `revoked`.
	pub status: String,
	/// Affiliated hospitals.
	pub affiliations: Vec<String>,
	/// Terms accepted.
	pub terms_accepted: bool,
}

/// A health ID as JSON.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HealthIdJson {
	/// The health ID.
	pub health_id: String,
	/// Document kind.
	pub document: DocumentKind,
	/// Controller account (SS58); `null` for an assisted patient.
	pub controller: Option<String>,
	/// Active (not deactivated).
	pub active: bool,
}

/// A consent state as JSON.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConsentJson {
	/// The patient.
	pub health_id: String,
	/// Enrolled now.
	pub enrolled: bool,
	/// `"all"` or the list of source hospital codes.
	pub sources: serde_json::Value,
	/// Sensitive data opted in.
	pub sensitive_opt_in: bool,
	/// Day numbers (days since 1970-01-01 in Asia/Bangkok).
	pub enrolled_on: u32,
	/// Day of the latest source change.
	pub sources_changed_on: Option<u32>,
	/// Day of the latest withdrawal.
	pub withdrawn_on: Option<u32>,
	/// Today.
	pub today: u32,
	/// Whether the sources can still be changed today.
	pub can_change_sources_today: bool,
	/// Whether the patient may enrol again today.
	pub can_enrol_today: bool,
}

/// An open request as JSON.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestJson {
	/// Request id.
	pub id: u64,
	/// Hospital.
	pub hospital: String,
	/// Doctor.
	pub practitioner: String,
	/// Categories.
	pub categories: Vec<DataCategory>,
	/// Purpose.
	pub purpose: Purpose,
	/// Created (ms).
	pub created_at: Moment,
	/// Lapses (ms).
	pub expires_at: Moment,
}

/// The `health_*` JSON-RPC namespace for hospital gateways.
#[rpc(server, namespace = "health")]
pub trait HealthRpcApi {
	/// The consent decision for an access, by the runtime's one decision function.
	#[method(name = "checkAccess")]
	fn check_access(&self, params: CheckAccessParams) -> RpcResult<CheckAccessAnswer>;

	/// A patient's consent state, or `null` if they never enrolled.
	#[method(name = "consent")]
	fn consent(&self, health_id: String) -> RpcResult<Option<ConsentJson>>;

	/// A patient's open per-request consent requests.
	#[method(name = "pendingRequests")]
	fn pending_requests(&self, health_id: String) -> RpcResult<Vec<RequestJson>>;

	/// A page of a patient's record log, newest first, with the on-chain head.
	#[method(name = "records")]
	fn records(
		&self,
		health_id: String,
		page: Option<PageParams>,
	) -> RpcResult<LogPage<RecordJson>>;

	/// A page of a patient's access log, newest first, with the on-chain head.
	#[method(name = "accessLog")]
	fn access_log(
		&self,
		health_id: String,
		page: Option<PageParams>,
	) -> RpcResult<LogPage<AccessJson>>;

	/// A practitioner, or `null`.
	#[method(name = "practitioner")]
	fn practitioner(&self, licence: String) -> RpcResult<Option<PractitionerJson>>;

	/// A hospital, or `null`.
	#[method(name = "hospital")]
	fn hospital(&self, code: String) -> RpcResult<Option<HospitalJson>>;

	/// A health ID, or `null`.
	#[method(name = "healthId")]
	fn health_id(&self, health_id: String) -> RpcResult<Option<HealthIdJson>>;
}

/// The offchain index entry that produced `head` in `id`'s log, if this node has it.
fn fetch_indexed<S: OffchainStorage>(
	offchain: &S,
	kind: LogKind,
	id: &HealthId,
	head: &H256,
) -> Option<IndexedEntry> {
	offchain
		.get(sp_core::offchain::STORAGE_PREFIX, &logs::index_key(kind, id, head))
		.and_then(|raw| IndexedEntry::decode(&mut &raw[..]).ok())
}

/// Walks `id`'s log back from `from` (a head on the chain being served) for at most `limit`
/// entries, checking that each entry hashes to the head it is stored under. Returns the
/// entries, newest first, with their heads, and the head to continue from (zero at the start
/// of the log). Entries of abandoned forks sit under heads no canonical head leads to, so they
/// are never reached.
fn walk_log<S: OffchainStorage>(
	offchain: &S,
	kind: LogKind,
	id: &HealthId,
	from: H256,
	limit: usize,
) -> Result<(Vec<(H256, IndexedEntry)>, H256), ErrorObjectOwned> {
	let mut cursor = from;
	let mut out = Vec::new();
	while cursor != H256::zero() && out.len() < limit {
		let indexed = fetch_indexed(offchain, kind, id, &cursor).ok_or_else(|| {
			error(
				codes::INDEX_INCOMPLETE,
				format!(
					"the offchain index has no entry for head {}",
					hex_encode(cursor.as_bytes())
				),
			)
		})?;
		if LogHead::next_head(&indexed.prev_head, &indexed.entry) != cursor {
			return Err(error(codes::INDEX_INCOMPLETE, "an index entry does not match its head"));
		}
		let prev = indexed.prev_head;
		out.push((cursor, indexed));
		cursor = prev;
	}
	Ok((out, cursor))
}

/// Whether `cursor` is a head of the canonical log that ends at `head`: walking back from
/// `head` reaches it. A head written by a block of an abandoned fork is in the index too, but
/// never on this walk. Costs one index read per entry between the two.
fn is_canonical_cursor<S: OffchainStorage>(
	offchain: &S,
	kind: LogKind,
	id: &HealthId,
	head: H256,
	cursor: H256,
) -> Result<bool, ErrorObjectOwned> {
	if cursor == H256::zero() {
		return Ok(true);
	}
	let Some(target) = fetch_indexed(offchain, kind, id, &cursor) else {
		return Ok(false);
	};
	let mut at = head;
	while at != H256::zero() {
		if at == cursor {
			return Ok(true);
		}
		let Some(e) = fetch_indexed(offchain, kind, id, &at) else {
			return Err(error(
				codes::INDEX_INCOMPLETE,
				format!("the offchain index has no entry for head {}", hex_encode(at.as_bytes())),
			));
		};
		if e.index <= target.index {
			return Ok(false);
		}
		at = e.prev_head;
	}
	Ok(false)
}

/// The `health_*` RPC handler.
pub struct Health<C, S> {
	client: Arc<C>,
	offchain: Option<S>,
}

fn ss58(a: &AccountId) -> String {
	a.to_ss58check()
}

impl<C, S> Health<C, S>
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: HealthApi<Block, AccountId>,
	S: OffchainStorage + 'static,
{
	fn best(&self) -> BlockRef {
		let info = self.client.info();
		BlockRef { number: info.best_number, hash: hex_encode(info.best_hash.as_bytes()) }
	}

	fn at(&self, finalized: bool) -> (<Block as BlockT>::Hash, BlockRef) {
		let info = self.client.info();
		let (hash, number) = if finalized {
			(info.finalized_hash, info.finalized_number)
		} else {
			(info.best_hash, info.best_number)
		};
		(hash, BlockRef { number, hash: hex_encode(hash.as_bytes()) })
	}

	fn runtime_err(e: impl std::fmt::Display) -> ErrorObjectOwned {
		error(codes::RUNTIME_ERROR, format!("runtime API call failed: {e}"))
	}

	fn page<E: Decode, J: From<E>>(
		&self,
		kind: LogKind,
		health_id: String,
		page: Option<PageParams>,
	) -> RpcResult<LogPage<J>> {
		let id = parse_health_id(&health_id)?;
		let page = page.unwrap_or_default();
		let limit = page.limit.unwrap_or(20);
		if !(1..=100).contains(&limit) {
			return Err(error(codes::INVALID_PAGE, format!("limit must be 1 to 100, got {limit}")));
		}
		let (hash, at) = self.at(page.finalized);
		let api = self.client.runtime_api();
		let log: LogHead = match kind {
			LogKind::Records => api.record_log(hash, id),
			LogKind::Access => api.access_log(hash, id),
		}
		.map_err(Self::runtime_err)?;
		let offchain = self.offchain.as_ref().ok_or_else(|| {
			error(codes::INDEX_INCOMPLETE, "this node's database has no offchain index")
		})?;
		let start = match page.cursor.as_deref() {
			None => log.head,
			Some(c) => {
				let h = parse_h256("cursor", c)?;
				// A cursor must be the zero head (start of log) or a head of this log as the
				// chain has it now (not of an abandoned fork).
				if !is_canonical_cursor(offchain, kind, &id, log.head, h)? {
					return Err(error(
						codes::INVALID_PAGE,
						"cursor is not a head of this patient's log",
					));
				}
				h
			},
		};
		let (walked, next) = walk_log(offchain, kind, &id, start, limit as usize)?;
		let mut entries = Vec::with_capacity(walked.len());
		for (head, indexed) in walked {
			let entry = E::decode(&mut &indexed.entry[..]).map_err(|e| {
				error(codes::INDEX_INCOMPLETE, format!("undecodable index entry: {e}"))
			})?;
			entries.push(LogItem {
				index: indexed.index,
				block_number: indexed.block_number,
				prev_head: hex_encode(indexed.prev_head.as_bytes()),
				head: hex_encode(head.as_bytes()),
				encoded: hex_encode(&indexed.entry),
				entry: J::from(entry),
			});
		}
		Ok(LogPage {
			health_id: id.to_hex(),
			count: log.count,
			head: hex_encode(log.head.as_bytes()),
			at,
			entries,
			next_cursor: (next != H256::zero()).then(|| hex_encode(next.as_bytes())),
		})
	}
}

impl<C, S> HealthRpcApiServer for Health<C, S>
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: HealthApi<Block, AccountId>,
	S: OffchainStorage + 'static,
{
	fn check_access(&self, params: CheckAccessParams) -> RpcResult<CheckAccessAnswer> {
		let practitioner = parse_licence(&params.practitioner)?;
		let hospital = parse_hospital(&params.hospital)?;
		let id = parse_health_id(&params.health_id)?;
		let at = self.best();
		let hash = self.client.info().best_hash;
		let decision = self
			.client
			.runtime_api()
			.decide(
				hash,
				practitioner,
				hospital,
				id,
				params.categories,
				params.purpose,
				params.at_time,
			)
			.map_err(Self::runtime_err)?;
		Ok(CheckAccessAnswer { decision, at })
	}

	fn consent(&self, health_id: String) -> RpcResult<Option<ConsentJson>> {
		let id = parse_health_id(&health_id)?;
		let hash = self.client.info().best_hash;
		let view = self.client.runtime_api().consent(hash, id).map_err(Self::runtime_err)?;
		Ok(view.map(|c: views::ConsentView| ConsentJson {
			health_id: id.to_hex(),
			enrolled: c.enrolled,
			sources: match c.sources {
				None => serde_json::Value::String("all".into()),
				Some(list) => serde_json::Value::Array(
					list.iter().map(|h| serde_json::Value::String(text(h))).collect(),
				),
			},
			sensitive_opt_in: c.sensitive_opt_in,
			enrolled_on: c.enrolled_on,
			sources_changed_on: c.sources_changed_on,
			withdrawn_on: c.withdrawn_on,
			today: c.today,
			can_change_sources_today: c.can_change_sources_today,
			can_enrol_today: c.can_enrol_today,
		}))
	}

	fn pending_requests(&self, health_id: String) -> RpcResult<Vec<RequestJson>> {
		let id = parse_health_id(&health_id)?;
		let hash = self.client.info().best_hash;
		let list =
			self.client.runtime_api().pending_requests(hash, id).map_err(Self::runtime_err)?;
		Ok(list
			.into_iter()
			.map(|r| RequestJson {
				id: r.id,
				hospital: text(&r.hospital),
				practitioner: text(&r.practitioner),
				categories: r.categories.into_inner(),
				purpose: r.purpose,
				created_at: r.created_at,
				expires_at: r.expires_at,
			})
			.collect())
	}

	fn records(
		&self,
		health_id: String,
		page: Option<PageParams>,
	) -> RpcResult<LogPage<RecordJson>> {
		self.page::<RecordEntry, RecordJson>(LogKind::Records, health_id, page)
	}

	fn access_log(
		&self,
		health_id: String,
		page: Option<PageParams>,
	) -> RpcResult<LogPage<AccessJson>> {
		self.page::<AccessEntry, AccessJson>(LogKind::Access, health_id, page)
	}

	fn practitioner(&self, licence: String) -> RpcResult<Option<PractitionerJson>> {
		let licence = parse_licence(&licence)?;
		let hash = self.client.info().best_hash;
		let view =
			self.client.runtime_api().practitioner(hash, licence).map_err(Self::runtime_err)?;
		Ok(view.map(|p| PractitionerJson {
			licence: text(&p.licence),
			status: match p.status {
				views::LicenceState::Licensed => "licensed",
				views::LicenceState::Suspended => "suspended",
				views::LicenceState::Revoked => "revoked",
			}
			.into(),
			affiliations: p.affiliations.iter().map(|h| text(h)).collect(),
			terms_accepted: p.terms_accepted,
		}))
	}

	fn hospital(&self, code: String) -> RpcResult<Option<HospitalJson>> {
		let code = parse_hospital(&code)?;
		let hash = self.client.info().best_hash;
		let view = self.client.runtime_api().hospital(hash, code).map_err(Self::runtime_err)?;
		Ok(view.map(|h| HospitalJson {
			code: text(&h.code),
			name: text(&h.name),
			policy: h.policy,
			active: h.active,
			gateways: h.gateways.iter().map(ss58).collect(),
		}))
	}

	fn health_id(&self, health_id: String) -> RpcResult<Option<HealthIdJson>> {
		let id = parse_health_id(&health_id)?;
		let hash = self.client.info().best_hash;
		let view = self.client.runtime_api().health_id(hash, id).map_err(Self::runtime_err)?;
		Ok(view.map(|v| HealthIdJson {
			health_id: id.to_hex(),
			document: v.document,
			controller: v.controller.as_ref().map(ss58),
			active: v.active,
		}))
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn parameters_are_validated_with_stable_codes() {
		assert_eq!(parse_health_id("0x12").unwrap_err().code(), codes::INVALID_PARAMS);
		assert_eq!(
			parse_health_id(&format!("0x{}", "g".repeat(64))).unwrap_err().code(),
			codes::INVALID_PARAMS
		);
		assert!(parse_health_id(&format!("0x{}", "ab".repeat(32))).is_ok());
		assert_eq!(parse_hospital("").unwrap_err().code(), codes::INVALID_PARAMS);
		assert_eq!(parse_hospital(&"x".repeat(17)).unwrap_err().code(), codes::INVALID_PARAMS);
		assert_eq!(parse_licence("MD1").unwrap().to_vec(), b"MD1".to_vec());
		assert_eq!(parse_h256("cursor", "0x00").unwrap_err().code(), codes::INVALID_PARAMS);
	}

	/// Writes an entry into an in-memory offchain index the way the runtime does.
	fn index(
		db: &mut sp_core::offchain::storage::InMemOffchainStorage,
		id: &HealthId,
		prev: &LogHead,
		entry: &[u8],
	) -> LogHead {
		let block = prev.count as u32 + 1;
		let (next, key, value) =
			logs::index_write(LogKind::Access, id, prev, block, entry.to_vec());
		db.set(sp_core::offchain::STORAGE_PREFIX, &key, &value);
		next
	}

	#[test]
	fn entries_of_an_abandoned_fork_are_never_served() {
		let mut db = sp_core::offchain::storage::InMemOffchainStorage::default();
		let id = HealthId([3; 32]);
		let h1 = index(&mut db, &id, &LogHead::default(), b"first");
		// Two blocks at the same height on two forks each append entry #1.
		let canonical = index(&mut db, &id, &h1, b"second (canonical)");
		let abandoned = index(&mut db, &id, &h1, b"second (abandoned fork)");
		assert_ne!(canonical.head, abandoned.head);
		let (entries, next) = walk_log(&db, LogKind::Access, &id, canonical.head, 10).unwrap();
		let served: Vec<&[u8]> = entries.iter().map(|(_, e)| &e.entry[..]).collect();
		assert_eq!(served, vec![&b"second (canonical)"[..], &b"first"[..]]);
		assert_eq!(next, H256::zero());
		// Paging stops at the limit and hands back the cursor.
		let (page, next) = walk_log(&db, LogKind::Access, &id, canonical.head, 1).unwrap();
		assert_eq!(page.len(), 1);
		assert_eq!(next, h1.head);
		// Cursors: heads on the canonical walk are, the abandoned fork's head is not.
		let ok = |c| is_canonical_cursor(&db, LogKind::Access, &id, canonical.head, c).unwrap();
		assert!(ok(h1.head) && ok(canonical.head) && ok(H256::zero()));
		assert!(!ok(abandoned.head));
		assert!(!ok(H256::repeat_byte(7)));
	}

	#[test]
	fn a_tampered_or_missing_index_entry_is_an_error() {
		use codec::Encode;
		let mut db = sp_core::offchain::storage::InMemOffchainStorage::default();
		let id = HealthId([4; 32]);
		let h1 = index(&mut db, &id, &LogHead::default(), b"entry");
		let missing = walk_log(&db, LogKind::Access, &id, H256::repeat_byte(9), 10).unwrap_err();
		assert_eq!(missing.code(), codes::INDEX_INCOMPLETE);
		let forged = IndexedEntry {
			index: 0,
			prev_head: H256::zero(),
			block_number: 1,
			entry: b"forged".to_vec(),
		};
		db.set(
			sp_core::offchain::STORAGE_PREFIX,
			&logs::index_key(LogKind::Access, &id, &h1.head),
			&forged.encode(),
		);
		let err = walk_log(&db, LogKind::Access, &id, h1.head, 10).unwrap_err();
		assert_eq!(err.code(), codes::INDEX_INCOMPLETE);
	}

	#[test]
	fn check_access_params_reject_unknown_fields_and_categories() {
		let ok: Result<CheckAccessParams, _> = serde_json::from_value(serde_json::json!({
			"practitioner": "MD1", "hospital": "H1", "healthId": "0x00",
			"categories": ["allergy"], "purpose": "treatment"
		}));
		assert!(ok.is_ok());
		let bad_cat: Result<CheckAccessParams, _> = serde_json::from_value(serde_json::json!({
			"practitioner": "MD1", "hospital": "H1", "healthId": "0x00",
			"categories": ["horoscope"], "purpose": "treatment"
		}));
		assert!(bad_cat.is_err());
		let extra: Result<CheckAccessParams, _> = serde_json::from_value(serde_json::json!({
			"practitioner": "MD1", "hospital": "H1", "healthId": "0x00",
			"categories": [], "purpose": "treatment", "sudo": true
		}));
		assert!(extra.is_err());
	}
}
