//! The typed contract of the node's `health_*` JSON-RPC namespace: every request and answer
//! type, and one jsonrpsee `#[rpc(client, server)]` trait, [`HealthRpc`]. The node implements
//! [`HealthRpcServer`]; the hospital gateway, the load generator and the integration tests
//! call the generated [`HealthRpcClient`]. Nobody parses a node answer by string keys.
//!
//! Hex values (`HealthId`, hashes, SCALE bytes) travel as `0x`-prefixed hex strings, accounts
//! as SS58, hospital codes and licence numbers as text. See `docs/rpc.md` for examples.

use codec::Decode;
use healthchain_primitives::{
	logs::{
		self, AccessBasis, AccessEntry, Link, LogError, RecordEntry, RecordOp, RevocationReason,
	},
	views, ConsentPolicy, DataCategory, Day, Decision, DocumentKind, HealthId, Moment, Purpose,
	SourceRefusal,
};
use jsonrpsee::{
	core::{RpcResult, SubscriptionResult},
	proc_macros::rpc,
};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sp_core::{crypto::AccountId32, Bytes, H256};

/// Stable error codes of the `health_*` namespace (malformed JSON or a value of the wrong
/// type, such as a health ID that is not 32 bytes of hex, gets JSON-RPC's `-32602`).
pub mod codes {
	/// A parameter is malformed (empty or too long code).
	pub const INVALID_PARAMS: i32 = 4000;
	/// A page parameter is out of range (a log page's or `health_overdueReviews`' `limit`),
	/// or the cursor is not in this patient's log.
	pub const INVALID_PAGE: i32 = 4001;
	/// The runtime API call failed, or the runtime at the block asked is too old to have the
	/// method (`health_overdueReviews` needs `HealthApi` version 2).
	pub const RUNTIME_ERROR: i32 = 5000;
	/// The node's offchain index lacks an entry the chain says exists (the node imported
	/// blocks with indexing off): resync the node or ask another one.
	pub const INDEX_INCOMPLETE: i32 = 5001;
}

/// Bytes of a code or licence number as text (they are ASCII registry codes).
pub fn text(bytes: &[u8]) -> String {
	String::from_utf8_lossy(bytes).into_owned()
}

/// A block reference in answers: the block whose state answered.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct BlockRef {
	/// Block number.
	pub number: u32,
	/// Block hash.
	pub hash: H256,
}

/// `health_checkAccess` parameters.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CheckAccessParams {
	/// Practitioner licence number.
	pub practitioner: String,
	/// Hospital code where the practitioner treats.
	pub hospital: String,
	/// The patient.
	pub health_id: HealthId,
	/// Categories asked for.
	pub categories: Vec<DataCategory>,
	/// `treatment` or `emergency`.
	pub purpose: Purpose,
	/// Evaluate at this time (ms since the epoch) instead of the block's timestamp.
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub at_time: Option<Moment>,
}

/// `health_checkAccess` answer: `{"decision":"permit","basis":"enrolment","at":{..}}`,
/// `{"decision":"deny","basis":"<reason>",..}` or `{"decision":"needsRequest",..}`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct CheckAccessAnswer {
	/// The decision of the runtime's one decision function, `consent::decide`.
	#[serde(flatten)]
	pub decision: Decision,
	/// The block whose state was used.
	pub at: BlockRef,
}

/// Whether a hospital is a source of a patient's data: `{"status":"shares"}` or
/// `{"status":"refused","reason":"withdrawn"}`.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", tag = "status", content = "reason")]
pub enum SourceStatus {
	/// The hospital may send (and serve) the patient's data.
	Shares,
	/// It may not, and why: the consent pallet's one source rule.
	Refused(SourceRefusal),
}

impl From<Result<(), SourceRefusal>> for SourceStatus {
	fn from(r: Result<(), SourceRefusal>) -> Self {
		match r {
			Ok(()) => SourceStatus::Shares,
			Err(reason) => SourceStatus::Refused(reason),
		}
	}
}

impl SourceStatus {
	/// The rule's answer as a `Result`.
	pub fn result(self) -> Result<(), SourceRefusal> {
		match self {
			SourceStatus::Shares => Ok(()),
			SourceStatus::Refused(r) => Err(r),
		}
	}
}

