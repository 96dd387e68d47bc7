// RocksStore behaviour beyond the shared Store contract (store_test.cc): on-disk layout,
// reopening, schema versions, open errors, compaction-time decision expiry and closing.
#include "storage/rocks_store.h"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
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
                                          "decisions", "counters", "meta", "customer_index"));
}

// A database as the first build wrote it: the original six column families only.
TEST_F(RocksStoreTest, AddsCustomerIndexToADatabaseFromBeforeIt) {
  {
    rocksdb::DBOptions db_options;
    db_options.create_if_missing = true;
    db_options.create_missing_column_families = true;
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
    for (const char* name :
         {"default", "profiles", "identities", "dedupe", "decisions", "counters", "meta"}) {
      descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
    }
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(db_options, db_path_, descriptors, &handles, &raw).ok());
    ASSERT_TRUE(raw->Put(rocksdb::WriteOptions(), handles[1], "old", "").ok());  // a profile
    ASSERT_TRUE(raw->Put(rocksdb::WriteOptions(), handles[6], "schema_version", "1").ok());
    for (rocksdb::ColumnFamilyHandle* handle : handles) {
      ASSERT_TRUE(raw->DestroyColumnFamilyHandle(handle).ok());
    }
    ASSERT_TRUE(raw->Close().ok());
    delete raw;
  }
  std::unique_ptr<RocksStore> store = OpenOrDie(Options());
  ASSERT_NE(store, nullptr);
  EXPECT_TRUE(store->GetProfile("old").ok());
  EXPECT_EQ(store->GetSuppressionSalt()->size(), 32u);
  nbo::v1::DecisionRecord record;
  record.mutable_response()->set_decision_id("d1");
  record.mutable_response()->set_customer_id("c1");
  WriteSet writes;
  writes.decisions.push_back(&record);
  writes.identities.push_back({"web", "w1", "c1"});
  ASSERT_TRUE(store->Commit(writes).ok());
  EXPECT_THAT(store->ListCustomerRecords("c1")->decision_ids, ::testing::ElementsAre("d1"));
  ASSERT_TRUE(store->Close().ok());
  std::vector<std::string> names;
  ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), db_path_, &names).ok());
  EXPECT_THAT(names, Contains("customer_index"));
}

TEST_F(RocksStoreTest, SuppressionSaltComesFromTheRandomSourceOnceAndIsKept) {
  RocksStoreOptions options = Options();
  int calls = 0;
  options.random_bytes = [&calls](size_t n) {
    ++calls;
    return std::string(n, 'r');
  };
  {
    std::unique_ptr<RocksStore> store = OpenOrDie(options);
    EXPECT_EQ(*store->GetSuppressionSalt(), std::string(32, 'r'));
    ASSERT_TRUE(store->Close().ok());
  }
  options.random_bytes = [](size_t n) { return std::string(n, 'x'); };
  EXPECT_EQ(*OpenOrDie(options)->GetSuppressionSalt(), std::string(32, 'r'));
  EXPECT_EQ(calls, 1);
}

TEST_F(RocksStoreTest, DefaultSaltsDifferBetweenDatabases) {
  std::string first;
  {
    std::unique_ptr<RocksStore> store = OpenOrDie(Options());
    first = *store->GetSuppressionSalt();
  }
  testing::ScopedTempDir other_dir(::testing::TempDir());
  RocksStoreOptions options = Options();
  options.path = other_dir.path() + "/db";
  EXPECT_NE(*OpenOrDie(options)->GetSuppressionSalt(), first);
}

TEST_F(RocksStoreTest, ShortRandomSourceFailsOpen) {
  RocksStoreOptions options = Options();
  options.random_bytes = [](size_t) { return std::string("short"); };
  EXPECT_TRUE(absl::IsInternal(RocksStore::Open(options).status()));
}

TEST_F(RocksStoreTest, CountersSurviveCompactionAndReopen) {
  {
    std::unique_ptr<RocksStore> store = OpenOrDie(Options());
    for (int i = 0; i < 3; ++i) {
      WriteSet writes;
      writes.counter_adds.emplace_back("n", 10);
      ASSERT_TRUE(store->Commit(writes).ok());
      ASSERT_TRUE(store->CompactAll().ok());
    }
    ASSERT_TRUE(store->Close().ok());
  }
  EXPECT_EQ(*OpenOrDie(Options())->GetCounter("n"), 30);
}

