// How the flows find, lock and create customers: one place for identity resolution, aliases of
// merged customers, suppression of erased ones, and the lock order that keeps merges deadlock-free.
//
// Lock order (every flow follows it): identity stripes first, then customer stripes in ascending
// stripe order. A flow never takes an identity lock while holding a customer lock.
#ifndef NBO_SERVER_CUSTOMER_ACCESS_H_
#define NBO_SERVER_CUSTOMER_ACCESS_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/arena.h"
#include "nbo/v1/common.pb.h"
#include "server/id_generator.h"
#include "storage/store.h"
#include "storage/striped_lock.h"

namespace nbo::server {

// Thread-safe.
class CustomerAccess {
 public:
  CustomerAccess(storage::Store& store, IdGenerator& ids) : store_(store), ids_(ids) {}

  storage::Store& store() { return store_; }
  // Serialises work on one source identity (creating a customer for an unknown identity, linking).
  absl::Mutex& IdentityLock(const v1::SourceIdentity& identity) const {
    return identity_locks_.For(IdentityKey(identity));
  }
  const storage::StripedMutex& customer_locks() const { return customer_locks_; }

  // The customer an identity belongs to: NotFound when nobody has it.
  absl::StatusOr<std::string> FindIdentity(const v1::SourceIdentity& identity);
  // The surviving customer of an absorbed (merged) id; `id` itself when it is not an alias.
  // Follows chains (bounded); Internal on a cycle.
  absl::StatusOr<std::string> Survivor(std::string id);

  // True when the customer id or the identity was erased with suppression.
  absl::StatusOr<bool> IsSuppressed(absl::string_view customer_id);
  absl::StatusOr<bool> IsSuppressed(const v1::SourceIdentity& identity);
  // The suppression hashes (salted SHA-256; never the raw ids).
  absl::StatusOr<std::string> SuppressionHash(absl::string_view customer_id);
  absl::StatusOr<std::string> SuppressionHash(const v1::SourceIdentity& identity);

  // A new customer id, "c-" + 16 hex digits.
  std::string NewCustomerId();

  static std::string IdentityKey(const v1::SourceIdentity& identity);

 private:
  absl::StatusOr<std::string> Salt();

  storage::Store& store_;
  IdGenerator& ids_;
  storage::StripedMutex identity_locks_{256};
  storage::StripedMutex customer_locks_;
  absl::Mutex salt_mu_;
  std::string salt_ ABSL_GUARDED_BY(salt_mu_);
};

// Locks a set of customer ids' stripes in ascending order (each stripe once); unlocks on
// destruction.
class ABSL_SCOPED_LOCKABLE CustomerLocks {
 public:
  CustomerLocks(const storage::StripedMutex& locks,
                const std::vector<std::string>& ids) ABSL_NO_THREAD_SAFETY_ANALYSIS;
  ~CustomerLocks() ABSL_UNLOCK_FUNCTION() ABSL_NO_THREAD_SAFETY_ANALYSIS;
  CustomerLocks(const CustomerLocks&) = delete;
  CustomerLocks& operator=(const CustomerLocks&) = delete;

 private:
  std::vector<absl::Mutex*> held_;
};

// One customer opened for a read-modify-write: the reference resolved (an unknown identity gets
// a new customer), merged-away ids followed to the survivor, the locks held (identity, then
// customer) until destruction, and the profile loaded (empty for a new customer).
class CustomerWrite {
 public:
  // FailedPrecondition when the customer (or identity) was erased with suppression; store errors
  // as they come. REQUIRES: `ref` passed ValidateCustomerRef.
  static absl::StatusOr<std::unique_ptr<CustomerWrite>> Open(CustomerAccess& customers,
                                                             const v1::CustomerRef& ref);

  const std::string& customer_id() const { return profile_->customer_id(); }
  // Lives on this object's arena: copy it (not move it) to keep it beyond this object.
  v1::Profile& profile() { return *profile_; }
  bool is_new() const { return !bucket_before_.has_value(); }

  // Adds the profile put, the identity link of a new identity, and the value-statistics change.
  // The profile must stay alive (it does, with this object) until the commit.
  void AddTo(storage::WriteSet& writes) const;

 private:
  CustomerWrite();

  std::optional<absl::MutexLock> identity_lock_;
  std::optional<CustomerLocks> customer_lock_;
  // The profile is parsed onto a per-request arena: a stored profile is some 300 small messages
  // and strings, and the arena turns their allocations and frees into one block or two.
  google::protobuf::Arena arena_;
  v1::Profile* profile_;  // on arena_
  std::optional<int> bucket_before_;
  std::optional<v1::SourceIdentity> new_identity_;
};

}  // namespace nbo::server

#endif  // NBO_SERVER_CUSTOMER_ACCESS_H_
