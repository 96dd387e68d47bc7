// Lock striping: a fixed array of mutexes indexed by key hash, so that read-modify-write of one
// customer's records is serialized without a mutex per customer.
#ifndef NBO_STORAGE_STRIPED_LOCK_H_
#define NBO_STORAGE_STRIPED_LOCK_H_

#include <cstddef>
#include <memory>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace nbo::storage {

// N mutexes; a key always maps to the same one (within a process). Two different keys may share
// a stripe, so never lock two keys one after the other by hand: use TwoKeyLock.
// Thread-safe: all methods may be called concurrently.
class StripedMutex {
 public:
  static constexpr size_t kDefaultStripes = 1024;

  // `stripes` is rounded up to a power of two (at least 1).
  explicit StripedMutex(size_t stripes = kDefaultStripes);
  StripedMutex(const StripedMutex&) = delete;
  StripedMutex& operator=(const StripedMutex&) = delete;

  // The stripe index of `key`, in [0, stripe_count()).
  size_t StripeOf(std::string_view key) const;
  // The mutex guarding `key`, e.g. `absl::MutexLock lock(&striped.For(key));`.
  absl::Mutex& For(std::string_view key) const { return mutexes_[StripeOf(key)]; }
  // The mutex of stripe `index`. REQUIRES: index < stripe_count().
  absl::Mutex& Stripe(size_t index) const { return mutexes_[index]; }
  size_t stripe_count() const { return mask_ + 1; }

 private:
  const size_t mask_;
  const std::unique_ptr<absl::Mutex[]> mutexes_;
};

// Holds the stripes of two keys for its lifetime. Locks them in ascending stripe order, and only
// once when both keys share a stripe, so concurrent TwoKeyLocks on any keys cannot deadlock.
// REQUIRES: the calling thread holds no stripe of `striped` already.
class ABSL_SCOPED_LOCKABLE TwoKeyLock {
 public:
  TwoKeyLock(const StripedMutex& striped, std::string_view key_a,
             std::string_view key_b) ABSL_NO_THREAD_SAFETY_ANALYSIS;
  ~TwoKeyLock() ABSL_UNLOCK_FUNCTION() ABSL_NO_THREAD_SAFETY_ANALYSIS;
  TwoKeyLock(const TwoKeyLock&) = delete;
  TwoKeyLock& operator=(const TwoKeyLock&) = delete;

 private:
  absl::Mutex* first_;
  absl::Mutex* second_;  // null when both keys share first_'s stripe
};

}  // namespace nbo::storage

#endif  // NBO_STORAGE_STRIPED_LOCK_H_
