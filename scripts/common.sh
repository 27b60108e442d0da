# Shared by scripts/dev, scripts/test and friends: environment and prerequisites.
# Source it; do not run it.

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/healthchain/target}"
NODE_BIN="$CARGO_TARGET_DIR/release/healthchain-node"

say() { printf '\033[1m[healthchain]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[31m[healthchain] error:\033[0m %s\n' "$*" >&2; exit 1; }

# Runs a command as root: directly when we are root, through sudo otherwise.
as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@";
	elif command -v sudo >/dev/null 2>&1; then sudo "$@";
	else return 1; fi
}

apt_updated=0
apt_install() {
	command -v apt-get >/dev/null 2>&1 || die "apt-get not found: install $* with your package manager"
	if [ "$apt_updated" -eq 0 ]; then
		say "apt-get update"
		as_root apt-get update -qq >/dev/null || die "apt-get update failed (are you root, or is sudo available?)"
		apt_updated=1
	fi
	say "installing $*"
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null \
		|| die "could not install $* (Debian packages); install it and run again"
}

# Links the host's binaries (the node, the gateway, some forty test binaries) with mold instead
# of GNU ld, where mold is installed (ensure_prerequisites installs it from Debian's packages).
# Only the host target's flags change: the runtime's wasm is linked by rust-lld as before. Every
# script sets the same flags (they are part of every crate's fingerprint): a plain `cargo build`
# without them rebuilds the tree.
use_mold() {
	command -v mold >/dev/null 2>&1 || return 0
	local triple
	triple="$(rustc -vV | sed -n 's/^host: //p')"
	case "$triple" in
	x86_64-unknown-linux-gnu | aarch64-unknown-linux-gnu)
		local var="CARGO_TARGET_$(echo "$triple" | tr 'a-z-' 'A-Z_')_RUSTFLAGS"
		export "$var=-C link-arg=-fuse-ld=mold"
		;;
	esac
}
use_mold

# Installs whatever is missing to build the node: idempotent.
ensure_prerequisites() {
	command -v cargo >/dev/null 2>&1 || die "cargo not found: install Rust with rustup (https://rustup.rs)"
	command -v rustup >/dev/null 2>&1 || die "rustup not found: the wasm32v1-none target is installed with rustup"
	command -v protoc >/dev/null 2>&1 || apt_install protobuf-compiler
	command -v protoc >/dev/null 2>&1 || die "protoc still missing after installing protobuf-compiler"
	command -v cc >/dev/null 2>&1 || apt_install build-essential
	command -v mold >/dev/null 2>&1 || apt_install mold
	use_mold
	if ! rustup target list --installed 2>/dev/null | grep -qx wasm32v1-none; then
		say "adding the wasm32v1-none target"
		rustup target add wasm32v1-none || die "rustup could not add the wasm32v1-none target"
	fi
	for component in clippy rustfmt; do
		if ! rustup component list --installed 2>/dev/null | grep -q "^$component"; then
			say "adding the $component component"
			rustup component add "$component" || die "rustup could not add $component"
		fi
	done
	mkdir -p "$CARGO_TARGET_DIR"
}

# Builds the release node (and everything in the workspace) with the one profile.
build_release() {
	say "building (release) into $CARGO_TARGET_DIR"
	local start=$SECONDS
	(cd "$ROOT" && cargo build --release --locked --workspace)
	say "build took $((SECONDS - start)) s"
	[ -x "$NODE_BIN" ] || die "the build did not produce $NODE_BIN"
}

# The independent FHIR implementation and client library the FHIR facade's test uses:
# Python's fhir.resources (R4B models) and fhirpy, pinned, in a virtual environment.
FHIR_VENV="$HOME/.cache/healthchain/fhir-venv"
FHIR_PACKAGES=("fhir.resources==8.3.0" "fhirpy==2.3.1")
ensure_fhir_tools() {
	export HEALTHCHAIN_FHIR_PYTHON="$FHIR_VENV/bin/python"
	if [ -x "$HEALTHCHAIN_FHIR_PYTHON" ] \
		&& "$HEALTHCHAIN_FHIR_PYTHON" -c 'import fhir.resources.R4B, fhirpy' 2>/dev/null; then
		return
	fi
	command -v python3 >/dev/null 2>&1 || apt_install python3 python3-venv
	if ! python3 -m venv --help >/dev/null 2>&1 || ! python3 -c 'import ensurepip' 2>/dev/null; then
		apt_install python3-venv
	fi
	say "installing ${FHIR_PACKAGES[*]} into $FHIR_VENV"
	rm -rf "$FHIR_VENV"
	python3 -m venv "$FHIR_VENV" || die "python3 -m venv failed"
	"$FHIR_VENV/bin/pip" install -q "${FHIR_PACKAGES[@]}" || die "pip could not install ${FHIR_PACKAGES[*]}"
}

