//! Chain specs whose genesis holds many registered and enrolled patients, built by the
//! runtime's own genesis builder in chunks: the million-patient phase of `healthchain-bench`,
//! `scripts/weights storage`, and the short test of the same in `tests/dev_node.rs`.

use crate::{node_binary, tail};
use healthchain_primitives::{DocumentKind, HealthId};
use serde::Deserialize;
use serde_json::{json, Value};
use std::{
	collections::{btree_map::Entry, BTreeMap},
	io::Write,
	path::{Path, PathBuf},
	process::Command,
	time::Instant,
};
use subxt::utils::AccountId32;

/// Genesis patients per run of the runtime's genesis builder: a chunk's JSON and its state
/// fit the builder's wasm heap (one patch of a million entries does not).
pub const GENESIS_CHUNK: usize = 50_000;

/// BLAKE2b-256 of `tag` followed by `i` (little endian).
fn tagged_hash(tag: &[u8], i: u64) -> [u8; 32] {
	let mut data = tag.to_vec();
	data.extend_from_slice(&i.to_le_bytes());
	sp_crypto_hashing::blake2_256(&data)
}

/// The health ID of genesis patient `i` of [`spec_with_patients`].
pub fn genesis_patient(i: u64) -> HealthId {
	HealthId(tagged_hash(b"bench-million", i))
}

/// The controller key (account) of genesis patient `i` of [`spec_with_patients`].
pub fn genesis_patient_key(i: u64) -> AccountId32 {
	AccountId32(tagged_hash(b"bench-million-key", i))
}

/// Genesis patient `i`'s entry in `healthIds.healthIds`: the health-id pallet's
/// `GenesisHealthId`, `[health ID, document kind, controller, registrar]`, in serde's forms
/// (`0x` hex, camelCase, `{"Key": SS58 account}`, the registrar as the preset writes it).
fn genesis_health_id(i: u64, registrar: &Value) -> Value {
	json!([
		genesis_patient(i),
		DocumentKind::ThaiCitizenId,
		{ "Key": genesis_patient_key(i).to_string() },
		registrar
	])
}

/// Genesis patient `i`'s entry in `consent.enrolments`: its health ID (the consent pallet
/// enrols genesis patients with every hospital as a source).
fn genesis_enrolment(i: u64) -> Value {
	json!(genesis_patient(i))
}

/// Runs `healthchain-node build-spec` with `args` (no default bootnode, a base path under
/// `dir`); returns what it prints: the chain spec.
fn build_spec(dir: &Path, args: &[&str]) -> Vec<u8> {
	let out = Command::new(node_binary())
		.arg("build-spec")
		.args(args)
		.arg("--disable-default-bootnode")
		.arg("--base-path")
		.arg(dir.join("build-spec"))
		.output()
		.expect("the node binary runs");
	assert!(
		out.status.success(),
		"build-spec {args:?} failed: {}",
		tail(&String::from_utf8_lossy(&out.stderr), 20)
	);
	out.stdout
}

/// A raw chain spec's storage, `genesis.raw.top` (the rest left out).
#[derive(Deserialize)]
struct RawSpec {
	genesis: RawGenesis,
}

/// `genesis` of a raw chain spec.
#[derive(Deserialize)]
struct RawGenesis {
	raw: RawStorage,
}

/// `genesis.raw` of a raw chain spec: hex keys to hex values.
#[derive(Deserialize)]
struct RawStorage {
	top: BTreeMap<String, String>,
}

/// What stands for the merged storage in the merged spec's template until it is written.
const TOP_PLACEHOLDER: &str = "bench-merged-top";

