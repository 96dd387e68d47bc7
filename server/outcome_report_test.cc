#include "server/outcome_report.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/memory_store.h"

namespace nbo::server {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;

v1::DecideResponse Decision(std::string arm, std::string segment,
                            const std::vector<std::string>& offers) {
  v1::DecideResponse response;
  response.set_arm(std::move(arm));
  response.set_segment_id(std::move(segment));
  for (const std::string& offer : offers) response.add_offers()->set_offer_id(offer);
  return response;
}

v1::DecisionRecord Record(std::string arm, std::string segment, std::string offer) {
  v1::DecisionRecord record;
  *record.mutable_response() = Decision(std::move(arm), std::move(segment), {std::move(offer)});
  return record;
}

v1::OutcomeRequest Outcome(std::string offer, v1::Outcome outcome, double value = 0) {
  v1::OutcomeRequest request;
  request.set_decision_id("d-1");
  request.set_offer_id(std::move(offer));
  request.set_outcome(outcome);
  request.set_value_realised(value);
  return request;
}

class OutcomeReportTest : public ::testing::Test {
 protected:
  // One decision of `arm` in `segment` answering `offer`, then the outcomes, each its own commit.
  void Decide(const std::string& arm, const std::string& segment, const std::string& offer,
              const std::vector<std::pair<v1::Outcome, double>>& outcomes = {}) {
    storage::WriteSet writes;
    AddOfferedCounts(Decision(arm, segment, {offer}), writes);
    ASSERT_TRUE(store_.Commit(writes).ok());
    const v1::DecisionRecord record = Record(arm, segment, offer);
    for (const auto& [outcome, value] : outcomes) {
      storage::WriteSet more;
      AddOutcomeCounts(record, Outcome(offer, outcome, value), more);
      ASSERT_TRUE(store_.Commit(more).ok());
    }
  }

  // `n` outcomes of (arm, segment, offer) of which `accepted` were ACCEPTED, the rest DECLINED.
  void AddOutcomes(const std::string& arm, const std::string& segment, const std::string& offer,
                   int accepted, int n) {
    storage::WriteSet writes;
    writes.counter_adds.emplace_back("report/" + arm + "/" + segment + "/" + offer + "/accepted",
                                     accepted);
    writes.counter_adds.emplace_back("report/" + arm + "/" + segment + "/" + offer + "/declined",
                                     n - accepted);
    ASSERT_TRUE(store_.Commit(writes).ok());
  }

  v1::OutcomeReport Report(std::string segment = "", std::string offer = "") {
    v1::OutcomeReportRequest request;
    request.set_segment_id(std::move(segment));
    request.set_offer_id(std::move(offer));
    absl::StatusOr<v1::OutcomeReport> report = BuildOutcomeReport(store_, request);
    EXPECT_TRUE(report.ok()) << report.status();
    return report.ok() ? *std::move(report) : v1::OutcomeReport();
  }

