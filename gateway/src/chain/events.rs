//! The patients' own choices in a finalized block's events (`Enrolled`, `Withdrawn`,
//! `SourcesChanged`), as the withdrawal watcher acts on them.

use super::node::NodeView;
use crate::error::{unavailable, GatewayError};
use healthchain_client::runtime::consent::events::{Enrolled, SourcesChanged, Withdrawn};
use healthchain_primitives::HealthId;
use sp_core::H256;
use std::collections::BTreeSet;

/// What one finalized block's events ask of the watcher.
#[derive(Default)]
pub struct Choices {
	/// Patients who enrolled (serving may resume).
	pub enrolled: BTreeSet<HealthId>,
	/// Patients who withdrew or changed their sources.
	pub chose: BTreeSet<HealthId>,
}

impl NodeView {
	/// The patients' choices in the events of finalized block `hash`. An event that does not
	/// decode is an error, never skipped.
	pub async fn choices(&self, hash: H256) -> Result<Choices, GatewayError> {
		let client = self.client().await?;
		let at = client
			.api()
			.at_block(hash)
			.await
			.map_err(|e| unavailable(format!("block {hash:?}: {e}")))?;
		let events = at
			.events()
			.fetch()
			.await
			.map_err(|e| unavailable(format!("events of {hash:?}: {e}")))?;
		// An event that does not decode stops the catch-up here (the watermark stays before
		// this block): a withdrawal is never skipped silently.
		let undecodable = |e: &dyn std::fmt::Display| {
			unavailable(format!("an event of block {hash:?} does not decode: {e}"))
		};
		let mut t = Choices::default();
		for e in events.find::<Enrolled>() {
			t.enrolled.insert(e.map_err(|e| undecodable(&e))?.health_id.0);
		}
		for e in events.find::<Withdrawn>() {
			t.chose.insert(e.map_err(|e| undecodable(&e))?.health_id.0);
		}
		for e in events.find::<SourcesChanged>() {
			t.chose.insert(e.map_err(|e| undecodable(&e))?.health_id.0);
		}
		Ok(t)
	}
}
