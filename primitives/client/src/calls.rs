//! Typed builders for the calls of HealthChain's own pallets: the one place where clients
//! build them. Each builder fills the call struct generated from the runtime metadata **by
//! field name**, so a runtime change that renames, removes, adds or retypes an argument (or
//! renames the call) fails to compile here once `metadata/healthchain.scale` is regenerated;
//! until then `runtime/tests/metadata.rs` fails. At submission the named fields are encoded
//! against the node's own metadata, so a client built for another runtime gets a clear error
//! instead of a wrongly encoded call.
//!
//! Arguments are the shared primitives types (`HealthId`, `DataCategory`, `H256`, ...), not
//! their generated copies.

use crate::runtime::{
	self,
	runtime_types::{
		bounded_collections::bounded_vec::BoundedVec, pallet_consent::types as consent,
		pallet_health_id::types as health_id,
	},
};
pub use healthchain_primitives::EmergencyReason;
use healthchain_primitives::{
	logs::RevocationReason, DataCategory, DocumentKind, HealthId, Purpose,
};
use sp_core::H256;
use subxt::{transactions::StaticPayload, utils::Static};

pub use consent::{Assistant, Review};
pub use health_id::DeactivationReason;

/// A call of one of HealthChain's pallets, ready to sign.
pub type Call<Fields> = StaticPayload<Fields>;

/// A patient's source selection, as a call argument.
pub type Sources = consent::SourceSelection;

/// The controller of a health ID, as a call argument.
pub type Controller = health_id::Controller<subxt::utils::AccountId32>;

/// Bytes of a registry code or licence number.
pub fn text(s: &str) -> BoundedVec<u8> {
	BoundedVec(s.as_bytes().to_vec())
}

/// Every participating hospital as sources.
pub fn all_sources() -> Sources {
	consent::SourceSelection::All
}

/// Only these hospitals as sources.
pub fn only_sources(codes: &[&str]) -> Sources {
	consent::SourceSelection::Only(BoundedVec(codes.iter().map(|c| text(c)).collect()))
}

fn categories(list: &[DataCategory]) -> BoundedVec<Static<DataCategory>> {
	BoundedVec(list.iter().copied().map(Static).collect())
}

// ---------------------------------------------------------------------------- HealthIds

/// `HealthIds.register` (a registrar).
pub fn register(
	id: HealthId,
	document: DocumentKind,
	adult_attested: bool,
	controller: Controller,
) -> Call<runtime::health_ids::calls::Register> {
	let fields = runtime::health_ids::calls::Register {
		health_id: Static(id),
		document: Static(document),
		adult_attested,
		controller,
	};
	StaticPayload::new("HealthIds", "register", fields)
}

/// `HealthIds.deactivate` (a registrar).
pub fn deactivate(
	id: HealthId,
	reason: DeactivationReason,
) -> Call<runtime::health_ids::calls::Deactivate> {
	let fields = runtime::health_ids::calls::Deactivate { health_id: Static(id), reason };
	StaticPayload::new("HealthIds", "deactivate", fields)
}

/// `HealthIds.rebind_controller` (a registrar): schedules the rebinding, which takes effect
/// after the delay unless the current key confirms or cancels it. A contested rebind (the key
/// cancelled one within `ContestWindow`) is not cancellable by the key and waits for
/// governance (`HealthIds.approve_rebind`) instead of the delay.
pub fn rebind_controller(
	id: HealthId,
	controller: Controller,
) -> Call<runtime::health_ids::calls::RebindController> {
	let fields = runtime::health_ids::calls::RebindController { health_id: Static(id), controller };
	StaticPayload::new("HealthIds", "rebind_controller", fields)
}

/// `HealthIds.confirm_rebind` (the current controller key).
pub fn confirm_rebind(id: HealthId) -> Call<runtime::health_ids::calls::ConfirmRebind> {
	let fields = runtime::health_ids::calls::ConfirmRebind { health_id: Static(id) };
	StaticPayload::new("HealthIds", "confirm_rebind", fields)
}

/// `HealthIds.cancel_rebind` (the current controller key, unless the rebind is contested, or a
/// registrar).
pub fn cancel_rebind(id: HealthId) -> Call<runtime::health_ids::calls::CancelRebind> {
	let fields = runtime::health_ids::calls::CancelRebind { health_id: Static(id) };
	StaticPayload::new("HealthIds", "cancel_rebind", fields)
}

