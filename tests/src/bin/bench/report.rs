//! The bench's printed report: the phases' table, the ratios against their targets, the
//! `health_checkAccess` latencies, the million-patient chain, the floods and the state per
//! patient.

use super::{
	phases::{Floods, MillionReport},
	Args, BatchCheck, CheckLatency, PhaseReport, MIB,
};

/// What the phases of the chain with `--patients` patients measured.
pub(super) struct Results {
	/// Phase 1: `System::remark`.
	pub(super) baseline: PhaseReport,
	/// Phase 2: `AccessLog::attest`.
	pub(super) attest: PhaseReport,
	/// Phase 2: the `health_checkAccess` latency.
	pub(super) check: CheckLatency,
	/// Phase 3: `AccessLog::attest_batch`.
	pub(super) batch: PhaseReport,
	/// Phase 3: every access of an included batch attested.
	pub(super) batch_check: BatchCheck,
	/// Phase 4: attest at half capacity.
	pub(super) half: PhaseReport,
	/// Phase 4's pace, attestations a second.
	pub(super) pace: f64,
	/// Phase 5: attest under the floods.
	pub(super) floods: Floods,
	/// The state per patient table's rows.
	pub(super) state_rows: Vec<String>,
}

impl Results {
	/// The table's rows of these phases.
	fn rows(&self) -> [&PhaseReport; 6] {
		[
			&self.baseline,
			&self.attest,
			&self.batch,
			&self.half,
			&self.floods.at_validator,
			&self.floods.at_public,
		]
	}
}

/// Prints the phases' table, rates in items (remarks or attestations) a second.
fn print_table(rows: &[&PhaseReport]) {
	println!("| phase | items per extrinsic | submitted | refused | included items/s | finalized items/s | to best p50 / p99 (s) | to finalized p50 / p99 (s) | bytes/extrinsic | blocks (max per block) | node CPU (% of one core) | node RSS / peak (MiB) |");
	println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
	for r in rows {
		println!(
			"| {} | {} | {} | {} | {:.0} | {:.0} | {:.2} / {:.2} | {:.2} / {:.2} | {:.0} | {} ({}) | {:.0} | {:.0} / {:.0} |",
			r.name, r.items_per_extrinsic, r.submitted, r.rejected, r.included_items_per_s(),
			r.finalized_items_per_s(), r.best_p50, r.best_p99, r.fin_p50, r.fin_p99, r.bytes_per_tx,
			r.blocks, r.max_per_block, r.cpu_percent, r.rss_mb, r.peak_rss_mb
		);
	}
}

/// Prints the table of the phases with `--patients` patients, before the million-patient
/// phase runs.
pub(super) fn print_before_million(a: &Args, r: &Results) {
	println!();
	println!(
		"The phases with {} patients (the full table follows the million-patient phase):",
		a.patients
	);
	print_table(&r.rows());
	println!();
}

/// Prints the report: every phase's row, the targets, the latencies, the million-patient
/// chain (if it ran), the floods and the state per patient.
pub(super) fn print_report(a: &Args, r: &Results, million: Option<&MillionReport>) {
	println!();
	let mut rows = r.rows().to_vec();
	if let Some(m) = million {
		rows.push(&m.attest);
	}
	print_table(&rows);
	println!();
	print_targets(a, r, million);
	println!();
	print_check_latency(a, r, million);
	if let Some(m) = million {
		println!();
		print_million(m);
	}
	println!();
	print_floods(r);
	println!("| patient | attestations on chain | state key bytes | state value bytes |");
	println!("| --- | --- | --- | --- |");
	for row in &r.state_rows {
		println!("{row}");
	}
}

