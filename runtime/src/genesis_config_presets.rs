//! Genesis presets: `development` (one validator, sudo, demo participants) and
//! `local_testnet` (four validators on one machine, no sudo).
//!
//! Demo health IDs are derived with [`DEV_LOOKUP_SECRET`], a published secret that only
//! development and test networks use; a real network's lookup secret never leaves its
//! registrars and gateways.

use crate::{
	AccountId, CouncilMembershipConfig, HealthIdsConfig, NodeAuthorizationConfig,
	ParticipantsConfig, RuntimeGenesisConfig, SessionConfig, SessionKeys, SudoConfig,
	ValidatorSetConfig,
};
use alloc::{vec, vec::Vec};
use frame_support::BoundedVec;
use healthchain_primitives::{ConsentPolicy, DocumentKind, HospitalCode, LicenceNumber};
use pallet_health_id::Controller;
use pallet_participants::RegistrarKind;
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_consensus_grandpa::AuthorityId as GrandpaId;
use sp_genesis_builder::PresetId;
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};

/// Name of the development preset.
pub const DEVELOPMENT: &str = sp_genesis_builder::DEV_RUNTIME_PRESET;
/// Name of the four-validator local test network preset.
pub const LOCAL_TESTNET: &str = sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET;

pub use healthchain_primitives::demo::{
	demo_migrant, demo_patient, DEMO_DOCTOR_A, DEMO_DOCTOR_B, DEMO_HOSPITAL_A, DEMO_HOSPITAL_B,
	DEMO_MIGRANT_PASSPORT, DEMO_PATIENT_ID, DEV_LOOKUP_SECRET,
};

fn bounded<S: frame_support::traits::Get<u32>>(bytes: &[u8]) -> BoundedVec<u8, S> {
	BoundedVec::truncate_from(bytes.to_vec())
}

/// The GRANDPA (ed25519) key of a demo validator: the same dev seed as its sr25519 key.
fn grandpa_key(k: Sr25519Keyring) -> Ed25519Keyring {
	match k {
		Sr25519Keyring::Alice => Ed25519Keyring::Alice,
		Sr25519Keyring::Bob => Ed25519Keyring::Bob,
		Sr25519Keyring::Charlie => Ed25519Keyring::Charlie,
		Sr25519Keyring::Dave => Ed25519Keyring::Dave,
		Sr25519Keyring::Eve => Ed25519Keyring::Eve,
		Sr25519Keyring::Ferdie => Ed25519Keyring::Ferdie,
		Sr25519Keyring::One => Ed25519Keyring::One,
		Sr25519Keyring::Two => Ed25519Keyring::Two,
		// Stash keys never validate in the demo networks.
		_ => Ed25519Keyring::Alice,
	}
}

/// Who plays which role in a demo network.
struct Cast {
	validators: Vec<Sr25519Keyring>,
	operators: Vec<Sr25519Keyring>,
	gateway_a: Sr25519Keyring,
	gateway_b: Sr25519Keyring,
	registrar: Sr25519Keyring,
	licensing_authority: Sr25519Keyring,
	patient: Sr25519Keyring,
	sudo: Option<Sr25519Keyring>,
	well_known_nodes: Vec<(sp_core::OpaquePeerId, AccountId)>,
}

/// A demo validator's session keys: its dev seed's sr25519 (Aura) and ed25519 (GRANDPA) keys.
fn session_keys(k: Sr25519Keyring) -> SessionKeys {
	SessionKeys {
		aura: AuraId::from(k.public()),
		grandpa: GrandpaId::from(grandpa_key(k).public()),
	}
}

/// The libp2p peer ids (base58) of the demo networks' well-known nodes: the local test
/// network's validators, which run with the node keys `0x00..01` to `0x00..04` (see
/// `scripts/local-net`), and the public full node that serves light clients, node key
/// `0x00..05` (README, operator guide, "A public node for light clients").
pub const LOCAL_TESTNET_PEER_IDS: [&str; 5] = [
	"12D3KooWEyoppNCUx8Yx66oV9fJnriXwCcXwDDUA2kj6vnc6iDEp",
	"12D3KooWHdiAxVd8uMQR1hGWXccidmfCwLqcMpGwR6QcTP6QRMuD",
	"12D3KooWSCufgHzV4fCwRijfH2k3abrpAJxTKxEvN1FDuRXA2U9x",
	"12D3KooWSsChzF81YDUKpe9Uk5AHV5oqAaXAcWNSPYgoLauUk4st",
	"12D3KooWSuTq6MG9gPt7qZqLFKkYrfxMewTZhj9nmRHJkPwzWDG2",
];

