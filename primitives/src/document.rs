//! Identity documents: validation, normalisation and the keyed [`HealthId`] derivation.
//!
//! Registrars and hospital gateways call these off chain. The chain only ever sees the
//! resulting [`HealthId`]: BLAKE2b-256 keyed with the network lookup secret, so a 13-digit
//! number cannot be brute-forced from it without the secret.

use crate::{DocumentKind, HealthId};
use alloc::{string::String, vec::Vec};

/// Domain separation tag mixed into every health ID derivation.
const DOMAIN: &[u8] = b"healthchain/health-id/v1";

/// Shortest lookup secret accepted (bytes).
pub const MIN_SECRET_LEN: usize = 32;
/// Longest lookup secret accepted (BLAKE2b's key limit, bytes).
pub const MAX_SECRET_LEN: usize = 64;

/// Why an identity document or a secret was refused. Each message says what to fix.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum DocumentError {
	/// Nothing was given.
	Empty,
	/// A Thai ID must have exactly 13 digits (spaces and dashes are ignored).
	WrongLength {
		/// Digits expected.
		expected: usize,
		/// Digits found.
		found: usize,
	},
	/// A character that is not a digit, space or dash.
	NotADigit {
		/// The offending character.
		found: char,
	},
	/// The 13th digit does not match the checksum of the first twelve.
	BadChecksum {
		/// The check digit the first twelve digits call for.
		expected: u8,
		/// The check digit given.
		found: u8,
	},
	/// The first digit says the number belongs to the other Thai ID kind.
	WrongIdKind {
		/// The first digit.
		first_digit: u8,
	},
	/// A passport country must be an ISO 3166-1 alpha-3 code: three letters A-Z.
	BadCountryCode,
	/// A passport number must be 5 to 20 letters A-Z or digits.
	BadPassportNumber,
	/// The lookup secret must be 32 to 64 bytes.
	BadSecretLength {
		/// Bytes given.
		found: usize,
	},
}

impl core::fmt::Display for DocumentError {
	fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
		match self {
			DocumentError::Empty => write!(f, "the document number is empty"),
			DocumentError::WrongLength { expected, found } => {
				write!(f, "a Thai ID has {expected} digits; {found} were given")
			},
			DocumentError::NotADigit { found } => {
				write!(f, "a Thai ID has digits only; found {found:?}")
			},
			DocumentError::BadChecksum { expected, found } => write!(
				f,
				"the check digit is wrong: the first 12 digits call for {expected}, \
				 the 13th is {found}; re-read the card"
			),
			DocumentError::WrongIdKind { first_digit } => write!(
				f,
				"an ID starting with {first_digit} is of the other kind: Thai citizens' IDs \
				 start with 1-5 or 8, non-citizens' with 0, 6 or 7"
			),
			DocumentError::BadCountryCode => {
				write!(f, "the passport country must be three letters (ISO 3166-1 alpha-3)")
			},
			DocumentError::BadPassportNumber => {
				write!(f, "a passport number has 5 to 20 letters or digits")
			},
			DocumentError::BadSecretLength { found } => write!(
				f,
				"the lookup secret must be {MIN_SECRET_LEN} to {MAX_SECRET_LEN} bytes; \
				 {found} were given"
			),
		}
	}
}

#[cfg(feature = "std")]
impl std::error::Error for DocumentError {}

/// A validated identity document in canonical form: kind plus normalised number.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct NormalisedDocument {
	/// The document kind.
	pub kind: DocumentKind,
	/// The number: digits only for Thai IDs, upper-case alphanumerics for passports.
	pub number: String,
}

/// The Thai ID check digit for the first twelve digits: weights 13..2,
/// `(11 - sum mod 11) mod 10`.
pub fn thai_id_check_digit(first_twelve: &[u8; 12]) -> u8 {
	let sum: u32 =
		first_twelve.iter().enumerate().map(|(i, d)| u32::from(*d) * (13 - i as u32)).sum();
	((11 - sum % 11) % 10) as u8
}

/// Validates a 13-digit Thai ID (spaces and dashes allowed) and returns its 13 digits.
pub fn parse_thai_id(raw: &str) -> Result<[u8; 13], DocumentError> {
	let mut digits: Vec<u8> = Vec::with_capacity(13);
	for c in raw.trim().chars() {
		match c {
			'0'..='9' => digits.push(c as u8 - b'0'),
			' ' | '-' => {},
			other => return Err(DocumentError::NotADigit { found: other }),
		}
	}
	if digits.is_empty() {
		return Err(DocumentError::Empty);
	}
	if digits.len() != 13 {
		return Err(DocumentError::WrongLength { expected: 13, found: digits.len() });
	}
	let mut out = [0u8; 13];
	out.copy_from_slice(&digits);
	let mut first = [0u8; 12];
	first.copy_from_slice(&out[..12]);
	let expected = thai_id_check_digit(&first);
	if expected != out[12] {
		return Err(DocumentError::BadChecksum { expected, found: out[12] });
	}
	Ok(out)
}

