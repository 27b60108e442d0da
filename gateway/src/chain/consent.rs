//! The consent questions: the runtime's consent decision, the chain's source rule, and a
//! patient's consent state, open per-request consent requests and grants.

use super::node::{rpc_error, NodeView};
use crate::error::{unavailable, GatewayError};
use healthchain_client::{
	rpc::{CheckAccessParams, ConsentAnswer, RequestAnswer},
	runtime, HealthRpcClient,
};
use healthchain_primitives::{DataCategory, Decision, HealthId, Purpose, SourceRefusal};

/// A grant from an approved per-request consent request, as stored on chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
	/// The hospital it was granted to.
	pub hospital: String,
	/// The practitioner it was granted to.
	pub practitioner: String,
	/// The request it came from.
	pub request_id: u64,
	/// The categories it covers.
	pub categories: Vec<DataCategory>,
	/// The purpose it covers.
	pub purpose: Purpose,
	/// When it was granted (ms).
	pub granted_at: u64,
	/// When it stops permitting (ms, exclusive).
	pub expires_at: u64,
}

impl NodeView {
	/// The consent decision (the runtime's `consent::decide`) for a practitioner of this
	/// hospital.
	pub async fn decide(
		&self,
		health_id: HealthId,
		practitioner: &str,
		categories: &[DataCategory],
		purpose: Purpose,
	) -> Result<Decision, GatewayError> {
		let params = CheckAccessParams {
			practitioner: practitioner.to_string(),
			hospital: self.hospital.clone(),
			health_id,
			categories: categories.to_vec(),
			purpose,
			at_time: None,
		};
		let answer = self
			.client()
			.await?
			.health()
			.check_access(params)
			.await
			.map_err(|e| rpc_error("health_checkAccess", e))?;
		Ok(answer.decision)
	}

	/// The chain's source rule: may `hospital` send (and serve) the patient's data, at the
	/// best block or the finalized one.
	pub async fn source_check(
		&self,
		health_id: HealthId,
		hospital: &str,
		finalized: bool,
	) -> Result<Result<(), SourceRefusal>, GatewayError> {
		let answer = self
			.client()
			.await?
			.health()
			.source_check(health_id, hospital.to_string(), Some(finalized))
			.await
			.map_err(|e| rpc_error("health_sourceCheck", e))?;
		Ok(answer.status.result())
	}

	/// The chain's source rule for this gateway's own hospital.
	pub async fn serves(
		&self,
		health_id: HealthId,
		finalized: bool,
	) -> Result<Result<(), SourceRefusal>, GatewayError> {
		self.source_check(health_id, &self.hospital, finalized).await
	}

	/// The patient's consent state at the best block, or `None` if they never enrolled.
	pub async fn consent(
		&self,
		health_id: HealthId,
	) -> Result<Option<ConsentAnswer>, GatewayError> {
		self.client()
			.await?
			.health()
			.consent(health_id)
			.await
			.map_err(|e| rpc_error("health_consent", e))
	}

	/// The patient's open per-request consent requests at the best block.
	pub async fn pending_requests(
		&self,
		health_id: HealthId,
	) -> Result<Vec<RequestAnswer>, GatewayError> {
		self.client()
			.await?
			.health()
			.pending_requests(health_id)
			.await
			.map_err(|e| rpc_error("health_pendingRequests", e))
	}

	/// The patient's grants from approved consent requests at the best block, as stored
	/// (a grant permits until its `expires_at`; the chain prunes it later).
	pub async fn grants(&self, health_id: HealthId) -> Result<Vec<Grant>, GatewayError> {
		let client = self.client().await?;
		let at = client.api().at_current_block().await.map_err(unavailable)?;
		let entry = at
			.storage()
			.entry(runtime::storage().consent().grants())
			.map_err(|e| unavailable(format!("Consent.Grants: {e}")))?;
		let mut items = entry
			.iter((healthchain_client::subxt::utils::Static(health_id),))
			.await
			.map_err(|e| unavailable(format!("Consent.Grants: {e}")))?;
		let mut grants = Vec::new();
		while let Some(item) = items.next().await {
			let item = item.map_err(|e| unavailable(format!("Consent.Grants: {e}")))?;
			let (_, hospital, practitioner) = item
				.key()
				.and_then(|k| k.decode())
				.map_err(|e| unavailable(format!("Consent.Grants key: {e}")))?;
			let g = item
				.value()
				.decode()
				.map_err(|e| unavailable(format!("Consent.Grants value: {e}")))?;
			grants.push(Grant {
				hospital: healthchain_client::rpc::text(&hospital.0),
				practitioner: healthchain_client::rpc::text(&practitioner.0),
				request_id: g.request_id,
				categories: g.categories.0.into_iter().map(|c| c.0).collect(),
				purpose: g.purpose.0,
				granted_at: g.granted_at,
				expires_at: g.expires_at,
			});
		}
		Ok(grants)
	}
}
