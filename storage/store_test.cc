// The behavioural contract of Store, run against both MemoryStore and RocksStore so that the
// fake stays honest.
#include "storage/store.h"

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/memory_store.h"
#include "storage/rocks_store.h"
#include "storage/test_util.h"

namespace nbo::storage {
namespace {

using ::testing::Contains;
using ::testing::Key;

nbo::v1::Profile MakeProfile(const std::string& customer_id, int64_t interactions = 1) {
  nbo::v1::Profile profile;
  profile.set_customer_id(customer_id);
  profile.set_interactions(interactions);
  profile.set_segment_id("loyal");
  return profile;
}

nbo::v1::DecisionRecord MakeDecision(const std::string& decision_id) {
  nbo::v1::DecisionRecord record;
  record.mutable_response()->set_decision_id(decision_id);
  record.set_event_id(absl::StrCat("event-", decision_id));
  record.set_placement("cart");
  return record;
}

void SetExpiry(absl::Time t, nbo::v1::DecisionRecord* record) {
  record->mutable_expires_at()->set_seconds(absl::ToUnixSeconds(t));
}

class MemoryStoreFactory {
 public:
  std::unique_ptr<Store> Make(testing::FakeClock& clock) {
    MemoryStoreOptions options;
    options.now = clock.AsFunction();
    return std::make_unique<MemoryStore>(options);
  }
};

class RocksStoreFactory {
 public:
  std::unique_ptr<Store> Make(testing::FakeClock& clock) {
    EXPECT_FALSE(dir_.path().empty());
    RocksStoreOptions options;
    options.path = dir_.path() + "/db";
    options.block_cache_bytes = 8 << 20;
    options.now = clock.AsFunction();
    absl::StatusOr<std::unique_ptr<RocksStore>> store = RocksStore::Open(options);
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? *std::move(store) : nullptr;
  }

 private:
  testing::ScopedTempDir dir_{::testing::TempDir()};
};

template <typename Factory>
class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = factory_.Make(clock_);
    ASSERT_NE(store_, nullptr);
  }
  void TearDown() override { store_.reset(); }  // before the factory removes the directory

  absl::Status CommitProfile(const nbo::v1::Profile& profile) {
    WriteSet writes;
    writes.profiles.push_back(&profile);
    return store_->Commit(writes);
  }
  absl::Status CommitDecision(const nbo::v1::DecisionRecord& record) {
    WriteSet writes;
    writes.decisions.push_back(&record);
    return store_->Commit(writes);
  }

  testing::FakeClock clock_;
  Factory factory_;
  std::unique_ptr<Store> store_;
};

using Factories = ::testing::Types<MemoryStoreFactory, RocksStoreFactory>;
TYPED_TEST_SUITE(StoreTest, Factories);

TYPED_TEST(StoreTest, RoundTripsProfile) {
  ASSERT_TRUE(this->CommitProfile(MakeProfile("c1", 7)).ok());
  absl::StatusOr<nbo::v1::Profile> profile = this->store_->GetProfile("c1");
  ASSERT_TRUE(profile.ok()) << profile.status();
  EXPECT_EQ(profile->customer_id(), "c1");
  EXPECT_EQ(profile->interactions(), 7);
  EXPECT_EQ(profile->segment_id(), "loyal");
}

TYPED_TEST(StoreTest, UnknownProfileIsNotFound) {
  EXPECT_TRUE(absl::IsNotFound(this->store_->GetProfile("nobody").status()));
}

TYPED_TEST(StoreTest, ReturnedProfileIsACopy) {
  nbo::v1::Profile written = MakeProfile("c1", 1);
  ASSERT_TRUE(this->CommitProfile(written).ok());
  written.set_interactions(99);  // changing the caller's message after commit
  absl::StatusOr<nbo::v1::Profile> first = this->store_->GetProfile("c1");
  ASSERT_TRUE(first.ok());
  first->set_interactions(42);  // changing a returned message
  absl::StatusOr<nbo::v1::Profile> second = this->store_->GetProfile("c1");
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->interactions(), 1);
}

TYPED_TEST(StoreTest, OverwritesProfile) {
  ASSERT_TRUE(this->CommitProfile(MakeProfile("c1", 1)).ok());
  ASSERT_TRUE(this->CommitProfile(MakeProfile("c1", 2)).ok());
  EXPECT_EQ(this->store_->GetProfile("c1")->interactions(), 2);
}

TYPED_TEST(StoreTest, RoundTripsDecision) {
  nbo::v1::DecisionRecord record = MakeDecision("d1");
  SetExpiry(this->clock_.Now() + absl::Hours(1), &record);
  ASSERT_TRUE(this->CommitDecision(record).ok());
  absl::StatusOr<nbo::v1::DecisionRecord> read = this->store_->GetDecision("d1");
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->response().decision_id(), "d1");
  EXPECT_EQ(read->event_id(), "event-d1");
  EXPECT_EQ(read->expires_at().seconds(), record.expires_at().seconds());
}

TYPED_TEST(StoreTest, UnknownDecisionIsNotFound) {
  EXPECT_TRUE(absl::IsNotFound(this->store_->GetDecision("nothing").status()));
}

TYPED_TEST(StoreTest, DecisionIsNotFoundOnceExpired) {
  nbo::v1::DecisionRecord record = MakeDecision("d1");
  SetExpiry(this->clock_.Now() + absl::Hours(1), &record);
  ASSERT_TRUE(this->CommitDecision(record).ok());
  this->clock_.Advance(absl::Minutes(59));
  EXPECT_TRUE(this->store_->GetDecision("d1").ok());
  this->clock_.Advance(absl::Minutes(1));
  EXPECT_TRUE(absl::IsNotFound(this->store_->GetDecision("d1").status()));
}