/// `health_sourceCheck` answer.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct SourceCheckAnswer {
	/// The patient.
	pub health_id: HealthId,
	/// The hospital asked about.
	pub hospital: String,
	/// The rule's answer.
	#[serde(flatten)]
	pub status: SourceStatus,
	/// The block whose state was used (best, or finalized when asked).
	pub at: BlockRef,
}

/// Page parameters for the log methods.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PageParams {
	/// Entries per page, 1 to 100 (default 20).
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub limit: Option<u32>,
	/// Continue below this head (the `nextCursor` of the previous page).
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub cursor: Option<H256>,
	/// Read at the finalized block instead of the best block.
	#[serde(default)]
	pub finalized: bool,
}

/// One log entry as served.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct LogItem<E> {
	/// Zero-based position in the log.
	pub index: u64,
	/// The block holding the entry.
	pub block_number: u32,
	/// Head before the entry.
	pub prev_head: H256,
	/// Head after the entry: `blake2_256(prevHead ++ encoded)`.
	pub head: H256,
	/// SCALE encoding of the entry, to recompute the head.
	pub encoded: Bytes,
	/// The entry, decoded by the node (for reading; verify and decode `encoded` to rely
	/// on it).
	pub entry: E,
}

impl<E> LogItem<E> {
	/// The entry as [`logs::verify_page`] checks it.
	pub fn link(&self) -> Link<'_> {
		Link {
			index: self.index,
			prev_head: self.prev_head,
			head: self.head,
			encoded: &self.encoded,
		}
	}
}

/// A page of a log, newest first.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct LogPage<E> {
	/// The patient.
	pub health_id: HealthId,
	/// Entries in the log at `at`.
	pub count: u64,
	/// The on-chain head at `at`.
	pub head: H256,
	/// The block whose state was used.
	pub at: BlockRef,
	/// The entries, newest first.
	pub entries: Vec<LogItem<E>>,
	/// Pass as `cursor` for the next (older) page; `null` at the start of the log.
	pub next_cursor: Option<H256>,
}

/// Why a served page cannot be relied on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PageError {
	/// The hash chain does not verify.
	Log(LogError),
	/// An entry's SCALE bytes do not decode.
	Undecodable {
		/// Its position.
		index: u64,
	},
	/// The page's `nextCursor` is not where its entries end.
	WrongCursor,
}

impl core::fmt::Display for PageError {
	fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
		match self {
			PageError::Log(e) => write!(f, "log page does not verify: {e}"),
			PageError::Undecodable { index } => write!(f, "entry {index} does not decode"),
			PageError::WrongCursor => write!(f, "the page's next cursor is not where it ends"),
		}
	}
}

impl std::error::Error for PageError {}

impl<E> LogPage<E> {
	/// Verifies this page against `expected` (its own on-chain `head` for a first page, the
	/// cursor it was asked with otherwise) with [`logs::verify_served_page`], and returns the
	/// entries decoded from their verified SCALE bytes, newest first, with their positions.
	pub fn verified<T: Decode>(&self, expected: H256) -> Result<Vec<(u64, T)>, PageError> {
		logs::verify_served_page(
			expected,
			self.head,
			self.count,
			self.entries.iter().map(LogItem::link),
			self.next_cursor,
		)
		.map_err(|e| match e {
			logs::ServedPageError::Log(e) => PageError::Log(e),
			logs::ServedPageError::WrongCursor => PageError::WrongCursor,
		})?;
		self.entries
			.iter()
			.map(|item| {
				T::decode(&mut &item.encoded[..])
					.map(|e| (item.index, e))
					.map_err(|_| PageError::Undecodable { index: item.index })
			})
			.collect()
	}
}

/// A record log entry as JSON.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
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
		content_hash: H256,
		/// Ciphertext size.
		size: u32,
		/// Superseded record.
		supersedes: Option<H256>,
		/// Time (ms).
		at: Moment,
	},
	/// A revocation (effective when `hospital` anchored the record).
	#[serde(rename_all = "camelCase")]
	Revoke {
		/// Revoking hospital.
		hospital: String,
		/// Revoked record.
		content_hash: H256,
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
				content_hash,
				size,
				supersedes,
				at: e.at,
			},
			RecordOp::Revoke { content_hash, reason } => {
				RecordJson::Revoke { hospital: text(&e.hospital), content_hash, reason, at: e.at }
			},
		}
	}
}

