//! `bench-store`: measures the store at a realistic size. Fills a new store's index with
//! metadata for many records (spread over one patient per ten records, written in batches
//! without ciphertext files), then times real puts (encryption, ciphertext file, pending entry,
//! confirmation) and the reads of a fetch (a patient's record list, one record's plaintext).
//!
//! The figures are warm-cache: the operating system's page cache and redb's cache hold what
//! the fill just wrote. A first read after a restart is slower.

use crate::vault::{crypto, Kek, RecordMeta, Store, INDEX_FILE};
use healthchain_primitives::{DataCategory, HealthId};
use rand_core::{OsRng, RngCore};
use std::{
	fmt,
	hint::black_box,
	path::Path,
	time::{Duration, Instant},
};

/// Records written per transaction while filling.
const BATCH: usize = 10_000;
/// Records per patient while filling.
const RECORDS_PER_PATIENT: u64 = 10;
/// Size of each timed put's plaintext.
const PLAINTEXT_BYTES: usize = 4096;
/// Progress is reported every this many records.
const PROGRESS_EVERY: u64 = 100_000;

/// Timings of one operation in milliseconds: (minimum, median, 99th percentile, maximum).
pub type Spread = (f64, f64, f64, f64);

/// What [`bench`] measured.
#[derive(Clone, Debug)]
pub struct BenchFigures {
	/// Records in the index before the timed operations.
	pub records: u64,
	/// Patients they are spread over.
	pub patients: u64,
	/// Timed operations of each kind.
	pub samples: u32,
	/// Seconds to fill the index.
	pub fill_secs: f64,
	/// `Store::put` of a 4 KiB plaintext followed by `Store::confirm`.
	pub put_ms: Spread,
	/// `Store::records_of` a random patient.
	pub records_of_ms: Spread,
	/// `Store::plaintext` of a record put during the benchmark.
	pub read_ms: Spread,
	/// Size of `index.redb` at the end.
	pub db_bytes: u64,
}

/// The health ID of benchmark patient `n`.
fn patient(n: u64) -> HealthId {
	let mut seed = b"bench-patient".to_vec();
	seed.extend_from_slice(&n.to_be_bytes());
	HealthId(crypto::content_hash(&seed))
}

/// The content hash of filled record `n` (no ciphertext behind it).
fn record_hash(n: u64) -> [u8; 32] {
	let mut seed = b"bench-record".to_vec();
	seed.extend_from_slice(&n.to_be_bytes());
	crypto::content_hash(&seed)
}

/// A uniformly random number below `n` (n > 0).
fn below(n: u64) -> u64 {
	OsRng.next_u64() % n
}

/// Milliseconds of a duration.
fn ms(d: Duration) -> f64 {
	d.as_secs_f64() * 1000.0
}

/// Minimum, median, 99th percentile and maximum of `values` (zeros when empty).
fn spread(mut values: Vec<f64>) -> Spread {
	values.sort_by(f64::total_cmp);
	let n = values.len();
	if n == 0 {
		return (0.0, 0.0, 0.0, 0.0);
	}
	let at = |q: f64| values[((q * n as f64).ceil() as usize).clamp(1, n) - 1];
	(values[0], at(0.5), at(0.99), values[n - 1])
}

/// A 4 KiB plaintext shaped like a FHIR bundle.
fn plaintext(n: u32) -> Vec<u8> {
	let mut text = format!("{{\"resourceType\":\"Bundle\",\"id\":\"bench-{n}\",\"note\":\"");
	while text.len() < PLAINTEXT_BYTES - 2 {
		text.push('x');
	}
	text.push_str("\"}");
	text.into_bytes()
}

