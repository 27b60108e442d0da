//! Dispatches the command line to the node or to a subcommand.

#[cfg(feature = "benchmark-cli")]
use crate::benchmarking::{inherent_benchmark_data, RemarkBuilder};
use crate::{
	chain_spec,
	cli::{Cli, Subcommand},
	service,
};
#[cfg(feature = "benchmark-cli")]
use frame_benchmarking_cli::{BenchmarkCmd, ExtrinsicFactory, SUBSTRATE_REFERENCE_HARDWARE};
use healthchain_runtime::opaque::Block;
use sc_cli::SubstrateCli;
use sc_service::{Configuration, PartialComponents};

impl SubstrateCli for Cli {
	fn impl_name() -> String {
		"HealthChain Node".into()
	}

	fn impl_version() -> String {
		env!("SUBSTRATE_CLI_IMPL_VERSION").into()
	}

	fn description() -> String {
		env!("CARGO_PKG_DESCRIPTION").into()
	}

	fn author() -> String {
		env!("CARGO_PKG_AUTHORS").into()
	}

	fn support_url() -> String {
		"https://example.invalid/healthchain/issues".into()
	}

	fn copyright_start_year() -> i32 {
		2026
	}

	/// `dev` and `local` carry the runtime as networks run it; under the `benchmark`
	/// subcommands they carry the same runtime built with its benchmarks instead.
	fn load_spec(&self, id: &str) -> Result<Box<dyn sc_service::ChainSpec>, String> {
		let runtime = match self.subcommand {
			#[cfg(feature = "benchmark-cli")]
			Some(Subcommand::Benchmark(_)) => chain_spec::Runtime::Benchmarks,
			_ => chain_spec::Runtime::Network,
		};
		Ok(match id {
			"dev" | "development" => Box::new(chain_spec::development_chain_spec(runtime)?),
			"" | "local" | "local_testnet" => Box::new(chain_spec::local_chain_spec(runtime)?),
			path => {
				Box::new(chain_spec::ChainSpec::from_json_file(std::path::PathBuf::from(path))?)
			},
		})
	}
}

/// The `health_*` RPC reads the per-patient logs that the runtime writes with
/// `sp_io::offchain_index` during block import, so indexing is always on for this node,
/// whatever `--enable-offchain-indexing` says.
fn with_offchain_indexing(mut config: Configuration) -> Configuration {
	config.offchain_worker.indexing_enabled = true;
	config
}

