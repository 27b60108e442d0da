//! Attestation load, shared by the load benchmarks (`healthchain-bench`,
//! `healthchain-doctor-bench`): enrolled patients with one anchored record each, attestations
//! of that record by the demo doctor of the one-time-consent hospital, signed offline with
//! explicit nonces, and a paced load that submits them at a fixed rate.

use crate::{
	calls, council_motion,
	runtime::{
		self,
		runtime_types::{
			healthchain_runtime::RuntimeCall,
			pallet_health_id::{pallet::Call as HealthIdCall, types::Controller},
			pallet_participants::pallet::Call as ParticipantsCall,
			pallet_records::pallet::Call as RecordsCall,
			pallet_utility::pallet::Call as UtilityCall,
		},
	},
	submit, text, Client, HealthRpcClient, Keypair, Payload, Static,
};
use futures::{stream, StreamExt};
use healthchain_client::{
	subxt::{
		client::{ClientAtBlock, OnlineClientAtBlockImpl},
		config::DefaultExtrinsicParamsBuilder,
	},
	ChainConfig,
};
use healthchain_primitives::{logs::AccessAttestation, DataCategory, HealthId, Purpose};
use jsonrpsee::{
	core::client::ClientT, http_client::HttpClient, rpc_params, ws_client::WsClientBuilder,
};
use sp_core::{Bytes, H256};
use std::{
	sync::{
		atomic::{AtomicBool, AtomicU64, Ordering},
		Arc,
	},
	time::{Duration, Instant},
};

/// The hospital whose gateways attest: the demo one-time-consent hospital.
pub const HOSPITAL: &str = "H0001";
/// The practitioner every attestation names: the demo doctor of [`HOSPITAL`].
pub const PRACTITIONER: &str = "MD10001";
/// Registrations per batch: within a registrar's per-block quota (200 calls).
const REGISTRATIONS_PER_BATCH: usize = 150;
/// Anchors at most this many records in one `Utility::batch_all` (within a gateway's block
/// quota).
const ANCHORS_PER_BATCH: usize = 500;

/// Registers (in batches within the registrar's quota) and enrols patients with their keys.
pub async fn enrol_patients(client: &Client, registrar: &Keypair, who: &[(Keypair, HealthId)]) {
	for chunk in who.chunks(REGISTRATIONS_PER_BATCH) {
		let registrations = chunk
			.iter()
			.map(|(k, id)| {
				RuntimeCall::HealthIds(HealthIdCall::register {
					health_id: Static(*id),
					document: Static(healthchain_primitives::DocumentKind::Passport {
						country: *b"THA",
					}),
					adult_attested: true,
					controller: Controller::Key(k.public_key().to_account_id()),
				})
			})
			.collect();
		submit(client, registrar, &runtime::tx().utility().batch_all(registrations)).await;
	}
	stream::iter(who)
		.for_each_concurrent(16, |(k, id)| async move {
			submit(client, k, &calls::enrol(*id, calls::all_sources())).await;
		})
		.await;
}

/// Adds `gateways` to [`HOSPITAL`] by council motion (the `AdminOrigin`), so that no gateway
/// process's key signs anything it does not know of.
pub async fn add_gateways(client: &Client, gateways: &[Keypair]) {
	let adds = gateways
		.iter()
		.map(|k| {
			RuntimeCall::Participants(ParticipantsCall::add_gateway {
				hospital: text(HOSPITAL),
				gateway: k.public_key().to_account_id(),
			})
		})
		.collect();
	council_motion(client, RuntimeCall::Utility(UtilityCall::batch_all { calls: adds })).await;
}

/// The record of `patient` every attestation names: one allergy record a patient, anchored
/// by [`anchor_records`] before any load (an attestation names only live records).
pub fn record_of(patient: &HealthId) -> H256 {
	let mut data = b"bench-record".to_vec();
	data.extend_from_slice(&patient.0);
	H256(sp_crypto_hashing::blake2_256(&data))
}

/// Anchors [`record_of`] each patient at [`HOSPITAL`] (the patients are enrolled with every
/// hospital as a source), in batches, signed by one of its gateways.
pub async fn anchor_records(client: &Client, gateway: &Keypair, patients: &[HealthId]) {
	for chunk in patients.chunks(ANCHORS_PER_BATCH) {
		let anchors = chunk
			.iter()
			.map(|id| {
				RuntimeCall::Records(RecordsCall::anchor {
					health_id: Static(*id),
					category: Static(DataCategory::Allergy),
					content_hash: record_of(id),
					size: 1024,
					supersedes: None,
				})
			})
			.collect();
		submit(client, gateway, &runtime::tx().utility().batch_all(anchors)).await;
	}
}

/// `AccessLog::attest` of `patient`'s allergies by [`PRACTITIONER`] for treatment, naming the
/// patient's record.
pub fn attest_call(patient: &HealthId) -> impl Payload {
	calls::attest(
		*patient,
		PRACTITIONER,
		&[DataCategory::Allergy],
		&[record_of(patient)],
		Purpose::Treatment,
	)
}

