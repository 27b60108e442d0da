//! The full client's type, below the service that builds it and the tasks that read it
//! (metrics, log positions, benchmarking), so that none of them imports the service.

use healthchain_runtime::{opaque::Block, RuntimeApi};

/// The full client type: the runtime is always executed as wasm.
pub(crate) type FullClient =
	sc_service::TFullClient<Block, RuntimeApi, sc_executor::WasmExecutor<HostFunctions>>;

/// Host functions available to the runtime (plus benchmarking ones when enabled).
#[cfg(not(feature = "runtime-benchmarks"))]
pub type HostFunctions = sp_io::SubstrateHostFunctions;
/// Host functions available to the runtime (plus benchmarking ones when enabled).
#[cfg(feature = "runtime-benchmarks")]
pub type HostFunctions =
	(sp_io::SubstrateHostFunctions, frame_benchmarking::benchmarking::HostFunctions);
