//! Storage migrations of the access-log pallet.
//!
//! Each is wrapped in [`frame_support::migrations::VersionedMigration`], so it runs only while
//! the pallet's on-chain storage version is the one it upgrades from, and then sets the next
//! version (the pattern of `pallet_health_id::migrations`).

/// Storage version 0 to 1: each patient's access-log head moves from this pallet's own
/// `AccessLogs` map into their consent record ([`pallet_consent::ConsentRecord::access_log`]).
///
/// Up to spec 105 an attestation read and wrote a storage item of its own for the log head,
/// beside the consent record the consent decision had just read. Every consent record is
/// rewritten in the consent pallet's version 1 layout with the patient's head (taken from the
/// old map; an empty log for a patient never accessed), and the consent pallet's storage
/// version set to 1. A head whose patient has no consent record (none can exist: an
/// attestation needs an enrolment, and consent records are never removed) is left in the old
/// map and logged, never dropped.
pub mod v1 {
	use crate::{pallet::Pallet, Config, LogHead};
	use codec::{Decode, Encode};
	use core::marker::PhantomData;
	use frame_support::{
		migrations::VersionedMigration,
		pallet_prelude::StorageVersion,
		storage_alias,
		traits::{Get, UncheckedOnRuntimeUpgrade},
		weights::Weight,
		Blake2_128Concat,
	};
	use healthchain_primitives::{Day, HealthId};
	use pallet_consent::{ConsentRecord, Consents, EnrolmentStatus, SourceSelection};

	#[cfg(feature = "try-runtime")]
	use alloc::vec::Vec;
	#[cfg(any(feature = "try-runtime", test))]
	use frame_support::ensure;
	#[cfg(any(feature = "try-runtime", test))]
	use sp_runtime::TryRuntimeError;

	/// The version 0 map of log heads, by patient.
	#[storage_alias]
	pub(crate) type AccessLogs<T: Config> = StorageMap<
		Pallet<T>,
		Blake2_128Concat,
		HealthId,
		LogHead,
		frame_support::pallet_prelude::ValueQuery,
	>;

	/// A consent record in the consent pallet's version 0 layout: the current
	/// [`ConsentRecord`] without `access_log`. Only for decoding the old entries (and for
	/// writing them in tests).
	#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
	pub(crate) struct OldConsentRecord<S> {
		/// Enrolled or withdrawn.
		pub status: EnrolmentStatus,
		/// The source hospitals chosen.
		pub sources: S,
		/// The sensitive-data opt-in.
		pub sensitive_opt_in: bool,
		/// The day of the latest enrolment.
		pub enrolled_on: Day,
		/// The day the sources were last changed.
		pub sources_changed_on: Option<Day>,
		/// The day of the latest withdrawal.
		pub withdrawn_on: Option<Day>,
	}

	/// An old-layout consent record for runtime `T`.
	pub(crate) type OldConsentRecordOf<T> =
		OldConsentRecord<SourceSelection<<T as pallet_consent::Config>::MaxSources>>;

	/// Moves every head into its patient's consent record.
	///
	/// It does not check or set this pallet's storage version: put [`MigrateV0ToV1`] in a
	/// runtime, never this type.
	pub struct InnerMigrateV0ToV1<T>(PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for InnerMigrateV0ToV1<T> {
		/// Per consent record: its read and write, and the read and removal of its old head;
		/// then one read per head left behind (and one for each iteration's end).
		fn on_runtime_upgrade() -> Weight {
			let mut records = 0u64;
			Consents::<T>::translate::<OldConsentRecordOf<T>, _>(|health_id, old| {
				records = records.saturating_add(1);
				Some(ConsentRecord {
					status: old.status,
					sources: old.sources,
					sensitive_opt_in: old.sensitive_opt_in,
					enrolled_on: old.enrolled_on,
					sources_changed_on: old.sources_changed_on,
					withdrawn_on: old.withdrawn_on,
					access_log: AccessLogs::<T>::take(health_id),
				})
			});
			let left = AccessLogs::<T>::iter_keys().count() as u64;
			if left > 0 {
				log::error!(
					target: "runtime::access-log",
					"{left} access-log heads name patients without a consent record; left in \
					 AccessLog.AccessLogs"
				);
			}
			StorageVersion::new(1).put::<pallet_consent::Pallet<T>>();
			<T as frame_system::Config>::DbWeight::get().reads_writes(
				records.saturating_mul(2).saturating_add(left).saturating_add(2),
				records.saturating_mul(2).saturating_add(1),
			)
		}

		/// [`pre_upgrade_check`], for `try-runtime`.
		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<Vec<u8>, TryRuntimeError> {
			pre_upgrade_check::<T>().map(|heads| heads.encode())
		}

		/// [`post_upgrade_check`], for `try-runtime`.
		#[cfg(feature = "try-runtime")]
		fn post_upgrade(state: Vec<u8>) -> Result<(), TryRuntimeError> {
			let heads = alloc::vec::Vec::<(HealthId, LogHead)>::decode(&mut &state[..])
				.map_err(|_| "the pre-upgrade heads do not decode")?;
			post_upgrade_check::<T>(heads)
		}
	}

	/// The check before the migration: the consent pallet is at version 0. Answers every
	/// non-empty head, for [`post_upgrade_check`].
	#[cfg(any(feature = "try-runtime", test))]
	pub fn pre_upgrade_check<T: Config>(
	) -> Result<alloc::vec::Vec<(HealthId, LogHead)>, TryRuntimeError> {
		ensure!(
			StorageVersion::get::<pallet_consent::Pallet<T>>() == 0,
			"the consent pallet is past version 0"
		);
		Ok(AccessLogs::<T>::iter().filter(|(_, h)| h.count > 0).collect())
	}

	/// The check after it: every head is in its patient's consent record, the old map is
	/// empty, and the consent pallet is at version 1.
	#[cfg(any(feature = "try-runtime", test))]
	pub fn post_upgrade_check<T: Config>(
		heads: alloc::vec::Vec<(HealthId, LogHead)>,
	) -> Result<(), TryRuntimeError> {
		for (health_id, head) in heads {
			ensure!(Pallet::<T>::head(&health_id) == head, "a head did not move");
		}
		ensure!(AccessLogs::<T>::iter_keys().next().is_none(), "heads left in the old map");
		ensure!(
			StorageVersion::get::<pallet_consent::Pallet<T>>() == 1,
			"the consent pallet's version is not 1"
		);
		Ok(())
	}

	/// [`InnerMigrateV0ToV1`] run once, from this pallet's version 0 to 1.
	pub type MigrateV0ToV1<T> = VersionedMigration<
		0,
		1,
		InnerMigrateV0ToV1<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}
