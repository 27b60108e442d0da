//! Benchmarks for the health-id pallet.

use super::*;
use frame_benchmarking::v2::*;
use frame_system::RawOrigin;
use healthchain_primitives::{DocumentKind, HealthId};

fn registrar<T: Config>() -> T::AccountId {
	let r: T::AccountId = account("registrar", 0, 0);
	pallet_participants::Pallet::<T>::grant_role(&r, pallet_participants::Role::Registrar)
		.expect("fresh account");
	r
}

fn registered<T: Config>(registrar: &T::AccountId, key: T::AccountId) -> HealthId {
	let id = HealthId([1u8; 32]);
	Pallet::<T>::register(
		RawOrigin::Signed(registrar.clone()).into(),
		id,
		DocumentKind::ThaiCitizenId,
		true,
		Controller::Key(key),
	)
	.expect("registers");
	id
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn register() {
		let r = registrar::<T>();
		let key: T::AccountId = account("patient", 0, 0);
		let id = HealthId([9u8; 32]);
		#[extrinsic_call]
		_(
			RawOrigin::Signed(r),
			id,
			DocumentKind::Passport { country: *b"MMR" },
			true,
			Controller::Key(key.clone()),
		);
		assert_eq!(Pallet::<T>::health_id_of_controller(&key), Some(id));
	}

	#[benchmark]
	fn rebind_controller() {
		let r = registrar::<T>();
		let id = registered::<T>(&r, account("patient", 0, 0));
		let new_key: T::AccountId = account("patient", 1, 0);
		#[extrinsic_call]
		_(RawOrigin::Signed(r), id, Controller::Key(new_key.clone()));
		assert_eq!(Pallet::<T>::health_id_of_controller(&new_key), Some(id));
	}

	#[benchmark]
	fn deactivate() {
		let r = registrar::<T>();
		let key: T::AccountId = account("patient", 0, 0);
		let id = registered::<T>(&r, key.clone());
		#[extrinsic_call]
		_(RawOrigin::Signed(r), id, DeactivationReason::Deceased);
		assert!(!Pallet::<T>::is_patient_controller(&key));
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
