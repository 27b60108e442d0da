//! Test runtime for the records pallet: participants, health IDs, timestamp, consent, records.
//!
//! The runtime, its configurations, genesis and helpers are the shared test runtime of
//! [`pallet_participants::impl_test_runtime`] (see [`pallet_participants::test_runtime`]).

use crate as pallet_records;

pallet_participants::impl_test_runtime!(Records);
