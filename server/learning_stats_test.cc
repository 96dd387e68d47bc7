#include "server/learning_stats.h"

#include <atomic>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/test_util.h"
#include "core/time_util.h"
#include "gtest/gtest.h"
#include "nbo/v1/record.pb.h"
#include "storage/memory_store.h"
#include "storage/rocks_store.h"
#include "storage/test_util.h"

namespace nbo::server {
namespace {

using core::testing::kT0;

constexpr absl::Duration kHalfLife = absl::Hours(24 * 30);
constexpr double kEps = 1e-9;

class LearningStatsTest : public ::testing::Test {
 protected:
  void Record(v1::Outcome outcome, absl::Time at, v1::Channel channel = v1::CHANNEL_WEB,
              absl::string_view offer = "fibre") {
    stats_.Record("broadband", offer, channel, outcome, at, kHalfLife);
  }
  core::Evidence Get(absl::Time now, v1::Channel channel = v1::CHANNEL_WEB,
                     absl::string_view offer = "fibre") const {
    return stats_.Get("broadband", offer, channel, now, kHalfLife);
  }

  core::FakeClock clock_{kT0};
  LearningStats stats_{clock_};
};

TEST_F(LearningStatsTest, EvidenceHalvesEveryHalfLife) {
  for (int i = 0; i < 10; ++i) Record(v1::OUTCOME_ACCEPTED, kT0);
  EXPECT_NEAR(Get(kT0).accepted, 10, kEps);
  EXPECT_NEAR(Get(kT0 + kHalfLife).accepted, 5, kEps);
  EXPECT_NEAR(Get(kT0 + 2 * kHalfLife).accepted, 2.5, kEps);
  EXPECT_NEAR(Get(kT0 + kHalfLife).rejected, 0, kEps);
}

TEST_F(LearningStatsTest, ARecordAfterTimePassedDecaysTheStoredValueFirst) {
  for (int i = 0; i < 10; ++i) Record(v1::OUTCOME_ACCEPTED, kT0);
  Record(v1::OUTCOME_ACCEPTED, kT0 + kHalfLife);
  EXPECT_NEAR(Get(kT0 + kHalfLife).accepted, 6, kEps);
  EXPECT_NEAR(Get(kT0 + 2 * kHalfLife).accepted, 3, kEps);
}

TEST_F(LearningStatsTest, GetWithoutHalfLifeUsesTheOneSet) {
  stats_.SetHalfLife(absl::Hours(1));
  EXPECT_EQ(stats_.half_life(), absl::Hours(1));
  stats_.Record("broadband", "fibre", v1::CHANNEL_WEB, v1::OUTCOME_DECLINED, kT0, absl::Hours(1));
  const core::EvidenceSource& source = stats_;
  EXPECT_NEAR(source.Get("broadband", "fibre", v1::CHANNEL_WEB, kT0 + absl::Hours(1)).rejected, 0.5,
              kEps);
}

TEST_F(LearningStatsTest, UpdatesTheChannelAndTheAggregate) {
  Record(v1::OUTCOME_ACCEPTED, kT0, v1::CHANNEL_WEB);
  Record(v1::OUTCOME_DECLINED, kT0, v1::CHANNEL_CALL_CENTRE);
  Record(v1::OUTCOME_IGNORED, kT0, v1::CHANNEL_CALL_CENTRE);
  EXPECT_NEAR(Get(kT0, v1::CHANNEL_WEB).accepted, 1, kEps);
  EXPECT_NEAR(Get(kT0, v1::CHANNEL_WEB).rejected, 0, kEps);
  EXPECT_NEAR(Get(kT0, v1::CHANNEL_CALL_CENTRE).accepted, 0, kEps);
  EXPECT_NEAR(Get(kT0, v1::CHANNEL_CALL_CENTRE).rejected, 2, kEps);
  EXPECT_NEAR(Get(kT0, v1::CHANNEL_UNSPECIFIED).accepted, 1, kEps);
  EXPECT_NEAR(Get(kT0, v1::CHANNEL_UNSPECIFIED).rejected, 2, kEps);
  EXPECT_EQ(Get(kT0, v1::CHANNEL_SMS).total(), 0);
  EXPECT_EQ(Get(kT0, v1::CHANNEL_WEB, "tv").total(), 0);
  EXPECT_EQ(stats_.entry_count(), 3u);
}

TEST_F(LearningStatsTest, AnOutcomeWithoutChannelCountsInTheAggregateOnly) {
  Record(v1::OUTCOME_ACCEPTED, kT0, v1::CHANNEL_UNSPECIFIED);
  Record(v1::OUTCOME_ACCEPTED, kT0, static_cast<v1::Channel>(99));
  EXPECT_NEAR(Get(kT0, v1::CHANNEL_UNSPECIFIED).accepted, 2, kEps);
  EXPECT_EQ(stats_.entry_count(), 1u);
}

TEST_F(LearningStatsTest, PresentedChangesNothing) {
  Record(v1::OUTCOME_PRESENTED, kT0);
  Record(v1::OUTCOME_UNSPECIFIED, kT0);
  EXPECT_EQ(Get(kT0).total(), 0);
  EXPECT_EQ(Get(kT0, v1::CHANNEL_UNSPECIFIED).total(), 0);
  EXPECT_EQ(stats_.entry_count(), 0u);
}

TEST_F(LearningStatsTest, ALateOutcomeDoesNotMoveTimeBackwards) {
  Record(v1::OUTCOME_ACCEPTED, kT0 + kHalfLife);
  // Reported late: it happened one half-life before the entry's as_of, so it weighs 0.5 there.
  Record(v1::OUTCOME_ACCEPTED, kT0);
  EXPECT_NEAR(Get(kT0 + kHalfLife).accepted, 1.5, kEps);
  EXPECT_NEAR(Get(kT0 + 2 * kHalfLife).accepted, 0.75, kEps);
  // Reading before as_of never grows the value.
  EXPECT_NEAR(Get(kT0).accepted, 1.5, kEps);
  // The next in-time outcome decays from as_of, not from the late outcome's time.
  Record(v1::OUTCOME_ACCEPTED, kT0 + 2 * kHalfLife);
  EXPECT_NEAR(Get(kT0 + 2 * kHalfLife).accepted, 1.75, kEps);
}

TEST_F(LearningStatsTest, ConcurrentRecordsAreCountedExactly) {
  constexpr int kThreads = 8, kPerThread = 2000;
  const std::vector<std::string> offers = {"fibre", "tv", "bb"};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const v1::Outcome outcome = i % 4 == 0 ? v1::OUTCOME_ACCEPTED : v1::OUTCOME_DECLINED;
        const v1::Channel channel = (i + t) % 2 == 0 ? v1::CHANNEL_WEB : v1::CHANNEL_SMS;
        Record(outcome, kT0, channel, offers[i % offers.size()]);
        Get(kT0, channel, offers[(i + 1) % offers.size()]);  // readers meanwhile
      }
    });
  }
  for (std::thread& th : threads) th.join();
  double accepted = 0, rejected = 0, channel_total = 0;
  for (const std::string& offer : offers) {
    const core::Evidence all = Get(kT0, v1::CHANNEL_UNSPECIFIED, offer);
    accepted += all.accepted;
    rejected += all.rejected;
    channel_total += Get(kT0, v1::CHANNEL_WEB, offer).total();
    channel_total += Get(kT0, v1::CHANNEL_SMS, offer).total();
  }
  EXPECT_EQ(accepted, kThreads * kPerThread / 4);
  EXPECT_EQ(rejected, kThreads * kPerThread * 3 / 4);
  EXPECT_EQ(channel_total, kThreads * kPerThread);
  EXPECT_EQ(stats_.entry_count(), 9u);
}

