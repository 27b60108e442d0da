//! From the gateway's and the chain's types to FHIR resources, and from gateway errors to
//! `OperationOutcome`s with their HTTP status: every mapping once, here.

use super::model::{
	systems as sys, AuditAgent, AuditEntity, AuditEvent, AuditSource, CodeableConcept, Coding,
	Consent, EntityDetail, Issue, OperationOutcome, Period, Provenance, ProvenanceAgent,
	ProvenanceEntity, Provision, ProvisionActor, Reference,
};
use crate::{
	chain::logs::LoggedAccess,
	error::{codes, name, GatewayError},
	wire::FetchResult,
};
use healthchain_client::rpc::{ConsentAnswer, GrantAnswer, RequestAnswer, Sources};
use healthchain_primitives::{
	logs::AccessBasis, DataCategory, Day, HealthId, Moment, PermitBasis, Purpose,
};
use sp_core::H256;

/// A FHIR `instant` from milliseconds since the epoch.
pub fn instant(ms: Moment) -> String {
	chrono::DateTime::<chrono::Utc>::from_timestamp_millis(ms as i64)
		.map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
		.unwrap_or_else(|| String::from("1970-01-01T00:00:00.000Z"))
}

/// A FHIR `date` from the chain's day number (days since 1970-01-01 in Asia/Bangkok).
pub fn date(day: Day) -> String {
	chrono::NaiveDate::from_ymd_opt(1970, 1, 1)
		.and_then(|d| d.checked_add_days(chrono::Days::new(day.into())))
		.map(|d| d.to_string())
		.unwrap_or_else(|| String::from("1970-01-01"))
}

/// A hash as a FHIR id: 64 lower-case hex digits, no `0x` (ids are at most 64 characters).
pub fn hash_id(hash: &H256) -> String {
	hex::encode(hash.0)
}

/// A reference to the patient by health ID.
pub fn patient(id: &HealthId) -> Reference {
	Reference::logical("Patient", sys::HEALTH_ID, id.to_hex())
}

/// A reference to a hospital by code.
pub fn hospital(code: &str) -> Reference {
	Reference::logical("Organization", sys::HOSPITAL, code)
}

/// A reference to a practitioner by licence number.
pub fn practitioner(licence: &str) -> Reference {
	Reference::logical("Practitioner", sys::LICENCE, licence)
}

/// A category as a coding.
pub fn category(c: &DataCategory) -> Coding {
	Coding::code(sys::CATEGORY, &name(c))
}

/// A purpose of use: `TREAT` for treatment, `ETREAT` for an emergency.
pub fn purpose(p: Purpose) -> Coding {
	match p {
		Purpose::Treatment => Coding::new(sys::ACT_REASON, "TREAT", "treatment"),
		Purpose::Emergency => Coding::new(sys::ACT_REASON, "ETREAT", "Emergency Treatment"),
	}
}

/// The purposes of an access: an emergency access is also break-the-glass.
pub fn purposes_of_use(p: Purpose) -> Vec<CodeableConcept> {
	let mut v = vec![CodeableConcept::from(purpose(p))];
	if p == Purpose::Emergency {
		v.push(Coding::new(sys::ACT_REASON, "BTG", "break the glass").into());
	}
	v
}

/// The code of what an access rested on: `enrolment`, `grant` or `emergency`.
pub fn basis_code(basis: PermitBasis) -> &'static str {
	match basis {
		PermitBasis::Enrolment => "enrolment",
		PermitBasis::Grant => "grant",
		PermitBasis::Emergency => "emergency",
	}
}

/// The policy URI of what an access rested on (`.../grant/7`).
pub fn policy(basis: &AccessBasis) -> String {
	match basis {
		AccessBasis::Enrolment => format!("{}/enrolment", sys::POLICY),
		AccessBasis::Grant(id) => format!("{}/grant/{id}", sys::POLICY),
		AccessBasis::Emergency(id) => format!("{}/emergency/{id}", sys::POLICY),
	}
}

