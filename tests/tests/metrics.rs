//! The node's HealthChain metrics (issue 15, part 3): a development node with its Prometheus
//! endpoint on; an anchor, an attestation, a refused attestation, a consent request and an
//! emergency access; once their block is final, a scrape shows every HealthChain series move,
//! next to Substrate's own.

use healthchain_primitives::{demo::demo_patient, DataCategory, Purpose};
use healthchain_tests::{
	calls::{self, EmergencyReason},
	dev, free_port, http_get, submit, try_submit, Node, NodeConfig,
};
use sp_core::H256;

/// The value of the series `name` in a scrape whose labels include `labels` (`key="value"`;
/// the node adds `chain="…"` to every series), if present.
fn value(scrape: &str, name: &str, labels: &[&str]) -> Option<f64> {
	scrape.lines().find_map(|line| {
		let (series, value) = line.rsplit_once(' ')?;
		let (metric, rest) = series.split_once('{').unwrap_or((series, ""));
		(metric == name && labels.iter().all(|l| rest.contains(l))).then(|| value.parse().ok())?
	})
}

#[tokio::test(flavor = "multi_thread")]
async fn the_node_exports_healthchain_metrics_that_move_with_the_finalized_chain() {
	let port = free_port();
	let mut config = NodeConfig::dev();
	config.args.extend(["--prometheus-port".into(), port.to_string()]);
	let node = Node::start(config).await;
	node.wait_finalized(1).await;
	let addr = format!("127.0.0.1:{port}");
	let (status, before) = http_get(&addr, "/metrics").expect("the Prometheus endpoint answers");
	assert_eq!(status, 200);
	assert!(before.contains("substrate_block_height"), "Substrate's own series are there");
	assert_eq!(value(&before, "healthchain_anchors_total", &[]), Some(0.0));
	assert_eq!(value(&before, "healthchain_pending_consent_requests", &[]), Some(0.0));

	let client = node.client().await;
	let (patient, gw_a, gw_b) = (dev::two(), dev::dave(), dev::eve());
	let p = demo_patient();
	submit(&client, &patient, &calls::enrol(p, calls::all_sources())).await;
	submit(
		&client,
		&gw_a,
		&calls::anchor(p, DataCategory::Allergy, H256::repeat_byte(1), 64, None),
	)
	.await;
	let allergy = [DataCategory::Allergy];
	submit(
		&client,
		&gw_a,
		&calls::attest(p, "MD10001", &allergy, &[H256::repeat_byte(1)], Purpose::Treatment),
	)
	.await;
	let sensitive = [DataCategory::Sensitive];
	let refused = try_submit(
		&client,
		&gw_a,
		&calls::attest(p, "MD10001", &sensitive, &[H256::repeat_byte(2)], Purpose::Treatment),
	)
	.await;
	assert!(refused.is_err(), "sensitive data without the opt-in is refused");
	submit(
		&client,
		&gw_b,
		&calls::request_access(p, "MD10002", &allergy, Purpose::Treatment, None),
	)
	.await;
	let last = submit(
		&client,
		&gw_a,
		&calls::open_emergency_access(p, "MD10001", EmergencyReason::Unconscious),
	)
	.await;
	node.wait_finalized(last.block_number).await;

	// The metrics follow finality: poll until they have seen the last block (no timing asserted).
	let mut scrape = String::new();
	for _ in 0..60 {
		scrape = http_get(&addr, "/metrics").expect("scrape").1;
		if value(&scrape, "healthchain_metrics_finalized_block", &[]).unwrap_or(0.0)
			>= last.block_number as f64
		{
			break;
		}
		tokio::time::sleep(std::time::Duration::from_millis(500)).await;
	}
	for (series, labels, expected) in [
		("healthchain_anchors_total", &[][..], 1.0),
		("healthchain_attestations_total", &["basis=\"enrolment\""], 1.0),
		("healthchain_attestation_refusals_total", &["reason=\"sensitiveNotOptedIn\""], 1.0),
		("healthchain_pending_consent_requests", &[], 1.0),
		("healthchain_open_emergency_accesses", &[], 1.0),
	] {
		let found = value(&scrape, series, labels);
		assert_eq!(found, Some(expected), "{series} {labels:?} in:\n{scrape}");
	}
}
