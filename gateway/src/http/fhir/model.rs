//! Typed serde structs for the HL7 FHIR R4 resources the facade speaks: only the elements it
//! fills or reads, with FHIR's JSON names. Empty lists and absent values are left out, as
//! FHIR requires (no `null`, no empty arrays).

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

/// The FHIR JSON media type.
pub const FHIR_JSON: &str = "application/fhir+json";

/// The FHIR version served.
pub const FHIR_VERSION: &str = "4.0.1";

/// Code systems and identifier systems: HealthChain's own (under one base, set once here)
/// and HL7's.
pub mod systems {
	/// Health IDs (0x-prefixed hex).
	pub const HEALTH_ID: &str = "https://healthchain.example/fhir/sid/health-id";
	/// Record categories (`allergy`, `labAndImaging`, ...).
	pub const CATEGORY: &str = "https://healthchain.example/fhir/CodeSystem/data-category";
	/// Hospital codes.
	pub const HOSPITAL: &str = "https://healthchain.example/fhir/sid/hospital";
	/// Practitioner licence numbers.
	pub const LICENCE: &str = "https://healthchain.example/fhir/sid/licence";
	/// Record content hashes (BLAKE2b-256 of the ciphertext, 0x-prefixed hex).
	pub const CONTENT_HASH: &str = "https://healthchain.example/fhir/sid/content-hash";
	/// Access-log entries: `<health ID>/<position>`.
	pub const ACCESS_LOG: &str = "https://healthchain.example/fhir/sid/access-log";
	/// Access-log heads (the hash chain after an entry).
	pub const LOG_HEAD: &str = "https://healthchain.example/fhir/sid/access-log-head";
	/// Per-request consent requests.
	pub const REQUEST: &str = "https://healthchain.example/fhir/sid/consent-request";
	/// What an access rested on: `enrolment`, `grant`, `emergency`.
	pub const CONSENT_BASIS: &str = "https://healthchain.example/fhir/CodeSystem/consent-basis";
	/// The gateway's error codes (`4010`, ...).
	pub const ERROR_CODE: &str = "https://healthchain.example/fhir/CodeSystem/gateway-error";
	/// The on-chain anchor of a stored record (`block`, `index`).
	pub const ANCHOR: &str = "https://healthchain.example/fhir/StructureDefinition/anchor";
	/// Consent policy URIs: `<base>/<basis>[/<id>]`.
	pub const POLICY: &str = "https://healthchain.example/fhir/policy";
	/// HL7 consent scopes.
	pub const CONSENT_SCOPE: &str = "http://terminology.hl7.org/CodeSystem/consentscope";
	/// LOINC.
	pub const LOINC: &str = "http://loinc.org";
	/// HL7 v3 ActCode (`OPTIN`).
	pub const ACT_CODE: &str = "http://terminology.hl7.org/CodeSystem/v3-ActCode";
	/// HL7 v3 ActReason (purposes of use: `TREAT`, `ETREAT`, `BTG`).
	pub const ACT_REASON: &str = "http://terminology.hl7.org/CodeSystem/v3-ActReason";
	/// HL7 v3 Confidentiality (`R`: restricted).
	pub const CONFIDENTIALITY: &str = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality";
	/// HL7 v3 ParticipationType (`CST` custodian, `IRCP` information recipient).
	pub const PARTICIPATION: &str = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType";
	/// HL7 v3 RoleClass (`PROV` healthcare provider).
	pub const ROLE_CLASS: &str = "http://terminology.hl7.org/CodeSystem/v3-RoleClass";
	/// Audit event types (`rest`).
	pub const AUDIT_EVENT_TYPE: &str = "http://terminology.hl7.org/CodeSystem/audit-event-type";
	/// RESTful interactions (`read`).
	pub const RESTFUL_INTERACTION: &str = "http://hl7.org/fhir/restful-interaction";
	/// Audit entity types (`1` person, `2` system object).
	pub const AUDIT_ENTITY_TYPE: &str = "http://terminology.hl7.org/CodeSystem/audit-entity-type";
	/// Object roles (`1` patient, `4` domain resource).
	pub const OBJECT_ROLE: &str = "http://terminology.hl7.org/CodeSystem/object-role";
	/// Audit source types (`4` application server).
	pub const SECURITY_SOURCE_TYPE: &str =
		"http://terminology.hl7.org/CodeSystem/security-source-type";
	/// Provenance participant types (`performer`).
	pub const PROVENANCE_PARTICIPANT: &str =
		"http://terminology.hl7.org/CodeSystem/provenance-participant-type";
	/// The Patient `$everything` operation.
	pub const EVERYTHING: &str = "http://hl7.org/fhir/OperationDefinition/Patient-everything";
}