/// The consent's action: opt-in.
fn opt_in() -> CodeableConcept {
	Coding::new(sys::ACT_CODE, "OPTIN", "opt-in").into()
}

/// The consent's scope: patient privacy.
fn privacy() -> CodeableConcept {
	Coding::new(sys::CONSENT_SCOPE, "patient-privacy", "Privacy Consent").into()
}

/// The consent's category (LOINC 59284-0, Patient Consent).
fn consent_category() -> Vec<CodeableConcept> {
	vec![Coding::new(sys::LOINC, "59284-0", "Patient Consent").into()]
}

/// A provision's actor: `reference` in the participation role `code`.
fn actor(code: &str, display: &str, reference: Reference) -> ProvisionActor {
	ProvisionActor { role: Coding::new(sys::PARTICIPATION, code, display).into(), reference }
}

/// Categories as codeable concepts.
fn codes_of(categories: &[DataCategory]) -> Vec<CodeableConcept> {
	categories.iter().map(|c| category(c).into()).collect()
}

/// What a per-request consent request asked: by whom, for what.
struct Asked<'a> {
	request_id: u64,
	hospital: &'a str,
	practitioner: &'a str,
	purpose: Purpose,
	categories: &'a [DataCategory],
}

/// A per-request Consent (`grant-<request>` active, `request-<request>` proposed): a
/// provision for the practitioner at the hospital, for the purpose and categories asked.
fn per_request(
	id: &HealthId,
	asked: &Asked,
	prefix: &str,
	status: &str,
	at: Moment,
	period: Option<Period>,
) -> Consent {
	Consent {
		id: format!("{prefix}-{}", asked.request_id),
		identifier: vec![super::model::Identifier::new(sys::REQUEST, asked.request_id.to_string())],
		status: status.into(),
		scope: privacy(),
		category: consent_category(),
		patient: patient(id),
		date_time: Some(instant(at)),
		policy_rule: opt_in(),
		provision: Provision {
			kind: Some("permit".into()),
			period,
			actor: vec![
				actor("IRCP", "information recipient", hospital(asked.hospital)),
				actor("PROV", "healthcare provider", practitioner(asked.practitioner)),
			],
			purpose: vec![purpose(asked.purpose)],
			code: codes_of(asked.categories),
			..Default::default()
		},
	}
}

/// The patient's consent state as `Consent` resources: the enrolment (active while
/// enrolled; a provision per source hospital, or one for every hospital; the sensitive
/// opt-in as a provision on restricted data), each live grant (`health_liveGrants`: a
/// time-bounded provision for a practitioner at a hospital, `active` because the chain says it
/// permits now) and each open request (`proposed`).
pub fn consents(
	id: &HealthId,
	state: Option<&ConsentAnswer>,
	grants: &[GrantAnswer],
	pending: &[RequestAnswer],
) -> Vec<Consent> {
	let mut out = Vec::new();
	if let Some(c) = state {
		let sources = match &c.sources {
			Sources::All => vec![Provision {
				kind: Some("permit".into()),
				actor: vec![actor(
					"CST",
					"custodian",
					Reference {
						display: Some("every participating hospital".into()),
						..Default::default()
					},
				)],
				..Default::default()
			}],
			Sources::Only(list) => list
				.iter()
				.map(|h| Provision {
					kind: Some("permit".into()),
					actor: vec![actor("CST", "custodian", hospital(h))],
					..Default::default()
				})
				.collect(),
		};
		let sensitive = Provision {
			kind: Some(if c.sensitive_opt_in { "permit" } else { "deny" }.into()),
			security_label: vec![Coding::new(sys::CONFIDENTIALITY, "R", "restricted")],
			code: codes_of(&[DataCategory::Sensitive]),
			..Default::default()
		};
		let end = (!c.enrolled).then(|| c.withdrawn_on.map(date)).flatten();
		out.push(Consent {
			id: format!("enrolment-{}", &hex::encode(id.0)[..32]),
			identifier: vec![],
			status: if c.enrolled { "active" } else { "inactive" }.into(),
			scope: privacy(),
			category: consent_category(),
			patient: patient(id),
			date_time: Some(date(c.enrolled_on)),
			policy_rule: opt_in(),
			provision: Provision {
				kind: Some("permit".into()),
				period: Some(Period { start: Some(date(c.enrolled_on)), end }),
				purpose: vec![purpose(Purpose::Treatment)],
				provision: sources.into_iter().chain([sensitive]).collect(),
				..Default::default()
			},
		});
	}
	for g in grants {
		let period =
			Period { start: Some(instant(g.granted_at)), end: Some(instant(g.expires_at)) };
		let asked = Asked {
			request_id: g.request_id,
			hospital: &g.hospital,
			practitioner: &g.practitioner,
			purpose: g.purpose,
			categories: &g.categories,
		};
		out.push(per_request(id, &asked, "grant", "active", g.granted_at, Some(period)));
	}
	for r in pending {
		let asked = Asked {
			request_id: r.id,
			hospital: &r.hospital,
			practitioner: &r.practitioner,
			purpose: r.purpose,
			categories: &r.categories,
		};
		out.push(per_request(id, &asked, "request", "proposed", r.created_at, None));
	}
	out
}

