#include "server/value_stats.h"

#include <cmath>
#include <cstdio>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace nbo::server {
namespace {

constexpr char kPrefix[] = "value_bucket/";
constexpr int kMaxBucket = 40;

std::string BucketKey(int bucket) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%s%02d", kPrefix, bucket);
  return buf;
}

}  // namespace

int ValueBucket(const v1::Profile& profile) {
  const double total = profile.value().total();
  if (!(total >= 1)) return 0;
  return std::min(kMaxBucket, static_cast<int>(std::floor(std::log2(total))) + 1);
}

void AddValueBucketChange(std::optional<int> before, std::optional<int> after,
                          storage::WriteSet& writes) {
  if (before == after) return;
  if (before) writes.counter_adds.emplace_back(BucketKey(*before), -1);
  if (after) writes.counter_adds.emplace_back(BucketKey(*after), +1);
}

absl::StatusOr<double> TopPercent(storage::Store& store, const v1::Profile& profile) {
  auto counters = store.ListCounters(kPrefix);
  if (!counters.ok()) return counters.status();
  const int own = ValueBucket(profile);
  double total = 0, above = 0, same = 0;
  for (const auto& [key, count] : *counters) {
    int bucket = 0;
    if (count <= 0 ||
        !absl::SimpleAtoi(absl::string_view(key).substr(sizeof(kPrefix) - 1), &bucket)) {
      continue;
    }
    total += static_cast<double>(count);
    if (bucket > own) above += static_cast<double>(count);
    if (bucket == own) same += static_cast<double>(count);
  }
  if (total <= 0) return absl::NotFoundError("no value statistics yet");
  return 100.0 * (above + same / 2) / total;
}

}  // namespace nbo::server