/// `HealthIds.link_document` (a registrar): another document of the same person.
pub fn link_document(
	id: HealthId,
	document: HealthId,
	kind: DocumentKind,
) -> Call<runtime::health_ids::calls::LinkDocument> {
	let fields = runtime::health_ids::calls::LinkDocument {
		health_id: Static(id),
		document: Static(document),
		kind: Static(kind),
	};
	StaticPayload::new("HealthIds", "link_document", fields)
}

// ---------------------------------------------------------------------------- Consent

/// `Consent.open_assistance` (a registrar, after checking the patient's ID card).
pub fn open_assistance(
	id: HealthId,
	at: Assistant,
) -> Call<runtime::consent::calls::OpenAssistance> {
	let fields = runtime::consent::calls::OpenAssistance { health_id: Static(id), at };
	StaticPayload::new("Consent", "open_assistance", fields)
}

/// `Consent.close_assistance` (a registrar or the session hospital's gateway).
pub fn close_assistance(id: HealthId) -> Call<runtime::consent::calls::CloseAssistance> {
	let fields = runtime::consent::calls::CloseAssistance { health_id: Static(id) };
	StaticPayload::new("Consent", "close_assistance", fields)
}

/// `Consent.enrol` (the patient).
pub fn enrol(id: HealthId, sources: Sources) -> Call<runtime::consent::calls::Enrol> {
	let fields = runtime::consent::calls::Enrol { health_id: Static(id), sources };
	StaticPayload::new("Consent", "enrol", fields)
}

/// `Consent.withdraw` (the patient).
pub fn withdraw(id: HealthId) -> Call<runtime::consent::calls::Withdraw> {
	let fields = runtime::consent::calls::Withdraw { health_id: Static(id) };
	StaticPayload::new("Consent", "withdraw", fields)
}

/// `Consent.set_sources` (the patient).
pub fn set_sources(id: HealthId, sources: Sources) -> Call<runtime::consent::calls::SetSources> {
	let fields = runtime::consent::calls::SetSources { health_id: Static(id), sources };
	StaticPayload::new("Consent", "set_sources", fields)
}

/// `Consent.set_sensitive_opt_in` (the patient).
pub fn set_sensitive_opt_in(
	id: HealthId,
	opt_in: bool,
) -> Call<runtime::consent::calls::SetSensitiveOptIn> {
	let fields = runtime::consent::calls::SetSensitiveOptIn { health_id: Static(id), opt_in };
	StaticPayload::new("Consent", "set_sensitive_opt_in", fields)
}

/// `Consent.request_access` (a gateway of a per-request hospital).
pub fn request_access(
	id: HealthId,
	practitioner: &str,
	wanted: &[DataCategory],
	purpose: Purpose,
	grant_for: Option<u64>,
) -> Call<runtime::consent::calls::RequestAccess> {
	let fields = runtime::consent::calls::RequestAccess {
		health_id: Static(id),
		practitioner: text(practitioner),
		categories: categories(wanted),
		purpose: Static(purpose),
		grant_for,
	};
	StaticPayload::new("Consent", "request_access", fields)
}

/// `Consent.respond` (the patient).
pub fn respond(request_id: u64, approve: bool) -> Call<runtime::consent::calls::Respond> {
	let fields = runtime::consent::calls::Respond { request_id, approve };
	StaticPayload::new("Consent", "respond", fields)
}

/// `Consent.revoke_grant` (the patient).
pub fn revoke_grant(
	id: HealthId,
	hospital: &str,
	practitioner: &str,
) -> Call<runtime::consent::calls::RevokeGrant> {
	let fields = runtime::consent::calls::RevokeGrant {
		health_id: Static(id),
		hospital: text(hospital),
		practitioner: text(practitioner),
	};
	StaticPayload::new("Consent", "revoke_grant", fields)
}

/// `Consent.open_emergency_access` (a gateway).
pub fn open_emergency_access(
	id: HealthId,
	practitioner: &str,
	reason: EmergencyReason,
) -> Call<runtime::consent::calls::OpenEmergencyAccess> {
	let fields = runtime::consent::calls::OpenEmergencyAccess {
		health_id: Static(id),
		practitioner: text(practitioner),
		reason: Static(reason),
	};
	StaticPayload::new("Consent", "open_emergency_access", fields)
}

