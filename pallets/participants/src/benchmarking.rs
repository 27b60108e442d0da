//! Benchmarks for the participants pallet: every call, at its worst case (full bounded lists).

use super::*;
use alloc::vec::Vec;
use frame_benchmarking::v2::*;
use frame_support::dispatch::{DispatchInfo, GetDispatchInfo, PostDispatchInfo};
use frame_support::{
	traits::{EnsureOrigin, Get, Hooks},
	BoundedVec,
};
use frame_system::RawOrigin;
use healthchain_primitives::{ConsentPolicy, HospitalCode, LicenceNumber};
use sp_runtime::traits::{
	AsTransactionAuthorizedOrigin, DispatchTransaction, Dispatchable, TransactionExtension,
};

fn code(i: u32) -> HospitalCode {
	let mut v = b"H".to_vec();
	v.extend_from_slice(&i.to_le_bytes());
	v.resize(healthchain_primitives::MAX_HOSPITAL_CODE_LEN as usize, b'0');
	BoundedVec::truncate_from(v)
}

fn licence(i: u32) -> LicenceNumber {
	let mut v = b"MD".to_vec();
	v.extend_from_slice(&i.to_le_bytes());
	v.resize(healthchain_primitives::MAX_LICENCE_LEN as usize, b'0');
	BoundedVec::truncate_from(v)
}

fn long_name() -> Name {
	BoundedVec::truncate_from(alloc::vec![b'n'; 64])
}

/// A hospital with `gateways` gateway accounts; returns the first gateway.
fn hospital<T: Config>(i: u32, gateways: u32) -> T::AccountId {
	let accounts: Vec<T::AccountId> =
		(0..gateways.max(1)).map(|g| account("gateway", i, g)).collect();
	for a in &accounts {
		Pallet::<T>::grant_role(a, Role::Gateway(code(i))).expect("fresh account");
	}
	Hospitals::<T>::insert(
		code(i),
		Hospital {
			name: long_name(),
			policy: ConsentPolicy::OneTime,
			status: HospitalStatus::Active,
			gateways: BoundedVec::truncate_from(accounts.clone()),
		},
	);
	accounts[0].clone()
}

fn authority<T: Config>() -> T::AccountId {
	let a: T::AccountId = account("authority", 0, 0);
	Pallet::<T>::grant_role(&a, Role::LicensingAuthority).expect("fresh account");
	LicensingAuthority::<T>::put(&a);
	a
}

/// A licensed practitioner with `affiliations` affiliations (hospitals 1000..).
fn practitioner<T: Config>(affiliations: u32, terms: bool) -> LicenceNumber {
	let affs: Vec<HospitalCode> = (0..affiliations).map(|i| code(1000 + i)).collect();
	Practitioners::<T>::insert(
		licence(0),
		Practitioner {
			status: LicenceStatus::Licensed,
			affiliations: BoundedVec::truncate_from(affs),
			terms_accepted: terms,
		},
	);
	licence(0)
}

/// Transaction extension `ext`'s validation, preparation and post-dispatch for `who` making
/// `call` (the dispatch itself a stand-in); `refusal` names what the extension refused.
fn run_extension<T, E>(
	ext: E,
	who: T::AccountId,
	call: &<T as frame_system::Config>::RuntimeCall,
	refusal: &'static str,
) -> Result<(), BenchmarkError>
where
	T: Config + Send + Sync,
	E: TransactionExtension<<T as frame_system::Config>::RuntimeCall>,
	<T as frame_system::Config>::RuntimeCall:
		Dispatchable<Info = DispatchInfo, PostInfo = PostDispatchInfo> + GetDispatchInfo,
	<T as frame_system::Config>::RuntimeOrigin: AsTransactionAuthorizedOrigin,
{
	let info = call.get_dispatch_info();
	ext.test_run(RawOrigin::Signed(who).into(), call, &info, 0, 0, |_| Ok(().into()))
		.map_err(|_| BenchmarkError::Stop(refusal))?
		.map_err(|_| BenchmarkError::Stop("the dispatch stand-in failed"))?;
	Ok(())
}

/// Sets a quota override for `who`'s kind of signer and whitelists the keys the permission
/// gate reads before the nonce check (the signer's role, and the patient binding when the
/// role misses) and the override, read once a block by `on_initialize`: the node serves those
/// reads from its cache. Returns the nonce check at
/// `who`'s nonce, and the nonce.
fn prepare_quota<T: Config>(
	who: &T::AccountId,
) -> Result<(CheckNonceWithinQuota<T>, T::Nonce), BenchmarkError> {
	let signer =
		Pallet::<T>::signer_of(who).ok_or(BenchmarkError::Stop("the call's signer is unknown"))?;
	QuotaOverrides::<T>::insert(
		signer.kind(),
		Quota { per_block: 1_000, per_period: 1_000_000, max_pooled: 1_000 },
	);
	frame_benchmarking::benchmarking::add_to_whitelist(Roles::<T>::hashed_key_for(who).into());
	// Read once a block, before any transaction, by the pallet's `on_initialize`.
	frame_benchmarking::benchmarking::add_to_whitelist(
		QuotaOverrides::<T>::hashed_key_for(signer.kind()).into(),
	);
	if let Some(key) = T::Patients::binding_key(who) {
		frame_benchmarking::benchmarking::add_to_whitelist(key.into());
	}
	let nonce = frame_system::Pallet::<T>::account_nonce(who);
	Ok((CheckNonceWithinQuota::<T>::from(nonce), nonce))
}

