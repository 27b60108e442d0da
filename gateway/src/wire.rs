//! The gateway's two APIs as typed contracts: the request and answer types, and one
//! jsonrpsee `#[rpc(client, server)]` trait each for the local API ([`LocalApi`], this
//! hospital's systems) and the peer API ([`PeerApi`], other hospitals' gateways), and the
//! APIs' limits. The servers are in [`crate::http::api`]; the command line, peers and tests
//! call the generated clients. A shared leaf: the flows take and answer these types, the
//! chain view takes [`EmergencyReason`], and it imports no other module of the gateway.

use healthchain_client::rpc::{GrantAnswer, RequestAnswer};
use healthchain_primitives::{
	logs::MAX_RECORDS_PER_ATTESTATION, ConsentPolicy, DataCategory, HealthId, PermitBasis, Purpose,
};
use jsonrpsee::{core::RpcResult, proc_macros::rpc};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;
use sp_core::{Bytes, H256};

/// The most records one attestation may name (the chain's bound).
pub const MAX_RECORDS: usize = MAX_RECORDS_PER_ATTESTATION as usize;

/// The chain's largest record (the records pallet's `MaxRecordSize`, 64 MiB).
pub const MAX_RECORD_BYTES: u64 = 64 * 1024 * 1024;

/// The most ciphertext bytes one fetch returns (one record at least): larger results page.
pub const MAX_PAGE_BYTES: u64 = MAX_RECORD_BYTES;

/// The most ciphertext bytes one `gateway_serve` call asks for (one record at least).
pub const MAX_SERVE_BYTES: u64 = 32 * 1024 * 1024;

/// HTTP body limit of the local API's requests (a bundle of the largest record) and of
/// both APIs' answers (a page of records; ciphertexts travel hex-encoded between peers).
pub const MAX_BODY_BYTES: u32 = (2 * MAX_RECORD_BYTES + 16 * 1024 * 1024) as u32;

/// `gateway_put`: a FHIR bundle for a patient and category.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PutRequest {
	/// The patient.
	pub health_id: HealthId,
	/// The record's category.
	pub category: DataCategory,
	/// The FHIR JSON bundle.
	pub bundle: Json,
	/// The content hash of the record this one replaces.
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub supersedes: Option<H256>,
}

/// `gateway_put`'s answer.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct PutResult {
	/// BLAKE2b-256 of the ciphertext, as anchored.
	pub content_hash: H256,
	/// Ciphertext size.
	pub size: u32,
	/// The finalized block with the anchor.
	pub block: u64,
	/// Position in the patient's record log.
	pub index: u64,
}

/// Why a doctor opens an emergency access: the primitives' one definition (JSON `unconscious`,
/// `lifeThreatening`, `unableToConsent`), the same the chain stores.
pub use healthchain_primitives::EmergencyReason;

/// `gateway_fetch`: a practitioner of this hospital asks for a patient's records. Who asks
/// is not in the request: the practitioner's licence number comes from the bearer token.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FetchRequest {
	/// The patient.
	pub health_id: HealthId,
	/// Categories wanted; default: every category except `sensitive`.
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub categories: Option<Vec<DataCategory>>,
	/// `treatment` (default) or `emergency`.
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub purpose: Option<Purpose>,
	/// For emergencies: why.
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub emergency_reason: Option<EmergencyReason>,
	/// For per-request hospitals: ask a grant shorter than the rest of the day (ms).
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub grant_for_ms: Option<u64>,
	/// How long to wait for the patient's answer (s); default from the configuration.
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub wait_secs: Option<u64>,
	/// Paging: skip this many of the newest matching records (the `nextOffset` of the
	/// previous page). One fetch attests and returns at most 16 records.
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub offset: Option<u32>,
}

impl FetchRequest {
	/// A treatment fetch of every category but `sensitive`, newest page first.
	pub fn new(health_id: HealthId) -> Self {
		FetchRequest {
			health_id,
			categories: None,
			purpose: None,
			emergency_reason: None,
			grant_for_ms: None,
			wait_secs: None,
			offset: None,
		}
	}
}

/// One fetched record.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct FetchedRecord {
	/// Content hash (as anchored).
	pub content_hash: H256,
	/// The source hospital.
	pub source: String,
	/// Category.
	pub category: DataCategory,
	/// The FHIR bundle.
	pub bundle: Json,
}

/// Records of one source that could not be fetched, and why.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Unavailable {
	/// The source hospital.
	pub source: String,
	/// The records concerned.
	pub records: Vec<H256>,
	/// Error code.
	pub code: i32,
	/// Why.
	pub reason: String,
}

/// `gateway_fetch`'s answer.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct FetchResult {
	/// The attestation's position in the patient's access log.
	pub attestation: u64,
	/// The finalized block holding it.
	pub block: u64,
	/// What the access rested on: `enrolment`, `grant` or `emergency`.
	pub basis: PermitBasis,
	/// The records, checked against their anchored hashes.
	pub records: Vec<FetchedRecord>,
	/// What could not be fetched.
	pub unavailable: Vec<Unavailable>,
	/// When older records remain: the `offset` that fetches the next page.
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub next_offset: Option<u32>,
	/// Where the fetch's time went, for integrators and `scripts/bench`.
	#[serde(default)]
	pub timings: FetchTimings,
}

