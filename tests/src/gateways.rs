//! Two hospitals' gateways, A and B, each in the other's directory, on one node: the set-up of
//! every test that exchanges records between gateways.

use crate::{netns::NetHost, DevIdp, GatewayPrep, GatewayProcess, GatewaySpec, Node, NodeConfig};

/// What [`two_gateways`] sets up. The default: a fresh development node, A as hospital
/// `H0001` signing with `//Dave`, B as `H0002` signing with `//Eve`, both on loopback with the
/// defaults of [`GatewaySpec::new`].
pub struct TwoGatewayOptions {
	/// The node the gateways use; `None` starts a development node and waits for its first
	/// finalized block.
	pub node: Option<Node>,
	/// The testbed hosts A and B run on (they then reach the node on its data address);
	/// loopback when `None`.
	pub hosts: Option<(NetHost, NetHost)>,
	/// A's specification; B's directory entry (as B's hospital) is added to its peers.
	pub a: GatewaySpec,
	/// B's specification; A's directory entry (as A's hospital) is added to its peers.
	pub b: GatewaySpec,
	/// A's and B's identities made beforehand (when something else needs their ports
	/// first, e.g. an OpenID provider naming their FHIR bases); made here when `None`.
	pub preps: Option<(GatewayPrep, GatewayPrep)>,
}

impl Default for TwoGatewayOptions {
	fn default() -> Self {
		TwoGatewayOptions {
			node: None,
			hosts: None,
			a: GatewaySpec::new("H0001", "//Dave", vec![]),
			b: GatewaySpec::new("H0002", "//Eve", vec![]),
			preps: None,
		}
	}
}

/// Two running gateways that know each other, and what they run on.
pub struct TwoGateways {
	/// Their node (the one the options named, or the development node started for them).
	pub node: Node,
	/// The identity provider whose tokens both trust.
	pub idp: DevIdp,
	/// Hospital A's gateway.
	pub a: GatewayProcess,
	/// Hospital B's gateway.
	pub b: GatewayProcess,
}

/// Starts gateways A and B as `options` say: prepares their keys and certificates, puts each
/// in the other's directory, starts both against the node and waits until both are healthy.
pub async fn two_gateways(options: TwoGatewayOptions) -> TwoGateways {
	let TwoGatewayOptions { node, hosts, a: mut spec_a, b: mut spec_b, preps } = options;
	let node = match node {
		Some(node) => node,
		None => {
			let node = Node::start(NodeConfig::dev()).await;
			node.wait_finalized(1).await;
			node
		},
	};
	let (prep_a, prep_b) = preps.unwrap_or_else(|| (GatewayPrep::new(), GatewayPrep::new()));
	let (prep_a, prep_b, node_url) = match &hosts {
		Some((host_a, host_b)) => (prep_a.on(host_a), prep_b.on(host_b), node.data_ws_url()),
		None => (prep_a, prep_b, node.ws_url()),
	};
	spec_a.peers.push(prep_b.entry(&spec_b.hospital));
	spec_b.peers.push(prep_a.entry(&spec_a.hospital));
	let idp = DevIdp::new();
	let a = GatewayProcess::launch(&node_url, prep_a, spec_a, &idp).await;
	let b = GatewayProcess::launch(&node_url, prep_b, spec_b, &idp).await;
	a.wait_healthy().await;
	b.wait_healthy().await;
	TwoGateways { node, idp, a, b }
}
