//! The doctor's own calls, behind the doctor app: who they are on chain ([`Gateway::me`]),
//! accepting the exchange's terms at first sign-in ([`Gateway::accept_terms`]), what the
//! chain says of a patient before a fetch ([`Gateway::patient`]) and their own recent
//! accesses ([`Gateway::my_accesses`]). Each needs scope `records.read` and the token's
//! licence claim; the practitioner is always the token's, never a parameter.

use super::{
	caller::{scopes, Caller},
	gateway::Gateway,
};
use crate::{
	error::{bad, codes, denied, err, GatewayError},
	info, warn,
	wire::{MeAnswer, MyAccess, MyAccessesRequest, PatientAnswer, TermsAnswer},
};
use healthchain_primitives::{
	logs::AccessBasis, DenyReason, HealthId, LicenceStatus, MAX_LICENCE_LEN,
};
use std::collections::{btree_map::Entry, BTreeMap};

/// `myAccesses`' default and largest page.
const ACCESSES_DEFAULT: u32 = 20;
/// See [`ACCESSES_DEFAULT`].
const ACCESSES_MAX: u32 = 50;
/// How far back in a patient's access log `myAccesses` looks for a journalled entry.
const LOG_DEPTH: u32 = 100;

/// The practitioner a doctor's call is for: scope `records.read` and a licence claim of the
/// chain's length.
fn practitioner(caller: &Caller) -> Result<&str, GatewayError> {
	caller.require(scopes::FETCH)?;
	let licence = caller.licence()?;
	if licence.len() > MAX_LICENCE_LEN as usize {
		return Err(bad(format!(
			"the token's licence claim: at most {MAX_LICENCE_LEN} characters"
		)));
	}
	Ok(licence)
}

impl Gateway {
	/// `gateway_me`: the caller as the chain knows them at this hospital.
	pub async fn me(&self, caller: &Caller) -> Result<MeAnswer, GatewayError> {
		let licence = practitioner(caller)?;
		let hospital = self.node.own_hospital().await?;
		let known = self.node.practitioner(licence).await?;
		Ok(MeAnswer {
			licence: licence.to_string(),
			hospital: hospital.code,
			hospital_name: hospital.name,
			policy: hospital.policy,
			licensed: known.as_ref().is_some_and(|p| p.status == LicenceStatus::Licensed),
			affiliated: known
				.as_ref()
				.is_some_and(|p| p.affiliations.iter().any(|h| h == self.hospital())),
			terms_accepted: known.as_ref().is_some_and(|p| p.terms_accepted),
		})
	}

	/// `gateway_acceptTerms`: records on chain that the caller accepted the exchange's terms
	/// (the chain refuses an unknown or unaffiliated practitioner, and a second acceptance).
	pub async fn accept_terms(&self, caller: &Caller) -> Result<TermsAnswer, GatewayError> {
		let licence = practitioner(caller)?;
		self.doctor_limit.check(&caller.subject)?;
		// What the chain would refuse is answered without a transaction: a refused one would
		// still hold this gateway's submissions for a finality wait and cost its quota.
		let known = self.node.practitioner(licence).await?;
		match known {
			None => return Err(denied(&DenyReason::UnknownPractitioner)),
			Some(p) if !p.affiliations.iter().any(|h| h == self.hospital()) => {
				return Err(denied(&DenyReason::NotAffiliated))
			},
			Some(p) if p.terms_accepted => {
				return Err(err(
					codes::BAD_INPUT,
					"the terms were already accepted for this licence",
				))
			},
			Some(_) => {},
		}
		let block = self.node.accept_terms(licence).await.map_err(|e| match e.pallet_error() {
			Some("TermsAlreadyAccepted") => {
				err(codes::BAD_INPUT, "the terms were already accepted for this licence")
			},
			Some("UnknownPractitioner") => denied(&DenyReason::UnknownPractitioner),
			Some("NotAffiliated") => denied(&DenyReason::NotAffiliated),
			Some(other) => err(codes::DENIED, format!("the chain refused: {other}")),
			None => e.into(),
		})?;
		info!("terms_accepted", {"practitioner": licence, "block": block});
		Ok(TermsAnswer { block })
	}