/// Validates and normalises an identity document number of the given kind.
pub fn normalise_document(
	kind: DocumentKind,
	raw: &str,
) -> Result<NormalisedDocument, DocumentError> {
	match kind {
		DocumentKind::ThaiCitizenId | DocumentKind::ThaiNonCitizenId => {
			let digits = parse_thai_id(raw)?;
			let first = digits[0];
			let citizen = matches!(first, 1..=5 | 8);
			if citizen != (kind == DocumentKind::ThaiCitizenId) {
				return Err(DocumentError::WrongIdKind { first_digit: first });
			}
			let number = digits.iter().map(|d| (b'0' + d) as char).collect();
			Ok(NormalisedDocument { kind, number })
		},
		DocumentKind::Passport { country } => {
			if !country.iter().all(|c| c.is_ascii_uppercase()) {
				return Err(DocumentError::BadCountryCode);
			}
			let number: String = raw
				.trim()
				.chars()
				.filter(|c| *c != ' ' && *c != '-')
				.map(|c| c.to_ascii_uppercase())
				.collect();
			if number.is_empty() {
				return Err(DocumentError::Empty);
			}
			if !(5..=20).contains(&number.len())
				|| !number.chars().all(|c| c.is_ascii_alphanumeric())
			{
				return Err(DocumentError::BadPassportNumber);
			}
			Ok(NormalisedDocument { kind, number })
		},
	}
}

/// Parses a passport country code given as text (`"mmr"`, `"MMR"`).
pub fn parse_country(raw: &str) -> Result<[u8; 3], DocumentError> {
	let raw = raw.trim();
	if raw.len() != 3 || !raw.chars().all(|c| c.is_ascii_alphabetic()) {
		return Err(DocumentError::BadCountryCode);
	}
	let mut out = [0u8; 3];
	for (o, c) in out.iter_mut().zip(raw.bytes()) {
		*o = c.to_ascii_uppercase();
	}
	Ok(out)
}

/// The canonical bytes hashed for a document: domain tag, kind tag, country, number.
fn canonical_bytes(doc: &NormalisedDocument) -> Vec<u8> {
	let mut bytes = Vec::with_capacity(DOMAIN.len() + 8 + doc.number.len());
	bytes.extend_from_slice(DOMAIN);
	match doc.kind {
		DocumentKind::ThaiCitizenId => bytes.extend_from_slice(b"|TH-CIT|"),
		DocumentKind::ThaiNonCitizenId => bytes.extend_from_slice(b"|TH-NON|"),
		DocumentKind::Passport { country } => {
			bytes.extend_from_slice(b"|PASS-");
			bytes.extend_from_slice(&country);
			bytes.push(b'|');
		},
	}
	bytes.extend_from_slice(doc.number.as_bytes());
	bytes
}

/// Derives the [`HealthId`] of a normalised document: BLAKE2b-256 keyed with the network
/// lookup secret.
pub fn derive_health_id(
	lookup_secret: &[u8],
	doc: &NormalisedDocument,
) -> Result<HealthId, DocumentError> {
	if !(MIN_SECRET_LEN..=MAX_SECRET_LEN).contains(&lookup_secret.len()) {
		return Err(DocumentError::BadSecretLength { found: lookup_secret.len() });
	}
	let hash =
		blake2b_simd::Params::new().hash_length(32).key(lookup_secret).hash(&canonical_bytes(doc));
	let mut out = [0u8; 32];
	out.copy_from_slice(hash.as_bytes());
	Ok(HealthId(out))
}

/// Validates, normalises and derives in one step.
pub fn health_id_of(
	lookup_secret: &[u8],
	kind: DocumentKind,
	raw: &str,
) -> Result<HealthId, DocumentError> {
	derive_health_id(lookup_secret, &normalise_document(kind, raw)?)
}

#[cfg(test)]
mod tests {
	use super::*;
	use proptest::prelude::*;

	const SECRET: [u8; 32] = [7u8; 32];

	/// Builds a valid Thai ID from twelve digits by appending the check digit.
	fn with_check(first: [u8; 12]) -> String {
		let c = thai_id_check_digit(&first);
		first.iter().chain(core::iter::once(&c)).map(|d| (b'0' + d) as char).collect()
	}

	#[test]
	fn known_check_digit() {
		// 1-1017-00230-70-? : sum = 1*13+1*12+0*11+1*10+7*9+0*8+0*7+2*6+3*5+0*4+7*3+0*2 = 146;
		// 146 mod 11 = 3; (11 - 3) mod 10 = 8.
		assert_eq!(thai_id_check_digit(&[1, 1, 0, 1, 7, 0, 0, 2, 3, 0, 7, 0]), 8);
		assert!(parse_thai_id("1-1017-00230-70-8").is_ok());
		assert!(parse_thai_id("1 1017 00230 70 8").is_ok());
	}