/// An access log entry as JSON.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AccessJson {
	/// Hospital where the doctor treats.
	pub hospital: String,
	/// Doctor's licence number.
	pub practitioner: String,
	/// Categories looked at.
	pub categories: Vec<DataCategory>,
	/// Records served.
	pub records: Vec<H256>,
	/// Purpose.
	pub purpose: Purpose,
	/// What it rested on.
	pub basis: AccessBasis,
	/// Time (ms).
	pub at: Moment,
}

impl From<AccessEntry> for AccessJson {
	fn from(e: AccessEntry) -> Self {
		AccessJson {
			hospital: text(&e.hospital),
			practitioner: text(&e.practitioner),
			categories: e.categories.into_inner(),
			records: e.records.into_inner(),
			purpose: e.purpose,
			basis: e.basis,
			at: e.at,
		}
	}
}

/// A hospital.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct HospitalAnswer {
	/// Code.
	pub code: String,
	/// Name.
	pub name: String,
	/// Consent policy.
	pub policy: ConsentPolicy,
	/// Active (not suspended).
	pub active: bool,
	/// Gateway accounts (SS58).
	pub gateways: Vec<AccountId32>,
}

impl From<views::HospitalView<AccountId32>> for HospitalAnswer {
	fn from(h: views::HospitalView<AccountId32>) -> Self {
		HospitalAnswer {
			code: text(&h.code),
			name: text(&h.name),
			policy: h.policy,
			active: h.active,
			gateways: h.gateways,
		}
	}
}

/// A practitioner.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct PractitionerAnswer {
	/// Licence number.
	pub licence: String,
	/// `licensed`, `suspended` or `revoked`.
	pub status: healthchain_primitives::LicenceStatus,
	/// Affiliated hospitals.
	pub affiliations: Vec<String>,
	/// Terms accepted.
	pub terms_accepted: bool,
}

impl From<views::PractitionerView> for PractitionerAnswer {
	fn from(p: views::PractitionerView) -> Self {
		PractitionerAnswer {
			licence: text(&p.licence),
			status: p.status,
			affiliations: p.affiliations.iter().map(|h| text(h)).collect(),
			terms_accepted: p.terms_accepted,
		}
	}
}

/// A health ID.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct HealthIdAnswer {
	/// The health ID.
	pub health_id: HealthId,
	/// Document kind.
	pub document: DocumentKind,
	/// Controller account (SS58); `null` for an assisted patient.
	pub controller: Option<AccountId32>,
	/// Active (not deactivated).
	pub active: bool,
}

impl HealthIdAnswer {
	/// The answer for `health_id` from its view.
	pub fn new(health_id: HealthId, v: views::HealthIdView<AccountId32>) -> Self {
		HealthIdAnswer {
			health_id,
			document: v.document,
			controller: v.controller,
			active: v.active,
		}
	}
}

/// A patient's source selection: `"all"` (every participating hospital, including those that
/// join later) or a list of hospital codes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Sources {
	/// Every participating hospital.
	All,
	/// Only these hospitals.
	Only(Vec<String>),
}

#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum SourcesWire {
	Word(String),
	List(Vec<String>),
}

impl Serialize for Sources {
	fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
		match self {
			Sources::All => s.serialize_str("all"),
			Sources::Only(list) => list.serialize(s),
		}
	}
}

impl<'de> Deserialize<'de> for Sources {
	fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
		match SourcesWire::deserialize(d)? {
			SourcesWire::Word(w) if w == "all" => Ok(Sources::All),
			SourcesWire::Word(w) => Err(serde::de::Error::custom(format!(
				"sources: expected \"all\" or a list, got {w:?}"
			))),
			SourcesWire::List(list) => Ok(Sources::Only(list)),
		}
	}
}

