// Decision ids: "d-" + 12 hex digits of Unix milliseconds + 16 random hex digits. Time-ordered, so
// the decision log is append-mostly in RocksDB; 64 random bits make collisions negligible.
#ifndef NBO_SERVER_ID_GENERATOR_H_
#define NBO_SERVER_ID_GENERATOR_H_

#include <cstdint>
#include <string>

#include "absl/random/random.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace nbo::server {

// Thread-safe.
class IdGenerator {
 public:
  // Seeded from the OS; tests pass a fixed seed for reproducible ids.
  IdGenerator() = default;
  explicit IdGenerator(uint64_t seed) : gen_(std::seed_seq{seed}) {}

  std::string NextDecisionId(absl::Time now);

 private:
  absl::Mutex mu_;
  absl::BitGen gen_ ABSL_GUARDED_BY(mu_);
};

}  // namespace nbo::server

#endif  // NBO_SERVER_ID_GENERATOR_H_