/// `Consent.review_emergency_access` (the licensing authority; never the hospital that opened it).
pub fn review_emergency_access(
	emergency_id: u64,
	review: Review,
) -> Call<runtime::consent::calls::ReviewEmergencyAccess> {
	let fields = runtime::consent::calls::ReviewEmergencyAccess { emergency_id, review };
	StaticPayload::new("Consent", "review_emergency_access", fields)
}

// ---------------------------------------------------------------------------- Records

/// `Records.anchor` (a gateway of a source hospital).
pub fn anchor(
	id: HealthId,
	category: DataCategory,
	content_hash: H256,
	size: u32,
	supersedes: Option<H256>,
) -> Call<runtime::records::calls::Anchor> {
	let fields = runtime::records::calls::Anchor {
		health_id: Static(id),
		category: Static(category),
		content_hash,
		size,
		supersedes,
	};
	StaticPayload::new("Records", "anchor", fields)
}

/// `Records.revoke` (a gateway of the anchoring hospital).
pub fn revoke(
	id: HealthId,
	content_hash: H256,
	reason: RevocationReason,
) -> Call<runtime::records::calls::Revoke> {
	let fields = runtime::records::calls::Revoke {
		health_id: Static(id),
		content_hash,
		reason: Static(reason),
	};
	StaticPayload::new("Records", "revoke", fields)
}

// ---------------------------------------------------------------------------- AccessLog

/// `AccessLog.attest` (a gateway of the hospital where the practitioner treats).
pub fn attest(
	id: HealthId,
	practitioner: &str,
	covered: &[DataCategory],
	records: &[H256],
	purpose: Purpose,
) -> Call<runtime::access_log::calls::Attest> {
	let fields = runtime::access_log::calls::Attest {
		health_id: Static(id),
		practitioner: text(practitioner),
		categories: categories(covered),
		records: BoundedVec(records.to_vec()),
		purpose: Static(purpose),
	};
	StaticPayload::new("AccessLog", "attest", fields)
}

/// One access of an `AccessLog.attest_batch`: the arguments of [`attest`], as the shared type.
pub fn access(
	id: HealthId,
	practitioner: &str,
	covered: &[DataCategory],
	records: &[H256],
	purpose: Purpose,
) -> healthchain_primitives::logs::AccessAttestation {
	healthchain_primitives::logs::AccessAttestation {
		health_id: id,
		practitioner: healthchain_primitives::LicenceNumber::truncate_from(
			practitioner.as_bytes().to_vec(),
		),
		categories: healthchain_primitives::categories_from(covered),
		records: healthchain_primitives::logs::RecordHashes::truncate_from(records.to_vec()),
		purpose,
	}
}

/// `AccessLog.attest_batch` (a gateway of the hospital where the practitioners treat): each
/// access decided and logged as `attest` would, refusals reported per access.
pub fn attest_batch(
	accesses: Vec<healthchain_primitives::logs::AccessAttestation>,
) -> Call<runtime::access_log::calls::AttestBatch> {
	let fields = runtime::access_log::calls::AttestBatch {
		accesses: BoundedVec(accesses.into_iter().map(Static).collect()),
	};
	StaticPayload::new("AccessLog", "attest_batch", fields)
}

/// `Utility.batch_all([Consent.open_emergency_access, AccessLog.attest])`: an emergency access
/// opened and the access attested in one transaction, so a first emergency fetch waits for one
/// finality, not two. The attestation's consent decision runs after the opening, in the same
/// block's state, with every check it has alone; either both calls take effect or neither.
pub fn open_emergency_and_attest(
	id: HealthId,
	practitioner: &str,
	reason: EmergencyReason,
	covered: &[DataCategory],
	records: &[H256],
) -> Call<runtime::utility::calls::BatchAll> {
	use runtime::runtime_types::{
		healthchain_runtime::RuntimeCall, pallet_access_log::pallet::Call as AccessLogCall,
		pallet_consent::pallet::Call as ConsentCall,
	};
	let open = RuntimeCall::Consent(ConsentCall::open_emergency_access {
		health_id: Static(id),
		practitioner: text(practitioner),
		reason: Static(reason),
	});
	let attest = RuntimeCall::AccessLog(AccessLogCall::attest {
		health_id: Static(id),
		practitioner: text(practitioner),
		categories: categories(covered),
		records: BoundedVec(records.to_vec()),
		purpose: Static(Purpose::Emergency),
	});
	let fields = runtime::utility::calls::BatchAll { calls: vec![open, attest] };
	StaticPayload::new("Utility", "batch_all", fields)
}

