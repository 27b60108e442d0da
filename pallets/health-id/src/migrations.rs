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

/// Storage version 1 to 2: [`PendingKeys`](crate::PendingKeys), the new keys of pending
/// rebinds, is new (one role per key: such a key can be neither bound elsewhere nor given a
/// participant role).
///
/// Fills the index from every [`PendingRebinds`](crate::PendingRebinds) entry to a key, so
/// that a rebind scheduled before the upgrade protects its key like one scheduled after it.
pub mod v2 {
	use crate::{pallet::Pallet, Config, Controller, PendingKeys, PendingRebinds};
	use core::marker::PhantomData;
	use frame_support::{
		migrations::VersionedMigration,
		traits::{Get, UncheckedOnRuntimeUpgrade},
		weights::Weight,
	};

	#[cfg(feature = "try-runtime")]
	use alloc::vec::Vec;
	#[cfg(feature = "try-runtime")]
	use codec::{Decode, Encode};
	#[cfg(any(feature = "try-runtime", test))]
	use frame_support::ensure;
	#[cfg(any(feature = "try-runtime", test))]
	use sp_runtime::TryRuntimeError;

	/// Writes [`PendingKeys`] for every pending rebind to a key.
	///
	/// It does not check or set the storage version: put [`MigrateV1ToV2`] in a runtime, never
	/// this type.
	pub struct InnerMigrateV1ToV2<T>(PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for InnerMigrateV1ToV2<T> {
		/// One read per pending rebind (and one for the iteration's end), one write per
		/// rebind to a key.
		fn on_runtime_upgrade() -> Weight {
			let (mut read, mut written) = (1u64, 0u64);
			for (health_id, pending) in PendingRebinds::<T>::iter() {
				read = read.saturating_add(1);
				if let Controller::Key(key) = pending.controller {
					PendingKeys::<T>::insert(key, health_id);
					written = written.saturating_add(1);
				}
			}
			<T as frame_system::Config>::DbWeight::get().reads_writes(read, written)
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
				.map_err(|_| "the pre-upgrade count of pending keys does not decode")?;
			post_upgrade_check::<T>(before)
		}
	}

	/// The check before the migration: the index is empty. Returns the number of pending
	/// rebinds to a key, for [`post_upgrade_check`].
	#[cfg(any(feature = "try-runtime", test))]
	pub fn pre_upgrade_check<T: Config>() -> Result<u32, TryRuntimeError> {
		ensure!(PendingKeys::<T>::iter_keys().next().is_none(), "pending keys are indexed already");
		let keys = PendingRebinds::<T>::iter_values()
			.filter(|p| matches!(p.controller, Controller::Key(_)))
			.count();
		Ok(keys as u32)
	}

	/// The check after the migration: every pending rebind to a key is indexed under its key,
	/// and nothing else is.
	#[cfg(any(feature = "try-runtime", test))]
	pub fn post_upgrade_check<T: Config>(before: u32) -> Result<(), TryRuntimeError> {
		let mut indexed: u32 = 0;
		for (key, health_id) in PendingKeys::<T>::iter() {
			let pending = PendingRebinds::<T>::get(health_id)
				.ok_or("an indexed key has no pending rebind")?;
			ensure!(
				pending.controller == Controller::Key(key),
				"a key is indexed for another rebind"
			);
			indexed = indexed.saturating_add(1);
		}
		ensure!(indexed == before, "not every pending rebind to a key is indexed");
		Ok(())
	}

	/// The storage migration from version 1 to 2, for the runtime's `Migrations`: runs
	/// [`InnerMigrateV1ToV2`] only if the pallet's on-chain storage version is 1, then sets it
	/// to 2; otherwise it does nothing (one read).
	pub type MigrateV1ToV2<T> = VersionedMigration<
		1,
		2,
		InnerMigrateV1ToV2<T>,
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

	mod v2 {
		use super::super::v2::{post_upgrade_check, pre_upgrade_check, MigrateV1ToV2};
		use crate::{
			mock::*, pallet::Pallet, Controller, PendingKeys, PendingRebind, PendingRebinds,
		};
		use frame_support::traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion};
		use healthchain_primitives::HealthId;

		fn pending(controller: Controller<u64>) -> PendingRebind<u64, u64> {
			PendingRebind { controller, registrar: REGISTRAR, effective_at: 11, contested: false }
		}

		#[test]
		fn indexes_the_keys_of_rebinds_pending_before_the_upgrade() {
			new_test_ext().execute_with(|| {
				let (to_key, to_assisted) = (HealthId([1; 32]), HealthId([2; 32]));
				PendingRebinds::<Test>::insert(to_key, pending(Controller::Key(NEW_PHONE)));
				PendingRebinds::<Test>::insert(to_assisted, pending(Controller::Assisted));
				StorageVersion::new(1).put::<Pallet<Test>>();

				let before = pre_upgrade_check::<Test>().expect("nothing indexed yet");
				assert_eq!(before, 1, "one rebind to a key");
				assert_eq!(
					post_upgrade_check::<Test>(before).expect_err("not migrated yet"),
					"not every pending rebind to a key is indexed".into()
				);
				MigrateV1ToV2::<Test>::on_runtime_upgrade();
				post_upgrade_check::<Test>(before).expect("the key is indexed");
				assert_eq!(PendingKeys::<Test>::get(NEW_PHONE), Some(to_key));
				assert_eq!(PendingKeys::<Test>::iter().count(), 1);
				assert_eq!(
					Pallet::<Test>::on_chain_storage_version(),
					Pallet::<Test>::in_code_storage_version()
				);
				assert_eq!(Pallet::<Test>::on_chain_storage_version(), StorageVersion::new(2));

				// Indexed twice would be refused by the pre-upgrade check.
				assert_eq!(
					pre_upgrade_check::<Test>().expect_err("already indexed"),
					"pending keys are indexed already".into()
				);
			});
		}

		#[test]
		fn post_upgrade_check_refuses_a_key_indexed_for_another_rebind() {
			new_test_ext().execute_with(|| {
				PendingRebinds::<Test>::insert(
					HealthId([1; 32]),
					pending(Controller::Key(NEW_PHONE)),
				);
				PendingKeys::<Test>::insert(PATIENT, HealthId([1; 32]));
				assert_eq!(
					post_upgrade_check::<Test>(1).expect_err("wrong key"),
					"a key is indexed for another rebind".into()
				);
			});
		}
	}
}