TYPED_TEST(StoreTest, DecisionWithoutExpiryGetsTheDefaultTtl) {
  const absl::Time committed = this->clock_.Now();
  ASSERT_TRUE(this->CommitDecision(MakeDecision("d1")).ok());
  absl::StatusOr<nbo::v1::DecisionRecord> read = this->store_->GetDecision("d1");
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->expires_at().seconds(), absl::ToUnixSeconds(committed + kDefaultDecisionTtl));
  this->clock_.Advance(kDefaultDecisionTtl - absl::Seconds(1));
  EXPECT_TRUE(this->store_->GetDecision("d1").ok());
  this->clock_.Advance(absl::Seconds(1));
  EXPECT_TRUE(absl::IsNotFound(this->store_->GetDecision("d1").status()));
}

TYPED_TEST(StoreTest, RoundTripsMeta) {
  WriteSet writes;
  writes.meta.emplace_back("strategy_version", "v42");
  ASSERT_TRUE(this->store_->Commit(writes).ok());
  EXPECT_EQ(*this->store_->GetMeta("strategy_version"), "v42");
  EXPECT_TRUE(absl::IsNotFound(this->store_->GetMeta("absent").status()));
}

TYPED_TEST(StoreTest, CommitsEverythingTogether) {
  const nbo::v1::Profile profile = MakeProfile("c1");
  const nbo::v1::DecisionRecord record = MakeDecision("d1");
  WriteSet writes;
  writes.profiles.push_back(&profile);
  writes.decisions.push_back(&record);
  writes.meta.emplace_back("k", "v");
  ASSERT_TRUE(this->store_->Commit(writes).ok());
  EXPECT_TRUE(this->store_->GetProfile("c1").ok());
  EXPECT_TRUE(this->store_->GetDecision("d1").ok());
  EXPECT_TRUE(this->store_->GetMeta("k").ok());
}

TYPED_TEST(StoreTest, InvalidBatchWritesNothing) {
  const nbo::v1::Profile good = MakeProfile("c1");
  const nbo::v1::Profile bad = MakeProfile("");
  const nbo::v1::DecisionRecord record = MakeDecision("d1");
  WriteSet writes;
  writes.profiles = {&good, &bad};
  writes.decisions.push_back(&record);
  writes.meta.emplace_back("k", "v");
  absl::Status status = this->store_->Commit(writes);
  EXPECT_TRUE(absl::IsInvalidArgument(status)) << status;
  EXPECT_THAT(std::string(status.message()), ::testing::HasSubstr("profiles[1]"));
  EXPECT_TRUE(absl::IsNotFound(this->store_->GetProfile("c1").status()));
  EXPECT_TRUE(absl::IsNotFound(this->store_->GetDecision("d1").status()));
  EXPECT_TRUE(absl::IsNotFound(this->store_->GetMeta("k").status()));
}

TYPED_TEST(StoreTest, RejectsDecisionWithoutId) {
  const nbo::v1::DecisionRecord record = MakeDecision("");
  EXPECT_TRUE(absl::IsInvalidArgument(this->CommitDecision(record)));
}

TYPED_TEST(StoreTest, LaterEntryForTheSameKeyWins) {
  const nbo::v1::Profile first = MakeProfile("c1", 1);
  const nbo::v1::Profile second = MakeProfile("c1", 2);
  WriteSet writes;
  writes.profiles = {&first, &second};
  ASSERT_TRUE(this->store_->Commit(writes).ok());
  EXPECT_EQ(this->store_->GetProfile("c1")->interactions(), 2);
}

TYPED_TEST(StoreTest, EmptyCommitIsOk) { EXPECT_TRUE(this->store_->Commit(WriteSet{}).ok()); }

TYPED_TEST(StoreTest, ConcurrentCommitsFromEightThreadsAllLand) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 50;
  std::vector<std::thread> threads;
  std::vector<absl::Status> failures(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([this, t, &failures] {
      for (int i = 0; i < kPerThread; ++i) {
        const nbo::v1::Profile profile = MakeProfile(absl::StrCat("c", t, "-", i), i);
        const nbo::v1::DecisionRecord record = MakeDecision(absl::StrCat("d", t, "-", i));
        WriteSet writes;
        writes.profiles.push_back(&profile);
        writes.decisions.push_back(&record);
        absl::Status status = this->store_->Commit(writes);
        if (!status.ok()) failures[t] = status;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const absl::Status& failure : failures) EXPECT_TRUE(failure.ok()) << failure;
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kPerThread; ++i) {
      absl::StatusOr<nbo::v1::Profile> profile =
          this->store_->GetProfile(absl::StrCat("c", t, "-", i));
      ASSERT_TRUE(profile.ok()) << profile.status();
      EXPECT_EQ(profile->interactions(), i);
      EXPECT_TRUE(this->store_->GetDecision(absl::StrCat("d", t, "-", i)).ok());
    }
  }
  absl::StatusOr<int64_t> count = this->store_->ApproximateProfileCount();
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, kThreads * kPerThread);  // exact while everything is in the memtable
}

TYPED_TEST(StoreTest, ApproximateProfileCountStartsAtZero) {
  EXPECT_EQ(*this->store_->ApproximateProfileCount(), 0);
}

TYPED_TEST(StoreTest, StatsReportEstimatedProfiles) {
  ASSERT_TRUE(this->CommitProfile(MakeProfile("c1")).ok());
  EXPECT_THAT(this->store_->Stats(), Contains(Key("estimated_profiles")));
}

}  // namespace
}  // namespace nbo::storage