/// Builds a store in `dir` (created if needed; it must be empty) with a random KEK, fills its
/// index with `records` records over `records / 10` patients, and times `samples` puts and
/// `samples` fetch-side reads. Progress goes to standard error. The store is left in `dir`.
pub fn bench(dir: &Path, records: u64, samples: u32) -> Result<BenchFigures, String> {
	if samples == 0 {
		return Err("samples: at least 1".into());
	}
	std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
	let mut entries =
		std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
	if entries.next().is_some() {
		return Err(format!(
			"{} is not empty: the benchmark builds its own store in a new, empty directory",
			dir.display()
		));
	}
	let store = Store::open(dir, Kek::generate()).map_err(|e| e.to_string())?;
	let patients = (records / RECORDS_PER_PATIENT).max(1);

	eprintln!("bench-store: filling {records} records over {patients} patients");
	let started = Instant::now();
	let mut batch = Vec::with_capacity(BATCH);
	for i in 0..records {
		let meta = RecordMeta {
			health_id: patient(i % patients),
			category: DataCategory::ALL[(i % DataCategory::ALL.len() as u64) as usize],
			size: (PLAINTEXT_BYTES + 40) as u32,
			index: i / patients,
			block: Some(1 + i / 100),
		};
		batch.push((record_hash(i), meta));
		if batch.len() == BATCH || i + 1 == records {
			store.confirm_batch(&batch).map_err(|e| e.to_string())?;
			batch.clear();
		}
		if (i + 1) % PROGRESS_EVERY == 0 || i + 1 == records {
			let secs = started.elapsed().as_secs_f64();
			eprintln!(
				"bench-store: {}/{records} records indexed ({:.0} records/s)",
				i + 1,
				(i + 1) as f64 / secs.max(1e-9)
			);
		}
	}
	let fill_secs = started.elapsed().as_secs_f64();

	eprintln!("bench-store: timing {samples} puts");
	let next_index = records.div_ceil(patients);
	let mut put_times = Vec::with_capacity(samples as usize);
	let mut put_hashes = Vec::with_capacity(samples as usize);
	for s in 0..samples {
		let body = plaintext(s);
		let who = patient(below(patients));
		let category = DataCategory::ALL[s as usize % DataCategory::ALL.len()];
		let t = Instant::now();
		let (hash, size) = store.put(&body, who, category, 0).map_err(|e| e.to_string())?;
		let meta = RecordMeta {
			health_id: who,
			category,
			size,
			index: next_index + u64::from(s),
			block: None,
		};
		store.confirm(&hash, &meta).map_err(|e| e.to_string())?;
		put_times.push(ms(t.elapsed()));
		put_hashes.push(hash);
	}

	eprintln!("bench-store: timing {samples} reads");
	let mut list_times = Vec::with_capacity(samples as usize);
	let mut read_times = Vec::with_capacity(samples as usize);
	for _ in 0..samples {
		let who = patient(below(patients));
		let t = Instant::now();
		let list = store.records_of(&who).map_err(|e| e.to_string())?;
		list_times.push(ms(t.elapsed()));
		let _ = black_box(list.len());

		let hash = put_hashes[below(put_hashes.len() as u64) as usize];
		let t = Instant::now();
		let plain = store.plaintext(&hash).map_err(|e| e.to_string())?;
		read_times.push(ms(t.elapsed()));
		let _ = black_box(plain.len());
	}

	let db_path = dir.join(INDEX_FILE);
	let db_bytes = std::fs::metadata(&db_path)
		.map_err(|e| format!("cannot read {}: {e}", db_path.display()))?
		.len();
	Ok(BenchFigures {
		records,
		patients,
		samples,
		fill_secs,
		put_ms: spread(put_times),
		records_of_ms: spread(list_times),
		read_ms: spread(read_times),
		db_bytes,
	})
}

/// A small table of the figures.
impl fmt::Display for BenchFigures {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		let rate = self.records as f64 / self.fill_secs.max(1e-9);
		writeln!(f, "records     {} over {} patients", self.records, self.patients)?;
		writeln!(f, "fill        {:.1} s ({rate:.0} records/s)", self.fill_secs)?;
		writeln!(
			f,
			"index.redb  {} bytes ({:.1} MiB)",
			self.db_bytes,
			self.db_bytes as f64 / (1024.0 * 1024.0)
		)?;
		writeln!(
			f,
			"{:<28}{:>10}{:>10}{:>10}{:>10}   (ms, {} samples)",
			"", "min", "median", "p99", "max", self.samples
		)?;
		let rows = [
			("put 4 KiB + confirm", self.put_ms),
			("records_of (one patient)", self.records_of_ms),
			("plaintext (one record)", self.read_ms),
		];
		for (i, (name, (min, median, p99, max))) in rows.iter().enumerate() {
			write!(f, "{name:<28}{min:>10.3}{median:>10.3}{p99:>10.3}{max:>10.3}")?;
			if i + 1 < rows.len() {
				writeln!(f)?;
			}
		}
		Ok(())
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn a_small_bench_runs_and_refuses_a_used_directory() {
		let dir = tempfile::tempdir().unwrap();
		let figures = bench(dir.path(), 50, 3).unwrap();
		assert_eq!((figures.records, figures.patients, figures.samples), (50, 5, 3));
		assert!(figures.db_bytes > 0);
		assert!(figures.put_ms.0 <= figures.put_ms.3);
		assert!(figures.to_string().contains("records_of"));
		assert!(bench(dir.path(), 10, 1).unwrap_err().contains("not empty"));
	}

	#[test]
	fn spreads_pick_the_order_statistics() {
		let v: Vec<f64> = (1..=100u32).map(f64::from).collect();
		assert_eq!(spread(v), (1.0, 50.0, 99.0, 100.0));
		assert_eq!(spread(vec![]), (0.0, 0.0, 0.0, 0.0));
		assert_eq!(spread(vec![2.0]), (2.0, 2.0, 2.0, 2.0));
	}
}
