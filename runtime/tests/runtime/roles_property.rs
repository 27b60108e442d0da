//! Random signers of every role make random calls, nested batches included, through the
//! runtime's whole transaction-extension pipeline on the development genesis (quotas lowered by
//! governance so that they bite within a short sequence). After every step:
//!
//! - the pool's verdict (`validate_only` of the runtime's `TxExtension`) is the one the role
//!   table in the README gives, with the documented code, and a refused transaction changes no
//!   state when it is dispatched anyway;
//! - the dispatch-time backstop (the call filter the permission gate puts on the origin) lets
//!   through exactly the leaf calls the role table allows, and a refused leaf dispatched with
//!   that origin fails with `CallFiltered` and changes nothing;
//! - quotas are never exceeded: the calls each account got through, counted per block and per
//!   day, stay within its kind's quota, and every over-quota refusal is exactly at the limit;
//! - state stays bounded: grants, pending requests (per patient and per hospital) and
//!   unreviewed emergency accesses stay within their caps and their counters agree with the
//!   maps; after the licensing authority's reviews and four months (the overturn window and
//!   more), pruning leaves no request and no emergency access behind.
//!
//! The sequences suspend and reinstate hospitals (a suspended hospital's gateway is refused
//! everything, with its own code), add gateways (a patient's key among them), revoke records,
//! and open assistance sessions for the demo's assisted patient at a hospital or at the
//! registrar's desk; the calls that protect a patient are outside the period's quota.
//!
//! The role table is restated here from the README ("Roles, calls, quotas and refusal codes"),
//! independently of `runtime/src/configs/permissions.rs`, so that the two are held against each
//! other.

use codec::Encode;
use frame_support::{
	dispatch::GetDispatchInfo,
	traits::{Get, OnIdle, OriginTrait},
	weights::Weight,
};
use healthchain_primitives::{demo, DataCategory, HealthId, HospitalCode, LicenceNumber, Purpose};
use healthchain_runtime::{
	AccountId, AllPalletsWithSystem, Runtime, RuntimeCall, RuntimeOrigin, TxExtension,
};
use pallet_consent::{EmergencyAccesses, Review};
use pallet_participants::{codes, CheckPermission, Quota, Signer, SignerKind};
use proptest::prelude::*;
use sp_keyring::Sr25519Keyring;
use sp_runtime::{
	generic::Era,
	traits::{DispatchTransaction, Dispatchable},
	transaction_validity::{InvalidTransaction, TransactionSource, TransactionValidityError},
	BoundedVec, StateVersion,
};
use std::collections::HashMap;

type ConsentCall = pallet_consent::Call<Runtime>;
type HealthIdCall = pallet_health_id::Call<Runtime>;
type ParticipantsCall = pallet_participants::Call<Runtime>;
type UtilityCall = pallet_utility::Call<Runtime>;

/// Block time (ms).
const BLOCK_MS: u64 = healthchain_runtime::MILLISECS_PER_BLOCK;

/// The quota period (a day), in blocks.
fn period() -> u32 {
	<Runtime as pallet_participants::Config>::QuotaPeriod::get()
}

/// The quotas governance sets for the test: small, so sequences of a few dozen steps reach them.
fn test_quota(kind: SignerKind) -> Quota {
	match kind {
		SignerKind::Patient => Quota { per_block: 2, per_period: 5, max_pooled: 4 },
		SignerKind::Gateway => Quota { per_block: 3, per_period: 8, max_pooled: 16 },
		_ => Quota { per_block: 2, per_period: 6, max_pooled: 8 },
	}
}

const KINDS: [SignerKind; 5] = [
	SignerKind::Patient,
	SignerKind::Gateway,
	SignerKind::Registrar,
	SignerKind::LicensingAuthority,
	SignerKind::Operator,
];

/// Who signs.
#[derive(Clone, Copy, Debug)]
enum Who {
	Operator,
	GatewayA,
	GatewayB,
	Registrar,
	Authority,
	/// The demo patient's key (`//Two`).
	PatientKey0,
	/// A second patient, registered with its key by the test.
	PatientKey1,
	Stranger,
}

fn second_patient_key() -> AccountId {
	AccountId::new([7; 32])
}

