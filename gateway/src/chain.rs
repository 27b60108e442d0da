//! The gateway's connection to a HealthChain node: signed extrinsics through subxt (one at a
//! time per gateway key, with the nonce taken from the node's pool view), reads through the
//! node's `health_*` JSON-RPC, and streams of finalized blocks' events.

use codec::Decode;
use healthchain_primitives::{DenyReason, HealthId};
use jsonrpsee::{
	core::{client::ClientT, params::ArrayParams},
	http_client::{HttpClient, HttpClientBuilder},
};
use serde_json::Value as Json;
use std::time::Duration;
use subxt::{
	config::DefaultExtrinsicParamsBuilder,
	dynamic::{self, Value},
	error::{DispatchError, TransactionEventsError},
	OnlineClient, PolkadotConfig,
};
use subxt_signer::{sr25519::Keypair, SecretUri};

/// Why a chain operation failed.
#[derive(Debug, thiserror::Error)]
pub enum ChainError {
	/// The node cannot be reached or answered with a transport error.
	#[error("node unavailable: {0}")]
	Unavailable(String),
	/// The transaction pool refused the extrinsic (bad signature, permission gate, ...).
	#[error("the node refused the transaction: {0}")]
	Rejected(String),
	/// The extrinsic was included and failed with this pallet error.
	#[error("the chain refused it: {pallet}::{error}{}", detail.as_ref().map(|d| format!(" ({d})")).unwrap_or_default())]
	Failed {
		/// Pallet name.
		pallet: String,
		/// Error variant name.
		error: String,
		/// The deny reason of `AccessDenied`, camelCase.
		detail: Option<String>,
	},
	/// A `health_*` RPC call returned an error.
	#[error("health RPC {method} failed: {message}")]
	Rpc {
		/// The method.
		method: String,
		/// The node's message.
		message: String,
	},
	/// The gateway's key file is unusable.
	#[error("signing key: {0}")]
	Key(String),
}

impl ChainError {
	/// The pallet error name, if the chain refused the extrinsic.
	pub fn pallet_error(&self) -> Option<&str> {
		match self {
			ChainError::Failed { error, .. } => Some(error),
			_ => None,
		}
	}
}

/// One event of an included extrinsic: pallet, name and the SCALE bytes of its fields.
#[derive(Clone, Debug)]
pub struct RawEvent {
	/// Pallet name.
	pub pallet: String,
	/// Event name.
	pub name: String,
	/// SCALE-encoded fields, in declaration order.
	pub fields: Vec<u8>,
}

impl RawEvent {
	/// Decodes the leading fields of this event as `T`.
	pub fn leading<T: Decode>(&self) -> Option<T> {
		T::decode(&mut &self.fields[..]).ok()
	}
}

/// An extrinsic in a finalized block, with its events.
#[derive(Clone, Debug)]
pub struct Included {
	/// Block number.
	pub block_number: u64,
	/// Block hash, `0x` hex.
	pub block_hash: String,
	/// The extrinsic's events.
	pub events: Vec<RawEvent>,
}

impl Included {
	/// The first event with this pallet and name.
	pub fn event(&self, pallet: &str, name: &str) -> Option<&RawEvent> {
		self.events.iter().find(|e| e.pallet == pallet && e.name == name)
	}
}

/// A connection to a node, signing with the hospital gateway's key.
pub struct Chain {
	api: OnlineClient<PolkadotConfig>,
	rpc: HttpClient,
	signer: Keypair,
	account: String,
	submit_lock: tokio::sync::Mutex<()>,
}

/// Reads a secret URI (`//Dave`, a mnemonic, or `0x` + 64 hex digits) into a key pair.
pub fn keypair_from_uri(text: &str) -> Result<Keypair, ChainError> {
	let uri: SecretUri =
		text.trim().parse().map_err(|e| ChainError::Key(format!("not a secret URI: {e}")))?;
	Keypair::from_uri(&uri).map_err(|e| ChainError::Key(format!("{e}")))
}

/// The HTTP URL of the node's RPC, from its `ws(s)://` or `http(s)://` URL.
pub fn http_url(node_url: &str) -> String {
	if let Some(rest) = node_url.strip_prefix("ws://") {
		format!("http://{rest}")
	} else if let Some(rest) = node_url.strip_prefix("wss://") {
		format!("https://{rest}")
	} else {
		node_url.to_string()
	}
}

/// The WebSocket URL of the node's RPC.
pub fn ws_url(node_url: &str) -> String {
	if let Some(rest) = node_url.strip_prefix("http://") {
		format!("ws://{rest}")
	} else if let Some(rest) = node_url.strip_prefix("https://") {
		format!("wss://{rest}")
	} else {
		node_url.to_string()
	}
}

/// The number of a `chain_getHeader` answer (`"0x1a"`).
fn header_number(header: &Json) -> Option<u64> {
	header["number"].as_str().and_then(|s| u64::from_str_radix(s.trim_start_matches("0x"), 16).ok())
}

fn unavailable(e: impl std::fmt::Display) -> ChainError {
	ChainError::Unavailable(e.to_string())
}