TEST_F(RocksStoreTest, CompactionDropsExpiredDedupeAndIndexEntries) {
  const absl::Time start = clock_.Now();
  {
    std::unique_ptr<RocksStore> store = OpenOrDie(Options());
    nbo::v1::DecisionRecord decision;
    decision.mutable_response()->set_decision_id("d-short");
    decision.mutable_response()->set_customer_id("c1");
    decision.mutable_expires_at()->set_seconds(absl::ToUnixSeconds(start + absl::Hours(1)));
    nbo::v1::DedupeRecord short_dedupe;
    short_dedupe.set_customer_id("c1");
    short_dedupe.mutable_expires_at()->set_seconds(absl::ToUnixSeconds(start + absl::Hours(1)));
    nbo::v1::DedupeRecord long_dedupe = short_dedupe;
    long_dedupe.mutable_expires_at()->set_seconds(absl::ToUnixSeconds(start + absl::Hours(10)));
    WriteSet writes;
    writes.decisions.push_back(&decision);
    writes.dedupe = {{"e-short", &short_dedupe}, {"e-long", &long_dedupe}};
    writes.identities.push_back({"web", "w1", "c1"});  // never expires
    ASSERT_TRUE(store->Commit(writes).ok());
    clock_.Advance(absl::Hours(2));
    ASSERT_TRUE(store->CompactAll().ok());
    EXPECT_THAT(store->Stats(),
                Contains(std::make_pair(std::string("expired_dedupe_dropped"), 1.0)));
    ASSERT_TRUE(store->Close().ok());
  }
  // Back before any expiry: only physically removed records and entries are missing now.
  clock_.Set(start);
  std::unique_ptr<RocksStore> store = OpenOrDie(Options());
  EXPECT_TRUE(absl::IsNotFound(store->GetDedupe("e-short").status()));
  EXPECT_TRUE(store->GetDedupe("e-long").ok());
  absl::StatusOr<CustomerRecords> records = store->ListCustomerRecords("c1");
  ASSERT_TRUE(records.ok());
  EXPECT_THAT(records->decision_ids, ::testing::IsEmpty());
  EXPECT_THAT(records->event_ids, ::testing::ElementsAre("e-long"));
  EXPECT_THAT(records->identities, ::testing::ElementsAre(IdentityRef{"web", "w1"}));
}

// Every file under `dir` (recursively) whose bytes contain `needle`.
std::vector<std::string> FilesContaining(const std::string& dir, const std::string& needle) {
  std::vector<std::string> found;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (bytes.find(needle) != std::string::npos) found.push_back(entry.path().filename());
  }
  return found;
}

