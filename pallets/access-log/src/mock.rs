//! Test runtime for the access-log pallet: participants, health IDs, timestamp, consent,
//! records, access log.
//!
//! The runtime, its configurations, genesis and helpers are the shared test runtime of
//! [`pallet_participants::impl_test_runtime`] (see [`pallet_participants::test_runtime`]).

use crate as pallet_access_log;

pallet_participants::impl_test_runtime!(Records, AccessLog);
