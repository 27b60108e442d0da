//! The FHIR reads: `GET /fhir/Patient/{healthId}/$everything` (the fetch path), `Consent`
//! (the consent state on chain) and `AuditEvent` (the verified access log), each a
//! `searchset` Bundle.

use super::{
	map,
	model::{
		systems as sys, Bundle, BundleEntry, BundleLink, Coding, EntryResource, EntrySearch, Meta,
		OperationOutcome, Resource,
	},
	request::{health_id, word, Reply, Request},
};
use crate::{
	chain::clock::now_ms,
	error::{bad, err, GatewayError},
	flows::{caller::scopes, Gateway},
	wire::{EmergencyReason, FetchRequest},
};
use healthchain_primitives::{DataCategory, Purpose};
use serde_json::{json, Value as Json};
use sp_core::H256;

/// A search-set entry of a resource the facade made.
fn entry(resource: Resource, full_url: Option<String>, mode: &str) -> BundleEntry {
	BundleEntry {
		full_url,
		resource: EntryResource::Made(Box::new(resource)),
		search: Some(EntrySearch { mode: mode.into() }),
	}
}

/// A `searchset` Bundle with a `self` link (and `next`, when there is more).
fn searchset(
	meta: Option<Meta>,
	total: Option<u64>,
	self_url: String,
	next: Option<String>,
	entry: Vec<BundleEntry>,
) -> Resource {
	let mut link = vec![BundleLink { relation: "self".into(), url: self_url }];
	link.extend(next.map(|url| BundleLink { relation: "next".into(), url }));
	Resource::Bundle(Bundle {
		meta,
		kind: "searchset".into(),
		timestamp: Some(map::instant(now_ms())),
		total,
		link,
		entry,
	})
}

/// The request's own URL, for `self` links.
fn self_url(req: &Request) -> String {
	let path = req.segments.join("/");
	if req.query.is_empty() {
		return format!("{}/{path}", req.base);
	}
	let query = form_urlencoded::Serializer::new(String::new()).extend_pairs(&req.query).finish();
	format!("{}/{path}?{query}", req.base)
}

/// `GET /fhir/Patient/{healthId}/$everything`: the fetch path (`gateway_fetch`), for the
/// practitioner of the token. Parameters: `category` (comma-separated; default every
/// category but `sensitive`), `purpose` (`treatment` or `emergency`), `reason` (for an
/// emergency), `wait` (seconds for a per-request answer), `_offset` (the next page).
pub async fn everything(gw: &Gateway, req: &Request, id: &str) -> Result<Reply, GatewayError> {
	let caller = req.caller()?;
	let health_id = health_id("the patient in the path", id)?;
	let [categories, purpose, reason, wait, offset] = <[Option<String>; 5]>::try_from(
		req.params(&["category", "purpose", "reason", "wait", "_offset"])?,
	)
	.map_err(|_| bad("parameters"))?;
	let categories = categories
		.map(|list| list.split(',').map(|c| word::<DataCategory>("category", c.trim())).collect())
		.transpose()?;
	let purpose = purpose.map(|p| word::<Purpose>("purpose", &p)).transpose()?;
	let emergency_reason = reason.map(|r| word::<EmergencyReason>("reason", &r)).transpose()?;
	let number = |what: &str, v: String| {
		v.parse::<u32>().map_err(|_| bad(format!("{what}: not a number: {v:?}")))
	};
	let wait_secs = wait.map(|w| number("wait", w).map(u64::from)).transpose()?;
	let offset = offset.map(|o| number("_offset", o)).transpose()?;
	let fetch = FetchRequest {
		health_id,
		categories,
		purpose,
		emergency_reason,
		grant_for_ms: None,
		wait_secs,
		offset,
	};
	let used = purpose.unwrap_or(Purpose::Treatment);
	let result = gw.fetch(caller, fetch).await?;
	let licence = caller.licence()?.to_string();

	let mut entries: Vec<BundleEntry> = result
		.records
		.iter()
		.map(|r| {
			let id = map::hash_id(&r.content_hash);
			let mut stored = r.bundle.clone();
			if let Some(obj) = stored.as_object_mut() {
				obj.insert("id".into(), Json::String(id.clone()));
				let meta = obj.entry("meta").or_insert_with(|| json!({}));
				if let Some(meta) = meta.as_object_mut() {
					meta.insert(
						"source".into(),
						Json::String(format!("{}|{}", sys::HOSPITAL, r.source)),
					);
				}
			}
			BundleEntry {
				full_url: Some(format!("{}/Bundle/{id}", req.base)),
				resource: EntryResource::Stored(stored),
				search: Some(EntrySearch { mode: "match".into() }),
			}
		})
		.collect();
	let provenance = map::provenance(&health_id, &result, &licence, gw.hospital(), used, now_ms());
	entries.push(entry(Resource::Provenance(provenance), None, "include"));
	if !result.unavailable.is_empty() {
		let issues = result
			.unavailable
			.iter()
			.map(|u| {
				let hashes: Vec<String> = u.records.iter().map(|h| format!("{h:?}")).collect();
				let message =
					format!("{} (records at {}: {})", u.reason, u.source, hashes.join(", "));
				map::issue("warning", &err(u.code, message))
			})
			.collect();
		entries.push(entry(
			Resource::OperationOutcome(OperationOutcome { issue: issues }),
			None,
			"outcome",
		));
	}
	let basis = map::basis_code(result.basis);
	let mut security: Vec<Coding> =
		map::purposes_of_use(used).into_iter().flat_map(|c| c.coding).collect();
	security.push(Coding::code(sys::CONSENT_BASIS, basis));
	let next = result.next_offset.map(|n| {
		let mut query: Vec<(String, String)> =
			req.query.iter().filter(|(k, _)| k != "_offset").cloned().collect();
		query.push(("_offset".into(), n.to_string()));
		let query = form_urlencoded::Serializer::new(String::new()).extend_pairs(&query).finish();
		format!("{}/Patient/{}/$everything?{query}", req.base, health_id.to_hex())
	});
	Ok(Reply::ok(searchset(
		Some(Meta { security, tag: vec![] }),
		None,
		self_url(req),
		next,
		entries,
	)))
}

