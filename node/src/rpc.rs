//! The node's RPC extensions: the standard `system_*` account nonce API, and the `health_*`
//! namespace for hospital gateways (see `docs/rpc.md`).

use std::sync::Arc;

use codec::Decode;
use futures::StreamExt;
use healthchain_primitives::{
	logs::{self, AccessEntry, IndexedEntry, LogHead, LogKind, RecordEntry},
	HealthApi, HealthId, HospitalCode, LicenceNumber, MAX_OVERDUE_PAGE,
};
use healthchain_rpc_api::{
	AccessJson, BlockRef, CheckAccessAnswer, CheckAccessParams, ConsentAnswer, GrantAnswer,
	HealthIdAnswer, HealthRpcServer, HospitalAnswer, LiveGrantsAnswer, LogItem, LogPage,
	NoticeAnswer, OverdueReviewAnswer, OverdueReviewsAnswer, PageParams, PractitionerAnswer,
	RecordJson, RequestAnswer, SourceCheckAnswer, MAX_NOTICE_ENTRIES,
};
use healthchain_runtime::{opaque::Block, AccountId, Nonce};
use jsonrpsee::{
	core::{async_trait, RpcResult, SubscriptionResult},
	types::{ErrorObject, ErrorObjectOwned},
	PendingSubscriptionSink, RpcModule, SubscriptionMessage,
};
use sc_client_api::{BlockBackend, BlockchainEvents};
use sc_transaction_pool_api::TransactionPool;
use sp_api::{ApiExt, ProvideRuntimeApi};
use sp_block_builder::BlockBuilder;
use sp_blockchain::{Error as BlockChainError, HeaderBackend, HeaderMetadata};
use sp_core::{offchain::OffchainStorage, H256};
use sp_runtime::traits::{Block as BlockT, Header as HeaderT};
use std::collections::BTreeSet;

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
	C: ProvideRuntimeApi<Block> + BlockBackend<Block> + BlockchainEvents<Block>,
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

pub use healthchain_rpc_api::codes;

fn error(code: i32, message: impl Into<String>) -> ErrorObjectOwned {
	ErrorObject::owned(code, message.into(), None::<()>)
}

fn invalid(message: impl Into<String>) -> ErrorObjectOwned {
	error(codes::INVALID_PARAMS, message)
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

/// The `HealthApi` version that added `overdue_reviews`.
const OVERDUE_REVIEWS_SINCE: u32 = 2;

/// The `HealthApi` version that added `live_grants`.
const LIVE_GRANTS_SINCE: u32 = 3;

/// Checks `health_overdueReviews`' `limit`: 1 to [`MAX_OVERDUE_PAGE`].
pub fn check_overdue_limit(limit: u32) -> Result<(), ErrorObjectOwned> {
	if !(1..=MAX_OVERDUE_PAGE).contains(&limit) {
		return Err(error(
			codes::INVALID_PAGE,
			format!("limit must be 1 to {MAX_OVERDUE_PAGE}, got {limit}"),
		));
	}
	Ok(())
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

/// The offchain index entry the chain says exists under `head`: missing means this node's
/// index is incomplete.
fn required_indexed<S: OffchainStorage>(
	offchain: &S,
	kind: LogKind,
	id: &HealthId,
	head: &H256,
) -> Result<IndexedEntry, ErrorObjectOwned> {
	fetch_indexed(offchain, kind, id, head).ok_or_else(|| {
		error(codes::INDEX_INCOMPLETE, format!("the offchain index has no entry for head {head:?}"))
	})
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
		let indexed = required_indexed(offchain, kind, id, &cursor)?;
		if !logs::verify_link(&indexed.prev_head, &indexed.entry, &cursor) {
			return Err(error(codes::INDEX_INCOMPLETE, "an index entry does not match its head"));
		}
		let prev = indexed.prev_head;
		out.push((cursor, indexed));
		cursor = prev;
	}
	Ok((out, cursor))
}

/// Whether `cursor` is a head of the canonical log that ends at `head`. A head written by a
/// block of an abandoned fork is in the index too, but never canonical. Where the node
/// recorded the finalized position of the cursor's entry ([`crate::positions`]) one read
/// decides (O(1), whatever the log's length); otherwise (an entry not finalized yet, or
/// finalized before the node recorded positions) walking back from `head` must reach it, one
/// index read per entry between the two.
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
	if let Some(finalized) = crate::positions::finalized_head(offchain, kind, id, target.index) {
		// Finalized entries are in every chain the RPC serves (best or finalized): the cursor
		// is canonical exactly when it is the finalized head at its position, and the log
		// being served reaches that far.
		let in_served_log =
			fetch_indexed(offchain, kind, id, &head).is_some_and(|h| h.index >= target.index);
		return Ok(finalized == cursor && in_served_log);
	}
	let mut at = head;
	while at != H256::zero() {
		if at == cursor {
			return Ok(true);
		}
		let e = required_indexed(offchain, kind, id, &at)?;
		if e.index <= target.index {
			return Ok(false);
		}
		at = e.prev_head;
	}
	Ok(false)
}

