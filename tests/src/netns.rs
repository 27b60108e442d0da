//! A testbed of hosts in Linux network namespaces (needs root and iproute2's `ip`): each host
//! has its own network stack with two interfaces, as in a data centre:
//!
//! - `eth0`, the data network (`10.S.1.i/24`): peer-to-peer traffic between nodes, and
//!   gateways to their node and to each other. Two L2 segments, bridges `…A` and `…B`, joined
//!   by a trunk veth pair: bringing the trunk down splits the network in two
//!   ([`Testbed::split`]); bringing one host's link down cuts that host off
//!   ([`Testbed::cut`]). Packets to the other side are dropped, as when a cable or a site
//!   link fails: no reset, no error, only silence.
//! - `mgmt0`, the management network (`10.S.2.i/24`, the root namespace at `10.S.2.254`):
//!   how the test (in the root namespace) reaches RPC and gateway APIs. It is never cut, so
//!   the test watches every host through a split.
//!
//! Nodes and gateways listen for peers only on their `eth0` address; see
//! [`crate::NodeConfig::host`] and [`crate::GatewayPrep::on`]. Everything the testbed made is
//! removed when it is dropped, and a later testbed removes the leftovers of one whose process
//! died.

use std::process::Command;

/// One host of a [`Testbed`].
#[derive(Clone, Debug)]
pub struct NetHost {
	/// The network namespace.
	pub ns: String,
	/// The data network address (peers, gateways' node and peer traffic).
	pub data_ip: String,
	/// The management network address (the test's RPC and API calls).
	pub mgmt_ip: String,
	/// The root-namespace end of its data link.
	link: String,
}

impl NetHost {
	/// `ip netns exec <ns> <program>`: a command that runs `program` on this host. `ip` execs
	/// the program, so the child's pid is the program's.
	pub fn command(&self, program: &std::path::Path) -> Command {
		let mut cmd = Command::new("ip");
		cmd.args(["netns", "exec", &self.ns]).arg(program);
		cmd
	}
}

/// Hosts in network namespaces on a splittable data network; see the module docs.
pub struct Testbed {
	prefix: String,
	hosts: Vec<NetHost>,
}

/// Runs `ip` with `args`; the error says which command failed and why.
fn ip(args: &[&str]) -> Result<(), String> {
	let out = Command::new("ip").args(args).output().map_err(|e| format!("ip: {e}"))?;
	if out.status.success() {
		Ok(())
	} else {
		Err(format!("ip {}: {}", args.join(" "), String::from_utf8_lossy(&out.stderr).trim()))
	}
}

/// `ip`'s standard output.
fn ip_output(args: &[&str]) -> String {
	Command::new("ip")
		.args(args)
		.output()
		.map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
		.unwrap_or_default()
}

const PREFIX: &str = "hcf";

impl Testbed {
	/// Whether this process may build a testbed: root, and `ip netns` works. The reason if
	/// not.
	pub fn available() -> Result<(), String> {
		if !nix::unistd::geteuid().is_root() {
			return Err("network namespaces need root".into());
		}
		ip(&["netns", "list"]).map_err(|e| format!("iproute2 cannot list namespaces: {e}"))
	}