/// A resource the facade emits.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "resourceType")]
pub enum Resource {
	/// A Bundle.
	Bundle(Bundle),
	/// An OperationOutcome.
	OperationOutcome(OperationOutcome),
	/// A CapabilityStatement.
	CapabilityStatement(CapabilityStatement),
	/// A Consent.
	Consent(Consent),
	/// An AuditEvent.
	AuditEvent(AuditEvent),
	/// A Provenance.
	Provenance(Provenance),
}

/// A Bundle entry's resource: one of ours, or a stored record as the hospital sent it.
#[derive(Clone, Debug, Serialize)]
#[serde(untagged)]
pub enum EntryResource {
	/// A resource the facade made.
	Made(Box<Resource>),
	/// A stored record (a FHIR Bundle, kept as sent).
	Stored(Json),
}

/// Coding.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Coding {
	/// Code system.
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub system: Option<String>,
	/// Code.
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub code: Option<String>,
	/// Display text.
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub display: Option<String>,
}

impl Coding {
	/// A coding of `system` with `code` and its `display`.
	pub fn new(system: &str, code: &str, display: &str) -> Self {
		Coding {
			system: Some(system.into()),
			code: Some(code.into()),
			display: Some(display.into()),
		}
	}

	/// A coding of `system` with `code`, no display.
	pub fn code(system: &str, code: &str) -> Self {
		Coding { system: Some(system.into()), code: Some(code.into()), display: None }
	}
}

/// CodeableConcept.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct CodeableConcept {
	/// Codings.
	#[serde(skip_serializing_if = "Vec::is_empty")]
	pub coding: Vec<Coding>,
	/// Plain text.
	#[serde(skip_serializing_if = "Option::is_none")]
	pub text: Option<String>,
}

impl From<Coding> for CodeableConcept {
	fn from(c: Coding) -> Self {
		CodeableConcept { coding: vec![c], text: None }
	}
}

/// Identifier.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Identifier {
	/// Identifier system.
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub system: Option<String>,
	/// The value.
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub value: Option<String>,
}

impl Identifier {
	/// `value` in `system`.
	pub fn new(system: &str, value: impl Into<String>) -> Self {
		Identifier { system: Some(system.into()), value: Some(value.into()) }
	}
}

/// Reference.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Reference {
	/// A literal reference (`Bundle/<id>`).
	#[serde(skip_serializing_if = "Option::is_none")]
	pub reference: Option<String>,
	/// The type referred to.
	#[serde(rename = "type", skip_serializing_if = "Option::is_none")]
	pub kind: Option<String>,
	/// A logical reference.
	#[serde(skip_serializing_if = "Option::is_none")]
	pub identifier: Option<Identifier>,
	/// Text.
	#[serde(skip_serializing_if = "Option::is_none")]
	pub display: Option<String>,
}

impl Reference {
	/// A logical reference to a `kind` by `value` in `system`.
	pub fn logical(kind: &str, system: &str, value: impl Into<String>) -> Self {
		Reference {
			kind: Some(kind.into()),
			identifier: Some(Identifier::new(system, value)),
			..Default::default()
		}
	}

