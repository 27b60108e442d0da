//! A stolen patient key floods a development node (remarks, a batch of 2 000 remarks, consent
//! toggles far ahead in the pool) while a hospital gateway attests: the flood is refused at
//! the pool with the documented codes and every attestation of the gateway is included.

use healthchain_primitives::{demo::demo_patient, DataCategory, Purpose};
use healthchain_tests::{calls, dev, pool_code, runtime, submit, Node, NodeConfig, Wait};
use sp_core::H256;

#[tokio::test(flavor = "multi_thread")]
async fn a_patient_key_flood_is_refused_at_the_pool_while_every_attestation_is_included() {
	let node = Node::start(NodeConfig::dev()).await;
	node.wait_finalized(1).await;
	let client = node.client().await;
	let (patient, gateway) = (dev::two(), dev::dave());
	let p = demo_patient();
	submit(&client, &patient, &calls::enrol(p, calls::all_sources())).await;
	submit(
		&client,
		&gateway,
		&calls::anchor(p, DataCategory::Allergy, H256::repeat_byte(1), 10, None),
	)
	.await;

	// The gateway attests, one after the other, while the flood runs.
	let attests = {
		let client = node.client().await;
		tokio::spawn(async move {
			let mut included = 0;
			for _ in 0..8 {
				let call = calls::attest(
					p,
					"MD10001",
					&[DataCategory::Allergy],
					&[H256::repeat_byte(1)],
					Purpose::Treatment,
				);
				client.submit(&gateway, &call, Wait::InBlock).await.expect("attestation included");
				included += 1;
			}
			included
		})
	};

	// Remarks, a 1 MiB remark and a batch of 2 000 remarks: not a patient's calls (11).
	let remark = runtime::tx().system().remark(b"spam".to_vec());
	assert_eq!(pool_code(&client, &patient, &remark, None).await, Some(11));
	let big = runtime::tx().system().remark(vec![0u8; 1024 * 1024]);
	assert_eq!(pool_code(&client, &patient, &big, None).await, Some(11));
	let remarks = (0..2_000)
		.map(|i| {
			runtime::runtime_types::healthchain_runtime::RuntimeCall::System(
				runtime::runtime_types::frame_system::pallet::Call::remark {
					remark: vec![i as u8],
				},
			)
		})
		.collect();
	let batch = runtime::tx().utility().batch(remarks);
	assert_eq!(pool_code(&client, &patient, &batch, None).await, Some(11));
	// Someone else's health ID (12).
	let other = calls::set_sensitive_opt_in(healthchain_primitives::HealthId([0xab; 32]), true);
	assert_eq!(pool_code(&client, &patient, &other, None).await, Some(12));

	// Consent toggles far ahead in the pool: at most 4 of the key's transactions wait (15).
	let account = patient.public_key().to_account_id();
	let base = client.next_nonce(&account).await.expect("nonce");
	let toggle = calls::set_sensitive_opt_in(p, true);
	let mut codes = Vec::new();
	for ahead in 0..8u64 {
		codes.push(pool_code(&client, &patient, &toggle, Some(base + ahead)).await);
	}
	assert_eq!(&codes[..4], &[None, None, None, None], "4 may wait in the pool: {codes:?}");
	assert!(codes[4..].iter().all(|c| *c == Some(15)), "the rest exceed the pool share: {codes:?}");

	// Every attestation of the gateway made it into a block.
	assert_eq!(attests.await.expect("the attesting task"), 8);
}
