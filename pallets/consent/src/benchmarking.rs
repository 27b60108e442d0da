//! Benchmarks for the consent pallet, at worst case: full source lists, full pending lists.

use super::*;
use alloc::vec::Vec;
use frame_benchmarking::v2::*;
use frame_support::{traits::Get, weights::Weight, BoundedVec};
use frame_system::RawOrigin;
use healthchain_primitives::{
	ConsentPolicy, DataCategory, DocumentKind, HealthId, HospitalCode, LicenceNumber, Purpose,
};
use pallet_health_id::Controller;
use pallet_participants::{Hospital, HospitalStatus, LicenceStatus, Practitioner, Role};

fn code(i: u32) -> HospitalCode {
	let mut v = b"H".to_vec();
	v.extend_from_slice(&i.to_le_bytes());
	v.resize(healthchain_primitives::MAX_HOSPITAL_CODE_LEN as usize, b'0');
	BoundedVec::truncate_from(v)
}

fn licence() -> LicenceNumber {
	BoundedVec::truncate_from(alloc::vec![b'L'; healthchain_primitives::MAX_LICENCE_LEN as usize])
}

/// An active hospital with one gateway; returns the gateway.
fn hospital<T: Config>(i: u32, policy: ConsentPolicy) -> T::AccountId {
	let gw: T::AccountId = account("gateway", i, 0);
	if pallet_participants::Hospitals::<T>::contains_key(code(i)) {
		return gw;
	}
	pallet_participants::Pallet::<T>::grant_role(&gw, Role::Gateway(code(i))).expect("fresh");
	pallet_participants::Hospitals::<T>::insert(
		code(i),
		Hospital {
			name: BoundedVec::truncate_from(alloc::vec![b'h'; 64]),
			policy,
			status: HospitalStatus::Active,
			gateways: BoundedVec::truncate_from(alloc::vec![gw.clone()]),
		},
	);
	gw
}

/// A licensed doctor affiliated with hospitals 0, 1, ... (full affiliations), terms accepted.
fn doctor<T: Config>() -> LicenceNumber {
	let affs: Vec<HospitalCode> =
		(0..<T as pallet_participants::Config>::MaxAffiliations::get()).map(code).collect();
	pallet_participants::Practitioners::<T>::insert(
		licence(),
		Practitioner {
			status: LicenceStatus::Licensed,
			affiliations: BoundedVec::truncate_from(affs),
			terms_accepted: true,
		},
	);
	licence()
}

/// A patient with a wallet key; returns (health ID, key).
fn patient<T: Config>() -> (HealthId, T::AccountId) {
	let key: T::AccountId = account("patient", 0, 0);
	let id = HealthId([7u8; 32]);
	pallet_health_id::Controllers::<T>::insert(&key, id);
	frame_system::Pallet::<T>::inc_providers(&key);
	pallet_health_id::HealthIds::<T>::insert(
		id,
		pallet_health_id::HealthIdRecord {
			controller: Controller::Key(key.clone()),
			document: DocumentKind::ThaiCitizenId,
			status: pallet_health_id::HealthIdStatus::Active,
			registered_by: key.clone(),
			registered_at: Default::default(),
		},
	);
	(id, key)
}

/// An assisted patient (no key) and a registrar; returns (health ID, registrar).
fn assisted<T: Config>() -> (HealthId, T::AccountId) {
	let registrar: T::AccountId = account("registrar", 0, 0);
	pallet_participants::Pallet::<T>::grant_role(&registrar, Role::Registrar).expect("fresh");
	let id = HealthId([8u8; 32]);
	pallet_health_id::HealthIds::<T>::insert(
		id,
		pallet_health_id::HealthIdRecord {
			controller: Controller::Assisted,
			document: DocumentKind::ThaiCitizenId,
			status: pallet_health_id::HealthIdStatus::Active,
			registered_by: registrar.clone(),
			registered_at: Default::default(),
		},
	);
	(id, registrar)
}

/// `n` active hospitals as a source list (hospitals 100..).
fn full_sources<T: Config>(n: u32) -> SourceSelectionOf<T> {
	let list: Vec<HospitalCode> = (0..n)
		.map(|i| {
			hospital::<T>(100 + i, ConsentPolicy::OneTime);
			code(100 + i)
		})
		.collect();
	SourceSelection::Only(BoundedVec::truncate_from(list))
}

fn enrolled<T: Config>() -> (HealthId, T::AccountId) {
	let (id, key) = patient::<T>();
	Pallet::<T>::enrol(RawOrigin::Signed(key.clone()).into(), id, SourceSelection::All)
		.expect("enrols");
	(id, key)
}

