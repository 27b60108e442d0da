//! The `CapabilityStatement` (`GET /fhir/metadata`): exactly what the facade serves.

use super::{
	map,
	model::{
		self, systems as sys, CapabilityStatement, Coding, Implementation, Interaction, Operation,
		Rest, RestResource, RestSecurity, SearchParam, Software, FHIR_JSON,
	},
};
use crate::chain::clock::now_ms;

/// The `CapabilityStatement`: exactly what the facade serves.
pub fn capabilities(base: &str) -> CapabilityStatement {
	let param = |name: &str, kind: &str, doc: &str| SearchParam {
		name: name.into(),
		kind: kind.into(),
		documentation: doc.into(),
	};
	let interaction =
		|code: &str, doc: &str| Interaction { code: code.into(), documentation: doc.into() };
	CapabilityStatement {
		status: "active".into(),
		date: map::instant(now_ms()),
		kind: "instance".into(),
		software: Software {
			name: "healthchain-gateway".into(),
			version: env!("CARGO_PKG_VERSION").into(),
		},
		implementation: Implementation {
			description: "HealthChain hospital gateway: encrypted records under on-chain consent"
				.into(),
			url: base.into(),
		},
		fhir_version: model::FHIR_VERSION.into(),
		format: vec![FHIR_JSON.into(), "json".into()],
		rest: vec![Rest {
			mode: "server".into(),
			security: RestSecurity {
				service: vec![Coding::new(
					"http://terminology.hl7.org/CodeSystem/restful-security-service",
					"OAuth",
					"OAuth",
				)
				.into()],
				description: "Bearer tokens (JWT) of the hospital's identity provider; scopes \
				              records.write (Bundle create), records.read (Patient $everything, \
				              with the licence claim; records.emergency for an emergency), \
				              consent.read (Consent), audit.read (AuditEvent)."
					.into(),
			},
			resource: vec![
				RestResource {
					kind: "Bundle".into(),
					documentation: Some(
						"A clinical record: encrypted, stored at this hospital and anchored on \
						 chain by its content hash (the id). The patient is a Patient entry's \
						 health-ID identifier, the category a meta.tag."
							.into(),
					),
					interaction: vec![interaction(
						"create",
						"the put path; 201 once the anchor is final",
					)],
					search_param: vec![],
					operation: vec![],
				},
				RestResource {
					kind: "Patient".into(),
					documentation: Some("Patients by health ID (0x-prefixed hex).".into()),
					interaction: vec![],
					search_param: vec![],
					operation: vec![Operation {
						name: "everything".into(),
						definition: sys::EVERYTHING.into(),
						documentation: "The records the practitioner may see under the consent \
						                on chain, attested first; parameters category, purpose, \
						                reason, wait, _offset."
							.into(),
					}],
				},
				RestResource {
					kind: "Consent".into(),
					documentation: Some("The patient's consent state on chain.".into()),
					interaction: vec![interaction("search-type", "by patient")],
					search_param: vec![param("patient", "reference", "health ID (required)")],
					operation: vec![],
				},
				RestResource {
					kind: "AuditEvent".into(),
					documentation: Some(
						"The patient's verified access log, newest first (IHE BALP read).".into(),
					),
					interaction: vec![interaction("search-type", "by patient, paged")],
					search_param: vec![
						param("patient", "reference", "health ID (required)"),
						param("_count", "number", "entries a page, 1 to 100 (default 20)"),
					],
					operation: vec![],
				},
			],
		}],
	}
}