	/// A literal reference (`Bundle/<id>`).
	pub fn literal(reference: impl Into<String>) -> Self {
		Reference { reference: Some(reference.into()), ..Default::default() }
	}
}

/// Period.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Period {
	/// Start (dateTime).
	#[serde(skip_serializing_if = "Option::is_none")]
	pub start: Option<String>,
	/// End (dateTime).
	#[serde(skip_serializing_if = "Option::is_none")]
	pub end: Option<String>,
}

/// Extension.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Extension {
	/// What it means.
	pub url: String,
	/// An unsigned integer value.
	#[serde(skip_serializing_if = "Option::is_none")]
	pub value_unsigned_int: Option<u64>,
	/// Nested extensions.
	#[serde(skip_serializing_if = "Vec::is_empty")]
	pub extension: Vec<Extension>,
}

/// Meta.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Meta {
	/// Security labels.
	#[serde(skip_serializing_if = "Vec::is_empty")]
	pub security: Vec<Coding>,
	/// Tags.
	#[serde(skip_serializing_if = "Vec::is_empty")]
	pub tag: Vec<Coding>,
}

/// Bundle.
#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Bundle {
	/// Metadata.
	#[serde(skip_serializing_if = "Option::is_none")]
	pub meta: Option<Meta>,
	/// `searchset`.
	#[serde(rename = "type")]
	pub kind: String,
	/// When it was assembled (instant).
	#[serde(skip_serializing_if = "Option::is_none")]
	pub timestamp: Option<String>,
	/// Matches in all pages, when known.
	#[serde(skip_serializing_if = "Option::is_none")]
	pub total: Option<u64>,
	/// `self` and `next`.
	#[serde(skip_serializing_if = "Vec::is_empty")]
	pub link: Vec<BundleLink>,
	/// The entries.
	#[serde(skip_serializing_if = "Vec::is_empty")]
	pub entry: Vec<BundleEntry>,
}

/// Bundle.link.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BundleLink {
	/// `self`, `next`.
	pub relation: String,
	/// Absolute URL.
	pub url: String,
}

/// Bundle.entry.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BundleEntry {
	/// Absolute URL of the resource, when it has one.
	#[serde(skip_serializing_if = "Option::is_none")]
	pub full_url: Option<String>,
	/// The resource.
	pub resource: EntryResource,
	/// Why it is in a search set.
	#[serde(skip_serializing_if = "Option::is_none")]
	pub search: Option<EntrySearch>,
}

/// Bundle.entry.search.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EntrySearch {
	/// `match`, `include` or `outcome`.
	pub mode: String,
}

/// OperationOutcome.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OperationOutcome {
	/// The issues.
	pub issue: Vec<Issue>,
}

/// OperationOutcome.issue.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Issue {
	/// `fatal`, `error`, `warning`, `information`.
	pub severity: String,
	/// The FHIR issue type (`invalid`, `forbidden`, ...).
	pub code: String,
	/// The gateway's error code, and the message.
	#[serde(skip_serializing_if = "Option::is_none")]
	pub details: Option<CodeableConcept>,
	/// More detail.
	#[serde(skip_serializing_if = "Option::is_none")]
	pub diagnostics: Option<String>,
}

/// CapabilityStatement.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CapabilityStatement {
	/// `active`.
	pub status: String,
	/// When it was published (dateTime).
	pub date: String,
	/// `instance`.
	pub kind: String,
	/// The software.
	pub software: Software,
	/// This gateway.
	pub implementation: Implementation,
	/// `4.0.1`.
	pub fhir_version: String,
	/// Formats.
	pub format: Vec<String>,
	/// The REST interface.
	pub rest: Vec<Rest>,
}

/// CapabilityStatement.software.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Software {
	/// Name.
	pub name: String,
	/// Version.
	pub version: String,
}

/// CapabilityStatement.implementation.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Implementation {
	/// What it is.
	pub description: String,
	/// Its base URL.
	pub url: String,
}

