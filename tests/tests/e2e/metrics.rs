//! HealthChain's metrics (issue 15, part 3).
//!
//! The node: a development node with its Prometheus endpoint on; an anchor, an attestation, a
//! refused attestation, a consent request and an emergency access; once their block is final,
//! a scrape shows every HealthChain series move, next to Substrate's own.
//!
//! The gateway: calls that succeed, fail on bad parameters or name no method; its metrics
//! endpoint counts and times them by method and outcome (an unknown method name as `other`)
//! and shows the shredding backlog.

use healthchain_primitives::{demo::demo_patient, DataCategory, Purpose};
use healthchain_tests::{
	calls::{self, EmergencyReason},
	dev, free_port, http_get, http_post, submit, try_submit, DevIdp, GatewayPrep, GatewayProcess,
	GatewaySpec, Node, NodeConfig, SYSTEM_SCOPES,
};
use sp_core::H256;

/// The metric names the alert rules and the Grafana dashboard in `docs/monitoring` use, of
/// the node (`gateway` false) or of the gateway.
fn monitored(gateway: bool) -> Vec<String> {
	let files = [
		include_str!("../../../docs/monitoring/alerts.yml"),
		include_str!("../../../docs/monitoring/grafana-dashboard.json"),
	];
	let mut names: Vec<String> = files
		.iter()
		.flat_map(|f| f.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')))
		.filter(|w| w.starts_with("substrate_") || w.starts_with("healthchain_"))
		.filter(|w| w.starts_with("healthchain_gateway_") == gateway)
		.map(String::from)
		.collect();
	names.sort();
	names.dedup();
	names
}

/// Every metric the monitoring files use is in the scrape.
fn assert_monitored(scrape: &str, gateway: bool) {
	let names = monitored(gateway);
	assert!(names.len() >= 4, "{names:?}");
	for name in names {
		let exposed = scrape.lines().any(|l| {
			l.strip_prefix(name.as_str()).is_some_and(|rest| rest.starts_with(['{', ' ']))
		});
		assert!(exposed, "docs/monitoring uses {name}, which the scrape does not expose");
	}
}

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
	assert_monitored(&scrape, false);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_gateway_exports_request_counts_latency_and_the_shredding_backlog() {
	let node = Node::start(NodeConfig::dev()).await;
	node.wait_finalized(1).await;
	let port = free_port();
	let spec =
		GatewaySpec { metrics_port: Some(port), ..GatewaySpec::new("H0001", "//Dave", vec![]) };
	let idp = DevIdp::new();
	let gw = GatewayProcess::start(&node, GatewayPrep::new(), spec, &idp).await;
	let token = idp.token("his-H0001", &SYSTEM_SCOPES, None);
	let bearer = format!("Bearer {token}");
	let call = |body: &str| {
		let headers = [("Authorization", bearer.as_str())];
		http_post(&gw.api_addr, &gw.api_addr, &headers, body).expect("the local API answers")
	};
	let status = r#"{"jsonrpc":"2.0","id":1,"method":"gateway_status","params":[]}"#;
	for _ in 0..2 {
		let (code, body) = call(status);
		assert_eq!(code, 200, "{body}");
		assert!(body.contains("\"result\""), "{body}");
	}
	let (_, body) = call(r#"{"jsonrpc":"2.0","id":2,"method":"gateway_fetch","params":[42]}"#);
	assert!(body.contains("-32602"), "bad parameters: {body}");
	let (_, body) =
		call(r#"{"jsonrpc":"2.0","id":3,"method":"gateway_no_such_method_9f2c","params":[]}"#);
	assert!(body.contains("-32601"), "no such method: {body}");

	let addr = format!("127.0.0.1:{port}");
	let mut scrape = String::new();
	for _ in 0..40 {
		match http_get(&addr, "/metrics") {
			Ok((200, body)) if body.contains("healthchain_gateway_shred_backlog") => {
				scrape = body;
				break;
			},
			_ => tokio::time::sleep(std::time::Duration::from_millis(250)).await,
		}
	}
	let ok = ["api=\"local\"", "method=\"gateway_status\"", "outcome=\"ok\""];
	assert_eq!(value(&scrape, "healthchain_gateway_requests_total", &ok), Some(2.0), "{scrape}");
	assert_eq!(
		value(&scrape, "healthchain_gateway_request_duration_seconds_count", &ok),
		Some(2.0),
		"{scrape}"
	);
	let bad = ["method=\"gateway_fetch\"", "outcome=\"-32602\""];
	assert_eq!(value(&scrape, "healthchain_gateway_requests_total", &bad), Some(1.0), "{scrape}");
	let other = ["method=\"other\"", "outcome=\"-32601\""];
	assert_eq!(value(&scrape, "healthchain_gateway_requests_total", &other), Some(1.0), "{scrape}");
	assert!(!scrape.contains("gateway_no_such_method_9f2c"), "unknown names never become labels");
	assert_eq!(value(&scrape, "healthchain_gateway_shred_backlog", &[]), Some(0.0));
	assert_eq!(value(&scrape, "healthchain_gateway_revocations_due", &[]), Some(0.0));
	assert_monitored(&scrape, true);
}