	#[test]
	fn check_digit_edge_cases_wrap_mod_10() {
		// sum = 0 -> (11 - 0) mod 10 = 1.
		assert_eq!(thai_id_check_digit(&[0; 12]), 1);
		// sum = 12 (one 1 at weight 12) -> 12 mod 11 = 1 -> (11 - 1) mod 10 = 0.
		assert_eq!(thai_id_check_digit(&[0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), 0);
	}

	#[test]
	fn bad_checksum_is_a_clear_error() {
		let err = parse_thai_id("1101700230709").unwrap_err();
		assert_eq!(err, DocumentError::BadChecksum { expected: 8, found: 9 });
		assert!(err.to_string().contains("check digit"));
	}

	#[test]
	fn wrong_length_and_non_digits() {
		assert_eq!(
			parse_thai_id("12345"),
			Err(DocumentError::WrongLength { expected: 13, found: 5 })
		);
		assert_eq!(parse_thai_id("11017002307O8"), Err(DocumentError::NotADigit { found: 'O' }));
		assert_eq!(parse_thai_id("  "), Err(DocumentError::Empty));
	}

	#[test]
	fn citizen_and_non_citizen_kinds_are_checked() {
		let citizen = with_check([1, 1, 0, 1, 7, 0, 0, 2, 3, 0, 7, 0]);
		let migrant = with_check([0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0]);
		assert!(normalise_document(DocumentKind::ThaiCitizenId, &citizen).is_ok());
		assert!(normalise_document(DocumentKind::ThaiNonCitizenId, &migrant).is_ok());
		assert_eq!(
			normalise_document(DocumentKind::ThaiCitizenId, &migrant),
			Err(DocumentError::WrongIdKind { first_digit: 0 })
		);
		assert_eq!(
			normalise_document(DocumentKind::ThaiNonCitizenId, &citizen),
			Err(DocumentError::WrongIdKind { first_digit: 1 })
		);
	}

	#[test]
	fn passports_normalise() {
		let kind = DocumentKind::Passport { country: parse_country("mmr").unwrap() };
		let a = normalise_document(kind, "mb 123456").unwrap();
		let b = normalise_document(kind, "MB123456").unwrap();
		assert_eq!(a, b);
		assert_eq!(a.number, "MB123456");
		assert_eq!(normalise_document(kind, "ab!"), Err(DocumentError::BadPassportNumber));
		assert_eq!(parse_country("MM1"), Err(DocumentError::BadCountryCode));
		assert_eq!(
			normalise_document(DocumentKind::Passport { country: *b"mmr" }, "MB123456"),
			Err(DocumentError::BadCountryCode)
		);
	}

	#[test]
	fn health_id_is_keyed_and_formatting_insensitive() {
		let kind = DocumentKind::ThaiCitizenId;
		let a = health_id_of(&SECRET, kind, "1-1017-00230-70-8").unwrap();
		let b = health_id_of(&SECRET, kind, "1101700230708").unwrap();
		let other_secret = health_id_of(&[9u8; 32], kind, "1101700230708").unwrap();
		assert_eq!(a, b);
		assert_ne!(a, other_secret);
		// Not the plain (unkeyed) hash of the number.
		let plain = blake2b_simd::Params::new().hash_length(32).hash(b"1101700230708");
		assert_ne!(&a.0[..], plain.as_bytes());
	}

	#[test]
	fn document_kinds_do_not_collide() {
		let n = "AB12345";
		let p1 = health_id_of(&SECRET, DocumentKind::Passport { country: *b"MMR" }, n).unwrap();
		let p2 = health_id_of(&SECRET, DocumentKind::Passport { country: *b"LAO" }, n).unwrap();
		assert_ne!(p1, p2);
	}

	#[test]
	fn secret_length_is_checked() {
		let doc = normalise_document(DocumentKind::ThaiCitizenId, "1101700230708").unwrap();
		assert_eq!(
			derive_health_id(&[1u8; 8], &doc),
			Err(DocumentError::BadSecretLength { found: 8 })
		);
	}

	proptest! {
		#[test]
		fn every_valid_id_parses_and_every_wrong_check_digit_fails(
			first in proptest::array::uniform12(0u8..10),
			delta in 1u8..10,
		) {
			let good = with_check(first);
			prop_assert!(parse_thai_id(&good).is_ok());
			let mut bad = good.into_bytes();
			bad[12] = b'0' + ((bad[12] - b'0' + delta) % 10);
			let bad = String::from_utf8(bad).unwrap();
			let is_bad_checksum = matches!(parse_thai_id(&bad), Err(DocumentError::BadChecksum { .. }));
			prop_assert!(is_bad_checksum);
		}
	}
}
