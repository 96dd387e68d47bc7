# Every third-party dependency, all from Debian 12 packages (see scripts/lib/deps.sh).
# GLOBAL makes the imported targets visible in every subdirectory.
set(CMAKE_FIND_PACKAGE_TARGETS_GLOBAL ON)

find_package(Threads REQUIRED)
find_package(OpenSSL REQUIRED)  # SHA-256 of strategy documents
find_package(Protobuf CONFIG)
if(NOT Protobuf_FOUND)
  find_package(Protobuf REQUIRED)  # Debian 12 ships FindProtobuf only
endif()
# Prints "Could NOT find c-ares" on Debian 12 and still works (see docs/build.md).
find_package(gRPC CONFIG REQUIRED)
find_package(absl CONFIG REQUIRED)
find_package(RocksDB CONFIG REQUIRED)
# Needs both libcivetweb-dev and the civetweb binary package installed.
find_package(civetweb CONFIG REQUIRED)
find_package(spdlog CONFIG REQUIRED)
if(NBO_BUILD_TESTS)
  find_package(GTest CONFIG REQUIRED)
  include(GoogleTest)
endif()
if(NBO_BUILD_BENCHMARKS)
  find_package(benchmark CONFIG REQUIRED)
endif()
