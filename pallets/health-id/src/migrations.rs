//! Storage migrations of the health-id pallet.
//!
//! A runtime upgrade that changes how the pallet stores something ships a migration here. Each
//! one is wrapped in [`frame_support::migrations::VersionedMigration`], so it runs only while
//! the pallet's on-chain storage version is the one it upgrades from, and then sets the next
//! version: listing it in the runtime's `Migrations` (passed to `frame_executive::Executive`)
//! for longer than needed does no harm. The pallet's in-code version is `STORAGE_VERSION` in
//! `lib.rs`.

/// Storage version 0 to 1: [`PendingRebind`](crate::PendingRebind) gained `contested`.
///
/// Up to spec 102 a pending rebind was stored as `{ controller, registrar, effective_at }`.
/// The runtime that added contested rebinds cannot decode those entries: without this
/// migration, a rebind scheduled before the upgrade could then be neither completed, confirmed
/// nor cancelled, and a new request could not tell whether it replaces a contested one. Every
/// entry is rewritten with `contested: false`, which is what it was: spec 102 had no contested
/// rebinds and did not record the key's cancellations ([`crate::KeyCancelledRebind`] is new).
pub mod v1 {
	use crate::{pallet::Pallet, Config, Controller, PendingRebind, PendingRebinds};
	use codec::{Decode, Encode};
	use core::marker::PhantomData;
	use frame_support::{
		migrations::VersionedMigration,
		traits::{Get, UncheckedOnRuntimeUpgrade},
		weights::Weight,
	};
	use frame_system::pallet_prelude::BlockNumberFor;

	#[cfg(feature = "try-runtime")]
	use alloc::vec::Vec;
	#[cfg(any(feature = "try-runtime", test))]
	use codec::DecodeAll;
	#[cfg(any(feature = "try-runtime", test))]
	use frame_support::{ensure, storage::unhashed};
	#[cfg(any(feature = "try-runtime", test))]
	use sp_runtime::TryRuntimeError;

	/// A pending rebind as storage version 0 (up to spec 102) stored it: the current
	/// [`PendingRebind`] without `contested`. Only for decoding the old entries (and for
	/// writing them in tests).
	#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
	pub(crate) struct OldPendingRebind<AccountId, BlockNumber> {
		/// The controller the health ID will be bound to.
		pub controller: Controller<AccountId>,
		/// The registrar that scheduled it after re-verifying the person.
		pub registrar: AccountId,
		/// The first block in which a registrar can complete it.
		pub effective_at: BlockNumber,
	}

	/// An old-layout pending rebind for runtime `T`.
	pub(crate) type OldPendingRebindOf<T> =
		OldPendingRebind<<T as frame_system::Config>::AccountId, BlockNumberFor<T>>;

