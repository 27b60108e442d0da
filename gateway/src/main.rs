//! `healthchain-gateway`: the hospital gateway's service and command line. `--help` on the
//! command and on each subcommand documents it.

use clap::{builder::TypedValueParser as _, Parser, Subcommand};
use healthchain_client::keypair_from_uri;
use healthchain_gateway::{
	chain::NodeView,
	config::Config,
	dev::{
		idp,
		wallet::{self, PatientAction},
	},
	error,
	flows::{identify, Gateway},
	http::{api, auth::Verifier, metrics::Metrics},
	info,
	peers::tls,
	vault::{crypto::ExchangeKey, Kek, Store},
	wire::{EmergencyReason, FetchRequest, LocalApiClient, PutRequest, MAX_BODY_BYTES},
};

/// The environment variable that may hold the key-encryption key (hex).
const KEK_ENV: &str = "HEALTHCHAIN_GATEWAY_KEK";
use healthchain_primitives::{DataCategory, HealthId, Purpose};
use jsonrpsee::http_client::{HttpClient, HttpClientBuilder};
use serde_json::{json, Value as Json};
use std::{
	path::{Path, PathBuf},
	process::ExitCode,
	sync::Arc,
	time::Duration,
};

/// The HealthChain hospital gateway: keeps clinical records encrypted off chain, anchors them
/// on chain and exchanges them with other hospitals' gateways under the consent recorded on
/// chain.
#[derive(Debug, Parser)]
#[command(name = "healthchain-gateway", version, about)]
struct Cli {
	#[command(subcommand)]
	command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
	/// Runs the gateway service with a configuration file (see the README's gateway section).
	Run {
		/// The configuration file (TOML).
		config: PathBuf,
	},
	/// Prints the health ID of an identity document (the number never leaves this process).
	Identify {
		/// File holding the network lookup secret (hex).
		lookup_secret_file: PathBuf,
		/// `thai-citizen`, `thai-non-citizen` or `passport:<ISO alpha-3 country>`.
		kind: String,
		/// The document number.
		number: String,
	},
	/// Generates this gateway's keys into a directory, never overwriting a file:
	/// `exchange.key` (X25519), `tls.key` and `tls.crt` (self-signed ECDSA P-256
	/// certificate) and `kek.key` (the key-encryption key; move it out of the backups' way),
	/// all secrets mode 0600. Prints the X25519 public key and the certificate's SHA-256 for
	/// the peers' directories.
	Keygen {
		/// The directory to write into (created if missing).
		dir: PathBuf,
		/// The name in the certificate (the hospital code or the gateway's host name).
		#[arg(long, default_value = "healthchain-gateway")]
		name: String,
	},
	/// Creates a development identity provider's signing key (Ed25519, 0600) and its JWKS
	/// file, for demos and tests; production uses the hospital's identity provider.
	IdpKeygen {
		/// The signing key file to create.
		key_file: PathBuf,
		/// The JWKS file to create (point the gateway's `[auth] jwks_file` at it).
		jwks_file: PathBuf,
		/// The key id.
		#[arg(long, default_value = "dev")]
		kid: String,
	},
	/// Mints a token with a development identity provider's key (see `idp-keygen`).
	Token {
		/// The signing key file.
		key_file: PathBuf,
		#[command(flatten)]
		spec: idp::TokenSpec,
	},
	/// Measures the record index: fills it with N records and times puts and reads.
	BenchStore {
		/// Where to build the benchmark store (a new, empty directory).
		dir: PathBuf,
		/// Records in the index.
		#[arg(long, default_value_t = 1_000_000)]
		records: u64,
		/// Timed puts and reads.
		#[arg(long, default_value_t = 200)]
		samples: u32,
	},
	/// Puts one FHIR bundle, or every `*.json` bundle of a directory, through a gateway's
	/// local API, with progress on standard error.
	Put {
		#[command(flatten)]
		api: ApiArgs,
		/// The gateway's local API URL, e.g. `http://127.0.0.1:8701`.
		api_url: String,
		/// The patient's health ID (`0x` + 64 hex digits).
		health_id: HealthId,
		/// The records' category, e.g. `allergy`, `labAndImaging`.
		#[arg(value_parser = parse_category)]
		category: DataCategory,
		/// A bundle file or a directory of them.
		path: PathBuf,
	},
	/// Fetches a patient's records for a practitioner through a gateway's local API.
	Fetch {
		#[command(flatten)]
		api: ApiArgs,
		/// The gateway's local API URL.
		api_url: String,
		/// The patient's health ID.
		health_id: HealthId,
		/// Opens an emergency access first, for this reason (the token needs scope
		/// records.emergency).
		#[arg(long, value_parser = emergency_reason())]
		emergency: Option<EmergencyReason>,
		/// Skips the newest N records (the `nextOffset` of the previous page).
		#[arg(long)]
		offset: Option<u32>,
	},
	/// Stands in for the patient's wallet app in demos: signs the patient's own consent calls,
	/// shows a rebind of the health ID to another key that a registrar scheduled, and cancels
	/// or confirms it.
	Patient {
		/// The node's RPC URL, e.g. `ws://127.0.0.1:9944`.
		node_url: String,
		/// The patient's secret URI (e.g. `//Two`).
		secret_uri: String,
		#[command(subcommand)]
		action: PatientAction,
	},
}