/// CapabilityStatement.rest.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Rest {
	/// `server`.
	pub mode: String,
	/// How callers authenticate.
	pub security: RestSecurity,
	/// The resources.
	pub resource: Vec<RestResource>,
}

/// CapabilityStatement.rest.security.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RestSecurity {
	/// `OAuth`.
	pub service: Vec<CodeableConcept>,
	/// In words.
	pub description: String,
}

/// CapabilityStatement.rest.resource.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RestResource {
	/// The resource type.
	#[serde(rename = "type")]
	pub kind: String,
	/// What it says.
	#[serde(skip_serializing_if = "Option::is_none")]
	pub documentation: Option<String>,
	/// Interactions.
	#[serde(skip_serializing_if = "Vec::is_empty")]
	pub interaction: Vec<Interaction>,
	/// Search parameters.
	#[serde(skip_serializing_if = "Vec::is_empty")]
	pub search_param: Vec<SearchParam>,
	/// Operations.
	#[serde(skip_serializing_if = "Vec::is_empty")]
	pub operation: Vec<Operation>,
}

/// CapabilityStatement.rest.resource.interaction.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Interaction {
	/// `create`, `search-type`.
	pub code: String,
	/// What it does here.
	pub documentation: String,
}

/// CapabilityStatement.rest.resource.searchParam.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchParam {
	/// Its name.
	pub name: String,
	/// `reference`, `token`, `number`, `string`.
	#[serde(rename = "type")]
	pub kind: String,
	/// What it does.
	pub documentation: String,
}

/// CapabilityStatement.rest.resource.operation.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Operation {
	/// `everything`.
	pub name: String,
	/// Its OperationDefinition.
	pub definition: String,
	/// How it behaves here.
	pub documentation: String,
}

/// Consent.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Consent {
	/// Logical id.
	pub id: String,
	/// Business identifiers (a consent request).
	#[serde(skip_serializing_if = "Vec::is_empty")]
	pub identifier: Vec<Identifier>,
	/// `proposed`, `active`, `inactive`.
	pub status: String,
	/// `patient-privacy`.
	pub scope: CodeableConcept,
	/// LOINC 59284-0, Patient Consent.
	pub category: Vec<CodeableConcept>,
	/// The patient.
	pub patient: Reference,
	/// When it was given (dateTime).
	#[serde(skip_serializing_if = "Option::is_none")]
	pub date_time: Option<String>,
	/// The rule it follows (`OPTIN`).
	pub policy_rule: CodeableConcept,
	/// What it permits.
	pub provision: Provision,
}

/// Consent.provision.
#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Provision {
	/// `permit` or `deny`.
	#[serde(rename = "type", skip_serializing_if = "Option::is_none")]
	pub kind: Option<String>,
	/// When it applies.
	#[serde(skip_serializing_if = "Option::is_none")]
	pub period: Option<Period>,
	/// Who it applies to.
	#[serde(skip_serializing_if = "Vec::is_empty")]
	pub actor: Vec<ProvisionActor>,
	/// For which purposes.
	#[serde(skip_serializing_if = "Vec::is_empty")]
	pub purpose: Vec<Coding>,
	/// Security labels of the data it covers.
	#[serde(skip_serializing_if = "Vec::is_empty")]
	pub security_label: Vec<Coding>,
	/// The record categories it covers.
	#[serde(skip_serializing_if = "Vec::is_empty")]
	pub code: Vec<CodeableConcept>,
	/// Nested provisions.
	#[serde(skip_serializing_if = "Vec::is_empty")]
	pub provision: Vec<Provision>,
}

/// Consent.provision.actor.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProvisionActor {
	/// `CST` (a source hospital), `IRCP` (a recipient), `PROV` (a practitioner).
	pub role: CodeableConcept,
	/// Who.
	pub reference: Reference,
}