/// What the quota benchmarks say when the nonce check refuses.
const QUOTA_REFUSES: &str = "the quota refuses the call";

/// Checks that the nonce check moved `who`'s nonce on from `nonce`.
fn nonce_moved_on<T: Config>(who: &T::AccountId, nonce: T::Nonce) -> Result<(), BenchmarkError> {
	if frame_system::Pallet::<T>::account_nonce(who) == nonce + 1u32.into() {
		Ok(())
	} else {
		Err(BenchmarkError::Stop("the nonce did not move on"))
	}
}

#[benchmarks(where
	T: Send + Sync,
	<T as frame_system::Config>::RuntimeCall:
		Dispatchable<Info = DispatchInfo, PostInfo = PostDispatchInfo> + GetDispatchInfo,
	<T as frame_system::Config>::RuntimeOrigin: AsTransactionAuthorizedOrigin,
)]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn admit_hospital() -> Result<(), BenchmarkError> {
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let gateway: T::AccountId = account("gateway", 0, 0);
		#[extrinsic_call]
		_(
			origin as T::RuntimeOrigin,
			code(0),
			long_name(),
			ConsentPolicy::PerRequest,
			gateway.clone(),
		);
		assert_eq!(Pallet::<T>::hospital_of_gateway(&gateway), Some(code(0)));
		Ok(())
	}

	#[benchmark]
	fn set_hospital_status() -> Result<(), BenchmarkError> {
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		hospital::<T>(0, T::MaxGateways::get());
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, code(0), HospitalStatus::Suspended);
		assert!(!Pallet::<T>::is_active_hospital(&code(0)));
		Ok(())
	}

	#[benchmark]
	fn set_registrar_status() -> Result<(), BenchmarkError> {
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let registrar: T::AccountId = account("registrar", 0, 0);
		Pallet::<T>::grant_role(&registrar, Role::Registrar).expect("a fresh account");
		Registrars::<T>::insert(
			&registrar,
			Registrar {
				kind: RegistrarKind::BankBranch,
				name: BoundedVec::truncate_from(alloc::vec![b'r'; 64]),
			},
		);
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, registrar.clone(), true);
		assert!(SuspendedRegistrars::<T>::contains_key(&registrar));
		Ok(())
	}

	#[benchmark]
	fn set_consent_policy() {
		let gw = hospital::<T>(0, T::MaxGateways::get());
		#[extrinsic_call]
		_(RawOrigin::Signed(gw), code(0), ConsentPolicy::PerRequest);
		assert_eq!(Hospitals::<T>::get(code(0)).map(|h| h.policy), Some(ConsentPolicy::PerRequest));
	}

	#[benchmark]
	fn add_gateway() {
		let gw = hospital::<T>(0, T::MaxGateways::get() - 1);
		let new: T::AccountId = account("new-gateway", 0, 0);
		#[extrinsic_call]
		_(RawOrigin::Signed(gw), code(0), new.clone());
		assert_eq!(Pallet::<T>::hospital_of_gateway(&new), Some(code(0)));
	}

	#[benchmark]
	fn remove_gateway() {
		let gw = hospital::<T>(0, T::MaxGateways::get());
		let last: T::AccountId = account("gateway", 0, T::MaxGateways::get() - 1);
		#[extrinsic_call]
		_(RawOrigin::Signed(gw), code(0), last.clone());
		assert_eq!(Pallet::<T>::hospital_of_gateway(&last), None);
	}

	#[benchmark]
	fn admit_registrar() -> Result<(), BenchmarkError> {
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		hospital::<T>(0, 1);
		let registrar: T::AccountId = account("registrar", 0, 0);
		#[extrinsic_call]
		_(
			origin as T::RuntimeOrigin,
			registrar.clone(),
			RegistrarKind::HospitalServicePoint(code(0)),
			long_name(),
		);
		assert!(Pallet::<T>::is_registrar(&registrar));
		Ok(())
	}

	#[benchmark]
	fn remove_registrar() -> Result<(), BenchmarkError> {
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let registrar: T::AccountId = account("registrar", 0, 0);
		Pallet::<T>::grant_role(&registrar, Role::Registrar).expect("fresh");
		Registrars::<T>::insert(
			&registrar,
			Registrar { kind: RegistrarKind::BankBranch, name: long_name() },
		);
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, registrar.clone());
		assert!(!Pallet::<T>::is_registrar(&registrar));
		Ok(())
	}

	#[benchmark]
	fn set_licensing_authority() -> Result<(), BenchmarkError> {
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		authority::<T>();
		let new: T::AccountId = account("authority", 1, 0);
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, new.clone());
		assert_eq!(LicensingAuthority::<T>::get(), Some(new));
		Ok(())
	}

	#[benchmark]
	fn set_quota() -> Result<(), BenchmarkError> {
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let quota = Quota { per_block: 9, per_period: 99, max_pooled: 9 };
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, SignerKind::Patient, Some(quota));
		assert_eq!(Pallet::<T>::quota_of(SignerKind::Patient), quota);
		Ok(())
	}

	#[benchmark]
	fn license_practitioner() {
		let a = authority::<T>();
		#[extrinsic_call]
		_(RawOrigin::Signed(a), licence(7));
		assert!(Practitioners::<T>::contains_key(licence(7)));
	}

	#[benchmark]
	fn set_licence_status() {
		let a = authority::<T>();
		let l = practitioner::<T>(T::MaxAffiliations::get(), true);
		#[extrinsic_call]
		_(RawOrigin::Signed(a), l.clone(), LicenceStatus::Suspended);
		assert_eq!(Practitioners::<T>::get(l).map(|p| p.status), Some(LicenceStatus::Suspended));
	}

	#[benchmark]
	fn affiliate_practitioner() {
		let gw = hospital::<T>(0, 1);
		let l = practitioner::<T>(T::MaxAffiliations::get() - 1, false);
		#[extrinsic_call]
		_(RawOrigin::Signed(gw), l.clone());
		assert!(Practitioners::<T>::get(l).is_some_and(|p| p.affiliations.contains(&code(0))));
	}

	#[benchmark]
	fn end_affiliation() {
		let gw = hospital::<T>(0, 1);
		let l = practitioner::<T>(T::MaxAffiliations::get() - 1, false);
		Practitioners::<T>::mutate(&l, |p| {
			if let Some(p) = p {
				let _ = p.affiliations.try_push(code(0));
			}
		});
		#[extrinsic_call]
		_(RawOrigin::Signed(gw), l.clone());
		assert!(Practitioners::<T>::get(l).is_some_and(|p| !p.affiliations.contains(&code(0))));
	}

	#[benchmark]
	fn accept_terms() {
		let gw = hospital::<T>(0, 1);
		let l = practitioner::<T>(T::MaxAffiliations::get() - 1, false);
		Practitioners::<T>::mutate(&l, |p| {
			if let Some(p) = p {
				let _ = p.affiliations.try_push(code(0));
			}
		});
		#[extrinsic_call]
		_(RawOrigin::Signed(gw), l.clone());
		assert!(Practitioners::<T>::get(l).is_some_and(|p| p.terms_accepted));
	}

	/// The permission gate on a call its signer's role alone allows (a gateway's
	/// attestation): validation, preparation and post-dispatch.
	#[benchmark]
	fn check_permission_by_role() -> Result<(), BenchmarkError> {
		let (who, call) = T::BenchmarkHelper::worst_case_call(0);
		#[block]
		{
			run_extension::<T, _>(
				CheckPermission::<T>::new(),
				who,
				&call,
				"the gate refuses its worst case",
			)?;
		}
		Ok(())
	}

	/// The permission gate on a call of `n` acts for patients, each the costliest rule (from
	/// the runtime's [`BenchmarkHelper`]): validation, preparation and post-dispatch.
	#[benchmark]
	fn check_permission(n: Linear<1, 100>) -> Result<(), BenchmarkError> {
		let (who, call) = T::BenchmarkHelper::worst_case_call(n);
		#[block]
		{
			run_extension::<T, _>(
				CheckPermission::<T>::new(),
				who,
				&call,
				"the gate refuses its worst case",
			)?;
		}
		Ok(())
	}

	/// The nonce check with the quotas for a patient's key (a role miss, then its binding),
	/// under a quota override: validation, preparation (nonce and usage written) and
	/// post-dispatch. The signer's role and binding are whitelisted: the permission gate, the
	/// extension before it, has read them in the same transaction.
	#[benchmark]
	fn check_nonce_within_quota() -> Result<(), BenchmarkError> {
		let (who, call) = T::BenchmarkHelper::patient_call();
		let (quota, nonce) = prepare_quota::<T>(&who)?;
		#[block]
		{
			run_extension::<T, _>(quota, who.clone(), &call, QUOTA_REFUSES)?;
		}
		nonce_moved_on::<T>(&who, nonce)
	}

	/// The same for a participant's key (a gateway), found by its role.
	#[benchmark]
	fn check_nonce_within_quota_by_role() -> Result<(), BenchmarkError> {
		let (who, call) = T::BenchmarkHelper::worst_case_call(0);
		let (quota, nonce) = prepare_quota::<T>(&who)?;
		#[block]
		{
			run_extension::<T, _>(quota, who.clone(), &call, QUOTA_REFUSES)?;
		}
		nonce_moved_on::<T>(&who, nonce)
	}

	/// The block's first read of every kind's quota override (`on_initialize`), each set.
	#[benchmark]
	fn read_quotas() {
		for kind in SignerKind::ALL {
			QuotaOverrides::<T>::insert(
				kind,
				Quota { per_block: 1_000, per_period: 1_000_000, max_pooled: 1_000 },
			);
		}
		#[block]
		{
			Pallet::<T>::on_initialize(1u32.into());
		}
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
