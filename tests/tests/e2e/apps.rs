//! The browser apps (issue 17) end to end: `apps/e2e/run.mjs` drives the patient app and the
//! auditor view in headless Chromium on the four-validator local network this test starts,
//! through the light client in the pages (issue 33), acting as the hospitals' gateways where
//! the story needs a doctor and as the registrar where it needs a rebind. The pages find the
//! network in their served `config.json`: the chain spec their light client starts from (its
//! boot nodes the public node's WebSocket address and, to show it stays closed, Alice's) and
//! an RPC node for log pages, which is a proxy the script makes lie (hide a request, rewrite
//! the log head, drop the newest entry): the light-client page shows the true state and
//! refuses the log, the page without a light client labels everything unverified. A `?rpc=`
//! link is asked about first, and kept only when accepted (issue 28). Afterwards the chain
//! itself is asked whether what the pages showed happened: the patient cancelled the
//! registrar's rebind from the app (no rebind is pending, the key's cancellation is recorded
//! and the key still controls the health ID), the patient withdrew, and their access log
//! holds the two accesses (one under a grant, one under an emergency access) and verifies.
//!
//! Needs what `scripts/test` installs first: Node.js, the locked npm packages (`npm ci` in
//! `apps/`), the built apps (`apps/dist`, with the wasm log verifier) and Debian's
//! `chromium` (`HEALTHCHAIN_CHROMIUM`). Screenshots of every step are written to
//! `$CARGO_TARGET_TMPDIR/apps-screenshots` (the test prints the path).

use healthchain_primitives::logs::AccessEntry;
use healthchain_tests::oidc::run_browser_story;
use healthchain_tests::{
	demo, free_port, keypair_from_uri, light_chain_spec, rpc::PageParams, runtime,
	websocket_multiaddr, Client, HealthRpcClient, Node, NodeConfig, Static, PUBLIC_NODE_KEY,
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
async fn a_patient_and_an_auditor_use_the_apps_through_a_light_client() {
	let apps = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../apps"));
	assert!(
		apps.join("dist/patient/index.html").is_file()
			&& apps.join("dist/log-verifier.wasm").is_file(),
		"apps/dist is not built: run ./scripts/test (it runs npm ci and builds the apps)"
	);
	// The four validators, Alice also on WebSocket (a light client may dial her, and must be
	// kept out), and the public node that serves light clients.
	let tmp = tempfile::tempdir().expect("a temporary directory");
	let base = tmp.path();
	let alice_ws = free_port();
	let alice =
		Node::start(NodeConfig::local_validator(0, Some(base), None).with_websocket(alice_ws))
			.await;
	let mut validators = vec![];
	for i in 1..4 {
		let config = NodeConfig::local_validator(i, Some(base), Some(alice.multiaddr(1)));
		validators.push(Node::start(config).await);
	}
	let public_ws = free_port();
	let public = Node::start(NodeConfig::public_node("local", &alice, public_ws)).await;
	public.wait_finalized(2).await;
	let spec = light_chain_spec(
		"local",
		&[websocket_multiaddr(public_ws, PUBLIC_NODE_KEY), websocket_multiaddr(alice_ws, 1)],
	);
	let spec_path = base.join("light-chain-spec.json");
	std::fs::write(&spec_path, spec).expect("the light client's chain spec is written");

	let screenshots = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("apps-screenshots");
	let run = run_browser_story(
		"e2e/run.mjs",
		&screenshots,
		&[
			("HEALTHCHAIN_WS", public.ws_url()),
			("HEALTHCHAIN_CHAIN_SPEC", spec_path.display().to_string()),
			("HEALTHCHAIN_VALIDATOR_WS", alice.ws_url()),
		],
	);
	assert!(
		run.passed,
		"the browser test failed ({:?}):\n{}\n{}\npublic node log:\n{}",
		run.status,
		run.stdout,
		run.stderr,
		healthchain_tests::tail(&public.log(), 40)
	);
	let node = public;

	// Every step left its screenshot.
	let shots = std::fs::read_dir(&screenshots).expect("screenshots written").count();
	assert!(shots >= 20, "{shots} screenshots in {}", screenshots.display());
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
		Some(sp_core::crypto::AccountId32::from(
			keypair_from_uri("//Alice//stash").expect("a development key").public_key().0
		)),
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
