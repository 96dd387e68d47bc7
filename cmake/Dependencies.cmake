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

# nbo::allocator: the malloc of the long-running binaries (NBO_ALLOCATOR). jemalloc (Debian's
# libjemalloc-dev) replaces malloc/free process-wide when linked; sanitizers bring their own
# allocator, so those builds keep glibc's.
add_library(nbo_allocator INTERFACE)
add_library(nbo::allocator ALIAS nbo_allocator)
if(NBO_ALLOCATOR STREQUAL "jemalloc" AND NOT NBO_SANITIZE)
  find_package(PkgConfig REQUIRED)
  pkg_check_modules(JEMALLOC REQUIRED IMPORTED_TARGET jemalloc)
  target_link_libraries(nbo_allocator INTERFACE PkgConfig::JEMALLOC)
  target_compile_definitions(nbo_allocator INTERFACE NBO_ALLOCATOR_NAME="jemalloc")
elseif(NBO_ALLOCATOR STREQUAL "system" OR NBO_SANITIZE)
  target_compile_definitions(nbo_allocator INTERFACE NBO_ALLOCATOR_NAME="system")
else()
  message(FATAL_ERROR "NBO_ALLOCATOR must be jemalloc or system, not \"${NBO_ALLOCATOR}\"")
endif()
if(NBO_BUILD_TESTS)
  find_package(GTest CONFIG REQUIRED)
  include(GoogleTest)
endif()
if(NBO_BUILD_BENCHMARKS)
  find_package(benchmark CONFIG REQUIRED)
endif()