/// A verified access-log entry as an `AuditEvent` after IHE Basic Audit Log Patterns (a
/// RESTful read): who (the practitioner, requestor, and the hospital), what (the patient
/// and each record), why (treatment, or emergency treatment and break-the-glass), the
/// consent it rested on (`agent.policy`), and where it is recorded (the block and the log
/// head after the entry).
pub fn audit_event(id: &HealthId, logged: &LoggedAccess) -> AuditEvent {
	let e = &logged.entry;
	let (hosp, licence) = (
		healthchain_client::rpc::text(&e.hospital),
		healthchain_client::rpc::text(&e.practitioner),
	);
	let categories: Vec<String> = e.categories.iter().map(name).collect();
	let basis = match e.basis {
		AccessBasis::Enrolment => String::from("enrolment"),
		AccessBasis::Grant(n) => format!("grant {n}"),
		AccessBasis::Emergency(n) => format!("emergency {n}"),
	};
	let detail =
		|kind: &str, value: String| EntityDetail { kind: kind.into(), value_string: value };
	let mut entity = vec![AuditEntity {
		what: patient(id),
		kind: Coding::new(sys::AUDIT_ENTITY_TYPE, "1", "Person"),
		role: Coding::new(sys::OBJECT_ROLE, "1", "Patient"),
		detail: vec![
			detail("categories", categories.join(" ")),
			detail("basis", basis),
			detail("logIndex", logged.index.to_string()),
		],
	}];
	entity.extend(e.records.iter().map(|h| AuditEntity {
		what: Reference::logical("Bundle", sys::CONTENT_HASH, format!("{h:?}")),
		kind: Coding::new(sys::AUDIT_ENTITY_TYPE, "2", "System Object"),
		role: Coding::new(sys::OBJECT_ROLE, "4", "Domain Resource"),
		detail: vec![],
	}));
	AuditEvent {
		id: hash_id(&logged.head),
		kind: Coding::new(sys::AUDIT_EVENT_TYPE, "rest", "RESTful Operation"),
		subtype: vec![Coding::new(sys::RESTFUL_INTERACTION, "read", "read")],
		action: "R".into(),
		recorded: instant(e.at),
		outcome: "0".into(),
		purpose_of_event: purposes_of_use(e.purpose),
		agent: vec![
			AuditAgent {
				kind: Coding::new(sys::PARTICIPATION, "IRCP", "information recipient").into(),
				who: practitioner(&licence),
				requestor: true,
				policy: vec![policy(&e.basis)],
			},
			AuditAgent {
				kind: Coding::new(sys::ROLE_CLASS, "PROV", "healthcare provider").into(),
				who: hospital(&hosp),
				requestor: false,
				policy: vec![],
			},
		],
		source: AuditSource {
			site: format!("block {}", logged.block),
			observer: Reference {
				kind: Some("Device".into()),
				identifier: Some(super::model::Identifier::new(
					sys::LOG_HEAD,
					format!("{:?}", logged.head),
				)),
				display: Some(format!("HealthChain access log, entry {}", logged.index)),
				..Default::default()
			},
			kind: vec![Coding::new(sys::SECURITY_SOURCE_TYPE, "4", "Application Server")],
		},
		entity,
	}
}

