//! The doctor's questions to the chain: who the practitioner is and whether they accepted the
//! terms (and recording that they did), what this hospital's policy is, and a practitioner's
//! emergency accesses with their reviews.

use super::node::{rpc_error, NodeView};
use crate::{
	error::{unavailable, GatewayError},
	wire::{EmergencyAnswer, ReviewState},
};
use healthchain_client::{
	calls::{self, Review},
	rpc::{HospitalAnswer, PractitionerAnswer},
	runtime, HealthRpcClient, Static, SubmitError,
};
use healthchain_primitives::HealthId;

/// The doctor's view of an emergency access as the chain stores it.
fn emergency_answer(
	emergency_id: u64,
	e: runtime::runtime_types::pallet_consent::types::EmergencyAccess,
) -> EmergencyAnswer {
	EmergencyAnswer {
		emergency_id,
		reason: *e.reason,
		opened_at: e.opened_at,
		expires_at: e.expires_at,
		review: match e.review {
			Review::Pending => ReviewState::Pending,
			Review::Justified => ReviewState::Justified,
			Review::Unjustified => ReviewState::Unjustified,
		},
	}
}

impl NodeView {
	/// A practitioner at the best block, or `None` if the licence is unknown.
	pub async fn practitioner(
		&self,
		licence: &str,
	) -> Result<Option<PractitionerAnswer>, GatewayError> {
		self.client()
			.await?
			.health()
			.practitioner(licence.to_string())
			.await
			.map_err(|e| rpc_error("health_practitioner", e))
	}

	/// This gateway's hospital at the best block.
	pub async fn own_hospital(&self) -> Result<HospitalAnswer, GatewayError> {
		self.client()
			.await?
			.health()
			.hospital(self.hospital.clone())
			.await
			.map_err(|e| rpc_error("health_hospital", e))?
			.ok_or_else(|| unavailable(format!("hospital {} is not on chain", self.hospital)))
	}

	/// Records that `licence` accepted the exchange's terms; returns the finalized block.
	pub async fn accept_terms(&self, licence: &str) -> Result<u64, SubmitError> {
		self.submit(&calls::accept_terms(licence)).await.map(|included| included.block_number)
	}

	/// Emergency access `emergency_id` at the best block, while the chain keeps it.
	pub async fn emergency_access(
		&self,
		emergency_id: u64,
	) -> Result<Option<EmergencyAnswer>, GatewayError> {
		let client = self.client().await?;
		let read =
			|e: &dyn std::fmt::Display| unavailable(format!("Consent.EmergencyAccesses: {e}"));
		let at = client.api().at_current_block().await.map_err(|e| read(&e))?;
		let value = at
			.storage()
			.entry(runtime::storage().consent().emergency_accesses())
			.map_err(|e| read(&e))?
			.try_fetch((emergency_id,))
			.await
			.map_err(|e| read(&e))?;
		match value {
			Some(v) => Ok(Some(emergency_answer(emergency_id, v.decode().map_err(|e| read(&e))?))),
			None => Ok(None),
		}
	}

	/// The latest emergency access `practitioner` of this hospital opened for the patient,
	/// at the best block, while the chain keeps it.
	pub async fn latest_emergency(
		&self,
		health_id: HealthId,
		practitioner: &str,
	) -> Result<Option<EmergencyAnswer>, GatewayError> {
		let client = self.client().await?;
		let read = |e: &dyn std::fmt::Display| unavailable(format!("Consent.ActiveEmergency: {e}"));
		let at = client.api().at_current_block().await.map_err(|e| read(&e))?;
		let id = at
			.storage()
			.entry(runtime::storage().consent().active_emergency())
			.map_err(|e| read(&e))?
			.try_fetch((Static(health_id), calls::text(&self.hospital), calls::text(practitioner)))
			.await
			.map_err(|e| read(&e))?;
		match id {
			Some(id) => self.emergency_access(id.decode().map_err(|e| read(&e))?).await,
			None => Ok(None),
		}
	}
}