# The browser apps (apps/, issue 17): Node.js 20.19 or newer with npm, the locked packages
# (npm ci), Debian's Chromium for the browser test and a Thai font for its pages.
APPS="$ROOT/apps"
# The development chain's public node (scripts/dev): well-known node key 5 (runtime genesis
# presets), libp2p on TCP 30343 and on WebSocket 30344 for the apps' light client, RPC 9954
# (ports clear of scripts/local-net's, so both can run).
DEV_PUBLIC_NODE_KEY="$(printf '%064x' 5)"
DEV_PUBLIC_NODE_PEER="12D3KooWSuTq6MG9gPt7qZqLFKkYrfxMewTZhj9nmRHJkPwzWDG2"
DEV_PUBLIC_NODE_WS="/ip4/127.0.0.1/tcp/30344/ws/p2p/$DEV_PUBLIC_NODE_PEER"

# Starts a demo network's public node in the background and prints its pid: a full node (not a
# validator) with the well-known node key 5, so validators, which accept only the council's
# well-known nodes, sync it; libp2p on TCP and on WebSocket (where browsers' light clients
# dial; a production node puts a TLS proxy in front for wss, README "A public node for light
# clients") and room for 100 light-client peers; RPC safe methods only, 64 subscriptions a
# connection (a notification relay's `health_subscribeNotices` costs runtime calls per block).
#   start_public_node CHAIN BASE_PATH P2P_PORT WS_PORT RPC_PORT BOOTNODE LOG
start_public_node() {
	"$NODE_BIN" --chain "$1" --base-path "$2" --node-key "$DEV_PUBLIC_NODE_KEY" \
		--listen-addr "/ip4/127.0.0.1/tcp/$3" --listen-addr "/ip4/127.0.0.1/tcp/$4/ws" \
		--in-peers-light 100 --bootnodes "$6" --rpc-port "$5" --rpc-methods safe --rpc-cors all \
		--rpc-max-subscriptions-per-connection 64 \
		--no-prometheus --no-mdns --no-telemetry >"$7" 2>&1 &
	echo $!
}

# Writes the chain spec a light client starts from: CHAIN's raw spec booting from the public
# node at its WebSocket address (and any further multiaddresses given).
#   light_chain_spec CHAIN OUT WS_MULTIADDR...
light_chain_spec() {
	local chain="$1" out="$2"
	shift 2
	"$NODE_BIN" build-spec --chain "$chain" --raw 2>/dev/null | node "$APPS/tools/light-spec.mjs" "$@" >"$out" \
		|| die "the light client's chain spec for $chain was not written"
}
export HEALTHCHAIN_CHROMIUM="${HEALTHCHAIN_CHROMIUM:-/usr/bin/chromium}"
ensure_apps_tools() {
	command -v node >/dev/null 2>&1 || apt_install nodejs npm
	command -v npm >/dev/null 2>&1 || apt_install npm
	node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>20||(a===20&&b>=19)?0:1)' \
		|| die "Node.js $(node --version) is too old for Vite 8: install Node.js 20.19 or newer"
	[ -x "$HEALTHCHAIN_CHROMIUM" ] || apt_install chromium
	[ -n "$(fc-list :lang=th 2>/dev/null)" ] || apt_install fonts-thai-tlwg
	# npm ci only when the lock changed since the last install (a stamp of its hash).
	local stamp="$APPS/node_modules/.healthchain-lock.sha256"
	if ! (cd "$APPS" && sha256sum --status -c "$stamp" 2>/dev/null); then
		say "installing the apps' locked npm packages (npm ci)"
		(cd "$APPS" && npm ci --no-audit --no-fund --loglevel=error) || die "npm ci failed in apps/"
		(cd "$APPS" && sha256sum package-lock.json >"$stamp")
	fi
}

# Builds the apps into apps/dist: the log verifier (healthchain-log-chain's page check) to
# wasm, then the two pages with Vite. The wasm build has its own target directory (another
# target, panic=abort), so it never touches the release tree.
build_apps() {
	ensure_apps_tools
	say "building the apps (log verifier to wasm, pages with Vite)"
	local wasm_dir="$CARGO_TARGET_DIR/log-verifier"
	(cd "$ROOT" && CARGO_PROFILE_RELEASE_PANIC=abort cargo build --release --locked \
		-p healthchain-log-verifier --lib --no-default-features --target wasm32v1-none \
		--target-dir "$wasm_dir" --quiet) || die "the wasm log verifier did not build"
	mkdir -p "$APPS/public"
	cp "$wasm_dir/wasm32v1-none/release/healthchain_log_verifier.wasm" "$APPS/public/log-verifier.wasm"
	# The light client's chain spec (issue 33): the development chain's, raw, booting from the
	# development public node's WebSocket address (scripts/dev starts it).
	light_chain_spec dev "$APPS/public/chain-spec.json" "$DEV_PUBLIC_NODE_WS"
	(cd "$APPS" && npx --no-install vite build --logLevel warn) || die "the apps did not build"
}
