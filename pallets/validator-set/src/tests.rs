//! Unit tests: every call and error of the validator-set pallet and its session answers.

use crate::{mock::*, Changed, Error, Event, Validators};
use frame_support::{assert_noop, assert_ok};
use pallet_session::SessionManager;
use sp_runtime::DispatchError;

#[test]
fn council_adds_a_validator_effective_next_session() {
	new_test_ext().execute_with(|| {
		assert_eq!(ValidatorSet::new_session(2), None, "no change, no new set");
		assert_noop!(
			ValidatorSet::add_validator(RuntimeOrigin::signed(1), 5),
			DispatchError::BadOrigin
		);
		assert_ok!(ValidatorSet::add_validator(RuntimeOrigin::root(), 5));
		assert_eq!(
			System::events().pop().unwrap().event,
			RuntimeEvent::ValidatorSet(Event::ValidatorAdded { validator: 5 })
		);
		assert!(Changed::<Test>::get());
		assert_eq!(ValidatorSet::new_session(3), Some(vec![1, 2, 3, 4, 5]));
		assert!(!Changed::<Test>::get());
		assert_eq!(ValidatorSet::new_session(4), None);
	});
}

#[test]
fn genesis_sessions_keep_the_genesis_keys() {
	new_test_ext().execute_with(|| {
		assert_ok!(ValidatorSet::add_validator(RuntimeOrigin::root(), 5));
		assert_eq!(ValidatorSet::new_session(1), None);
		assert_eq!(ValidatorSet::new_session(2), Some(vec![1, 2, 3, 4, 5]));
	});
}

#[test]
fn add_errors() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			ValidatorSet::add_validator(RuntimeOrigin::root(), 1),
			Error::<Test>::AlreadyValidator
		);
		assert_ok!(ValidatorSet::add_validator(RuntimeOrigin::root(), 5));
		assert_noop!(
			ValidatorSet::add_validator(RuntimeOrigin::root(), 6),
			Error::<Test>::TooManyValidators
		);
	});
}

#[test]
fn remove_and_its_errors() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			ValidatorSet::remove_validator(RuntimeOrigin::signed(1), 4),
			DispatchError::BadOrigin
		);
		assert_noop!(
			ValidatorSet::remove_validator(RuntimeOrigin::root(), 9),
			Error::<Test>::NotValidator
		);
		assert_ok!(ValidatorSet::remove_validator(RuntimeOrigin::root(), 4));
		assert_ok!(ValidatorSet::remove_validator(RuntimeOrigin::root(), 3));
		assert_noop!(
			ValidatorSet::remove_validator(RuntimeOrigin::root(), 2),
			Error::<Test>::TooFewValidators
		);
		assert_eq!(Validators::<Test>::get().into_inner(), vec![1, 2]);
		assert_eq!(ValidatorSet::new_session(2), Some(vec![1, 2]));
	});
}
