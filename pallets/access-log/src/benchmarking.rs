//! Benchmarks for the access-log pallet: the attestation runs the full consent decision; the
//! worst case is a per-request hospital with a grant (every check, plus the grant lookup).

use super::*;
use alloc::vec::Vec;
use frame_benchmarking::v2::*;
use frame_support::{traits::Get, BoundedVec};
use frame_system::RawOrigin;
use healthchain_primitives::{
	logs::AccessAttestation, ConsentPolicy, DataCategory, DocumentKind, HealthId, HospitalCode,
	LicenceNumber, Purpose, MAX_LICENCE_LEN, MAX_RECORDS_PER_ATTESTATION_U32 as MAX_RECORDS,
};
use pallet_consent::SourceSelection;
use pallet_participants::{Hospital, HospitalStatus, LicenceStatus, Practitioner, Role};
use sp_core::H256;

/// A per-request hospital `H0002` with its gateway, and a licensed, affiliated doctor. The
/// gateway's role is whitelisted: the permission gate has read it in the same transaction
/// before the call runs, as frame_system's nonce check has read the signer's account.
fn provider<T: Config>() -> (T::AccountId, LicenceNumber) {
	let code: HospitalCode = BoundedVec::truncate_from(b"H0002".to_vec());
	let gw: T::AccountId = account("gateway", 0, 0);
	pallet_participants::Pallet::<T>::grant_role(&gw, Role::Gateway(code.clone())).expect("fresh");
	frame_benchmarking::benchmarking::add_to_whitelist(
		pallet_participants::Roles::<T>::hashed_key_for(&gw).into(),
	);
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
	let registrar: T::AccountId = account("registrar", 0, 0);
	pallet_participants::Pallet::<T>::grant_role(&registrar, Role::Registrar).expect("fresh");
	(gw, doctor)
}

/// Patient `i`, registered, enrolled, opted in to sensitive categories, with a grant to
/// `doctor` at `gw`'s hospital for every category: the costliest permit to decide.
fn granted_patient<T: Config>(i: u32, gw: &T::AccountId, doctor: &LicenceNumber) -> HealthId {
	let key: T::AccountId = account("patient", i, 0);
	let mut raw = [7u8; 32];
	raw[..4].copy_from_slice(&i.to_le_bytes());
	let id = HealthId(raw);
	let registrar: T::AccountId = account("registrar", 0, 0);
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
	id
}

/// `r` distinct record hashes, each a live record of `id` (anchored by hospital `H0002`, in
/// the last category): an attestation names only live records.
fn records<T: Config>(id: HealthId, r: u32) -> RecordHashes {
	let hashes: Vec<H256> = (0..r).map(|i| H256::repeat_byte(i as u8 + 1)).collect();
	for hash in &hashes {
		pallet_records::Anchors::<T>::insert(
			id,
			hash,
			pallet_records::AnchoredRecord {
				hospital: BoundedVec::truncate_from(b"H0002".to_vec()),
				category: DataCategory::ALL[DataCategory::ALL.len() - 1],
				status: pallet_records::RecordStatus::Live,
			},
		);
	}
	BoundedVec::truncate_from(hashes)
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn attest(r: Linear<1, MAX_RECORDS>) {
		let (gw, doctor) = provider::<T>();
		let id = granted_patient::<T>(0, &gw, &doctor);
		let records = records::<T>(id, r);
		#[extrinsic_call]
		_(
			RawOrigin::Signed(gw),
			id,
			doctor,
			frame_support::BoundedVec::truncate_from(DataCategory::ALL.to_vec()),
			records,
			Purpose::Treatment,
		);
		assert_eq!(Pallet::<T>::head(&id).count, 1);
	}

	/// `n` accesses to `n` different patients, each with a grant and one record (further
	/// records are weighed at `attest`'s cost per record).
	#[benchmark]
	fn attest_batch(n: Linear<1, { T::MaxBatch::get() }>) {
		let (gw, doctor) = provider::<T>();
		let accesses: Vec<AccessAttestation> = (0..n)
			.map(|i| {
				let health_id = granted_patient::<T>(i, &gw, &doctor);
				AccessAttestation {
					health_id,
					practitioner: doctor.clone(),
					categories: frame_support::BoundedVec::truncate_from(
						DataCategory::ALL.to_vec(),
					),
					records: records::<T>(health_id, 1),
					purpose: Purpose::Treatment,
				}
			})
			.collect();
		let ids: Vec<HealthId> = accesses.iter().map(|a| a.health_id).collect();
		#[extrinsic_call]
		_(RawOrigin::Signed(gw), BoundedVec::truncate_from(accesses));
		for id in ids {
			assert_eq!(Pallet::<T>::head(&id).count, 1);
		}
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
