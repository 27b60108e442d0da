//! The patient's wallet, for demos (the `patient` command): signs the patient's own consent
//! calls with the patient's key, and shows, cancels or confirms a pending rebind of the health
//! ID to another key that a registrar scheduled.

use clap::{Subcommand, ValueEnum};
use healthchain_client::{calls, keypair_from_uri, Client, HealthRpcClient, SubmitError, Wait};
use healthchain_primitives::HealthId;
use serde_json::{json, Value as Json};

/// A node RPC error as one line: `[code] message`.
fn rpc_error(e: jsonrpsee::core::ClientError) -> String {
	match e {
		jsonrpsee::core::ClientError::Call(c) => format!("[{}] {}", c.code(), c.message()),
		other => other.to_string(),
	}
}

/// What the `patient` command does with the patient's key.
#[derive(Debug, Subcommand)]
pub enum PatientAction {
	/// Enrols with every participating hospital as a source.
	Enrol {
		/// The patient's health ID.
		health_id: HealthId,
	},
	/// Lists the open per-request consent requests.
	Pending {
		/// The patient's health ID.
		health_id: HealthId,
	},
	/// Answers a consent request.
	Respond {
		/// The request id (from `pending`).
		request_id: u64,
		/// The answer.
		#[arg(value_enum)]
		answer: Answer,
	},
	/// Withdraws from the exchange.
	Withdraw {
		/// The patient's health ID.
		health_id: HealthId,
	},
	/// Shows the health ID's pending rebind to another key, if a registrar scheduled one: the
	/// new key (or in-person service), the registrar, the block and estimated time it takes
	/// effect in, and whether it is contested (then this key cannot cancel it).
	Rebind {
		/// The patient's health ID.
		health_id: HealthId,
	},
	/// Cancels the pending rebind: this key keeps the health ID. Refused when the rebind is
	/// contested (the council decides it).
	CancelRebind {
		/// The patient's health ID.
		health_id: HealthId,
	},
	/// Confirms the pending rebind: the new key controls the health ID at once, and this key
	/// loses all its rights.
	ConfirmRebind {
		/// The patient's health ID.
		health_id: HealthId,
	},
}

/// A patient's answer to a consent request.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Answer {
	/// Grant the access asked for.
	Approve,
	/// Refuse it.
	Refuse,
}

/// A health ID's pending rebind as `patient rebind` shows it (JSON): `pending` is `null`
/// when none is scheduled.
async fn pending_rebind(client: &Client, health_id: HealthId) -> Result<Json, String> {
	use healthchain_client::{
		runtime, runtime::runtime_types::pallet_health_id::types::Controller,
	};
	let at = client.api().at_current_block().await.map_err(|e| e.to_string())?;
	let best = at.block_number();
	let storage = at.storage();
	let pending = storage
		.entry(runtime::storage().health_ids().pending_rebinds())
		.map_err(|e| format!("HealthIds.PendingRebinds: {e}"))?
		.try_fetch((healthchain_client::Static(health_id),))
		.await
		.map_err(|e| format!("HealthIds.PendingRebinds: {e}"))?;
	let Some(pending) = pending else {
		return Ok(json!({ "healthId": health_id.to_hex(), "bestBlock": best, "pending": null }));
	};
	let pending = pending.decode().map_err(|e| format!("HealthIds.PendingRebinds: {e}"))?;
	// When it takes effect: the best block's time plus the blocks still to wait, one Aura
	// slot each.
	let now_ms = storage
		.entry(runtime::storage().timestamp().now())
		.map_err(|e| format!("Timestamp.Now: {e}"))?
		.fetch(())
		.await
		.map_err(|e| format!("Timestamp.Now: {e}"))?
		.decode()
		.map_err(|e| format!("Timestamp.Now: {e}"))?;
	let slot_ms = at
		.constants()
		.entry(runtime::constants().aura().slot_duration())
		.map_err(|e| format!("Aura.SlotDuration: {e}"))?;
	let effective_at = u64::from(pending.effective_at);
	let wait_ms = effective_at.saturating_sub(best).saturating_mul(slot_ms);
	let takes_effect = i64::try_from(now_ms.saturating_add(wait_ms))
		.ok()
		.and_then(chrono::DateTime::<chrono::Utc>::from_timestamp_millis)
		.zip(chrono::FixedOffset::east_opt(7 * 3600))
		.map(|(t, bangkok)| {
			t.with_timezone(&bangkok).to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
		});
	let new_controller = match &pending.controller {
		Controller::Key(key) => json!({ "key": key.to_string() }),
		Controller::Assisted => json!("assisted"),
	};
	let contested = pending.contested;
	let status = if contested {
		"contested: this key cannot cancel it; it takes effect only if the council approves it \
		 or this key confirms it"
	} else if effective_at <= best {
		"due: any registrar can complete it now; this key can still cancel or confirm it"
	} else {
		"scheduled: it takes effect at effectiveAt unless this key cancels it; this key can \
		 confirm it now"
	};
	Ok(json!({
		"healthId": health_id.to_hex(),
		"bestBlock": best,
		"pending": {
			"newController": new_controller,
			"registrar": pending.registrar.to_string(),
			"effectiveAt": effective_at,
			"takesEffectAbout": if contested { None } else { takes_effect },
			"contested": contested,
			"status": status,
		},
	}))
}

/// The patient's wallet, for demos: enrol, list pending requests, answer one, withdraw; show,
/// cancel or confirm a pending rebind of the health ID to another key.
pub async fn patient(node_url: &str, uri: &str, action: PatientAction) -> Result<(), String> {
	let key = keypair_from_uri(uri)?;
	let client = Client::connect(node_url).await.map_err(|e| e.to_string())?;
	let done = |r: Result<healthchain_client::Included, SubmitError>, what: &str| {
		r.map(|i| println!("{what}: done in finalized block #{}", i.block_number))
			.map_err(|e| e.to_string())
	};
	match action {
		PatientAction::Enrol { health_id } => {
			let call = calls::enrol(health_id, calls::all_sources());
			done(client.submit(&key, &call, Wait::Finalized).await, "enrol")
		},
		PatientAction::Withdraw { health_id } => {
			let call = calls::withdraw(health_id);
			done(client.submit(&key, &call, Wait::Finalized).await, "withdraw")
		},
		PatientAction::Pending { health_id } => {
			let list = client.health().pending_requests(health_id).await.map_err(rpc_error)?;
			println!("{}", serde_json::to_string_pretty(&list).map_err(|e| e.to_string())?);
			Ok(())
		},
		PatientAction::Respond { request_id, answer } => {
			let approve = matches!(answer, Answer::Approve);
			let call = calls::respond(request_id, approve);
			done(client.submit(&key, &call, Wait::Finalized).await, "respond")
		},
		PatientAction::Rebind { health_id } => {
			let shown = pending_rebind(&client, health_id).await?;
			println!("{}", serde_json::to_string_pretty(&shown).map_err(|e| e.to_string())?);
			Ok(())
		},
		PatientAction::CancelRebind { health_id } => {
			let call = calls::cancel_rebind(health_id);
			done(client.submit(&key, &call, Wait::Finalized).await, "cancel-rebind")
		},
		PatientAction::ConfirmRebind { health_id } => {
			let call = calls::confirm_rebind(health_id);
			done(client.submit(&key, &call, Wait::Finalized).await, "confirm-rebind")
		},
	}
}