// The same evidence, read back from `restored`.
void ExpectSameEvidence(const LearningStats& restored, absl::Time now) {
  for (v1::Channel channel : {v1::CHANNEL_UNSPECIFIED, v1::CHANNEL_WEB, v1::CHANNEL_SMS}) {
    const core::Evidence e = restored.Get("broadband", "fibre", channel, now, kHalfLife);
    SCOPED_TRACE(channel);
    switch (channel) {
      case v1::CHANNEL_WEB:
        EXPECT_NEAR(e.accepted, 1, kEps);
        EXPECT_NEAR(e.rejected, 0.5, kEps);
        break;
      case v1::CHANNEL_SMS:
        EXPECT_NEAR(e.accepted, 0, kEps);
        EXPECT_NEAR(e.rejected, 1, kEps);
        break;
      default:
        EXPECT_NEAR(e.accepted, 1, kEps);
        EXPECT_NEAR(e.rejected, 1.5, kEps);
    }
  }
  EXPECT_EQ(restored.entry_count(), 3u);
}

// Writes the evidence ExpectSameEvidence reads (at kT0 + kHalfLife) and flushes it to `store`.
void RecordAndFlush(LearningStats& stats, storage::Store& store) {
  stats.Record("broadband", "fibre", v1::CHANNEL_WEB, v1::OUTCOME_DECLINED, kT0, kHalfLife);
  stats.Record("broadband", "fibre", v1::CHANNEL_WEB, v1::OUTCOME_ACCEPTED, kT0 + kHalfLife,
               kHalfLife);
  stats.Record("broadband", "fibre", v1::CHANNEL_SMS, v1::OUTCOME_IGNORED, kT0 + kHalfLife,
               kHalfLife);
  ASSERT_TRUE(stats.Flush(store).ok());
}

