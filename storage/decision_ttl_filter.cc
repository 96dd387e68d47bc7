#include "storage/decision_ttl_filter.h"

#include "nbo/v1/record.pb.h"
#include "storage/decision_ttl.h"

namespace nbo::storage {

bool DecisionTtlFilter::Filter(int /*level*/, const rocksdb::Slice& /*key*/,
                               const rocksdb::Slice& existing_value, std::string* /*new_value*/,
                               bool* /*value_changed*/) const {
  nbo::v1::DecisionRecord record;
  if (!record.ParseFromArray(existing_value.data(), static_cast<int>(existing_value.size()))) {
    return false;
  }
  if (!IsDecisionExpired(record, now_())) return false;
  dropped_.fetch_add(1, std::memory_order_relaxed);
  return true;
}

}  // namespace nbo::storage