/// Fills the patient's pending list up to `n` requests from the doctor, at hospital 0 and
/// then, `MaxPendingPerHospital` at a time, at hospitals 1, 2, ... (per-request policy).
fn pending<T: Config>(id: HealthId, gw: &T::AccountId, n: u32) {
	let per_hospital = T::MaxPendingPerHospital::get().max(1);
	for k in 0..n {
		let i = k / per_hospital;
		let signer = if i == 0 { gw.clone() } else { hospital::<T>(i, ConsentPolicy::PerRequest) };
		Pallet::<T>::request_access(
			RawOrigin::Signed(signer).into(),
			id,
			licence(),
			all_categories(),
			Purpose::Treatment,
			None,
		)
		.expect("requests");
	}
}

/// A health ID numbered `k` (for state written directly).
fn numbered_patient(k: u32) -> HealthId {
	let mut bytes = [0xb0; 32];
	bytes[..4].copy_from_slice(&k.to_le_bytes());
	HealthId(bytes)
}

/// Every data category.
fn all_categories() -> healthchain_primitives::Categories {
	BoundedVec::truncate_from(DataCategory::ALL.to_vec())
}

/// Fills the patient's grants up to `MaxGrants` with expired grants of other hospitals, the
/// worst case for a new grant (all pruned first) and for a withdrawal (all cleared).
fn expired_grants<T: Config>(id: HealthId) {
	let max = T::MaxGrants::get();
	for i in 0..max {
		Grants::<T>::insert(
			(id, code(20_000 + i), licence()),
			AccessGrant {
				request_id: u64::MAX - i as u64,
				categories: all_categories(),
				purpose: Purpose::Treatment,
				granted_at: 0,
				expires_at: 0,
			},
		);
	}
	GrantCount::<T>::insert(id, max);
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn enrol(s: Linear<1, { T::MaxSources::get() }>) {
		let (id, key) = patient::<T>();
		let sources = full_sources::<T>(s);
		#[extrinsic_call]
		_(RawOrigin::Signed(key), id, sources);
		assert!(Pallet::<T>::is_enrolled(&id));
	}

	#[benchmark]
	fn withdraw(p: Linear<0, { T::MaxPendingRequests::get() }>) {
		let gw = hospital::<T>(0, ConsentPolicy::PerRequest);
		doctor::<T>();
		let (id, key) = enrolled::<T>();
		pending::<T>(id, &gw, p);
		expired_grants::<T>(id);
		#[extrinsic_call]
		_(RawOrigin::Signed(key), id);
		assert!(!Pallet::<T>::is_enrolled(&id));
		assert_eq!(GrantCount::<T>::get(id), 0);
	}

	#[benchmark]
	fn set_sources(s: Linear<1, { T::MaxSources::get() }>) {
		let (id, key) = enrolled::<T>();
		let sources = full_sources::<T>(s);
		#[extrinsic_call]
		_(RawOrigin::Signed(key), id, sources.clone());
		assert!(Consents::<T>::get(id).is_some_and(|c| c.sources == sources));
	}

	#[benchmark]
	fn set_sensitive_opt_in() {
		let (id, key) = enrolled::<T>();
		#[extrinsic_call]
		_(RawOrigin::Signed(key), id, true);
		assert!(Consents::<T>::get(id).is_some_and(|c| c.sensitive_opt_in));
	}

	#[benchmark]
	fn request_access(p: Linear<0, { T::MaxPendingRequests::get() - 1 }>) {
		let gw = hospital::<T>(0, ConsentPolicy::PerRequest);
		let doc = doctor::<T>();
		let (id, _) = enrolled::<T>();
		pending::<T>(id, &gw, p);
		// The last hospital the doctor is affiliated with has asked nothing yet.
		let last = <T as pallet_participants::Config>::MaxAffiliations::get() - 1;
		let caller = hospital::<T>(last, ConsentPolicy::PerRequest);
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), id, doc, all_categories(), Purpose::Treatment, Some(1));
		assert_eq!(PendingRequests::<T>::get(id).len() as u32, p + 1);
	}

	#[benchmark]
	fn respond(p: Linear<1, { T::MaxPendingRequests::get() }>) {
		let gw = hospital::<T>(0, ConsentPolicy::PerRequest);
		doctor::<T>();
		let (id, key) = enrolled::<T>();
		pending::<T>(id, &gw, p);
		expired_grants::<T>(id);
		let first = NextRequestId::<T>::get() - p as u64;
		#[extrinsic_call]
		_(RawOrigin::Signed(key), first, true);
		assert!(Grants::<T>::contains_key((id, code(0), licence())));
	}

	#[benchmark]
	fn revoke_grant() {
		let gw = hospital::<T>(0, ConsentPolicy::PerRequest);
		doctor::<T>();
		let (id, key) = enrolled::<T>();
		pending::<T>(id, &gw, 1);
		Pallet::<T>::respond(RawOrigin::Signed(key.clone()).into(), 0, true).expect("grants");
		#[extrinsic_call]
		_(RawOrigin::Signed(key), id, code(0), licence());
		assert!(!Grants::<T>::contains_key((id, code(0), licence())));
	}

	#[benchmark]
	fn open_emergency_access() {
		let gw = hospital::<T>(0, ConsentPolicy::PerRequest);
		let doc = doctor::<T>();
		let (id, _) = enrolled::<T>();
		#[extrinsic_call]
		_(RawOrigin::Signed(gw), id, doc, EmergencyReason::Unconscious);
		assert!(EmergencyAccesses::<T>::contains_key(0));
	}

	#[benchmark]
	fn review_emergency_access() {
		let gw = hospital::<T>(0, ConsentPolicy::PerRequest);
		let doc = doctor::<T>();
		let (id, _) = enrolled::<T>();
		Pallet::<T>::open_emergency_access(
			RawOrigin::Signed(gw.clone()).into(),
			id,
			doc,
			EmergencyReason::Unconscious,
		)
		.expect("opens");
		// The licensing authority reviews (the opening hospital never does); `Unjustified` is
		// the costliest verdict: it ends the access and counts against the practitioner.
		let authority: T::AccountId = account("authority", 0, 0);
		pallet_participants::Pallet::<T>::grant_role(
			&authority,
			pallet_participants::Role::LicensingAuthority,
		)
		.expect("a fresh account");
		pallet_participants::LicensingAuthority::<T>::put(&authority);
		#[extrinsic_call]
		_(RawOrigin::Signed(authority), 0, Review::Unjustified);
		assert!(EmergencyAccesses::<T>::get(0).is_some_and(|e| e.review == Review::Unjustified));
		assert_eq!(UnjustifiedEmergencies::<T>::get(licence()), 1);
	}

	#[benchmark]
	fn open_assistance() {
		hospital::<T>(0, ConsentPolicy::OneTime);
		let (id, registrar) = assisted::<T>();
		#[extrinsic_call]
		_(RawOrigin::Signed(registrar), id, Assistant::Hospital(code(0)));
		assert!(Assistance::<T>::contains_key(id));
	}

	#[benchmark]
	fn close_assistance() {
		let gw = hospital::<T>(0, ConsentPolicy::OneTime);
		let (id, registrar) = assisted::<T>();
		Pallet::<T>::open_assistance(
			RawOrigin::Signed(registrar).into(),
			id,
			Assistant::Hospital(code(0)),
		)
		.expect("opens");
		#[extrinsic_call]
		_(RawOrigin::Signed(gw), id);
		assert!(!Assistance::<T>::contains_key(id));
	}

	/// `on_idle`'s pruning: `r` lapsed requests (each in a patient's full pending list) and
	/// `e` reviewed, ended emergency accesses, all removed in one call.
	#[benchmark]
	fn prune(r: Linear<0, 100>, e: Linear<0, 100>) {
		let max_pending = T::MaxPendingRequests::get();
		for k in 0..r {
			let id = numbered_patient(k);
			Requests::<T>::insert(
				u64::from(k),
				AccessRequest {
					health_id: id,
					hospital: code(0),
					practitioner: licence(),
					categories: all_categories(),
					purpose: Purpose::Treatment,
					created_at: 0,
					expires_at: 0,
					grant_for: None,
				},
			);
			// The lapsed request last in a full list: the longest walk to remove it.
			let list: Vec<RequestId> = (0..max_pending)
				.map(|i| if i + 1 == max_pending { u64::from(k) } else { u64::MAX - u64::from(i) })
				.collect();
			PendingRequests::<T>::insert(id, BoundedVec::truncate_from(list));
		}
		NextRequestId::<T>::put(u64::from(r));
		for k in 0..e {
			let id = numbered_patient(1_000 + k);
			EmergencyAccesses::<T>::insert(
				u64::from(k),
				EmergencyAccess {
					health_id: id,
					hospital: code(0),
					practitioner: licence(),
					reason: EmergencyReason::Unconscious,
					opened_at: 0,
					expires_at: 0,
					// Ended by its verdict: prunable at once (a `Justified` one waits out the
					// overturn window first; pruning either costs the same).
					review: Review::Unjustified,
					after_refusal: false,
				},
			);
			ActiveEmergency::<T>::insert((id, code(0), licence()), u64::from(k));
		}
		NextEmergencyId::<T>::put(u64::from(e));
		#[block]
		{
			Pallet::<T>::prune(Weight::MAX);
		}
		assert_eq!(Pruning::<T>::get(), PruneCursor { request: r.into(), emergency: e.into() });
		assert_eq!(Requests::<T>::iter().count(), 0);
		assert_eq!(EmergencyAccesses::<T>::iter().count(), 0);
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
