//! Benchmarks for the records pallet.

use super::*;
use frame_benchmarking::v2::*;
use frame_support::{traits::Get, BoundedVec};
use frame_system::RawOrigin;
use healthchain_primitives::{
	ConsentPolicy, DataCategory, DocumentKind, HealthId, HospitalCode, MAX_HOSPITAL_CODE_LEN,
};
use pallet_consent::SourceSelection;
use pallet_participants::{Hospital, HospitalStatus, Role};
use sp_core::H256;

/// An active hospital with one gateway, an enrolled patient who selected a full source list
/// ending with it (the worst case for the source check); returns (gateway, patient).
pub(crate) fn setup<T: Config>() -> (T::AccountId, HealthId) {
	let code = |i: u32| -> HospitalCode {
		let mut v = b"H".to_vec();
		v.extend_from_slice(&i.to_le_bytes());
		v.resize(MAX_HOSPITAL_CODE_LEN as usize, b'0');
		BoundedVec::truncate_from(v)
	};
	let max = <T as pallet_consent::Config>::MaxSources::get();
	let mut gateway = None;
	for i in 0..max {
		let gw: T::AccountId = account("gateway", i, 0);
		pallet_participants::Pallet::<T>::grant_role(&gw, Role::Gateway(code(i))).expect("fresh");
		pallet_participants::Hospitals::<T>::insert(
			code(i),
			Hospital {
				name: BoundedVec::truncate_from(alloc::vec![b'h'; 64]),
				policy: ConsentPolicy::OneTime,
				status: HospitalStatus::Active,
				gateways: BoundedVec::truncate_from(alloc::vec![gw.clone()]),
			},
		);
		gateway = Some(gw);
	}
	let key: T::AccountId = account("patient", 0, 0);
	let id = HealthId([7u8; 32]);
	let registrar: T::AccountId = account("registrar", 0, 0);
	pallet_participants::Pallet::<T>::grant_role(&registrar, Role::Registrar).expect("fresh");
	pallet_health_id::Pallet::<T>::register(
		RawOrigin::Signed(registrar).into(),
		id,
		DocumentKind::ThaiCitizenId,
		true,
		pallet_health_id::Controller::Key(key.clone()),
	)
	.expect("registers");
	let sources = SourceSelection::Only(BoundedVec::truncate_from((0..max).map(code).collect()));
	pallet_consent::Pallet::<T>::enrol(RawOrigin::Signed(key).into(), id, sources).expect("enrols");
	(gateway.expect("MaxSources > 0"), id)
}

/// Record `n` of the patient, anchored live by `gw`'s hospital: what the worst cases
/// supersede or revoke.
fn anchored<T: Config>(gw: &T::AccountId, id: HealthId, n: u8) -> H256 {
	let hash = H256::repeat_byte(n);
	Pallet::<T>::anchor(
		RawOrigin::Signed(gw.clone()).into(),
		id,
		DataCategory::LabAndImaging,
		hash,
		4096,
		None,
	)
	.expect("anchors a record of the benchmark's own hospital");
	hash
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// The worst case supersedes a live record of the same hospital (read and rewritten).
	#[benchmark]
	fn anchor() {
		let (gw, id) = setup::<T>();
		let old = anchored::<T>(&gw, id, 2);
		#[extrinsic_call]
		_(
			RawOrigin::Signed(gw),
			id,
			DataCategory::LabAndImaging,
			H256::repeat_byte(1),
			4096,
			Some(old),
		);
		assert_eq!(RecordLogs::<T>::get(id).count, 2);
		assert_eq!(Pallet::<T>::live_record(&id, &old), None);
	}

	#[benchmark]
	fn revoke() {
		let (gw, id) = setup::<T>();
		let hash = anchored::<T>(&gw, id, 1);
		#[extrinsic_call]
		_(RawOrigin::Signed(gw), id, hash, RevocationReason::Erased);
		assert_eq!(RecordLogs::<T>::get(id).count, 2);
		assert_eq!(Pallet::<T>::live_record(&id, &hash), None);
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