fn account(who: Who) -> AccountId {
	match who {
		Who::Operator => Sr25519Keyring::Alice.to_account_id(),
		Who::GatewayA => Sr25519Keyring::Dave.to_account_id(),
		Who::GatewayB => Sr25519Keyring::Eve.to_account_id(),
		Who::Registrar => Sr25519Keyring::Ferdie.to_account_id(),
		Who::Authority => Sr25519Keyring::One.to_account_id(),
		Who::PatientKey0 => Sr25519Keyring::Two.to_account_id(),
		Who::PatientKey1 => second_patient_key(),
		Who::Stranger => AccountId::new([9; 32]),
	}
}

/// Patient 0: the demo patient; 1: registered by the test; 2: never registered; 3: the demo's
/// assisted patient (no key: served within assistance sessions).
fn patient(p: u8) -> HealthId {
	match p % 4 {
		0 => demo::demo_patient(),
		1 => demo::test_patient(1),
		2 => demo::test_patient(99),
		_ => demo::demo_migrant(),
	}
}

fn doctor(d: u8) -> LicenceNumber {
	let licence: &[u8] =
		if d.is_multiple_of(2) { demo::DEMO_DOCTOR_A } else { demo::DEMO_DOCTOR_B };
	LicenceNumber::truncate_from(licence.to_vec())
}

fn hospitals() -> [HospitalCode; 2] {
	[demo::DEMO_HOSPITAL_A, demo::DEMO_HOSPITAL_B].map(|h| HospitalCode::truncate_from(h.to_vec()))
}

/// A call that is not a batch.
#[derive(Clone, Debug)]
enum Leaf {
	Remark,
	OptIn(u8, bool),
	SetSources(u8),
	Withdraw(u8),
	Enrol(u8),
	RequestAccess(u8, u8),
	Respond(u8, bool),
	RevokeGrant(u8, u8),
	OpenEmergency(u8, u8),
	Review(u8, bool),
	Attest(u8),
	Deactivate(u8),
	CancelRebind(u8),
	ConfirmRebind(u8),
	License(u8),
	SetQuota,
	ClaimNode,
	AsDerivative,
	/// A gateway adds an account to hospital `n % 2`: a fresh one, or (odd `n / 2`) the
	/// second patient's key.
	AddGateway(u8),
	/// A gateway revokes a record of patient `p` (none is anchored: refused at dispatch).
	Revoke(u8),
	/// The registrar opens a session for the assisted patient: at hospital A, or at its desk.
	OpenAssistance(bool),
}

/// A transaction's call: a leaf, or a `Utility` batch (0 `batch`, 1 `batch_all`,
/// 2 `force_batch`) of calls.
#[derive(Clone, Debug)]
enum Tx {
	Leaf(Leaf),
	Batch(u8, Vec<Tx>),
}

#[derive(Clone, Debug)]
enum Step {
	/// Through the pool's validation and, whatever it says, the block's dispatch.
	Submit(Who, Tx),
	/// A transaction validated as something harmless, then carrying this call instead: the
	/// dispatch-time backstop alone stands in the way.
	Bypass(Who, Tx),
	NextBlock,
	NextDay,
	/// The council suspends (`true`) or reinstates hospital `h % 2`.
	Suspend(u8, bool),
}

