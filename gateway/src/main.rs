//! `healthchain-gateway`: the hospital gateway's command line.
//!
//! Implemented so far: `identify` (document to health ID, with checksum errors) and
//! `keygen` (the gateway's X25519 exchange key for the peer directory).

use healthchain_gateway::{crypto::ExchangeKey, identify};
use std::process::ExitCode;

fn usage() -> ExitCode {
	eprintln!(
		"usage:\n  healthchain-gateway identify <lookup-secret-file> <kind> <number>\n    \
		 kind: thai-citizen | thai-non-citizen | passport:<ISO alpha-3>\n  \
		 healthchain-gateway keygen <exchange-key-file>"
	);
	ExitCode::from(2)
}

fn read_secret(path: &str) -> Result<Vec<u8>, String> {
	let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?;
	hex::decode(text.trim().trim_start_matches("0x")).map_err(|e| format!("{path}: not hex: {e}"))
}

fn run(args: &[String]) -> Result<(), String> {
	match args {
		[cmd, secret, kind, number] if cmd == "identify" => {
			let secret = read_secret(secret)?;
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
		_ => Err(String::new()),
	}
}

fn main() -> ExitCode {
	let args: Vec<String> = std::env::args().skip(1).collect();
	match run(&args) {
		Ok(()) => ExitCode::SUCCESS,
		Err(e) if e.is_empty() => usage(),
		Err(e) => {
			eprintln!("error: {e}");
			ExitCode::FAILURE
		},
	}
}