impl Chain {
	/// Connects to the node at `node_url` with the gateway key `signer`.
	pub async fn connect(node_url: &str, signer: Keypair) -> Result<Self, ChainError> {
		let api = OnlineClient::<PolkadotConfig>::from_insecure_url(ws_url(node_url))
			.await
			.map_err(unavailable)?;
		let rpc = HttpClientBuilder::default()
			.request_timeout(Duration::from_secs(30))
			.build(http_url(node_url))
			.map_err(unavailable)?;
		let account = signer.public_key().to_account_id().to_string();
		Ok(Chain { api, rpc, signer, account, submit_lock: Default::default() })
	}

	/// The gateway account (SS58).
	pub fn account(&self) -> &str {
		&self.account
	}

	/// The subxt client (for block streams).
	pub fn api(&self) -> &OnlineClient<PolkadotConfig> {
		&self.api
	}

	/// Calls a JSON-RPC method of the node.
	pub async fn rpc(&self, method: &str, params: Vec<Json>) -> Result<Json, ChainError> {
		let mut p = ArrayParams::new();
		for v in params {
			p.insert(v)
				.map_err(|e| ChainError::Rpc { method: method.into(), message: e.to_string() })?;
		}
		self.rpc.request(method, p).await.map_err(|e| match e {
			jsonrpsee::core::ClientError::Call(c) => {
				ChainError::Rpc { method: method.into(), message: c.message().to_string() }
			},
			other => unavailable(other),
		})
	}

	/// The best block number, as a liveness probe.
	pub async fn best_number(&self) -> Result<u64, ChainError> {
		let header = self.rpc("chain_getHeader", vec![]).await?;
		header_number(&header).ok_or_else(|| unavailable("chain_getHeader without a number"))
	}

	/// Signs `pallet.call(fields)` with the gateway key, submits it and waits until it is in a
	/// finalized block; returns its events, or why it failed.
	pub async fn submit(
		&self,
		pallet: &str,
		call: &str,
		fields: Vec<Value>,
	) -> Result<Included, ChainError> {
		let tx = dynamic::transaction(pallet, call, fields);
		let progress = {
			// One submission at a time per key: the nonce comes from the node's pool view
			// (`system_accountNextIndex`), which counts our earlier pending transactions.
			let _guard = self.submit_lock.lock().await;
			let nonce = self
				.rpc("system_accountNextIndex", vec![Json::from(self.account.clone())])
				.await?
				.as_u64()
				.ok_or_else(|| unavailable("system_accountNextIndex: not a number"))?;
			let at = self.api.at_current_block().await.map_err(unavailable)?;
			let params = DefaultExtrinsicParamsBuilder::<PolkadotConfig>::new()
				.nonce(nonce)
				.mortal(64)
				.build();
			let signed = at
				.transactions()
				.create_signed(&tx, &self.signer, params)
				.await
				.map_err(|e| ChainError::Rejected(e.to_string()))?;
			signed.submit_and_watch().await.map_err(|e| ChainError::Rejected(e.to_string()))?
		};
		let in_block = progress
			.wait_for_finalized()
			.await
			.map_err(|e| ChainError::Rejected(format!("not finalized: {e}")))?;
		let block_hash = format!("{:?}", in_block.block_hash());
		let events = in_block.wait_for_success().await.map_err(Self::events_error)?;
		let header = self.rpc("chain_getHeader", vec![Json::from(block_hash.clone())]).await?;
		let block_number = header_number(&header).unwrap_or_default();
		let mut out = Vec::new();
		for ev in events.iter() {
			let ev = ev.map_err(unavailable)?;
			out.push(RawEvent {
				pallet: ev.pallet_name().to_string(),
				name: ev.event_name().to_string(),
				fields: ev.field_bytes().to_vec(),
			});
		}
		Ok(Included { block_number, block_hash, events: out })
	}

	fn events_error(e: TransactionEventsError) -> ChainError {
		match e {
			TransactionEventsError::ExtrinsicFailed(DispatchError::Module(m)) => {
				match m.details() {
					Ok(d) => {
						let error = d.variant.name.clone();
						let detail = if error == "AccessDenied" {
							let bytes = m.bytes();
							DenyReason::decode(&mut &bytes[2..]).ok().map(|r| {
								serde_json::to_value(r)
									.ok()
									.and_then(|v| v.as_str().map(str::to_string))
									.unwrap_or_else(|| format!("{r:?}"))
							})
						} else {
							None
						};
						ChainError::Failed { pallet: d.pallet.name().to_string(), error, detail }
					},
					Err(_) => ChainError::Failed {
						pallet: "?".into(),
						error: m.details_string(),
						detail: None,
					},
				}
			},
			TransactionEventsError::ExtrinsicFailed(other) => ChainError::Failed {
				pallet: "System".into(),
				error: other.to_string(),
				detail: None,
			},
			other => unavailable(other),
		}
	}
}

/// Encodes a health ID for a dynamic call.
pub fn hid(id: &HealthId) -> Value {
	Value::from_bytes(id.0)
}

/// A unit enum variant for a dynamic call.
pub fn variant(name: &str) -> Value {
	Value::unnamed_variant(name, vec![])
}

/// Bytes (codes, licence numbers) for a dynamic call.
pub fn text(s: &str) -> Value {
	Value::from_bytes(s.as_bytes())
}
