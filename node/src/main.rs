//! HealthChain node: a permissioned Substrate node for a national health information exchange.

#![warn(missing_docs)]
// `sc_cli::Error` and `sc_service::Error` are large enums; the fallible signatures here are the
// ones polkadot-sdk's service and CLI builders impose.
#![allow(clippy::result_large_err)]

#[cfg(feature = "benchmark-cli")]
mod benchmarking;
mod chain_spec;
mod cli;
mod client;
mod command;
mod metrics;
mod positions;
mod production;
mod rpc;
mod service;

fn main() -> sc_cli::Result<()> {
	command::run()
}
