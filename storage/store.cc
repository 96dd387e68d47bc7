#include "storage/store.h"

#include <cstddef>
#include <string>

#include "absl/strings/str_cat.h"

namespace nbo::storage {
namespace {

bool HasNul(const std::string& s) { return s.find('\0') != std::string::npos; }

absl::Status Invalid(const char* field, size_t i, const char* problem) {
  return absl::InvalidArgumentError(absl::StrCat("WriteSet.", field, "[", i, "]", problem));
}

// Customer ids that key the per-customer index must not contain the separator '\0'.
absl::Status CheckIndexedCustomer(const char* field, size_t i, const char* name,
                                  const std::string& customer_id, bool required) {
  if (required && customer_id.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("WriteSet.", field, "[", i, "]: ", name, " is empty"));
  }
  if (HasNul(customer_id)) {
    return absl::InvalidArgumentError(
        absl::StrCat("WriteSet.", field, "[", i, "]: ", name, " contains a NUL byte"));
  }
  return absl::OkStatus();
}

absl::Status CheckIdentity(const char* field, size_t i, const IdentityLink& link) {
  if (link.source.empty()) return Invalid(field, i, ": source is empty");
  if (HasNul(link.source)) return Invalid(field, i, ": source contains a NUL byte");
  if (link.external_id.empty()) return Invalid(field, i, ": external_id is empty");
  return CheckIndexedCustomer(field, i, "customer_id", link.customer_id, true);
}

absl::Status CheckAlias(const char* field, size_t i, const AliasLink& link) {
  if (link.absorbed_id.empty()) return Invalid(field, i, ": absorbed_id is empty");
  if (link.absorbed_id == link.survivor_id) {
    return Invalid(field, i, ": absorbed_id equals survivor_id");
  }
  return CheckIndexedCustomer(field, i, "survivor_id", link.survivor_id, true);
}

absl::Status CheckRecordDelete(const char* field, size_t i, const RecordDelete& record) {
  if (record.id.empty()) return Invalid(field, i, ": id is empty");
  return CheckIndexedCustomer(field, i, "customer_id", record.customer_id, false);
}

}  // namespace

absl::Status ValidateWriteSet(const WriteSet& writes) {
  for (size_t i = 0; i < writes.profiles.size(); ++i) {
    const nbo::v1::Profile* profile = writes.profiles[i];
    if (profile == nullptr) return Invalid("profiles", i, " is null");
    if (profile->customer_id().empty()) return Invalid("profiles", i, ": customer_id is empty");
  }
  for (size_t i = 0; i < writes.decisions.size(); ++i) {
    const nbo::v1::DecisionRecord* record = writes.decisions[i];
    if (record == nullptr) return Invalid("decisions", i, " is null");
    if (record->response().decision_id().empty()) {
      return Invalid("decisions", i, ": response.decision_id is empty");
    }
    if (absl::Status status = CheckIndexedCustomer("decisions", i, "response.customer_id",
                                                   record->response().customer_id(), false);
        !status.ok()) {
      return status;
    }
  }
  for (size_t i = 0; i < writes.meta.size(); ++i) {
    if (writes.meta[i].first.empty()) return Invalid("meta", i, ": key is empty");
  }
  for (size_t i = 0; i < writes.identities.size(); ++i) {
    if (absl::Status s = CheckIdentity("identities", i, writes.identities[i]); !s.ok()) return s;
  }
  for (size_t i = 0; i < writes.aliases.size(); ++i) {
    if (absl::Status s = CheckAlias("aliases", i, writes.aliases[i]); !s.ok()) return s;
  }
  for (size_t i = 0; i < writes.dedupe.size(); ++i) {
    const auto& [event_id, record] = writes.dedupe[i];
    if (event_id.empty()) return Invalid("dedupe", i, ": event_id is empty");
    if (record == nullptr) return Invalid("dedupe", i, ": record is null");
    if (absl::Status s =
            CheckIndexedCustomer("dedupe", i, "customer_id", record->customer_id(), false);
        !s.ok()) {
      return s;
    }
  }
  for (size_t i = 0; i < writes.suppressions.size(); ++i) {
    if (writes.suppressions[i].size() != kSuppressionHashBytes) {
      return absl::InvalidArgumentError(absl::StrCat("WriteSet.suppressions[", i, "]: hash is ",
                                                     writes.suppressions[i].size(), " bytes, not ",
                                                     kSuppressionHashBytes));
    }
  }
  for (size_t i = 0; i < writes.counter_adds.size(); ++i) {
    if (writes.counter_adds[i].first.empty()) return Invalid("counter_adds", i, ": key is empty");
  }
  for (size_t i = 0; i < writes.profile_deletes.size(); ++i) {
    if (writes.profile_deletes[i].empty()) {
      return Invalid("profile_deletes", i, ": customer_id is empty");
    }
  }
  for (size_t i = 0; i < writes.decision_deletes.size(); ++i) {
    if (absl::Status s = CheckRecordDelete("decision_deletes", i, writes.decision_deletes[i]);
        !s.ok()) {
      return s;
    }
  }
  for (size_t i = 0; i < writes.dedupe_deletes.size(); ++i) {
    if (absl::Status s = CheckRecordDelete("dedupe_deletes", i, writes.dedupe_deletes[i]);
        !s.ok()) {
      return s;
    }
  }
  for (size_t i = 0; i < writes.identity_deletes.size(); ++i) {
    if (absl::Status s = CheckIdentity("identity_deletes", i, writes.identity_deletes[i]);
        !s.ok()) {
      return s;
    }
  }
  for (size_t i = 0; i < writes.alias_deletes.size(); ++i) {
    if (absl::Status s = CheckAlias("alias_deletes", i, writes.alias_deletes[i]); !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<nbo::v1::Profile> Store::GetProfile(std::string_view customer_id) {
  nbo::v1::Profile profile;
  if (absl::Status status = ReadProfile(customer_id, &profile); !status.ok()) return status;
  return profile;
}

}  // namespace nbo::storage