/// `GET /fhir/Consent?patient=`: the patient's consent state on chain (best block).
pub async fn consent_search(gw: &Gateway, req: &Request) -> Result<Reply, GatewayError> {
	req.caller()?.require(scopes::CONSENT_READ)?;
	let [patient] = <[Option<String>; 1]>::try_from(req.params(&["patient"])?)
		.map_err(|_| bad("parameters"))?;
	let patient = patient.ok_or_else(|| bad("the patient parameter is required"))?;
	let id = health_id("patient", patient.trim_start_matches("Patient/"))?;
	let state = gw.node.consent(id).await?;
	let grants = gw.node.live_grants(id).await?;
	let pending = gw.node.pending_requests(id).await?;
	let consents = map::consents(&id, state.as_ref(), &grants, &pending);
	let total = consents.len() as u64;
	let entries = consents
		.into_iter()
		.map(|c| {
			let url = format!("{}/Consent/{}", req.base, c.id);
			entry(Resource::Consent(c), Some(url), "match")
		})
		.collect();
	Ok(Reply::ok(searchset(None, Some(total), self_url(req), None, entries)))
}

/// The largest `_count` of an `AuditEvent` page (the node's page limit).
const MAX_AUDIT_PAGE: u32 = 100;

/// `GET /fhir/AuditEvent?patient=`: the patient's access log (finalized, hash chain
/// verified), newest first; `_count` entries a page (default 20), `next` carrying the
/// log cursor.
pub async fn audit_search(gw: &Gateway, req: &Request) -> Result<Reply, GatewayError> {
	req.caller()?.require(scopes::AUDIT_READ)?;
	let [patient, count, cursor] =
		<[Option<String>; 3]>::try_from(req.params(&["patient", "_count", "_cursor"])?)
			.map_err(|_| bad("parameters"))?;
	let patient = patient.ok_or_else(|| bad("the patient parameter is required"))?;
	let id = health_id("patient", patient.trim_start_matches("Patient/"))?;
	let count = match count {
		None => 20,
		Some(c) => c
			.parse::<u32>()
			.ok()
			.filter(|n| (1..=MAX_AUDIT_PAGE).contains(n))
			.ok_or_else(|| bad(format!("_count: 1 to {MAX_AUDIT_PAGE}, got {c:?}")))?,
	};
	let cursor =
		cursor.map(|c| c.parse::<H256>().map_err(|e| bad(format!("_cursor: {e}")))).transpose()?;
	let page = gw.node.access_page(id, cursor, count).await?;
	let entries = page
		.entries
		.iter()
		.map(|logged| {
			let event = map::audit_event(&id, logged);
			let url = format!("{}/AuditEvent/{}", req.base, event.id);
			entry(Resource::AuditEvent(event), Some(url), "match")
		})
		.collect();
	let next = page.next_cursor.map(|c| {
		format!("{}/AuditEvent?patient={}&_count={count}&_cursor={c:?}", req.base, id.to_hex())
	});
	Ok(Reply::ok(searchset(None, Some(page.count), self_url(req), next, entries)))
}