fn leaf_call(l: &Leaf) -> RuntimeCall {
	use Leaf::*;
	let cats = || BoundedVec::truncate_from(vec![DataCategory::Allergy]);
	match l {
		Remark => RuntimeCall::System(frame_system::Call::remark { remark: vec![1; 8] }),
		OptIn(p, b) => RuntimeCall::Consent(ConsentCall::set_sensitive_opt_in {
			health_id: patient(*p),
			opt_in: *b,
		}),
		SetSources(p) => RuntimeCall::Consent(ConsentCall::set_sources {
			health_id: patient(*p),
			sources: pallet_consent::SourceSelection::All,
		}),
		Withdraw(p) => RuntimeCall::Consent(ConsentCall::withdraw { health_id: patient(*p) }),
		Enrol(p) => RuntimeCall::Consent(ConsentCall::enrol {
			health_id: patient(*p),
			sources: pallet_consent::SourceSelection::All,
		}),
		RequestAccess(p, d) => RuntimeCall::Consent(ConsentCall::request_access {
			health_id: patient(*p),
			practitioner: doctor(*d),
			categories: cats(),
			purpose: Purpose::Treatment,
			grant_for: None,
		}),
		Respond(r, approve) => RuntimeCall::Consent(ConsentCall::respond {
			request_id: u64::from(*r % 6),
			approve: *approve,
		}),
		RevokeGrant(p, d) => RuntimeCall::Consent(ConsentCall::revoke_grant {
			health_id: patient(*p),
			hospital: hospitals()[(*d % 2) as usize].clone(),
			practitioner: doctor(*d),
		}),
		OpenEmergency(p, d) => RuntimeCall::Consent(ConsentCall::open_emergency_access {
			health_id: patient(*p),
			practitioner: doctor(*d),
			reason: pallet_consent::EmergencyReason::Unconscious,
		}),
		Review(e, justified) => RuntimeCall::Consent(ConsentCall::review_emergency_access {
			emergency_id: u64::from(*e % 6),
			review: if *justified {
				pallet_consent::Review::Justified
			} else {
				pallet_consent::Review::Unjustified
			},
		}),
		Attest(p) => RuntimeCall::AccessLog(pallet_access_log::Call::attest {
			health_id: patient(*p),
			practitioner: doctor(0),
			categories: cats(),
			records: BoundedVec::truncate_from(vec![sp_core::H256::zero()]),
			purpose: Purpose::Treatment,
		}),
		Deactivate(p) => RuntimeCall::HealthIds(HealthIdCall::deactivate {
			health_id: patient(*p),
			reason: pallet_health_id::DeactivationReason::Other,
		}),
		CancelRebind(p) => {
			RuntimeCall::HealthIds(HealthIdCall::cancel_rebind { health_id: patient(*p) })
		},
		ConfirmRebind(p) => {
			RuntimeCall::HealthIds(HealthIdCall::confirm_rebind { health_id: patient(*p) })
		},
		License(n) => RuntimeCall::Participants(ParticipantsCall::license_practitioner {
			licence: BoundedVec::truncate_from(format!("MDP{n}").into_bytes()),
		}),
		// An admin call: an operator passes the gate; dispatch wants root or the council.
		SetQuota => RuntimeCall::Participants(ParticipantsCall::set_quota {
			kind: SignerKind::Patient,
			quota: Some(test_quota(SignerKind::Patient)),
		}),
		ClaimNode => RuntimeCall::NodeAuthorization(pallet_node_authorization::Call::claim_node {
			node: sp_core::OpaquePeerId(vec![1; 38]),
		}),
		AsDerivative => RuntimeCall::Utility(UtilityCall::as_derivative {
			index: 0,
			call: Box::new(leaf_call(&Remark)),
		}),
		AddGateway(n) => RuntimeCall::Participants(ParticipantsCall::add_gateway {
			hospital: hospitals()[(*n % 2) as usize].clone(),
			gateway: if (*n / 2) % 2 == 1 {
				second_patient_key()
			} else {
				AccountId::new([0x60u8.wrapping_add(*n); 32])
			},
		}),
		Revoke(p) => RuntimeCall::Records(pallet_records::Call::revoke {
			health_id: patient(*p),
			content_hash: sp_core::H256::zero(),
			reason: pallet_records::RevocationReason::Erased,
		}),
		OpenAssistance(at_hospital) => RuntimeCall::Consent(ConsentCall::open_assistance {
			health_id: patient(3),
			at: if *at_hospital {
				pallet_consent::Assistant::Hospital(hospitals()[0].clone())
			} else {
				pallet_consent::Assistant::ServicePoint
			},
		}),
	}
}

fn call(tx: &Tx) -> RuntimeCall {
	match tx {
		Tx::Leaf(l) => leaf_call(l),
		Tx::Batch(kind, txs) => {
			let calls = txs.iter().map(call).collect();
			RuntimeCall::Utility(match kind % 3 {
				0 => UtilityCall::batch { calls },
				1 => UtilityCall::batch_all { calls },
				_ => UtilityCall::force_batch { calls },
			})
		},
	}
}

/// Leaves of a transaction, at any depth.
fn leaves(tx: &Tx) -> Vec<&Leaf> {
	match tx {
		Tx::Leaf(l) => vec![l],
		Tx::Batch(_, txs) => txs.iter().flat_map(leaves).collect(),
	}
}

/// The calls a transaction counts for in the quotas: its leaves, and at least one.
fn counted(tx: &Tx) -> u32 {
	(leaves(tx).len() as u32).max(1)
}

/// What a patient's consent call acts on: the health ID and whether the act is protected (an
/// assisted patient's hospital session does not allow it), or the request it answers.
enum Act {
	For(HealthId, bool),
	Answer(Option<pallet_consent::AccessRequest>),
}

