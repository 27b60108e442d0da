//! Unit tests: one named test per consent rule, every error, and property tests of the
//! invariants over random call sequences. One file per rule or concern; the helpers they
//! share are here.

use crate::{mock::*, *};
use frame_support::{assert_noop, assert_ok, traits::Hooks as _, weights::Weight, BoundedVec};
use healthchain_primitives::{
	ConsentPolicy, DataCategory as C, Decision, DenyReason, HealthId, Moment, PermitBasis, Purpose,
};
use pallet_participants::{HospitalStatus, LicenceStatus};
use sp_runtime::DispatchError;

mod assistance;
mod decide;
mod emergency;
mod enrolment;
mod properties;
mod pruning;
mod requests;
mod sensitive;
mod sources;
mod withdrawal;

/// A patient's source selection in the test runtime.
type Sources = SourceSelectionOf<Test>;

/// Only the hospitals of these codes.
fn only(codes: &[&str]) -> Sources {
	SourceSelection::Only(BoundedVec::truncate_from(codes.iter().map(|c| code(c)).collect()))
}
/// A bounded list of data categories.
fn cats(v: Vec<C>) -> healthchain_primitives::Categories {
	BoundedVec::truncate_from(v)
}
/// The origin of a patient's wallet key.
fn patient(key: u64) -> RuntimeOrigin {
	RuntimeOrigin::signed(key)
}
/// The licensing authority, the one reviewer of emergency accesses.
fn authority() -> RuntimeOrigin {
	RuntimeOrigin::signed(COUNCIL)
}
/// The origin of a hospital gateway.
fn gw(g: u64) -> RuntimeOrigin {
	RuntimeOrigin::signed(g)
}
/// Somchai enrols with these sources.
fn enrol_somchai(sources: Sources) {
	assert_ok!(Consent::enrol(patient(SOMCHAI_KEY), somchai(), sources));
}
/// The consent decision for a practitioner at a hospital, now.
fn decide(doctor: &str, hospital: &str, who: HealthId, cats: &[C], purpose: Purpose) -> Decision {
	Consent::decide(&lic(doctor), &code(hospital), &who, cats, purpose, Consent::now())
}
/// The last event deposited.
fn last_event() -> RuntimeEvent {
	System::events().pop().expect("an event").event
}
/// 17:00 UTC on T0's day: midnight in Bangkok.
const MIDNIGHT_BKK: Moment = T0 + 14 * HOUR;

/// A gateway opens an emergency access to Somchai's records for a practitioner.
fn open_emergency(g: u64, d: &str) -> frame_support::dispatch::DispatchResult {
	Consent::open_emergency_access(gw(g), somchai(), lic(d), EmergencyReason::Unconscious)
}
