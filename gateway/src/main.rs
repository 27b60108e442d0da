//! `healthchain-gateway`: the hospital gateway's service and command line.
//!
//! ```text
//! healthchain-gateway run <config.toml>
//! healthchain-gateway identify <lookup-secret-file> <kind> <number>
//! healthchain-gateway keygen <exchange-key-file>
//! healthchain-gateway put <api-url> <health-id> <category> <bundle.json | directory>
//! healthchain-gateway fetch <api-url> <health-id> <practitioner> [emergency <reason>]
//! healthchain-gateway patient <node-url> <secret-uri> enrol <health-id>
//! healthchain-gateway patient <node-url> <secret-uri> pending <health-id>
//! healthchain-gateway patient <node-url> <secret-uri> respond <request-id> approve|refuse
//! healthchain-gateway patient <node-url> <secret-uri> withdraw <health-id>
//! ```
//!
//! `patient` stands in for the patient's wallet app in demos: it signs the patient's own
//! consent calls with the patient's key.

use healthchain_gateway::{
	api,
	chain::{keypair_from_uri, Chain},
	config::Config,
	crypto::ExchangeKey,
	identify, info,
	service::Gateway,
	store::Store,
};
use jsonrpsee::{
	core::client::ClientT,
	http_client::{HttpClient, HttpClientBuilder},
	rpc_params,
};
use serde_json::{json, Value as Json};
use std::{path::Path, process::ExitCode, sync::Arc, time::Duration};

fn usage() -> ExitCode {
	eprintln!(
		"usage:\n  \
		 healthchain-gateway run <config.toml>\n  \
		 healthchain-gateway identify <lookup-secret-file> <kind> <number>\n    \
		 kind: thai-citizen | thai-non-citizen | passport:<ISO alpha-3>\n  \
		 healthchain-gateway keygen <exchange-key-file>\n  \
		 healthchain-gateway put <api-url> <health-id> <category> <bundle.json | directory>\n  \
		 healthchain-gateway fetch <api-url> <health-id> <practitioner> [emergency <reason>]\n  \
		 healthchain-gateway patient <node-url> <secret-uri> enrol|pending|withdraw <health-id>\n  \
		 healthchain-gateway patient <node-url> <secret-uri> respond <request-id> approve|refuse"
	);
	ExitCode::from(2)
}

fn read_hex_file(path: &Path) -> Result<Vec<u8>, String> {
	let text = std::fs::read_to_string(path)
		.map_err(|e| format!("cannot read {}: {e}", path.display()))?;
	hex::decode(text.trim().trim_start_matches("0x"))
		.map_err(|e| format!("{}: not hex: {e}", path.display()))
}

fn api_client(url: &str) -> Result<HttpClient, String> {
	HttpClientBuilder::default()
		.request_timeout(Duration::from_secs(600))
		.build(url)
		.map_err(|e| format!("{url}: {e}"))
}

fn call_error(e: jsonrpsee::core::ClientError) -> String {
	match e {
		jsonrpsee::core::ClientError::Call(c) => format!("[{}] {}", c.code(), c.message()),
		other => other.to_string(),
	}
}