/// A patient's consent state.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ConsentAnswer {
	/// The patient.
	pub health_id: HealthId,
	/// Enrolled now.
	pub enrolled: bool,
	/// `"all"` or the list of source hospital codes.
	pub sources: Sources,
	/// Sensitive data opted in.
	pub sensitive_opt_in: bool,
	/// Day numbers (days since 1970-01-01 in Asia/Bangkok).
	pub enrolled_on: Day,
	/// Day of the latest source change.
	pub sources_changed_on: Option<Day>,
	/// Day of the latest withdrawal.
	pub withdrawn_on: Option<Day>,
	/// Today.
	pub today: Day,
	/// Whether the sources can still be changed today.
	pub can_change_sources_today: bool,
	/// Whether the patient may enrol again today.
	pub can_enrol_today: bool,
}

impl ConsentAnswer {
	/// The answer for `health_id` from its view.
	pub fn new(health_id: HealthId, c: views::ConsentView) -> Self {
		ConsentAnswer {
			health_id,
			enrolled: c.enrolled,
			sources: match c.sources {
				None => Sources::All,
				Some(list) => Sources::Only(list.iter().map(|h| text(h)).collect()),
			},
			sensitive_opt_in: c.sensitive_opt_in,
			enrolled_on: c.enrolled_on,
			sources_changed_on: c.sources_changed_on,
			withdrawn_on: c.withdrawn_on,
			today: c.today,
			can_change_sources_today: c.can_change_sources_today,
			can_enrol_today: c.can_enrol_today,
		}
	}
}

/// An open per-request consent request.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct RequestAnswer {
	/// Request id (answer it with `Consent.respond`).
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

impl From<views::RequestView> for RequestAnswer {
	fn from(r: views::RequestView) -> Self {
		RequestAnswer {
			id: r.id,
			hospital: text(&r.hospital),
			practitioner: text(&r.practitioner),
			categories: r.categories.into_inner(),
			purpose: r.purpose,
			created_at: r.created_at,
			expires_at: r.expires_at,
		}
	}
}

/// A grant that still permits: what the patient allowed a doctor at a hospital, until when.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct GrantAnswer {
	/// The request it came from.
	pub request_id: u64,
	/// Hospital.
	pub hospital: String,
	/// Doctor.
	pub practitioner: String,
	/// Categories covered.
	pub categories: Vec<DataCategory>,
	/// Purpose covered.
	pub purpose: Purpose,
	/// Granted (ms).
	pub granted_at: Moment,
	/// Stops permitting (ms, exclusive).
	pub expires_at: Moment,
}

impl From<views::GrantView> for GrantAnswer {
	fn from(g: views::GrantView) -> Self {
		GrantAnswer {
			request_id: g.request_id,
			hospital: text(&g.hospital),
			practitioner: text(&g.practitioner),
			categories: g.categories.into_inner(),
			purpose: g.purpose,
			granted_at: g.granted_at,
			expires_at: g.expires_at,
		}
	}
}

/// `health_liveGrants` answer: the patient's grants that permit at the block's time.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct LiveGrantsAnswer {
	/// The live grants (expired ones left out, whether the chain pruned them or not).
	pub grants: Vec<GrantAnswer>,
	/// The block whose state and timestamp answered.
	pub at: BlockRef,
}

/// An emergency access whose review is overdue, for the licensing authority.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct OverdueReviewAnswer {
	/// Emergency access id (review it with `Consent.review_emergency_access`).
	pub emergency_id: u64,
	/// The patient.
	pub health_id: HealthId,
	/// Hospital that opened it.
	pub hospital: String,
	/// Doctor it was opened for.
	pub practitioner: String,
	/// `unconscious`, `lifeThreatening` or `unableToConsent`.
	pub reason: healthchain_primitives::EmergencyReason,
	/// Opened (ms).
	pub opened_at: Moment,
	/// Review fell due (ms).
	pub review_due_at: Moment,
	/// Opened on a day the patient had refused a consent request.
	pub after_refusal: bool,
}

impl From<views::OverdueReview> for OverdueReviewAnswer {
	fn from(r: views::OverdueReview) -> Self {
		OverdueReviewAnswer {
			emergency_id: r.emergency_id,
			health_id: r.health_id,
			hospital: text(&r.hospital),
			practitioner: text(&r.practitioner),
			reason: r.reason,
			opened_at: r.opened_at,
			review_due_at: r.review_due_at,
			after_refusal: r.after_refusal,
		}
	}
}

