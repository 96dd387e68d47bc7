// The behavioural contract of Store, run against both MemoryStore and RocksStore so that the
// fake stays honest.
#include "storage/store.h"

#include <algorithm>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "google/protobuf/arena.h"
#include "gtest/gtest.h"
#include "storage/memory_store.h"
#include "storage/rocks_store.h"
#include "storage/test_util.h"

namespace nbo::storage {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Key;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

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

nbo::v1::DecisionRecord MakeDecisionFor(const std::string& decision_id,
                                        const std::string& customer_id) {
  nbo::v1::DecisionRecord record = MakeDecision(decision_id);
  record.mutable_response()->set_customer_id(customer_id);
  return record;
}

nbo::v1::DedupeRecord MakeDedupe(const std::string& customer_id, uint64_t fingerprint = 7) {
  nbo::v1::DedupeRecord record;
  record.set_customer_id(customer_id);
  record.set_fingerprint(fingerprint);
  return record;
}

template <typename Record>
void SetExpiry(absl::Time t, Record* record) {
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

TYPED_TEST(StoreTest, ReadProfileParsesOntoAnArenaAndReplacesWhatWasThere) {
  nbo::v1::Profile written = MakeProfile("c1", 7);
  written.add_merged_ids("old-id");
  ASSERT_TRUE(this->CommitProfile(written).ok());
  google::protobuf::Arena arena;
  auto* out = google::protobuf::Arena::CreateMessage<nbo::v1::Profile>(&arena);
  out->set_segment_id("stale");
  out->add_merged_ids("stale-1");
  out->add_merged_ids("stale-2");
  ASSERT_TRUE(this->store_->ReadProfile("c1", out).ok());
  EXPECT_EQ(out->GetArena(), &arena);
  EXPECT_EQ(out->SerializeAsString(), written.SerializeAsString());
  EXPECT_TRUE(absl::IsNotFound(this->store_->ReadProfile("nobody", out)));
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

std::vector<std::string> CustomerIds(const std::vector<nbo::v1::Profile>& profiles) {
  std::vector<std::string> ids;
  for (const nbo::v1::Profile& p : profiles) ids.push_back(p.customer_id());
  return ids;
}

TYPED_TEST(StoreTest, SampleProfilesOfAnEmptyStoreIsEmpty) {
  absl::StatusOr<std::vector<nbo::v1::Profile>> sample = this->store_->SampleProfiles(10);
  ASSERT_TRUE(sample.ok()) << sample.status();
  EXPECT_THAT(*sample, IsEmpty());
}

TYPED_TEST(StoreTest, SampleProfilesReturnsAllWhenFewerThanLimit) {
  ASSERT_TRUE(this->CommitProfile(MakeProfile("c1", 11)).ok());
  ASSERT_TRUE(this->CommitProfile(MakeProfile("c2", 12)).ok());
  ASSERT_TRUE(this->CommitProfile(MakeProfile("c3", 13)).ok());
  absl::StatusOr<std::vector<nbo::v1::Profile>> sample = this->store_->SampleProfiles(10);
  ASSERT_TRUE(sample.ok()) << sample.status();
  EXPECT_THAT(CustomerIds(*sample), UnorderedElementsAre("c1", "c2", "c3"));
  for (const nbo::v1::Profile& p : *sample) {
    EXPECT_EQ(p.interactions(), 10 + (p.customer_id().back() - '0')) << p.customer_id();
  }
}

TYPED_TEST(StoreTest, SampleProfilesStopsAtTheLimit) {
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(this->CommitProfile(MakeProfile(absl::StrCat("c", 100 + i))).ok());
  }
  for (size_t limit : {size_t{0}, size_t{1}, size_t{7}, size_t{20}}) {
    absl::StatusOr<std::vector<nbo::v1::Profile>> sample = this->store_->SampleProfiles(limit);
    ASSERT_TRUE(sample.ok()) << sample.status();
    std::vector<std::string> ids = CustomerIds(*sample);
    EXPECT_EQ(ids.size(), limit);
    std::sort(ids.begin(), ids.end());
    EXPECT_EQ(std::unique(ids.begin(), ids.end()), ids.end()) << "a profile was returned twice";
  }
}

TYPED_TEST(StoreTest, SampleProfilesSkipsDeletedProfiles) {
  ASSERT_TRUE(this->CommitProfile(MakeProfile("c1")).ok());
  ASSERT_TRUE(this->CommitProfile(MakeProfile("c2")).ok());
  WriteSet erase;
  erase.profile_deletes.push_back("c1");
  ASSERT_TRUE(this->store_->Commit(erase).ok());
  absl::StatusOr<std::vector<nbo::v1::Profile>> sample = this->store_->SampleProfiles(5);
  ASSERT_TRUE(sample.ok()) << sample.status();
  EXPECT_THAT(CustomerIds(*sample), ElementsAre("c2"));
}

// RocksStore only: the scan starts at a pseudo-random key and wraps around.
TEST(RocksStoreSampleTest, StartsAtDifferentCustomersAndWrapsAround) {
  testing::ScopedTempDir dir(::testing::TempDir());
  uint64_t seed = 0;
  RocksStoreOptions options;
  options.path = dir.path() + "/db";
  options.block_cache_bytes = 8 << 20;
  options.sample_seed = [&seed] { return seed++; };
  absl::StatusOr<std::unique_ptr<RocksStore>> store = RocksStore::Open(options);
  ASSERT_TRUE(store.ok()) << store.status();
  std::vector<nbo::v1::Profile> stored;
  for (int i = 0; i < 100; ++i) stored.push_back(MakeProfile(absl::StrCat("c-", 1000 + i)));
  WriteSet writes;
  for (const nbo::v1::Profile& p : stored) writes.profiles.push_back(&p);
  ASSERT_TRUE((*store)->Commit(writes).ok());

  std::set<std::string> starts;
  bool wrapped = false;
  for (int call = 0; call < 30; ++call) {
    absl::StatusOr<std::vector<nbo::v1::Profile>> sample = (*store)->SampleProfiles(60);
    ASSERT_TRUE(sample.ok()) << sample.status();
    ASSERT_EQ(sample->size(), 60u);
    std::vector<std::string> ids = CustomerIds(*sample);
    starts.insert(ids.front());
    // Key order from the start, except for one wrap from the last id to the first.
    int descents = 0;
    for (size_t i = 1; i < ids.size(); ++i) {
      if (ids[i] < ids[i - 1]) {
        ++descents;
        EXPECT_EQ(ids[i - 1], "c-1099");
        EXPECT_EQ(ids[i], "c-1000");
      }
    }
    EXPECT_LE(descents, 1);
    wrapped |= descents == 1;
    std::sort(ids.begin(), ids.end());
    EXPECT_EQ(std::unique(ids.begin(), ids.end()), ids.end()) << "a profile was returned twice";
  }
  EXPECT_GE(starts.size(), 5u);
  EXPECT_TRUE(wrapped);
  EXPECT_TRUE((*store)->Close().ok());
}

TYPED_TEST(StoreTest, IdentityAndAliasRoundTrip) {
  WriteSet writes;
  writes.identities.push_back({"loyalty", "L-1", "c1"});
  writes.aliases.push_back({"c0", "c1"});
  ASSERT_TRUE(this->store_->Commit(writes).ok());
  EXPECT_EQ(*this->store_->GetIdentity("loyalty", "L-1"), "c1");
  EXPECT_EQ(*this->store_->GetAlias("c0"), "c1");
  EXPECT_TRUE(absl::IsNotFound(this->store_->GetIdentity("loyalty", "L-2").status()));
  EXPECT_TRUE(absl::IsNotFound(this->store_->GetIdentity("web", "L-1").status()));
  EXPECT_TRUE(absl::IsNotFound(this->store_->GetAlias("c1").status()));
}

TYPED_TEST(StoreTest, IdentityAliasAndSuppressionKeysDoNotCollide) {
  // An identity whose source and id could spell an alias key if the kinds shared a namespace.
  WriteSet writes;
  writes.identities.push_back({"a", "x", "c1"});
  writes.identities.push_back({"ab", "c", "c2"});
  writes.aliases.push_back({"a", "c3"});
  ASSERT_TRUE(this->store_->Commit(writes).ok());
  EXPECT_EQ(*this->store_->GetIdentity("a", "x"), "c1");
  EXPECT_EQ(*this->store_->GetIdentity("ab", "c"), "c2");
  EXPECT_TRUE(absl::IsNotFound(this->store_->GetIdentity("a", "bc").status()));
  EXPECT_EQ(*this->store_->GetAlias("a"), "c3");
  EXPECT_TRUE(absl::IsNotFound(this->store_->GetAlias("ix").status()));
  EXPECT_FALSE(*this->store_->IsSuppressed(std::string(32, 'a')));
}

TYPED_TEST(StoreTest, RoundTripsDedupeUntilItExpires) {
  nbo::v1::DedupeRecord record = MakeDedupe("c1", 42);
  record.mutable_response()->set_decision_id("d1");
  SetExpiry(this->clock_.Now() + absl::Hours(1), &record);
  WriteSet writes;
  writes.dedupe.emplace_back("e1", &record);
  ASSERT_TRUE(this->store_->Commit(writes).ok());
  absl::StatusOr<nbo::v1::DedupeRecord> read = this->store_->GetDedupe("e1");
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->customer_id(), "c1");
  EXPECT_EQ(read->fingerprint(), 42u);
  EXPECT_EQ(read->response().decision_id(), "d1");
  EXPECT_TRUE(absl::IsNotFound(this->store_->GetDedupe("e2").status()));
  this->clock_.Advance(absl::Hours(1));
  EXPECT_TRUE(absl::IsNotFound(this->store_->GetDedupe("e1").status()));
}

TYPED_TEST(StoreTest, DedupeWithoutExpiryGetsTheDefaultTtl) {
  const nbo::v1::DedupeRecord record = MakeDedupe("c1");
  WriteSet writes;
  writes.dedupe.emplace_back("e1", &record);
  ASSERT_TRUE(this->store_->Commit(writes).ok());
  EXPECT_EQ(this->store_->GetDedupe("e1")->expires_at().seconds(),
            absl::ToUnixSeconds(this->clock_.Now() + kDefaultDedupeTtl));
  this->clock_.Advance(kDefaultDedupeTtl);
  EXPECT_TRUE(absl::IsNotFound(this->store_->GetDedupe("e1").status()));
}

TYPED_TEST(StoreTest, DeletesEveryKind) {
  const nbo::v1::Profile profile = MakeProfile("c1");
  const nbo::v1::DecisionRecord decision = MakeDecisionFor("d1", "c1");
  const nbo::v1::DedupeRecord dedupe = MakeDedupe("c1");
  WriteSet writes;
  writes.profiles.push_back(&profile);
  writes.decisions.push_back(&decision);
  writes.dedupe.emplace_back("e1", &dedupe);
  writes.identities.push_back({"web", "w1", "c1"});
  writes.aliases.push_back({"c0", "c1"});
  ASSERT_TRUE(this->store_->Commit(writes).ok());

  WriteSet deletes;
  deletes.profile_deletes.push_back("c1");
  deletes.decision_deletes.push_back({"d1", "c1"});
  deletes.dedupe_deletes.push_back({"e1", "c1"});
  deletes.identity_deletes.push_back({"web", "w1", "c1"});
  deletes.alias_deletes.push_back({"c0", "c1"});
  deletes.profile_deletes.push_back("never-existed");
  ASSERT_TRUE(this->store_->Commit(deletes).ok());
  EXPECT_TRUE(absl::IsNotFound(this->store_->GetProfile("c1").status()));
  EXPECT_TRUE(absl::IsNotFound(this->store_->GetDecision("d1").status()));
  EXPECT_TRUE(absl::IsNotFound(this->store_->GetDedupe("e1").status()));
  EXPECT_TRUE(absl::IsNotFound(this->store_->GetIdentity("web", "w1").status()));
  EXPECT_TRUE(absl::IsNotFound(this->store_->GetAlias("c0").status()));
  absl::StatusOr<CustomerRecords> records = this->store_->ListCustomerRecords("c1");
  ASSERT_TRUE(records.ok()) << records.status();
  EXPECT_THAT(records->decision_ids, IsEmpty());
  EXPECT_THAT(records->event_ids, IsEmpty());
  EXPECT_THAT(records->identities, IsEmpty());
  EXPECT_THAT(records->aliases, IsEmpty());
}

TYPED_TEST(StoreTest, PutWinsOverDeleteInTheSameWriteSet) {
  ASSERT_TRUE(this->CommitProfile(MakeProfile("c1", 1)).ok());
  const nbo::v1::Profile profile = MakeProfile("c1", 2);
  WriteSet writes;
  writes.profiles.push_back(&profile);
  writes.profile_deletes.push_back("c1");
  // Re-pointing an identity: delete the old link and put the new one.
  writes.identity_deletes.push_back({"web", "w1", "c0"});
  writes.identities.push_back({"web", "w1", "c1"});
  ASSERT_TRUE(this->store_->Commit(writes).ok());
  EXPECT_EQ(this->store_->GetProfile("c1")->interactions(), 2);
  EXPECT_EQ(*this->store_->GetIdentity("web", "w1"), "c1");
}

TYPED_TEST(StoreTest, ListsCustomerRecordsFromTheIndex) {
  const nbo::v1::DecisionRecord d1 = MakeDecisionFor("d1", "c1");
  const nbo::v1::DecisionRecord d2 = MakeDecisionFor("d2", "c1");
  const nbo::v1::DecisionRecord other = MakeDecisionFor("d3", "c10");  // prefix of c1 + "0"
  const nbo::v1::DecisionRecord anonymous = MakeDecision("d4");        // no customer: no entry
  const nbo::v1::DedupeRecord e1 = MakeDedupe("c1");
  const nbo::v1::DedupeRecord e2 = MakeDedupe("c10");
  WriteSet writes;
  writes.decisions = {&d2, &d1, &other, &anonymous};
  writes.dedupe = {{"e1", &e1}, {"e2", &e2}};
  writes.identities = {{"web", "w1", "c1"}, {"loyalty", "L-1", "c1"}, {"web", "w2", "c10"}};
  writes.aliases = {{"c0", "c1"}, {"c9", "c10"}};
  ASSERT_TRUE(this->store_->Commit(writes).ok());

  absl::StatusOr<CustomerRecords> records = this->store_->ListCustomerRecords("c1");
  ASSERT_TRUE(records.ok()) << records.status();
  EXPECT_THAT(records->decision_ids, ElementsAre("d1", "d2"));
  EXPECT_THAT(records->event_ids, ElementsAre("e1"));
  EXPECT_THAT(records->identities,
              ElementsAre(IdentityRef{"loyalty", "L-1"}, IdentityRef{"web", "w1"}));
  EXPECT_THAT(records->aliases, ElementsAre("c0"));
  records = this->store_->ListCustomerRecords("c10");
  ASSERT_TRUE(records.ok());
  EXPECT_THAT(records->decision_ids, ElementsAre("d3"));
  EXPECT_THAT(records->event_ids, ElementsAre("e2"));
  EXPECT_THAT(records->identities, ElementsAre(IdentityRef{"web", "w2"}));
  EXPECT_THAT(records->aliases, ElementsAre("c9"));
  records = this->store_->ListCustomerRecords("c");
  ASSERT_TRUE(records.ok());
  EXPECT_THAT(records->decision_ids, IsEmpty());
}

TYPED_TEST(StoreTest, CustomerRecordsSkipExpiredAndRepointedEntries) {
  nbo::v1::DecisionRecord short_lived = MakeDecisionFor("d1", "c1");
  SetExpiry(this->clock_.Now() + absl::Hours(1), &short_lived);
  const nbo::v1::DecisionRecord long_lived = MakeDecisionFor("d2", "c1");  // default TTL
  nbo::v1::DedupeRecord dedupe = MakeDedupe("c1");
  SetExpiry(this->clock_.Now() + absl::Hours(1), &dedupe);
  WriteSet writes;
  writes.decisions = {&short_lived, &long_lived};
  writes.dedupe.emplace_back("e1", &dedupe);
  writes.identities.push_back({"web", "w1", "c1"});
  ASSERT_TRUE(this->store_->Commit(writes).ok());
  // Re-pointed without deleting c1's link: c1's stale index entry must not be listed.
  WriteSet repoint;
  repoint.identities.push_back({"web", "w1", "c2"});
  ASSERT_TRUE(this->store_->Commit(repoint).ok());
  this->clock_.Advance(absl::Hours(1));
  absl::StatusOr<CustomerRecords> records = this->store_->ListCustomerRecords("c1");
  ASSERT_TRUE(records.ok());
  EXPECT_THAT(records->decision_ids, ElementsAre("d2"));
  EXPECT_THAT(records->event_ids, IsEmpty());
  EXPECT_THAT(records->identities, IsEmpty());
  EXPECT_THAT(this->store_->ListCustomerRecords("c2")->identities,
              ElementsAre(IdentityRef{"web", "w1"}));
}

TYPED_TEST(StoreTest, ForgettingACustomerLeavesOthersIntact) {
  const nbo::v1::Profile p1 = MakeProfile("c1");
  const nbo::v1::Profile p2 = MakeProfile("c2");
  const nbo::v1::DecisionRecord d1 = MakeDecisionFor("d1", "c1");
  const nbo::v1::DecisionRecord d2 = MakeDecisionFor("d2", "c2");
  WriteSet writes;
  writes.profiles = {&p1, &p2};
  writes.decisions = {&d1, &d2};
  writes.identities = {{"web", "w1", "c1"}, {"web", "w2", "c2"}};
  ASSERT_TRUE(this->store_->Commit(writes).ok());

  absl::StatusOr<CustomerRecords> records = this->store_->ListCustomerRecords("c1");
  ASSERT_TRUE(records.ok());
  WriteSet forget;
  forget.profile_deletes.push_back("c1");
  for (const std::string& id : records->decision_ids) forget.decision_deletes.push_back({id, "c1"});
  for (const IdentityRef& ref : records->identities) {
    forget.identity_deletes.push_back({ref.source, ref.external_id, "c1"});
  }
  ASSERT_TRUE(this->store_->Commit(forget).ok());
  EXPECT_TRUE(absl::IsNotFound(this->store_->GetProfile("c1").status()));
  EXPECT_TRUE(absl::IsNotFound(this->store_->GetDecision("d1").status()));
  EXPECT_TRUE(absl::IsNotFound(this->store_->GetIdentity("web", "w1").status()));
  EXPECT_TRUE(this->store_->GetProfile("c2").ok());
  EXPECT_TRUE(this->store_->GetDecision("d2").ok());
  EXPECT_EQ(*this->store_->GetIdentity("web", "w2"), "c2");
  EXPECT_THAT(this->store_->ListCustomerRecords("c2")->decision_ids, ElementsAre("d2"));
}

TYPED_TEST(StoreTest, Suppressions) {
  const std::string hash(kSuppressionHashBytes, '\x01');
  EXPECT_FALSE(*this->store_->IsSuppressed(hash));
  WriteSet writes;
  writes.suppressions.push_back(hash);
  ASSERT_TRUE(this->store_->Commit(writes).ok());
  EXPECT_TRUE(*this->store_->IsSuppressed(hash));
  EXPECT_FALSE(*this->store_->IsSuppressed(std::string(kSuppressionHashBytes, '\x02')));
}

TYPED_TEST(StoreTest, SuppressionSaltIs32Bytes) {
  absl::StatusOr<std::string> salt = this->store_->GetSuppressionSalt();
  ASSERT_TRUE(salt.ok()) << salt.status();
  EXPECT_EQ(salt->size(), 32u);
  EXPECT_EQ(*this->store_->GetSuppressionSalt(), *salt);
}

TYPED_TEST(StoreTest, MultiGetProfiles) {
  ASSERT_TRUE(this->CommitProfile(MakeProfile("c1", 1)).ok());
  ASSERT_TRUE(this->CommitProfile(MakeProfile("c3", 3)).ok());
  const std::string c3 = "c3";
  std::vector<absl::StatusOr<nbo::v1::Profile>> profiles =
      this->store_->MultiGetProfiles({"c1", "c2", std::string_view(c3), "c1"});
  ASSERT_EQ(profiles.size(), 4u);
  EXPECT_EQ(profiles[0]->interactions(), 1);
  EXPECT_TRUE(absl::IsNotFound(profiles[1].status()));
  EXPECT_EQ(profiles[2]->interactions(), 3);
  EXPECT_EQ(profiles[3]->customer_id(), "c1");
  EXPECT_TRUE(this->store_->MultiGetProfiles({}).empty());
}

TYPED_TEST(StoreTest, CountersAdd) {
  EXPECT_EQ(*this->store_->GetCounter("value/none"), 0);
  WriteSet writes;
  writes.counter_adds = {{"value/010", 2}, {"value/020", 1}, {"value/010", 3}, {"other", -4}};
  ASSERT_TRUE(this->store_->Commit(writes).ok());
  WriteSet more;
  more.counter_adds = {{"value/020", -1}, {"other", 1}};
  ASSERT_TRUE(this->store_->Commit(more).ok());
  EXPECT_EQ(*this->store_->GetCounter("value/010"), 5);
  EXPECT_EQ(*this->store_->GetCounter("other"), -3);
  absl::StatusOr<std::vector<std::pair<std::string, int64_t>>> listed =
      this->store_->ListCounters("value/");
  ASSERT_TRUE(listed.ok()) << listed.status();
  EXPECT_THAT(*listed, ElementsAre(Pair("value/010", 5), Pair("value/020", 0)));
  EXPECT_THAT(*this->store_->ListCounters(""),
              ElementsAre(Key("other"), Key("value/010"), Key("value/020")));
}

TYPED_TEST(StoreTest, ConcurrentCounterAddsAreNotLost) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([this] {
      for (int i = 0; i < 100; ++i) {
        WriteSet writes;
        writes.counter_adds.emplace_back("n", 1);
        EXPECT_TRUE(this->store_->Commit(writes).ok());
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(*this->store_->GetCounter("n"), 400);
}

TYPED_TEST(StoreTest, RejectsMalformedNewEntriesAndWritesNothing) {
  const nbo::v1::Profile profile = MakeProfile("c1");
  const nbo::v1::DedupeRecord dedupe = MakeDedupe("c1");
  const nbo::v1::DecisionRecord nul_customer = MakeDecisionFor("d1", std::string("c\0x", 3));
  const std::vector<std::pair<std::string, WriteSet>> cases = [&] {
    std::vector<std::pair<std::string, WriteSet>> result;
    auto add = [&](const std::string& expected, auto mutate) {
      WriteSet writes;
      writes.profiles.push_back(&profile);
      mutate(writes);
      result.emplace_back(expected, std::move(writes));
    };
    add("identities[0]: source is empty", [](WriteSet& w) {
      w.identities.push_back({"", "x", "c"});
    });
    add("identities[0]: source contains a NUL", [](WriteSet& w) {
      w.identities.push_back({std::string("a\0b", 3), "x", "c"});
    });
    add("identities[0]: external_id is empty", [](WriteSet& w) {
      w.identities.push_back({"web", "", "c"});
    });
    add("identities[0]: customer_id is empty", [](WriteSet& w) {
      w.identities.push_back({"web", "x", ""});
    });
    add("aliases[0]: absorbed_id equals survivor_id", [](WriteSet& w) {
      w.aliases.push_back({"c", "c"});
    });
    add("dedupe[0]: event_id is empty", [&](WriteSet& w) { w.dedupe.emplace_back("", &dedupe); });
    add("dedupe[0]: record is null", [](WriteSet& w) { w.dedupe.emplace_back("e", nullptr); });
    add("suppressions[0]: hash is 3 bytes", [](WriteSet& w) { w.suppressions.push_back("abc"); });
    add("counter_adds[0]: key is empty", [](WriteSet& w) { w.counter_adds.emplace_back("", 1); });
    add("profile_deletes[0]", [](WriteSet& w) { w.profile_deletes.push_back(""); });
    add("decision_deletes[0]: id is empty", [](WriteSet& w) { w.decision_deletes.push_back({}); });
    add("dedupe_deletes[0]: customer_id contains a NUL", [](WriteSet& w) {
      w.dedupe_deletes.push_back({"e", std::string("c\0", 2)});
    });
    add("identity_deletes[0]", [](WriteSet& w) { w.identity_deletes.push_back({}); });
    add("alias_deletes[0]", [](WriteSet& w) { w.alias_deletes.push_back({"a", ""}); });
    add("decisions[0]: response.customer_id contains a NUL",
        [&](WriteSet& w) { w.decisions.push_back(&nul_customer); });
    return result;
  }();
  for (const auto& [expected, writes] : cases) {
    absl::Status status = this->store_->Commit(writes);
    EXPECT_TRUE(absl::IsInvalidArgument(status)) << expected << ": " << status;
    EXPECT_THAT(std::string(status.message()), ::testing::HasSubstr(expected));
    EXPECT_THAT(std::string(status.message()), ::testing::Not(::testing::HasSubstr("c1")));
  }
  EXPECT_TRUE(absl::IsNotFound(this->store_->GetProfile("c1").status()));
}

TYPED_TEST(StoreTest, StatsReportEstimatedProfiles) {
  ASSERT_TRUE(this->CommitProfile(MakeProfile("c1")).ok());
  EXPECT_THAT(this->store_->Stats(), Contains(Key("estimated_profiles")));
}

}  // namespace
}  // namespace nbo::storage
