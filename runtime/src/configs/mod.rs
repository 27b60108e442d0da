//! Runtime configuration kept apart from the pallet wiring in `lib.rs`.

pub mod permissions;