	/// Rewrites every [`PendingRebinds`] entry from the version 0 layout to the version 1
	/// layout, with `contested: false`.
	///
	/// It does not check or set the storage version: put [`MigrateV0ToV1`] in a runtime, never
	/// this type.
	pub struct InnerMigrateV0ToV1<T>(PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for InnerMigrateV0ToV1<T> {
		/// Translates the entries in place: one read and one write per pending rebind, plus
		/// one of each for the iteration's end.
		fn on_runtime_upgrade() -> Weight {
			let mut translated: u64 = 0;
			PendingRebinds::<T>::translate::<OldPendingRebindOf<T>, _>(|_, old| {
				translated = translated.saturating_add(1);
				Some(PendingRebind {
					controller: old.controller,
					registrar: old.registrar,
					effective_at: old.effective_at,
					contested: false,
				})
			});
			let n = translated.saturating_add(1);
			<T as frame_system::Config>::DbWeight::get().reads_writes(n, n)
		}

		/// [`pre_upgrade_check`], for `try-runtime`.
		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<Vec<u8>, TryRuntimeError> {
			pre_upgrade_check::<T>().map(|count| count.encode())
		}

		/// [`post_upgrade_check`], for `try-runtime`.
		#[cfg(feature = "try-runtime")]
		fn post_upgrade(state: Vec<u8>) -> Result<(), TryRuntimeError> {
			let before = u32::decode(&mut &state[..])
				.map_err(|_| "the pre-upgrade count of pending rebinds does not decode")?;
			post_upgrade_check::<T>(before)
		}
	}

	/// The check before the migration: every [`PendingRebinds`] entry decodes, exactly, in
	/// the version 0 layout. Returns their number, for [`post_upgrade_check`].
	///
	/// The `try-runtime` hook [`InnerMigrateV0ToV1::pre_upgrade`] is this check; it is a
	/// function of its own so that the pallet's tests run it without the `try-runtime` build.
	#[cfg(any(feature = "try-runtime", test))]
	pub fn pre_upgrade_check<T: Config>() -> Result<u32, TryRuntimeError> {
		let mut count: u32 = 0;
		for health_id in PendingRebinds::<T>::iter_keys() {
			let raw = unhashed::get_raw(&PendingRebinds::<T>::hashed_key_for(health_id))
				.ok_or("a listed pending rebind has no value")?;
			ensure!(
				<OldPendingRebindOf<T> as DecodeAll>::decode_all(&mut &raw[..]).is_ok(),
				"a pending rebind does not decode in the version 0 layout"
			);
			count = count.saturating_add(1);
		}
		Ok(count)
	}

	/// The check after the migration: every entry decodes in the version 1 layout,
	/// uncontested, and there are still `before` of them.
	#[cfg(any(feature = "try-runtime", test))]
	pub fn post_upgrade_check<T: Config>(before: u32) -> Result<(), TryRuntimeError> {
		let mut after: u32 = 0;
		for health_id in PendingRebinds::<T>::iter_keys() {
			let rebind = PendingRebinds::<T>::try_get(health_id)
				.map_err(|_| "a pending rebind does not decode after the migration")?;
			ensure!(!rebind.contested, "a migrated pending rebind is contested");
			after = after.saturating_add(1);
		}
		ensure!(before == after, "the migration changed the number of pending rebinds");
		Ok(())
	}

	/// The storage migration from version 0 to 1, for the runtime's `Migrations`: runs
	/// [`InnerMigrateV0ToV1`] only if the pallet's on-chain storage version is 0, then sets it
	/// to 1; otherwise it does nothing (one read).
	pub type MigrateV0ToV1<T> = VersionedMigration<
		0,
		1,
		InnerMigrateV0ToV1<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}

#[cfg(test)]
mod tests {
	use super::v1::{post_upgrade_check, pre_upgrade_check, MigrateV0ToV1, OldPendingRebind};
	use crate::{mock::*, pallet::Pallet, Controller, PendingRebind, PendingRebinds};
	use codec::Encode;
	use frame_support::{
		storage::unhashed,
		traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion},
	};
	use healthchain_primitives::HealthId;

	/// Writes a pending rebind in the version 0 layout, as a spec 102 runtime did.
	fn put_old(health_id: HealthId, old: &OldPendingRebind<u64, u64>) {
		unhashed::put_raw(&PendingRebinds::<Test>::hashed_key_for(health_id), &old.encode());
	}

	#[test]
	fn migrates_old_pending_rebinds_once() {
		new_test_ext().execute_with(|| {
			let to_key = HealthId([1; 32]);
			let to_assisted = HealthId([2; 32]);
			put_old(
				to_key,
				&OldPendingRebind {
					controller: Controller::Key(NEW_PHONE),
					registrar: REGISTRAR,
					effective_at: 11,
				},
			);
			put_old(
				to_assisted,
				&OldPendingRebind {
					controller: Controller::Assisted,
					registrar: REGISTRAR_B,
					effective_at: 42,
				},
			);
			StorageVersion::new(0).put::<Pallet<Test>>();
			assert!(
				PendingRebinds::<Test>::try_get(to_key).is_err(),
				"the old layout does not decode as the new one"
			);

			let before = pre_upgrade_check::<Test>().expect("both entries are in the old layout");
			assert_eq!(before, 2);
			MigrateV0ToV1::<Test>::on_runtime_upgrade();
			post_upgrade_check::<Test>(before).expect("both entries migrated, uncontested");

			let migrated_key = PendingRebind {
				controller: Controller::Key(NEW_PHONE),
				registrar: REGISTRAR,
				effective_at: 11,
				contested: false,
			};
			let migrated_assisted = PendingRebind {
				controller: Controller::Assisted,
				registrar: REGISTRAR_B,
				effective_at: 42,
				contested: false,
			};
			assert_eq!(PendingRebinds::<Test>::try_get(to_key), Ok(migrated_key.clone()));
			assert_eq!(PendingRebinds::<Test>::try_get(to_assisted), Ok(migrated_assisted.clone()));
			assert_eq!(PendingRebinds::<Test>::iter().count(), 2);
			assert_eq!(Pallet::<Test>::on_chain_storage_version(), StorageVersion::new(1));
			assert_eq!(
				Pallet::<Test>::on_chain_storage_version(),
				Pallet::<Test>::in_code_storage_version()
			);

			// Run again: the versioned wrapper sees version 1 and skips. Were the translation
			// run again, a contested rebind written since would decode in the old layout (its
			// last byte ignored) and come back uncontested.
			let contested = HealthId([3; 32]);
			let contested_rebind = PendingRebind {
				controller: Controller::Key(PATIENT),
				registrar: REGISTRAR,
				effective_at: 20,
				contested: true,
			};
			PendingRebinds::<Test>::insert(contested, contested_rebind.clone());

			MigrateV0ToV1::<Test>::on_runtime_upgrade();

			assert_eq!(PendingRebinds::<Test>::try_get(contested), Ok(contested_rebind));
			assert_eq!(PendingRebinds::<Test>::try_get(to_key), Ok(migrated_key));
			assert_eq!(PendingRebinds::<Test>::try_get(to_assisted), Ok(migrated_assisted));
			assert_eq!(PendingRebinds::<Test>::iter().count(), 3);
			assert_eq!(Pallet::<Test>::on_chain_storage_version(), StorageVersion::new(1));
		});
	}

