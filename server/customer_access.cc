#include "server/customer_access.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "server/hashing.h"
#include "server/value_stats.h"

namespace nbo::server {

std::string CustomerAccess::IdentityKey(const v1::SourceIdentity& identity) {
  return absl::StrCat(identity.source(), std::string(1, '\0'), identity.external_id());
}

absl::StatusOr<std::string> CustomerAccess::FindIdentity(const v1::SourceIdentity& identity) {
  return store_.GetIdentity(identity.source(), identity.external_id());
}

absl::StatusOr<std::string> CustomerAccess::Survivor(std::string id) {
  for (int hop = 0; hop < 16; ++hop) {
    absl::StatusOr<std::string> next = store_.GetAlias(id);
    if (absl::IsNotFound(next.status())) return id;
    if (!next.ok()) return next.status();
    id = *std::move(next);
  }
  return absl::InternalError("alias chain longer than 16 hops (a cycle?)");
}

absl::StatusOr<std::string> CustomerAccess::Salt() {
  absl::MutexLock lock(&salt_mu_);
  if (salt_.empty()) {
    absl::StatusOr<std::string> salt = store_.GetSuppressionSalt();
    if (!salt.ok()) return salt.status();
    salt_ = *std::move(salt);
  }
  return salt_;
}

absl::StatusOr<std::string> CustomerAccess::SuppressionHash(absl::string_view customer_id) {
  absl::StatusOr<std::string> salt = Salt();
  if (!salt.ok()) return salt.status();
  return Sha256(absl::StrCat(*salt, "customer", std::string(1, '\0'), customer_id));
}

absl::StatusOr<std::string> CustomerAccess::SuppressionHash(const v1::SourceIdentity& identity) {
  absl::StatusOr<std::string> salt = Salt();
  if (!salt.ok()) return salt.status();
  return Sha256(absl::StrCat(*salt, "identity", std::string(1, '\0'), IdentityKey(identity)));
}

absl::StatusOr<bool> CustomerAccess::IsSuppressed(absl::string_view customer_id) {
  absl::StatusOr<std::string> hash = SuppressionHash(customer_id);
  if (!hash.ok()) return hash.status();
  return store_.IsSuppressed(*hash);
}

absl::StatusOr<bool> CustomerAccess::IsSuppressed(const v1::SourceIdentity& identity) {
  absl::StatusOr<std::string> hash = SuppressionHash(identity);
  if (!hash.ok()) return hash.status();
  return store_.IsSuppressed(*hash);
}

std::string CustomerAccess::NewCustomerId() { return ids_.NextCustomerId(); }

CustomerLocks::CustomerLocks(const storage::StripedMutex& locks,
                             const std::vector<std::string>& ids) {
  std::vector<size_t> stripes;
  stripes.reserve(ids.size());
  for (const auto& id : ids) stripes.push_back(locks.StripeOf(id));
  std::sort(stripes.begin(), stripes.end());
  stripes.erase(std::unique(stripes.begin(), stripes.end()), stripes.end());
  for (size_t s : stripes) {
    absl::Mutex* mu = &locks.Stripe(s);
    mu->Lock();
    held_.push_back(mu);
  }
}

CustomerLocks::~CustomerLocks() {
  for (auto it = held_.rbegin(); it != held_.rend(); ++it) (*it)->Unlock();
}

namespace {

// A stored profile with a full event ring takes about 18 KB once parsed (`parsed_bytes` of
// BM_ProfileDecode in nbo_core_steps_benchmark): a 16 KB first block and one more hold it.
google::protobuf::ArenaOptions ProfileArenaOptions() {
  google::protobuf::ArenaOptions options;
  options.start_block_size = 16 << 10;
  options.max_block_size = 64 << 10;
  return options;
}

}  // namespace

CustomerWrite::CustomerWrite()
    : arena_(ProfileArenaOptions()),
      profile_(google::protobuf::Arena::CreateMessage<v1::Profile>(&arena_)) {}

absl::StatusOr<std::unique_ptr<CustomerWrite>> CustomerWrite::Open(CustomerAccess& customers,
                                                                   const v1::CustomerRef& ref) {
  storage::Store& store = customers.store();
  std::string survivor;  // set when an attempt found the customer merged away
  for (int attempt = 0; attempt < 4; ++attempt) {
    std::unique_ptr<CustomerWrite> w(new CustomerWrite());
    std::string id;
    if (!survivor.empty()) {
      id = survivor;
    } else if (ref.has_identity()) {
      w->identity_lock_.emplace(&customers.IdentityLock(ref.identity()));
      absl::StatusOr<std::string> found = customers.FindIdentity(ref.identity());
      if (found.ok()) {
        id = *std::move(found);
      } else if (!absl::IsNotFound(found.status())) {
        return found.status();
      } else {
        absl::StatusOr<bool> suppressed = customers.IsSuppressed(ref.identity());
        if (!suppressed.ok()) return suppressed.status();
        if (*suppressed) {
          return absl::FailedPreconditionError(
              "customer.identity: this customer was erased and asked not to be re-created");
        }
        id = customers.NewCustomerId();
        w->new_identity_ = ref.identity();
      }
    } else {
      id = ref.customer_id();
    }

    w->customer_lock_.emplace(customers.customer_locks(), std::vector<std::string>{id});
    absl::Status stored = store.ReadProfile(id, w->profile_);
    if (stored.ok()) {
      w->bucket_before_ = ValueBucket(*w->profile_);
      return w;
    }
    if (!absl::IsNotFound(stored)) return stored;
    w->profile_->Clear();
    if (!w->new_identity_) {
      // No profile: a merged-away id (follow it), an erased one, or a new customer.
      absl::StatusOr<std::string> merged_into = customers.Survivor(id);
      if (!merged_into.ok()) return merged_into.status();
      if (*merged_into != id) {
        survivor = *std::move(merged_into);
        continue;  // releases this attempt's locks, then locks the survivor
      }
      absl::StatusOr<bool> suppressed = customers.IsSuppressed(id);
      if (!suppressed.ok()) return suppressed.status();
      if (*suppressed) {
        return absl::FailedPreconditionError(
            "customer: this customer was erased and asked not to be re-created");
      }
    }
    w->profile_->set_customer_id(id);
    if (w->new_identity_) *w->profile_->add_identities() = *w->new_identity_;
    return w;
  }
  return absl::AbortedError("customer: merged again while resolving; retry");
}

void CustomerWrite::AddTo(storage::WriteSet& writes) const {
  writes.profiles.push_back(profile_);
  if (new_identity_) {
    writes.identities.push_back(
        {new_identity_->source(), new_identity_->external_id(), profile_->customer_id()});
  }
  AddValueBucketChange(bucket_before_, ValueBucket(*profile_), writes);
}

}  // namespace nbo::server
