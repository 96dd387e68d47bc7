// The population's customer-value distribution, kept as counters in the store so an agent can
// read "Value: top 10%". Profiles are counted in log2 buckets of value.total; every write that
// moves a profile between buckets adds -1/+1 in the same WriteBatch (merge operator, no read).
#ifndef NBO_SERVER_VALUE_STATS_H_
#define NBO_SERVER_VALUE_STATS_H_

#include <optional>

#include "absl/status/statusor.h"
#include "nbo/v1/profile.pb.h"
#include "storage/store.h"

namespace nbo::server {

// Bucket of a profile: 0 for value.total < 1, else floor(log2(total)) + 1, at most 40.
int ValueBucket(const v1::Profile& profile);

// Adds the counter changes for a profile whose bucket went from `before` (nullopt: new profile)
// to `after` (nullopt: profile deleted).
void AddValueBucketChange(std::optional<int> before, std::optional<int> after,
                          storage::WriteSet& writes);

// Share of profiles, in percent, whose value bucket is above this profile's plus half of its own
// bucket: 100 - that is the profile's percentile. NotFound when no profile is counted yet.
absl::StatusOr<double> TopPercent(storage::Store& store, const v1::Profile& profile);

}  // namespace nbo::server

#endif  // NBO_SERVER_VALUE_STATS_H_