fn act(l: &Leaf) -> Option<Act> {
	use Leaf::*;
	match l {
		SetSources(p) | Enrol(p) => Some(Act::For(patient(*p), false)),
		OptIn(p, _) | Withdraw(p) | RevokeGrant(p, _) => Some(Act::For(patient(*p), true)),
		Respond(r, _) => {
			Some(Act::Answer(pallet_consent::Requests::<Runtime>::get(u64::from(*r % 6))))
		},
		_ => None,
	}
}

/// Whether the leaf protects the patient (outside the period's quota).
fn protective_leaf(l: &Leaf) -> bool {
	use Leaf::*;
	matches!(
		l,
		Withdraw(_) | RevokeGrant(..) | Respond(_, false) | CancelRebind(_) | ConfirmRebind(_)
	)
}

/// Whether the whole transaction protects the patient: every call of a non-empty batch does.
fn protective(tx: &Tx) -> bool {
	match tx {
		Tx::Leaf(l) => protective_leaf(l),
		Tx::Batch(_, txs) => !txs.is_empty() && txs.iter().all(protective),
	}
}

/// Whether the hospital with this code is active.
fn active_hospital(h: &HospitalCode) -> bool {
	pallet_participants::Hospitals::<Runtime>::get(h)
		.is_some_and(|h| h.status == pallet_participants::HospitalStatus::Active)
}

/// Whether the signer is suspended: a gateway of a suspended hospital (the sequences suspend
/// hospitals, not registrars).
fn suspended(signer: &Signer) -> bool {
	matches!(signer, Signer::Gateway(h) if !active_hospital(h))
}

/// Who acts for an assisted patient: within an unexpired session, a gateway of the session's
/// active hospital for routine acts (never answering its own hospital's request), or the
/// registrar that opened a session at its desk for every act.
fn assists(
	who: &AccountId,
	signer: &Signer,
	id: &HealthId,
	protected: bool,
	asker: Option<&HospitalCode>,
) -> bool {
	let record = pallet_health_id::HealthIds::<Runtime>::get(id);
	let assisted = record.is_some_and(|r| {
		r.status == pallet_health_id::HealthIdStatus::Active
			&& r.controller == pallet_health_id::Controller::Assisted
	});
	let now = pallet_timestamp::Now::<Runtime>::get();
	let Some(session) =
		pallet_consent::Assistance::<Runtime>::get(id).filter(|s| now < s.expires_at)
	else {
		return false;
	};
	assisted
		&& match (&session.at, signer) {
			(pallet_consent::Assistant::Hospital(h), Signer::Gateway(mine)) => {
				h == mine && active_hospital(h) && !protected && asker != Some(h)
			},
			(pallet_consent::Assistant::ServicePoint, Signer::Registrar) => {
				&session.opened_by == who
			},
			_ => false,
		}
}

/// The README's role table for one leaf signed by `who`: `Ok` or the refusal code.
fn table(who: &AccountId, signer: &Signer, l: &Leaf) -> Result<(), u8> {
	use Leaf::*;
	if matches!(l, ClaimNode | AsDerivative) {
		return Err(codes::CALL_OUTSIDE_ROLE);
	}
	// A key's own rebind: whatever else the key is.
	if let CancelRebind(p) | ConfirmRebind(p) = l {
		if pallet_health_id::Controllers::<Runtime>::get(who) == Some(patient(*p)) {
			return Ok(());
		}
		if matches!(signer, Signer::Patient(_)) {
			return Err(codes::NOT_FOR_THIS_PATIENT);
		}
	}
	let role_call = match signer {
		Signer::Operator => return Ok(()),
		Signer::Patient(_) => false,
		Signer::Gateway(_) => {
			matches!(
				l,
				Attest(_) | RequestAccess(..) | OpenEmergency(..) | AddGateway(_) | Revoke(_)
			)
		},
		Signer::Registrar => matches!(l, Deactivate(_) | CancelRebind(_) | OpenAssistance(_)),
		Signer::LicensingAuthority => matches!(l, License(_) | Review(..)),
	};
	if role_call {
		return Ok(());
	}
	if matches!(signer, Signer::LicensingAuthority) {
		return Err(codes::CALL_OUTSIDE_ROLE);
	}
	// A patient's consent calls: the patient's own key while the health ID is active, or
	// whoever assists an assisted patient within a session.
	let active = |id: &HealthId| {
		pallet_health_id::HealthIds::<Runtime>::get(id)
			.is_some_and(|r| r.status == pallet_health_id::HealthIdStatus::Active)
	};
	let allowed = match (act(l), signer) {
		(None, _) => return Err(codes::CALL_OUTSIDE_ROLE),
		(Some(Act::For(id, _)), Signer::Patient(own)) => id == *own && active(&id),
		(Some(Act::Answer(Some(r))), Signer::Patient(own)) => r.health_id == *own && active(own),
		(Some(Act::For(id, protected)), _) => assists(who, signer, &id, protected, None),
		(Some(Act::Answer(Some(r))), _) => {
			assists(who, signer, &r.health_id, false, Some(&r.hospital))
		},
		(Some(Act::Answer(None)), _) => false,
	};
	if allowed {
		Ok(())
	} else {
		Err(codes::NOT_FOR_THIS_PATIENT)
	}
}

