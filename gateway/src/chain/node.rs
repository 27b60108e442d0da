//! [`NodeView`]: the connection to this gateway's node (made on first use, made again after the
//! node went away), whether the node's view may be acted on ([`Readiness`]), block hashes, and
//! the submission of the gateway's extrinsics (one at a time, waiting for finality).

use super::clock::now_ms;
use crate::error::{bad, unavailable, GatewayError};
use healthchain_client::{
	rpc::codes as rpc_codes, subxt::utils::AccountId32, Client, Included, Keypair, SubmitError,
	Wait,
};
use jsonrpsee::core::ClientError;
use sp_core::H256;

/// The node, as this gateway (hospital `hospital`, signing with its gateway key) sees it.
/// The connection is made on first use and made again after the node went away, so the
/// gateway starts (and answers `unavailable`) while its node is down.
pub struct NodeView {
	url: String,
	client: tokio::sync::RwLock<Option<Client>>,
	signer: Keypair,
	account: AccountId32,
	pub(super) hospital: String,
	submit_lock: tokio::sync::Mutex<()>,
	max_head_age_ms: u64,
	/// The gateway holds the published development lookup secret: it works only with
	/// development and local chains, never with a `Live` one.
	development_secret: bool,
	/// The refusal above was logged (once).
	refusal_logged: std::sync::atomic::AtomicBool,
}

/// Why a gateway with the published development lookup secret does not use a `Live` chain.
pub const DEVELOPMENT_SECRET_ON_LIVE_CHAIN: &str =
	"refused: this gateway's lookup secret is the published development secret and the node's \
	 chain is Live (a production network); configure the network's own lookup secret \
	 (lookup_secret_file)";

/// Whether the node's view may be acted on: not syncing, finalized head recent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Readiness {
	/// The finalized block number.
	pub finalized: u64,
	/// Its hash.
	pub finalized_hash: H256,
	/// Why the gateway must not act on this node's view now, if so.
	pub not_ready: Option<String>,
}

/// A node RPC error as a gateway error: invalid parameters are bad input, the rest
/// unavailable.
pub(super) fn rpc_error(method: &str, e: ClientError) -> GatewayError {
	match e {
		ClientError::Call(c) if c.code() == rpc_codes::INVALID_PARAMS => {
			bad(format!("{method}: {}", c.message()))
		},
		ClientError::Call(c) => unavailable(format!("{method}: {}", c.message())),
		other => unavailable(format!("{method}: node unavailable: {other}")),
	}
}

impl NodeView {
	/// A view of the node at `node_url`, signing with `signer` for hospital `hospital`;
	/// nothing is connected yet. The gateway acts on the chain's state only while the
	/// finalized head is at most `max_head_age_secs` old.
	///
	/// `development_secret`: the gateway's lookup secret is the published development one;
	/// the view then refuses a node whose chain is `Live` (a production network).
	pub fn new(
		node_url: &str,
		signer: Keypair,
		hospital: &str,
		max_head_age_secs: u64,
		development_secret: bool,
	) -> Self {
		let account = signer.public_key().to_account_id();
		NodeView {
			url: node_url.to_string(),
			client: Default::default(),
			signer,
			account,
			hospital: hospital.to_string(),
			submit_lock: Default::default(),
			max_head_age_ms: max_head_age_secs.saturating_mul(1000),
			development_secret,
			refusal_logged: Default::default(),
		}
	}

	/// The gateway's account (SS58).
	pub fn account(&self) -> String {
		self.account.to_string()
	}

	/// The client, connecting first if needed.
	pub async fn client(&self) -> Result<Client, GatewayError> {
		if let Some(c) = self.client.read().await.as_ref() {
			return Ok(c.clone());
		}
		let mut slot = self.client.write().await;
		if let Some(c) = slot.as_ref() {
			return Ok(c.clone());
		}
		let c = Client::connect(&self.url)
			.await
			.map_err(|e| unavailable(format!("the node at {} is not reachable: {e}", self.url)))?;
		if self.development_secret {
			use jsonrpsee::core::client::ClientT;
			let chain_type: serde_json::Value = c
				.health()
				.request("system_chainType", jsonrpsee::rpc_params![])
				.await
				.map_err(|e| rpc_error("system_chainType", e))?;
			if chain_type == "Live" {
				use std::sync::atomic::Ordering;
				if !self.refusal_logged.swap(true, Ordering::Relaxed) {
					crate::error!("development_secret_on_live_chain", {"node": self.url});
				}
				return Err(unavailable(DEVELOPMENT_SECRET_ON_LIVE_CHAIN));
			}
		}
		*slot = Some(c.clone());
		Ok(c)
	}

