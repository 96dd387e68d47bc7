#include "server/ingest_flow.h"

#include <deque>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "core/apply_event.h"
#include "core/request_validation.h"
#include "core/time_util.h"
#include "server/hashing.h"
#include "server/value_stats.h"

namespace nbo::server {
namespace {

constexpr int kMaxEventsPerRequest = 10000;
constexpr int kMaxRejectionsKept = 20;

}  // namespace

struct IngestFlow::Item {
  const v1::IngestEvent* event = nullptr;
  uint64_t fingerprint = 0;
  int index = 0;  // position in the request, for messages
};

void IngestFlow::Reject(v1::IngestSummary& summary, std::string reason) {
  summary.set_rejected(summary.rejected() + 1);
  if (summary.first_rejections_size() < kMaxRejectionsKept) {
    summary.add_first_rejections(std::move(reason));
  }
}

absl::Status IngestFlow::Apply(const v1::IngestRequest& request, v1::IngestSummary& summary) {
  if (request.events_size() > kMaxEventsPerRequest) {
    return absl::InvalidArgumentError(absl::StrCat(
        "events: ", request.events_size(), " in one message; at most ", kMaxEventsPerRequest));
  }
  const v1::IngestSummary before = summary;
  const absl::Time now = clock_.Now();
  std::vector<Item> batched, single;
  for (int i = 0; i < request.events_size(); ++i) {
    const v1::IngestEvent& e = request.events(i);
    const std::string path = absl::StrCat("events[", i, "]");
    absl::Status s = e.has_customer() ? core::ValidateCustomerRef(e.customer(), path + ".customer")
                                      : absl::InvalidArgumentError(path + ".customer: required");
    if (s.ok()) {
      s = e.has_event() ? core::ValidateEvent(e.event(), now, path + ".event")
                        : absl::InvalidArgumentError(path + ".event: required");
    }
    if (!s.ok()) {
      Reject(summary, std::string(s.message()));
      continue;
    }
    Item item{&e, Fingerprint(e), i};
    (e.customer().has_identity() ? single : batched).push_back(item);
  }

  std::vector<Item*> deferred;
  absl::Status status = ApplyBatch(batched, now, summary, deferred);
  for (Item& item : single) deferred.push_back(&item);
  for (Item* item : deferred) {
    if (!status.ok()) break;
    status = ApplyOne(*item->event, item->fingerprint, now, summary);
  }
  if (observer_ != nullptr) {
    observer_->OnIngest(
        summary.applied() - before.applied(), summary.duplicates() - before.duplicates(),
        summary.rejected() - before.rejected(), summary.suppressed() - before.suppressed());
  }
  return status;
}

absl::Status IngestFlow::ApplyBatch(std::vector<Item>& items, absl::Time now,
                                    v1::IngestSummary& summary, std::vector<Item*>& deferred) {
  if (items.empty()) return absl::OkStatus();
  storage::Store& store = customers_.store();

  struct Customer {
    v1::Profile profile;
    std::optional<int> bucket_before;  // unset: a new profile
    bool defer = false;                // merged away meanwhile: the per-event path follows it
    bool suppressed = false;
    bool touched = false;
  };
  absl::flat_hash_map<std::string, Customer> customers;
  std::vector<std::string> ids;
  for (const Item& item : items) {
    const std::string& id = item.event->customer().customer_id();
    if (customers.try_emplace(id).second) ids.push_back(id);
  }

  CustomerLocks lock(customers_.customer_locks(), ids);
  std::vector<std::string_view> keys(ids.begin(), ids.end());
  std::vector<absl::StatusOr<v1::Profile>> profiles = store.MultiGetProfiles(keys);
  for (size_t i = 0; i < ids.size(); ++i) {
    Customer& c = customers[ids[i]];
    if (profiles[i].ok()) {
      c.profile = *std::move(profiles[i]);
      c.bucket_before = ValueBucket(c.profile);
      continue;
    }
    if (!absl::IsNotFound(profiles[i].status())) return profiles[i].status();
    absl::StatusOr<std::string> survivor = customers_.Survivor(ids[i]);
    if (!survivor.ok()) return survivor.status();
    if (*survivor != ids[i]) {
      c.defer = true;  // its survivor may need a lock ordered before ours
      continue;
    }
    absl::StatusOr<bool> suppressed = customers_.IsSuppressed(ids[i]);
    if (!suppressed.ok()) return suppressed.status();
    c.suppressed = *suppressed;
    c.profile.set_customer_id(ids[i]);
  }

  std::deque<v1::DedupeRecord> dedupe;  // stable addresses for the WriteSet
  absl::flat_hash_map<std::string, uint64_t> in_batch;
  storage::WriteSet writes;
  int64_t applied = 0, duplicates = 0, suppressed = 0;
  for (Item& item : items) {
    const v1::IngestEvent& e = *item.event;
    Customer& c = customers[e.customer().customer_id()];
    if (c.defer) {
      deferred.push_back(&item);
      continue;
    }
    if (c.suppressed) {
      ++suppressed;
      continue;
    }
    const std::string& event_id = e.event().event_id();
    uint64_t seen_fingerprint = 0;
    bool seen = false;
    if (auto it = in_batch.find(event_id); it != in_batch.end()) {
      seen = true;
      seen_fingerprint = it->second;
    } else if (absl::StatusOr<v1::DedupeRecord> r = store.GetDedupe(event_id); r.ok()) {
      seen = true;
      seen_fingerprint = r->fingerprint();
    } else if (!absl::IsNotFound(r.status())) {
      return r.status();
    }
    if (seen) {
      if (seen_fingerprint == item.fingerprint) {
        ++duplicates;
      } else {
        Reject(summary, absl::StrCat("events[", item.index, "].event.event_id \"", event_id,
                                     "\" was already used for a different event"));
      }
      continue;
    }
    core::ApplyEvent(c.profile, e.event(), now, options_.profile);
    c.touched = true;
    v1::DedupeRecord& record = dedupe.emplace_back();
    record.set_customer_id(c.profile.customer_id());
    record.set_fingerprint(item.fingerprint);
    core::ToProto(now + options_.dedupe_window, record.mutable_expires_at());
    writes.dedupe.emplace_back(event_id, &record);
    in_batch.emplace(event_id, item.fingerprint);
    ++applied;
  }
  for (auto& [id, c] : customers) {
    if (!c.touched) continue;
    writes.profiles.push_back(&c.profile);
    AddValueBucketChange(c.bucket_before, ValueBucket(c.profile), writes);
  }
  if (!writes.empty()) {
    if (absl::Status s = store.Commit(writes); !s.ok()) return s;
  }
  summary.set_applied(summary.applied() + applied);
  summary.set_duplicates(summary.duplicates() + duplicates);
  summary.set_suppressed(summary.suppressed() + suppressed);
  return absl::OkStatus();
}

absl::Status IngestFlow::ApplyOne(const v1::IngestEvent& event, uint64_t fingerprint,
                                  absl::Time now, v1::IngestSummary& summary) {
  absl::StatusOr<std::unique_ptr<CustomerWrite>> customer =
      CustomerWrite::Open(customers_, event.customer());
  if (absl::IsFailedPrecondition(customer.status())) {
    summary.set_suppressed(summary.suppressed() + 1);
    return absl::OkStatus();
  }
  if (!customer.ok()) return customer.status();
  storage::Store& store = customers_.store();
  const std::string& event_id = event.event().event_id();
  if (absl::StatusOr<v1::DedupeRecord> seen = store.GetDedupe(event_id); seen.ok()) {
    if (seen->fingerprint() == fingerprint) {
      summary.set_duplicates(summary.duplicates() + 1);
    } else {
      Reject(summary,
             absl::StrCat("event_id \"", event_id, "\" was already used for a different event"));
    }
    return absl::OkStatus();
  } else if (!absl::IsNotFound(seen.status())) {
    return seen.status();
  }
  core::ApplyEvent((*customer)->profile(), event.event(), now, options_.profile);
  v1::DedupeRecord record;
  record.set_customer_id((*customer)->customer_id());
  record.set_fingerprint(fingerprint);
  core::ToProto(now + options_.dedupe_window, record.mutable_expires_at());
  storage::WriteSet writes;
  (*customer)->AddTo(writes);
  writes.dedupe.emplace_back(event_id, &record);
  if (absl::Status s = store.Commit(writes); !s.ok()) return s;
  summary.set_applied(summary.applied() + 1);
  return absl::OkStatus();
}

}  // namespace nbo::server
