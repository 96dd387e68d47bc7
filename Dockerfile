# nbo-server container image. Everything comes from Debian 12 packages; nothing else is fetched.
#
#   docker build -t nbo:dev .
#   docker run --rm -p 50051:50051 -p 9464:9464 -v nbo-data:/var/lib/nbo nbo:dev
#   docker exec <container> nbo strategy show                    # the CLI is in the image too
#
# Layout inside the image (see deploy/README.md and docs/operations.md):
#   /usr/local/bin/nbo-server, /usr/local/bin/nbo
#   /etc/nbo/nbo.flags        production flags (a copy of deploy/nbo.flags)
#   /etc/nbo/strategy.json    the strategy served (a copy of examples/strategy.json; mount your own)
#   /usr/share/nbo/examples/  the sample strategy and data
#   /var/lib/nbo              RocksDB data (VOLUME). One container per volume: RocksDB is single-writer.
# Runs as uid/gid 10001 (nbo). SIGTERM drains for --shutdown_grace (5s) then exits 0; docker stop's
# default 10s timeout is above that. SIGHUP reloads the strategy file.

ARG DEBIAN_IMAGE=debian:12-slim

# ---------------------------------------------------------------------------------------------
FROM ${DEBIAN_IMAGE} AS build
ARG DEBIAN_FRONTEND=noninteractive
# NBO_BUILD_PACKAGES of scripts/lib/deps.sh (tests/deploy_test.sh checks that every one is here).
# civetweb (the binary) is needed too: Debian's civetweb CMake config refers to it.
# gtest/gmock/benchmark are not compiled here (tests and benchmarks are OFF) but are listed so the
# image build uses the same package set as a developer machine.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      build-essential g++ cmake ninja-build pkg-config \
      libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler \
      librocksdb-dev libabsl-dev libcivetweb-dev civetweb libspdlog-dev libssl-dev libjemalloc-dev \
      libgtest-dev libgmock-dev libbenchmark-dev \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /src
COPY . .
RUN cmake -S . -B /build -G Ninja \
      -DCMAKE_BUILD_TYPE=Release \
      -DNBO_BUILD_TESTS=OFF \
      -DNBO_BUILD_BENCHMARKS=OFF \
 && cmake --build /build --parallel \
 && install -d /out \
 && install -m 0755 -s /build/server/nbo-server /build/tools/nbo /out/

# ---------------------------------------------------------------------------------------------
FROM ${DEBIAN_IMAGE} AS runtime
ARG DEBIAN_FRONTEND=noninteractive
# Runtime shared libraries only (the Debian 12 packages behind the -dev packages above, checked
# with `ldd` on the binaries + `dpkg -S`; their own dependencies - c-ares, re2, snappy, lz4, zstd,
# gflags ... - come in through apt). tests/deploy_test.sh re-checks this list against a local build.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libgrpc++1.51 libgrpc29 libprotobuf32 librocksdb7.8 libcivetweb1 \
      libspdlog1.10 libfmt9 libabsl20220623 libssl3 libjemalloc2 \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 nbo \
 && useradd --system --uid 10001 --gid nbo --home-dir /var/lib/nbo --no-create-home \
      --shell /usr/sbin/nologin nbo \
 && install -d -o nbo -g nbo -m 0750 /var/lib/nbo \
 && install -d -m 0755 /etc/nbo /usr/share/nbo

COPY --from=build /out/nbo-server /out/nbo /usr/local/bin/
COPY examples/ /usr/share/nbo/examples/
COPY examples/strategy.json /etc/nbo/strategy.json
COPY deploy/nbo.flags /etc/nbo/nbo.flags

USER 10001:10001
WORKDIR /var/lib/nbo
VOLUME ["/var/lib/nbo"]
# 50051: gRPC (API, grpc.health.v1, reflection). 9464: Prometheus GET /metrics.
EXPOSE 50051 9464
STOPSIGNAL SIGTERM
# No grpc_health_probe in Debian: `nbo strategy show` calls StrategyService.GetStrategy and exits
# non-zero when the server is unreachable or not answering. (Kubernetes uses its built-in gRPC
# probe instead, see deploy/kubernetes/statefulset.yaml.) start-period covers RocksDB recovery.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["nbo", "strategy", "show", "--addr", "127.0.0.1:50051", "--timeout", "3s"]
# Exec form: nbo-server is PID 1 and receives SIGTERM/SIGHUP itself (it takes them with sigwait,
# so the PID-1 default-ignore rule does not apply). Extra flags after `docker run IMAGE` override
# the flagfile, e.g. `docker run nbo:dev --sync_writes=true`.
ENTRYPOINT ["nbo-server", "--flagfile=/etc/nbo/nbo.flags"]
CMD []