/// Parse and run command line arguments.
pub fn run() -> sc_cli::Result<()> {
	let mut cli = Cli::from_args();
	// This network runs the libp2p backend (pallet-node-authorization and the reserved-peer
	// policy are built and tested on it); sc-cli's own default is litep2p, so the default is
	// changed here unless the operator chose a backend explicitly.
	if !std::env::args().any(|arg| arg.starts_with("--network-backend")) {
		cli.run.network_params.network_backend = sc_cli::arg_enums::NetworkBackendType::Libp2p;
	}
	// The single-state transaction pool is the default here: under sustained load from several
	// gateways (scripts/bench, 8 senders, ~1,000 extrinsics/s) sc-cli's default fork-aware pool
	// dropped accepted extrinsics without including them (3,577 accepted, 570 included, the
	// pool then empty), stalling those senders; the single-state pool included them all. A
	// chain with one block producer per slot and instant GRANDPA finality has no use for
	// per-fork views. `--pool-type fork-aware` still selects the other.
	if !std::env::args().any(|arg| arg.starts_with("--pool-type")) {
		cli.run.pool_config.pool_type = sc_cli::TransactionPoolType::SingleState;
	}
	cli.run.offchain_worker_params.indexing_enabled = true;

	match &cli.subcommand {
		Some(Subcommand::Key(cmd)) => cmd.run(&cli),
		#[allow(deprecated)]
		Some(Subcommand::BuildSpec(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.sync_run(|config| cmd.run(config.chain_spec, config.network))
		},
		Some(Subcommand::ExportChainSpec(cmd)) => {
			let chain_spec = cli.load_spec(&cmd.chain)?;
			cmd.run(chain_spec)
		},
		Some(Subcommand::CheckBlock(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.async_run(|config| {
				let PartialComponents { client, task_manager, import_queue, .. } =
					service::new_partial(&with_offchain_indexing(config))?;
				Ok((cmd.run(client, import_queue), task_manager))
			})
		},
		Some(Subcommand::ExportBlocks(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.async_run(|config| {
				let PartialComponents { client, task_manager, .. } = service::new_partial(&config)?;
				Ok((cmd.run(client, config.database), task_manager))
			})
		},
		Some(Subcommand::ExportState(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.async_run(|config| {
				let PartialComponents { client, task_manager, .. } = service::new_partial(&config)?;
				Ok((cmd.run(client, config.chain_spec), task_manager))
			})
		},
		Some(Subcommand::ImportBlocks(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.async_run(|config| {
				let PartialComponents { client, task_manager, import_queue, .. } =
					service::new_partial(&with_offchain_indexing(config))?;
				Ok((cmd.run(client, import_queue), task_manager))
			})
		},
		Some(Subcommand::PurgeChain(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.sync_run(|config| cmd.run(config.database))
		},
		Some(Subcommand::Revert(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.async_run(|config| {
				let PartialComponents { client, task_manager, backend, .. } =
					service::new_partial(&config)?;
				let aux_revert = Box::new(|client, _, blocks| {
					sc_consensus_grandpa::revert(client, blocks)?;
					Ok(())
				});
				Ok((cmd.run(client, backend, Some(aux_revert)), task_manager))
			})
		},
		#[cfg(feature = "benchmark-cli")]
		Some(Subcommand::Benchmark(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.sync_run(|config| match cmd {
				BenchmarkCmd::Pallet(cmd) => cmd
					.run_with_spec::<sp_runtime::traits::HashingFor<Block>, ()>(Some(
						config.chain_spec,
					)),
				BenchmarkCmd::Block(cmd) => {
					let PartialComponents { client, .. } = service::new_partial(&config)?;
					cmd.run(client)
				},
				BenchmarkCmd::Storage(cmd) => {
					let PartialComponents { client, backend, .. } = service::new_partial(&config)?;
					let db = backend.expose_db();
					let storage = backend.expose_storage();
					let shared_cache = backend.expose_shared_trie_cache();
					cmd.run(config, client, db, storage, shared_cache)
				},
				BenchmarkCmd::Overhead(cmd) => {
					let PartialComponents { client, .. } = service::new_partial(&config)?;
					let builder = RemarkBuilder::new(client.clone());
					cmd.run(
						config.chain_spec.name().into(),
						client,
						inherent_benchmark_data()?,
						Vec::new(),
						&builder,
						false,
					)
				},
				BenchmarkCmd::Extrinsic(cmd) => {
					let PartialComponents { client, .. } = service::new_partial(&config)?;
					let builders =
						ExtrinsicFactory(vec![Box::new(RemarkBuilder::new(client.clone()))]);
					cmd.run(client, inherent_benchmark_data()?, Vec::new(), &builders)
				},
				BenchmarkCmd::Machine(cmd) => {
					cmd.run(&config, SUBSTRATE_REFERENCE_HARDWARE.clone())
				},
			})
		},
		Some(Subcommand::ChainInfo(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.sync_run(|config| cmd.run::<Block>(&config))
		},
		Some(Subcommand::ProductionSpec(cmd)) => cmd.run().map_err(sc_cli::Error::Input),
		None => {
			let runner = cli.create_runner(&cli.run)?;
			runner.run_node_until_exit(|config| async move {
				let config = with_offchain_indexing(config);
				match config.network.network_backend {
					sc_network::config::NetworkBackendType::Libp2p => service::new_full::<
						sc_network::NetworkWorker<
							Block,
							<Block as sp_runtime::traits::Block>::Hash,
						>,
					>(config)
					.map_err(sc_cli::Error::Service),
					sc_network::config::NetworkBackendType::Litep2p => {
						service::new_full::<sc_network::Litep2pNetworkBackend>(config)
							.map_err(sc_cli::Error::Service)
					},
				}
			})
		},
	}
}
