#include "server/budget_ledger.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "absl/synchronization/barrier.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/memory_store.h"
#include "storage/rocks_store.h"
#include "storage/test_util.h"

namespace nbo::server {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;

constexpr char kDay[] = "budget/tv_sport/day/2026-11-23/count";
constexpr char kTotal[] = "budget/tv_sport/total/amount";
constexpr char kHour[] = "capacity/retention_desk/hour/2026-11-23T14";
constexpr int kThreads = 8;

// A MemoryStore that counts counter reads, and yields inside them so that concurrent first uses
// of a key overlap the read.
class CountingStore : public storage::MemoryStore {
 public:
  absl::StatusOr<int64_t> GetCounter(std::string_view key) override {
    counter_reads.fetch_add(1);
    for (int i = 0; i < 100; ++i) std::this_thread::yield();
    return MemoryStore::GetCounter(key);
  }
  std::atomic<int> counter_reads{0};
};

// Puts `value` into the store's counter `key`.
void Seed(storage::Store& store, const std::string& key, int64_t value) {
  storage::WriteSet writes;
  writes.counter_adds.emplace_back(key, value);
  ASSERT_TRUE(store.Commit(writes).ok());
}

TEST(BudgetLedgerTest, SpentOfUnknownKeyIsZero) {
  storage::MemoryStore store;
  BudgetLedger ledger(store);
  EXPECT_EQ(ledger.Spent(kDay), 0);
  EXPECT_TRUE(ledger.last_error().ok());
}

TEST(BudgetLedgerTest, TryChargeRespectsTheLimitExactly) {
  storage::MemoryStore store;
  BudgetLedger ledger(store);
  EXPECT_TRUE(ledger.TryCharge(kDay, 2, 5));
  EXPECT_TRUE(ledger.TryCharge(kDay, 3, 5));  // exactly at the limit
  EXPECT_FALSE(ledger.TryCharge(kDay, 1, 5));
  EXPECT_EQ(ledger.Spent(kDay), 5);
  EXPECT_TRUE(ledger.TryCharge(kDay, 1, 6));  // a raised limit admits more
  EXPECT_EQ(ledger.Spent(kDay), 6);
}

TEST(BudgetLedgerTest, RefusedChargeChangesNothing) {
  storage::MemoryStore store;
  BudgetLedger ledger(store);
  ASSERT_TRUE(ledger.TryCharge(kTotal, 900, 1000));
  EXPECT_FALSE(ledger.TryCharge(kTotal, 101, 1000));
  EXPECT_EQ(ledger.Spent(kTotal), 900);
  EXPECT_FALSE(ledger.TryCharge(kTotal, INT64_MAX, INT64_MAX));  // the sum would overflow
  EXPECT_EQ(ledger.Spent(kTotal), 900);
}

TEST(BudgetLedgerTest, RefundGivesCapacityBack) {
  storage::MemoryStore store;
  BudgetLedger ledger(store);
  ASSERT_TRUE(ledger.TryCharge(kHour, 40, 40));
  ASSERT_FALSE(ledger.TryCharge(kHour, 1, 40));
  ledger.Refund(kHour, 1);
  EXPECT_EQ(ledger.Spent(kHour), 39);
  EXPECT_TRUE(ledger.TryCharge(kHour, 1, 40));
}

TEST(BudgetLedgerTest, AddChargesWithoutLimit) {
  storage::MemoryStore store;
  BudgetLedger ledger(store);
  ASSERT_TRUE(ledger.TryCharge(kDay, 5, 5));
  EXPECT_TRUE(ledger.Add(kDay, 3).ok());
  EXPECT_EQ(ledger.Spent(kDay), 8);
  EXPECT_FALSE(ledger.TryCharge(kDay, 1, 5));
}

TEST(BudgetLedgerTest, StartsFromTheStoredCount) {
  storage::MemoryStore store;
  Seed(store, kDay, 498);
  BudgetLedger ledger(store);
  EXPECT_TRUE(ledger.TryCharge(kDay, 2, 500));
  EXPECT_FALSE(ledger.TryCharge(kDay, 1, 500));
  // The ledger never writes: the store still holds what was committed.
  EXPECT_EQ(*store.GetCounter(kDay), 498);
}

TEST(BudgetLedgerTest, EmptyKeyIsInvalidArgument) {
  storage::MemoryStore store;
  BudgetLedger ledger(store);
  EXPECT_EQ(ledger.Get("").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(ledger.TryCharge("", 1, 10));
  EXPECT_EQ(ledger.size(), 0u);
}

TEST(BudgetLedgerTest, ConcurrentChargesNeverExceedTheLimit) {
  storage::MemoryStore store;
  BudgetLedger ledger(store);
  std::atomic<int> charged{0};
  absl::Barrier start(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      start.Block();
      for (int i = 0; i < 1000; ++i) {
        if (ledger.TryCharge(kDay, 1, 1000)) charged.fetch_add(1);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(charged.load(), 1000);
  EXPECT_EQ(ledger.Spent(kDay), 1000);
}

TEST(BudgetLedgerTest, NewKeyIsLoadedFromTheStoreExactlyOnce) {
  CountingStore store;
  Seed(store, kDay, 5);
  BudgetLedger ledger(store);
  std::atomic<int> charged{0};
  absl::Barrier start(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      start.Block();
      if (ledger.TryCharge(kDay, 1, 1'000'000)) charged.fetch_add(1);
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(charged.load(), kThreads);
  EXPECT_EQ(ledger.Spent(kDay), 5 + kThreads);
  EXPECT_EQ(store.counter_reads.load(), 1);
  EXPECT_EQ(ledger.size(), 1u);
}

TEST(BudgetLedgerTest, StoreReadFailureFailsClosedAndIsReported) {
  storage::MemoryStore store;
  Seed(store, kDay, 7);
  BudgetLedger ledger(store);
  store.FailReadsWith(absl::UnavailableError("disk gone"));

  EXPECT_FALSE(ledger.TryCharge(kDay, 1, 1'000'000));
  EXPECT_EQ(ledger.last_error().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(ledger.Charge(kDay, 1, 10).status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(ledger.Add(kDay, 1).code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(ledger.Spent(kDay), 0);

  // The failed load is not remembered: once the store heals the key loads, with nothing from
  // the failed calls counted.
  store.FailReadsWith(absl::OkStatus());
  EXPECT_TRUE(ledger.TryCharge(kDay, 1, 1'000'000));
  EXPECT_EQ(ledger.Spent(kDay), 8);
  EXPECT_EQ(ledger.last_error().code(), absl::StatusCode::kUnavailable);  // still reported
}

TEST(BudgetLedgerTest, LoadedKeysKeepWorkingWhenReadsFail) {
  storage::MemoryStore store;
  BudgetLedger ledger(store);
  ASSERT_TRUE(ledger.TryCharge(kDay, 1, 10));
  store.FailReadsWith(absl::UnavailableError("disk gone"));
  EXPECT_TRUE(ledger.TryCharge(kDay, 1, 10));
  EXPECT_EQ(ledger.Spent(kDay), 2);
  EXPECT_TRUE(ledger.last_error().ok());
}

TEST(RequestBudgetTest, ForwardsToTheLedger) {
  storage::MemoryStore store;
  BudgetLedger ledger(store);
  RequestBudget budget(ledger);
  EXPECT_TRUE(budget.TryCharge(kDay, 2, 2));
  EXPECT_FALSE(budget.TryCharge(kDay, 1, 2));
  EXPECT_EQ(budget.Spent(kDay), 2);
  EXPECT_EQ(ledger.Spent(kDay), 2);
  budget.Commit();
}

TEST(RequestBudgetTest, AddToAppendsNetNonZeroChargesInKeyOrder) {
  storage::MemoryStore store;
  BudgetLedger ledger(store);
  RequestBudget budget(ledger);
  ASSERT_TRUE(budget.TryCharge(kTotal, 1999, 100'000));
  ASSERT_TRUE(budget.TryCharge(kDay, 1, 500));
  ASSERT_TRUE(budget.TryCharge(kDay, 1, 500));
  ASSERT_TRUE(budget.TryCharge(kHour, 1, 40));
  budget.Refund(kHour, 1);  // nets to zero: nothing to write
  ASSERT_TRUE(budget.Add(kDay, 3).ok());
  EXPECT_FALSE(budget.TryCharge(kHour, 41, 40));  // refused: not recorded

  storage::WriteSet writes;
  writes.counter_adds.emplace_back("other/key", 9);  // kept: AddTo appends
  budget.AddTo(writes);
  EXPECT_THAT(writes.counter_adds,
              ElementsAre(Pair("other/key", 9), Pair(kDay, 5), Pair(kTotal, 1999)));
  ASSERT_TRUE(store.Commit(writes).ok());
  budget.Commit();

  EXPECT_EQ(*store.GetCounter(kDay), 5);
  EXPECT_EQ(*store.GetCounter(kTotal), 1999);
  EXPECT_EQ(*store.GetCounter(kHour), 0);
}

TEST(RequestBudgetTest, CommitKeepsTheCharges) {
  storage::MemoryStore store;
  BudgetLedger ledger(store);
  {
    RequestBudget budget(ledger);
    ASSERT_TRUE(budget.TryCharge(kDay, 3, 10));
    budget.Commit();
    storage::WriteSet writes;
    budget.AddTo(writes);  // nothing is pending any more
    EXPECT_THAT(writes.counter_adds, IsEmpty());
  }
  EXPECT_EQ(ledger.Spent(kDay), 3);
}

TEST(RequestBudgetTest, RollbackAfterFailedCommitRestoresTheLedger) {
  storage::MemoryStore store;
  BudgetLedger ledger(store);
  ASSERT_TRUE(ledger.TryCharge(kDay, 4, 10));
  store.FailWritesWith(absl::UnavailableError("disk full"));

  RequestBudget budget(ledger);
  ASSERT_TRUE(budget.TryCharge(kDay, 6, 10));
  ASSERT_TRUE(budget.TryCharge(kTotal, 250, 1000));
  ASSERT_TRUE(budget.Add(kHour, 1).ok());
  storage::WriteSet writes;
  budget.AddTo(writes);
  ASSERT_EQ(store.Commit(writes).code(), absl::StatusCode::kUnavailable);
  budget.Rollback();

  EXPECT_EQ(ledger.Spent(kDay), 4);
  EXPECT_EQ(ledger.Spent(kTotal), 0);
  EXPECT_EQ(ledger.Spent(kHour), 0);
  EXPECT_EQ(*store.GetCounter(kDay), 0);
  EXPECT_TRUE(ledger.TryCharge(kDay, 6, 10));  // the capacity is free again
}

TEST(RequestBudgetTest, DestructorWithoutCommitRollsBack) {
  storage::MemoryStore store;
  BudgetLedger ledger(store);
  {
    RequestBudget budget(ledger);
    ASSERT_TRUE(budget.TryCharge(kDay, 5, 10));
    ASSERT_TRUE(budget.Add(kTotal, 700).ok());
    EXPECT_EQ(ledger.Spent(kDay), 5);  // visible to other requests while pending
  }
  EXPECT_EQ(ledger.Spent(kDay), 0);
  EXPECT_EQ(ledger.Spent(kTotal), 0);
}

TEST(RequestBudgetTest, ReadFailureFailsClosedAndIsKept) {
  storage::MemoryStore store;
  BudgetLedger ledger(store);
  store.FailReadsWith(absl::UnavailableError("disk gone"));
  RequestBudget budget(ledger);
  EXPECT_FALSE(budget.TryCharge(kDay, 1, 10));
  EXPECT_EQ(budget.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(budget.Add(kTotal, 1).code(), absl::StatusCode::kUnavailable);
  storage::WriteSet writes;
  budget.AddTo(writes);
  EXPECT_THAT(writes.counter_adds, IsEmpty());
}

// Many requests at once, each committing its charge to a RocksStore: the limit holds, the store
// agrees with memory, and a new ledger on the reopened store starts where the old one stopped.
TEST(RequestBudgetTest, ConcurrentRequestsPersistAcrossRestart) {
  storage::testing::ScopedTempDir dir(::testing::TempDir());
  ASSERT_FALSE(dir.path().empty());
  storage::RocksStoreOptions options;
  options.path = dir.path() + "/db";
  options.block_cache_bytes = 8 << 20;
  absl::StatusOr<std::unique_ptr<storage::RocksStore>> store = storage::RocksStore::Open(options);
  ASSERT_TRUE(store.ok()) << store.status();

  auto ledger = std::make_unique<BudgetLedger>(**store);
  std::atomic<int> committed{0};
  std::atomic<int> commit_errors{0};
  absl::Barrier start(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      start.Block();
      for (int i = 0; i < 1000; ++i) {
        RequestBudget budget(*ledger);
        if (!budget.TryCharge(kDay, 1, 1000)) continue;  // the destructor has nothing to undo
        storage::WriteSet writes;
        budget.AddTo(writes);
        if ((*store)->Commit(writes).ok()) {
          budget.Commit();
          committed.fetch_add(1);
        } else {
          commit_errors.fetch_add(1);
          budget.Rollback();
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(commit_errors.load(), 0);
  EXPECT_EQ(committed.load(), 1000);
  EXPECT_EQ(ledger->Spent(kDay), 1000);
  absl::StatusOr<int64_t> stored = (*store)->GetCounter(kDay);
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(*stored, 1000);

  ledger.reset();
  ASSERT_TRUE((*store)->Close().ok());
  store->reset();
  store = storage::RocksStore::Open(options);
  ASSERT_TRUE(store.ok()) << store.status();
  BudgetLedger reopened(**store);
  EXPECT_EQ(reopened.Spent(kDay), 1000);
  EXPECT_FALSE(reopened.TryCharge(kDay, 1, 1000));
  ASSERT_TRUE((*store)->Close().ok());
}

}  // namespace
}  // namespace nbo::server