/// A hospital as genesis registers it: code, name, consent policy, gateway accounts.
pub type GenesisHospital = (HospitalCode, pallet_participants::Name, ConsentPolicy, Vec<AccountId>);
/// A registrar as genesis registers it: account, kind, name.
pub type GenesisRegistrar = (AccountId, RegistrarKind, pallet_participants::Name);
/// A practitioner as genesis registers them: licence, affiliated hospitals, terms accepted.
pub type GenesisPractitioner = (LicenceNumber, Vec<HospitalCode>, bool);

/// A network's first participants: what its genesis holds. The one genesis builder of the
/// demo presets and of a production network's chain spec (`healthchain-node
/// production-spec`), which fills it from the operators' own keys.
#[derive(Clone, Default)]
pub struct Network {
	/// Validators: account and session keys (Aura and GRANDPA authorities come from these).
	pub validators: Vec<(AccountId, SessionKeys)>,
	/// The operators' council (and the operator role).
	pub operators: Vec<AccountId>,
	/// Authorised nodes (peer id) and their owners.
	pub authorised_nodes: Vec<(sp_core::OpaquePeerId, AccountId)>,
	/// Sudo: development only; a production network has none.
	pub sudo: Option<AccountId>,
	/// The first hospitals.
	pub hospitals: Vec<GenesisHospital>,
	/// The first registrars.
	pub registrars: Vec<GenesisRegistrar>,
	/// The licensing authority.
	pub licensing_authority: Option<AccountId>,
	/// The first practitioners.
	pub practitioners: Vec<GenesisPractitioner>,
	/// Health IDs registered at genesis (the demo patients; none in production).
	pub health_ids: Vec<pallet_health_id::GenesisHealthId<AccountId>>,
}

/// The genesis configuration of `network`, as the JSON a chain spec carries.
pub fn network_genesis(network: Network) -> serde_json::Value {
	let config = RuntimeGenesisConfig {
		validator_set: ValidatorSetConfig {
			validators: network.validators.iter().map(|(a, _)| a.clone()).collect(),
		},
		session: SessionConfig {
			keys: network
				.validators
				.into_iter()
				.map(|(a, keys)| (a.clone(), a, keys))
				.collect::<Vec<_>>(),
			..Default::default()
		},
		node_authorization: NodeAuthorizationConfig { nodes: network.authorised_nodes },
		sudo: SudoConfig { key: network.sudo },
		council_membership: CouncilMembershipConfig {
			members: BoundedVec::truncate_from(network.operators.clone()),
			..Default::default()
		},
		participants: ParticipantsConfig {
			operators: network.operators,
			hospitals: network.hospitals,
			registrars: network.registrars,
			licensing_authority: network.licensing_authority,
			practitioners: network.practitioners,
		},
		health_ids: HealthIdsConfig { health_ids: network.health_ids },
		..Default::default()
	};
	serde_json::to_value(config).expect("the genesis config serialises")
}

/// A demo network's genesis: the demo hospitals, doctors, registrar and patients.
fn genesis(cast: Cast) -> serde_json::Value {
	let acc = |k: Sr25519Keyring| -> AccountId { k.to_account_id() };
	let registrar = acc(cast.registrar);
	network_genesis(Network {
		validators: cast.validators.iter().map(|k| (acc(*k), session_keys(*k))).collect(),
		operators: cast.operators.iter().map(|k| acc(*k)).collect(),
		authorised_nodes: cast.well_known_nodes,
		sudo: cast.sudo.map(acc),
		hospitals: vec![
			(
				bounded(DEMO_HOSPITAL_A),
				bounded(b"Demo Hospital A (one-time consent)"),
				ConsentPolicy::OneTime,
				vec![acc(cast.gateway_a)],
			),
			(
				bounded(DEMO_HOSPITAL_B),
				bounded(b"Demo Hospital B (per-request consent)"),
				ConsentPolicy::PerRequest,
				vec![acc(cast.gateway_b)],
			),
		],
		registrars: vec![(
			registrar.clone(),
			RegistrarKind::BankBranch,
			bounded(b"Demo bank branch (KYC)"),
		)],
		licensing_authority: Some(acc(cast.licensing_authority)),
		practitioners: vec![
			(bounded(DEMO_DOCTOR_A), vec![bounded(DEMO_HOSPITAL_A)], true),
			(bounded(DEMO_DOCTOR_B), vec![bounded(DEMO_HOSPITAL_B)], true),
		],
		health_ids: vec![
			(
				demo_patient(),
				DocumentKind::ThaiCitizenId,
				Controller::Key(acc(cast.patient)),
				registrar.clone(),
			),
			(
				demo_migrant(),
				DocumentKind::Passport { country: *b"MMR" },
				Controller::Assisted,
				registrar,
			),
		],
	})
}

