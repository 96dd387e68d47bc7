#include "storage/store.h"

#include <cstddef>

#include "absl/strings/str_cat.h"

namespace nbo::storage {

absl::Status ValidateWriteSet(const WriteSet& writes) {
  for (size_t i = 0; i < writes.profiles.size(); ++i) {
    const nbo::v1::Profile* profile = writes.profiles[i];
    if (profile == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("WriteSet.profiles[", i, "] is null"));
    }
    if (profile->customer_id().empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("WriteSet.profiles[", i, "]: customer_id is empty"));
    }
  }
  for (size_t i = 0; i < writes.decisions.size(); ++i) {
    const nbo::v1::DecisionRecord* record = writes.decisions[i];
    if (record == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("WriteSet.decisions[", i, "] is null"));
    }
    if (record->response().decision_id().empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("WriteSet.decisions[", i, "]: response.decision_id is empty"));
    }
  }
  for (size_t i = 0; i < writes.meta.size(); ++i) {
    if (writes.meta[i].first.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("WriteSet.meta[", i, "]: key is empty"));
    }
  }
  return absl::OkStatus();
}

}  // namespace nbo::storage
