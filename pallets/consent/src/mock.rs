//! Test runtime for the consent pallet: participants, health IDs, timestamp and consent.
//!
//! The runtime, genesis and helpers are the shared test runtime of
//! [`pallet_participants::impl_test_runtime`] (see [`pallet_participants::test_runtime`]).

use crate as pallet_consent;

pallet_participants::impl_test_runtime!();