async fn run_service(config_path: &Path) -> Result<(), String> {
	let config = Config::load(config_path).map_err(|e| e.to_string())?;
	let signing = std::fs::read_to_string(&config.signing_key_file)
		.map_err(|e| format!("cannot read {}: {e}", config.signing_key_file.display()))?;
	let signer = keypair_from_uri(&signing).map_err(|e| e.to_string())?;
	let exchange_bytes: [u8; 32] = read_hex_file(&config.exchange_key_file)?
		.try_into()
		.map_err(|_| format!("{}: expected 32 bytes", config.exchange_key_file.display()))?;
	let exchange = ExchangeKey::from_bytes(exchange_bytes);
	let lookup_secret = read_hex_file(&config.lookup_secret_file)?;
	if !(32..=64).contains(&lookup_secret.len()) {
		return Err(format!(
			"{}: the lookup secret must be 32 to 64 bytes",
			config.lookup_secret_file.display()
		));
	}
	let store = Store::open(&config.storage_dir).map_err(|e| e.to_string())?;
	let orphans = store.remove_orphans();
	let chain = Chain::connect(&config.node_url, signer).await.map_err(|e| e.to_string())?;
	let (listen, api_listen) = (config.listen, config.api_listen);
	let gw = Arc::new(
		Gateway::new(config, store, chain, exchange, lookup_secret).map_err(|e| e.message)?,
	);
	let (peer_addr, peer_handle) = api::start(listen, api::peer_module(gw.clone())).await?;
	let (api_addr, api_handle) = api::start(api_listen, api::local_module(gw.clone())).await?;
	info!("started", {
		"hospital": gw.config.hospital, "account": gw.chain.account(),
		"exchangeKey": format!("0x{}", hex::encode(gw.exchange_public())),
		"peerApi": peer_addr.to_string(), "localApi": api_addr.to_string(),
		"orphansRemoved": orphans,
	});

	let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
	let watcher = {
		let gw = gw.clone();
		tokio::spawn(async move {
			loop {
				gw.watch(stop_rx.clone()).await;
				if *stop_rx.borrow() {
					return;
				}
				// The block stream ended (node restart): follow again shortly.
				tokio::time::sleep(Duration::from_secs(2)).await;
			}
		})
	};

	let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
		.map_err(|e| e.to_string())?;
	tokio::select! {
		_ = tokio::signal::ctrl_c() => {},
		_ = term.recv() => {},
	}
	info!("stopping", {"reason": "signal"});
	let _ = stop_tx.send(true);
	// Stop accepting requests; let in-flight ones finish.
	let _ = peer_handle.stop();
	let _ = api_handle.stop();
	peer_handle.stopped().await;
	api_handle.stopped().await;
	let _ = tokio::time::timeout(Duration::from_secs(10), watcher).await;
	info!("stopped", {});
	Ok(())
}

/// `put` of one file or every `*.json` in a directory, with progress on standard error.
async fn put(api_url: &str, health_id: &str, category: &str, path: &Path) -> Result<(), String> {
	let client = api_client(api_url)?;
	let files: Vec<std::path::PathBuf> = if path.is_dir() {
		let mut v: Vec<_> = std::fs::read_dir(path)
			.map_err(|e| format!("{}: {e}", path.display()))?
			.flatten()
			.map(|e| e.path())
			.filter(|p| p.extension().and_then(|e| e.to_str()) == Some("json"))
			.collect();
		v.sort();
		v
	} else {
		vec![path.to_path_buf()]
	};
	if files.is_empty() {
		return Err(format!("{}: no .json bundles", path.display()));
	}
	let total = files.len();
	let (mut ok, mut failed) = (0usize, 0usize);
	let started = std::time::Instant::now();
	for (i, file) in files.iter().enumerate() {
		let name = file.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
		let result = match std::fs::read(file)
			.map_err(|e| e.to_string())
			.and_then(|b| serde_json::from_slice::<Json>(&b).map_err(|e| format!("not JSON: {e}")))
		{
			Ok(bundle) => client
				.request::<Json, _>(
					"gateway_put",
					rpc_params![
						json!({"healthId": health_id, "category": category, "bundle": bundle})
					],
				)
				.await
				.map_err(call_error),
			Err(e) => Err(e),
		};
		match result {
			Ok(r) => {
				ok += 1;
				eprintln!(
					"[{}/{total}] {name}: anchored {} in block #{} ({:.0} s elapsed)",
					i + 1,
					r["contentHash"].as_str().unwrap_or("?"),
					r["block"],
					started.elapsed().as_secs_f64()
				);
				println!("{}", json!({"file": name, "result": r}));
			},
			Err(e) => {
				failed += 1;
				eprintln!("[{}/{total}] {name}: FAILED: {e}", i + 1);
				println!("{}", json!({"file": name, "error": e}));
			},
		}
	}
	eprintln!("{ok} anchored, {failed} failed, of {total}");
	if failed > 0 {
		return Err(format!("{failed} of {total} bundles failed"));
	}
	Ok(())
}