	/// Drops the connection (the node went away); the next use connects again.
	pub async fn reconnect(&self) {
		*self.client.write().await = None;
	}

	/// The node's best block number: the liveness probe.
	pub async fn best_number(&self) -> Result<u64, GatewayError> {
		let client = self.client().await?;
		match client.best_number().await {
			Ok(n) => Ok(n),
			Err(e) => {
				self.reconnect().await;
				Err(unavailable(e))
			},
		}
	}

	/// Whether the gateway may act on this node's view: the node is not syncing
	/// (`system_health`) and its finalized head's block time is recent. A node that is
	/// syncing, cut off or behind would show patients as unknown or not enrolled.
	pub async fn readiness(&self) -> Result<Readiness, GatewayError> {
		use jsonrpsee::core::client::ClientT;
		type Header = healthchain_client::subxt::config::substrate::SubstrateHeader<H256>;
		let client = self.client().await?;
		let rpc = client.health();
		let health: serde_json::Value = rpc
			.request("system_health", jsonrpsee::rpc_params![])
			.await
			.map_err(|e| rpc_error("system_health", e))?;
		let syncing = health.get("isSyncing").and_then(|v| v.as_bool()).unwrap_or(true);
		let finalized_hash: H256 = rpc
			.request("chain_getFinalizedHead", jsonrpsee::rpc_params![])
			.await
			.map_err(|e| rpc_error("chain_getFinalizedHead", e))?;
		let header: Option<Header> = rpc
			.request("chain_getHeader", jsonrpsee::rpc_params![finalized_hash])
			.await
			.map_err(|e| rpc_error("chain_getHeader", e))?;
		let finalized = header.map(|h| h.number).unwrap_or(0);
		let at = self.block_time(&client, finalized_hash).await?;
		let age = now_ms().saturating_sub(at);
		let not_ready = if syncing {
			Some("the node is syncing".to_string())
		} else if age > self.max_head_age_ms {
			Some(format!(
				"the node's finalized head #{finalized} is {} s old (at most {} s)",
				age / 1000,
				self.max_head_age_ms / 1000
			))
		} else {
			None
		};
		Ok(Readiness { finalized, finalized_hash, not_ready })
	}

	/// The block time (`Timestamp::Now`, ms) of block `at`; 0 for genesis.
	async fn block_time(&self, client: &Client, at: H256) -> Result<u64, GatewayError> {
		use codec::Decode;
		use jsonrpsee::core::client::ClientT;
		let key = [sp_crypto_hashing::twox_128(b"Timestamp"), sp_crypto_hashing::twox_128(b"Now")]
			.concat();
		let raw: Option<sp_core::Bytes> = client
			.health()
			.request("state_getStorage", jsonrpsee::rpc_params![sp_core::Bytes(key), at])
			.await
			.map_err(|e| rpc_error("state_getStorage", e))?;
		Ok(raw.and_then(|b| u64::decode(&mut &b.0[..]).ok()).unwrap_or(0))
	}

	/// The hash of finalized-chain block `number` on this node, if it has one.
	pub async fn block_hash(&self, number: u64) -> Result<Option<H256>, GatewayError> {
		use jsonrpsee::core::client::ClientT;
		let client = self.client().await?;
		client
			.health()
			.request("chain_getBlockHash", jsonrpsee::rpc_params![number])
			.await
			.map_err(|e| rpc_error("chain_getBlockHash", e))
	}

	/// Signs and submits `call` with the gateway key (one submission at a time: the nonce
	/// comes from the node's pool view) and waits for finality.
	pub async fn submit<C: healthchain_client::subxt::transactions::Payload>(
		&self,
		call: &C,
	) -> Result<Included, SubmitError> {
		let _one_at_a_time = self.submit_lock.lock().await;
		let client = self.client().await.map_err(|e| SubmitError::Unavailable(e.message))?;
		let result = client.submit(&self.signer, call, Wait::Finalized).await;
		if matches!(result, Err(SubmitError::Unavailable(_) | SubmitError::Unknown(_))) {
			self.reconnect().await;
		}
		result
	}
}