/// How the command line reaches a local API: a bearer token, and the certificate pin of a
/// local API that serves TLS.
#[derive(Debug, clap::Args)]
struct ApiArgs {
	/// The bearer token (from the hospital's identity provider, or `token`).
	#[arg(long)]
	token: String,
	/// For an https:// local API: the SHA-256 of its certificate (`keygen` prints it).
	#[arg(long)]
	cert_sha256: Option<String>,
}

/// Reads `fetch --emergency`'s reason by its command-line name (`unconscious`,
/// `life-threatening`, `unable-to-consent`) into the primitives' one [`EmergencyReason`].
fn emergency_reason() -> impl clap::builder::TypedValueParser<Value = EmergencyReason> {
	clap::builder::PossibleValuesParser::new(EmergencyReason::ALL.map(EmergencyReason::cli_name))
		.try_map(|s| s.parse::<EmergencyReason>())
}

/// A data category by its JSON name (`allergy`, `labAndImaging`, ...).
fn parse_category(s: &str) -> Result<DataCategory, String> {
	serde_json::from_value(Json::String(s.to_string())).map_err(|_| {
		let names: Vec<String> = DataCategory::ALL.iter().map(|c| json!(c).to_string()).collect();
		format!("unknown category {s:?}: one of {}", names.join(", "))
	})
}

/// The bytes of a file holding hex (with or without `0x`).
fn read_hex_file(path: &Path) -> Result<Vec<u8>, String> {
	let text = std::fs::read_to_string(path)
		.map_err(|e| format!("cannot read {}: {e}", path.display()))?;
	hex::decode(text.trim().trim_start_matches("0x"))
		.map_err(|e| format!("{}: not hex: {e}", path.display()))
}

/// A client of a gateway's local API at `url`, with the bearer token (and certificate pin).
fn api_client(url: &str, args: &ApiArgs) -> Result<HttpClient, String> {
	let mut headers = jsonrpsee::http_client::HeaderMap::new();
	let bearer = format!("Bearer {}", args.token)
		.parse()
		.map_err(|_| "the token is not a valid header value".to_string())?;
	headers.insert("authorization", bearer);
	let mut builder = HttpClientBuilder::default()
		.request_timeout(Duration::from_secs(600))
		.max_request_size(MAX_BODY_BYTES)
		.max_response_size(MAX_BODY_BYTES)
		.set_headers(headers);
	if let Some(pin) = &args.cert_sha256 {
		let mut fp = [0u8; 32];
		healthchain_primitives::hex_decode_into(pin, &mut fp)
			.map_err(|e| format!("--cert-sha256: {e}"))?;
		builder = builder.with_custom_cert_store(tls::pinned_client_config(fp)?);
	}
	builder.build(url).map_err(|e| format!("{url}: {e}"))
}

