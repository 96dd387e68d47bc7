#include "storage/slow_read_store.h"

#include <cmath>

#include "absl/time/clock.h"

namespace nbo::storage {

SlowReadStore::SlowReadStore(Store& inner, SlowReadOptions options)
    : inner_(inner), options_(options) {}

void SlowReadStore::MaybeSleep() {
  if (options_.share <= 0) return;
  // Read n is slow when floor(n * share) steps up: exactly `share` of every run of reads.
  const uint64_t n = reads_.fetch_add(1, std::memory_order_relaxed);
  const auto step = [this](uint64_t i) {
    return static_cast<uint64_t>(std::floor(static_cast<double>(i) * options_.share));
  };
  if (step(n + 1) == step(n)) return;
  slowed_.fetch_add(1, std::memory_order_relaxed);
  absl::SleepFor(options_.delay);
}

absl::Status SlowReadStore::ReadProfile(std::string_view customer_id, nbo::v1::Profile* out) {
  MaybeSleep();
  return inner_.ReadProfile(customer_id, out);
}

std::vector<absl::StatusOr<nbo::v1::Profile>> SlowReadStore::MultiGetProfiles(
    const std::vector<std::string_view>& customer_ids) {
  MaybeSleep();
  return inner_.MultiGetProfiles(customer_ids);
}

}  // namespace nbo::storage
