//! `healthchain-node production-spec`: a production network's chain spec from the operators'
//! own keys.
//!
//! The operators list their council accounts, the validators' session keys and peer ids, the
//! authorised nodes, the first registrars, the licensing authority and the first hospitals in
//! one TOML file (`docs/network.example.toml` documents every field). The command checks it
//! and writes a raw chain spec: chain type `Live`, no sudo, no demo participants, genesis
//! built by the runtime's one genesis builder (`genesis_config_presets::network_genesis`).
//!
//! It refuses, listing every problem at once: development keys (`//Alice` and the other
//! well-known seeds, sr25519 or ed25519, stash or not) anywhere; the demo networks' well-known
//! node keys; a council of fewer than three; a lookup secret in the file (the network's lookup
//! secret goes to registrars and gateways, never into a chain spec); malformed accounts, keys,
//! peer ids, codes and names, and references to hospitals the file does not list.

use healthchain_primitives::ConsentPolicy;
use healthchain_runtime::{
	genesis_config_presets::{network_genesis, Network, LOCAL_TESTNET_PEER_IDS},
	AccountId, SessionKeys,
};
use pallet_participants::RegistrarKind;
use sc_network::config::MultiaddrWithPeerId;
use serde::Deserialize;
use sp_core::{
	crypto::{Ss58Codec, UncheckedFrom},
	ed25519, sr25519, OpaquePeerId,
};
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};
use std::{collections::BTreeSet, path::PathBuf, str::FromStr};

/// `healthchain-node production-spec`: check a network file and write its raw chain spec.
#[derive(Debug, clap::Parser)]
pub struct ProductionSpecCmd {
	/// The network file (TOML; see docs/network.example.toml).
	pub file: PathBuf,
	/// Where to write the chain spec (standard output when not given).
	#[arg(long)]
	pub out: Option<PathBuf>,
	/// Write the human-readable genesis (for review) instead of the raw storage.
	#[arg(long)]
	pub plain: bool,
}

/// The network file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkFile {
	/// The network's name, shown by explorers.
	pub name: String,
	/// The chain id (lowercase, no spaces); nodes keep their data under it.
	pub id: String,
	/// Boot nodes: multiaddresses ending in `/p2p/<peer id>`.
	#[serde(default)]
	pub boot_nodes: Vec<String>,
	/// The operators' council: SS58 accounts, at least three.
	pub operators: Vec<String>,
	/// The validators.
	pub validators: Vec<ValidatorEntry>,
	/// Further authorised nodes (full nodes, the gateways' nodes).
	#[serde(default)]
	pub nodes: Vec<NodeEntry>,
	/// The licensing authority's account.
	pub licensing_authority: String,
	/// The first registrars.
	#[serde(default)]
	pub registrars: Vec<RegistrarEntry>,
	/// The first hospitals.
	#[serde(default)]
	pub hospitals: Vec<HospitalEntry>,
	/// The first practitioners.
	#[serde(default)]
	pub practitioners: Vec<PractitionerEntry>,
}

/// A validator.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValidatorEntry {
	/// Its account (SS58).
	pub account: String,
	/// Its Aura key: sr25519 public key, SS58 or 0x hex.
	pub aura: String,
	/// Its GRANDPA key: ed25519 public key, SS58 or 0x hex.
	pub grandpa: String,
	/// Its node's libp2p peer id (authorised, owned by `account`).
	pub peer_id: String,
}

/// An authorised node that does not validate.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeEntry {
	/// The node's libp2p peer id.
	pub peer_id: String,
	/// The account that owns it (SS58).
	pub owner: String,
}

/// A registrar.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistrarEntry {
	/// Its account (SS58).
	pub account: String,
	/// `bank-branch`, `hospital-service-point` or `other`.
	pub kind: String,
	/// For a hospital service point: the hospital's code.
	#[serde(default)]
	pub hospital: Option<String>,
	/// Its name.
	pub name: String,
}

