// MemoryStore's test switches; its Store behaviour is covered by store_test.cc.
#include "storage/memory_store.h"

#include "gtest/gtest.h"

namespace nbo::storage {
namespace {

absl::Status PutProfile(Store& store, const std::string& customer_id) {
  nbo::v1::Profile profile;
  profile.set_customer_id(customer_id);
  WriteSet writes;
  writes.profiles.push_back(&profile);
  return store.Commit(writes);
}

TEST(MemoryStoreTest, FailWritesWithFailsCommitsAndWritesNothing) {
  MemoryStore store;
  store.FailWritesWith(absl::UnavailableError("disk full"));
  absl::Status status = PutProfile(store, "c1");
  EXPECT_TRUE(absl::IsUnavailable(status));
  EXPECT_EQ(status.message(), "disk full");
  EXPECT_TRUE(absl::IsNotFound(store.GetProfile("c1").status()));
  EXPECT_EQ(store.commit_count(), 0);
}

TEST(MemoryStoreTest, HealedStoreWritesAgain) {
  MemoryStore store;
  store.FailWritesWith(absl::UnavailableError("disk full"));
  store.FailWritesWith(absl::OkStatus());
  EXPECT_TRUE(PutProfile(store, "c1").ok());
  EXPECT_EQ(store.commit_count(), 1);
}

TEST(MemoryStoreTest, FailReadsWithFailsReads) {
  MemoryStore store;
  ASSERT_TRUE(PutProfile(store, "c1").ok());
  store.FailReadsWith(absl::DataLossError("bad block"));
  EXPECT_TRUE(absl::IsDataLoss(store.GetProfile("c1").status()));
  EXPECT_TRUE(absl::IsDataLoss(store.GetDecision("d1").status()));
  EXPECT_TRUE(absl::IsDataLoss(store.GetMeta("k").status()));
  EXPECT_TRUE(absl::IsDataLoss(store.ApproximateProfileCount().status()));
}

TEST(MemoryStoreTest, ValidationComesBeforeInjectedFailure) {
  MemoryStore store;
  store.FailWritesWith(absl::UnavailableError("disk full"));
  EXPECT_TRUE(absl::IsInvalidArgument(PutProfile(store, "")));
}

}  // namespace
}  // namespace nbo::storage
