//! Builds the runtime to wasm, in up to three variants of the same source:
//!
//! - `wasm_binary.rs` (`WASM_BINARY`): the runtime as a network runs it, without the
//!   benchmarking features. Every chain spec the node makes (development, local, production)
//!   carries it in its genesis. (With benchmarks it is 4.8 MB compressed instead of 0.4 MB,
//!   and it would answer `Benchmark_dispatch_benchmark` through `state_call` to anyone who
//!   can reach a node's RPC.)
//! - `bench_wasm_binary.rs` (`bench::WASM_BINARY`), only when this crate is built with
//!   `bench-wasm` (the node's `benchmark-cli` build, which `scripts/weights` makes): the same
//!   runtime with the benchmarks, for the node's `benchmark` subcommands. The everyday build
//!   (`--workspace`: the node, the tests) compiles the benchmarks natively, for the pallets'
//!   benchmark tests, but never builds this wasm.
//! - `next_wasm_binary.rs` (`next::WASM_BINARY`): the next release, with
//!   `increment-spec-version` (`spec_version` one higher), without benchmarks, as an upgrade
//!   is shipped. The upgrade test (`tests/tests/upgrade.rs`) hands it to a running network by
//!   a council motion. Built the way cumulus' test runtime builds its
//!   `increment-spec-version` wasm.

fn main() {
	#[cfg(feature = "std")]
	{
		use substrate_wasm_builder::WasmBuilder;

		// The wasm builder forwards every feature of this crate that the native build
		// enabled: it reads `CARGO_FEATURE_*`.
		if cfg!(feature = "bench-wasm") {
			WasmBuilder::init_with_defaults().set_file_name("bench_wasm_binary.rs").build();
		}
		// The other two are built without the benchmarking features. A build script is
		// single-threaded, so changing its own environment here is sound.
		for feature in
			["RUNTIME_BENCHMARKS", "FRAME_BENCHMARKING", "FRAME_SYSTEM_BENCHMARKING", "BENCH_WASM"]
		{
			std::env::remove_var(format!("CARGO_FEATURE_{feature}"));
		}
		// `cargo clippy` runs this script with `RUSTC_WORKSPACE_WRAPPER=clippy-driver`, and the
		// wasm builder's inner cargo would inherit it: the wasm project (one directory shared
		// by every build of this crate) would then be rebuilt under clippy, and again by the
		// next `cargo build`, recompiling the runtime and relinking the node each time
		// (161 s of every warm `scripts/test`, measured). The wasm is built the same way
		// whatever cargo command runs this script.
		std::env::remove_var("RUSTC_WORKSPACE_WRAPPER");
		WasmBuilder::build_using_defaults();
		WasmBuilder::init_with_defaults()
			.enable_feature("increment-spec-version")
			.set_file_name("next_wasm_binary.rs")
			.build();
	}
}
