#include "server/profile_flow.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "core/apply_event.h"
#include "core/highlights.h"
#include "core/merge.h"
#include "core/names.h"
#include "core/request_validation.h"
#include "core/time_util.h"
#include "server/value_stats.h"

namespace nbo::server {
namespace {

absl::Status NoProfile(absl::string_view what) {
  return absl::NotFoundError(absl::StrCat(what, ": no such customer"));
}

absl::Status ValidateIdentity(const v1::SourceIdentity& identity, absl::string_view path) {
  v1::CustomerRef ref;
  *ref.mutable_identity() = identity;
  return core::ValidateCustomerRef(ref, path);
}

}  // namespace

absl::StatusOr<std::string> ProfileFlow::Resolve(const v1::CustomerRef& ref) {
  if (ref.has_identity()) {
    absl::StatusOr<std::string> id = customers_.FindIdentity(ref.identity());
    if (absl::IsNotFound(id.status())) return NoProfile("customer.identity");
    if (!id.ok()) return id.status();
    return customers_.Survivor(*std::move(id));
  }
  return customers_.Survivor(ref.customer_id());
}

absl::StatusOr<v1::GetProfileResponse> ProfileFlow::GetProfile(
    const v1::GetProfileRequest& request) {
  if (!request.has_customer()) return absl::InvalidArgumentError("customer: required");
  if (absl::Status s = core::ValidateCustomerRef(request.customer(), "customer"); !s.ok()) {
    return s;
  }
  absl::StatusOr<std::string> id = Resolve(request.customer());
  if (!id.ok()) return id.status();
  absl::StatusOr<v1::Profile> profile = customers_.store().GetProfile(*id);
  if (absl::IsNotFound(profile.status())) return NoProfile("customer");
  if (!profile.ok()) return profile.status();

  const absl::Time now = clock_.Now();
  core::HighlightOptions options;
  if (auto strategy = strategies_.Current()) {
    options.currency = strategy->strategy->document.currency();
  }
  if (options.currency.empty()) options.currency = "EUR";
  if (absl::StatusOr<double> top = TopPercent(customers_.store(), *profile); top.ok()) {
    options.value_percentile = 100.0 - *top;
  }
  v1::GetProfileResponse response;
  for (auto& line : core::Highlights(*profile, now, options)) {
    response.add_highlights(std::move(line));
  }
  *response.mutable_profile() = *std::move(profile);
  return response;
}

absl::StatusOr<v1::LinkIdentityResponse> ProfileFlow::LinkIdentity(
    const v1::LinkIdentityRequest& request) {
  if (!request.has_customer()) return absl::InvalidArgumentError("customer: required");
  if (absl::Status s = core::ValidateCustomerRef(request.customer(), "customer"); !s.ok()) {
    return s;
  }
  if (!request.has_identity()) return absl::InvalidArgumentError("identity: required");
  if (absl::Status s = ValidateIdentity(request.identity(), "identity"); !s.ok()) return s;
  storage::Store& store = customers_.store();
  const v1::SourceIdentity& identity = request.identity();

  absl::MutexLock identity_lock(&customers_.IdentityLock(identity));
  absl::StatusOr<std::string> target = Resolve(request.customer());
  if (!target.ok()) return target.status();
  std::string owner;
  if (absl::StatusOr<std::string> found = customers_.FindIdentity(identity); found.ok()) {
    absl::StatusOr<std::string> survivor = customers_.Survivor(*std::move(found));
    if (!survivor.ok()) return survivor.status();
    owner = *std::move(survivor);
  } else if (!absl::IsNotFound(found.status())) {
    return found.status();
  }

  v1::LinkIdentityResponse response;
  response.set_customer_id(*target);
  if (owner == *target) return response;  // already linked: nothing changes

  const absl::Time now = clock_.Now();
  std::vector<std::string> ids = {*target};
  if (!owner.empty()) ids.push_back(owner);
  CustomerLocks lock(customers_.customer_locks(), ids);
  absl::StatusOr<v1::Profile> survivor = store.GetProfile(*target);
  if (absl::IsNotFound(survivor.status())) return NoProfile("customer");
  if (!survivor.ok()) return survivor.status();
  const int bucket_before = ValueBucket(*survivor);

  storage::WriteSet writes;
  if (owner.empty()) {
    // A new identity for this customer.
    *survivor->add_identities() = identity;
    writes.identities.push_back({identity.source(), identity.external_id(), *target});
  } else {
    // The identity belongs to another profile: merge that one into this one.
    absl::StatusOr<v1::Profile> absorbed = store.GetProfile(owner);
    if (!absorbed.ok() && !absl::IsNotFound(absorbed.status())) return absorbed.status();
    absl::StatusOr<storage::CustomerRecords> records = store.ListCustomerRecords(owner);
    if (!records.ok()) return records.status();
    if (absorbed.ok()) {
      core::MergeProfiles(*survivor, *absorbed, now, options_.profile);
      writes.profile_deletes.push_back(owner);
      AddValueBucketChange(ValueBucket(*absorbed), std::nullopt, writes);
    }
    // Every identity and alias of the absorbed customer now leads to the survivor.
    for (const auto& moved : records->identities) {
      writes.identity_deletes.push_back({moved.source, moved.external_id, owner});
      writes.identities.push_back({moved.source, moved.external_id, *target});
    }
    for (const auto& alias : records->aliases) {
      writes.alias_deletes.push_back({alias, owner});
      writes.aliases.push_back({alias, *target});
    }
    writes.aliases.push_back({owner, *target});
    response.set_merged(true);
    response.set_absorbed_customer_id(owner);
  }
  writes.profiles.push_back(&*survivor);
  AddValueBucketChange(bucket_before, ValueBucket(*survivor), writes);
  if (absl::Status s = store.Commit(writes); !s.ok()) return s;
  return response;
}

absl::StatusOr<v1::UpdateConsentResponse> ProfileFlow::UpdateConsent(
    const v1::UpdateConsentRequest& request) {
  if (!request.has_customer()) return absl::InvalidArgumentError("customer: required");
  if (absl::Status s = core::ValidateCustomerRef(request.customer(), "customer"); !s.ok()) {
    return s;
  }
  if (!v1::Channel_IsValid(request.channel())) {
    return absl::InvalidArgumentError("channel: unknown channel number");
  }
  if (request.source().size() > 64) {
    return absl::InvalidArgumentError("source: longer than 64 characters");
  }
  const absl::Time now = clock_.Now();
  const absl::Time at = request.has_at() ? core::FromProto(request.at()) : now;
  if (at > now + core::kMaxEventClockSkew) {
    return absl::InvalidArgumentError("at: in the future of the server's clock");
  }
  absl::StatusOr<std::string> id = Resolve(request.customer());
  if (!id.ok()) return id.status();
  CustomerLocks lock(customers_.customer_locks(), {*id});
  absl::StatusOr<v1::Profile> profile = customers_.store().GetProfile(*id);
  if (absl::IsNotFound(profile.status())) return NoProfile("customer");
  if (!profile.ok()) return profile.status();
  core::ApplyConsent(*profile, request.channel(), request.opted_in(), at, request.source());
  storage::WriteSet writes;
  writes.profiles.push_back(&*profile);
  if (absl::Status s = customers_.store().Commit(writes); !s.ok()) return s;
  return v1::UpdateConsentResponse();
}

absl::StatusOr<v1::ForgetCustomerResponse> ProfileFlow::ForgetCustomer(
    const v1::ForgetCustomerRequest& request) {
  if (!request.has_customer()) return absl::InvalidArgumentError("customer: required");
  if (absl::Status s = core::ValidateCustomerRef(request.customer(), "customer"); !s.ok()) {
    return s;
  }
  storage::Store& store = customers_.store();
  std::optional<absl::MutexLock> identity_lock;
  if (request.customer().has_identity()) {
    identity_lock.emplace(&customers_.IdentityLock(request.customer().identity()));
  }
  absl::StatusOr<std::string> id = Resolve(request.customer());
  if (!id.ok()) return id.status();
  CustomerLocks lock(customers_.customer_locks(), {*id});
  absl::StatusOr<v1::Profile> profile = store.GetProfile(*id);
  if (absl::IsNotFound(profile.status())) return NoProfile("customer");
  if (!profile.ok()) return profile.status();
  absl::StatusOr<storage::CustomerRecords> records = store.ListCustomerRecords(*id);
  if (!records.ok()) return records.status();

  storage::WriteSet writes;
  writes.profile_deletes.push_back(*id);
  AddValueBucketChange(ValueBucket(*profile), std::nullopt, writes);
  int64_t deleted = 1;
  auto erase = [&](const std::string& owner, const storage::CustomerRecords& r) {
    for (const auto& d : r.decision_ids) writes.decision_deletes.push_back({d, owner});
    for (const auto& e : r.event_ids) writes.dedupe_deletes.push_back({e, owner});
    for (const auto& i : r.identities) {
      writes.identity_deletes.push_back({i.source, i.external_id, owner});
    }
    for (const auto& a : r.aliases) writes.alias_deletes.push_back({a, owner});
    deleted += static_cast<int64_t>(r.decision_ids.size() + r.event_ids.size() +
                                    r.identities.size() + r.aliases.size());
  };
  erase(*id, *records);
  // Decisions and events of merged-in customers are still indexed under their old ids.
  for (const std::string& merged : profile->merged_ids()) {
    absl::StatusOr<storage::CustomerRecords> old = store.ListCustomerRecords(merged);
    if (!old.ok()) return old.status();
    erase(merged, *old);
  }
  if (request.suppress_future_events()) {
    std::vector<absl::StatusOr<std::string>> hashes;
    hashes.push_back(customers_.SuppressionHash(*id));
    for (const auto& a : profile->merged_ids()) hashes.push_back(customers_.SuppressionHash(a));
    for (const auto& i : records->identities) {
      v1::SourceIdentity identity;
      identity.set_source(i.source);
      identity.set_external_id(i.external_id);
      hashes.push_back(customers_.SuppressionHash(identity));
    }
    for (auto& h : hashes) {
      if (!h.ok()) return h.status();
      writes.suppressions.push_back(*std::move(h));
    }
  }
  if (absl::Status s = store.Commit(writes); !s.ok()) return s;
  v1::ForgetCustomerResponse response;
  response.set_records_deleted(deleted);
  return response;
}

}  // namespace nbo::server
