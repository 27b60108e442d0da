//! Benchmarks for the health-id pallet.

use super::*;
use frame_benchmarking::v2::*;
use frame_support::traits::{EnsureOrigin, Get};
use frame_system::RawOrigin;
use healthchain_primitives::{DocumentKind, HealthId};
use sp_runtime::traits::Saturating;

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

/// Schedules rebinding `id` to a fresh key; returns the key.
fn scheduled<T: Config>(registrar: &T::AccountId, id: HealthId) -> T::AccountId {
	let new_key: T::AccountId = account("patient", 1, 0);
	Pallet::<T>::rebind_controller(
		RawOrigin::Signed(registrar.clone()).into(),
		id,
		Controller::Key(new_key.clone()),
	)
	.expect("schedules");
	new_key
}

/// A contested rebind of `id`: schedules rebinding it to a fresh key, has its current `key`
/// cancel that, and schedules it again. Returns the new key.
fn contested<T: Config>(
	registrar: &T::AccountId,
	key: &T::AccountId,
	id: HealthId,
) -> T::AccountId {
	scheduled::<T>(registrar, id);
	Pallet::<T>::cancel_rebind(RawOrigin::Signed(key.clone()).into(), id).expect("the key cancels");
	let new_key = scheduled::<T>(registrar, id);
	assert!(PendingRebinds::<T>::get(id).is_some_and(|p| p.contested));
	new_key
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
		let key: T::AccountId = account("patient", 0, 0);
		let id = registered::<T>(&r, key.clone());
		// Worst case: the key's cancellation has just left the window (it is forgotten, a
		// write) and a contested rebind is pending (read, replaced).
		contested::<T>(&r, &key, id);
		let cancelled_at = KeyCancelledRebind::<T>::get(id).expect("the key cancelled");
		frame_system::Pallet::<T>::set_block_number(
			cancelled_at.saturating_add(<T as Config>::ContestWindow::get()),
		);
		let new_key: T::AccountId = account("patient", 2, 0);
		#[extrinsic_call]
		_(RawOrigin::Signed(r), id, Controller::Key(new_key.clone()));
		let pending = PendingRebinds::<T>::get(id).expect("scheduled");
		assert_eq!(pending.controller, Controller::Key(new_key));
		assert!(pending.contested);
		assert!(KeyCancelledRebind::<T>::get(id).is_none());
		assert_eq!(Pallet::<T>::health_id_of_controller(&key), Some(id));
	}

	#[benchmark]
	fn deactivate() {
		let r = registrar::<T>();
		let key: T::AccountId = account("patient", 0, 0);
		let id = registered::<T>(&r, key.clone());
		contested::<T>(&r, &key, id);
		#[extrinsic_call]
		_(RawOrigin::Signed(r), id, DeactivationReason::Deceased);
		assert!(!Pallet::<T>::is_patient_controller(&key));
		assert!(PendingRebinds::<T>::get(id).is_none());
		assert!(KeyCancelledRebind::<T>::get(id).is_none());
	}

	#[benchmark]
	fn cancel_rebind() {
		let r = registrar::<T>();
		let key: T::AccountId = account("patient", 0, 0);
		let id = registered::<T>(&r, key.clone());
		scheduled::<T>(&r, id);
		// The current key is the costlier canceller: its cancellation is recorded (a write),
		// where a registrar's costs one more read (its role).
		#[extrinsic_call]
		_(RawOrigin::Signed(key), id);
		assert!(PendingRebinds::<T>::get(id).is_none());
		assert!(KeyCancelledRebind::<T>::get(id).is_some());
	}

	#[benchmark]
	fn confirm_rebind() {
		let r = registrar::<T>();
		let key: T::AccountId = account("patient", 0, 0);
		let id = registered::<T>(&r, key.clone());
		let new_key = scheduled::<T>(&r, id);
		#[extrinsic_call]
		_(RawOrigin::Signed(key.clone()), id);
		assert_eq!(Pallet::<T>::health_id_of_controller(&new_key), Some(id));
		assert!(!Pallet::<T>::is_patient_controller(&key));
	}

	#[benchmark]
	fn complete_rebind() {
		let r = registrar::<T>();
		let key: T::AccountId = account("patient", 0, 0);
		let id = registered::<T>(&r, key.clone());
		let new_key = scheduled::<T>(&r, id);
		let due = PendingRebinds::<T>::get(id).expect("scheduled").effective_at;
		frame_system::Pallet::<T>::set_block_number(due);
		#[extrinsic_call]
		_(RawOrigin::Signed(r), id);
		assert_eq!(Pallet::<T>::health_id_of_controller(&new_key), Some(id));
		assert!(!Pallet::<T>::is_patient_controller(&key));
	}

	#[benchmark]
	fn reactivate() -> Result<(), BenchmarkError> {
		let origin = <T as Config>::AdminOrigin::try_successful_origin()
			.map_err(|_| BenchmarkError::Weightless)?;
		let r = registrar::<T>();
		let id = registered::<T>(&r, account("patient", 0, 0));
		Pallet::<T>::deactivate(RawOrigin::Signed(r).into(), id, DeactivationReason::Deceased)
			.expect("deactivates");
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, id);
		assert!(Pallet::<T>::active_record(&id).is_ok());
		Ok(())
	}

	#[benchmark]
	fn link_document() {
		let r = registrar::<T>();
		let id = registered::<T>(&r, account("patient", 0, 0));
		// One below the bound: the last document that can still be linked.
		LinkedCount::<T>::insert(id, <T as Config>::MaxLinkedDocuments::get().saturating_sub(1));
		let document = HealthId([2u8; 32]);
		#[extrinsic_call]
		_(RawOrigin::Signed(r), id, document, DocumentKind::Passport { country: *b"MMR" });
		assert_eq!(Pallet::<T>::resolve(&document), Some(id));
	}

	#[benchmark]
	fn approve_rebind() -> Result<(), BenchmarkError> {
		let origin = <T as Config>::AdminOrigin::try_successful_origin()
			.map_err(|_| BenchmarkError::Weightless)?;
		let r = registrar::<T>();
		let key: T::AccountId = account("patient", 0, 0);
		let id = registered::<T>(&r, key.clone());
		// Worst case: a contested rebind to a key (bound, old key unbound, record cleared).
		let new_key = contested::<T>(&r, &key, id);
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, id, Controller::Key(new_key.clone()));
		assert_eq!(Pallet::<T>::health_id_of_controller(&new_key), Some(id));
		assert!(!Pallet::<T>::is_patient_controller(&key));
		assert!(PendingRebinds::<T>::get(id).is_none());
		assert!(KeyCancelledRebind::<T>::get(id).is_none());
		Ok(())
	}

	#[benchmark]
	fn reject_rebind() -> Result<(), BenchmarkError> {
		let origin = <T as Config>::AdminOrigin::try_successful_origin()
			.map_err(|_| BenchmarkError::Weightless)?;
		let r = registrar::<T>();
		let key: T::AccountId = account("patient", 0, 0);
		let id = registered::<T>(&r, key.clone());
		contested::<T>(&r, &key, id);
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, id);
		assert!(PendingRebinds::<T>::get(id).is_none());
		assert!(KeyCancelledRebind::<T>::get(id).is_none());
		assert_eq!(Pallet::<T>::health_id_of_controller(&key), Some(id));
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
