#!/usr/bin/env bash
# The one list of Debian 12 packages nbo needs, and the step that installs the missing ones.
# Sourced by scripts/run and scripts/test:  nbo_install_deps build|test
set -euo pipefail

NBO_BUILD_PACKAGES=(
  g++ cmake ninja-build pkg-config
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  librocksdb-dev libabsl-dev libspdlog-dev libssl-dev
  libjemalloc-dev  # malloc of nbo-server (NBO_ALLOCATOR, docs/performance.md)
  # civetweb's CMake config refers to the civetweb binary: both packages are needed.
  libcivetweb-dev civetweb
  libgtest-dev libgmock-dev libbenchmark-dev
)
NBO_TEST_PACKAGES=(
  prometheus   # promtool checks /metrics output, alert rules and their unit tests
  python3      # JSON and YAML checks of deploy/
)

nbo_missing_packages() {
  local pkg
  for pkg in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
      echo "$pkg"
    fi
  done
}

# nbo_install_deps MODE: MODE "build" installs what building needs, "test" also what tests need.
nbo_install_deps() {
  local packages=("${NBO_BUILD_PACKAGES[@]}")
  if [[ "${1:-build}" == test ]]; then packages+=("${NBO_TEST_PACKAGES[@]}"); fi
  local missing
  missing=$(nbo_missing_packages "${packages[@]}" | paste -sd ' ' -)
  if [[ -z "${missing// /}" ]]; then
    return 0
  fi
  if [[ $(id -u) -ne 0 ]]; then
    echo "nbo: these Debian packages are missing: ${missing}" >&2
    echo "nbo: install them as root, then run this again:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing}" >&2
    exit 1
  fi
  echo "nbo: installing Debian packages: ${missing}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends ${missing} >/dev/null
}

# nbo_configure PRESET: configures build/PRESET once (re-runs are cheap).
nbo_configure() {
  local preset=$1
  if [[ ! -f "build/${preset}/CMakeCache.txt" ]]; then
    cmake --preset "${preset}" >/dev/null
  fi
}