/// The demo networks' authorised nodes: node keys `0x00..01` to `0x00..04`, owned by Alice,
/// Bob, Charlie and Dave, and the public node's key `0x00..05`, owned by Alice (an operator).
/// Nodes with other keys get no connections to validators.
fn well_known_nodes() -> Vec<(sp_core::OpaquePeerId, AccountId)> {
	LOCAL_TESTNET_PEER_IDS
		.iter()
		.zip([
			Sr25519Keyring::Alice,
			Sr25519Keyring::Bob,
			Sr25519Keyring::Charlie,
			Sr25519Keyring::Dave,
			Sr25519Keyring::Alice,
		])
		.map(|(peer, owner)| {
			let bytes = bs58::decode(peer).into_vec().expect("the demo peer ids are valid base58");
			(sp_core::OpaquePeerId(bytes), owner.to_account_id())
		})
		.collect()
}

/// Development: Alice validates and holds sudo; Alice, Bob and Charlie are the council;
/// Dave and Eve are the gateways of demo hospitals A and B; Ferdie is a bank-branch
/// registrar; `One` is the licensing authority; `Two` is the demo patient's wallet.
fn development() -> serde_json::Value {
	genesis(Cast {
		validators: vec![Sr25519Keyring::Alice],
		operators: vec![Sr25519Keyring::Alice, Sr25519Keyring::Bob, Sr25519Keyring::Charlie],
		gateway_a: Sr25519Keyring::Dave,
		gateway_b: Sr25519Keyring::Eve,
		registrar: Sr25519Keyring::Ferdie,
		licensing_authority: Sr25519Keyring::One,
		patient: Sr25519Keyring::Two,
		sudo: Some(Sr25519Keyring::Alice),
		well_known_nodes: well_known_nodes(),
	})
}

/// Local test network: Alice, Bob, Charlie and Dave validate and form the council (no sudo);
/// the demo participants as in development, with Eve and Ferdie as gateways.
fn local_testnet() -> serde_json::Value {
	genesis(Cast {
		validators: vec![
			Sr25519Keyring::Alice,
			Sr25519Keyring::Bob,
			Sr25519Keyring::Charlie,
			Sr25519Keyring::Dave,
		],
		operators: vec![
			Sr25519Keyring::Alice,
			Sr25519Keyring::Bob,
			Sr25519Keyring::Charlie,
			Sr25519Keyring::Dave,
		],
		gateway_a: Sr25519Keyring::Eve,
		gateway_b: Sr25519Keyring::Ferdie,
		registrar: Sr25519Keyring::One,
		licensing_authority: Sr25519Keyring::Two,
		patient: Sr25519Keyring::AliceStash,
		sudo: None,
		well_known_nodes: well_known_nodes(),
	})
}

/// The preset with this name, as JSON bytes.
pub fn get_preset(id: &PresetId) -> Option<Vec<u8>> {
	let patch = match id.as_ref() {
		DEVELOPMENT => development(),
		LOCAL_TESTNET => local_testnet(),
		_ => return None,
	};
	Some(
		serde_json::to_string(&patch)
			.expect("serialization to json is expected to work. qed.")
			.into_bytes(),
	)
}

/// The names of the presets.
pub fn preset_names() -> Vec<PresetId> {
	vec![PresetId::from(DEVELOPMENT), PresetId::from(LOCAL_TESTNET)]
}
