// Expiry of logged decisions and dedupe records, shared by both Store implementations and
// RocksDB's compaction filters so that they agree on exactly when a record disappears.
#ifndef NBO_STORAGE_DECISION_TTL_H_
#define NBO_STORAGE_DECISION_TTL_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"
#include "nbo/v1/record.pb.h"

namespace nbo::storage {

// Default time a decision is kept when its record has no expires_at.
inline constexpr absl::Duration kDefaultDecisionTtl = absl::Hours(7 * 24);
// Default time a dedupe record is kept when it has no expires_at.
inline constexpr absl::Duration kDefaultDedupeTtl = absl::Hours(24);

// The instant `ts` denotes.
absl::Time TimestampToTime(const google::protobuf::Timestamp& ts);

// True when `record` has an expires_at at or before `now`. A record without expires_at never
// expires (Commit always sets one, so this only matters for hand-written data).
bool IsDecisionExpired(const nbo::v1::DecisionRecord& record, absl::Time now);
bool IsDedupeExpired(const nbo::v1::DedupeRecord& record, absl::Time now);

// The bytes to store for `record`: its serialization, with expires_at set to `now + ttl` when
// unset. InvalidArgument if the record cannot be serialized. `expires_at`, when not null, receives
// the stored expiry.
absl::StatusOr<std::string> SerializeDecisionForStorage(const nbo::v1::DecisionRecord& record,
                                                        absl::Time now, absl::Duration ttl,
                                                        absl::Time* expires_at = nullptr);
absl::StatusOr<std::string> SerializeDedupeForStorage(const nbo::v1::DedupeRecord& record,
                                                      absl::Time now, absl::Duration ttl,
                                                      absl::Time* expires_at = nullptr);

}  // namespace nbo::storage

#endif  // NBO_STORAGE_DECISION_TTL_H_
