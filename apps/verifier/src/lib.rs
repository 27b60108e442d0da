//! `healthchain-log-chain`'s page verification for the browser apps, compiled to a wasm
//! module with no imports and no allocator (`scripts/common.sh` builds it for
//! `wasm32v1-none`; the apps load it from `log-verifier.wasm`).
//!
//! The module exports a buffer and one call. The page goes into [`buffer`] in this layout
//! (little-endian integers), and [`verify`] answers with a [`Verdict`] code; for a log error
//! the entry's position is written at the start of the buffer (a `u64`).
//!
//! ```text
//! expected head   32 bytes   the on-chain head (first page) or the cursor asked with
//! served head     32 bytes   the page's `head`
//! served count    u64        the page's `count`
//! has cursor      u8         0 or 1
//! next cursor     32 bytes   the page's `nextCursor` (any bytes when `has cursor` is 0)
//! entries         u32        then, newest first, for each entry:
//!   index         u64
//!   prev head     32 bytes
//!   head          32 bytes
//!   length        u32
//!   encoded       `length` bytes, the entry's SCALE bytes
//! ```

#![cfg_attr(not(feature = "std"), no_std)]

use healthchain_log_chain::{verify_served_page, Link, LogError, ServedPageError, H256};

/// Bytes the buffer holds: a page of 100 entries of up to 2.6 KiB each.
pub const BUFFER_LEN: usize = 256 * 1024;

/// What [`verify`] answers.
#[repr(u32)]
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Verdict {
	/// The page is the chain's log from the expected head down to its next cursor.
	Verified = 0,
	/// An entry does not end where the page must continue from (missing or foreign entry).
	HeadMismatch = 1,
	/// An entry's bytes do not hash to its head.
	BrokenLink = 2,
	/// The positions are not consecutive from the newest.
	OutOfOrder = 3,
	/// The next cursor is not where the entries end.
	WrongCursor = 4,
	/// The input does not follow the layout.
	Malformed = 5,
}

/// A page read from the layout above.
struct Page<'a> {
	expected: H256,
	served_head: H256,
	served_count: u64,
	next_cursor: Option<H256>,
	entries: u32,
	rest: &'a [u8],
}

fn take<'a>(input: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
	if input.len() < n {
		return None;
	}
	let (head, tail) = input.split_at(n);
	*input = tail;
	Some(head)
}

fn hash(input: &mut &[u8]) -> Option<H256> {
	take(input, 32).map(H256::from_slice)
}

fn u64_le(input: &mut &[u8]) -> Option<u64> {
	let mut b = [0u8; 8];
	b.copy_from_slice(take(input, 8)?);
	Some(u64::from_le_bytes(b))
}

fn u32_le(input: &mut &[u8]) -> Option<u32> {
	let mut b = [0u8; 4];
	b.copy_from_slice(take(input, 4)?);
	Some(u32::from_le_bytes(b))
}

fn page(mut input: &[u8]) -> Option<Page<'_>> {
	let expected = hash(&mut input)?;
	let served_head = hash(&mut input)?;
	let served_count = u64_le(&mut input)?;
	let has_cursor = take(&mut input, 1)?[0];
	let cursor = hash(&mut input)?;
	let next_cursor = match has_cursor {
		0 => None,
		1 => Some(cursor),
		_ => return None,
	};
	let entries = u32_le(&mut input)?;
	Some(Page { expected, served_head, served_count, next_cursor, entries, rest: input })
}

fn link<'a>(input: &mut &'a [u8]) -> Option<Link<'a>> {
	let index = u64_le(input)?;
	let prev_head = hash(input)?;
	let head = hash(input)?;
	let len = u32_le(input)? as usize;
	let encoded = take(input, len)?;
	Some(Link { index, prev_head, head, encoded })
}

/// Checks a page in the layout above with [`verify_served_page`]: the verdict, and the
/// position of the entry a log error names.
pub fn check(input: &[u8]) -> (Verdict, Option<u64>) {
	let Some(page) = page(input) else { return (Verdict::Malformed, None) };
	// The layout is read once before verifying, so a truncated page is `Malformed`, never
	// a shorter page that happens to verify.
	let mut rest = page.rest;
	for _ in 0..page.entries {
		if link(&mut rest).is_none() {
			return (Verdict::Malformed, None);
		}
	}
	if !rest.is_empty() {
		return (Verdict::Malformed, None);
	}
	let mut rest = page.rest;
	let links = (0..page.entries).map_while(|_| link(&mut rest));
	match verify_served_page(
		page.expected,
		page.served_head,
		page.served_count,
		links,
		page.next_cursor,
	) {
		Ok(()) => (Verdict::Verified, None),
		Err(ServedPageError::WrongCursor) => (Verdict::WrongCursor, None),
		Err(ServedPageError::Log(e)) => match e {
			LogError::HeadMismatch { index } => (Verdict::HeadMismatch, Some(index)),
			LogError::BrokenLink { index } => (Verdict::BrokenLink, Some(index)),
			LogError::OutOfOrder { index } => (Verdict::OutOfOrder, Some(index)),
		},
	}
}

#[cfg(target_arch = "wasm32")]
mod wasm {
	use super::*;

	/// The exchange buffer: the page in, the failing position out.
	static mut BUFFER: [u8; BUFFER_LEN] = [0; BUFFER_LEN];

