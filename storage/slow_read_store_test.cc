#include "storage/slow_read_store.h"

#include "gtest/gtest.h"
#include "storage/memory_store.h"

namespace nbo::storage {
namespace {

TEST(SlowReadStoreTest, SlowsExactlyTheConfiguredShareAndForwardsTheRest) {
  MemoryStore inner;
  SlowReadStore slow(inner, SlowReadOptions{0.1, absl::ZeroDuration()});
  for (int i = 0; i < 100; ++i) {
    EXPECT_TRUE(absl::IsNotFound(slow.GetProfile("c-" + std::to_string(i)).status()));
  }
  EXPECT_EQ(slow.slowed(), 10);
  EXPECT_TRUE(absl::IsNotFound(slow.GetDecision("d-1").status()));
  EXPECT_EQ(slow.slowed(), 10) << "only profile reads are slowed";
}

TEST(SlowReadStoreTest, ShareZeroSlowsNothingAndOneSlowsEverything) {
  MemoryStore inner;
  SlowReadStore none(inner, SlowReadOptions{0, absl::ZeroDuration()});
  SlowReadStore all(inner, SlowReadOptions{1, absl::ZeroDuration()});
  for (int i = 0; i < 10; ++i) {
    EXPECT_TRUE(absl::IsNotFound(none.GetProfile("c").status()));
    EXPECT_TRUE(absl::IsNotFound(all.GetProfile("c").status()));
  }
  EXPECT_EQ(none.slowed(), 0);
  EXPECT_EQ(all.slowed(), 10);
}

}  // namespace
}  // namespace nbo::storage