/// `Participants.license_practitioner`: the licensing authority lists a licence.
pub fn license_practitioner(
	licence: &str,
) -> Call<runtime::participants::calls::LicensePractitioner> {
	let fields = runtime::participants::calls::LicensePractitioner { licence: text(licence) };
	StaticPayload::new("Participants", "license_practitioner", fields)
}

/// `Participants.affiliate_practitioner`: a hospital's gateway adds one of its doctors.
pub fn affiliate_practitioner(
	licence: &str,
) -> Call<runtime::participants::calls::AffiliatePractitioner> {
	let fields = runtime::participants::calls::AffiliatePractitioner { licence: text(licence) };
	StaticPayload::new("Participants", "affiliate_practitioner", fields)
}

/// `Participants.accept_terms`: a practitioner accepted the exchange's terms at first login
/// (signed by a gateway of a hospital they are affiliated with).
pub fn accept_terms(licence: &str) -> Call<runtime::participants::calls::AcceptTerms> {
	let fields = runtime::participants::calls::AcceptTerms { licence: text(licence) };
	StaticPayload::new("Participants", "accept_terms", fields)
}

#[cfg(test)]
mod tests {
	use super::*;
	use subxt::extrinsics::DecodeAsExtrinsic;

	/// Each builder names the pallet and call its generated struct was made for.
	fn names_its_struct<F: DecodeAsExtrinsic>(call: &Call<F>) {
		assert!(
			F::is_extrinsic(call.pallet_name(), call.call_name()),
			"{}.{} is not the call of its struct",
			call.pallet_name(),
			call.call_name()
		);
	}

	#[test]
	fn every_builder_names_its_own_call() {
		let id = HealthId([1; 32]);
		let doc = DocumentKind::ThaiCitizenId;
		let key = subxt::utils::AccountId32([2; 32]);
		names_its_struct(&register(id, doc, true, health_id::Controller::Key(key)));
		names_its_struct(&deactivate(id, DeactivationReason::Other));
		names_its_struct(&rebind_controller(id, health_id::Controller::Assisted));
		names_its_struct(&confirm_rebind(id));
		names_its_struct(&cancel_rebind(id));
		names_its_struct(&link_document(id, HealthId([3; 32]), doc));
		names_its_struct(&open_assistance(id, Assistant::ServicePoint));
		names_its_struct(&close_assistance(id));
		names_its_struct(&enrol(id, all_sources()));
		names_its_struct(&withdraw(id));
		names_its_struct(&set_sources(id, only_sources(&["H0001"])));
		names_its_struct(&set_sensitive_opt_in(id, true));
		names_its_struct(&request_access(
			id,
			"MD1",
			&[DataCategory::Allergy],
			Purpose::Treatment,
			None,
		));
		names_its_struct(&respond(0, true));
		names_its_struct(&revoke_grant(id, "H0001", "MD1"));
		names_its_struct(&open_emergency_access(id, "MD1", EmergencyReason::Unconscious));
		names_its_struct(&review_emergency_access(0, Review::Justified));
		names_its_struct(&accept_terms("MD1"));
		names_its_struct(&open_emergency_and_attest(
			id,
			"MD1",
			EmergencyReason::Unconscious,
			&[DataCategory::Allergy],
			&[H256::zero()],
		));
		names_its_struct(&license_practitioner("MD1"));
		names_its_struct(&affiliate_practitioner("MD1"));
		names_its_struct(&anchor(id, DataCategory::Allergy, H256::zero(), 1, None));
		names_its_struct(&revoke(id, H256::zero(), RevocationReason::Erased));
		names_its_struct(&attest(
			id,
			"MD1",
			&[DataCategory::Allergy],
			&[H256::zero()],
			Purpose::Treatment,
		));
	}
}