/// A hospital.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HospitalEntry {
	/// Its code (1 to 16 characters).
	pub code: String,
	/// Its name.
	pub name: String,
	/// `one-time` or `per-request` consent.
	pub policy: String,
	/// Its gateways' accounts (SS58).
	#[serde(default)]
	pub gateways: Vec<String>,
}

/// A practitioner.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PractitionerEntry {
	/// The licence number.
	pub licence: String,
	/// Codes of the hospitals they work at (listed in this file).
	pub affiliations: Vec<String>,
	/// Whether they accepted the exchange's terms.
	#[serde(default)]
	pub terms_accepted: bool,
}

/// The development keys: the well-known seeds' sr25519 and ed25519 public keys, by URI.
fn development_keys() -> Vec<([u8; 32], String)> {
	let sr = Sr25519Keyring::iter().map(|k| (k.public().0, format!("{} (sr25519)", k.to_seed())));
	let ed = Ed25519Keyring::iter().map(|k| (k.public().0, format!("{} (ed25519)", k.to_seed())));
	sr.chain(ed).collect()
}

/// Collects every problem of a network file.
struct Check {
	problems: Vec<String>,
	development: Vec<([u8; 32], String)>,
}

impl Check {
	fn problem(&mut self, p: String) {
		self.problems.push(p);
	}

	fn not_development(&mut self, what: &str, key: [u8; 32]) {
		if let Some((_, name)) = self.development.iter().find(|(k, _)| *k == key) {
			let p = format!("{what} is the development key {name}: generate a key of your own");
			self.problem(p);
		}
	}

	/// A 32-byte public key or account, SS58 or `0x` hex, that is not a development key.
	fn key<K: Ss58Codec + AsRef<[u8]>>(
		&mut self,
		what: &str,
		text: &str,
		kind: &str,
		from_bytes: fn([u8; 32]) -> K,
	) -> Option<K> {
		let parsed = K::from_ss58check(text.trim()).ok().or_else(|| hex32(text).map(from_bytes));
		match parsed {
			Some(key) => {
				if let Ok(bytes) = <[u8; 32]>::try_from(key.as_ref()) {
					self.not_development(what, bytes);
				}
				Some(key)
			},
			None => {
				self.problem(format!(
					"{what}: {text:?} is not {kind} (SS58 or 0x + 64 hex digits)"
				));
				None
			},
		}
	}

	fn account(&mut self, what: &str, text: &str) -> Option<AccountId> {
		self.key(what, text, "an account", AccountId::new)
	}

	fn sr25519(&mut self, what: &str, text: &str) -> Option<sr25519::Public> {
		self.key(what, text, "an sr25519 public key", sr25519::Public::unchecked_from)
	}

	fn ed25519(&mut self, what: &str, text: &str) -> Option<ed25519::Public> {
		self.key(what, text, "an ed25519 public key", ed25519::Public::unchecked_from)
	}

	fn peer(&mut self, what: &str, text: &str) -> Option<OpaquePeerId> {
		if LOCAL_TESTNET_PEER_IDS.contains(&text.trim()) {
			self.problem(format!(
				"{what}: {text} is a demo network's well-known node key (0x00..01 to 0x00..05): \
				 generate one with `healthchain-node key generate-node-key`"
			));
			return None;
		}
		match sc_network::PeerId::from_str(text.trim()) {
			Ok(peer) => Some(OpaquePeerId(peer.to_bytes())),
			Err(e) => {
				self.problem(format!("{what}: {text:?} is not a libp2p peer id ({e})"));
				None
			},
		}
	}

	fn bounded<S: sp_core::Get<u32>>(
		&mut self,
		what: &str,
		text: &str,
	) -> Option<sp_runtime::BoundedVec<u8, S>> {
		if text.trim().is_empty() {
			self.problem(format!("{what} is empty"));
			return None;
		}
		let bytes = text.as_bytes().to_vec();
		let len = bytes.len();
		sp_runtime::BoundedVec::try_from(bytes)
			.map_err(|_| self.problem(format!("{what} has {len} bytes; at most {} fit", S::get())))
			.ok()
	}
}

