//! The consent questions: the runtime's consent decision, the chain's source rule, and a
//! patient's consent state, open per-request consent requests and live grants.

use super::node::{rpc_error, NodeView};
use crate::error::GatewayError;
use healthchain_client::{
	rpc::{CheckAccessParams, ConsentAnswer, GrantAnswer, RequestAnswer},
	HealthRpcClient,
};
use healthchain_primitives::{DataCategory, Decision, HealthId, Purpose, SourceRefusal};

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

	/// The patient's grants that permit now, at the best block: the chain's one live-grants
	/// answer (`health_liveGrants`, expired grants left out by the chain's clock whether or
	/// not they were pruned yet).
	pub async fn live_grants(&self, health_id: HealthId) -> Result<Vec<GrantAnswer>, GatewayError> {
		self.client()
			.await?
			.health()
			.live_grants(health_id, None)
			.await
			.map(|answer| answer.grants)
			.map_err(|e| rpc_error("health_liveGrants", e))
	}
}