/// Where a fetch's time went, in milliseconds of the gateway's clock: each step as the
/// `fetch` flow runs it (see [`crate::flows::fetch`]).
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct FetchTimings {
	/// The consent decision, with the wait for the patient's answer at a per-request
	/// hospital.
	pub permit_ms: u64,
	/// At a per-request hospital: from the patient's answer seen on chain to the end of the
	/// fetch.
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub after_answer_ms: Option<u64>,
	/// The patient's live records from the verified record log, and the source rule.
	pub select_ms: u64,
	/// The attestation (with the emergency access it opens, for a first emergency fetch),
	/// from submission to finality.
	pub attest_ms: u64,
	/// The sources, asked in parallel: the slowest one's serve and open.
	pub collect_ms: u64,
	/// Each source: its serve round trip (its own checks included) and the opening here
	/// (unseal, hash check, decryption).
	pub sources: Vec<SourceTiming>,
	/// The whole fetch.
	pub total_ms: u64,
}

/// One source's part of a fetch.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct SourceTiming {
	/// The source hospital.
	pub source: String,
	/// Its serve round trip (this gateway's own store: 0).
	pub serve_ms: u64,
	/// Opening its answer here.
	pub open_ms: u64,
}

/// `gateway_identify`: an identity document.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IdentifyRequest {
	/// `thai-citizen`, `thai-non-citizen` or `passport:<ISO alpha-3 country>`.
	pub kind: String,
	/// The document number.
	pub number: String,
}

/// `gateway_identify`'s answer.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct IdentifyAnswer {
	/// The patient's health ID.
	pub health_id: HealthId,
}

/// `gateway_me`: the signed-in practitioner as the chain knows them at this hospital.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct MeAnswer {
	/// The licence number (the token's licence claim).
	pub licence: String,
	/// This hospital's code.
	pub hospital: String,
	/// This hospital's name on chain.
	pub hospital_name: String,
	/// This hospital's consent policy (`oneTime` or `perRequest`).
	pub policy: ConsentPolicy,
	/// The licensing authority lists the licence as `licensed`.
	pub licensed: bool,
	/// The practitioner is affiliated with this hospital.
	pub affiliated: bool,
	/// The practitioner accepted the exchange's terms (seed rule 6).
	pub terms_accepted: bool,
}

/// `gateway_acceptTerms`' answer.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct TermsAnswer {
	/// The finalized block recording the acceptance.
	pub block: u64,
}

/// `gateway_patient`: what the chain says of a patient, before a fetch.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PatientRequest {
	/// The patient.
	pub health_id: HealthId,
}

/// How the licensing authority reviewed an emergency access.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum ReviewState {
	/// Not reviewed yet.
	Pending,
	/// Reviewed: justified.
	Justified,
	/// Reviewed: unjustified (the access ended at once).
	Unjustified,
}

/// An emergency access, as a doctor sees it.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct EmergencyAnswer {
	/// Its id.
	pub emergency_id: u64,
	/// Why it was opened.
	pub reason: EmergencyReason,
	/// Opened (ms).
	pub opened_at: u64,
	/// The end of its time box (ms, exclusive).
	pub expires_at: u64,
	/// The review.
	pub review: ReviewState,
}

/// `gateway_patient`'s answer, at the best block.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct PatientAnswer {
	/// The patient.
	pub health_id: HealthId,
	/// Whether the patient is enrolled in the exchange now.
	pub enrolled: bool,
	/// Whether the patient opted in to sharing sensitive data.
	pub sensitive_opt_in: bool,
	/// This hospital's consent policy: `perRequest` asks the patient for every access.
	pub policy: ConsentPolicy,
	/// The live grants the patient gave the caller here.
	pub grants: Vec<GrantAnswer>,
	/// The caller's requests here still waiting for the patient.
	pub pending: Vec<RequestAnswer>,
	/// The caller's latest emergency access to this patient here, if any.
	pub emergency: Option<EmergencyAnswer>,
}

/// `gateway_myAccesses`: the caller's recent accesses.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MyAccessesRequest {
	/// How many, newest first: 1 to 50 (default 20).
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub limit: Option<u32>,
}

/// One of the caller's accesses, as the patient's verified access log on chain records it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct MyAccess {
	/// The patient.
	pub health_id: HealthId,
	/// Its position in the patient's access log.
	pub index: u64,
	/// Block time of the attestation (ms).
	pub at: u64,
	/// The finalized block holding it.
	pub block: u64,
	/// The categories looked at.
	pub categories: Vec<DataCategory>,
	/// How many records were served.
	pub records: u32,
	/// Why.
	pub purpose: Purpose,
	/// What the access rested on.
	pub basis: PermitBasis,
	/// For an emergency: the emergency access and its review (while the chain keeps it).
	pub emergency: Option<EmergencyAnswer>,
}

/// The node as the gateway sees it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct NodeStatus {
	/// Whether the node answered.
	pub reachable: bool,
	/// Its best block, if it answered.
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub best: Option<u64>,
	/// Why not, if it did not.
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub error: Option<String>,
}

