//! Chain specifications built from the runtime's genesis presets.

use sc_service::ChainType;

/// The chain specification type of this node: no client extensions.
pub type ChainSpec = sc_service::GenericChainSpec;

fn properties() -> sc_chain_spec::Properties {
	let mut properties = sc_chain_spec::Properties::new();
	// The chain has no currency; explorers still want an SS58 prefix.
	properties.insert("ss58Format".into(), 42.into());
	properties.insert("tokenSymbol".into(), "NONE".into());
	properties.insert("tokenDecimals".into(), 0.into());
	properties
}

/// Which build of the runtime a chain spec carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Runtime {
	/// The runtime as networks run it, without benchmarks: every chain spec of a network.
	Network,
	/// The same runtime with `runtime-benchmarks`: only for the `benchmark` subcommands.
	#[cfg_attr(not(feature = "benchmark-cli"), allow(dead_code))]
	Benchmarks,
}

impl Runtime {
	/// The compressed wasm of this build.
	pub fn wasm(self) -> Result<&'static [u8], String> {
		let skipped = "The runtime wasm is not available: the node was built with SKIP_WASM_BUILD";
		match self {
			Runtime::Network => healthchain_runtime::WASM_BINARY.ok_or_else(|| skipped.into()),
			#[cfg(feature = "benchmark-cli")]
			Runtime::Benchmarks => healthchain_runtime::bench::WASM_BINARY
				.ok_or_else(|| format!("{skipped} (benchmarking runtime)")),
			#[cfg(not(feature = "benchmark-cli"))]
			Runtime::Benchmarks => Err("The node was built without the benchmark-cli feature".into()),
		}
	}
}

/// Single-validator development chain (Alice), with sudo and demo participants, on
/// `runtime`.
pub fn development_chain_spec(runtime: Runtime) -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(runtime.wasm()?, None)
		.with_name("HealthChain Development")
		.with_id("healthchain_dev")
		.with_chain_type(ChainType::Development)
		.with_genesis_config_preset_name(sp_genesis_builder_preset::DEVELOPMENT)
		.with_properties(properties())
		.build())
}

/// Four-validator local test network (Alice, Bob, Charlie, Dave) on one machine, on
/// `runtime`.
pub fn local_chain_spec(runtime: Runtime) -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(runtime.wasm()?, None)
		.with_name("HealthChain Local Testnet")
		.with_id("healthchain_local")
		.with_chain_type(ChainType::Local)
		.with_genesis_config_preset_name(sp_genesis_builder_preset::LOCAL_TESTNET)
		.with_properties(properties())
		.build())
}

/// A production network (chain type `Live`, no sudo): its genesis from the operators' own
/// keys, built by `healthchain-node production-spec`.
pub fn production_chain_spec(
	name: &str,
	id: &str,
	boot_nodes: Vec<sc_network::config::MultiaddrWithPeerId>,
	genesis: serde_json::Value,
) -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(Runtime::Network.wasm()?, None)
		.with_name(name)
		.with_id(id)
		.with_chain_type(ChainType::Live)
		.with_boot_nodes(boot_nodes)
		.with_genesis_config(genesis)
		.with_properties(properties())
		.build())
}

/// Preset names, as the runtime's genesis builder knows them.
mod sp_genesis_builder_preset {
	pub const DEVELOPMENT: &str = healthchain_runtime::genesis_config_presets::DEVELOPMENT;
	pub const LOCAL_TESTNET: &str = healthchain_runtime::genesis_config_presets::LOCAL_TESTNET;
}
