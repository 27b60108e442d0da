//! The browser apps (issue 17) end to end: `apps/e2e/run.mjs` drives the patient app and the
//! auditor view in headless Chromium against a development node this test starts, acting as
//! the hospitals' gateways where the story needs a doctor and as the registrar where it needs
//! a rebind. The pages find the node in their served `config.json`; a `?rpc=` link is asked
//! about first, and kept only when accepted (issue 28). Afterwards the chain itself is asked
//! whether what the pages showed happened: the patient cancelled the registrar's rebind from
//! the app (no rebind is pending, the key's cancellation is recorded and the key still
//! controls the health ID), the patient withdrew, and their access log holds the two accesses
//! (one under a grant, one under an emergency access) and verifies.
//!
//! Needs what `scripts/test` installs first: Node.js, the locked npm packages (`npm ci` in
//! `apps/`), the built apps (`apps/dist`, with the wasm log verifier) and Debian's
//! `chromium` (`HEALTHCHAIN_CHROMIUM`). Screenshots of every step are written to
//! `$CARGO_TARGET_TMPDIR/apps-screenshots` (the test prints the path).

use healthchain_primitives::logs::AccessEntry;
use healthchain_tests::oidc::run_browser_story;
use healthchain_tests::{
	demo, dev, rpc::PageParams, runtime, Client, HealthRpcClient, Node, NodeConfig, Static,
};
use std::path::PathBuf;

/// Whether `HealthIds.PendingRebinds` and `HealthIds.KeyCancelledRebind` hold an entry for
/// `id` at the best block.
async fn rebind_state(client: &Client, id: healthchain_primitives::HealthId) -> (bool, bool) {
	let at = client.api().at_current_block().await.expect("the best block");
	let storage = at.storage();
	let pending = storage
		.entry(runtime::storage().health_ids().pending_rebinds())
		.expect("HealthIds.PendingRebinds")
		.try_fetch((Static(id),))
		.await
		.expect("HealthIds.PendingRebinds read");
	let cancelled = storage
		.entry(runtime::storage().health_ids().key_cancelled_rebind())
		.expect("HealthIds.KeyCancelledRebind")
		.try_fetch((Static(id),))
		.await
		.expect("HealthIds.KeyCancelledRebind read");
	(pending.is_some(), cancelled.is_some())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_patient_and_an_auditor_use_the_apps_in_a_real_browser() {
	let apps = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../apps"));
	assert!(
		apps.join("dist/patient/index.html").is_file()
			&& apps.join("dist/log-verifier.wasm").is_file(),
		"apps/dist is not built: run ./scripts/test (it runs npm ci and builds the apps)"
	);
	let node = Node::start(NodeConfig::dev()).await;
	node.wait_finalized(1).await;
	let screenshots = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("apps-screenshots");
	let run = run_browser_story("e2e/run.mjs", &screenshots, &[("HEALTHCHAIN_WS", node.ws_url())]);
	assert!(
		run.passed,
		"the browser test failed ({:?}):\n{}\n{}\nnode log:\n{}",
		run.status,
		run.stdout,
		run.stderr,
		healthchain_tests::tail(&node.log(), 40)
	);

	// Every step left its screenshot.
	let shots = std::fs::read_dir(&screenshots).expect("screenshots written").count();
	assert!(shots >= 18, "{shots} screenshots in {}", screenshots.display());
	println!("screenshots: {}", screenshots.display());

	// The chain agrees with what the pages showed.
	let rpc = node.rpc();
	let patient = demo::demo_patient();
	let (pending, cancelled) = rebind_state(&node.client().await, patient).await;
	assert!(!pending, "no rebind is pending: the app cancelled one, the registrar the other");
	assert!(cancelled, "the patient's key cancelled a rebind (from the app)");
	let record = rpc.health_id(patient).await.unwrap().expect("the demo patient");
	assert_eq!(
		record.controller,
		Some(sp_core::crypto::AccountId32::from(dev::two().public_key().0)),
		"the patient's own key still controls the health ID"
	);
	let consent = rpc.consent(patient).await.unwrap().expect("the patient enrolled once");
	assert!(!consent.enrolled, "the patient withdrew in the app");
	assert!(!consent.can_enrol_today, "and may join again only tomorrow");
	assert!(consent.sources_changed_on.is_some(), "the one source change of the day stands");
	let log = rpc.access_log(patient, Some(PageParams::default())).await.unwrap();
	assert_eq!(log.count, 2, "the grant access and the emergency access");
	let entries = log.verified::<AccessEntry>(log.head).expect("the log the apps showed verifies");
	assert_eq!(entries[0].1.hospital.to_vec(), b"H0001".to_vec());
	assert_eq!(entries[1].1.hospital.to_vec(), b"H0002".to_vec());
}