/// AuditEvent.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditEvent {
	/// Logical id: the log head after the entry.
	pub id: String,
	/// `rest`.
	#[serde(rename = "type")]
	pub kind: Coding,
	/// `read`.
	pub subtype: Vec<Coding>,
	/// `R`.
	pub action: String,
	/// When (instant).
	pub recorded: String,
	/// `0`: success.
	pub outcome: String,
	/// `TREAT`, or `ETREAT` and `BTG` for an emergency.
	pub purpose_of_event: Vec<CodeableConcept>,
	/// The practitioner and the hospital.
	pub agent: Vec<AuditAgent>,
	/// The chain: block and log head.
	pub source: AuditSource,
	/// The patient and the records.
	pub entity: Vec<AuditEntity>,
}

/// AuditEvent.agent.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditAgent {
	/// Role in the event.
	#[serde(rename = "type")]
	pub kind: CodeableConcept,
	/// Who.
	pub who: Reference,
	/// Whether this agent asked.
	pub requestor: bool,
	/// The consent the access rested on.
	#[serde(skip_serializing_if = "Vec::is_empty")]
	pub policy: Vec<String>,
}

/// AuditEvent.source.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditSource {
	/// Where: the block.
	pub site: String,
	/// Who observed it: the access log, by its head.
	pub observer: Reference,
	/// `4`: application server.
	#[serde(rename = "type")]
	pub kind: Vec<Coding>,
}

/// AuditEvent.entity.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntity {
	/// What.
	pub what: Reference,
	/// `1` person, `2` system object.
	#[serde(rename = "type")]
	pub kind: Coding,
	/// `1` patient, `4` domain resource.
	pub role: Coding,
	/// Details: the categories, the basis, the log position.
	#[serde(skip_serializing_if = "Vec::is_empty")]
	pub detail: Vec<EntityDetail>,
}

/// AuditEvent.entity.detail.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EntityDetail {
	/// What it is.
	#[serde(rename = "type")]
	pub kind: String,
	/// Its value.
	pub value_string: String,
}

/// Provenance.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Provenance {
	/// The records fetched.
	pub target: Vec<Reference>,
	/// When (instant).
	pub recorded: String,
	/// The consent the access rested on.
	pub policy: Vec<String>,
	/// The purpose of use.
	pub reason: Vec<CodeableConcept>,
	/// The practitioner, for the hospital.
	pub agent: Vec<ProvenanceAgent>,
	/// The attestation in the access log.
	pub entity: Vec<ProvenanceEntity>,
}

/// Provenance.agent.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProvenanceAgent {
	/// `performer`.
	#[serde(rename = "type")]
	pub kind: CodeableConcept,
	/// Who.
	pub who: Reference,
	/// For whom.
	pub on_behalf_of: Reference,
}

/// Provenance.entity.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProvenanceEntity {
	/// `source`.
	pub role: String,
	/// The attestation.
	pub what: Reference,
}

/// What the facade reads of a Bundle a hospital puts: its type, tags and entries.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IncomingBundle {
	/// Must be `Bundle`.
	pub resource_type: String,
	/// Tags (the category).
	#[serde(default)]
	pub meta: Option<IncomingMeta>,
	/// Entries (the Patient).
	#[serde(default)]
	pub entry: Vec<IncomingEntry>,
}

/// The tags of an incoming Bundle.
#[derive(Clone, Debug, Deserialize)]
pub struct IncomingMeta {
	/// Tags.
	#[serde(default)]
	pub tag: Vec<Coding>,
}

/// An entry of an incoming Bundle.
#[derive(Clone, Debug, Deserialize)]
pub struct IncomingEntry {
	/// Its resource.
	#[serde(default)]
	pub resource: Option<IncomingResource>,
}

/// What the facade reads of an entry's resource: a Patient's identifiers.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IncomingResource {
	/// The resource type.
	pub resource_type: String,
	/// Identifiers.
	#[serde(default)]
	pub identifier: Vec<Identifier>,
}