/// `health_overdueReviews` answer.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct OverdueReviewsAnswer {
	/// The overdue reviews, oldest first.
	pub reviews: Vec<OverdueReviewAnswer>,
	/// The block whose state (and timestamp) was used.
	pub at: BlockRef,
}

/// `health_subscribeNotices` item: what is new for one patient at a finalized block, for a
/// notification relay (a hospital's or a national app's push service).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct NoticeAnswer {
	/// The patient.
	pub health_id: HealthId,
	/// The finalized block the notice was read at.
	pub at: BlockRef,
	/// The access log's length at `at`: a relay that reconnects resumes from it
	/// (`sinceAccess`).
	pub access_count: u64,
	/// Access-log entries new since the previous notice (the first notice: since
	/// `sinceAccess`), newest first, at most [`MAX_NOTICE_ENTRIES`] (page older ones with
	/// `health_accessLog`). They verify as a log page against the head at `at`.
	pub accesses: Vec<LogItem<AccessJson>>,
	/// Consent requests pending at `at` that were not pending at the previous notice (the
	/// first notice: every pending request).
	pub requests: Vec<RequestAnswer>,
}

/// The most access-log entries one notice carries.
pub const MAX_NOTICE_ENTRIES: u64 = 100;

/// The `health_*` JSON-RPC namespace for hospital gateways, auditors and tests.
#[rpc(client, server, namespace = "health")]
pub trait HealthRpc {
	/// The consent decision for an access, by the runtime's one decision function.
	#[method(name = "checkAccess")]
	fn check_access(&self, params: CheckAccessParams) -> RpcResult<CheckAccessAnswer>;

	/// Whether `hospital` is a source of the patient's data (may anchor and serve it), by the
	/// consent pallet's one source rule; at the best block, or the finalized one.
	#[method(name = "sourceCheck")]
	fn source_check(
		&self,
		health_id: HealthId,
		hospital: String,
		finalized: Option<bool>,
	) -> RpcResult<SourceCheckAnswer>;

	/// A patient's consent state, or `null` if they never enrolled.
	#[method(name = "consent")]
	fn consent(&self, health_id: HealthId) -> RpcResult<Option<ConsentAnswer>>;

	/// A patient's open per-request consent requests.
	#[method(name = "pendingRequests")]
	fn pending_requests(&self, health_id: HealthId) -> RpcResult<Vec<RequestAnswer>>;

	/// A page of a patient's record log, newest first, with the on-chain head.
	#[method(name = "records")]
	fn records(
		&self,
		health_id: HealthId,
		page: Option<PageParams>,
	) -> RpcResult<LogPage<RecordJson>>;

	/// A page of a patient's access log, newest first, with the on-chain head.
	#[method(name = "accessLog")]
	fn access_log(
		&self,
		health_id: HealthId,
		page: Option<PageParams>,
	) -> RpcResult<LogPage<AccessJson>>;

	/// A practitioner, or `null`.
	#[method(name = "practitioner")]
	fn practitioner(&self, licence: String) -> RpcResult<Option<PractitionerAnswer>>;

	/// A hospital, or `null`.
	#[method(name = "hospital")]
	fn hospital(&self, code: String) -> RpcResult<Option<HospitalAnswer>>;

	/// A health ID, or `null`.
	#[method(name = "healthId")]
	fn health_id(&self, health_id: HealthId) -> RpcResult<Option<HealthIdAnswer>>;

	/// Emergency accesses whose review is still pending `ReviewDeadline` after they were
	/// opened, oldest first, at most `limit` (1 to `MAX_OVERDUE_PAGE`), for the licensing
	/// authority; at the best block, or the finalized one.
	#[method(name = "overdueReviews")]
	fn overdue_reviews(
		&self,
		limit: u32,
		finalized: Option<bool>,
	) -> RpcResult<OverdueReviewsAnswer>;

	/// A patient's grants that permit now (the chain's clock at the block: expired grants
	/// are left out whether or not the chain pruned them yet), at the best block or the
	/// finalized one. The one live-grants answer: gateways, the FHIR facade and the patient
	/// app read it instead of `Consent.Grants` storage.
	#[method(name = "liveGrants")]
	fn live_grants(
		&self,
		health_id: HealthId,
		finalized: Option<bool>,
	) -> RpcResult<LiveGrantsAnswer>;

