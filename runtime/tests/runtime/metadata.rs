//! The runtime metadata kept in the repository (`primitives/client/metadata/healthchain.scale`)
//! is the one clients' typed calls and events are generated from (subxt codegen in
//! `healthchain-client`). This test fails when the runtime's metadata changes and the file was
//! not regenerated: run `./scripts/metadata` (or this test with `HEALTHCHAIN_BLESS=1`), then
//! build again so that every client that names a renamed call, argument or event stops
//! compiling.

use healthchain_runtime::Runtime;
use std::path::PathBuf;

/// The metadata version the file holds (the newest stable one subxt reads).
const VERSION: u32 = 16;

fn metadata_file() -> PathBuf {
	PathBuf::from(env!("CARGO_MANIFEST_DIR"))
		.join("../primitives/client/metadata/healthchain.scale")
}

#[test]
fn the_repository_metadata_is_the_runtime_metadata() {
	let current: Vec<u8> = Runtime::metadata_at_version(VERSION)
		.map(|m| m.to_vec())
		.expect("the runtime serves metadata at the version the clients use");
	let path = metadata_file();
	if std::env::var_os("HEALTHCHAIN_BLESS").is_some() {
		std::fs::create_dir_all(path.parent().expect("a parent directory"))
			.expect("the metadata directory");
		std::fs::write(&path, &current).expect("the metadata file is written");
		eprintln!("wrote {} ({} bytes)", path.display(), current.len());
		return;
	}
	let kept = std::fs::read(&path)
		.unwrap_or_else(|e| panic!("{}: {e}; run ./scripts/metadata", path.display()));
	assert!(
		kept == current,
		"{} ({} bytes) differs from the runtime's metadata ({} bytes): run ./scripts/metadata \
		 and rebuild, then fix every client that no longer compiles",
		path.display(),
		kept.len(),
		current.len()
	);
}
