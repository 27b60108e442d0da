//! Which signer may make which call: the runtime's table for the permission gate
//! ([`pallet_participants::CheckPermission`]), asked at pool validation and, as a call filter
//! on the transaction's origin, again at dispatch (calls nested in batches included).
//!
//! | signer | may make |
//! | --- | --- |
//! | patient key | `Consent.{enrol, withdraw, set_sources, set_sensitive_opt_in, respond, revoke_grant}` for its own health ID; `HealthIds.{cancel_rebind, confirm_rebind}` for its own health ID |
//! | gateway | `Records.*`, `AccessLog.*`; `Consent.{request_access, open_emergency_access, review_emergency_access, close_assistance}`; `Participants.{set_consent_policy, add_gateway, remove_gateway, affiliate_practitioner, end_affiliation, accept_terms}`; a patient's consent calls within an assistance session at its hospital |
//! | registrar | `HealthIds.{register, rebind_controller, deactivate, cancel_rebind, complete_rebind, link_document}`; `Consent.{open_assistance, close_assistance}`; a patient's consent calls within a service-point session it opened |
//! | licensing authority | `Participants.{license_practitioner, set_licence_status}`; `Consent.review_emergency_access` |
//! | operator | every call not removed: council, membership, governance, sudo, session keys, remarks |
//! | everyone | `Utility.{batch, batch_all, force_batch}` of calls it may make, nested at most [`MAX_BATCH_DEPTH`] deep |
//!
//! Governance calls of the pallets, such as `HealthIds.{reactivate, approve_rebind,
//! reject_rebind}` (deciding a contested controller rebind), take `AdminOrigin` (Root or a
//! council majority): they are reached through a council motion (or sudo on a development
//! chain), not by a signed role. An operator signing one directly passes this table but is
//! refused at dispatch (`BadOrigin`).
//!
//! Removed for every signed origin (here and in `BaseCallFilter`): `NodeAuthorization`'s
//! signed calls (node ownership is the council's: `add_well_known_node` and friends) and
//! `Utility.as_derivative`. Root (sudo on a development chain, `Governance.dispatch_as_root`)
//! bypasses the filters.

use crate::{AccountId, Runtime, RuntimeCall};
use healthchain_primitives::HealthId;
use pallet_participants::{Allowance, CallPolicy, Refusal, Signer};

/// Pool priority of hospitals' anchors, revocations and attestations: served first.
pub const PRIORITY_RECORDS: u64 = 3 << 40;
/// Pool priority of other participants' calls.
pub const PRIORITY_PARTICIPANT: u64 = 2 << 40;
/// Pool priority of patients' calls (and of calls made for an assisted patient).
pub const PRIORITY_PATIENT: u64 = 1 << 40;
/// How deep batches may nest: a batch of batches, no deeper.
pub const MAX_BATCH_DEPTH: u32 = 2;

type ConsentCall = pallet_consent::Call<Runtime>;
type HealthIdCall = pallet_health_id::Call<Runtime>;
type ParticipantsCall = pallet_participants::Call<Runtime>;
type UtilityCall = pallet_utility::Call<Runtime>;

/// The runtime's call table (see the module documentation).
pub struct RoleBoundCalls;

impl CallPolicy<AccountId, RuntimeCall> for RoleBoundCalls {
	fn check(who: &AccountId, signer: &Signer, call: &RuntimeCall) -> Result<Allowance, Refusal> {
		check_at(who, signer, call, 0).map(|a| Allowance { calls: a.calls.max(1), ..a })
	}

	fn calls(call: &RuntimeCall) -> u32 {
		count(call).max(1)
	}
}

/// Calls removed for every signed origin: the `BaseCallFilter` refuses them at dispatch too.
pub fn is_removed(call: &RuntimeCall) -> bool {
	matches!(
		call,
		RuntimeCall::NodeAuthorization(
			pallet_node_authorization::Call::claim_node { .. }
				| pallet_node_authorization::Call::remove_claim { .. }
				| pallet_node_authorization::Call::transfer_node { .. }
				| pallet_node_authorization::Call::add_connections { .. }
				| pallet_node_authorization::Call::remove_connections { .. }
		) | RuntimeCall::Utility(UtilityCall::as_derivative { .. })
	)
}

/// The runtime's `BaseCallFilter`: every call but the removed ones.
pub struct NotRemoved;
impl frame_support::traits::Contains<RuntimeCall> for NotRemoved {
	fn contains(call: &RuntimeCall) -> bool {
		!is_removed(call)
	}
}

fn batch(call: &RuntimeCall) -> Option<&[RuntimeCall]> {
	match call {
		RuntimeCall::Utility(
			UtilityCall::batch { calls }
			| UtilityCall::batch_all { calls }
			| UtilityCall::force_batch { calls },
		) => Some(calls),
		_ => None,
	}
}

fn count(call: &RuntimeCall) -> u32 {
	match batch(call) {
		Some(calls) => calls.iter().map(count).fold(0u32, u32::saturating_add),
		None => 1,
	}
}