	#[cfg(feature = "try-runtime")]
	#[test]
	fn try_runtime_checks_pass() {
		new_test_ext().execute_with(|| {
			put_old(
				HealthId([1; 32]),
				&OldPendingRebind {
					controller: Controller::Key(NEW_PHONE),
					registrar: REGISTRAR,
					effective_at: 11,
				},
			);
			StorageVersion::new(0).put::<Pallet<Test>>();
			MigrateV0ToV1::<Test>::try_on_runtime_upgrade(true)
				.expect("the pre- and post-upgrade checks pass");
			assert_eq!(Pallet::<Test>::on_chain_storage_version(), StorageVersion::new(1));
		});
	}

	#[test]
	fn pre_upgrade_check_refuses_entries_not_in_the_old_layout() {
		new_test_ext().execute_with(|| {
			// Already in the version 1 layout: one byte too long for version 0.
			PendingRebinds::<Test>::insert(
				HealthId([4; 32]),
				PendingRebind {
					controller: Controller::Key(NEW_PHONE),
					registrar: REGISTRAR,
					effective_at: 9,
					contested: false,
				},
			);
			let refused = pre_upgrade_check::<Test>().expect_err("not a version 0 entry");
			assert_eq!(refused, "a pending rebind does not decode in the version 0 layout".into());
		});
	}

	#[test]
	fn post_upgrade_check_refuses_a_lost_entry_or_an_unmigrated_one() {
		new_test_ext().execute_with(|| {
			let old = OldPendingRebind {
				controller: Controller::Key(NEW_PHONE),
				registrar: REGISTRAR,
				effective_at: 11,
			};
			put_old(HealthId([1; 32]), &old);
			put_old(HealthId([2; 32]), &old);
			StorageVersion::new(0).put::<Pallet<Test>>();
			let before = pre_upgrade_check::<Test>().expect("two old entries");

			// Not migrated yet: the entries do not decode in the new layout.
			assert_eq!(
				post_upgrade_check::<Test>(before).expect_err("unmigrated"),
				"a pending rebind does not decode after the migration".into()
			);

			MigrateV0ToV1::<Test>::on_runtime_upgrade();
			post_upgrade_check::<Test>(before).expect("migrated");

			// One lost.
			PendingRebinds::<Test>::remove(HealthId([2; 32]));
			assert_eq!(
				post_upgrade_check::<Test>(before).expect_err("one lost"),
				"the migration changed the number of pending rebinds".into()
			);
		});
	}

	#[test]
	fn migration_without_pending_rebinds_only_sets_the_version() {
		new_test_ext().execute_with(|| {
			StorageVersion::new(0).put::<Pallet<Test>>();
			MigrateV0ToV1::<Test>::on_runtime_upgrade();
			assert_eq!(PendingRebinds::<Test>::iter().count(), 0);
			assert_eq!(Pallet::<Test>::on_chain_storage_version(), StorageVersion::new(1));
		});
	}
}