/// A local API error as one line: `[code] message`.
fn call_error(e: jsonrpsee::core::ClientError) -> String {
	match e {
		jsonrpsee::core::ClientError::Call(c) => format!("[{}] {}", c.code(), c.message()),
		other => other.to_string(),
	}
}

/// Runs the gateway service with the configuration at `config_path` until SIGINT or SIGTERM.
async fn run_service(config_path: &Path) -> Result<(), String> {
	let config = Config::load(config_path).map_err(|e| e.to_string())?;
	let signing = std::fs::read_to_string(&config.signing_key_file)
		.map_err(|e| format!("cannot read {}: {e}", config.signing_key_file.display()))?;
	let signer = keypair_from_uri(&signing)
		.map_err(|e| format!("{}: {e}", config.signing_key_file.display()))?;
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
	let identity = tls::Identity::load(&config.tls.cert_file, &config.tls.key_file)?;
	let kek = Kek::load(config.kek_file.as_deref(), KEK_ENV)?;
	let verifier = Arc::new(Verifier::load(&config.auth).await?);
	let store = Store::open(&config.storage_dir, kek).map_err(|e| e.to_string())?;
	// The node may not be up yet: the view connects on first use, the watcher waits.
	let development_secret =
		lookup_secret[..] == healthchain_primitives::demo::DEV_LOOKUP_SECRET[..];
	let node = NodeView::new(
		&config.node_url,
		signer,
		&config.hospital,
		config.max_head_age_secs,
		development_secret,
	);
	let (listen, api_listen) = (config.listen, config.api_listen);
	let gw = Arc::new(
		Gateway::new(config, store, node, exchange, lookup_secret, identity)
			.map_err(|e| e.message)?,
	);
	// Request counts and latency, the shredding backlog (served on `metrics_listen`).
	let metrics = Arc::new(Metrics::new()?);
	if let Some(addr) = gw.config.metrics_listen {
		let served = metrics.clone();
		tokio::spawn(async move {
			if let Err(e) = served.serve(addr).await {
				error!("metrics_stopped", { "reason": e });
			}
		});
		// The shredding backlog, every 10 s: records of stopped patients still holding a key,
		// and shredded records whose revocation is not confirmed on chain. A store read error
		// leaves the gauges as they were (the store logs it).
		let (gw, metrics) = (gw.clone(), metrics.clone());
		tokio::spawn(async move {
			loop {
				if let Ok(backlog) = gw.shred_backlog() {
					metrics.set_backlog(backlog, gw.store.revoke_due().len());
				}
				tokio::time::sleep(Duration::from_secs(10)).await;
			}
		});
	}
	let (peer_addr, peer_handle) = api::start_peer(gw.clone(), listen, metrics.clone()).await?;
	let (api_addr, api_handle) =
		api::start_local(gw.clone(), api_listen, verifier, metrics).await?;
	info!("started", {
		"hospital": gw.config.hospital, "account": gw.node.account(),
		"exchangeKey": format!("0x{}", hex::encode(gw.exchange_public())),
		"certSha256": format!("0x{}", hex::encode(gw.tls_identity().fingerprint())),
		"peerApi": peer_addr.to_string(), "localApi": api_addr.to_string(),
		"localTls": gw.config.api_tls,
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

/// Creates `path` with `contents` and `mode`; never overwrites.
fn create_new(path: &Path, contents: &[u8], mode: u32) -> Result<(), String> {
	use std::{io::Write, os::unix::fs::OpenOptionsExt};
	let mut f = std::fs::OpenOptions::new()
		.write(true)
		.create_new(true)
		.mode(mode)
		.open(path)
		.map_err(|e| {
			format!("cannot create {} (an existing key is never overwritten): {e}", path.display())
		})?;
	f.write_all(contents).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Writes a gateway's keys into `dir` (see `keygen --help`); refuses if any file exists.
fn keygen(dir: &Path, name: &str) -> Result<(), String> {
	std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
	let files = ["exchange.key", "tls.key", "tls.crt", "kek.key"].map(|f| dir.join(f));
	if let Some(existing) = files.iter().find(|f| f.exists()) {
		return Err(format!("{} exists: an existing key is never overwritten", existing.display()));
	}
	let key = ExchangeKey::generate();
	let (cert, tls_key, fingerprint) = tls::self_signed(name)?;
	create_new(&files[0], hex::encode(key.to_bytes()).as_bytes(), 0o600)?;
	create_new(&files[1], tls_key.as_bytes(), 0o600)?;
	create_new(&files[2], cert.as_bytes(), 0o644)?;
	Kek::generate_file(&files[3])?;
	println!(
		"{}",
		json!({
			"exchangeKey": format!("0x{}", hex::encode(key.public())),
			"certSha256": format!("0x{}", hex::encode(fingerprint)),
		})
	);
	Ok(())
}

/// `put` of one file or every `*.json` in a directory, with progress on standard error.
async fn put(
	api: &ApiArgs,
	api_url: &str,
	health_id: HealthId,
	category: DataCategory,
	path: &Path,
) -> Result<(), String> {
	let client = api_client(api_url, api)?;
	let files: Vec<PathBuf> = if path.is_dir() {
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
				.put(PutRequest { health_id, category, bundle, supersedes: None })
				.await
				.map_err(call_error),
			Err(e) => Err(e),
		};
		match result {
			Ok(r) => {
				ok += 1;
				eprintln!(
					"[{}/{total}] {name}: anchored {:?} in block #{} ({:.0} s elapsed)",
					i + 1,
					r.content_hash,
					r.block,
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

/// `fetch`: a patient's records for a practitioner, printed as JSON.
async fn fetch(
	api: &ApiArgs,
	api_url: &str,
	health_id: HealthId,
	emergency: Option<EmergencyReason>,
	offset: Option<u32>,
) -> Result<(), String> {
	let client = api_client(api_url, api)?;
	let req = FetchRequest {
		purpose: emergency.map(|_| Purpose::Emergency),
		emergency_reason: emergency,
		offset,
		..FetchRequest::new(health_id)
	};
	let r = client.fetch(req).await.map_err(call_error)?;
	println!("{}", serde_json::to_string_pretty(&r).map_err(|e| e.to_string())?);
	Ok(())
}

/// Runs the parsed command.
async fn run(cli: Cli) -> Result<(), String> {
	match cli.command {
		Command::Run { config } => run_service(&config).await,
		Command::Identify { lookup_secret_file, kind, number } => {
			let secret = read_hex_file(&lookup_secret_file)?;
			let kind = identify::parse_kind(&kind)?;
			let id = identify::health_id(&secret, kind, &number).map_err(|e| e.to_string())?;
			println!("{}", id.to_hex());
			Ok(())
		},
		Command::Keygen { dir, name } => keygen(&dir, &name),
		Command::IdpKeygen { key_file, jwks_file, kid } => {
			idp::dev_idp_keygen(&key_file, &jwks_file, &kid)
		},
		Command::Token { key_file, spec } => {
			println!("{}", idp::mint_token(&key_file, &spec)?);
			Ok(())
		},
		Command::BenchStore { dir, records, samples } => {
			let figures = healthchain_gateway::dev::store_bench::bench(&dir, records, samples)?;
			println!("{figures}");
			Ok(())
		},
		Command::Put { api, api_url, health_id, category, path } => {
			put(&api, &api_url, health_id, category, &path).await
		},
		Command::Fetch { api, api_url, health_id, emergency, offset } => {
			fetch(&api, &api_url, health_id, emergency, offset).await
		},
		Command::Patient { node_url, secret_uri, action } => {
			wallet::patient(&node_url, &secret_uri, action).await
		},
	}
}

/// Parses the command line and runs it; an error is printed and exits 1.
#[tokio::main]
async fn main() -> ExitCode {
	match run(Cli::parse()).await {
		Ok(()) => ExitCode::SUCCESS,
		Err(e) => {
			eprintln!("error: {e}");
			ExitCode::FAILURE
		},
	}
}