fn check_at(
	who: &AccountId,
	signer: &Signer,
	call: &RuntimeCall,
	depth: u32,
) -> Result<Allowance, Refusal> {
	if let Some(calls) = batch(call) {
		if depth >= MAX_BATCH_DEPTH {
			return Err(Refusal::BatchTooDeep);
		}
		let mut total = Allowance { calls: 0, priority: PRIORITY_RECORDS };
		for c in calls {
			let a = check_at(who, signer, c, depth + 1)?;
			total.calls = total.calls.saturating_add(a.calls);
			total.priority = total.priority.min(a.priority);
		}
		return Ok(total);
	}
	if is_removed(call) {
		return Err(Refusal::OutsideRole);
	}
	leaf(who, signer, call).map(|priority| Allowance { calls: 1, priority })
}

/// A patient's consent call: the health ID it acts for, or the request it answers.
enum PatientAct {
	For(HealthId),
	Answer(pallet_consent::RequestId),
}

fn patient_act(call: &RuntimeCall) -> Option<PatientAct> {
	use PatientAct::*;
	match call {
		RuntimeCall::Consent(
			ConsentCall::enrol { health_id, .. }
			| ConsentCall::withdraw { health_id }
			| ConsentCall::set_sources { health_id, .. }
			| ConsentCall::set_sensitive_opt_in { health_id, .. }
			| ConsentCall::revoke_grant { health_id, .. },
		) => Some(For(*health_id)),
		RuntimeCall::Consent(ConsentCall::respond { request_id, .. }) => Some(Answer(*request_id)),
		_ => None,
	}
}

/// Whether `who` acts for the patient the call names ([`pallet_consent::Pallet::acts_for`]:
/// the one rule, asked here and at dispatch).
fn acts_for(who: &AccountId, act: PatientAct) -> Result<u64, Refusal> {
	let health_id = match act {
		PatientAct::For(id) => Some(id),
		PatientAct::Answer(request) => pallet_consent::Pallet::<Runtime>::request_patient(request),
	};
	match health_id.map(|id| pallet_consent::Pallet::<Runtime>::acts_for(who, &id)) {
		Some(Ok(_)) => Ok(PRIORITY_PATIENT),
		_ => Err(Refusal::NotForThisPatient),
	}
}

fn leaf(who: &AccountId, signer: &Signer, call: &RuntimeCall) -> Result<u64, Refusal> {
	use RuntimeCall as C;
	let role_call = match signer {
		Signer::Operator => return Ok(PRIORITY_PARTICIPANT),
		Signer::Patient(own) => match call {
			C::HealthIds(
				HealthIdCall::cancel_rebind { health_id }
				| HealthIdCall::confirm_rebind { health_id },
			) => {
				return if health_id == own {
					Ok(PRIORITY_PATIENT)
				} else {
					Err(Refusal::NotForThisPatient)
				}
			},
			_ => None,
		},
		Signer::Gateway(_) => match call {
			C::Records(_) | C::AccessLog(_) => Some(PRIORITY_RECORDS),
			C::Consent(
				ConsentCall::request_access { .. }
				| ConsentCall::open_emergency_access { .. }
				| ConsentCall::review_emergency_access { .. }
				| ConsentCall::close_assistance { .. },
			)
			| C::Participants(
				ParticipantsCall::set_consent_policy { .. }
				| ParticipantsCall::add_gateway { .. }
				| ParticipantsCall::remove_gateway { .. }
				| ParticipantsCall::affiliate_practitioner { .. }
				| ParticipantsCall::end_affiliation { .. }
				| ParticipantsCall::accept_terms { .. },
			) => Some(PRIORITY_PARTICIPANT),
			_ => None,
		},
		Signer::Registrar => match call {
			C::HealthIds(
				HealthIdCall::register { .. }
				| HealthIdCall::rebind_controller { .. }
				| HealthIdCall::deactivate { .. }
				| HealthIdCall::cancel_rebind { .. }
				| HealthIdCall::complete_rebind { .. }
				| HealthIdCall::link_document { .. },
			)
			| C::Consent(
				ConsentCall::open_assistance { .. } | ConsentCall::close_assistance { .. },
			) => Some(PRIORITY_PARTICIPANT),
			_ => None,
		},
		Signer::LicensingAuthority => match call {
			C::Participants(
				ParticipantsCall::license_practitioner { .. }
				| ParticipantsCall::set_licence_status { .. },
			)
			| C::Consent(ConsentCall::review_emergency_access { .. }) => Some(PRIORITY_PARTICIPANT),
			_ => None,
		},
	};
	if let Some(priority) = role_call {
		return Ok(priority);
	}
	if matches!(signer, Signer::LicensingAuthority) {
		return Err(Refusal::OutsideRole);
	}
	// A patient's consent calls: the patient's own key, or whoever acts for an assisted
	// patient within an assistance session.
	match patient_act(call) {
		Some(act) => acts_for(who, act),
		None => Err(Refusal::OutsideRole),
	}
}