/// The README's table for a whole transaction: the first refusal, depth first, batches
/// nested at most two deep.
fn table_tx(who: &AccountId, signer: &Signer, tx: &Tx, depth: u32) -> Result<(), u8> {
	match tx {
		Tx::Leaf(l) => table(who, signer, l),
		Tx::Batch(_, txs) => {
			if depth >= 2 {
				return Err(codes::BATCH_TOO_DEEP);
			}
			txs.iter().try_for_each(|t| table_tx(who, signer, t, depth + 1))
		},
	}
}

fn custom(code: u8) -> TransactionValidityError {
	TransactionValidityError::Invalid(InvalidTransaction::Custom(code))
}

/// The runtime's transaction extensions for `who`'s next nonce.
fn extensions(who: &AccountId) -> TxExtension {
	(
		frame_system::CheckNonZeroSender::new(),
		CheckPermission::new(),
		frame_system::CheckSpecVersion::new(),
		frame_system::CheckTxVersion::new(),
		frame_system::CheckGenesis::new(),
		frame_system::CheckEra::from(Era::Immortal),
		pallet_participants::CheckNonceWithinQuota::from(
			frame_system::Pallet::<Runtime>::account_nonce(who),
		),
		frame_system::CheckWeight::new(),
	)
}

fn root() -> Vec<u8> {
	sp_io::storage::root(StateVersion::V1)
}

/// What a protective call may use of a block, whatever the signer's quota says
/// (`ProtectiveCallsPerBlock`).
const PROTECTIVE_PER_BLOCK: u32 = 2;

/// Calls each account got through: (period, in period, block, in block).
#[derive(Default)]
struct Model {
	used: HashMap<AccountId, (u32, u32, u32, u32)>,
	accepted: usize,
	refused_by_role: usize,
	refused_by_quota: usize,
	backstopped: usize,
}

fn clock() -> (u32, u32) {
	let block = frame_system::Pallet::<Runtime>::block_number();
	(block / period(), block)
}

impl Model {
	fn used(&self, who: &AccountId) -> (u32, u32) {
		let (period, block) = clock();
		match self.used.get(who) {
			Some(&(p, in_p, b, in_b)) => {
				(if p == period { in_p } else { 0 }, if b == block { in_b } else { 0 })
			},
			None => (0, 0),
		}
	}

	/// Counts `calls` in the block, and in the period unless they protect the patient.
	fn count(&mut self, who: &AccountId, calls: u32, protective: bool) {
		let (in_period, in_block) = self.used(who);
		let (period, block) = clock();
		let period_calls = if protective { 0 } else { calls };
		self.used.insert(who.clone(), (period, in_period + period_calls, block, in_block + calls));
	}
}

fn dev_chain() -> sp_io::TestExternalities {
	let mut ext = crate::common::dev_chain();
	ext.execute_with(|| {
		// A second patient with a key, enrolled, and the demo patient enrolled.
		let registrar = RuntimeOrigin::signed(account(Who::Registrar));
		let register = RuntimeCall::HealthIds(HealthIdCall::register {
			health_id: patient(1),
			document: healthchain_primitives::DocumentKind::Passport { country: *b"THA" },
			adult_attested: true,
			controller: pallet_health_id::Controller::Key(second_patient_key()),
		});
		register.dispatch(registrar).expect("the registrar registers the second patient");
		for (p, who) in [(0, Who::PatientKey0), (1, Who::PatientKey1)] {
			let _ = leaf_call(&Leaf::Enrol(p)).dispatch(RuntimeOrigin::signed(account(who)));
		}
		for kind in KINDS {
			pallet_participants::Pallet::<Runtime>::set_quota(
				RuntimeOrigin::root(),
				kind,
				Some(test_quota(kind)),
			)
			.expect("root sets quotas");
		}
	});
	ext
}

