//! Unit tests: only the council dispatches as root, and the inner result is reported.

use crate::{mock::*, Event};
use frame_support::{assert_noop, assert_ok};
use sp_runtime::DispatchError;

fn set_storage_call() -> Box<RuntimeCall> {
	Box::new(RuntimeCall::System(frame_system::Call::set_storage {
		items: vec![(b":governed:".to_vec(), b"yes".to_vec())],
	}))
}

#[test]
fn the_council_dispatches_a_root_call() {
	new_test_ext().execute_with(|| {
		assert_ok!(Governance::dispatch_as_root(RuntimeOrigin::signed(1), set_storage_call()));
		assert_eq!(sp_io::storage::get(b":governed:").map(|v| v.to_vec()), Some(b"yes".to_vec()));
		assert_eq!(
			System::events().pop().unwrap().event,
			RuntimeEvent::Governance(Event::DispatchedAsRoot { result: Ok(()) })
		);
	});
}

#[test]
fn a_single_operator_cannot() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			Governance::dispatch_as_root(RuntimeOrigin::signed(2), set_storage_call()),
			DispatchError::BadOrigin
		);
		assert_noop!(
			Governance::dispatch_as_root(RuntimeOrigin::root(), set_storage_call()),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn a_failing_inner_call_is_reported() {
	new_test_ext().execute_with(|| {
		let call = Box::new(RuntimeCall::System(frame_system::Call::kill_prefix {
			prefix: vec![],
			subkeys: 0,
		}));
		assert_ok!(Governance::dispatch_as_root(RuntimeOrigin::signed(1), call));
		let remark = Box::new(RuntimeCall::Governance(crate::Call::dispatch_as_root {
			call: set_storage_call(),
		}));
		// Root cannot dispatch_as_root (only the council can): the inner call fails with BadOrigin.
		assert_ok!(Governance::dispatch_as_root(RuntimeOrigin::signed(1), remark));
		assert_eq!(
			System::events().pop().unwrap().event,
			RuntimeEvent::Governance(Event::DispatchedAsRoot {
				result: Err(DispatchError::BadOrigin)
			})
		);
	});
}