TEST_F(LearningStatsTest, FlushAndRestoreRoundTripThroughAMemoryStore) {
  storage::MemoryStore store;
  RecordAndFlush(stats_, store);
  v1::LearningSnapshot snapshot;
  ASSERT_TRUE(snapshot.ParseFromString(*store.GetMeta(kLearningSnapshotKey)));
  EXPECT_EQ(snapshot.entries_size(), 3);
  EXPECT_EQ(core::FromProto(snapshot.taken_at()), kT0);

  LearningStats restored(clock_);
  ASSERT_TRUE(restored.Restore(store).ok());
  ExpectSameEvidence(restored, kT0 + kHalfLife);
  // Restoring replaces what was there.
  restored.Record("everyone", "bb", v1::CHANNEL_WEB, v1::OUTCOME_ACCEPTED, kT0, kHalfLife);
  ASSERT_TRUE(restored.Restore(store).ok());
  ExpectSameEvidence(restored, kT0 + kHalfLife);
}

TEST_F(LearningStatsTest, FlushAndRestoreRoundTripThroughARocksStore) {
  storage::testing::ScopedTempDir dir(::testing::TempDir());
  ASSERT_FALSE(dir.path().empty());
  storage::RocksStoreOptions options;
  options.path = dir.path() + "/db";
  options.now = [this] { return clock_.Now(); };
  {
    auto store = storage::RocksStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    RecordAndFlush(stats_, **store);
    ASSERT_TRUE((*store)->Close().ok());
  }
  auto reopened = storage::RocksStore::Open(options);
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  LearningStats restored(clock_);
  ASSERT_TRUE(restored.Restore(**reopened).ok());
  ExpectSameEvidence(restored, kT0 + kHalfLife);
  ASSERT_TRUE((*reopened)->Close().ok());
}

TEST_F(LearningStatsTest, NoSnapshotRestoresEmpty) {
  storage::MemoryStore store;
  EXPECT_TRUE(stats_.Restore(store).ok());
  EXPECT_EQ(stats_.entry_count(), 0u);
}