fn hex32(text: &str) -> Option<[u8; 32]> {
	let digits = text.trim().strip_prefix("0x")?;
	let bytes = hex::decode(digits).ok()?;
	bytes.try_into().ok()
}

/// Checks the file and builds the network's genesis participants.
pub fn network(file: &NetworkFile) -> Result<Network, Vec<String>> {
	let mut c = Check { problems: Vec::new(), development: development_keys() };
	let mut network = Network::default();

	let operators: BTreeSet<AccountId> = file
		.operators
		.iter()
		.enumerate()
		.filter_map(|(i, o)| c.account(&format!("operators[{i}]"), o))
		.collect();
	if file.operators.len() < 3 {
		c.problem(format!(
			"the council needs at least 3 operators, the file lists {}: one operator alone \
			 (or two) could change the network",
			file.operators.len()
		));
	} else if operators.len() < file.operators.len() {
		c.problem("an operator is listed twice".into());
	}
	network.operators = operators.into_iter().collect();

	if file.validators.is_empty() {
		c.problem("the file lists no validator".into());
	}
	for (i, v) in file.validators.iter().enumerate() {
		let what = format!("validators[{i}]");
		let account = c.account(&format!("{what}.account"), &v.account);
		let aura = c.sr25519(&format!("{what}.aura"), &v.aura);
		let grandpa = c.ed25519(&format!("{what}.grandpa"), &v.grandpa);
		let peer = c.peer(&format!("{what}.peer_id"), &v.peer_id);
		if let (Some(account), Some(aura), Some(grandpa), Some(peer)) =
			(account, aura, grandpa, peer)
		{
			network.authorised_nodes.push((peer, account.clone()));
			network
				.validators
				.push((account, SessionKeys { aura: aura.into(), grandpa: grandpa.into() }));
		}
	}
	for (i, n) in file.nodes.iter().enumerate() {
		let owner = c.account(&format!("nodes[{i}].owner"), &n.owner);
		let peer = c.peer(&format!("nodes[{i}].peer_id"), &n.peer_id);
		if let (Some(owner), Some(peer)) = (owner, peer) {
			network.authorised_nodes.push((peer, owner));
		}
	}
	let peers: BTreeSet<_> = network.authorised_nodes.iter().map(|(p, _)| p.0.clone()).collect();
	if peers.len() < network.authorised_nodes.len() {
		c.problem("a peer id is listed twice".into());
	}

	network.licensing_authority = c.account("licensing_authority", &file.licensing_authority);

	let codes: BTreeSet<&str> = file.hospitals.iter().map(|h| h.code.as_str()).collect();
	if codes.len() < file.hospitals.len() {
		c.problem("a hospital code is listed twice".into());
	}
	let mut gateways = BTreeSet::new();
	for (i, h) in file.hospitals.iter().enumerate() {
		let what = format!("hospitals[{i}]");
		let code = c.bounded(&format!("{what}.code"), &h.code);
		let name = c.bounded(&format!("{what}.name"), &h.name);
		let policy = match h.policy.as_str() {
			"one-time" => Some(ConsentPolicy::OneTime),
			"per-request" => Some(ConsentPolicy::PerRequest),
			other => {
				c.problem(format!("{what}.policy: {other:?} is not `one-time` or `per-request`"));
				None
			},
		};
		let mut accounts = Vec::new();
		for (j, g) in h.gateways.iter().enumerate() {
			if let Some(a) = c.account(&format!("{what}.gateways[{j}]"), g) {
				if !gateways.insert(a.clone()) {
					c.problem(format!("{what}.gateways[{j}] is already another gateway"));
				}
				accounts.push(a);
			}
		}
		if let (Some(code), Some(name), Some(policy)) = (code, name, policy) {
			network.hospitals.push((code, name, policy, accounts));
		}
	}

	for (i, r) in file.registrars.iter().enumerate() {
		let what = format!("registrars[{i}]");
		let account = c.account(&format!("{what}.account"), &r.account);
		let name = c.bounded(&format!("{what}.name"), &r.name);
		let kind = match (r.kind.as_str(), &r.hospital) {
			("bank-branch", None) => Some(RegistrarKind::BankBranch),
			("other", None) => Some(RegistrarKind::Other),
			("hospital-service-point", Some(code)) if codes.contains(code.as_str()) => c
				.bounded(&format!("{what}.hospital"), code)
				.map(RegistrarKind::HospitalServicePoint),
			("hospital-service-point", Some(code)) => {
				c.problem(format!("{what}.hospital: {code:?} is not a hospital of this file"));
				None
			},
			("hospital-service-point", None) => {
				c.problem(format!("{what}: a hospital service point names its `hospital`"));
				None
			},
			(kind, _) => {
				c.problem(format!(
					"{what}.kind: {kind:?} is not `bank-branch`, `hospital-service-point` or \
					 `other` (only a service point names a hospital)"
				));
				None
			},
		};
		if let (Some(account), Some(kind), Some(name)) = (account, kind, name) {
			network.registrars.push((account, kind, name));
		}
	}

	for (i, p) in file.practitioners.iter().enumerate() {
		let what = format!("practitioners[{i}]");
		let licence = c.bounded(&format!("{what}.licence"), &p.licence);
		let mut affiliations = Vec::new();
		for (j, code) in p.affiliations.iter().enumerate() {
			if !codes.contains(code.as_str()) {
				c.problem(format!(
					"{what}.affiliations[{j}]: {code:?} is not a hospital of this file"
				));
			} else if let Some(code) = c.bounded(&format!("{what}.affiliations[{j}]"), code) {
				affiliations.push(code);
			}
		}
		if let Some(licence) = licence {
			network.practitioners.push((licence, affiliations, p.terms_accepted));
		}
	}

	if c.problems.is_empty() {
		Ok(network)
	} else {
		Err(c.problems)
	}
}

