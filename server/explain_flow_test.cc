#include "server/explain_flow.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nbo/v1/record.pb.h"
#include "server/flow_test_util.h"

namespace nbo::server {
namespace {

using core::testing::kT0;
using core::testing::PageView;
using ::testing::HasSubstr;

class ExplainFlowTest : public testing::FlowTest {
 protected:
  absl::StatusOr<v1::ExplainDecisionResponse> Explain(std::string decision_id) {
    v1::ExplainDecisionRequest request;
    request.set_decision_id(std::move(decision_id));
    return explain_.Explain(request);
  }

  ExplainFlow explain_{store_};
};

// Every answered offer is a "chosen" candidate with its rank, in the same order; every other
// candidate has a drop reason and a sentence.
void ExpectCandidatesMatchOffers(const v1::ExplainDecisionResponse& e) {
  int chosen = 0;
  for (const v1::CandidateExplanation& c : e.candidates()) {
    EXPECT_FALSE(c.explanation().empty()) << c.offer_id();
    EXPECT_THAT(c.source(), ::testing::AnyOf("segment", "fallback"));
    if (c.outcome() == "chosen") {
      ASSERT_GT(c.rank(), 0);
      ASSERT_LE(c.rank(), e.decision().offers_size());
      const v1::RankedOffer& offer = e.decision().offers(c.rank() - 1);
      EXPECT_EQ(c.offer_id(), offer.offer_id());
      EXPECT_DOUBLE_EQ(c.score(), offer.score());
      ++chosen;
    } else {
      EXPECT_EQ(c.rank(), 0);
      EXPECT_THAT(c.outcome(), ::testing::AnyOf("already_held", "missing_base_product",
                                                "excluded_holding", "channel", "no_consent",
                                                "not_eligible", "duplicate", "ranked_out"));
      EXPECT_THAT(c.explanation(), ::testing::StartsWith("Dropped: "));
    }
  }
  EXPECT_EQ(chosen, e.decision().offers_size());
}

TEST_F(ExplainFlowTest, ExplainsALoggedDecision) {
  v1::DecideRequest request = core::testing::Request("c-1", PageView("e1"));
  request.set_placement("home_banner");
  request.set_max_offers(1);
  auto decided = flow_.Decide(request);
  ASSERT_TRUE(decided.ok()) << decided.status();

  auto e = Explain(decided->decision_id());
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->decision().decision_id(), decided->decision_id());
  EXPECT_EQ(e->decision().offers_size(), 1);
  EXPECT_EQ(e->event_id(), "e1");
  EXPECT_EQ(e->channel(), v1::CHANNEL_WEB);
  EXPECT_EQ(e->placement(), "home_banner");
  EXPECT_EQ(e->segment_rule(), "true");
  EXPECT_EQ(core::FromProto(e->expires_at()), kT0 + absl::Hours(24 * 7));
  ASSERT_EQ(e->candidates_size(), 2);
  EXPECT_EQ(e->candidates(0).offer_id(), "bb");
  EXPECT_EQ(e->candidates(0).outcome(), "chosen");
  EXPECT_EQ(e->candidates(1).offer_id(), "tv");
  EXPECT_EQ(e->candidates(1).outcome(), "ranked_out");
  EXPECT_EQ(e->candidates(1).explanation(), "Dropped: ranked 2nd; only 1 offer was asked for.");
  ExpectCandidatesMatchOffers(*e);
}

TEST_F(ExplainFlowTest, ExplainsAFallbackDecision) {
  // A broadband customer with fibre, on email: fibre is held, tv is not offered there, loyal
  // needs a cancel call.
  ASSERT_TRUE(Decide("c-2", core::testing::Purchase("p1", "broadband_basic", 30, 10)).ok());
  ASSERT_TRUE(Decide("c-2", core::testing::Purchase("p2", "broadband_fibre", 50, 20)).ok());
  auto decided = Decide("c-2", PageView("e2", v1::CHANNEL_EMAIL));
  ASSERT_TRUE(decided.ok()) << decided.status();
  ASSERT_TRUE(decided->fallback());

  auto e = Explain(decided->decision_id());
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->segment_rule(), "holds(\"broadband_basic\")");
  ASSERT_EQ(e->candidates_size(), 4);
  EXPECT_EQ(e->candidates(0).outcome(), "already_held");
  EXPECT_EQ(e->candidates(1).outcome(), "channel");
  EXPECT_EQ(e->candidates(2).outcome(), "not_eligible");
  EXPECT_EQ(e->candidates(3).offer_id(), "ebill");
  EXPECT_EQ(e->candidates(3).source(), "fallback");
  ExpectCandidatesMatchOffers(*e);
}

TEST_F(ExplainFlowTest, DecisionIdIsRequiredAndChecked) {
  EXPECT_EQ(Explain("").status(), absl::InvalidArgumentError("decision_id: required"));
  EXPECT_EQ(Explain(std::string(65, 'd')).status().code(), absl::StatusCode::kInvalidArgument);
  auto bad = Explain("d-1\n; drop");
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("decision_id: "));
  EXPECT_TRUE(ValidateDecisionId(std::string(64, 'd')).ok());
}

TEST_F(ExplainFlowTest, UnknownOrExpiredDecisionIsNotFound) {
  EXPECT_EQ(Explain("d-nope").status(),
            absl::NotFoundError("decision_id \"d-nope\": no such decision (decisions are kept "
                                "for --decision_ttl)"));
  auto decided = Decide("c-1", PageView("e1"));
  ASSERT_TRUE(decided.ok()) << decided.status();
  clock_.Advance(absl::Hours(24 * 7) + absl::Seconds(1));
  EXPECT_EQ(Explain(decided->decision_id()).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(ExplainFlowTest, StoreErrorsPassThrough) {
  store_.FailReadsWith(absl::DataLossError("corrupt block"));
  EXPECT_EQ(Explain("d-1").status().code(), absl::StatusCode::kDataLoss);
}

TEST_F(ExplainFlowTest, RecordWithoutCandidatesExplainsItsOffers) {
  v1::DecisionRecord record;
  record.mutable_response()->set_decision_id("d-old");
  v1::RankedOffer* offer = record.mutable_response()->add_offers();
  offer->set_offer_id("bb");
  offer->set_score(8);
  offer->mutable_parts()->set_weight(1);
  core::ToProto(kT0 + absl::Hours(1), record.mutable_expires_at());
  storage::WriteSet writes;
  writes.decisions.push_back(&record);
  ASSERT_TRUE(store_.Commit(writes).ok());

  auto e = Explain("d-old");
  ASSERT_TRUE(e.ok()) << e.status();
  ASSERT_EQ(e->candidates_size(), 1);
  EXPECT_EQ(e->candidates(0).outcome(), "chosen");
  EXPECT_EQ(e->candidates(0).rank(), 1);
  ExpectCandidatesMatchOffers(*e);
}

}  // namespace
}  // namespace nbo::server
