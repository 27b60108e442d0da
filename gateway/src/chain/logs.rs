//! The patient's logs in finalized state, every page verified against the on-chain head: the
//! record log (and the live records folded from it) and the access log.

use super::node::{rpc_error, NodeView};
use crate::error::{err, unavailable, GatewayError};
use healthchain_client::{rpc::PageParams, HealthRpcClient};
use healthchain_primitives::{
	logs::{self, AccessEntry, LiveRecord, RecordEntry, RecordOp},
	HealthId,
};
use sp_core::H256;

/// One verified access-log entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoggedAccess {
	/// Its position in the log.
	pub index: u64,
	/// The block that holds it.
	pub block: u32,
	/// The log head after it.
	pub head: H256,
	/// The entry, decoded from its verified bytes.
	pub entry: AccessEntry,
}

/// A verified page of an access log, newest first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessPage {
	/// Entries in the whole log.
	pub count: u64,
	/// The entries.
	pub entries: Vec<LoggedAccess>,
	/// The cursor of the next (older) page.
	pub next_cursor: Option<H256>,
}

impl NodeView {
	/// The patient's whole record log in finalized state, oldest first, with positions:
	/// every page verified against the on-chain head.
	pub async fn record_log(
		&self,
		health_id: HealthId,
	) -> Result<Vec<(u64, RecordEntry)>, GatewayError> {
		let client = self.client().await?;
		let mut entries = Vec::new();
		let mut cursor: Option<H256> = None;
		loop {
			let page = client
				.health()
				.records(health_id, Some(PageParams { limit: Some(100), cursor, finalized: true }))
				.await
				.map_err(|e| rpc_error("health_records", e))?;
			// The first page ends at the on-chain head, each later one at the cursor it was
			// asked with.
			let from = cursor.unwrap_or(page.head);
			let verified = page.verified::<RecordEntry>(from).map_err(|e| {
				unavailable(format!("the node served a record log that does not verify: {e}"))
			})?;
			entries.extend(verified);
			match page.next_cursor {
				Some(c) => cursor = Some(c),
				None => break,
			}
		}
		entries.reverse(); // oldest first
		Ok(entries)
	}

	/// The patient's live records (finalized state), oldest first: the verified record log
	/// folded with the one live-records rule.
	pub async fn live_records(&self, health_id: HealthId) -> Result<Vec<LiveRecord>, GatewayError> {
		let entries: Vec<RecordEntry> =
			self.record_log(health_id).await?.into_iter().map(|(_, e)| e).collect();
		Ok(logs::live_records(&entries))
	}

	/// Whether this hospital anchored `content_hash` for the patient in finalized state
	/// (revoked since or not): its position in the record log.
	pub async fn anchored_here(
		&self,
		health_id: HealthId,
		content_hash: H256,
	) -> Result<Option<u64>, GatewayError> {
		let log = self.record_log(health_id).await?;
		Ok(log.into_iter().find_map(|(index, e)| match e.op {
			RecordOp::Anchor { content_hash: h, .. }
				if h == content_hash
					&& healthchain_client::rpc::text(&e.hospital) == self.hospital =>
			{
				Some(index)
			},
			_ => None,
		}))
	}

	/// Access-log entry `index` of a patient in finalized state, with the hash chain from
	/// the on-chain head down to it verified.
	pub async fn attestation(
		&self,
		health_id: HealthId,
		index: u64,
	) -> Result<AccessEntry, GatewayError> {
		use crate::error::codes::BAD_ATTESTATION;
		let page = self
			.client()
			.await?
			.health()
			.access_log(
				health_id,
				Some(PageParams { limit: Some(100), cursor: None, finalized: true }),
			)
			.await
			.map_err(|e| rpc_error("health_accessLog", e))?;
		if index >= page.count {
			return Err(err(
				BAD_ATTESTATION,
				format!(
					"no attestation {index} in the patient's finalized access log ({} entries)",
					page.count
				),
			));
		}
		let verified = page.verified::<AccessEntry>(page.head).map_err(|e| {
			err(BAD_ATTESTATION, format!("the node served an access log that does not verify: {e}"))
		})?;
		verified.into_iter().find(|(i, _)| *i == index).map(|(_, e)| e).ok_or_else(|| {
			err(BAD_ATTESTATION, format!("attestation {index} is too old to serve on"))
		})
	}

	/// A page of the patient's access log in finalized state, newest first, at most
	/// `limit` entries below `cursor` (from the on-chain head when `None`): the hash chain
	/// verified from where it was asked, each entry decoded from its verified bytes.
	pub async fn access_page(
		&self,
		health_id: HealthId,
		cursor: Option<H256>,
		limit: u32,
	) -> Result<AccessPage, GatewayError> {
		let page = self
			.client()
			.await?
			.health()
			.access_log(health_id, Some(PageParams { limit: Some(limit), cursor, finalized: true }))
			.await
			.map_err(|e| rpc_error("health_accessLog", e))?;
		let verified = page.verified::<AccessEntry>(cursor.unwrap_or(page.head)).map_err(|e| {
			unavailable(format!("the node served an access log that does not verify: {e}"))
		})?;
		let entries = verified
			.into_iter()
			.zip(&page.entries)
			.map(|((index, entry), item)| LoggedAccess {
				index,
				block: item.block_number,
				head: item.head,
				entry,
			})
			.collect();
		Ok(AccessPage { count: page.count, entries, next_cursor: page.next_cursor })
	}
}