	/// Where the caller writes the page.
	#[no_mangle]
	pub extern "C" fn buffer() -> *mut u8 {
		core::ptr::addr_of_mut!(BUFFER).cast()
	}

	/// How many bytes [`buffer`] holds.
	#[no_mangle]
	pub extern "C" fn buffer_len() -> usize {
		BUFFER_LEN
	}

	/// Verifies the page of `len` bytes in [`buffer`]; answers a [`Verdict`] code.
	#[no_mangle]
	pub extern "C" fn verify(len: usize) -> u32 {
		if len > BUFFER_LEN {
			return Verdict::Malformed as u32;
		}
		// SAFETY: the module is single-threaded and the caller does not touch the buffer
		// while this call runs; `len` is within it.
		let input = unsafe { core::slice::from_raw_parts(buffer(), len) };
		let (verdict, index) = check(input);
		if let Some(index) = index {
			// SAFETY: as above; the input is no longer read.
			unsafe { core::slice::from_raw_parts_mut(buffer(), 8) }
				.copy_from_slice(&index.to_le_bytes());
		}
		verdict as u32
	}

	/// The verification allocates nothing; a dependency links `alloc`, so the module needs
	/// an allocator, and this one refuses every request (an allocation would trap).
	#[cfg(not(feature = "std"))]
	struct NoAllocation;

	#[cfg(not(feature = "std"))]
	// SAFETY: returning null is how a `GlobalAlloc` refuses; nothing is ever handed out.
	unsafe impl core::alloc::GlobalAlloc for NoAllocation {
		unsafe fn alloc(&self, _: core::alloc::Layout) -> *mut u8 {
			core::ptr::null_mut()
		}
		unsafe fn dealloc(&self, _: *mut u8, _: core::alloc::Layout) {}
	}

	#[cfg(not(feature = "std"))]
	#[global_allocator]
	static ALLOCATOR: NoAllocation = NoAllocation;

	#[cfg(not(feature = "std"))]
	#[panic_handler]
	fn panic(_: &core::panic::PanicInfo) -> ! {
		core::arch::wasm32::unreachable()
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use healthchain_log_chain::next_head;

	fn layout(
		expected: H256,
		head: H256,
		count: u64,
		cursor: Option<H256>,
		entries: &[(u64, H256, H256, &[u8])],
	) -> Vec<u8> {
		let mut out = Vec::new();
		out.extend_from_slice(expected.as_bytes());
		out.extend_from_slice(head.as_bytes());
		out.extend_from_slice(&count.to_le_bytes());
		out.push(cursor.is_some() as u8);
		out.extend_from_slice(cursor.unwrap_or_default().as_bytes());
		out.extend_from_slice(&(entries.len() as u32).to_le_bytes());
		for (index, prev, head, bytes) in entries {
			out.extend_from_slice(&index.to_le_bytes());
			out.extend_from_slice(prev.as_bytes());
			out.extend_from_slice(head.as_bytes());
			out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
			out.extend_from_slice(bytes);
		}
		out
	}

	#[test]
	fn a_true_page_verifies_and_every_tampering_is_named() {
		let (a, b): (&[u8], &[u8]) = (b"first entry", b"second entry");
		let h1 = next_head(&H256::zero(), a);
		let h2 = next_head(&h1, b);
		let whole = [(1, h1, h2, b), (0, H256::zero(), h1, a)];
		assert_eq!(check(&layout(h2, h2, 2, None, &whole)), (Verdict::Verified, None));
		assert_eq!(check(&layout(h2, h2, 2, Some(h1), &whole[..1])), (Verdict::Verified, None));
		assert_eq!(check(&layout(h1, h2, 2, None, &whole[1..])), (Verdict::Verified, None));

		let tampered = [(1, h1, h2, b"second entrY".as_slice()), (0, H256::zero(), h1, a)];
		assert_eq!(check(&layout(h2, h2, 2, None, &tampered)), (Verdict::BrokenLink, Some(1)));
		assert_eq!(check(&layout(h2, h2, 2, None, &whole[1..])), (Verdict::OutOfOrder, Some(0)));
		assert_eq!(check(&layout(h2, h2, 1, None, &whole[..1])), (Verdict::OutOfOrder, Some(1)));
		// A page asked below h1 that serves the entry above it.
		assert_eq!(check(&layout(h1, h2, 2, None, &whole[..1])), (Verdict::HeadMismatch, Some(1)));
		assert_eq!(check(&layout(h2, h2, 2, None, &whole[..1])), (Verdict::WrongCursor, None));
	}

	#[test]
	fn a_truncated_or_padded_page_is_malformed() {
		let a: &[u8] = b"entry";
		let h1 = next_head(&H256::zero(), a);
		let page = layout(h1, h1, 1, None, &[(0, H256::zero(), h1, a)]);
		for cut in 0..page.len() {
			assert_eq!(check(&page[..cut]), (Verdict::Malformed, None), "cut at {cut}");
		}
		let mut padded = page.clone();
		padded.push(0);
		assert_eq!(check(&padded), (Verdict::Malformed, None));
		let mut bad_flag = page;
		bad_flag[72] = 2;
		assert_eq!(check(&bad_flag), (Verdict::Malformed, None));
	}
}