/// The ratios and rates against their targets.
fn print_targets(a: &Args, r: &Results, million: Option<&MillionReport>) {
	let (attest, baseline, half, pace) = (&r.attest, &r.baseline, &r.half, r.pace);
	println!(
		"attest / remark: included {:.2}, finalized {:.2} (target: at least 0.80)",
		attest.included_per_s / baseline.included_per_s,
		attest.finalized_per_s / baseline.finalized_per_s
	);
	println!("attest: {:.0} finalized a second (target: at least 1,000)", attest.finalized_per_s);
	println!(
		"attest_batch: {:.0} attestations finalized a second (target: at least 5,000); {}",
		r.batch.finalized_items_per_s(),
		r.batch_check
	);
	println!(
		"attest at half capacity ({pace:.0}/s): to best p50 {:.2} s, p99 {:.2} s; to finalized \
		 p50 {:.2} s, p99 {:.2} s (targets: p50 at most 3 s, p99 at most 6 s)",
		half.best_p50, half.best_p99, half.fin_p50, half.fin_p99
	);
	if let Some(m) = million {
		println!(
			"attest with {} patients in genesis / with {}: included {:.2}, finalized {:.2} \
			 (target: at least 0.80)",
			m.patients,
			a.patients,
			m.attest.included_per_s / attest.included_per_s,
			m.attest.finalized_per_s / attest.finalized_per_s
		);
	}
}

/// The `health_checkAccess` latencies' table.
fn print_check_latency(a: &Args, r: &Results, million: Option<&MillionReport>) {
	println!("| health_checkAccess, patients | calls | p50 (ms) | p99 (ms) | max (ms) | permits |");
	println!("| --- | --- | --- | --- | --- | --- |");
	let mut checks = vec![(a.patients, &r.check)];
	if let Some(m) = million {
		checks.push((m.patients, &m.check));
	}
	for (patients, c) in checks {
		let other =
			c.other.as_ref().map(|o| format!(" (first other answer: {o})")).unwrap_or_default();
		println!(
			"| {patients} | {} | {:.1} | {:.1} | {:.1} | {}{other} |",
			c.calls, c.p50_ms, c.p99_ms, c.max_ms, c.permits
		);
	}
}

/// The million-patient chain's spec, start and database growth.
fn print_million(m: &MillionReport) {
	println!(
		"million-patient chain: raw chain spec {:.0} MiB with {} storage keys, built in {:.0} \
		 s; its node served RPC {:.0} s after starting",
		m.spec_bytes as f64 / MIB,
		m.spec_keys,
		m.spec_secs,
		m.start_secs
	);
	println!(
		"database: {:.1} MiB before the attest phase, {:.1} MiB after ({} attestations \
		 finalized): {:.2} MiB per 100,000 attestations",
		m.db_before as f64 / MIB,
		m.db_after as f64 / MIB,
		m.attest.finalized_total,
		m.growth_per_100k() / MIB
	);
}

/// Each flood: attest under it against attest unloaded, what the keys sent and got in, and
/// the pool's answers.
fn print_floods(r: &Results) {
	let (attest, f) = (&r.attest, &r.floods);
	for (phase, flood, at) in [
		(&f.at_validator, &f.validator, "the validator's RPC, not rate-limited"),
		(&f.at_public, &f.public, "a public RPC node, rate-limited"),
	] {
		println!(
			"flood at {at}: attest under the flood / attest unloaded: included {:.2}, finalized \
			 {:.2} (target: at least 0.90)",
			phase.included_per_s / attest.included_per_s,
			phase.finalized_per_s / attest.finalized_per_s
		);
		println!(
			"  {} patient keys sent {} extrinsics ({:.0}/s); their own calls that reached blocks: \
			 {} in all, at most {} for one key (its quota: {} a day)",
			flood.keys,
			flood.tally.sent,
			flood.per_s,
			flood.total_included,
			flood.max_included_per_key,
			f.patient_quota.per_period,
		);
		println!();
		println!("| the pool's answer (code, data) | count |");
		println!("| --- | --- |");
		for (label, n) in &flood.tally.answers {
			println!("| {label} | {n} |");
		}
		println!();
	}
}
