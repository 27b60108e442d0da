//! What `benchmark overhead` and `benchmark extrinsic` need on a chain without a currency: a
//! builder of signed `System::remark`s carrying the runtime's own transaction extensions (the
//! permission gate and the quotas included), and the inherent data of a benchmark block.

use crate::client::FullClient;
use healthchain_runtime::{self as runtime, SystemCall};
use sc_cli::Result;
use sc_client_api::BlockBackend;
use sp_blockchain::HeaderBackend;
use sp_core::{Encode, Pair};
use sp_inherents::{InherentData, InherentDataProvider};
use sp_keyring::Sr25519Keyring;
use sp_runtime::{generic::Era, OpaqueExtrinsic, SaturatedConversion};
use std::{sync::Arc, time::Duration};

/// The operators of the development and local presets. Only operators may remark, and an
/// operator may make 200 calls a block: the builder signs in turn with each, so a benchmark
/// block holds three times as many remarks before the quota, not the weight, ends it.
const OPERATORS: [Sr25519Keyring; 3] =
	[Sr25519Keyring::Alice, Sr25519Keyring::Bob, Sr25519Keyring::Charlie];

/// Signed, empty `System::remark`s from the preset's operators, in turn.
pub struct RemarkBuilder {
	client: Arc<FullClient>,
}

impl RemarkBuilder {
	/// A builder signing against `client`'s genesis and best block.
	pub fn new(client: Arc<FullClient>) -> Self {
		Self { client }
	}
}

impl frame_benchmarking_cli::ExtrinsicBuilder for RemarkBuilder {
	fn pallet(&self) -> &str {
		"system"
	}

	fn extrinsic(&self) -> &str {
		"remark"
	}

	fn build(&self, nonce: u32) -> std::result::Result<OpaqueExtrinsic, &'static str> {
		let signer = OPERATORS[nonce as usize % OPERATORS.len()].pair();
		let own_nonce = nonce / OPERATORS.len() as u32;
		let call = SystemCall::remark { remark: vec![] }.into();
		let xt = signed_extrinsic(&self.client, signer, call, own_nonce)?;
		OpaqueExtrinsic::try_from_encoded_extrinsic(&xt.encode())
			.map_err(|_| "a signed extrinsic is an opaque one")
	}
}

/// `call` signed by `sender` with `nonce` and the runtime's transaction extensions, mortal
/// from the best block.
pub fn signed_extrinsic(
	client: &FullClient,
	sender: sp_core::sr25519::Pair,
	call: runtime::RuntimeCall,
	nonce: u32,
) -> std::result::Result<runtime::UncheckedExtrinsic, &'static str> {
	let genesis_hash = client
		.block_hash(0)
		.map_err(|_| "the database answers")?
		.ok_or("the genesis block is known")?;
	let info = client.info();
	let period =
		runtime::BlockHashCount::get().checked_next_power_of_two().map(|c| c / 2).unwrap_or(2)
			as u64;
	type R = runtime::Runtime;
	let tx_ext: runtime::TxExtension = (
		frame_system::CheckNonZeroSender::<R>::new(),
		runtime::CheckPermission::<R>::new(),
		frame_system::CheckSpecVersion::<R>::new(),
		frame_system::CheckTxVersion::<R>::new(),
		frame_system::CheckGenesis::<R>::new(),
		frame_system::CheckEra::<R>::from(Era::mortal(period, info.best_number.saturated_into())),
		runtime::CheckNonceWithinQuota::<R>::from(nonce),
		frame_system::CheckWeight::<R>::new(),
	);
	// The implicit data, in the extensions' order: the spec and transaction versions, the
	// genesis hash and the era's birth block.
	let payload = runtime::SignedPayload::from_raw(
		call.clone(),
		tx_ext.clone(),
		(
			(),
			(),
			runtime::VERSION.spec_version,
			runtime::VERSION.transaction_version,
			genesis_hash,
			info.best_hash,
			(),
			(),
		),
	);
	let signature = payload.using_encoded(|e| sender.sign(e));
	Ok(runtime::UncheckedExtrinsic::new_signed(
		call,
		sp_runtime::AccountId32::from(sender.public()).into(),
		runtime::Signature::Sr25519(signature),
		tx_ext,
	))
}

/// The inherent data of a benchmark block: timestamp 0, because Aura checks the slot the
/// timestamp falls in against the genesis slot (0), and the benchmark's block has no digest.
pub fn inherent_benchmark_data() -> Result<InherentData> {
	let mut inherent_data = InherentData::new();
	let timestamp = sp_timestamp::InherentDataProvider::new(Duration::ZERO.into());
	futures::executor::block_on(timestamp.provide_inherent_data(&mut inherent_data))
		.map_err(|e| format!("creating inherent data: {e:?}"))?;
	Ok(inherent_data)
}
