//! The published identities of development and test networks: the demo lookup secret, the
//! demo hospitals, doctors and patients. Defined once here; the runtime's genesis presets,
//! the integration tests, the load generator and the scripts all use these.
//!
//! Never use any of this on a real network: the lookup secret is public, so health IDs
//! derived with it can be brute-forced.

use crate::{document::health_id_of, DocumentKind, HealthId};

/// The lookup secret of development and test networks. Public: never use it for real data.
pub const DEV_LOOKUP_SECRET: &[u8; 32] = b"healthchain-dev-lookup-secret-01";

/// Demo hospital A (one-time consent).
pub const DEMO_HOSPITAL_A: &[u8] = b"H0001";
/// Demo hospital B (per-request consent).
pub const DEMO_HOSPITAL_B: &[u8] = b"H0002";
/// Demo doctor at hospital A.
pub const DEMO_DOCTOR_A: &[u8] = b"MD10001";
/// Demo doctor at hospital B.
pub const DEMO_DOCTOR_B: &[u8] = b"MD10002";
/// Demo patient with a wallet key: Thai citizen ID 1-1017-00230-70-8.
pub const DEMO_PATIENT_ID: &str = "1101700230708";
/// Demo assisted patient: a Myanmar passport.
pub const DEMO_MIGRANT_PASSPORT: &str = "MB123456";

/// A health ID derived with the demo lookup secret.
///
/// # Panics
/// If `number` is not a valid document number of `kind` (demo data only).
pub fn demo_health_id(kind: DocumentKind, number: &str) -> HealthId {
	health_id_of(DEV_LOOKUP_SECRET, kind, number).expect("a valid demo document number")
}

/// The demo patient's health ID.
pub fn demo_patient() -> HealthId {
	demo_health_id(DocumentKind::ThaiCitizenId, DEMO_PATIENT_ID)
}

/// The demo assisted patient's health ID.
pub fn demo_migrant() -> HealthId {
	demo_health_id(DocumentKind::Passport { country: *b"MMR" }, DEMO_MIGRANT_PASSPORT)
}

/// Test patient number `n`: a Thai passport `TP` + seven digits, for tests and load runs that
/// register their own patients.
pub fn test_passport_number(n: u32) -> alloc::string::String {
	alloc::format!("TP{n:07}")
}

/// The health ID of [`test_passport_number`]`(n)`.
pub fn test_patient(n: u32) -> HealthId {
	demo_health_id(DocumentKind::Passport { country: *b"THA" }, &test_passport_number(n))
}
