//! The runtime's integration tests, as one test binary (one link of the native runtime
//! instead of one per file): each module was a test file of its own.

mod common;
mod metadata;
mod overdue;
mod permissions;
mod presets;
mod roles_property;
