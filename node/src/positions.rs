//! The finalized positions of the per-patient logs, for the `health_*` RPC's paging.
//!
//! A page cursor is the head after some entry of a patient's log; the RPC must refuse a head
//! written by a block of an abandoned fork (the runtime's offchain index keeps those entries
//! too). Walking the log back from its on-chain head to the cursor proves it canonical, but
//! costs one index read per entry in between: a fetch of a long log, page by page, was
//! quadratic. Here every finalized block's log events (`RecordAnchored`, `RecordRevoked`,
//! `AccessAttested`, each with its index and the head after it) are written into the node's
//! offchain storage under [`logs::position_key`]: a finalized position never changes, so a
//! cursor whose entry's position holds the cursor itself is canonical in one read. Cursors
//! into blocks not finalized yet, or finalized before this node recorded positions, fall back
//! to the walk, which stays correct.

use crate::{client::FullClient, metrics::block_events};
use codec::Encode;
use futures::StreamExt;
use healthchain_primitives::{
	logs::{self, LogKind},
	HealthId,
};
use healthchain_runtime::RuntimeEvent;
use sc_client_api::BlockchainEvents;
use sp_core::{offchain::OffchainStorage, H256};
use std::sync::Arc;

/// The log positions one block's events finalize: (log, patient, index, head after it).
pub fn positions(events: &[RuntimeEvent]) -> Vec<(LogKind, HealthId, u64, H256)> {
	events
		.iter()
		.filter_map(|event| match event {
			RuntimeEvent::Records(
				pallet_records::Event::RecordAnchored { health_id, index, head, .. }
				| pallet_records::Event::RecordRevoked { health_id, index, head, .. },
			) => Some((LogKind::Records, *health_id, *index, *head)),
			RuntimeEvent::AccessLog(pallet_access_log::Event::AccessAttested {
				health_id,
				index,
				head,
				..
			}) => Some((LogKind::Access, *health_id, *index, *head)),
			_ => None,
		})
		.collect()
}

/// Writes `positions` into the node's offchain storage.
pub fn record<S: OffchainStorage>(offchain: &mut S, positions: &[(LogKind, HealthId, u64, H256)]) {
	for (kind, id, index, head) in positions {
		offchain.set(
			sp_core::offchain::STORAGE_PREFIX,
			&logs::position_key(*kind, id, *index),
			&head.encode(),
		);
	}
}

/// The head after entry `index` of `id`'s `kind` log, if the node recorded it finalized.
pub fn finalized_head<S: OffchainStorage>(
	offchain: &S,
	kind: LogKind,
	id: &HealthId,
	index: u64,
) -> Option<H256> {
	let raw =
		offchain.get(sp_core::offchain::STORAGE_PREFIX, &logs::position_key(kind, id, index))?;
	<H256 as codec::Decode>::decode(&mut &raw[..]).ok()
}

/// Records the positions of every finalized block, in order, until the node stops.
pub async fn run<S: OffchainStorage>(client: Arc<FullClient>, mut offchain: S) {
	let mut finality = client.finality_notification_stream();
	while let Some(notification) = finality.next().await {
		for hash in notification.tree_route.iter().chain(std::iter::once(&notification.hash)) {
			if let Some(events) = block_events(&client, *hash) {
				record(&mut offchain, &positions(&events));
			}
		}
	}
}
