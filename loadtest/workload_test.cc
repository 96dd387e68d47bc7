#include "loadtest/workload.h"

#include <map>
#include <set>

#include "core/request_validation.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace nbo::loadtest {
namespace {

std::unique_ptr<Workload> MakeWorkload(CustomerRefKind ref = CustomerRefKind::kIdentity) {
  WorkloadOptions o;
  o.customers = 10000;
  o.run_id = "t1";
  o.customer_ref = ref;
  auto w = Workload::Create(o);
  EXPECT_TRUE(w.ok()) << w.status();
  return *std::move(w);
}

const absl::Time kNow = absl::FromUnixSeconds(1795000000);

TEST(WorkloadTest, EventKindSharesFollowTheMix) {
  auto w = MakeWorkload();
  SplitMix64 rng(3);
  std::map<v1::Event::KindCase, int> kinds;
  constexpr int kDraws = 50000;
  v1::DecideRequest r;
  for (int i = 0; i < kDraws; ++i) {
    w->FillDecide(rng, i, kNow, r);
    ++kinds[r.event().kind_case()];
  }
  double total = 0;
  for (const KindShare& ks : DecideMix()) {
    total += ks.share;
    EXPECT_NEAR(static_cast<double>(kinds[ks.kind]) / kDraws, ks.share, 0.01) << ks.kind;
  }
  EXPECT_NEAR(total, 1.0, 1e-9);
}

TEST(WorkloadTest, ChannelsAreMostlyWebThenAppAndCallCentre) {
  auto w = MakeWorkload();
  std::map<v1::Channel, int> channels;
  for (const auto& t : w->templates()) ++channels[t.event().channel()];
  const double n = static_cast<double>(w->templates().size());
  EXPECT_NEAR(channels[v1::CHANNEL_WEB] / n, 0.63, 0.04);
  EXPECT_NEAR(channels[v1::CHANNEL_MOBILE_APP] / n, 0.18, 0.03);
  EXPECT_NEAR(channels[v1::CHANNEL_CALL_CENTRE] / n, 0.13, 0.03);
  EXPECT_GT(channels[v1::CHANNEL_STORE], 0);
  EXPECT_GT(channels[v1::CHANNEL_EMAIL], 0);
  EXPECT_GT(channels[v1::CHANNEL_CHAT], 0);
}

TEST(WorkloadTest, EveryTemplatePassesTheServersValidation) {
  for (auto ref : {CustomerRefKind::kIdentity, CustomerRefKind::kCustomerId}) {
    auto w = MakeWorkload(ref);
    SplitMix64 rng(5);
    v1::DecideRequest r;
    for (int i = 0; i < 20000; ++i) {
      w->FillDecide(rng, i, kNow, r);
      const absl::Status s = core::ValidateDecideRequest(r, kNow);
      ASSERT_TRUE(s.ok()) << s << "\n" << r.DebugString();
    }
  }
}

TEST(WorkloadTest, EventIdsAreUniquePerSequenceNumber) {
  auto w = MakeWorkload();
  SplitMix64 rng(1);
  std::set<std::string> ids;
  v1::DecideRequest r;
  for (uint64_t seq = 0; seq < 1000; ++seq) {
    w->FillDecide(rng, seq, kNow, r);
    ids.insert(r.event().event_id());
  }
  EXPECT_EQ(ids.size(), 1000);
  EXPECT_EQ(r.event().event_id(), "lt-t1-999");
}

TEST(WorkloadTest, CustomersAreSourceIdentitiesWithZipfHeadOnRankOne) {
  auto w = MakeWorkload();
  SplitMix64 rng(9);
  v1::DecideRequest r;
  int rank_one = 0;
  constexpr int kDraws = 20000;
  for (int i = 0; i < kDraws; ++i) {
    w->FillDecide(rng, i, kNow, r);
    ASSERT_TRUE(r.customer().has_identity());
    EXPECT_EQ(r.customer().identity().source(), "loadtest");
    rank_one += r.customer().identity().external_id() == "lt-000001";
  }
  EXPECT_NEAR(static_cast<double>(rank_one) / kDraws, w->customers().Probability(1), 0.01);
}

TEST(WorkloadTest, CustomerNamesHaveAtLeastSixDigits) {
  EXPECT_EQ(Workload::CustomerName(123), "lt-000123");
  EXPECT_EQ(Workload::CustomerName(1234567), "lt-1234567");
}

TEST(WorkloadTest, OutcomeShareIsRespected) {
  auto w = MakeWorkload();
  SplitMix64 rng(11);
  int outcomes = 0;
  for (int i = 0; i < 100000; ++i) outcomes += w->PickOutcome(rng);
  EXPECT_NEAR(outcomes / 100000.0, 0.1, 0.005);
}

TEST(WorkloadTest, PreloadEventsAreValidAndDatedInThePast) {
  auto w = MakeWorkload(CustomerRefKind::kCustomerId);
  SplitMix64 rng(2);
  v1::IngestEvent e;
  for (int rank = 1; rank <= 1000; ++rank) {
    w->FillPreloadEvent(rng, rank, kNow, e);
    ASSERT_TRUE(core::ValidateEvent(e.event(), kNow, "event").ok()) << e.DebugString();
    EXPECT_LT(e.event().occurred_at().seconds(), absl::ToUnixSeconds(kNow));
  }
  EXPECT_EQ(e.customer().customer_id(), "lt-001000");
  EXPECT_EQ(e.event().event_id(), "lt-t1-p1000");
}

TEST(OutcomeRingTest, HandsOutEachPairOnce) {
  OutcomeRing ring(8);
  ring.Push("d-1", "o-1");
  ring.Push("d-2", "o-2");
  SplitMix64 rng(1);
  std::string d, o;
  std::set<std::string> seen;
  while (ring.Take(rng, &d, &o)) seen.insert(d + "/" + o);
  EXPECT_THAT(seen, testing::UnorderedElementsAre("d-1/o-1", "d-2/o-2"));
  EXPECT_FALSE(ring.Take(rng, &d, &o));
}

TEST(OutcomeRingTest, StaysBoundedOverwritingOldPairs) {
  OutcomeRing ring(4);
  for (int i = 0; i < 10; ++i) ring.Push(absl::StrCat("d-", i), "o");
  EXPECT_EQ(ring.size(), 4);
  SplitMix64 rng(1);
  std::string d, o;
  std::set<std::string> seen;
  while (ring.Take(rng, &d, &o)) seen.insert(d);
  EXPECT_THAT(seen, testing::UnorderedElementsAre("d-6", "d-7", "d-8", "d-9"));
}

TEST(OutcomeFillTest, OutcomesAreAMixOfTheFourKinds) {
  SplitMix64 rng(4);
  v1::OutcomeRequest r;
  std::map<v1::Outcome, int> n;
  for (int i = 0; i < 10000; ++i) {
    Workload::FillOutcome(rng, "d-1", "xs_tv_basic", r);
    ++n[r.outcome()];
  }
  EXPECT_EQ(r.decision_id(), "d-1");
  EXPECT_EQ(r.offer_id(), "xs_tv_basic");
  EXPECT_NEAR(n[v1::OUTCOME_PRESENTED] / 10000.0, 0.5, 0.02);
  EXPECT_NEAR(n[v1::OUTCOME_ACCEPTED] / 10000.0, 0.1, 0.02);
  EXPECT_EQ(n[v1::OUTCOME_UNSPECIFIED], 0);
}

}  // namespace
}  // namespace nbo::loadtest