fn next_block(blocks: u32) {
	let n = frame_system::Pallet::<Runtime>::block_number() + blocks;
	// A new block's accounting (`initialize` wants consecutive numbers; days are skipped here).
	frame_system::Pallet::<Runtime>::set_block_number(n);
	frame_system::BlockWeight::<Runtime>::kill();
	frame_system::Pallet::<Runtime>::reset_events();
	pallet_timestamp::Now::<Runtime>::mutate(|t| *t += u64::from(blocks) * BLOCK_MS);
	AllPalletsWithSystem::on_idle(n, Weight::from_parts(u64::MAX / 4, u64::MAX / 4));
}

fn submit(model: &mut Model, who: Who, tx: &Tx) {
	let account = account(who);
	let call = call(tx);
	let info = call.get_dispatch_info();
	let len = call.encoded_size();
	let verdict = extensions(&account)
		.validate_only(
			RuntimeOrigin::signed(account.clone()),
			&call,
			&info,
			len,
			TransactionSource::External,
			0,
		)
		.map(|_| ());
	let signer = pallet_participants::Pallet::<Runtime>::signer_of(&account);
	let expected = match &signer {
		None => Err(custom(codes::NOT_PERMITTED)),
		Some(s) if suspended(s) => Err(custom(codes::SUSPENDED)),
		Some(s) => match table_tx(&account, s, tx, 0) {
			Err(code) => Err(custom(code)),
			Ok(()) => {
				let quota = pallet_participants::Pallet::<Runtime>::quota_of(s.kind());
				assert_eq!(quota, test_quota(s.kind()), "the quotas in force are the test's");
				let calls = counted(tx);
				let (in_period, in_block) = model.used(&account);
				let protects = protective(tx);
				let per_block = if protects {
					quota.per_block.min(PROTECTIVE_PER_BLOCK)
				} else {
					quota.per_block
				};
				if calls > per_block {
					Err(custom(codes::BLOCK_QUOTA))
				} else if !protects && in_period + calls > quota.per_period {
					Err(custom(codes::PERIOD_QUOTA))
				} else if in_block + calls > per_block {
					Err(InvalidTransaction::ExhaustsResources.into())
				} else {
					Ok(())
				}
			},
		},
	};
	assert_eq!(verdict, expected, "{who:?} submitting {tx:?}");

	let before = root();
	let applied = extensions(&account).dispatch_transaction(
		RuntimeOrigin::signed(account.clone()),
		call,
		&info,
		len,
		0,
	);
	match verdict {
		Ok(()) => {
			assert!(applied.is_ok(), "{who:?}: {tx:?} valid but not applied: {applied:?}");
			model.count(&account, counted(tx), protective(tx));
			model.accepted += 1;
			// Never over quota: what got through stays within the kind's quota.
			let kind = signer.expect("a signer").kind();
			let (in_period, in_block) = model.used(&account);
			let quota = test_quota(kind);
			assert!(in_period <= quota.per_period && in_block <= quota.per_block);
			let usage = pallet_participants::Usages::<Runtime>::get(&account);
			let (period, block) = clock();
			assert_eq!(usage.used(period, block), (in_period, in_block), "the chain's count");
		},
		Err(e) => {
			assert_eq!(applied, Err(e), "{who:?}: {tx:?} dispatched although refused");
			assert_eq!(root(), before, "a refused transaction changed state");
			match e {
				TransactionValidityError::Invalid(InvalidTransaction::Custom(c))
					if c <= codes::BATCH_TOO_DEEP || c == codes::SUSPENDED =>
				{
					model.refused_by_role += 1
				},
				_ => model.refused_by_quota += 1,
			}
		},
	}
}

/// The origin a transaction of `who` gets after the permission gate validated an empty batch.
fn gated_origin(who: &AccountId) -> Option<RuntimeOrigin> {
	let harmless = RuntimeCall::Utility(UtilityCall::batch { calls: vec![] });
	CheckPermission::<Runtime>::new()
		.validate_only(
			RuntimeOrigin::signed(who.clone()),
			&harmless,
			&harmless.get_dispatch_info(),
			harmless.encoded_size(),
			TransactionSource::External,
			0,
		)
		.ok()
		.map(|(_, _, origin)| origin)
}

