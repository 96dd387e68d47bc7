#include "storage/striped_lock.h"

#include <utility>

#include "absl/hash/hash.h"

namespace nbo::storage {
namespace {

size_t RoundUpToPowerOfTwo(size_t n) {
  size_t p = 1;
  while (p < n) p <<= 1;
  return p;
}

}  // namespace

StripedMutex::StripedMutex(size_t stripes)
    : mask_(RoundUpToPowerOfTwo(stripes) - 1),
      mutexes_(std::make_unique<absl::Mutex[]>(mask_ + 1)) {}

size_t StripedMutex::StripeOf(std::string_view key) const {
  return absl::Hash<absl::string_view>{}(absl::string_view(key.data(), key.size())) & mask_;
}

TwoKeyLock::TwoKeyLock(const StripedMutex& striped, std::string_view key_a,
                       std::string_view key_b) {
  size_t a = striped.StripeOf(key_a);
  size_t b = striped.StripeOf(key_b);
  if (b < a) std::swap(a, b);
  first_ = &striped.Stripe(a);
  second_ = a == b ? nullptr : &striped.Stripe(b);
  first_->Lock();
  if (second_ != nullptr) second_->Lock();
}

TwoKeyLock::~TwoKeyLock() {
  if (second_ != nullptr) second_->Unlock();
  first_->Unlock();
}

}  // namespace nbo::storage