/// Walked log entries (from [`walk_log`]) as served: each decoded as `E`, shown as `J`.
fn items<E: Decode, J: From<E>>(
	walked: Vec<(H256, IndexedEntry)>,
) -> Result<Vec<LogItem<J>>, ErrorObjectOwned> {
	let mut entries = Vec::with_capacity(walked.len());
	for (head, indexed) in walked {
		let entry = E::decode(&mut &indexed.entry[..])
			.map_err(|e| error(codes::INDEX_INCOMPLETE, format!("undecodable index entry: {e}")))?;
		entries.push(LogItem {
			index: indexed.index,
			block_number: indexed.block_number,
			prev_head: indexed.prev_head,
			head,
			encoded: indexed.entry.into(),
			entry: J::from(entry),
		});
	}
	Ok(entries)
}

/// What a `health_subscribeNotices` subscription has told its relay so far: the access log's
/// length and the requests that were pending.
struct Told {
	access_count: u64,
	requests: BTreeSet<u64>,
}

/// The `health_*` RPC handler.
pub struct Health<C, S> {
	client: Arc<C>,
	offchain: Option<S>,
}

impl<C, S> Health<C, S>
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: HealthApi<Block, AccountId>,
	S: OffchainStorage + 'static,
{
	fn at(&self, finalized: bool) -> (<Block as BlockT>::Hash, BlockRef) {
		let info = self.client.info();
		let (hash, number) = if finalized {
			(info.finalized_hash, info.finalized_number)
		} else {
			(info.best_hash, info.best_number)
		};
		(hash, BlockRef { number, hash })
	}

	fn runtime_err(e: impl std::fmt::Display) -> ErrorObjectOwned {
		error(codes::RUNTIME_ERROR, format!("runtime API call failed: {e}"))
	}

	/// Refuses `method` when the runtime at `hash` serves a `HealthApi` older than `since`
	/// (a runtime from before the method was added): says so instead of failing inside the
	/// call.
	fn require_api(
		&self,
		hash: <Block as BlockT>::Hash,
		at: BlockRef,
		method: &str,
		since: u32,
	) -> Result<(), ErrorObjectOwned> {
		let version = self
			.client
			.runtime_api()
			.api_version::<dyn HealthApi<Block, AccountId>>(hash)
			.map_err(Self::runtime_err)?;
		if version.is_none_or(|v| v < since) {
			return Err(error(
				codes::RUNTIME_ERROR,
				format!(
					"the runtime at block #{} serves HealthApi version {}; {method} needs version \
					 {since} or later (a runtime upgrade)",
					at.number,
					version.map_or_else(|| "none".to_string(), |v| v.to_string()),
				),
			));
		}
		Ok(())
	}

	/// What is new for `id` at block `hash` against `told` (which it then updates): `None`
	/// when nothing is, unless `first` (the first notice always goes out).
	fn notice(
		&self,
		id: HealthId,
		hash: <Block as BlockT>::Hash,
		at: BlockRef,
		told: &mut Told,
		first: bool,
	) -> Result<Option<NoticeAnswer>, ErrorObjectOwned> {
		let api = self.client.runtime_api();
		let log = api.access_log(hash, id).map_err(Self::runtime_err)?;
		let pending = api.pending_requests(hash, id).map_err(Self::runtime_err)?;
		let new = log.count.saturating_sub(told.access_count).min(MAX_NOTICE_ENTRIES);
		let accesses = if new == 0 {
			Vec::new()
		} else {
			let offchain = self.offchain.as_ref().ok_or_else(|| {
				error(codes::INDEX_INCOMPLETE, "this node's database has no offchain index")
			})?;
			let (walked, _) = walk_log(offchain, LogKind::Access, &id, log.head, new as usize)?;
			items::<AccessEntry, AccessJson>(walked)?
		};
		let requests: Vec<RequestAnswer> = pending
			.iter()
			.filter(|r| !told.requests.contains(&r.id))
			.cloned()
			.map(RequestAnswer::from)
			.collect();
		told.access_count = log.count;
		told.requests = pending.iter().map(|r| r.id).collect();
		if !first && accesses.is_empty() && requests.is_empty() {
			return Ok(None);
		}
		Ok(Some(NoticeAnswer { health_id: id, at, access_count: log.count, accesses, requests }))
	}

	fn page<E: Decode, J: From<E>>(
		&self,
		kind: LogKind,
		id: HealthId,
		page: Option<PageParams>,
	) -> RpcResult<LogPage<J>> {
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
		let start = match page.cursor {
			None => log.head,
			Some(h) => {
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
		let entries = items::<E, J>(walked)?;
		Ok(LogPage {
			health_id: id,
			count: log.count,
			head: log.head,
			at,
			entries,
			next_cursor: (next != H256::zero()).then_some(next),
		})
	}
}

#[async_trait]
impl<C, S> HealthRpcServer for Health<C, S>
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + BlockchainEvents<Block>,
	C: Send + Sync + 'static,
	C::Api: HealthApi<Block, AccountId>,
	S: OffchainStorage + 'static,
{
	fn check_access(&self, params: CheckAccessParams) -> RpcResult<CheckAccessAnswer> {
		let practitioner = parse_licence(&params.practitioner)?;
		let hospital = parse_hospital(&params.hospital)?;
		let (hash, at) = self.at(false);
		let decision = self
			.client
			.runtime_api()
			.decide(
				hash,
				practitioner,
				hospital,
				params.health_id,
				params.categories,
				params.purpose,
				params.at_time,
			)
			.map_err(Self::runtime_err)?;
		Ok(CheckAccessAnswer { decision, at })
	}

	fn source_check(
		&self,
		health_id: HealthId,
		hospital: String,
		finalized: Option<bool>,
	) -> RpcResult<SourceCheckAnswer> {
		let code = parse_hospital(&hospital)?;
		let (hash, at) = self.at(finalized.unwrap_or(false));
		let result = self
			.client
			.runtime_api()
			.source_check(hash, health_id, code)
			.map_err(Self::runtime_err)?;
		Ok(SourceCheckAnswer {
			health_id,
			hospital: hospital.trim().to_string(),
			status: result.into(),
			at,
		})
	}

	fn consent(&self, health_id: HealthId) -> RpcResult<Option<ConsentAnswer>> {
		let (hash, _) = self.at(false);
		let view = self.client.runtime_api().consent(hash, health_id).map_err(Self::runtime_err)?;
		Ok(view.map(|c| ConsentAnswer::new(health_id, c)))
	}

	fn pending_requests(&self, health_id: HealthId) -> RpcResult<Vec<RequestAnswer>> {
		let (hash, _) = self.at(false);
		let list = self
			.client
			.runtime_api()
			.pending_requests(hash, health_id)
			.map_err(Self::runtime_err)?;
		Ok(list.into_iter().map(RequestAnswer::from).collect())
	}

	fn records(
		&self,
		health_id: HealthId,
		page: Option<PageParams>,
	) -> RpcResult<LogPage<RecordJson>> {
		self.page::<RecordEntry, RecordJson>(LogKind::Records, health_id, page)
	}

	fn access_log(
		&self,
		health_id: HealthId,
		page: Option<PageParams>,
	) -> RpcResult<LogPage<AccessJson>> {
		self.page::<AccessEntry, AccessJson>(LogKind::Access, health_id, page)
	}

	fn practitioner(&self, licence: String) -> RpcResult<Option<PractitionerAnswer>> {
		let licence = parse_licence(&licence)?;
		let (hash, _) = self.at(false);
		let view =
			self.client.runtime_api().practitioner(hash, licence).map_err(Self::runtime_err)?;
		Ok(view.map(PractitionerAnswer::from))
	}

	fn hospital(&self, code: String) -> RpcResult<Option<HospitalAnswer>> {
		let code = parse_hospital(&code)?;
		let (hash, _) = self.at(false);
		let view = self.client.runtime_api().hospital(hash, code).map_err(Self::runtime_err)?;
		Ok(view.map(HospitalAnswer::from))
	}

	fn health_id(&self, health_id: HealthId) -> RpcResult<Option<HealthIdAnswer>> {
		let (hash, _) = self.at(false);
		let view =
			self.client.runtime_api().health_id(hash, health_id).map_err(Self::runtime_err)?;
		Ok(view.map(|v| HealthIdAnswer::new(health_id, v)))
	}

	fn overdue_reviews(
		&self,
		limit: u32,
		finalized: Option<bool>,
	) -> RpcResult<OverdueReviewsAnswer> {
		check_overdue_limit(limit)?;
		let (hash, at) = self.at(finalized.unwrap_or(false));
		self.require_api(hash, at, "overdueReviews", OVERDUE_REVIEWS_SINCE)?;
		let list =
			self.client.runtime_api().overdue_reviews(hash, limit).map_err(Self::runtime_err)?;
		Ok(OverdueReviewsAnswer {
			reviews: list.into_iter().map(OverdueReviewAnswer::from).collect(),
			at,
		})
	}

	fn live_grants(
		&self,
		health_id: HealthId,
		finalized: Option<bool>,
	) -> RpcResult<LiveGrantsAnswer> {
		let (hash, at) = self.at(finalized.unwrap_or(false));
		self.require_api(hash, at, "liveGrants", LIVE_GRANTS_SINCE)?;
		let list =
			self.client.runtime_api().live_grants(hash, health_id).map_err(Self::runtime_err)?;
		Ok(LiveGrantsAnswer { grants: list.into_iter().map(GrantAnswer::from).collect(), at })
	}

	async fn subscribe_notices(
		&self,
		pending: PendingSubscriptionSink,
		health_id: HealthId,
		since_access: Option<u64>,
	) -> SubscriptionResult {
		// The first notice, at the finalized block: refused before the subscription is
		// accepted when the parameters or the node cannot serve it.
		let (hash, at) = self.at(true);
		let count = match self.client.runtime_api().access_log(hash, health_id) {
			Ok(log) => log.count,
			Err(e) => {
				pending.reject(Self::runtime_err(e)).await;
				return Ok(());
			},
		};
		let since = since_access.unwrap_or(count);
		if since > count {
			let message = format!("sinceAccess {since} is past the log's {count} entries");
			pending.reject(error(codes::INVALID_PAGE, message)).await;
			return Ok(());
		}
		let mut told = Told { access_count: since, requests: BTreeSet::new() };
		let first = match self.notice(health_id, hash, at, &mut told, true) {
			Ok(notice) => notice,
			Err(e) => {
				pending.reject(e).await;
				return Ok(());
			},
		};
		let sink = pending.accept().await?;
		if let Some(notice) = first {
			sink.send(SubscriptionMessage::from_json(&notice)?).await?;
		}
		// Then one notice per finalized block that brings something new, until the relay
		// unsubscribes or disconnects.
		let mut finalized = self.client.finality_notification_stream();
		let closed = sink.closed();
		futures::pin_mut!(closed);
		loop {
			let block = match futures::future::select(closed.as_mut(), finalized.next()).await {
				futures::future::Either::Left(_) => return Ok(()),
				futures::future::Either::Right((block, _)) => block,
			};
			let Some(block) = block else { return Ok(()) };
			let at = BlockRef { number: *block.header.number(), hash: block.hash };
			match self.notice(health_id, block.hash, at, &mut told, false) {
				Ok(Some(notice)) => sink.send(SubscriptionMessage::from_json(&notice)?).await?,
				Ok(None) => {},
				Err(e) => return Err(e.message().to_string().into()),
			}
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn parameters_are_validated_with_stable_codes() {
		assert_eq!(parse_hospital("").unwrap_err().code(), codes::INVALID_PARAMS);
		assert_eq!(parse_hospital(&"x".repeat(17)).unwrap_err().code(), codes::INVALID_PARAMS);
		assert_eq!(parse_licence("MD1").unwrap().to_vec(), b"MD1".to_vec());
	}

	#[test]
	fn the_overdue_reviews_limit_is_bounded_with_the_page_code() {
		assert_eq!(check_overdue_limit(0).unwrap_err().code(), codes::INVALID_PAGE);
		assert_eq!(
			check_overdue_limit(MAX_OVERDUE_PAGE + 1).unwrap_err().code(),
			codes::INVALID_PAGE
		);
		assert!(check_overdue_limit(1).is_ok() && check_overdue_limit(MAX_OVERDUE_PAGE).is_ok());
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

	/// An offchain storage that counts its reads.
	#[derive(Clone)]
	struct Counting(
		sp_core::offchain::storage::InMemOffchainStorage,
		std::sync::Arc<std::sync::atomic::AtomicU64>,
	);
	impl Counting {
		fn reset(&self) {
			self.1.store(0, std::sync::atomic::Ordering::Relaxed)
		}
		fn count(&self) -> u64 {
			self.1.load(std::sync::atomic::Ordering::Relaxed)
		}
	}
	impl OffchainStorage for Counting {
		fn set(&mut self, prefix: &[u8], key: &[u8], value: &[u8]) {
			self.0.set(prefix, key, value)
		}
		fn remove(&mut self, prefix: &[u8], key: &[u8]) {
			self.0.remove(prefix, key)
		}
		fn get(&self, prefix: &[u8], key: &[u8]) -> Option<Vec<u8>> {
			self.1.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
			self.0.get(prefix, key)
		}
		fn compare_and_set(
			&mut self,
			prefix: &[u8],
			key: &[u8],
			old: Option<&[u8]>,
			new: &[u8],
		) -> bool {
			self.0.compare_and_set(prefix, key, old, new)
		}
	}

	/// Issue 28: paging a long log costs the page, not the log. On a 100,000-entry log whose
	/// positions the node recorded as finalized, checking a cursor anywhere takes the same few
	/// reads; without positions the walk from the head costs one read per entry in between.
	#[test]
	fn a_cursor_deep_in_a_long_log_is_checked_in_constant_reads() {
		const ENTRIES: u64 = 100_000;
		let mut db = sp_core::offchain::storage::InMemOffchainStorage::default();
		let id = HealthId([5; 32]);
		let mut log = LogHead::default();
		let mut heads = Vec::with_capacity(ENTRIES as usize);
		let mut finalized = Vec::new();
		for i in 0..ENTRIES {
			log = index(&mut db, &id, &log, &i.to_le_bytes());
			heads.push(log.head);
			finalized.push((LogKind::Access, id, i, log.head));
		}
		// A fork's entry at position 10, never finalized.
		let fork = index(&mut db, &id, &LogHead { count: 10, head: heads[9] }, b"fork");
		let mut db = Counting(db, Default::default());
		let reads = |db: &Counting, cursor: H256| {
			db.reset();
			let ok = is_canonical_cursor(db, LogKind::Access, &id, log.head, cursor).unwrap();
			(ok, db.count())
		};
		// Without recorded positions: the walk, proportional to the distance from the head.
		let (ok, walked) = reads(&db, heads[10]);
		assert!(ok);
		assert!(walked >= ENTRIES - 10, "the walk reads every entry in between: {walked}");
		crate::positions::record(&mut db, &finalized);
		// With them: a handful of reads, wherever the cursor is.
		for at in [10usize, 50_000, 99_998] {
			let (ok, n) = reads(&db, heads[at]);
			assert!(ok, "entry {at} is canonical");
			assert!(n <= 3, "cursor at {at}: {n} reads");
		}
		let (ok, n) = reads(&db, fork.head);
		assert!(!ok && n <= 3, "the fork's entry is refused in {n} reads");
		// A page after the cursor: the page's entries and no more.
		db.reset();
		let (page, _) = walk_log(&db, LogKind::Access, &id, heads[10], 20).unwrap();
		assert_eq!((page.len(), db.count()), (11, 11), "O(page) reads for the page");
		println!("cursor check: {walked} reads by walking, at most 3 with finalized positions");
	}
}