/// Builds, in `dir`, the raw chain spec of the development chain with `n` more patients in
/// genesis (health IDs [`genesis_patient`], Thai citizen IDs, controlled by [`genesis_patient_key`],
/// registered by the preset's registrar in `healthIds.healthIds`, enrolled in
/// `consent.enrolments`, which enrols with every hospital as a source). The
/// runtime's own genesis builder (`build-spec --raw`) builds chunks of `chunk`
/// patients ([`GENESIS_CHUNK`] fits its wasm heap) (each over the preset's own genesis), and their storage is merged. Returns the
/// spec's path and its number of storage keys. Panics on a storage key two chunks give
/// different values: an aggregate (a counter, a list) that chunks cannot be merged for.
pub fn spec_with_patients(dir: &Path, n: usize, chunk: usize) -> (PathBuf, usize) {
	let plain: Value = serde_json::from_slice(&build_spec(dir, &["--chain", "dev"]))
		.expect("build-spec prints a JSON chain spec");
	let genesis = &plain["genesis"]["runtimeGenesis"];
	let field = ["patch", "config"]
		.into_iter()
		.find(|f| genesis.get(*f).is_some())
		.expect("the development chain spec has genesis.runtimeGenesis.patch (or .config)");
	let preset = &genesis[field];
	let preset_ids = preset["healthIds"]["healthIds"].as_array().cloned().unwrap_or_default();
	let preset_enrolments = preset["consent"]["enrolments"].as_array().cloned().unwrap_or_default();
	let registrar = preset_ids
		.first()
		.and_then(|entry| entry.get(3))
		.cloned()
		.expect("the development preset registers health IDs, each with its registrar");
	assert!(
		preset_ids.iter().any(|entry| entry.get(2).and_then(|c| c.get("Key")).is_some()),
		"the preset's controllers are written {{\"Key\": account}}, as the new patients' are: \
		 {preset_ids:?}"
	);

	let chunks = n.div_ceil(chunk);
	let mut top: BTreeMap<String, String> = BTreeMap::new();
	let mut template: Option<Value> = None;
	for k in 0..chunks {
		let started = Instant::now();
		let range = (k * chunk) as u64..((k + 1) * chunk).min(n) as u64;
		let mut spec = plain.clone();
		let patch = &mut spec["genesis"]["runtimeGenesis"][field];
		patch["healthIds"]["healthIds"] = Value::Array(
			preset_ids
				.iter()
				.cloned()
				.chain(range.clone().map(|i| genesis_health_id(i, &registrar)))
				.collect(),
		);
		patch["consent"]["enrolments"] = Value::Array(
			preset_enrolments.iter().cloned().chain(range.map(genesis_enrolment)).collect(),
		);
		let path = dir.join(format!("chunk-{k}.json"));
		std::fs::write(&path, serde_json::to_vec(&spec).expect("the chunk's spec serialises"))
			.expect("the chunk's spec is written");
		drop(spec);
		let raw =
			build_spec(dir, &["--chain", path.to_str().expect("a UTF-8 temporary path"), "--raw"]);
		let _ = std::fs::remove_file(&path);
		let storage: RawSpec =
			serde_json::from_slice(&raw).expect("build-spec --raw prints genesis.raw.top");
		for (key, value) in storage.genesis.raw.top {
			match top.entry(key) {
				Entry::Vacant(slot) => {
					slot.insert(value);
				},
				Entry::Occupied(slot) => assert!(
					*slot.get() == value,
					"genesis chunk {k} gives storage key {} a value other than an earlier \
					 chunk's ({} bytes, earlier {} bytes): an aggregate the chunks cannot be \
					 merged for",
					slot.key(),
					value.len() / 2,
					slot.get().len() / 2
				),
			}
		}
		if template.is_none() {
			let mut first: Value =
				serde_json::from_slice(&raw).expect("build-spec --raw prints a JSON chain spec");
			first["genesis"]["raw"]["top"] = Value::String(TOP_PLACEHOLDER.into());
			template = Some(first);
		}
		eprintln!(
			"  genesis chunk {}/{chunks}: {} storage keys so far ({:.0} s)",
			k + 1,
			top.len(),
			started.elapsed().as_secs_f64()
		);
	}
	let path = dir.join("patients.json");
	write_raw_spec(&template.expect("at least one chunk"), &top, &path);
	(path, top.len())
}

/// Writes the raw chain spec `template` (whose `genesis.raw.top` is [`TOP_PLACEHOLDER`]) to
/// `path` with `top` as its storage, streamed rather than built as one JSON value in memory.
fn write_raw_spec(template: &Value, top: &BTreeMap<String, String>, path: &Path) {
	let text = serde_json::to_string(template).expect("the spec serialises");
	let (head, rest) = text
		.split_once(&format!("\"{TOP_PLACEHOLDER}\""))
		.expect("the template holds the placeholder");
	let write = || -> std::io::Result<()> {
		let mut w = std::io::BufWriter::new(std::fs::File::create(path)?);
		w.write_all(head.as_bytes())?;
		w.write_all(b"{")?;
		for (i, (key, value)) in top.iter().enumerate() {
			if i > 0 {
				w.write_all(b",")?;
			}
			serde_json::to_writer(&mut w, key)?;
			w.write_all(b":")?;
			serde_json::to_writer(&mut w, value)?;
		}
		w.write_all(b"}")?;
		w.write_all(rest.as_bytes())?;
		w.flush()
	};
	write().expect("the merged chain spec is written");
}