/// The `Provenance` of a fetch: the records it returned, the practitioner for the hospital,
/// the consent it rested on and its attestation in the access log.
pub fn provenance(
	id: &HealthId,
	result: &FetchResult,
	practitioner_licence: &str,
	here: &str,
	purpose_of_use: Purpose,
	now: Moment,
) -> Provenance {
	let basis = basis_code(result.basis);
	Provenance {
		target: result
			.records
			.iter()
			.map(|r| Reference::literal(format!("Bundle/{}", hash_id(&r.content_hash))))
			.collect(),
		recorded: instant(now),
		policy: vec![format!("{}/{basis}", sys::POLICY)],
		reason: purposes_of_use(purpose_of_use),
		agent: vec![ProvenanceAgent {
			kind: Coding::new(sys::PROVENANCE_PARTICIPANT, "performer", "Performer").into(),
			who: practitioner(practitioner_licence),
			on_behalf_of: hospital(here),
		}],
		entity: vec![ProvenanceEntity {
			role: "source".into(),
			what: Reference {
				identifier: Some(super::model::Identifier::new(
					sys::ACCESS_LOG,
					format!("{}/{}", id.to_hex(), result.attestation),
				)),
				display: Some(format!(
					"attestation {} of the patient's access log, block {}",
					result.attestation, result.block
				)),
				..Default::default()
			},
		}],
	}
}

/// The HTTP status and FHIR issue type of a gateway error code.
pub fn status_of(code: i32) -> (u16, &'static str) {
	match code {
		codes::BAD_INPUT => (400, "invalid"),
		codes::UNAUTHENTICATED => (401, "login"),
		codes::FORBIDDEN | codes::FORBIDDEN_HOST => (403, "forbidden"),
		codes::DENIED | codes::REQUEST_REFUSED | codes::GRANT_EXPIRED | codes::NOT_SERVED => {
			(403, "forbidden")
		},
		codes::UNKNOWN_RECORD | codes::NO_RECORDS => (404, "not-found"),
		codes::ERASED | codes::NOT_LIVE => (410, "deleted"),
		codes::ANCHOR_REFUSED | codes::BAD_ATTESTATION | codes::UNKNOWN_PEER => {
			(422, "business-rule")
		},
		codes::RATE_LIMITED => (429, "throttled"),
		codes::REQUEST_TIMED_OUT => (503, "timeout"),
		codes::PEER_FAILED | codes::UNAVAILABLE => (503, "transient"),
		codes::INTEGRITY => (503, "exception"),
		_ => (500, "exception"),
	}
}

/// One issue for a gateway error: the FHIR issue type, the gateway code in `details`, the
/// message in `diagnostics`.
pub fn issue(severity: &str, e: &GatewayError) -> Issue {
	let (_, kind) = status_of(e.code);
	Issue {
		severity: severity.into(),
		code: kind.into(),
		details: Some(CodeableConcept {
			coding: vec![Coding::code(sys::ERROR_CODE, &e.code.to_string())],
			text: Some(e.message.clone()),
		}),
		diagnostics: Some(e.message.clone()),
	}
}