async fn fetch(api_url: &str, args: &[String]) -> Result<(), String> {
	let client = api_client(api_url)?;
	let mut req = json!({"healthId": args[0], "practitioner": args[1]});
	match &args[2..] {
		[] => {},
		[p, reason] if p == "emergency" => {
			req["purpose"] = json!("emergency");
			req["emergencyReason"] = json!(reason);
		},
		_ => return Err(String::new()),
	}
	let r: Json = client.request("gateway_fetch", rpc_params![req]).await.map_err(call_error)?;
	println!("{}", serde_json::to_string_pretty(&r).unwrap_or_default());
	Ok(())
}

/// The patient's wallet, for demos: enrol, list pending requests, answer one, withdraw.
async fn patient(
	node_url: &str,
	uri: &str,
	action: &str,
	arg: &str,
	extra: Option<&str>,
) -> Result<(), String> {
	use healthchain_gateway::chain::{hid, variant};
	use healthchain_primitives::HealthId;
	let chain = Chain::connect(node_url, keypair_from_uri(uri).map_err(|e| e.to_string())?)
		.await
		.map_err(|e| e.to_string())?;
	let id = || HealthId::from_hex(arg).map_err(|e| format!("health id: {e}"));
	let included = match (action, extra) {
		("enrol", None) => {
			chain.submit("Consent", "enrol", vec![hid(&id()?), variant("All")]).await
		},
		("withdraw", None) => chain.submit("Consent", "withdraw", vec![hid(&id()?)]).await,
		("pending", None) => {
			let list = chain
				.rpc("health_pendingRequests", vec![json!(id()?.to_hex())])
				.await
				.map_err(|e| e.to_string())?;
			println!("{}", serde_json::to_string_pretty(&list).unwrap_or_default());
			return Ok(());
		},
		("respond", Some(answer @ ("approve" | "refuse"))) => {
			let request: u64 =
				arg.parse().map_err(|_| format!("request id: not a number: {arg}"))?;
			chain
				.submit(
					"Consent",
					"respond",
					vec![
						subxt::dynamic::Value::u128(request as u128),
						subxt::dynamic::Value::bool(answer == "approve"),
					],
				)
				.await
		},
		_ => return Err(String::new()),
	}
	.map_err(|e| e.to_string())?;
	println!("{action}: done in finalized block #{}", included.block_number);
	Ok(())
}

async fn run(args: &[String]) -> Result<(), String> {
	match args {
		[cmd, config] if cmd == "run" => run_service(Path::new(config)).await,
		[cmd, secret, kind, number] if cmd == "identify" => {
			let secret = read_hex_file(Path::new(secret))?;
			let kind = identify::parse_kind(kind)?;
			let id = identify::health_id(&secret, kind, number).map_err(|e| e.to_string())?;
			println!("{}", id.to_hex());
			Ok(())
		},
		[cmd, file] if cmd == "keygen" => {
			let key = ExchangeKey::generate();
			std::fs::write(file, hex::encode(key.to_bytes()))
				.map_err(|e| format!("cannot write {file}: {e}"))?;
			println!("0x{}", hex::encode(key.public()));
			Ok(())
		},
		[cmd, url, id, category, path] if cmd == "put" => {
			put(url, id, category, Path::new(path)).await
		},
		[cmd, url, rest @ ..] if cmd == "fetch" && rest.len() >= 2 => fetch(url, rest).await,
		[cmd, url, uri, action, arg] if cmd == "patient" => {
			patient(url, uri, action, arg, None).await
		},
		[cmd, url, uri, action, arg, extra] if cmd == "patient" => {
			patient(url, uri, action, arg, Some(extra)).await
		},
		_ => Err(String::new()),
	}
}

#[tokio::main]
async fn main() -> ExitCode {
	let args: Vec<String> = std::env::args().skip(1).collect();
	match run(&args).await {
		Ok(()) => ExitCode::SUCCESS,
		Err(e) if e.is_empty() => usage(),
		Err(e) => {
			eprintln!("error: {e}");
			ExitCode::FAILURE
		},
	}
}
