#include "storage/decision_ttl_filter.h"

#include <string_view>

#include "nbo/v1/record.pb.h"
#include "storage/decision_ttl.h"
#include "storage/keys.h"

namespace nbo::storage {
namespace {

template <typename Record>
absl::Time RecordExpiry(const rocksdb::Slice& value) {
  Record record;
  if (!record.ParseFromArray(value.data(), static_cast<int>(value.size())) ||
      !record.has_expires_at()) {
    return absl::InfiniteFuture();
  }
  return TimestampToTime(record.expires_at());
}

absl::Time IndexExpiry(const rocksdb::Slice& value) {
  return DecodeIndexExpiry(std::string_view(value.data(), value.size()));
}

}  // namespace

bool ExpiryFilter::Filter(int /*level*/, const rocksdb::Slice& /*key*/,
                          const rocksdb::Slice& existing_value, std::string* /*new_value*/,
                          bool* /*value_changed*/) const {
  if (expiry_of_(existing_value) > now_()) return false;
  dropped_.fetch_add(1, std::memory_order_relaxed);
  return true;
}

std::unique_ptr<ExpiryFilter> NewDecisionTtlFilter(std::function<absl::Time()> now) {
  return std::make_unique<ExpiryFilter>("nbo.DecisionTtlFilter",
                                        &RecordExpiry<nbo::v1::DecisionRecord>, std::move(now));
}

std::unique_ptr<ExpiryFilter> NewDedupeTtlFilter(std::function<absl::Time()> now) {
  return std::make_unique<ExpiryFilter>("nbo.DedupeTtlFilter", &RecordExpiry<nbo::v1::DedupeRecord>,
                                        std::move(now));
}

std::unique_ptr<ExpiryFilter> NewCustomerIndexTtlFilter(std::function<absl::Time()> now) {
  return std::make_unique<ExpiryFilter>("nbo.CustomerIndexTtlFilter", &IndexExpiry, std::move(now));
}

}  // namespace nbo::storage