TEST_F(LearningStatsTest, CorruptSnapshotIsDataLossAndLeavesTheStatsEmptyAndUsable) {
  storage::MemoryStore store;
  storage::WriteSet writes;
  writes.meta.emplace_back(kLearningSnapshotKey, std::string("\xff\xff\xff garbage", 12));
  ASSERT_TRUE(store.Commit(writes).ok());
  Record(v1::OUTCOME_ACCEPTED, kT0);

  EXPECT_EQ(stats_.Restore(store).code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(stats_.entry_count(), 0u);
  EXPECT_EQ(Get(kT0).total(), 0);
  Record(v1::OUTCOME_ACCEPTED, kT0);
  EXPECT_NEAR(Get(kT0).accepted, 1, kEps);
  // The next flush replaces the corrupt snapshot.
  ASSERT_TRUE(stats_.Flush(store).ok());
  LearningStats restored(clock_);
  EXPECT_TRUE(restored.Restore(store).ok());
  EXPECT_EQ(restored.entry_count(), 2u);
}

TEST_F(LearningStatsTest, InvalidSnapshotEntriesAreSkipped) {
  v1::LearningSnapshot snapshot;
  auto add = [&](std::string segment, std::string offer, int channel, double accepted) {
    v1::LearningEntry* e = snapshot.add_entries();
    e->set_segment_id(std::move(segment));
    e->set_offer_id(std::move(offer));
    e->set_channel(static_cast<v1::Channel>(channel));
    e->set_accepted(accepted);
    core::ToProto(kT0, e->mutable_as_of());
    return e;
  };
  add("broadband", "fibre", v1::CHANNEL_WEB, 3);
  add("", "fibre", v1::CHANNEL_WEB, 1);
  add("broadband", "fibre", 42, 1);
  add("broadband", "tv", v1::CHANNEL_WEB, -1);
  add("broadband", "bb", v1::CHANNEL_WEB, std::numeric_limits<double>::quiet_NaN());
  add("broadband", "loyal", v1::CHANNEL_WEB, 1)->clear_as_of();
  storage::MemoryStore store;
  storage::WriteSet writes;
  writes.meta.emplace_back(kLearningSnapshotKey, snapshot.SerializeAsString());
  ASSERT_TRUE(store.Commit(writes).ok());

  ASSERT_TRUE(stats_.Restore(store).ok());
  EXPECT_EQ(stats_.entry_count(), 1u);
  EXPECT_NEAR(Get(kT0).accepted, 3, kEps);
}

TEST_F(LearningStatsTest, FlushForgetsEvidenceThatDecayedAway) {
  storage::MemoryStore store;
  Record(v1::OUTCOME_ACCEPTED, kT0, v1::CHANNEL_WEB, "old");
  clock_.Advance(25 * kHalfLife);  // 2^-25 < kLearningForgetBelow
  Record(v1::OUTCOME_ACCEPTED, clock_.Now(), v1::CHANNEL_WEB, "new");
  stats_.SetHalfLife(kHalfLife);
  ASSERT_TRUE(stats_.Flush(store).ok());
  EXPECT_EQ(stats_.entry_count(), 2u);  // "new" on the web and in the aggregate
  EXPECT_EQ(Get(clock_.Now(), v1::CHANNEL_WEB, "old").total(), 0);
  EXPECT_NEAR(Get(clock_.Now(), v1::CHANNEL_WEB, "new").accepted, 1, kEps);
}

TEST_F(LearningStatsTest, FlushWritesOnlyWhenSomethingChanged) {
  storage::MemoryStore store;
  ASSERT_TRUE(stats_.Flush(store).ok());  // empty, as restored: nothing to write
  EXPECT_EQ(store.commit_count(), 0);
  Record(v1::OUTCOME_ACCEPTED, kT0);
  ASSERT_TRUE(stats_.Flush(store).ok());
  EXPECT_EQ(store.commit_count(), 1);
  ASSERT_TRUE(stats_.Flush(store).ok());
  EXPECT_EQ(store.commit_count(), 1);
  Record(v1::OUTCOME_PRESENTED, kT0);  // no change
  ASSERT_TRUE(stats_.Flush(store).ok());
  EXPECT_EQ(store.commit_count(), 1);
  Record(v1::OUTCOME_DECLINED, kT0);
  ASSERT_TRUE(stats_.Flush(store).ok());
  EXPECT_EQ(store.commit_count(), 2);

  LearningStats restored(clock_);
  ASSERT_TRUE(restored.Restore(store).ok());
  ASSERT_TRUE(restored.Flush(store).ok());  // the same as on disk
  EXPECT_EQ(store.commit_count(), 2);
}

TEST_F(LearningStatsTest, AFailedFlushReturnsTheStoreErrorAndKeepsTheEvidence) {
  storage::MemoryStore store;
  Record(v1::OUTCOME_ACCEPTED, kT0);
  store.FailWritesWith(absl::UnavailableError("disk full"));
  EXPECT_EQ(stats_.Flush(store).code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(stats_.entry_count(), 2u);
  store.FailWritesWith(absl::OkStatus());
  EXPECT_TRUE(stats_.Flush(store).ok());  // writes what the failed flush did not
  EXPECT_EQ(store.commit_count(), 1);
  LearningStats restored(clock_);
  ASSERT_TRUE(restored.Restore(store).ok());
  EXPECT_NEAR(restored.Get("broadband", "fibre", v1::CHANNEL_WEB, kT0, kHalfLife).accepted, 1,
              kEps);
}

// "segment/offer" of each pair, in order.
std::vector<std::string> Names(const std::vector<PairEvidence>& pairs) {
  std::vector<std::string> names;
  for (const PairEvidence& p : pairs) names.push_back(p.segment_id + "/" + p.offer_id);
  return names;
}

// Records `n` outcomes of (segment, offer) at `at`, one accepted in every `accept_every`.
void RecordMany(LearningStats& stats, absl::string_view segment, absl::string_view offer, int n,
                absl::Time at, int accept_every = 2, v1::Channel channel = v1::CHANNEL_WEB) {
  for (int i = 0; i < n; ++i) {
    stats.Record(segment, offer, channel,
                 i % accept_every == 0 ? v1::OUTCOME_ACCEPTED : v1::OUTCOME_DECLINED, at,
                 kHalfLife);
  }
}

TEST_F(LearningStatsTest, TopByEvidenceRanksPairsByTheirEvidenceOverEveryChannel) {
  stats_.SetHalfLife(kHalfLife);
  RecordMany(stats_, "broadband", "tv", 3, kT0, 3, v1::CHANNEL_WEB);
  RecordMany(stats_, "broadband", "tv", 4, kT0, 4, v1::CHANNEL_SMS);  // 7 over both channels
  RecordMany(stats_, "everyone", "bb", 5, kT0);
  RecordMany(stats_, "broadband", "fibre", 5, kT0);  // ties with everyone/bb: ids decide
  RecordMany(stats_, "everyone", "tv", 1, kT0);
  stats_.Record("everyone", "fibre", v1::CHANNEL_WEB, v1::OUTCOME_PRESENTED, kT0, kHalfLife);

  const std::vector<PairEvidence> top = stats_.TopByEvidence(10);
  EXPECT_EQ(Names(top), (std::vector<std::string>{"broadband/tv", "broadband/fibre", "everyone/bb",
                                                  "everyone/tv"}));
  ASSERT_EQ(top.size(), 4u);
  EXPECT_NEAR(top[0].evidence.accepted, 2, kEps);  // 1 of 3 on the web, 1 of 4 by SMS
  EXPECT_NEAR(top[0].evidence.rejected, 5, kEps);
  EXPECT_NEAR(top[3].evidence.total(), 1, kEps);
}

TEST_F(LearningStatsTest, TopByEvidenceReturnsAtMostK) {
  for (int i = 0; i < 30; ++i) RecordMany(stats_, "broadband", absl::StrCat("o", i), i + 1, kT0);
  const std::vector<PairEvidence> top = stats_.TopByEvidence(3);
  EXPECT_EQ(Names(top),
            (std::vector<std::string>{"broadband/o29", "broadband/o28", "broadband/o27"}));
  EXPECT_TRUE(stats_.TopByEvidence(0).empty());
  EXPECT_EQ(stats_.TopByEvidence(100).size(), 30u);
}

TEST_F(LearningStatsTest, TopByEvidenceDecaysEveryPairToNow) {
  stats_.SetHalfLife(kHalfLife);
  RecordMany(stats_, "broadband", "fibre", 8, kT0);
  RecordMany(stats_, "broadband", "tv", 3, kT0 + 3 * kHalfLife);
  clock_.Set(kT0 + 3 * kHalfLife);
  const std::vector<PairEvidence> top = stats_.TopByEvidence(2);
  // fibre's 8 outcomes have halved three times since: 1 against tv's 3.
  EXPECT_EQ(Names(top), (std::vector<std::string>{"broadband/tv", "broadband/fibre"}));
  ASSERT_EQ(top.size(), 2u);
  EXPECT_NEAR(top[1].evidence.total(), 1, kEps);
  EXPECT_NEAR(top[1].evidence.accepted, 0.5, kEps);
}

TEST_F(LearningStatsTest, TopByEvidenceListsOnlyPairsTheFilterKeeps) {
  RecordMany(stats_, "broadband", "retired", 50, kT0);
  RecordMany(stats_, "broadband", "fibre", 5, kT0);
  RecordMany(stats_, "old_segment", "fibre", 40, kT0);
  RecordMany(stats_, "broadband", "tv", 2, kT0);
  const std::vector<PairEvidence> top =
      stats_.TopByEvidence(2, [](absl::string_view segment, absl::string_view offer) {
        return segment == "broadband" && offer != "retired";
      });
  EXPECT_EQ(Names(top), (std::vector<std::string>{"broadband/fibre", "broadband/tv"}));
}

TEST_F(LearningStatsTest, TopByEvidenceIsConsistentWhileAWriterRecords) {
  constexpr int kPairs = 40, kRounds = 100, kK = 10;
  std::atomic<bool> done{false};
  // The writer gives pair i (i + 1) outcomes per round, so the final order is known.
  std::thread writer([&] {
    for (int round = 0; round < kRounds; ++round) {
      for (int i = 0; i < kPairs; ++i) {
        RecordMany(stats_, "broadband", absl::StrCat("o", i), i + 1, kT0, 2,
                   round % 2 == 0 ? v1::CHANNEL_WEB : v1::CHANNEL_SMS);
      }
    }
    done.store(true);
  });
  int reads = 0;
  // Bounded: stops when the writer is done, or after 100000 reads on a very slow machine.
  for (; !done.load() && reads < 100000; ++reads) {
    const std::vector<PairEvidence> top = stats_.TopByEvidence(kK);
    // EXPECT and break, not ASSERT: returning would leave the writer thread unjoined.
    EXPECT_LE(top.size(), static_cast<size_t>(kK));
    for (size_t i = 1; i < top.size(); ++i) {
      EXPECT_GE(top[i - 1].evidence.total(), top[i].evidence.total());
      EXPECT_NE(top[i - 1].offer_id, top[i].offer_id);
    }
    if (HasFailure()) break;
  }
  writer.join();
  const std::vector<PairEvidence> top = stats_.TopByEvidence(kK);
  ASSERT_EQ(top.size(), static_cast<size_t>(kK));
  for (int i = 0; i < kK; ++i) {
    EXPECT_EQ(top[i].offer_id, absl::StrCat("o", kPairs - 1 - i));
    EXPECT_EQ(top[i].evidence.total(), (kPairs - i) * kRounds);
  }
}

}  // namespace
}  // namespace nbo::server
