//! Runtime checks: the genesis presets build, and the metadata lists the expected pallets
//! with documentation for every call, event and storage item of HealthChain's own pallets.

use healthchain_runtime::{
	genesis_config_presets::{self, DEVELOPMENT, LOCAL_TESTNET},
	Runtime, EXPECTED_PALLETS,
};
use sp_genesis_builder::PresetId;

use crate::common::build_preset as build;

#[test]
fn both_presets_are_listed() {
	let names = genesis_config_presets::preset_names();
	assert!(names.contains(&PresetId::from(DEVELOPMENT)));
	assert!(names.contains(&PresetId::from(LOCAL_TESTNET)));
	assert!(genesis_config_presets::get_preset(&PresetId::from("nope")).is_none());
}

#[test]
fn development_preset_builds_with_one_validator_sudo_and_demo_participants() {
	build(DEVELOPMENT).execute_with(|| {
		assert_eq!(pallet_aura::Authorities::<Runtime>::get().len(), 1);
		assert_eq!(pallet_grandpa::Pallet::<Runtime>::grandpa_authorities().len(), 1);
		assert!(pallet_sudo::Key::<Runtime>::get().is_some());
		assert_eq!(pallet_participants::Hospitals::<Runtime>::iter().count(), 2);
		assert!(
			pallet_health_id::HealthIds::<Runtime>::get(genesis_config_presets::demo_patient())
				.is_some()
		);
		assert_eq!(
			pallet_membership::Members::<Runtime, pallet_membership::Instance1>::get().len(),
			3
		);
		assert_eq!(
			pallet_collective::Members::<Runtime, pallet_collective::Instance1>::get().len(),
			3
		);
	});
}

#[test]
fn local_testnet_preset_builds_with_four_validators_and_no_sudo() {
	build(LOCAL_TESTNET).execute_with(|| {
		assert_eq!(pallet_aura::Authorities::<Runtime>::get().len(), 4);
		assert_eq!(pallet_grandpa::Pallet::<Runtime>::grandpa_authorities().len(), 4);
		assert!(pallet_sudo::Key::<Runtime>::get().is_none(), "sudo only in development");
	});
}

#[test]
fn metadata_lists_the_expected_pallets_with_docs() {
	use frame_metadata::RuntimeMetadata;
	let meta = Runtime::metadata();
	let RuntimeMetadata::V14(v14) = meta.1 else { panic!("V14 metadata by default") };
	let names: Vec<&str> = v14.pallets.iter().map(|p| p.name.as_str()).collect();
	for expected in EXPECTED_PALLETS {
		assert!(names.contains(expected), "{expected} missing from {names:?}");
	}
	// Every storage item of our pallets is documented.
	for p in v14
		.pallets
		.iter()
		.filter(|p| ["Participants", "HealthIds", "Consent"].contains(&p.name.as_str()))
	{
		for entry in p.storage.iter().flat_map(|s| s.entries.iter()) {
			assert!(!entry.docs.is_empty(), "{}.{} has no docs", p.name, entry.name);
		}
	}
	// The chain has no currency: there is no Balances pallet.
	assert!(!names.contains(&"Balances"));
}