/// A gateway error as an `OperationOutcome`, with its HTTP status.
pub fn outcome(e: &GatewayError) -> (u16, OperationOutcome) {
	(status_of(e.code).0, OperationOutcome { issue: vec![issue("error", e)] })
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::http::fhir::model::Resource;

	#[test]
	fn every_gateway_code_has_a_fhir_status() {
		let all = [
			(codes::BAD_INPUT, 400),
			(codes::UNAUTHENTICATED, 401),
			(codes::FORBIDDEN, 403),
			(codes::FORBIDDEN_HOST, 403),
			(codes::RATE_LIMITED, 429),
			(codes::DENIED, 403),
			(codes::REQUEST_REFUSED, 403),
			(codes::REQUEST_TIMED_OUT, 503),
			(codes::GRANT_EXPIRED, 403),
			(codes::ANCHOR_REFUSED, 422),
			(codes::UNKNOWN_PEER, 422),
			(codes::PEER_FAILED, 503),
			(codes::BAD_ATTESTATION, 422),
			(codes::NOT_SERVED, 403),
			(codes::ERASED, 410),
			(codes::NOT_LIVE, 410),
			(codes::UNKNOWN_RECORD, 404),
			(codes::INTEGRITY, 503),
			(codes::NO_RECORDS, 404),
			(codes::UNAVAILABLE, 503),
		];
		for (code, status) in all {
			assert_eq!(status_of(code).0, status, "code {code}");
		}
		assert_eq!(status_of(1234).0, 500);
		let (status, outcome) =
			outcome(&crate::error::err(codes::DENIED, "access denied: withdrawn"));
		assert_eq!(status, 403);
		let v = serde_json::to_value(Resource::OperationOutcome(outcome)).unwrap();
		assert_eq!(v["resourceType"], "OperationOutcome");
		assert_eq!(v["issue"][0]["code"], "forbidden");
		assert_eq!(v["issue"][0]["details"]["coding"][0]["code"], "4010");
		assert_eq!(v["issue"][0]["diagnostics"], "access denied: withdrawn");
	}

	#[test]
	fn times_and_days_are_fhir_instants_and_dates() {
		assert_eq!(instant(0), "1970-01-01T00:00:00.000Z");
		assert_eq!(instant(1_795_000_000_123), "2026-11-18T11:06:40.123Z");
		assert_eq!(date(0), "1970-01-01");
		assert_eq!(date(20_415), "2025-11-23");
	}

	#[test]
	fn the_consent_state_maps_to_consents_without_empty_elements() {
		let id = HealthId([7; 32]);
		let state = ConsentAnswer {
			health_id: id,
			enrolled: false,
			sources: Sources::Only(vec!["H0001".into(), "H0002".into()]),
			sensitive_opt_in: true,
			enrolled_on: 20_000,
			sources_changed_on: None,
			withdrawn_on: Some(20_010),
			today: 20_010,
			can_change_sources_today: true,
			can_enrol_today: false,
		};
		let grant = GrantAnswer {
			hospital: "H0002".into(),
			practitioner: "MD10002".into(),
			request_id: 4,
			categories: vec![DataCategory::Allergy],
			purpose: Purpose::Treatment,
			granted_at: 1_000,
			expires_at: 2_000,
		};
		let consents = consents(&id, Some(&state), &[grant], &[]);
		assert_eq!(consents.len(), 2);
		let enrolment = serde_json::to_value(Resource::Consent(consents[0].clone())).unwrap();
		assert_eq!(enrolment["status"], "inactive");
		assert_eq!(enrolment["provision"]["period"]["end"], date(20_010));
		let nested = enrolment["provision"]["provision"].as_array().unwrap();
		assert_eq!(nested.len(), 3, "two sources and the sensitive opt-in");
		assert_eq!(nested[1]["actor"][0]["reference"]["identifier"]["value"], "H0002");
		assert_eq!(nested[2]["type"], "permit");
		let grant = serde_json::to_value(Resource::Consent(consents[1].clone())).unwrap();
		assert_eq!(grant["id"], "grant-4");
		assert_eq!(grant["provision"]["period"]["end"], instant(2_000));
		assert_eq!(grant["provision"]["code"][0]["coding"][0]["code"], "allergy");
		for text in [enrolment.to_string(), grant.to_string()] {
			assert!(!text.contains("null") && !text.contains("[]"), "{text}");
		}
	}
}
