//! Which signer may make which call: the runtime's table for the permission gate
//! ([`pallet_participants::CheckPermission`]), asked at pool validation and, as a call filter
//! on the transaction's origin, again at dispatch (calls nested in batches included).
//!
//! | signer | may make |
//! | --- | --- |
//! | patient key | `Consent.{enrol, withdraw, set_sources, set_sensitive_opt_in, respond, revoke_grant}` for its own health ID; `HealthIds.{cancel_rebind, confirm_rebind}` for its own health ID (whatever else the key is) |
//! | gateway | `Records.*`, `AccessLog.*`; `Consent.{request_access, open_emergency_access, close_assistance}`; `Participants.{set_consent_policy, add_gateway, remove_gateway, affiliate_practitioner, end_affiliation, accept_terms}`; within an assistance session at its hospital, an assisted patient's `Consent.{enrol, set_sources}` and answers to other hospitals' requests |
//! | registrar | `HealthIds.{register, rebind_controller, deactivate, cancel_rebind, complete_rebind, link_document}`; `Consent.{open_assistance, close_assistance}`; every consent call of an assisted patient within a service-point session it opened (but no answer to its own hospital's request, for a hospital service point) |
//! | licensing authority | `Participants.{license_practitioner, set_licence_status}`; `Consent.review_emergency_access` |
//! | operator | every call not removed: council, membership, governance, sudo, session keys, remarks |
//! | everyone | `Utility.{batch, batch_all, force_batch}` of calls it may make, nested at most [`MAX_BATCH_DEPTH`] deep |
//!
//! A gateway of a suspended hospital and a suspended registrar (or one whose service point's
//! hospital is suspended) make no call at all: the gate refuses them first
//! ([`pallet_participants::codes::SUSPENDED`]). The calls that protect a patient
//! (`Consent.{withdraw, revoke_grant}`, a refusing `Consent.respond`,
//! `HealthIds.{cancel_rebind, confirm_rebind}`) are [`CallKind::Protective`]: outside the
//! period's quota, at most `ProtectiveCallsPerBlock` a block.
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
use pallet_consent::ActScope;
use pallet_participants::{Allowance, CallKind, CallPolicy, Refusal, Signer};

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
type AccessLogCall = pallet_access_log::Call<Runtime>;

/// The runtime's call table (see the module documentation).
pub struct RoleBoundCalls;

impl CallPolicy<AccountId, RuntimeCall> for RoleBoundCalls {
	fn check(who: &AccountId, signer: &Signer, call: &RuntimeCall) -> Result<Allowance, Refusal> {
		check_at(who, signer, call, 0).map(|a| Allowance { calls: a.calls.max(1), ..a })
	}

	fn calls(call: &RuntimeCall) -> u32 {
		count(call).max(1)
	}

	fn checks(call: &RuntimeCall) -> u32 {
		patient_acts(call)
	}

	fn kind(call: &RuntimeCall) -> CallKind {
		if protective(call) {
			CallKind::Protective
		} else {
			CallKind::Ordinary
		}
	}
}

