// RocksStore behaviour beyond the shared Store contract (store_test.cc): on-disk layout,
// reopening, schema versions, open errors, compaction-time decision expiry and closing.
#include "storage/rocks_store.h"

#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "storage/test_util.h"

namespace nbo::storage {
namespace {

using ::testing::Contains;
using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::Key;
using ::testing::Not;
using ::testing::StartsWith;
using ::testing::UnorderedElementsAre;

class RocksStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_FALSE(dir_.path().empty()); }

  RocksStoreOptions Options() {
    RocksStoreOptions options;
    options.path = db_path_;
    options.block_cache_bytes = 8 << 20;
    options.now = clock_.AsFunction();
    return options;
  }
  std::unique_ptr<RocksStore> OpenOrDie(const RocksStoreOptions& options) {
    absl::StatusOr<std::unique_ptr<RocksStore>> store = RocksStore::Open(options);
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? *std::move(store) : nullptr;
  }
  static absl::Status PutProfile(Store& store, const std::string& customer_id) {
    nbo::v1::Profile profile;
    profile.set_customer_id(customer_id);
    WriteSet writes;
    writes.profiles.push_back(&profile);
    return store.Commit(writes);
  }
  static absl::Status PutDecision(Store& store, const std::string& decision_id, absl::Time expiry) {
    nbo::v1::DecisionRecord record;
    record.mutable_response()->set_decision_id(decision_id);
    record.mutable_expires_at()->set_seconds(absl::ToUnixSeconds(expiry));
    WriteSet writes;
    writes.decisions.push_back(&record);
    return store.Commit(writes);
  }

  testing::FakeClock clock_;
  testing::ScopedTempDir dir_{::testing::TempDir()};
  std::string db_path_ = dir_.path() + "/db";
};

TEST_F(RocksStoreTest, CreatesAllColumnFamilies) {
  ASSERT_TRUE(OpenOrDie(Options())->Close().ok());
  std::vector<std::string> names;
  ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), db_path_, &names).ok());
  EXPECT_THAT(names, UnorderedElementsAre("default", "profiles", "identities", "dedupe",
                                          "decisions", "counters", "meta"));
}

TEST_F(RocksStoreTest, ReopenKeepsData) {
  {
    std::unique_ptr<RocksStore> store = OpenOrDie(Options());
    ASSERT_TRUE(PutProfile(*store, "c1").ok());
    ASSERT_TRUE(store->Close().ok());
  }
  std::unique_ptr<RocksStore> store = OpenOrDie(Options());
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->GetProfile("c1")->customer_id(), "c1");
}

TEST_F(RocksStoreTest, SyncedCommitSurvivesReopenWithoutClose) {
  RocksStoreOptions options = Options();
  options.sync_writes = true;
  {
    std::unique_ptr<RocksStore> store = OpenOrDie(options);
    ASSERT_TRUE(PutProfile(*store, "c1").ok());
  }  // destructor closes
  EXPECT_TRUE(OpenOrDie(options)->GetProfile("c1").ok());
}

TEST_F(RocksStoreTest, OpensDatabaseWithAnUnknownColumnFamily) {
  ASSERT_TRUE(OpenOrDie(Options())->Close().ok());
  {
    std::vector<std::string> names;
    ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), db_path_, &names).ok());
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
    for (const std::string& name : names)
      descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(
        rocksdb::DB::Open(rocksdb::DBOptions(), db_path_, descriptors, &handles, &raw).ok());
    rocksdb::ColumnFamilyHandle* extra = nullptr;
    ASSERT_TRUE(
        raw->CreateColumnFamily(rocksdb::ColumnFamilyOptions(), "from_the_future", &extra).ok());
    handles.push_back(extra);
    for (rocksdb::ColumnFamilyHandle* handle : handles) {
      ASSERT_TRUE(raw->DestroyColumnFamilyHandle(handle).ok());
    }
    ASSERT_TRUE(raw->Close().ok());
    delete raw;
  }
  std::unique_ptr<RocksStore> store = OpenOrDie(Options());
  ASSERT_NE(store, nullptr);
  EXPECT_TRUE(PutProfile(*store, "c1").ok());
}

TEST_F(RocksStoreTest, WritesSchemaVersionOnCreation) {
  std::unique_ptr<RocksStore> store = OpenOrDie(Options());
  EXPECT_EQ(*store->GetMeta("schema_version"), "1");
}

TEST_F(RocksStoreTest, RefusesNewerSchemaVersion) {
  {
    std::unique_ptr<RocksStore> store = OpenOrDie(Options());
    WriteSet writes;
    writes.meta.emplace_back("schema_version", "2");
    ASSERT_TRUE(store->Commit(writes).ok());
  }
  absl::StatusOr<std::unique_ptr<RocksStore>> store = RocksStore::Open(Options());
  ASSERT_TRUE(absl::IsFailedPrecondition(store.status())) << store.status();
  EXPECT_THAT(std::string(store.status().message()),
              StartsWith("data_dir \"" + db_path_ + "\": schema version 2 is newer"));
}

TEST_F(RocksStoreTest, RefusesGarbageSchemaVersion) {
  {
    std::unique_ptr<RocksStore> store = OpenOrDie(Options());
    WriteSet writes;
    writes.meta.emplace_back("schema_version", "two");
    ASSERT_TRUE(store->Commit(writes).ok());
  }
  EXPECT_TRUE(absl::IsDataLoss(RocksStore::Open(Options()).status()));
}