	/// What is new for a patient (new access-log entries, new pending consent requests), once
	/// per finalized block that changes it: what a notification relay pushes to the patient's
	/// phone. The first notice comes at once, with the entries from `since_access` (an
	/// `accessCount` of an earlier notice; none when absent) and every pending request. A
	/// `since_access` past the log's length is refused (`4001`).
	#[subscription(
		name = "subscribeNotices" => "notice",
		unsubscribe = "unsubscribeNotices",
		item = NoticeAnswer
	)]
	async fn subscribe_notices(
		&self,
		health_id: HealthId,
		since_access: Option<u64>,
	) -> SubscriptionResult;
}

#[cfg(test)]
mod tests {
	use super::*;
	use healthchain_primitives::{DenyReason, PermitBasis};
	use serde_json::json;

	#[test]
	fn flattened_answers_keep_their_wire_form() {
		let at = BlockRef { number: 7, hash: H256::repeat_byte(1) };
		let a = CheckAccessAnswer { decision: Decision::Deny(DenyReason::Withdrawn), at };
		let v = serde_json::to_value(&a).unwrap();
		assert_eq!(v["decision"], "deny");
		assert_eq!(v["basis"], "withdrawn");
		assert_eq!(v["at"]["number"], 7);
		assert_eq!(serde_json::from_value::<CheckAccessAnswer>(v).unwrap(), a);
		let p = CheckAccessAnswer { decision: Decision::Permit(PermitBasis::Grant), at };
		let back: CheckAccessAnswer =
			serde_json::from_value(serde_json::to_value(&p).unwrap()).unwrap();
		assert_eq!(back, p);

		let s = SourceCheckAnswer {
			health_id: HealthId([2; 32]),
			hospital: "H0001".into(),
			status: SourceStatus::Refused(SourceRefusal::HospitalSuspended),
			at,
		};
		let v = serde_json::to_value(&s).unwrap();
		assert_eq!(v["status"], "refused");
		assert_eq!(v["reason"], "hospitalSuspended");
		assert_eq!(serde_json::from_value::<SourceCheckAnswer>(v).unwrap(), s);
	}

	#[test]
	fn overdue_reviews_are_served_as_readable_json() {
		use healthchain_primitives::{HospitalCode, LicenceNumber};
		let view = views::OverdueReview {
			emergency_id: 3,
			health_id: HealthId([5; 32]),
			hospital: HospitalCode::truncate_from(b"H0002".to_vec()),
			practitioner: LicenceNumber::truncate_from(b"MD10002".to_vec()),
			reason: healthchain_primitives::EmergencyReason::LifeThreatening,
			opened_at: 1_000,
			review_due_at: 259_201_000,
			after_refusal: true,
		};
		let answer = OverdueReviewsAnswer {
			reviews: vec![view.into()],
			at: BlockRef { number: 9, hash: H256::repeat_byte(1) },
		};
		let v = serde_json::to_value(&answer).unwrap();
		let r = &v["reviews"][0];
		assert_eq!(r["emergencyId"], 3);
		assert_eq!(r["healthId"], HealthId([5; 32]).to_hex());
		assert_eq!(r["hospital"], "H0002");
		assert_eq!(r["practitioner"], "MD10002");
		assert_eq!(r["reason"], "lifeThreatening");
		assert_eq!(r["openedAt"], 1_000);
		assert_eq!(r["reviewDueAt"], 259_201_000);
		assert_eq!(r["afterRefusal"], json!(true));
		assert_eq!(v["at"]["number"], 9);
		assert_eq!(serde_json::from_value::<OverdueReviewsAnswer>(v).unwrap(), answer);
	}

