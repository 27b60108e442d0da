//! The hash chain of HealthChain's append-only per-patient logs, defined once.
//!
//! A log's on-chain state is `(count, head)` with `head = blake2_256(previous head ++
//! SCALE(entry))`, zero when the log is empty. This crate holds the next-head rule and the
//! verification of a page of entries a node served, newest first. It needs no allocator and
//! depends only on BLAKE2b and the `H256` type, so the same code runs in the runtime (through
//! `healthchain-primitives`), in the node and the gateway, and in the browser apps, which
//! load it compiled to wasm (`apps/verifier`).

#![cfg_attr(not(feature = "std"), no_std)]

pub use primitive_types::H256;

/// The head after appending an entry with SCALE bytes `encoded` at `prev`:
/// `blake2_256(prev ++ encoded)` (BLAKE2b with a 32-byte output, no key).
pub fn next_head(prev: &H256, encoded: &[u8]) -> H256 {
	let hash = blake2b_simd::Params::new()
		.hash_length(32)
		.to_state()
		.update(prev.as_bytes())
		.update(encoded)
		.finalize();
	H256::from_slice(hash.as_bytes())
}

/// Whether an entry with SCALE bytes `encoded`, appended at `prev_head`, produces `head`: the
/// one link check, used by the node when it walks its index and by every client that
/// verifies a page it was served.
pub fn verify_link(prev_head: &H256, encoded: &[u8], head: &H256) -> bool {
	next_head(prev_head, encoded) == *head
}

/// One entry of a served log page, as a client checks it.
#[derive(Clone, Copy, Debug)]
pub struct Link<'a> {
	/// Zero-based position in the log.
	pub index: u64,
	/// The head before the entry.
	pub prev_head: H256,
	/// The head after the entry.
	pub head: H256,
	/// The entry's SCALE bytes.
	pub encoded: &'a [u8],
}

/// Why a served log page does not verify.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum LogError {
	/// Entry `index` does not end at the head the page must continue from (the on-chain head
	/// for the first page, the cursor for later ones): an entry is missing or foreign.
	HeadMismatch {
		/// The entry's position.
		index: u64,
	},
	/// Entry `index`'s bytes do not hash, with its previous head, to its head.
	BrokenLink {
		/// The entry's position.
		index: u64,
	},
	/// The positions are not consecutive and descending, or do not end at `count - 1`.
	OutOfOrder {
		/// The position found.
		index: u64,
	},
}

impl core::fmt::Display for LogError {
	fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
		match self {
			LogError::HeadMismatch { index } => {
				write!(f, "entry {index} does not end at the expected head")
			},
			LogError::BrokenLink { index } => write!(f, "entry {index} does not hash to its head"),
			LogError::OutOfOrder { index } => write!(f, "entry {index} is out of order"),
		}
	}
}

/// Verifies a page of log entries, newest first, against `expected`: the on-chain head (for
/// the first page, with `count` the on-chain entry count) or the cursor the previous page
/// handed out (`count` = `None`). Each entry must end at the head the newer one started
/// from, and hash to its head. Returns the head an older page must end at (zero at the
/// start of the log). The one log verification: the gateway, the tests and any auditor's
/// client use it.
pub fn verify_page<'a>(
	expected: H256,
	count: Option<u64>,
	links: impl IntoIterator<Item = Link<'a>>,
) -> Result<H256, LogError> {
	let mut expected = expected;
	let mut next_index = count.map(|c| c.wrapping_sub(1));
	for link in links {
		if next_index.is_some_and(|i| i != link.index) {
			return Err(LogError::OutOfOrder { index: link.index });
		}
		if link.head != expected {
			return Err(LogError::HeadMismatch { index: link.index });
		}
		if !verify_link(&link.prev_head, link.encoded, &link.head) {
			return Err(LogError::BrokenLink { index: link.index });
		}
		expected = link.prev_head;
		next_index = Some(link.index.wrapping_sub(1));
	}
	Ok(expected)
}

/// Why a page as a node served it cannot be relied on.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ServedPageError {
	/// The hash chain does not verify.
	Log(LogError),
	/// The page's next cursor is not where its entries end.
	WrongCursor,
}

impl core::fmt::Display for ServedPageError {
	fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
		match self {
			ServedPageError::Log(e) => write!(f, "log page does not verify: {e}"),
			ServedPageError::WrongCursor => {
				write!(f, "the page's next cursor is not where it ends")
			},
		}
	}
}

/// Verifies a page a node served (its `head` and `count` at the block it read, its entries
/// newest first and its `next_cursor`) against `expected`: the on-chain head the client
/// holds for a first page, the cursor it asked with otherwise. A first page (`expected ==
/// served_head`) must start at the newest entry; every page must end where its next cursor
/// says (`None` only at the start of the log).
pub fn verify_served_page<'a>(
	expected: H256,
	served_head: H256,
	served_count: u64,
	links: impl IntoIterator<Item = Link<'a>>,
	next_cursor: Option<H256>,
) -> Result<(), ServedPageError> {
	let count = (expected == served_head).then_some(served_count);
	let end = verify_page(expected, count, links).map_err(ServedPageError::Log)?;
	if next_cursor.unwrap_or_default() != end {
		return Err(ServedPageError::WrongCursor);
	}
	Ok(())
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn the_next_head_is_blake2_256_of_the_previous_head_and_the_entry() {
		let prev = H256::repeat_byte(7);
		let entry = b"an entry's SCALE bytes";
		let mut joined = prev.as_bytes().to_vec();
		joined.extend_from_slice(entry);
		assert_eq!(next_head(&prev, entry), H256(sp_crypto_hashing::blake2_256(&joined)));
		assert_eq!(next_head(&H256::zero(), &[]), H256(sp_crypto_hashing::blake2_256(&[0; 32])));
	}

	#[test]
	fn a_served_page_verifies_only_with_its_true_cursor() {
		let (a, b) = (b"first".as_slice(), b"second".as_slice());
		let h1 = next_head(&H256::zero(), a);
		let h2 = next_head(&h1, b);
		let links = [
			Link { index: 1, prev_head: h1, head: h2, encoded: b },
			Link { index: 0, prev_head: H256::zero(), head: h1, encoded: a },
		];
		assert_eq!(verify_served_page(h2, h2, 2, links, None), Ok(()));
		assert_eq!(verify_served_page(h2, h2, 2, links[..1].iter().copied(), Some(h1)), Ok(()));
		assert_eq!(
			verify_served_page(h2, h2, 2, links[..1].iter().copied(), None),
			Err(ServedPageError::WrongCursor)
		);
		assert_eq!(
			verify_served_page(h2, h2, 3, links, None),
			Err(ServedPageError::Log(LogError::OutOfOrder { index: 1 }))
		);
		// A later page, asked with the cursor h1.
		assert_eq!(verify_served_page(h1, h2, 2, links[1..].iter().copied(), None), Ok(()));
	}
}