TEST_F(RocksStoreTest, PurgeDeletedLeavesNoTraceOfAnErasedCustomerInAnyFile) {
  const std::string erased = "c-erase-me-7731";
  const std::string secret = "L-secret-99";
  std::unique_ptr<RocksStore> store = OpenOrDie(Options());
  ASSERT_NE(store, nullptr);
  // Several generations of data, so that the customer is in SSTs, the MANIFEST and the WAL.
  for (int round = 0; round < 3; ++round) {
    std::vector<nbo::v1::Profile> profiles(3);
    std::vector<nbo::v1::DecisionRecord> decisions(3);
    std::vector<nbo::v1::DedupeRecord> dedupe(3);
    WriteSet writes;
    const std::string customers[] = {erased, "c-keep-1", "c-keep-2"};
    for (int i = 0; i < 3; ++i) {
      const std::string& customer = customers[i];
      const std::string suffix = customer + "-" + std::to_string(round);
      profiles[i].set_customer_id(customer);
      profiles[i].set_interactions(round);
      profiles[i].add_merged_ids(customer + "-old");
      decisions[i].mutable_response()->set_decision_id("d-" + suffix);
      decisions[i].mutable_response()->set_customer_id(customer);
      decisions[i].set_event_id("ev-" + suffix);
      dedupe[i].set_customer_id(customer);
      writes.profiles.push_back(&profiles[i]);
      writes.decisions.push_back(&decisions[i]);
      writes.dedupe.emplace_back("ev-" + suffix, &dedupe[i]);
    }
    writes.identities.push_back({"loyalty", secret, erased});
    writes.identities.push_back({"loyalty", "L-keep-1", "c-keep-1"});
    writes.aliases.push_back({erased + "-old", erased});
    writes.aliases.push_back({"c-keep-2-old", "c-keep-2"});
    ASSERT_TRUE(store->Commit(writes).ok());
    if (round < 2) {
      ASSERT_TRUE(store->CompactAll().ok());  // into SSTs and the MANIFEST
    }
  }
  ASSERT_THAT(FilesContaining(db_path_, erased), Not(::testing::IsEmpty()));
  ASSERT_THAT(FilesContaining(db_path_, secret), Not(::testing::IsEmpty()));

  absl::StatusOr<CustomerRecords> records = store->ListCustomerRecords(erased);
  ASSERT_TRUE(records.ok());
  EXPECT_EQ(records->decision_ids.size(), 3u);
  EXPECT_EQ(records->event_ids.size(), 3u);
  WriteSet forget;
  forget.profile_deletes.push_back(erased);
  for (const std::string& id : records->decision_ids)
    forget.decision_deletes.push_back({id, erased});
  for (const std::string& id : records->event_ids) forget.dedupe_deletes.push_back({id, erased});
  for (const IdentityRef& ref : records->identities) {
    forget.identity_deletes.push_back({ref.source, ref.external_id, erased});
  }
  for (const std::string& id : records->aliases) forget.alias_deletes.push_back({id, erased});
  ASSERT_TRUE(store->Commit(forget).ok());
  ASSERT_TRUE(store->PurgeDeleted().ok());

  EXPECT_THAT(FilesContaining(db_path_, erased), ::testing::IsEmpty());
  EXPECT_THAT(FilesContaining(db_path_, secret), ::testing::IsEmpty());
  // Everyone else is intact, now and after a reopen.
  for (int pass = 0; pass < 2; ++pass) {
    EXPECT_TRUE(absl::IsNotFound(store->GetProfile(erased).status()));
    EXPECT_TRUE(absl::IsNotFound(store->GetIdentity("loyalty", secret).status()));
    EXPECT_EQ(store->GetProfile("c-keep-1")->interactions(), 2);
    EXPECT_EQ(*store->GetIdentity("loyalty", "L-keep-1"), "c-keep-1");
    EXPECT_EQ(*store->GetAlias("c-keep-2-old"), "c-keep-2");
    EXPECT_TRUE(store->GetDecision("d-c-keep-2-0").ok());
    EXPECT_TRUE(store->GetDedupe("ev-c-keep-1-1").ok());
    EXPECT_EQ(store->ListCustomerRecords("c-keep-1")->decision_ids.size(), 3u);
    if (pass == 0) {
      ASSERT_TRUE(store->Close().ok());
      store = OpenOrDie(Options());
      ASSERT_NE(store, nullptr);
    }
  }
  ASSERT_TRUE(store->Close().ok());
  EXPECT_THAT(FilesContaining(db_path_, erased), ::testing::IsEmpty());
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
  for (const char* name :
       {"background_errors", "stall_micros", "block_cache_hit_ratio", "block_cache_usage_bytes",
        "live_data_bytes", "estimated_profiles", "expired_decisions_dropped",
        "expired_dedupe_dropped", "wal_sync_failures", "written_bytes", "wal_written_bytes",
        "flush_written_bytes", "compaction_read_bytes", "compaction_written_bytes"}) {
    EXPECT_THAT(stats, Contains(Key(name))) << name;
  }
}

TEST_F(RocksStoreTest, StatsCountTheBytesWrittenFlushedAndCompacted) {
  std::unique_ptr<RocksStore> store = OpenOrDie(Options());
  auto stat = [&store](absl::string_view name) {
    for (const auto& [n, value] : store->Stats()) {
      if (n == name) return value;
    }
    return -1.0;
  };
  const double written_at_open = stat("written_bytes");  // the store's own meta records
  ASSERT_GE(written_at_open, 0);
  EXPECT_EQ(stat("compaction_written_bytes"), 0);
  // Two generations of the same profiles, each flushed to its own file, then merged.
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < 50; ++i) ASSERT_TRUE(PutProfile(*store, absl::StrCat("c", i)).ok());
    ASSERT_TRUE(store->CompactAll().ok());
  }
  EXPECT_GT(stat("written_bytes") - written_at_open, 100 * 10);  // 100 profiles and their keys
  EXPECT_GE(stat("wal_written_bytes"), stat("written_bytes"));
  EXPECT_GT(stat("flush_written_bytes"), 0);
  EXPECT_GT(stat("compaction_read_bytes"), 0);
  EXPECT_GT(stat("compaction_written_bytes"), 0);
}

}  // namespace
}  // namespace nbo::storage