  storage::MemoryStore store_;
};

TEST(OutcomeCountsTest, OfferedCountsOnePerOfferOfTheResponse) {
  storage::WriteSet writes;
  AddOfferedCounts(Decision("explore", "families", {"fibre", "tv"}), writes);
  EXPECT_THAT(writes.counter_adds, ElementsAre(Pair("report/explore/families/fibre/offered", 1),
                                               Pair("report/explore/families/tv/offered", 1)));
}

TEST(OutcomeCountsTest, EmptyArmCountsAsModel) {
  storage::WriteSet writes;
  AddOfferedCounts(Decision("", "families", {"fibre"}), writes);
  AddOutcomeCounts(Record("", "families", "fibre"), Outcome("fibre", v1::OUTCOME_IGNORED), writes);
  EXPECT_THAT(writes.counter_adds, ElementsAre(Pair("report/model/families/fibre/offered", 1),
                                               Pair("report/model/families/fibre/ignored", 1)));
}

TEST(OutcomeCountsTest, DecisionWithoutSegmentIsNotCounted) {
  storage::WriteSet writes;
  AddOfferedCounts(Decision("model", "", {"fibre"}), writes);
  AddOutcomeCounts(Record("model", "", "fibre"), Outcome("fibre", v1::OUTCOME_ACCEPTED, 5), writes);
  EXPECT_THAT(writes.counter_adds, IsEmpty());
}

TEST(OutcomeCountsTest, AcceptedAddsTheValueInCents) {
  storage::WriteSet writes;
  AddOutcomeCounts(Record("control", "s", "fibre"), Outcome("fibre", v1::OUTCOME_ACCEPTED, 12.5),
                   writes);
  EXPECT_THAT(writes.counter_adds, ElementsAre(Pair("report/control/s/fibre/accepted", 1),
                                               Pair("report/control/s/fibre/value_cents", 1250)));
}

TEST(OutcomeCountsTest, ValueCountsOnlyForAcceptedAndWhenPositive) {
  storage::WriteSet writes;
  AddOutcomeCounts(Record("model", "s", "o"), Outcome("o", v1::OUTCOME_DECLINED, 9), writes);
  AddOutcomeCounts(Record("model", "s", "o"), Outcome("o", v1::OUTCOME_PRESENTED, 9), writes);
  AddOutcomeCounts(Record("model", "s", "o"), Outcome("o", v1::OUTCOME_ACCEPTED, 0), writes);
  EXPECT_THAT(writes.counter_adds, ElementsAre(Pair("report/model/s/o/declined", 1),
                                               Pair("report/model/s/o/presented", 1),
                                               Pair("report/model/s/o/accepted", 1)));
}

TEST(OutcomeCountsTest, UnspecifiedOutcomeIsNotCounted) {
  storage::WriteSet writes;
  AddOutcomeCounts(Record("model", "s", "o"), Outcome("o", v1::OUTCOME_UNSPECIFIED), writes);
  EXPECT_THAT(writes.counter_adds, IsEmpty());
}

TEST_F(OutcomeReportTest, EmptyStoreGivesAnEmptyReport) {
  const v1::OutcomeReport report = Report();
  EXPECT_THAT(report.rows(), IsEmpty());
  EXPECT_THAT(report.arms(), IsEmpty());
}

TEST_F(OutcomeReportTest, CountsAndValuesAggregatePerKey) {
  Decide("model", "families", "fibre", {{v1::OUTCOME_PRESENTED, 0}, {v1::OUTCOME_ACCEPTED, 12.5}});
  Decide("model", "families", "fibre", {{v1::OUTCOME_PRESENTED, 0}, {v1::OUTCOME_DECLINED, 0}});
  Decide("model", "families", "fibre", {{v1::OUTCOME_ACCEPTED, 0.25}});
  Decide("model", "families", "fibre", {{v1::OUTCOME_IGNORED, 0}});
  const v1::OutcomeReport report = Report();
  ASSERT_EQ(report.rows_size(), 1);
  const v1::OutcomeReportRow& row = report.rows(0);
  EXPECT_EQ(row.arm(), "model");
  EXPECT_EQ(row.segment_id(), "families");
  EXPECT_EQ(row.offer_id(), "fibre");
  EXPECT_EQ(row.offered(), 4);
  EXPECT_EQ(row.presented(), 2);
  EXPECT_EQ(row.accepted(), 2);
  EXPECT_EQ(row.declined(), 1);
  EXPECT_EQ(row.ignored(), 1);
  EXPECT_DOUBLE_EQ(row.value(), 12.75);  // 1250 + 25 cents
  EXPECT_DOUBLE_EQ(row.acceptance_rate(), 0.5);
}

TEST_F(OutcomeReportTest, RowsAreSortedByArmSegmentAndOffer) {
  // In key order "report/model/a-b/..." comes before "report/model/a/...": rows must not.
  Decide("model", "a-b", "x");
  Decide("model", "a", "y");
  Decide("model", "a", "x");
  Decide("control", "z", "x");
  const v1::OutcomeReport report = Report();
  std::vector<std::string> order;
  for (const v1::OutcomeReportRow& row : report.rows()) {
    order.push_back(row.arm() + "/" + row.segment_id() + "/" + row.offer_id());
  }
  EXPECT_THAT(order, ElementsAre("control/z/x", "model/a/x", "model/a/y", "model/a-b/x"));
}

TEST_F(OutcomeReportTest, PerArmTotalsSumTheirRows) {
  Decide("model", "s1", "o1", {{v1::OUTCOME_ACCEPTED, 10}});
  Decide("model", "s2", "o2", {{v1::OUTCOME_DECLINED, 0}});
  Decide("model", "s2", "o2", {{v1::OUTCOME_IGNORED, 0}});
  Decide("control", "s1", "o1", {{v1::OUTCOME_ACCEPTED, 2.5}});
  const v1::OutcomeReport report = Report();
  ASSERT_EQ(report.arms_size(), 2);
  const v1::OutcomeReportRow& control = report.arms(0);
  const v1::OutcomeReportRow& model = report.arms(1);
  EXPECT_EQ(control.arm(), "control");
  EXPECT_EQ(control.segment_id(), "");
  EXPECT_EQ(control.offer_id(), "");
  EXPECT_EQ(control.offered(), 1);
  EXPECT_EQ(control.accepted(), 1);
  EXPECT_DOUBLE_EQ(control.value(), 2.5);
  EXPECT_DOUBLE_EQ(control.acceptance_rate(), 1);
  EXPECT_EQ(model.arm(), "model");
  EXPECT_EQ(model.offered(), 3);
  EXPECT_EQ(model.accepted(), 1);
  EXPECT_EQ(model.declined(), 1);
  EXPECT_EQ(model.ignored(), 1);
  EXPECT_DOUBLE_EQ(model.value(), 10);
  EXPECT_NEAR(model.acceptance_rate(), 1.0 / 3, 1e-12);
}

TEST_F(OutcomeReportTest, FiltersBySegmentAndOffer) {
  Decide("model", "s1", "o1", {{v1::OUTCOME_ACCEPTED, 0}});
  Decide("model", "s1", "o2", {{v1::OUTCOME_DECLINED, 0}});
  Decide("model", "s2", "o1", {{v1::OUTCOME_DECLINED, 0}});
  Decide("control", "s1", "o1");

  v1::OutcomeReport report = Report("s1");
  ASSERT_EQ(report.rows_size(), 3);
  for (const v1::OutcomeReportRow& row : report.rows()) EXPECT_EQ(row.segment_id(), "s1");
  ASSERT_EQ(report.arms_size(), 2);
  EXPECT_EQ(report.arms(1).offered(), 2);  // model totals of s1 only

  report = Report("", "o1");
  ASSERT_EQ(report.rows_size(), 3);
  for (const v1::OutcomeReportRow& row : report.rows()) EXPECT_EQ(row.offer_id(), "o1");

  report = Report("s1", "o1");
  ASSERT_EQ(report.rows_size(), 2);
  EXPECT_EQ(report.rows(0).arm(), "control");
  EXPECT_EQ(report.rows(1).arm(), "model");
  EXPECT_EQ(report.rows(1).accepted(), 1);

  report = Report("nobody");
  EXPECT_THAT(report.rows(), IsEmpty());
  EXPECT_THAT(report.arms(), IsEmpty());
}

TEST_F(OutcomeReportTest, FilterThatIsNotAnIdIsInvalidArgument) {
  for (const auto& [segment, offer] : std::vector<std::pair<std::string, std::string>>{
           {"Families", ""}, {"", "fibre/1"}, {std::string(65, 'a'), ""}, {"s", "a b"}}) {
    SCOPED_TRACE(segment + "|" + offer);
    v1::OutcomeReportRequest request;
    request.set_segment_id(segment);
    request.set_offer_id(offer);
    const absl::StatusOr<v1::OutcomeReport> report = BuildOutcomeReport(store_, request);
    EXPECT_EQ(report.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(report.status().message(), ::testing::HasSubstr("[a-z0-9_-]"));
  }
}

TEST_F(OutcomeReportTest, WilsonIntervalOfTenInAHundred) {
  AddOutcomes("model", "s", "o", 10, 100);
  const v1::OutcomeReport report = Report();
  ASSERT_EQ(report.rows_size(), 1);
  EXPECT_DOUBLE_EQ(report.rows(0).acceptance_rate(), 0.1);
  EXPECT_NEAR(report.rows(0).acceptance_low(), 0.0552, 1e-3);
  EXPECT_NEAR(report.rows(0).acceptance_high(), 0.1744, 1e-3);
}

TEST_F(OutcomeReportTest, WilsonIntervalAtTheEdges) {
  AddOutcomes("model", "none", "o", 0, 10);
  AddOutcomes("model", "all", "o", 10, 10);
  const v1::OutcomeReport report = Report();
  ASSERT_EQ(report.rows_size(), 2);
  const v1::OutcomeReportRow& all = report.rows(0);
  const v1::OutcomeReportRow& none = report.rows(1);
  // 0/10: [0, z^2 / (n + z^2)]; 10/10 mirrors it.
  EXPECT_DOUBLE_EQ(none.acceptance_rate(), 0);
  EXPECT_NEAR(none.acceptance_low(), 0, 1e-12);
  EXPECT_NEAR(none.acceptance_high(), 0.2775, 1e-3);
  EXPECT_DOUBLE_EQ(all.acceptance_rate(), 1);
  EXPECT_NEAR(all.acceptance_low(), 0.7225, 1e-3);
  EXPECT_NEAR(all.acceptance_high(), 1, 1e-12);
}

TEST_F(OutcomeReportTest, NoOutcomesIsRateZeroWithTheWholeInterval) {
  Decide("model", "s", "o");
  const v1::OutcomeReport report = Report();
  ASSERT_EQ(report.rows_size(), 1);
  EXPECT_EQ(report.rows(0).offered(), 1);
  EXPECT_EQ(report.rows(0).acceptance_rate(), 0);
  EXPECT_EQ(report.rows(0).acceptance_low(), 0);
  EXPECT_EQ(report.rows(0).acceptance_high(), 1);
  ASSERT_EQ(report.arms_size(), 1);
  EXPECT_EQ(report.arms(0).acceptance_high(), 1);
}

TEST_F(OutcomeReportTest, UnparseableKeysAreSkipped) {
  storage::WriteSet writes;
  for (const char* key :
       {"report/model/s", "report/model/s/o", "report/model/s/o/bought", "report/Model/s/o/offered",
        "report/model//o/offered", "report/model/s/o/offered/extra", "report/model/s/o/",
        "reportx/model/s/o/offered", "budget/x"}) {
    writes.counter_adds.emplace_back(key, 5);
  }
  writes.counter_adds.emplace_back("report/model/s/o/offered", 2);
  ASSERT_TRUE(store_.Commit(writes).ok());
  const v1::OutcomeReport report = Report();
  ASSERT_EQ(report.rows_size(), 1);
  EXPECT_EQ(report.rows(0).offered(), 2);
  EXPECT_EQ(report.rows(0).presented(), 0);
  ASSERT_EQ(report.arms_size(), 1);
  EXPECT_EQ(report.arms(0).offered(), 2);
}

TEST_F(OutcomeReportTest, StoreErrorsPassThrough) {
  store_.FailReadsWith(absl::UnavailableError("disk gone"));
  const absl::StatusOr<v1::OutcomeReport> report =
      BuildOutcomeReport(store_, v1::OutcomeReportRequest());
  EXPECT_EQ(report.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(report.status().message(), "disk gone");
}

}  // namespace
}  // namespace nbo::server