/// Whether `call` protects the patient who makes it (a batch: every call in it does):
/// withdrawing, revoking a grant, refusing a request, cancelling or confirming a rebind.
fn protective(call: &RuntimeCall) -> bool {
	match batch(call) {
		Some(calls) => !calls.is_empty() && calls.iter().all(protective),
		None => matches!(
			call,
			RuntimeCall::Consent(
				ConsentCall::withdraw { .. }
					| ConsentCall::revoke_grant { .. }
					| ConsentCall::respond { approve: false, .. }
			) | RuntimeCall::HealthIds(
				HealthIdCall::cancel_rebind { .. } | HealthIdCall::confirm_rebind { .. }
			)
		),
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

/// How many calls `call` counts for against a quota: a batch's calls, each of them; an
/// `attest_batch`'s accesses, each of them.
fn count(call: &RuntimeCall) -> u32 {
	match (batch(call), call) {
		(Some(calls), _) => calls.iter().map(count).fold(0u32, u32::saturating_add),
		(None, RuntimeCall::AccessLog(AccessLogCall::attest_batch { accesses })) => {
			(accesses.len() as u32).max(1)
		},
		(None, _) => 1,
	}
}

/// How many of the calls the gate checks are acts for a patient (a batch's calls, each of
/// them): the rule that reads the health ID and an assistance session or a request.
fn patient_acts(call: &RuntimeCall) -> u32 {
	match batch(call) {
		Some(calls) => calls.iter().map(patient_acts).fold(0u32, u32::saturating_add),
		None => u32::from(patient_act(call).is_some()),
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
	leaf(who, signer, call).map(|priority| Allowance { calls: count(call), priority })
}

/// A patient's consent call: the health ID it acts for (and what the act may change), or the
/// request it answers.
enum PatientAct {
	For(HealthId, ActScope),
	Answer(pallet_consent::RequestId),
}

fn patient_act(call: &RuntimeCall) -> Option<PatientAct> {
	use PatientAct::*;
	match call {
		RuntimeCall::Consent(
			ConsentCall::enrol { health_id, .. } | ConsentCall::set_sources { health_id, .. },
		) => Some(For(*health_id, ActScope::Routine)),
		RuntimeCall::Consent(
			ConsentCall::withdraw { health_id }
			| ConsentCall::set_sensitive_opt_in { health_id, .. }
			| ConsentCall::revoke_grant { health_id, .. },
		) => Some(For(*health_id, ActScope::Protected)),
		RuntimeCall::Consent(ConsentCall::respond { request_id, .. }) => Some(Answer(*request_id)),
		_ => None,
	}
}

/// Whether `who` acts for the patient the call names ([`pallet_consent::Pallet::acts_for`]
/// and [`pallet_consent::Pallet::answers_for`]: the one rule, asked here and at dispatch).
fn acts_for(who: &AccountId, act: PatientAct) -> Result<u64, Refusal> {
	type Consent = pallet_consent::Pallet<Runtime>;
	let allowed = match act {
		PatientAct::For(id, scope) => Consent::acts_for(who, &id, scope).is_ok(),
		PatientAct::Answer(request) => Consent::answers_for(who, request).is_ok(),
	};
	if allowed {
		Ok(PRIORITY_PATIENT)
	} else {
		Err(Refusal::NotForThisPatient)
	}
}

/// The health ID whose pending rebind `call` cancels or confirms.
fn rebind_answer(call: &RuntimeCall) -> Option<HealthId> {
	match call {
		RuntimeCall::HealthIds(
			HealthIdCall::cancel_rebind { health_id } | HealthIdCall::confirm_rebind { health_id },
		) => Some(*health_id),
		_ => None,
	}
}

fn leaf(who: &AccountId, signer: &Signer, call: &RuntimeCall) -> Result<u64, Refusal> {
	use RuntimeCall as C;
	// A key's own pending rebind: whatever else the key is, its answer is never silenced.
	if let Some(health_id) = rebind_answer(call) {
		let own = match signer {
			Signer::Patient(own) => Some(*own),
			_ => pallet_health_id::Pallet::<Runtime>::health_id_of_controller(who),
		};
		if own == Some(health_id) {
			return Ok(PRIORITY_PATIENT);
		}
		if matches!(signer, Signer::Patient(_)) {
			return Err(Refusal::NotForThisPatient);
		}
	}
	let role_call = match signer {
		Signer::Operator => return Ok(PRIORITY_PARTICIPANT),
		Signer::Patient(_) => None,
		Signer::Gateway(_) => match call {
			C::Records(_) | C::AccessLog(_) => Some(PRIORITY_RECORDS),
			C::Consent(
				ConsentCall::request_access { .. }
				| ConsentCall::open_emergency_access { .. }
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

/// The worst cases of the permission gate's and the quotas' benchmarks
/// (`pallet_participants::BenchmarkHelper`).
#[cfg(feature = "runtime-benchmarks")]
pub mod benchmark_cases {
	use super::*;
	use crate::RuntimeOrigin;
	use alloc::vec::Vec;
	use healthchain_primitives::{
		ConsentPolicy, DataCategory, DocumentKind, HospitalCode, Purpose,
	};
	use pallet_consent::Assistant;
	use pallet_health_id::Controller;
	use pallet_participants::{Hospital, HospitalStatus, Role};
	use sp_runtime::traits::{BlakeTwo256, Hash};
	use sp_runtime::BoundedVec;

	/// The costliest calls for the gate: a gateway acting for assisted patients in open
	/// assistance sessions at its hospital (the health ID, the session, the gateway's
	/// hospital are read for each call), batched when `n > 1`.
	pub struct GateWorstCases;

	fn registrar() -> AccountId {
		let registrar = AccountId::from([0xb1; 32]);
		if !pallet_participants::Pallet::<Runtime>::is_registrar(&registrar) {
			pallet_participants::Pallet::<Runtime>::grant_role(&registrar, Role::Registrar)
				.expect("a fresh account");
		}
		registrar
	}

	fn patient(i: u32, controller: Controller<AccountId>) -> HealthId {
		let id = HealthId(BlakeTwo256::hash_of(&(b"gate-bench", i)).0);
		pallet_health_id::Pallet::<Runtime>::register(
			RuntimeOrigin::signed(registrar()),
			id,
			DocumentKind::ThaiCitizenId,
			true,
			controller,
		)
		.expect("registers");
		id
	}

	fn opt_in(health_id: HealthId) -> RuntimeCall {
		RuntimeCall::Consent(ConsentCall::set_sensitive_opt_in { health_id, opt_in: true })
	}

	/// A routine act for an assisted patient, which a hospital's assistance session allows
	/// (the opt-in needs a registrar's desk).
	fn set_sources(health_id: HealthId) -> RuntimeCall {
		RuntimeCall::Consent(ConsentCall::set_sources {
			health_id,
			sources: pallet_consent::SourceSelection::All,
		})
	}

	/// A gateway's attestation: its role alone allows it.
	fn role_only_call() -> RuntimeCall {
		RuntimeCall::AccessLog(pallet_access_log::Call::attest {
			health_id: HealthId([0; 32]),
			practitioner: BoundedVec::truncate_from(b"MD10001".to_vec()),
			categories: BoundedVec::truncate_from(alloc::vec![DataCategory::Allergy]),
			records: BoundedVec::truncate_from(alloc::vec![sp_core::H256::zero()]),
			purpose: Purpose::Treatment,
		})
	}

	impl pallet_participants::BenchmarkHelper<AccountId, RuntimeCall> for GateWorstCases {
		fn worst_case_call(n: u32) -> (AccountId, RuntimeCall) {
			let code: HospitalCode = BoundedVec::truncate_from(b"HBENCH".to_vec());
			let gateway = AccountId::from([0xb0; 32]);
			pallet_participants::Pallet::<Runtime>::grant_role(
				&gateway,
				Role::Gateway(code.clone()),
			)
			.expect("a fresh account");
			pallet_participants::Hospitals::<Runtime>::insert(
				code.clone(),
				Hospital {
					name: BoundedVec::truncate_from(b"Benchmark hospital".to_vec()),
					policy: ConsentPolicy::OneTime,
					status: HospitalStatus::Active,
					gateways: BoundedVec::truncate_from(alloc::vec![gateway.clone()]),
				},
			);
			if n == 0 {
				return (gateway, role_only_call());
			}
			let mut calls: Vec<RuntimeCall> = (0..n)
				.map(|i| {
					let id = patient(i, Controller::Assisted);
					pallet_consent::Pallet::<Runtime>::open_assistance(
						RuntimeOrigin::signed(registrar()),
						id,
						Assistant::Hospital(code.clone()),
					)
					.expect("opens a session");
					set_sources(id)
				})
				.collect();
			let call = match (n, calls.pop()) {
				(1, Some(only)) => only,
				(_, last) => {
					calls.extend(last);
					RuntimeCall::Utility(UtilityCall::batch { calls })
				},
			};
			(gateway, call)
		}

		fn patient_call() -> (AccountId, RuntimeCall) {
			let key = AccountId::from([0xb2; 32]);
			let id = patient(u32::MAX, Controller::Key(key.clone()));
			(key, opt_in(id))
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use alloc::vec;
	use healthchain_primitives::{logs::AccessAttestation, DataCategory, Purpose};
	use sp_runtime::BoundedVec;

	fn access(i: u8) -> AccessAttestation {
		AccessAttestation {
			health_id: HealthId([i; 32]),
			practitioner: BoundedVec::truncate_from(b"MD10001".to_vec()),
			categories: BoundedVec::truncate_from(vec![DataCategory::Allergy]),
			records: BoundedVec::truncate_from(vec![sp_core::H256::repeat_byte(i)]),
			purpose: Purpose::Treatment,
		}
	}

	fn attest_batch(n: u8) -> RuntimeCall {
		RuntimeCall::AccessLog(AccessLogCall::attest_batch {
			accesses: BoundedVec::truncate_from((0..n).map(access).collect()),
		})
	}

	fn opt_in(i: u8) -> RuntimeCall {
		RuntimeCall::Consent(ConsentCall::set_sensitive_opt_in {
			health_id: HealthId([i; 32]),
			opt_in: true,
		})
	}

	#[test]
	fn each_access_of_a_batch_counts_against_the_quota_but_the_gate_checks_the_call_once() {
		assert_eq!(RoleBoundCalls::calls(&attest_batch(40)), 40);
		assert_eq!(RoleBoundCalls::checks(&attest_batch(40)), 0, "the role alone allows it");
		let nested = RuntimeCall::Utility(UtilityCall::batch {
			calls: vec![attest_batch(3), attest_batch(5)],
		});
		assert_eq!(RoleBoundCalls::calls(&nested), 8);
	}

	#[test]
	fn the_gate_is_weighed_by_the_acts_for_patients_it_checks() {
		assert_eq!(RoleBoundCalls::checks(&opt_in(1)), 1);
		let batch = RuntimeCall::Utility(UtilityCall::batch {
			calls: vec![opt_in(1), opt_in(2), attest_batch(2), opt_in(3)],
		});
		assert_eq!(RoleBoundCalls::checks(&batch), 3);
		assert_eq!(RoleBoundCalls::calls(&batch), 5);
		let remark = RuntimeCall::System(frame_system::Call::remark { remark: vec![] });
		assert_eq!((RoleBoundCalls::checks(&remark), RoleBoundCalls::calls(&remark)), (0, 1));
	}
}