/// One access of an `AccessLog::attest_batch`: what [`attest_call`] attests.
pub fn access(patient: &HealthId) -> AccessAttestation {
	calls::access(
		*patient,
		PRACTITIONER,
		&[DataCategory::Allergy],
		&[record_of(patient)],
		Purpose::Treatment,
	)
}

/// The entries in `patients`' access logs at the finalized block, summed, as the node's
/// `health_accessLog` counts them.
pub async fn finalized_attestations(rpc: &HttpClient, patients: &[HealthId]) -> u64 {
	let mut total = 0;
	for id in patients {
		let page = crate::rpc::PageParams { limit: Some(1), cursor: None, finalized: true };
		total += rpc.access_log(*id, Some(page)).await.expect("an access log").count;
	}
	total
}

/// A client at one block, to sign offline.
pub type At = ClientAtBlock<ChainConfig, OnlineClientAtBlockImpl<ChainConfig>>;

/// Signs `call` with `signer` at `nonce`, immortal.
pub fn sign<P: Payload>(at: &At, signer: &Keypair, nonce: u64, call: &P) -> Vec<u8> {
	let params =
		DefaultExtrinsicParamsBuilder::<ChainConfig>::new().nonce(nonce).immortal().build();
	at.transactions()
		.create_signable_offline(call, params)
		.expect("signable")
		.sign(signer)
		.expect("signed")
		.into_encoded()
}

/// A chain's capacity for single attestations, as `healthchain-bench --capacity-out` writes
/// it (JSON) and `healthchain-doctor-bench --capacity` reads it: the load at half capacity.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Capacity {
	/// `dev` or `local`.
	pub chain: String,
	/// `AccessLog::attest` finalized a second, as the load run's phase 2 measured it.
	pub attest_finalized_per_s: f64,
}

/// What a [`PacedLoad`] did.
#[derive(Clone, Copy, Debug, Default)]
pub struct LoadTally {
	/// Attestations submitted.
	pub submitted: u64,
	/// Of those, refused by the node's pool.
	pub refused: u64,
	/// Seconds the load ran.
	pub secs: f64,
}

/// Attestations submitted at a fixed rate, round-robin over gateways and patients, each
/// signed as it is due (nonces counted locally from the gateways' next ones), to the node at
/// `url`, until stopped. Submissions do not wait for inclusion: the load is the rate offered.
pub struct PacedLoad {
	stop: Arc<AtomicBool>,
	/// Submissions the node has answered, and of those refused.
	answered: Arc<AtomicU64>,
	refused: Arc<AtomicU64>,
	task: tokio::task::JoinHandle<(u64, f64)>,
}

impl PacedLoad {
	/// Starts `rate` attestations a second by `gateways` of `patients`' records.
	pub async fn start(
		client: &Client,
		url: &str,
		gateways: Vec<Keypair>,
		patients: Vec<HealthId>,
		rate: f64,
	) -> PacedLoad {
		let rpc = Arc::new(WsClientBuilder::default().build(url).await.expect("the node's RPC"));
		let mut nonces = Vec::new();
		for g in &gateways {
			let account = g.public_key().to_account_id().to_string();
			let nonce: u64 = rpc
				.request("system_accountNextIndex", rpc_params![account])
				.await
				.expect("a nonce");
			nonces.push(nonce);
		}
		let at = client.api().at_current_block().await.expect("a block");
		let stop = Arc::new(AtomicBool::new(false));
		let answered = Arc::new(AtomicU64::new(0));
		let refused = Arc::new(AtomicU64::new(0));
		let task = {
			let (stop, answered, refused) = (stop.clone(), answered.clone(), refused.clone());
			tokio::spawn(async move {
				let start = Instant::now();
				let mut submitted = 0u64;
				let mut tick = tokio::time::interval(Duration::from_millis(10));
				while !stop.load(Ordering::Relaxed) {
					tick.tick().await;
					let due = (start.elapsed().as_secs_f64() * rate) as u64;
					while submitted < due {
						let i = submitted as usize;
						let g = i % gateways.len();
						let patient = &patients[(i / gateways.len()) % patients.len()];
						let bytes = sign(&at, &gateways[g], nonces[g], &attest_call(patient));
						nonces[g] += 1;
						submitted += 1;
						let (rpc, answered, refused) =
							(rpc.clone(), answered.clone(), refused.clone());
						tokio::spawn(async move {
							let answer: Result<H256, _> = rpc
								.request("author_submitExtrinsic", rpc_params![Bytes(bytes)])
								.await;
							if answer.is_err() {
								refused.fetch_add(1, Ordering::Relaxed);
							}
							answered.fetch_add(1, Ordering::Relaxed);
						});
					}
				}
				(submitted, start.elapsed().as_secs_f64())
			})
		};
		PacedLoad { stop, answered, refused, task }
	}

	/// Stops the load, waits for the node's answer to every submission, and tells what it
	/// did.
	pub async fn stop(self) -> LoadTally {
		self.stop.store(true, Ordering::Relaxed);
		let (submitted, secs) = self.task.await.expect("the load task");
		while self.answered.load(Ordering::Relaxed) < submitted {
			tokio::time::sleep(Duration::from_millis(10)).await;
		}
		LoadTally { submitted, refused: self.refused.load(Ordering::Relaxed), secs }
	}
}
