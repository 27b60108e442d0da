# HealthChain images, multi-stage: one builder, two small runtime images (non-root).
#
#   docker build --target node    -t healthchain-node .
#   docker build --target gateway -t healthchain-gateway .
#
# The builder uses the same steps as ./scripts/test's build (release profile, the whole
# workspace, the runtime compiled to wasm32v1-none, protoc for the network crates). The runtime
# images are Debian slim with only the binary, CA certificates and a dedicated user.

FROM docker.io/library/rust:1.95-bookworm AS builder
RUN apt-get update \
	&& apt-get install -y --no-install-recommends protobuf-compiler clang libclang-dev \
	&& rm -rf /var/lib/apt/lists/*
RUN rustup target add wasm32v1-none && rustup component add rust-src
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry \
	--mount=type=cache,target=/src/target \
	cargo build --release --locked --workspace \
	&& install -m 0755 target/release/healthchain-node target/release/healthchain-gateway /usr/local/bin/

FROM docker.io/library/debian:bookworm-slim AS runtime-base
RUN apt-get update \
	&& apt-get install -y --no-install-recommends ca-certificates \
	&& rm -rf /var/lib/apt/lists/* \
	&& useradd --system --uid 10001 --user-group --home-dir /data --create-home --shell /usr/sbin/nologin healthchain

# A validator, full node or public RPC node. Data (chain, keystore, node key) under /data.
FROM runtime-base AS node
COPY --from=builder /usr/local/bin/healthchain-node /usr/local/bin/healthchain-node
USER healthchain
WORKDIR /data
# p2p, JSON-RPC (WebSocket and HTTP), Prometheus
EXPOSE 30333 9944 9615
VOLUME ["/data"]
ENTRYPOINT ["/usr/local/bin/healthchain-node", "--base-path", "/data"]
CMD ["--help"]

# A hospital gateway. Its config, keys and store are mounted (see README, "Packaging").
FROM runtime-base AS gateway
COPY --from=builder /usr/local/bin/healthchain-gateway /usr/local/bin/healthchain-gateway
USER healthchain
WORKDIR /data
# peer API (mutual TLS), local API, Prometheus
EXPOSE 8600 8700 9616
ENTRYPOINT ["/usr/local/bin/healthchain-gateway"]
CMD ["run", "/etc/healthchain/gateway.toml"]
