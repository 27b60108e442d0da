//! Test runtime for the consent pallet: participants, health IDs, timestamp and consent.
//!
//! The runtime, genesis and helpers are the shared fixture of [`crate::impl_test_runtime`].

use crate as pallet_consent;

crate::impl_test_runtime!();