/// Parses a network file's text: TOML with the fields above and no others. A lookup secret
/// is refused by name before anything else.
pub fn parse(text: &str) -> Result<NetworkFile, Vec<String>> {
	let value: toml::Table = toml::from_str(text).map_err(|e| vec![format!("not TOML: {e}")])?;
	let secrets: Vec<_> = value.keys().filter(|k| k.contains("secret")).cloned().collect();
	if !secrets.is_empty() {
		return Err(vec![format!(
			"the file holds {}: the network's lookup secret never goes into a chain spec (it \
			 would be public); give it to registrars and gateways only (README: operator guide)",
			secrets.join(", ")
		)]);
	}
	value.try_into().map_err(|e: toml::de::Error| vec![format!("network file: {e}")])
}

impl ProductionSpecCmd {
	/// Checks the network file and writes its chain spec.
	pub fn run(&self) -> Result<(), String> {
		let text = std::fs::read_to_string(&self.file)
			.map_err(|e| format!("cannot read {}: {e}", self.file.display()))?;
		let refuse = |problems: Vec<String>| {
			format!(
				"{} is not a production network:\n  - {}",
				self.file.display(),
				problems.join("\n  - ")
			)
		};
		let file = parse(&text).map_err(refuse)?;
		let boot_nodes = file
			.boot_nodes
			.iter()
			.map(|b| MultiaddrWithPeerId::from_str(b).map_err(|e| format!("boot node {b:?}: {e}")))
			.collect::<Result<Vec<_>, _>>()
			.map_err(|e| refuse(vec![e]))?;
		let network = network(&file).map_err(refuse)?;
		let spec = crate::chain_spec::production_chain_spec(
			&file.name,
			&file.id,
			boot_nodes,
			network_genesis(network),
		)?;
		let json = sc_service::ChainSpec::as_json(&spec, !self.plain)?;
		match &self.out {
			Some(path) => std::fs::write(path, json)
				.map_err(|e| format!("cannot write {}: {e}", path.display()))?,
			None => println!("{json}"),
		}
		Ok(())
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn file(operators: &[&str], extra: &str) -> String {
		let ops = operators.iter().map(|o| format!("{o:?}")).collect::<Vec<_>>().join(", ");
		format!(
			r#"
name = "Test"
id = "test"
operators = [{ops}]
licensing_authority = "{la}"
{extra}
[[validators]]
account = "{v}"
aura = "{aura}"
grandpa = "{gran}"
peer_id = "12D3KooWQYV9dGMFoRzNStwpXztXaBUjtPqi6aU76ZgUriHhKust"
"#,
			la = key(10),
			v = key(11),
			aura = key(11),
			gran = key(12),
		)
	}

	/// A key of its own (not a development one), as SS58.
	fn key(n: u8) -> String {
		AccountId::new([n; 32]).to_ss58check()
	}

	#[test]
	fn a_network_of_its_own_keys_passes() {
		let text = file(&[&key(1), &key(2), &key(3)], "");
		let network = network(&parse(&text).unwrap()).unwrap();
		assert_eq!(network.operators.len(), 3);
		assert_eq!(network.validators.len(), 1);
		assert_eq!(network.authorised_nodes.len(), 1);
		assert!(network.sudo.is_none());
		assert!(network.health_ids.is_empty());
	}

	#[test]
	fn development_keys_a_small_council_and_demo_node_keys_are_refused_together() {
		let alice = Sr25519Keyring::Alice.to_account_id().to_ss58check();
		let text = file(&[&alice, &key(2)], "").replace(
			"12D3KooWQYV9dGMFoRzNStwpXztXaBUjtPqi6aU76ZgUriHhKust",
			LOCAL_TESTNET_PEER_IDS[0],
		);
		let problems = network(&parse(&text).unwrap()).err().expect("refused");
		assert!(
			problems.iter().any(|p| p.contains("development key //Alice (sr25519)")),
			"{problems:?}"
		);
		assert!(problems.iter().any(|p| p.contains("at least 3 operators")), "{problems:?}");
		assert!(problems.iter().any(|p| p.contains("well-known node key")), "{problems:?}");
		// The ed25519 development keys too (a GRANDPA key from //Bob).
		let bob_ed = format!("0x{}", hex::encode(Ed25519Keyring::Bob.public().0));
		let text = file(&[&key(1), &key(2), &key(3)], "").replace(&key(12), &bob_ed);
		let problems = network(&parse(&text).unwrap()).err().expect("refused");
		assert_eq!(problems, vec!["validators[0].grandpa is the development key //Bob (ed25519): generate a key of your own"]);
	}

	#[test]
	fn a_lookup_secret_in_the_file_is_refused_by_name() {
		let text = file(&[&key(1), &key(2), &key(3)], "lookup_secret = \"686561...\"");
		let problems = parse(&text).unwrap_err();
		assert!(
			problems[0].contains("lookup_secret")
				&& problems[0].contains("never goes into a chain spec")
		);
	}

	#[test]
	fn malformed_fields_and_dangling_references_are_named() {
		let extra = r#"
[[hospitals]]
code = "H0001"
name = "A"
policy = "sometimes"
[[practitioners]]
licence = "MD1"
affiliations = ["H9999"]
"#;
		let text = file(&[&key(1), &key(2), "not-an-account"], extra);
		let problems = network(&parse(&text).unwrap()).err().expect("refused");
		assert!(
			problems.iter().any(|p| p.starts_with("operators[2]: \"not-an-account\"")),
			"{problems:?}"
		);
		assert!(problems.iter().any(|p| p.contains("hospitals[0].policy")), "{problems:?}");
		assert!(
			problems.iter().any(|p| p.contains("practitioners[0].affiliations[0]")),
			"{problems:?}"
		);
		let unknown = file(&[&key(1), &key(2), &key(3)], "sudo = \"x\"");
		assert!(parse(&unknown).unwrap_err()[0].contains("unknown field `sudo`"));
	}
}
