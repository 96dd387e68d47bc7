#include "storage/decision_ttl.h"

#include "absl/status/status.h"

namespace nbo::storage {
namespace {

void SetTimestamp(absl::Time t, google::protobuf::Timestamp* ts) {
  const int64_t seconds = absl::ToUnixSeconds(t);  // rounds toward negative infinity
  ts->set_seconds(seconds);
  ts->set_nanos(static_cast<int32_t>((t - absl::FromUnixSeconds(seconds)) / absl::Nanoseconds(1)));
}

template <typename Record>
bool IsExpired(const Record& record, absl::Time now) {
  if (!record.has_expires_at()) return false;
  return TimestampToTime(record.expires_at()) <= now;
}

template <typename Record>
absl::StatusOr<std::string> SerializeForStorage(const Record& record, absl::Time now,
                                                absl::Duration ttl, absl::Time* expires_at,
                                                const char* error) {
  std::string bytes;
  bool ok;
  if (record.has_expires_at()) {
    ok = record.SerializeToString(&bytes);
    if (expires_at != nullptr) *expires_at = TimestampToTime(record.expires_at());
  } else {
    Record copy = record;
    SetTimestamp(now + ttl, copy.mutable_expires_at());
    ok = copy.SerializeToString(&bytes);
    if (expires_at != nullptr) *expires_at = TimestampToTime(copy.expires_at());
  }
  if (!ok) return absl::InvalidArgumentError(error);
  return bytes;
}

}  // namespace

absl::Time TimestampToTime(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

bool IsDecisionExpired(const nbo::v1::DecisionRecord& record, absl::Time now) {
  return IsExpired(record, now);
}

bool IsDedupeExpired(const nbo::v1::DedupeRecord& record, absl::Time now) {
  return IsExpired(record, now);
}

absl::StatusOr<std::string> SerializeDecisionForStorage(const nbo::v1::DecisionRecord& record,
                                                        absl::Time now, absl::Duration ttl,
                                                        absl::Time* expires_at) {
  return SerializeForStorage(record, now, ttl, expires_at, "DecisionRecord cannot be serialized");
}

absl::StatusOr<std::string> SerializeDedupeForStorage(const nbo::v1::DedupeRecord& record,
                                                      absl::Time now, absl::Duration ttl,
                                                      absl::Time* expires_at) {
  return SerializeForStorage(record, now, ttl, expires_at, "DedupeRecord cannot be serialized");
}

}  // namespace nbo::storage
