//! The extrinsics the gateway signs: anchors and their revocation, emergency accesses,
//! per-request consent requests and access attestations, each waiting for finality.

use super::node::NodeView;
use crate::wire::EmergencyReason;
use healthchain_client::{calls, runtime, Included, SubmitError};
use healthchain_primitives::{
	logs::{AccessBasis, RevocationReason},
	DataCategory, HealthId, Purpose,
};
use sp_core::H256;

/// What an attestation produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attested {
	/// Its position in the patient's access log.
	pub index: u64,
	/// The finalized block that holds it.
	pub block: u64,
	/// What the access rested on.
	pub basis: AccessBasis,
}

impl NodeView {
	/// Anchors a record; returns its position in the patient's record log and the block.
	pub async fn anchor(
		&self,
		health_id: HealthId,
		category: DataCategory,
		content_hash: H256,
		size: u32,
		supersedes: Option<H256>,
	) -> Result<(u64, u64), SubmitError> {
		let call = calls::anchor(health_id, category, content_hash, size, supersedes);
		let included = self.submit(&call).await?;
		let index =
			included
				.event::<runtime::records::events::RecordAnchored>()
				.map(|e| e.index)
				.ok_or_else(|| SubmitError::Unknown("anchor included without its event".into()))?;
		Ok((index, included.block_number))
	}

	/// Revokes one of this hospital's anchors because its key was destroyed.
	pub async fn revoke_erased(
		&self,
		health_id: HealthId,
		content_hash: H256,
	) -> Result<(), SubmitError> {
		let call = calls::revoke(health_id, content_hash, RevocationReason::Erased);
		self.submit(&call).await.map(|_| ())
	}

	/// Opens an emergency access for a practitioner of this hospital (alone: when an
	/// emergency fetch finds nothing to attest).
	pub async fn open_emergency_access(
		&self,
		health_id: HealthId,
		practitioner: &str,
		reason: EmergencyReason,
	) -> Result<(), SubmitError> {
		let call = calls::open_emergency_access(health_id, practitioner, reason);
		self.submit(&call).await.map(|_| ())
	}

	/// Sends a per-request consent request; returns its id.
	pub async fn request_access(
		&self,
		health_id: HealthId,
		practitioner: &str,
		categories: &[DataCategory],
		purpose: Purpose,
		grant_for_ms: Option<u64>,
	) -> Result<u64, SubmitError> {
		let call =
			calls::request_access(health_id, practitioner, categories, purpose, grant_for_ms);
		let included = self.submit(&call).await?;
		included
			.event::<runtime::consent::events::AccessRequested>()
			.map(|e| e.request_id)
			.ok_or_else(|| SubmitError::Unknown("request included without its event".into()))
	}

	/// Opens an emergency access for a practitioner of this hospital and attests the access
	/// in the same transaction (`Utility.batch_all`): one finality wait; the runtime decides
	/// again at the block's time, after the opening.
	pub async fn open_emergency_and_attest(
		&self,
		health_id: HealthId,
		practitioner: &str,
		reason: EmergencyReason,
		categories: &[DataCategory],
		records: &[H256],
	) -> Result<Attested, SubmitError> {
		let call =
			calls::open_emergency_and_attest(health_id, practitioner, reason, categories, records);
		attested(self.submit(&call).await?)
	}

	/// Attests an access; the runtime decides again at the block's time.
	pub async fn attest(
		&self,
		health_id: HealthId,
		practitioner: &str,
		categories: &[DataCategory],
		records: &[H256],
		purpose: Purpose,
	) -> Result<Attested, SubmitError> {
		let call = calls::attest(health_id, practitioner, categories, records, purpose);
		attested(self.submit(&call).await?)
	}
}

/// What an included attestation produced, from its `AccessAttested` event.
fn attested(included: Included) -> Result<Attested, SubmitError> {
	included
		.event::<runtime::access_log::events::AccessAttested>()
		.map(|e| Attested { index: e.index, block: included.block_number, basis: e.entry.0.basis })
		.ok_or_else(|| SubmitError::Unknown("attestation included without its event".into()))
}