/// `gateway_status`'s answer, for operators.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct StatusAnswer {
	/// This hospital.
	pub hospital: String,
	/// The gateway's chain account (SS58).
	pub account: String,
	/// Its X25519 public key.
	pub exchange_key: H256,
	/// The SHA-256 of its TLS certificate (what peers pin).
	pub cert_sha256: H256,
	/// The node.
	pub node: NodeStatus,
	/// Records held (not erased).
	pub records: usize,
	/// Records erased (keys destroyed).
	pub erased: usize,
	/// Patients no longer served whose records wait for shredding.
	pub pending_shredding: usize,
	/// Puts whose anchor's outcome is not known yet (kept, and settled against the chain).
	pub pending_puts: usize,
	/// Shredded records whose on-chain `Erased` revocation is still to be confirmed.
	pub pending_revocations: usize,
}

/// `gateway_health` (and `GET /health`): liveness and node reachability.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct HealthAnswer {
	/// `ok`.
	pub status: String,
	/// This hospital.
	pub hospital: String,
	/// The node's best block.
	pub best: u64,
}

/// `gateway_serve`: a peer's request to this (source) gateway.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ServeRequest {
	/// The patient.
	pub health_id: HealthId,
	/// The records wanted (content hashes).
	pub records: Vec<H256>,
	/// The requester's attestation: its index in the patient's access log.
	pub attestation: u64,
	/// The requesting hospital.
	pub requester: String,
}

/// `gateway_serve`'s answer: the records' ciphertexts (as stored and anchored: unreadable
/// without their keys) and their keys sealed for the requester.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ServeAnswer {
	/// X25519-sealed JSON list of [`SealedKey`]s (an ephemeral key per answer).
	pub sealed: Bytes,
	/// The ciphertexts, in the order of the request's records.
	pub ciphertexts: Vec<Bytes>,
}

/// One record key inside a sealed answer.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct SealedKey {
	/// The record's anchored content hash.
	pub hash: H256,
	/// The record key.
	pub key: H256,
}

/// The local API, for this hospital's own systems and its doctors. Every call carries a
/// bearer token (see [`crate::http::auth`]): `put` needs scope `records.write`, `fetch`
/// `records.read` (and `records.emergency` for an emergency), `identify`
/// `patients.identify`, `status` `gateway.status`, and the doctor's calls (`me`,
/// `acceptTerms`, `patient`, `myAccesses`) `records.read` and the licence claim.
#[rpc(client, server, namespace = "gateway")]
pub trait LocalApi {
	/// Encrypts, stores and anchors a FHIR bundle; answers once the anchor is final.
	#[method(name = "put", with_extensions)]
	async fn put(&self, req: PutRequest) -> RpcResult<PutResult>;

	/// Fetches a patient's records for a practitioner of this hospital, under the consent
	/// recorded on chain, attesting the access first.
	#[method(name = "fetch", with_extensions)]
	async fn fetch(&self, req: FetchRequest) -> RpcResult<FetchResult>;

	/// Turns an identity document into the patient's health ID.
	#[method(name = "identify", with_extensions)]
	fn identify(&self, req: IdentifyRequest) -> RpcResult<IdentifyAnswer>;

	/// The signed-in practitioner as the chain knows them here (scope `records.read`).
	#[method(name = "me", with_extensions)]
	async fn me(&self) -> RpcResult<MeAnswer>;

	/// Records on chain that the signed-in practitioner accepted the exchange's terms
	/// (scope `records.read`); answers once final.
	#[method(name = "acceptTerms", with_extensions)]
	async fn accept_terms(&self) -> RpcResult<TermsAnswer>;

	/// What the chain says of a patient before a fetch: enrolment, this hospital's policy,
	/// sensitive opt-in, grants, pending requests, the caller's emergency access (scope
	/// `records.read`).
	#[method(name = "patient", with_extensions)]
	async fn patient(&self, req: PatientRequest) -> RpcResult<PatientAnswer>;

	/// The caller's recent accesses through this gateway, as the chain records them (scope
	/// `records.read`).
	#[method(name = "myAccesses", with_extensions)]
	async fn my_accesses(&self, req: Option<MyAccessesRequest>) -> RpcResult<Vec<MyAccess>>;

	/// Operator status.
	#[method(name = "status", with_extensions)]
	async fn status(&self) -> RpcResult<StatusAnswer>;

	/// Liveness and node reachability (also `GET /health`).
	#[method(name = "health")]
	async fn health(&self) -> RpcResult<HealthAnswer>;
}

/// The peer API, for other hospitals' gateways, over mutual TLS with pinned certificates.
#[rpc(client, server, namespace = "gateway")]
pub trait PeerApi {
	/// Serves records to a requester whose finalized attestation covers them.
	#[method(name = "serve", with_extensions)]
	async fn serve(&self, req: ServeRequest) -> RpcResult<ServeAnswer>;

	/// Liveness and node reachability (also `GET /health`).
	#[method(name = "health")]
	async fn peer_health(&self) -> RpcResult<HealthAnswer>;
}