fn bypass(model: &mut Model, who: Who, tx: &Tx) {
	let account = account(who);
	let Some(origin) = gated_origin(&account) else {
		let signer = pallet_participants::Pallet::<Runtime>::signer_of(&account);
		assert!(signer.as_ref().is_none_or(suspended), "only strangers and the suspended");
		return;
	};
	let signer = pallet_participants::Pallet::<Runtime>::signer_of(&account).expect("a signer");
	let mut refused = false;
	for l in leaves(tx) {
		let allowed = table(&account, &signer, l).is_ok();
		assert_eq!(origin.filter_call(&leaf_call(l)), allowed, "{who:?}: filter on {l:?}");
		refused |= !allowed;
	}
	let atomic = matches!(tx, Tx::Leaf(_) | Tx::Batch(1, _));
	if refused && atomic {
		let before = root();
		let result = call(tx).dispatch(origin);
		assert!(result.is_err(), "{who:?}: {tx:?} dispatched past the filter");
		if let Tx::Leaf(_) = tx {
			assert_eq!(
				result.map_err(|e| e.error),
				Err(frame_system::Error::<Runtime>::CallFiltered.into())
			);
		}
		assert_eq!(root(), before, "a filtered call changed state");
		model.backstopped += 1;
	}
}

/// Grants, requests and unreviewed emergency accesses within their caps, counters agreeing.
fn bounded() {
	use pallet_consent::*;
	type C = <Runtime as pallet_consent::Config>::MaxGrants;
	let max_per_hospital: u32 = <Runtime as pallet_consent::Config>::MaxPendingPerHospital::get();
	let max_unreviewed: u32 = <Runtime as pallet_consent::Config>::MaxUnreviewedEmergencies::get();
	let mut listed = 0;
	for p in 0..3 {
		let id = patient(p);
		let grants = Grants::<Runtime>::iter_prefix((id,)).count() as u32;
		assert_eq!(GrantCount::<Runtime>::get(id), grants);
		assert!(grants <= C::get());
		let pending = PendingRequests::<Runtime>::get(id);
		listed += pending.len();
		for h in hospitals() {
			let n = pending
				.iter()
				.filter_map(Requests::<Runtime>::get)
				.filter(|r| r.hospital == h)
				.count() as u32;
			assert!(n <= max_per_hospital);
		}
	}
	assert_eq!(Requests::<Runtime>::iter().count(), listed, "every request is a pending one");
	for d in 0..2 {
		let open = EmergencyAccesses::<Runtime>::iter()
			.filter(|(_, e)| e.practitioner == doctor(d) && e.review == Review::Pending)
			.count() as u32;
		assert_eq!(UnreviewedEmergencies::<Runtime>::get(doctor(d)), open);
		assert!(open <= max_unreviewed);
	}
}

fn run(steps: Vec<Step>) -> Model {
	let mut model = Model::default();
	dev_chain().execute_with(|| {
		for step in &steps {
			match step {
				Step::Submit(who, tx) => submit(&mut model, *who, tx),
				Step::Bypass(who, tx) => bypass(&mut model, *who, tx),
				Step::NextBlock => next_block(1),
				Step::NextDay => {
					next_block(<Runtime as pallet_participants::Config>::QuotaPeriod::get())
				},
				Step::Suspend(h, suspend) => {
					let status = if *suspend {
						pallet_participants::HospitalStatus::Suspended
					} else {
						pallet_participants::HospitalStatus::Active
					};
					let _ = pallet_participants::Pallet::<Runtime>::set_hospital_status(
						RuntimeOrigin::root(),
						hospitals()[(*h % 2) as usize].clone(),
						status,
					);
				},
			}
			bounded();
		}
		// The licensing authority reviews what is left; past the overturn window (90 days) and
		// a month more, nothing transient is left in state.
		let authority = RuntimeOrigin::signed(account(Who::Authority));
		let pending: Vec<_> = EmergencyAccesses::<Runtime>::iter()
			.filter(|(_, e)| e.review == Review::Pending)
			.map(|(id, _)| id)
			.collect();
		for id in pending {
			RuntimeCall::Consent(ConsentCall::review_emergency_access {
				emergency_id: id,
				review: Review::Justified,
			})
			.dispatch(authority.clone())
			.expect("the licensing authority reviews");
		}
		next_block(121 * period());
		bounded();
		assert_eq!(pallet_consent::Requests::<Runtime>::iter().count(), 0);
		assert_eq!(EmergencyAccesses::<Runtime>::iter().count(), 0);
	});
	model
}

