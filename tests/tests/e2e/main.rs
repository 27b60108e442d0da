//! The integration tests that drive real node and gateway processes, as one test binary (one
//! link instead of one per file): each module was a test file of its own. Run one with a
//! filter, e.g. `cargo test --release --workspace --test e2e -- faults::`.

mod apps;
mod dev_node;
mod doctor;
mod faults;
mod fhir;
mod flood;
mod gateway;
mod gateway_faults;
mod health_rpc;
mod metrics;
mod misbehaviour;
mod network;
mod production;
mod reorg;
mod upgrade;
