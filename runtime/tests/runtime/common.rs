//! Fixtures the runtime's integration tests share: the development genesis in test
//! externalities, and its participants by role.
#![allow(dead_code)]

use healthchain_primitives::Moment;
use healthchain_runtime::{
	genesis_config_presets::{self, DEVELOPMENT},
	AccountId, Runtime,
};
use pallet_participants::{Role, Roles};
use sp_genesis_builder::PresetId;

/// 2026-11-21 10:00 Bangkok (03:00 UTC), in ms: the fixtures' block timestamp.
pub const T0: Moment = 1_795_230_000_000;

/// A genesis preset's state in test externalities.
pub fn build_preset(preset: &str) -> sp_io::TestExternalities {
	let json = genesis_config_presets::get_preset(&PresetId::from(preset)).expect("preset exists");
	let mut ext = sp_io::TestExternalities::default();
	ext.execute_with(|| {
		frame_support::genesis_builder_helper::build_state::<
			healthchain_runtime::RuntimeGenesisConfig,
		>(json)
		.expect("the preset builds a genesis state");
	});
	ext
}

/// The development genesis at block 1, timestamp [`T0`].
pub fn dev_chain() -> sp_io::TestExternalities {
	let mut ext = build_preset(DEVELOPMENT);
	ext.execute_with(|| {
		frame_system::Pallet::<Runtime>::set_block_number(1);
		set_now(T0);
	});
	ext
}

/// Sets the block timestamp (ms) without the Aura slot check of `set_timestamp`.
pub fn set_now(ms: Moment) {
	pallet_timestamp::Now::<Runtime>::put(ms);
}

/// The first account holding a role matching `f`.
pub fn holder(f: impl Fn(&Role) -> bool) -> AccountId {
	Roles::<Runtime>::iter().find(|(_, r)| f(r)).map(|(a, _)| a).expect("a holder")
}