fn who() -> impl Strategy<Value = Who> {
	prop::sample::select(vec![
		Who::Operator,
		Who::GatewayA,
		Who::GatewayB,
		Who::Registrar,
		Who::Authority,
		Who::PatientKey0,
		Who::PatientKey0,
		Who::PatientKey1,
		Who::PatientKey1,
		Who::Stranger,
	])
}

fn leaf() -> impl Strategy<Value = Leaf> {
	use Leaf::*;
	prop_oneof![
		1 => Just(Remark),
		4 => (0u8..4, any::<bool>()).prop_map(|(p, b)| OptIn(p, b)),
		2 => (0u8..4).prop_map(SetSources),
		2 => (0u8..4).prop_map(Withdraw),
		2 => (0u8..4).prop_map(Enrol),
		3 => (0u8..4, 0u8..2).prop_map(|(p, d)| RequestAccess(p, d)),
		3 => (0u8..6, any::<bool>()).prop_map(|(r, a)| Respond(r, a)),
		1 => (0u8..3, 0u8..2).prop_map(|(p, d)| RevokeGrant(p, d)),
		2 => (0u8..3, 0u8..2).prop_map(|(p, d)| OpenEmergency(p, d)),
		2 => (0u8..6, any::<bool>()).prop_map(|(e, j)| Review(e, j)),
		3 => (0u8..3).prop_map(Attest),
		1 => (1u8..3).prop_map(Deactivate),
		1 => (0u8..3).prop_map(CancelRebind),
		1 => (0u8..3).prop_map(ConfirmRebind),
		1 => (0u8..50).prop_map(License),
		1 => Just(SetQuota),
		1 => Just(ClaimNode),
		1 => Just(AsDerivative),
		1 => (0u8..8).prop_map(AddGateway),
		1 => (0u8..4).prop_map(Revoke),
		2 => any::<bool>().prop_map(OpenAssistance),
	]
}

fn tx() -> impl Strategy<Value = Tx> {
	leaf().prop_map(Tx::Leaf).prop_recursive(3, 16, 3, |inner| {
		(0u8..3, prop::collection::vec(inner, 0..4)).prop_map(|(k, txs)| Tx::Batch(k, txs))
	})
}

fn step() -> impl Strategy<Value = Step> {
	prop_oneof![
		12 => (who(), tx()).prop_map(|(w, t)| Step::Submit(w, t)),
		3 => (who(), tx()).prop_map(|(w, t)| Step::Bypass(w, t)),
		3 => Just(Step::NextBlock),
		1 => Just(Step::NextDay),
		1 => (0u8..2, any::<bool>()).prop_map(|(h, s)| Step::Suspend(h, s)),
	]
}

#[test]
fn random_signers_of_every_role_stay_within_their_calls_quotas_and_bounds() {
	use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
	use std::sync::atomic::{AtomicUsize, Ordering};
	let totals: [AtomicUsize; 4] = Default::default();
	// A fixed seed keeps CI reproducible; PROPTEST_CASES raises the case count locally.
	let cases = std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(256);
	let mut runner = TestRunner::new_with_rng(
		Config { cases, ..Config::default() },
		TestRng::deterministic_rng(RngAlgorithm::ChaCha),
	);
	runner
		.run(&prop::collection::vec(step(), 1..50), |steps| {
			let m = run(steps);
			for (t, n) in totals.iter().zip([
				m.accepted,
				m.refused_by_role,
				m.refused_by_quota,
				m.backstopped,
			]) {
				t.fetch_add(n, Ordering::Relaxed);
			}
			Ok(())
		})
		.expect("the role table, the quotas and the bounds hold");
	let [accepted, by_role, by_quota, backstopped] = totals.map(|t| t.into_inner());
	println!(
		"accepted {accepted}, refused by role {by_role}, refused by quota {by_quota}, \
		 stopped by the dispatch filter {backstopped}"
	);
	// Every kind of outcome must actually be reached, or the properties were never exercised.
	assert!(accepted > 100 && by_role > 100 && by_quota > 20 && backstopped > 20);
}
