#include "storage/write_plan.h"

#include <cstring>
#include <string_view>

#include "absl/status/status.h"
#include "storage/decision_ttl.h"
#include "storage/keys.h"

namespace nbo::storage {
namespace {

void Add(std::vector<WriteOp>& ops, Table table, WriteKind kind, std::string key,
         std::string value = {}) {
  ops.push_back(WriteOp{table, kind, std::move(key), std::move(value)});
}

std::string IdentityIndexId(const std::string& source, const std::string& external_id) {
  std::string id = source;
  id.push_back('\0');
  id.append(external_id);
  return id;
}

}  // namespace

absl::StatusOr<std::vector<WriteOp>> PlanWrites(const WriteSet& writes, absl::Time now,
                                                absl::Duration decision_ttl,
                                                absl::Duration dedupe_ttl) {
  std::vector<WriteOp> ops;
  // Deletes first, so that a put in the same WriteSet wins over a delete of the same key.
  for (const std::string& customer_id : writes.profile_deletes) {
    Add(ops, Table::kProfiles, WriteKind::kDelete, customer_id);
  }
  for (const RecordDelete& record : writes.decision_deletes) {
    Add(ops, Table::kDecisions, WriteKind::kDelete, record.id);
    if (!record.customer_id.empty()) {
      Add(ops, Table::kCustomerIndex, WriteKind::kDelete,
          IndexKey(record.customer_id, kIndexDecision, record.id));
    }
  }
  for (const RecordDelete& record : writes.dedupe_deletes) {
    Add(ops, Table::kDedupe, WriteKind::kDelete, record.id);
    if (!record.customer_id.empty()) {
      Add(ops, Table::kCustomerIndex, WriteKind::kDelete,
          IndexKey(record.customer_id, kIndexEvent, record.id));
    }
  }
  for (const IdentityLink& link : writes.identity_deletes) {
    Add(ops, Table::kIdentities, WriteKind::kDelete, IdentityKey(link.source, link.external_id));
    Add(ops, Table::kCustomerIndex, WriteKind::kDelete,
        IndexKey(link.customer_id, kIndexIdentity, IdentityIndexId(link.source, link.external_id)));
  }
  for (const AliasLink& link : writes.alias_deletes) {
    Add(ops, Table::kIdentities, WriteKind::kDelete, AliasKey(link.absorbed_id));
    Add(ops, Table::kCustomerIndex, WriteKind::kDelete,
        IndexKey(link.survivor_id, kIndexAlias, link.absorbed_id));
  }

  std::string bytes;
  for (const nbo::v1::Profile* profile : writes.profiles) {
    if (!profile->SerializeToString(&bytes)) {
      return absl::InvalidArgumentError("Profile cannot be serialized");
    }
    Add(ops, Table::kProfiles, WriteKind::kPut, profile->customer_id(), bytes);
  }
  for (const nbo::v1::DecisionRecord* record : writes.decisions) {
    absl::Time expires_at;
    absl::StatusOr<std::string> value =
        SerializeDecisionForStorage(*record, now, decision_ttl, &expires_at);
    if (!value.ok()) return value.status();
    const std::string& id = record->response().decision_id();
    Add(ops, Table::kDecisions, WriteKind::kPut, id, *std::move(value));
    const std::string& customer_id = record->response().customer_id();
    if (!customer_id.empty()) {
      Add(ops, Table::kCustomerIndex, WriteKind::kPut, IndexKey(customer_id, kIndexDecision, id),
          EncodeIndexExpiry(expires_at));
    }
  }
  for (const auto& [key, value] : writes.meta) Add(ops, Table::kMeta, WriteKind::kPut, key, value);
  for (const IdentityLink& link : writes.identities) {
    Add(ops, Table::kIdentities, WriteKind::kPut, IdentityKey(link.source, link.external_id),
        link.customer_id);
    Add(ops, Table::kCustomerIndex, WriteKind::kPut,
        IndexKey(link.customer_id, kIndexIdentity, IdentityIndexId(link.source, link.external_id)));
  }
  for (const AliasLink& link : writes.aliases) {
    Add(ops, Table::kIdentities, WriteKind::kPut, AliasKey(link.absorbed_id), link.survivor_id);
    Add(ops, Table::kCustomerIndex, WriteKind::kPut,
        IndexKey(link.survivor_id, kIndexAlias, link.absorbed_id));
  }
  for (const auto& [event_id, record] : writes.dedupe) {
    absl::Time expires_at;
    absl::StatusOr<std::string> value =
        SerializeDedupeForStorage(*record, now, dedupe_ttl, &expires_at);
    if (!value.ok()) return value.status();
    Add(ops, Table::kDedupe, WriteKind::kPut, event_id, *std::move(value));
    if (!record->customer_id().empty()) {
      Add(ops, Table::kCustomerIndex, WriteKind::kPut,
          IndexKey(record->customer_id(), kIndexEvent, event_id), EncodeIndexExpiry(expires_at));
    }
  }
  for (const std::string& hash : writes.suppressions) {
    Add(ops, Table::kIdentities, WriteKind::kPut, SuppressionKey(hash));
  }
  for (const auto& [key, delta] : writes.counter_adds) {
    Add(ops, Table::kCounters, WriteKind::kAdd, key, EncodeCounter(delta));
  }
  return ops;
}

absl::StatusOr<CustomerRecords> CollectCustomerRecords(
    std::string_view customer_id, const std::vector<std::pair<std::string, std::string>>& entries,
    absl::Time now, const IdentityLookup& lookup) {
  const std::string prefix = IndexPrefix(customer_id);
  // True when the identities-CF `key` is absent or maps to this customer.
  auto owned = [&](const std::string& key) -> absl::StatusOr<bool> {
    absl::StatusOr<std::string> owner = lookup(key);
    if (absl::IsNotFound(owner.status())) return true;
    if (!owner.ok()) return owner.status();
    return std::string_view(*owner) == customer_id;
  };
  CustomerRecords records;
  for (const auto& [key, value] : entries) {
    if (key.size() < prefix.size() + 2 || key.compare(0, prefix.size(), prefix) != 0) continue;
    if (DecodeIndexExpiry(value) <= now) continue;
    const char kind = key[prefix.size()];
    std::string id = key.substr(prefix.size() + 1);
    switch (kind) {
      case kIndexDecision:
        records.decision_ids.push_back(std::move(id));
        break;
      case kIndexEvent:
        records.event_ids.push_back(std::move(id));
        break;
      case kIndexIdentity: {
        const size_t nul = id.find('\0');
        if (nul == std::string::npos) break;
        IdentityRef ref{id.substr(0, nul), id.substr(nul + 1)};
        absl::StatusOr<bool> mine = owned(IdentityKey(ref.source, ref.external_id));
        if (!mine.ok()) return mine.status();
        if (*mine) records.identities.push_back(std::move(ref));
        break;
      }
      case kIndexAlias: {
        absl::StatusOr<bool> mine = owned(AliasKey(id));
        if (!mine.ok()) return mine.status();
        if (*mine) records.aliases.push_back(std::move(id));
        break;
      }
      default:
        break;  // a kind from a newer build: not ours to list
    }
  }
  return records;
}

}  // namespace nbo::storage
