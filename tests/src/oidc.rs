//! A real OpenID provider for the tests: `apps/idp/server.mjs` (npm `oidc-provider`, with
//! the demo doctors who sign in with licence number and PIN), started on a free port with the
//! gateways' FHIR base URLs as its resources and the test's redirect URIs.

use crate::OidcTrust;
use serde_json::{json, Value};
use std::{
	io::{BufRead, BufReader},
	path::PathBuf,
	process::{Child, Command, Stdio},
	time::{Duration, Instant},
};

/// The repository's `apps/` folder.
pub fn apps_dir() -> PathBuf {
	PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../apps"))
}

/// A running `apps/idp/server.mjs`; stopped when dropped.
pub struct OidcProvider {
	child: Child,
	_dir: tempfile::TempDir,
	/// What a gateway needs to trust it.
	pub trust: OidcTrust,
	/// Its log (stderr).
	pub log_path: PathBuf,
}

impl OidcProvider {
	/// Starts the provider for gateways whose FHIR bases are `resources`, with
	/// `redirect_uris` for the doctor app and the SMART test client (loopback URIs match on
	/// any port).
	pub fn start(resources: &[String], redirect_uris: &[String]) -> Self {
		let dir = tempfile::tempdir().expect("a temporary directory");
		let config = json!({ "resources": resources, "redirectUris": redirect_uris });
		let config_path = dir.path().join("idp.json");
		std::fs::write(&config_path, config.to_string()).expect("the provider's configuration");
		let log_path = dir.path().join("idp.log");
		let log = std::fs::File::create(&log_path).expect("the provider's log");
		let mut child = Command::new("node")
			.arg("idp/server.mjs")
			.arg("--port")
			.arg("0")
			.arg("--config")
			.arg(&config_path)
			.current_dir(apps_dir())
			.stdout(Stdio::piped())
			.stderr(log)
			.spawn()
			.expect("node (Node.js) runs: scripts/test installs it");
		let stdout = child.stdout.take().expect("the provider's stdout");
		let (tx, rx) = std::sync::mpsc::channel();
		std::thread::spawn(move || {
			let mut line = String::new();
			let _ = BufReader::new(stdout).read_line(&mut line);
			let _ = tx.send(line);
		});
		let start = Instant::now();
		let line = rx.recv_timeout(Duration::from_secs(60)).unwrap_or_default();
		let ready: Value = serde_json::from_str(&line).unwrap_or_else(|_| {
			let _ = child.kill();
			panic!(
				"the OpenID provider did not start in {:?}: {line:?}\n{}",
				start.elapsed(),
				std::fs::read_to_string(&log_path).unwrap_or_default()
			)
		});
		let field = |name: &str| ready[name].as_str().expect("the ready line's fields").to_string();
		let trust = OidcTrust {
			issuer: field("issuer"),
			jwks_uri: field("jwks_uri"),
			authorization_endpoint: field("authorization_endpoint"),
			token_endpoint: field("token_endpoint"),
		};
		OidcProvider { child, _dir: dir, trust, log_path }
	}

	/// The provider's log so far.
	pub fn log(&self) -> String {
		std::fs::read_to_string(&self.log_path).unwrap_or_default()
	}
}

impl Drop for OidcProvider {
	fn drop(&mut self) {
		let _ = self.child.kill();
		let _ = self.child.wait();
	}
}

/// What a browser story (`apps/e2e/*.mjs`) printed, and whether it passed.
pub struct BrowserRun {
	/// It exited 0.
	pub passed: bool,
	/// Its exit status, for the failure message.
	pub status: std::process::ExitStatus,
	/// Standard output.
	pub stdout: String,
	/// Standard error.
	pub stderr: String,
}

/// Runs the browser story `script` (under `apps/`) with Node.js: headless Chromium
/// (`HEALTHCHAIN_CHROMIUM`, default Debian's), screenshots into `screenshots` (emptied first),
/// and the story's own `env`; prints its output.
pub fn run_browser_story(
	script: &str,
	screenshots: &std::path::Path,
	env: &[(&str, String)],
) -> BrowserRun {
	let _ = std::fs::remove_dir_all(screenshots);
	let chromium =
		std::env::var("HEALTHCHAIN_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
	let mut command = Command::new("node");
	command
		.arg(script)
		.current_dir(apps_dir())
		.env("HEALTHCHAIN_SCREENSHOTS", screenshots)
		.env("HEALTHCHAIN_CHROMIUM", chromium);
	for (name, value) in env {
		command.env(name, value);
	}
	let out = command.output().expect("node (Node.js) runs: scripts/test installs it");
	let run = BrowserRun {
		passed: out.status.success(),
		status: out.status,
		stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
		stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
	};
	println!("{}", run.stdout);
	run
}