TEST_F(RocksStoreTest, UnusablePathGivesOneLineMessageNamingIt) {
  const std::string file = dir_.path() + "/file";
  std::ofstream(file) << "not a directory";
  RocksStoreOptions options = Options();
  options.path = file + "/db";  // fails even for root
  absl::StatusOr<std::unique_ptr<RocksStore>> store = RocksStore::Open(options);
  ASSERT_TRUE(absl::IsUnavailable(store.status())) << store.status();
  const std::string message(store.status().message());
  EXPECT_THAT(message, StartsWith("data_dir \"" + options.path + "\": IO error: "));
  EXPECT_THAT(message, HasSubstr("Not a directory"));
  EXPECT_THAT(message, Not(HasSubstr("\n")));
}

TEST_F(RocksStoreTest, MissingDatabaseWithoutCreateIfMissingFails) {
  RocksStoreOptions options = Options();
  options.create_if_missing = false;
  absl::StatusOr<std::unique_ptr<RocksStore>> store = RocksStore::Open(options);
  ASSERT_TRUE(absl::IsInvalidArgument(store.status())) << store.status();
  EXPECT_THAT(std::string(store.status().message()), StartsWith("data_dir \"" + db_path_));
}

TEST_F(RocksStoreTest, EmptyPathIsInvalidArgument) {
  RocksStoreOptions options = Options();
  options.path.clear();
  EXPECT_TRUE(absl::IsInvalidArgument(RocksStore::Open(options).status()));
}

TEST_F(RocksStoreTest, SecondOpenOfTheSameDirectoryFailsClearly) {
  std::unique_ptr<RocksStore> first = OpenOrDie(Options());
  ASSERT_NE(first, nullptr);
  absl::StatusOr<std::unique_ptr<RocksStore>> second = RocksStore::Open(Options());
  ASSERT_TRUE(absl::IsUnavailable(second.status())) << second.status();
  EXPECT_THAT(std::string(second.status().message()), StartsWith("data_dir \"" + db_path_));
  EXPECT_THAT(std::string(second.status().message()), EndsWith("is another nbo-server using it?"));
  EXPECT_TRUE(PutProfile(*first, "c1").ok());  // the first instance is unharmed
}

TEST_F(RocksStoreTest, CompactionDropsExpiredDecisions) {
  const absl::Time start = clock_.Now();
  {
    std::unique_ptr<RocksStore> store = OpenOrDie(Options());
    ASSERT_TRUE(PutDecision(*store, "short", start + absl::Hours(1)).ok());
    ASSERT_TRUE(PutDecision(*store, "long", start + absl::Hours(10)).ok());
    clock_.Advance(absl::Hours(2));
    ASSERT_TRUE(store->CompactAll().ok());
    EXPECT_THAT(store->Stats(),
                Contains(std::make_pair(std::string("expired_decisions_dropped"), 1.0)));
    ASSERT_TRUE(store->Close().ok());
  }
  // Back before either expiry: only a physically removed record can read as NotFound now.
  clock_.Set(start);
  std::unique_ptr<RocksStore> store = OpenOrDie(Options());
  EXPECT_TRUE(absl::IsNotFound(store->GetDecision("short").status()));
  EXPECT_TRUE(store->GetDecision("long").ok());
}

TEST_F(RocksStoreTest, ExpiredDecisionStaysOnDiskUntilCompaction) {
  const absl::Time start = clock_.Now();
  {
    std::unique_ptr<RocksStore> store = OpenOrDie(Options());
    ASSERT_TRUE(PutDecision(*store, "short", start + absl::Hours(1)).ok());
    clock_.Advance(absl::Hours(2));
    EXPECT_TRUE(absl::IsNotFound(store->GetDecision("short").status()));
    ASSERT_TRUE(store->Close().ok());
  }
  clock_.Set(start);
  EXPECT_TRUE(OpenOrDie(Options())->GetDecision("short").ok());
}

TEST_F(RocksStoreTest, CloseStopsALongSyncIntervalPromptly) {
  RocksStoreOptions options = Options();
  options.wal_sync_interval = absl::Hours(1);  // a hang here would time the test out
  std::unique_ptr<RocksStore> store = OpenOrDie(options);
  ASSERT_TRUE(PutProfile(*store, "c1").ok());
  EXPECT_TRUE(store->Close().ok());
}

TEST_F(RocksStoreTest, CallsAfterCloseFail) {
  std::unique_ptr<RocksStore> store = OpenOrDie(Options());
  ASSERT_TRUE(store->Close().ok());
  EXPECT_TRUE(store->Close().ok());  // idempotent
  EXPECT_TRUE(absl::IsFailedPrecondition(store->GetProfile("c1").status()));
  EXPECT_TRUE(absl::IsUnavailable(PutProfile(*store, "c1")));
  EXPECT_TRUE(store->Stats().empty());
}

TEST_F(RocksStoreTest, StatsNameEveryMetric) {
  std::unique_ptr<RocksStore> store = OpenOrDie(Options());
  ASSERT_TRUE(PutProfile(*store, "c1").ok());
  ASSERT_TRUE(store->GetProfile("c1").ok());
  const auto stats = store->Stats();
  for (const char* name : {"background_errors", "stall_micros", "block_cache_hit_ratio",
                           "block_cache_usage_bytes", "live_data_bytes", "estimated_profiles",
                           "expired_decisions_dropped", "wal_sync_failures"}) {
    EXPECT_THAT(stats, Contains(Key(name))) << name;
  }
}

}  // namespace
}  // namespace nbo::storage
