//! `POST /fhir/Bundle`: the put path. The patient is the Bundle's `Patient` entry's health ID
//! identifier (or `?patient=`), the category its `meta.tag` of the category system (or
//! `?category=`); the answer is the Bundle as stored, its id the content hash.

use super::{
	map,
	model::{self, systems as sys, EntryResource},
	request::{health_id, word, Reply, Request},
};
use crate::{
	chain::clock::now_ms,
	error::{bad, GatewayError},
	flows::Gateway,
	wire::PutRequest,
};
use healthchain_primitives::DataCategory;
use http::header;
use serde_json::{json, Value as Json};
use sp_core::H256;

/// The one value a Bundle names (repeats of the same value count once), or a bad-input error:
/// `missing()` when it names none, `several` when it names more than one.
fn exactly_one<T: PartialEq + Copy>(
	mut values: Vec<T>,
	missing: impl FnOnce() -> String,
	several: &str,
) -> Result<T, GatewayError> {
	values.dedup();
	match values.as_slice() {
		[one] => Ok(*one),
		[] => Err(bad(missing())),
		_ => Err(bad(several)),
	}
}

/// `POST /fhir/Bundle`: the put path. The patient is the Bundle's `Patient` entry's health
/// ID identifier (or `?patient=`), the category its `meta.tag` of the category system (or
/// `?category=`); `?supersedes=` names the record it replaces.
pub async fn create_bundle(
	gw: &Gateway,
	req: &Request,
	body: &[u8],
) -> Result<Reply, GatewayError> {
	let caller = req.caller()?;
	let [patient_param, category_param, supersedes] =
		<[Option<String>; 3]>::try_from(req.params(&["patient", "category", "supersedes"])?)
			.map_err(|_| bad("parameters"))?;
	let mut bundle: Json =
		serde_json::from_slice(body).map_err(|e| bad(format!("the body is not JSON: {e}")))?;
	let incoming: model::IncomingBundle = serde_json::from_value(bundle.clone())
		.map_err(|e| bad(format!("the body is not a FHIR resource: {e}")))?;
	if incoming.resource_type != "Bundle" {
		return Err(bad(format!("expected a Bundle, got a {}", incoming.resource_type)));
	}
	let ids = incoming
		.entry
		.iter()
		.filter_map(|e| e.resource.as_ref())
		.filter(|r| r.resource_type == "Patient")
		.flat_map(|r| &r.identifier)
		.filter(|i| i.system.as_deref() == Some(sys::HEALTH_ID))
		.filter_map(|i| i.value.clone())
		.chain(patient_param)
		.map(|v| health_id("patient", &v))
		.collect::<Result<Vec<_>, _>>()?;
	let health_id = exactly_one(
		ids,
		|| {
			format!(
				"no patient: add a Patient entry with an identifier of system {} (or ?patient=)",
				sys::HEALTH_ID
			)
		},
		"the Bundle names more than one patient",
	)?;
	let categories = incoming
		.meta
		.iter()
		.flat_map(|m| &m.tag)
		.filter(|t| t.system.as_deref() == Some(sys::CATEGORY))
		.filter_map(|t| t.code.clone())
		.chain(category_param)
		.map(|c| word::<DataCategory>("category", &c))
		.collect::<Result<Vec<_>, _>>()?;
	let category = exactly_one(
		categories,
		|| format!("no category: add a meta.tag of system {} (or ?category=)", sys::CATEGORY),
		"the Bundle has more than one category",
	)?;
	let supersedes = supersedes
		.map(|s| s.parse::<H256>().map_err(|e| bad(format!("supersedes: {e}"))))
		.transpose()?;
	let put = PutRequest { health_id, category, bundle: bundle.clone(), supersedes };
	let done = gw.put(caller, put).await?;
	// The answer: the Bundle as stored, its id the content hash, the anchor in meta.
	let id = map::hash_id(&done.content_hash);
	let anchor = model::Extension {
		url: sys::ANCHOR.into(),
		extension: vec![
			model::Extension {
				url: "block".into(),
				value_unsigned_int: Some(done.block),
				..Default::default()
			},
			model::Extension {
				url: "index".into(),
				value_unsigned_int: Some(done.index),
				..Default::default()
			},
		],
		..Default::default()
	};
	if let Some(obj) = bundle.as_object_mut() {
		obj.insert("id".into(), Json::String(id.clone()));
		let meta = obj.entry("meta").or_insert_with(|| json!({}));
		if let Some(meta) = meta.as_object_mut() {
			meta.insert("versionId".into(), Json::String("1".into()));
			meta.insert("lastUpdated".into(), Json::String(map::instant(now_ms())));
			let ext = meta.entry("extension").or_insert_with(|| json!([]));
			if let Some(list) = ext.as_array_mut() {
				list.push(serde_json::to_value(&anchor).map_err(|e| bad(e.to_string()))?);
			}
		}
	}
	let location = format!("{}/Bundle/{id}/_history/1", req.base);
	Ok(Reply {
		status: 201,
		body: EntryResource::Stored(bundle),
		headers: vec![(header::LOCATION, location), (header::ETAG, "W/\"1\"".into())],
	})
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn a_bundle_names_exactly_one_patient_or_category() {
		let one = |values: Vec<u8>| exactly_one(values, || "none".into(), "several");
		assert_eq!(one(vec![7]).map_err(|e| e.message), Ok(7));
		assert_eq!(one(vec![7, 7]).map_err(|e| e.message), Ok(7), "a repeat counts once");
		let none = one(vec![]).unwrap_err();
		assert_eq!((none.code, none.message.as_str()), (crate::error::codes::BAD_INPUT, "none"));
		assert_eq!(one(vec![7, 8]).unwrap_err().message, "several");
		assert_eq!(one(vec![7, 8, 7]).unwrap_err().message, "several");
	}
}