	/// `gateway_patient`: what the chain says of a patient before a fetch, for the caller at
	/// this hospital: enrolment, the policy, the sensitive opt-in, and the caller's own grants,
	/// requests and emergency access. Refused unless the caller may fetch here (licensed,
	/// affiliated, past the terms).
	pub async fn patient(
		&self,
		caller: &Caller,
		health_id: HealthId,
	) -> Result<PatientAnswer, GatewayError> {
		let licence = practitioner(caller)?;
		// Only a doctor who may fetch here sees a patient's state: licensed, affiliated, past
		// the terms (the chain's own participant rule).
		let me = self.me(caller).await?;
		let refusal = if !me.licensed {
			Some(DenyReason::PractitionerNotLicensed)
		} else if !me.affiliated {
			Some(DenyReason::NotAffiliated)
		} else if !me.terms_accepted {
			Some(DenyReason::TermsNotAccepted)
		} else {
			None
		};
		if let Some(reason) = refusal {
			return Err(denied(&reason));
		}
		let consent = self.node.consent(health_id).await?;
		// The caller's own grants and requests, never another doctor's.
		let mine = |h: &str, p: &str| h == self.hospital() && p == licence;
		let grants = self
			.node
			.live_grants(health_id)
			.await?
			.into_iter()
			.filter(|g| mine(&g.hospital, &g.practitioner))
			.collect();
		let pending = self
			.node
			.pending_requests(health_id)
			.await?
			.into_iter()
			.filter(|r| mine(&r.hospital, &r.practitioner))
			.collect();
		let emergency = self.node.latest_emergency(health_id, licence).await?;
		Ok(PatientAnswer {
			health_id,
			enrolled: consent.as_ref().is_some_and(|c| c.enrolled),
			sensitive_opt_in: consent.as_ref().is_some_and(|c| c.sensitive_opt_in),
			policy: me.policy,
			grants,
			pending,
			emergency,
		})
	}

	/// `gateway_myAccesses`: the caller's newest accesses through this gateway (the access
	/// journal), each read back from the patient's verified access log in finalized state;
	/// an access no longer within the newest [`LOG_DEPTH`] entries of its log is left out.
	pub async fn my_accesses(
		&self,
		caller: &Caller,
		req: MyAccessesRequest,
	) -> Result<Vec<MyAccess>, GatewayError> {
		let licence = practitioner(caller)?;
		self.doctor_limit.check(&caller.subject)?;
		let limit = req.limit.unwrap_or(ACCESSES_DEFAULT);
		if limit == 0 || limit > ACCESSES_MAX {
			return Err(bad(format!("limit: 1 to {ACCESSES_MAX}")));
		}
		let journal = self.store.journal(licence, limit as usize).map_err(|e| {
			err(codes::UNAVAILABLE, format!("the access journal could not be read: {e}"))
		})?;
		let mut logs = BTreeMap::new();
		for entry in &journal {
			if let Entry::Vacant(slot) = logs.entry(entry.health_id) {
				slot.insert(self.node.access_page(entry.health_id, None, LOG_DEPTH).await?.entries);
			}
		}
		let mut out = Vec::new();
		for entry in journal {
			let logged = logs
				.get(&entry.health_id)
				.and_then(|page| page.iter().find(|l| l.index == entry.index));
			let Some(logged) = logged else {
				warn!("journal_entry_not_in_log", {"index": entry.index, "practitioner": licence});
				continue;
			};
			let e = &logged.entry;
			if e.practitioner.as_slice() != licence.as_bytes()
				|| e.hospital.as_slice() != self.hospital().as_bytes()
			{
				warn!("journal_entry_mismatch", {"index": entry.index, "practitioner": licence});
				continue;
			}
			let emergency = match e.basis {
				AccessBasis::Emergency(id) => self.node.emergency_access(id).await?,
				_ => None,
			};
			out.push(MyAccess {
				health_id: entry.health_id,
				index: entry.index,
				at: e.at,
				block: logged.block.into(),
				categories: e.categories.to_vec(),
				records: e.records.len() as u32,
				purpose: e.purpose,
				basis: e.basis.permit_basis(),
				emergency,
			});
		}
		Ok(out)
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use std::collections::BTreeSet;

	fn caller(scopes: &[&str], licence: Option<&str>) -> Caller {
		Caller {
			subject: "dr".into(),
			scopes: scopes.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>(),
			licence: licence.map(Into::into),
			client_id: None,
		}
	}

	#[test]
	fn a_doctors_call_needs_records_read_and_a_licence() {
		assert_eq!(practitioner(&caller(&[scopes::FETCH], Some("MD1"))).unwrap(), "MD1");
		let no_scope = practitioner(&caller(&[scopes::IDENTIFY], Some("MD1"))).unwrap_err();
		assert_eq!(no_scope.code, codes::FORBIDDEN);
		let no_licence = practitioner(&caller(&[scopes::FETCH], None)).unwrap_err();
		assert_eq!(no_licence.code, codes::FORBIDDEN);
		assert!(no_licence.message.contains("licence claim"));
		let long = "M".repeat(MAX_LICENCE_LEN as usize + 1);
		assert_eq!(
			practitioner(&caller(&[scopes::FETCH], Some(&long))).unwrap_err().code,
			codes::BAD_INPUT
		);
	}
}
