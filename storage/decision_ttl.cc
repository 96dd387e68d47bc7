#include "storage/decision_ttl.h"

#include "absl/status/status.h"

namespace nbo::storage {
namespace {

absl::Time ToTime(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

void SetTimestamp(absl::Time t, google::protobuf::Timestamp* ts) {
  const int64_t seconds = absl::ToUnixSeconds(t);  // rounds toward negative infinity
  ts->set_seconds(seconds);
  ts->set_nanos(static_cast<int32_t>((t - absl::FromUnixSeconds(seconds)) / absl::Nanoseconds(1)));
}

}  // namespace

bool IsDecisionExpired(const nbo::v1::DecisionRecord& record, absl::Time now) {
  if (!record.has_expires_at()) return false;
  return ToTime(record.expires_at()) <= now;
}

absl::StatusOr<std::string> SerializeDecisionForStorage(const nbo::v1::DecisionRecord& record,
                                                        absl::Time now, absl::Duration ttl) {
  std::string bytes;
  bool ok;
  if (record.has_expires_at()) {
    ok = record.SerializeToString(&bytes);
  } else {
    nbo::v1::DecisionRecord copy = record;
    SetTimestamp(now + ttl, copy.mutable_expires_at());
    ok = copy.SerializeToString(&bytes);
  }
  if (!ok) return absl::InvalidArgumentError("DecisionRecord cannot be serialized");
  return bytes;
}

}  // namespace nbo::storage