	#[test]
	fn live_grants_are_served_as_readable_json() {
		use healthchain_primitives::{categories_from, HospitalCode, LicenceNumber};
		let view = views::GrantView {
			request_id: 4,
			hospital: HospitalCode::truncate_from(b"H0002".to_vec()),
			practitioner: LicenceNumber::truncate_from(b"MD10002".to_vec()),
			categories: categories_from(&[DataCategory::Medication, DataCategory::Allergy]),
			purpose: Purpose::Treatment,
			granted_at: 1_000,
			expires_at: 2_000,
		};
		let answer = LiveGrantsAnswer {
			grants: vec![view.into()],
			at: BlockRef { number: 7, hash: H256::repeat_byte(2) },
		};
		let v = serde_json::to_value(&answer).unwrap();
		let g = &v["grants"][0];
		assert_eq!(g["requestId"], 4);
		assert_eq!(g["hospital"], "H0002");
		assert_eq!(g["practitioner"], "MD10002");
		assert_eq!(g["categories"], json!(["allergy", "medication"]));
		assert_eq!(g["purpose"], "treatment");
		assert_eq!(g["grantedAt"], 1_000);
		assert_eq!(g["expiresAt"], 2_000);
		assert_eq!(serde_json::from_value::<LiveGrantsAnswer>(v).unwrap(), answer);
	}

	#[test]
	fn an_emergency_reason_reads_by_its_command_line_or_json_name() {
		use healthchain_primitives::EmergencyReason;
		for r in EmergencyReason::ALL {
			assert_eq!(r.cli_name().parse::<EmergencyReason>(), Ok(r));
			let json = serde_json::to_value(r).unwrap();
			assert_eq!(json.as_str().unwrap().parse::<EmergencyReason>(), Ok(r));
		}
		assert!("sleepy".parse::<EmergencyReason>().is_err());
	}

	#[test]
	fn sources_are_all_or_a_list() {
		assert_eq!(serde_json::to_value(Sources::All).unwrap(), json!("all"));
		let only: Sources = serde_json::from_value(json!(["H0002"])).unwrap();
		assert_eq!(only, Sources::Only(vec!["H0002".into()]));
		assert!(serde_json::from_value::<Sources>(json!("some")).is_err());
	}

	#[test]
	fn params_reject_unknown_fields_categories_and_bad_ids() {
		let id = HealthId([1; 32]).to_hex();
		let ok = json!({"practitioner": "MD1", "hospital": "H1", "healthId": id,
			"categories": ["allergy"], "purpose": "treatment"});
		assert!(serde_json::from_value::<CheckAccessParams>(ok).is_ok());
		let bad_cat = json!({"practitioner": "MD1", "hospital": "H1", "healthId": id,
			"categories": ["horoscope"], "purpose": "treatment"});
		assert!(serde_json::from_value::<CheckAccessParams>(bad_cat).is_err());
		let extra = json!({"practitioner": "MD1", "hospital": "H1", "healthId": id,
			"categories": [], "purpose": "treatment", "sudo": true});
		assert!(serde_json::from_value::<CheckAccessParams>(extra).is_err());
		let short = json!({"practitioner": "MD1", "hospital": "H1", "healthId": "0x12",
			"categories": [], "purpose": "treatment"});
		let e = serde_json::from_value::<CheckAccessParams>(short).unwrap_err();
		assert!(e.to_string().contains("hex digits"), "{e}");
	}

	#[test]
	fn a_page_is_verified_before_its_entries_are_used() {
		use codec::Encode;
		use healthchain_primitives::logs::LogHead;
		let entries: Vec<Vec<u8>> = vec![7u32.encode(), 8u32.encode()];
		let mut log = LogHead::default();
		let mut items = Vec::new();
		for (i, e) in entries.iter().enumerate() {
			let next = log.append(e);
			items.push(LogItem {
				index: i as u64,
				block_number: 1,
				prev_head: log.head,
				head: next.head,
				encoded: Bytes(e.clone()),
				entry: (),
			});
			log = next;
		}
		items.reverse();
		let at = BlockRef { number: 1, hash: H256::zero() };
		let mut page = LogPage {
			health_id: HealthId([0; 32]),
			count: 2,
			head: log.head,
			at,
			entries: items,
			next_cursor: None,
		};
		assert_eq!(page.verified::<u32>(log.head).unwrap(), vec![(1, 8), (0, 7)]);
		page.next_cursor = Some(H256::repeat_byte(3));
		assert_eq!(page.verified::<u32>(log.head), Err(PageError::WrongCursor));
		page.next_cursor = None;
		page.entries[0].encoded = Bytes(9u32.encode());
		assert!(matches!(page.verified::<u32>(log.head), Err(PageError::Log(_))));
	}
}
