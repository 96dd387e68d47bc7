// Decision ids: "d-" + 12 hex digits of Unix milliseconds + 16 hex digits of a mixed counter.
// Time-ordered, so the decision log is append-mostly in RocksDB.
#ifndef NBO_SERVER_ID_GENERATOR_H_
#define NBO_SERVER_ID_GENERATOR_H_

#include <atomic>
#include <cstdint>
#include <string>

#include "absl/time/time.h"

namespace nbo::server {

// Thread-safe and lock-free: one atomic increment per id. The 64-bit suffix is splitmix64 of
// (key + counter), a bijection of the counter, so ids of one process never collide; the key is
// random per process, so ids of different processes (restarts) differ with high probability even
// within the same millisecond. Not meant to be unguessable.
class IdGenerator {
 public:
  // A random key from the OS.
  IdGenerator();
  // A fixed key, for reproducible ids in tests.
  explicit IdGenerator(uint64_t key) : key_(key) {}

  std::string NextDecisionId(absl::Time now);
  // "c-" + 16 hex digits from the same unique sequence.
  std::string NextCustomerId();

 private:
  uint64_t NextSuffix();

  const uint64_t key_;
  std::atomic<uint64_t> counter_{0};
};

}  // namespace nbo::server

#endif  // NBO_SERVER_ID_GENERATOR_H_
