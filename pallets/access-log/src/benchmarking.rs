//! Benchmarks for the access-log pallet: the attestation runs the full consent decision; the
//! worst case is a per-request hospital with a grant (every check, plus the grant lookup).

use super::*;
use alloc::vec::Vec;
use frame_benchmarking::v2::*;
use frame_support::BoundedVec;
use frame_system::RawOrigin;
use healthchain_primitives::{
	ConsentPolicy, DataCategory, DocumentKind, HealthId, HospitalCode, LicenceNumber, Purpose,
	MAX_LICENCE_LEN, MAX_RECORDS_PER_ATTESTATION_U32 as MAX_RECORDS,
};
use pallet_consent::SourceSelection;
use pallet_participants::{Hospital, HospitalStatus, LicenceStatus, Practitioner, Role};
use sp_core::H256;

fn setup<T: Config>() -> (T::AccountId, HealthId, LicenceNumber) {
	let code: HospitalCode = BoundedVec::truncate_from(b"H0002".to_vec());
	let gw: T::AccountId = account("gateway", 0, 0);
	pallet_participants::Pallet::<T>::grant_role(&gw, Role::Gateway(code.clone())).expect("fresh");
	pallet_participants::Hospitals::<T>::insert(
		code.clone(),
		Hospital {
			name: BoundedVec::truncate_from(alloc::vec![b'h'; 64]),
			policy: ConsentPolicy::PerRequest,
			status: HospitalStatus::Active,
			gateways: BoundedVec::truncate_from(alloc::vec![gw.clone()]),
		},
	);
	let doctor: LicenceNumber =
		BoundedVec::truncate_from(alloc::vec![b'L'; MAX_LICENCE_LEN as usize]);
	pallet_participants::Practitioners::<T>::insert(
		doctor.clone(),
		Practitioner {
			status: LicenceStatus::Licensed,
			affiliations: BoundedVec::truncate_from(alloc::vec![code]),
			terms_accepted: true,
		},
	);
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
	pallet_consent::Pallet::<T>::enrol(
		RawOrigin::Signed(key.clone()).into(),
		id,
		SourceSelection::All,
	)
	.expect("enrols");
	pallet_consent::Pallet::<T>::set_sensitive_opt_in(
		RawOrigin::Signed(key.clone()).into(),
		id,
		true,
	)
	.expect("opts in");
	pallet_consent::Pallet::<T>::request_access(
		RawOrigin::Signed(gw.clone()).into(),
		id,
		doctor.clone(),
		frame_support::BoundedVec::truncate_from(DataCategory::ALL.to_vec()),
		Purpose::Treatment,
		None,
	)
	.expect("requests");
	let request = pallet_consent::NextRequestId::<T>::get() - 1;
	pallet_consent::Pallet::<T>::respond(RawOrigin::Signed(key).into(), request, true)
		.expect("grants");
	(gw, id, doctor)
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn attest(r: Linear<1, MAX_RECORDS>) {
		let (gw, id, doctor) = setup::<T>();
		let records: Vec<H256> = (0..r).map(|i| H256::repeat_byte(i as u8 + 1)).collect();
		#[extrinsic_call]
		_(
			RawOrigin::Signed(gw),
			id,
			doctor,
			frame_support::BoundedVec::truncate_from(DataCategory::ALL.to_vec()),
			BoundedVec::truncate_from(records),
			Purpose::Treatment,
		);
		assert_eq!(AccessLogs::<T>::get(id).count, 1);
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