	/// A testbed with `side_a` hosts on segment A and `side_b` on segment B (numbered from 1,
	/// A's first).
	pub fn new(side_a: usize, side_b: usize) -> Result<Self, String> {
		Self::available()?;
		Self::remove_leftovers();
		let prefix = format!("{PREFIX}{}", std::process::id());
		let subnet = (200..=250)
			.find(|s| !ip_output(&["-4", "addr"]).contains(&format!("10.{s}.2.254/")))
			.ok_or("no free 10.S.2.0/24 management subnet (200 <= S <= 250)")?;
		let mut bed = Testbed { prefix: prefix.clone(), hosts: Vec::new() };
		let (a, b, m) = (format!("{prefix}A"), format!("{prefix}B"), format!("{prefix}M"));
		for bridge in [&a, &b, &m] {
			ip(&["link", "add", bridge, "type", "bridge"])?;
			ip(&["link", "set", bridge, "up"])?;
		}
		ip(&["addr", "add", &format!("10.{subnet}.2.254/24"), "dev", &m])?;
		let (ta, tb) = (format!("{prefix}ta"), format!("{prefix}tb"));
		ip(&["link", "add", &ta, "type", "veth", "peer", "name", &tb])?;
		ip(&["link", "set", &ta, "master", &a, "up"])?;
		ip(&["link", "set", &tb, "master", &b, "up"])?;
		for i in 1..=side_a + side_b {
			let ns = format!("{prefix}-{i}");
			let (data, mgmt) = (format!("{prefix}d{i}"), format!("{prefix}m{i}"));
			let segment = if i <= side_a { &a } else { &b };
			ip(&["netns", "add", &ns])?;
			bed.hosts.push(NetHost {
				ns: ns.clone(),
				data_ip: format!("10.{subnet}.1.{i}"),
				mgmt_ip: format!("10.{subnet}.2.{i}"),
				link: data.clone(),
			});
			for (link, inner, bridge, net) in [(&data, "eth0", segment, 1), (&mgmt, "mgmt0", &m, 2)]
			{
				ip(&["link", "add", link, "type", "veth", "peer", "name", inner, "netns", &ns])?;
				ip(&["link", "set", link, "master", bridge, "up"])?;
				ip(&[
					"-n",
					&ns,
					"addr",
					"add",
					&format!("10.{subnet}.{net}.{i}/24"),
					"dev",
					inner,
				])?;
				ip(&["-n", &ns, "link", "set", inner, "up"])?;
			}
			ip(&["-n", &ns, "link", "set", "lo", "up"])?;
		}
		Ok(bed)
	}

	/// Host `i` (from 1).
	pub fn host(&self, i: usize) -> &NetHost {
		&self.hosts[i - 1]
	}

	/// Splits the data network between segments A and B (the trunk goes down).
	pub fn split(&self) {
		ip(&["link", "set", &format!("{}ta", self.prefix), "down"]).expect("trunk down");
	}

	/// Joins the two segments again.
	pub fn heal(&self) {
		ip(&["link", "set", &format!("{}ta", self.prefix), "up"]).expect("trunk up");
	}

	/// Cuts host `i` off the data network (its link goes down).
	pub fn cut(&self, i: usize) {
		ip(&["link", "set", &self.host(i).link, "down"]).expect("link down");
	}

	/// Connects host `i` again.
	pub fn reconnect(&self, i: usize) {
		ip(&["link", "set", &self.host(i).link, "up"]).expect("link up");
	}

	/// Removes testbeds whose process is gone.
	fn remove_leftovers() {
		for line in ip_output(&["-o", "link", "show", "type", "bridge"]).lines() {
			let Some(name) = line.split(": ").nth(1).map(|n| n.trim()) else { continue };
			let Some(pid) = name.strip_prefix(PREFIX).and_then(|r| r.strip_suffix('M')) else {
				continue;
			};
			if pid.parse::<u32>().is_ok() && !std::path::Path::new(&format!("/proc/{pid}")).exists()
			{
				remove(&format!("{PREFIX}{pid}"));
			}
		}
	}
}

/// Removes every namespace and link named with `prefix` (a namespace's removal takes its
/// veth pairs with it).
fn remove(prefix: &str) {
	for ns in ip_output(&["netns", "list"]).lines() {
		let name = ns.split_whitespace().next().unwrap_or_default();
		if name.starts_with(&format!("{prefix}-")) {
			let _ = ip(&["netns", "del", name]);
		}
	}
	for suffix in ["ta", "A", "B", "M"] {
		let _ = ip(&["link", "del", &format!("{prefix}{suffix}")]);
	}
}

impl Drop for Testbed {
	fn drop(&mut self) {
		remove(&self.prefix);
	}
}
