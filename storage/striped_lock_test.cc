#include "storage/striped_lock.h"

#include <string>
#include <thread>

#include "gtest/gtest.h"

namespace nbo::storage {
namespace {

// True when another thread can take `mu` right now (and then releases it).
bool LockableFromAnotherThread(absl::Mutex& mu) {
  bool locked = false;
  std::thread([&] {
    if (mu.TryLock()) {
      locked = true;
      mu.Unlock();
    }
  }).join();
  return locked;
}

// Two keys that fall on different stripes of `striped` (bounded search).
std::pair<std::string, std::string> KeysOnDifferentStripes(const StripedMutex& striped) {
  for (int i = 1; i < 1000; ++i) {
    std::string other = "key" + std::to_string(i);
    if (striped.StripeOf(other) != striped.StripeOf("key0")) return {"key0", other};
  }
  ADD_FAILURE() << "no two keys on different stripes";
  return {"key0", "key0"};
}

TEST(StripedMutexTest, SameKeyAlwaysMapsToTheSameMutex) {
  StripedMutex striped;
  EXPECT_EQ(&striped.For("customer"), &striped.For(std::string("customer")));
  EXPECT_LT(striped.StripeOf("customer"), striped.stripe_count());
}

TEST(StripedMutexTest, StripeCountIsRoundedUpToAPowerOfTwo) {
  EXPECT_EQ(StripedMutex().stripe_count(), 1024u);
  EXPECT_EQ(StripedMutex(1000).stripe_count(), 1024u);
  EXPECT_EQ(StripedMutex(0).stripe_count(), 1u);
  EXPECT_EQ(StripedMutex(8).stripe_count(), 8u);
}

TEST(TwoKeyLockTest, HoldsBothStripesUntilDestroyed) {
  StripedMutex striped(64);
  auto [a, b] = KeysOnDifferentStripes(striped);
  {
    TwoKeyLock lock(striped, a, b);
    EXPECT_FALSE(LockableFromAnotherThread(striped.For(a)));
    EXPECT_FALSE(LockableFromAnotherThread(striped.For(b)));
  }
  EXPECT_TRUE(LockableFromAnotherThread(striped.For(a)));
  EXPECT_TRUE(LockableFromAnotherThread(striped.For(b)));
}

TEST(TwoKeyLockTest, KeysOnOneStripeLockItOnce) {
  StripedMutex striped(1);  // every key shares the one stripe
  {
    TwoKeyLock lock(striped, "a", "b");  // would self-deadlock if it locked twice
    EXPECT_FALSE(LockableFromAnotherThread(striped.For("a")));
  }
  EXPECT_TRUE(LockableFromAnotherThread(striped.For("a")));
}

TEST(TwoKeyLockTest, OppositeKeyOrdersDoNotDeadlock) {
  StripedMutex striped(64);
  auto [a, b] = KeysOnDifferentStripes(striped);
  constexpr int kIterations = 2000;
  int counter = 0;  // guarded by the pair of stripes
  auto worker = [&](const std::string& first, const std::string& second) {
    for (int i = 0; i < kIterations; ++i) {
      TwoKeyLock lock(striped, first, second);
      ++counter;
    }
  };
  std::thread forward(worker, a, b);
  std::thread backward(worker, b, a);
  forward.join();
  backward.join();
  EXPECT_EQ(counter, 2 * kIterations);
}

}  // namespace
}  // namespace nbo::storage
