#include "tools/report.h"

#include <string>

#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

namespace nbo::tools {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

template <typename T>
T Parse(const std::string& text) {
  T message;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &message)) << text;
  return message;
}

// Rows as the server sorts them (arm, segment, offer), with their rates and Wilson intervals.
constexpr char kWithControl[] = R"pb(
  rows {
    arm: "control"
    segment_id: "families"
    offer_id: "fibre"
    offered: 200
    presented: 150
    accepted: 10
    declined: 60
    ignored: 30
    value: 120
    acceptance_rate: 0.1
    acceptance_low: 0.0552
    acceptance_high: 0.1744
  }
  rows {
    arm: "model"
    segment_id: "families"
    offer_id: "fibre"
    offered: 1000
    presented: 700
    accepted: 90
    declined: 300
    ignored: 210
    value: 1234.5
    acceptance_rate: 0.15
    acceptance_low: 0.1237
    acceptance_high: 0.1806
  }
  rows {
    arm: "model"
    segment_id: "families"
    offer_id: "tv"
    offered: 40
    acceptance_rate: 0
    acceptance_low: 0
    acceptance_high: 1
  }
  rows {
    arm: "model"
    segment_id: "broadband"
    offer_id: "tv"
    offered: 5
    accepted: 1
    declined: 1
    acceptance_rate: 0.5
    acceptance_low: 0.0946
    acceptance_high: 0.9055
  }
  arms {
    arm: "control"
    offered: 200
    presented: 150
    accepted: 10
    declined: 60
    ignored: 30
    value: 120
    acceptance_rate: 0.1
    acceptance_low: 0.0552
    acceptance_high: 0.1744
  }
  arms {
    arm: "model"
    offered: 1045
    presented: 700
    accepted: 91
    declined: 301
    ignored: 210
    value: 1234.5
    acceptance_rate: 0.1512
    acceptance_low: 0.1248
    acceptance_high: 0.1819
  }
)pb";

TEST(ReportFormatTest, ArmsThenSegmentsWithTheLiftOfModelOverControl) {
  const auto report = Parse<v1::OutcomeReport>(kWithControl);
  EXPECT_EQ(
      FormatOutcomeReport(v1::OutcomeReportRequest(), report),
      "Arms\n"
      "  ARM      OFFERED  OUTCOMES  ACCEPTED   RATE         95% CI    VALUE\n"
      "  model       1045       602        91  15.1%  12.5% - 18.2%  1234.50\n"
      "  control      200       100        10  10.0%   5.5% - 17.4%   120.00\n"
      "Lift          model over control +5.1 pts, 95% CI -1.4 to +11.7 pts\n"
      "Segment       broadband\n"
      "  OFFER  ARM    OFFERED  OUTCOMES  ACCEPTED   RATE        95% CI  VALUE\n"
      "  tv     model        5         2         1  50.0%  9.5% - 90.5%   0.00\n"
      "Segment       families\n"
      "  OFFER  ARM      OFFERED  OUTCOMES  ACCEPTED   RATE         95% CI    VALUE  LIFT (95% "
      "CI)\n"
      "  fibre  model       1000       600        90  15.0%  12.4% - 18.1%  1234.50  +5.0 pts "
      "(-1.5 to +11.5)\n"
      "  fibre  control      200       100        10  10.0%   5.5% - 17.4%   120.00\n"
      "  tv     model         40         0         0      -              -     0.00\n");
}

TEST(ReportFormatTest, WithoutControlDataThereIsNoLift) {
  const auto report = Parse<v1::OutcomeReport>(R"pb(
    rows {
      arm: "model"
      segment_id: "families"
      offer_id: "fibre"
      offered: 10
      accepted: 1
      ignored: 9
      value: 5
      acceptance_rate: 0.1
      acceptance_low: 0.0179
      acceptance_high: 0.4042
    }
    rows { arm: "explore" segment_id: "families" offer_id: "fibre" offered: 3 acceptance_high: 1 }
    arms { arm: "explore" offered: 3 acceptance_high: 1 }
    arms {
      arm: "model"
      offered: 10
      accepted: 1
      ignored: 9
      value: 5
      acceptance_rate: 0.1
      acceptance_low: 0.0179
      acceptance_high: 0.4042
    }
  )pb");
  const std::string text = FormatOutcomeReport(v1::OutcomeReportRequest(), report);
  EXPECT_EQ(text,
            "Arms\n"
            "  ARM      OFFERED  OUTCOMES  ACCEPTED   RATE        95% CI  VALUE\n"
            "  model         10        10         1  10.0%  1.8% - 40.4%   5.00\n"
            "  explore        3         0         0      -             -   0.00\n"
            "Lift          not measured: needs outcomes of both model and control\n"
            "Segment       families\n"
            "  OFFER  ARM      OFFERED  OUTCOMES  ACCEPTED   RATE        95% CI  VALUE\n"
            "  fibre  model         10        10         1  10.0%  1.8% - 40.4%   5.00\n"
            "  fibre  explore        3         0         0      -             -   0.00\n");
  EXPECT_THAT(text, Not(HasSubstr("LIFT")));
}

TEST(ReportFormatTest, ControlWithoutOutcomesIsNoLift) {
  const auto report = Parse<v1::OutcomeReport>(R"pb(
    arms { arm: "control" offered: 4 acceptance_high: 1 }
    arms {
      arm: "model"
      offered: 4
      accepted: 1
      acceptance_rate: 1
      acceptance_low: 0.2065
      acceptance_high: 1
    }
  )pb");
  EXPECT_THAT(FormatOutcomeReport(v1::OutcomeReportRequest(), report),
              HasSubstr("Lift          not measured: needs outcomes of both model and control\n"));
}

TEST(ReportFormatTest, EmptyReportSaysNothingWasCounted) {
  EXPECT_EQ(FormatOutcomeReport(v1::OutcomeReportRequest(), v1::OutcomeReport()),
            "No decisions or outcomes counted yet.\n");
  v1::OutcomeReportRequest request;
  request.set_segment_id("families");
  request.set_offer_id("fibre");
  EXPECT_EQ(FormatOutcomeReport(request, v1::OutcomeReport()),
            "Filter        segment families, offer fibre\n"
            "No decisions or outcomes counted yet for this filter.\n");
}

// Arm totals with a challenger: model 10% of 1000 outcomes, challenger 15% of 200, control 5%.
constexpr char kWithChallenger[] = R"pb(
  arms {
    arm: "challenger"
    offered: 200
    accepted: 30
    declined: 120
    ignored: 50
    value: 1200
    acceptance_rate: 0.15
    acceptance_low: 0.1072
    acceptance_high: 0.2059
  }
  arms {
    arm: "control"
    offered: 100
    accepted: 5
    declined: 95
    value: 250
    acceptance_rate: 0.05
    acceptance_low: 0.0215
    acceptance_high: 0.1118
  }
  arms {
    arm: "model"
    offered: 1000
    accepted: 100
    declined: 500
    ignored: 400
    value: 5000
    acceptance_rate: 0.1
    acceptance_low: 0.0828
    acceptance_high: 0.1203
  }
)pb";

TEST(ReportFormatTest, ChallengerLineComparesItWithTheModelArm) {
  const auto report = Parse<v1::OutcomeReport>(kWithChallenger);
  // 0.15 - 0.10 = +5.0 pts; 1.96 x sqrt(0.15 x 0.85 / 200 + 0.1 x 0.9 / 1000) = 5.29 pts.
  // Value per offer: 1200 / 200 = 6.00 against 5000 / 1000 = 5.00.
  EXPECT_EQ(
      FormatOutcomeReport(v1::OutcomeReportRequest(), report),
      "Arms\n"
      "  ARM         OFFERED  OUTCOMES  ACCEPTED   RATE         95% CI    VALUE\n"
      "  model          1000      1000       100  10.0%   8.3% - 12.0%  5000.00\n"
      "  control         100       100         5   5.0%   2.1% - 11.2%   250.00\n"
      "  challenger      200       200        30  15.0%  10.7% - 20.6%  1200.00\n"
      "Lift          model over control +5.0 pts, 95% CI +0.3 to +9.7 pts\n"
      "Challenger    challenger over model +5.0 pts, 95% CI -0.3 to +10.3 pts; value per offer "
      "6.00 vs 5.00 (+1.00)\n");
}

TEST(ReportFormatTest, ChallengerWithoutOutcomesIsNotMeasuredButShowsItsValue) {
  const auto report = Parse<v1::OutcomeReport>(R"pb(
    arms { arm: "challenger" offered: 4 acceptance_high: 1 }
    arms {
      arm: "model"
      offered: 8
      accepted: 1
      declined: 1
      value: 20
      acceptance_rate: 0.5
      acceptance_low: 0.0945
      acceptance_high: 0.9055
    }
  )pb");
  EXPECT_THAT(FormatOutcomeReport(v1::OutcomeReportRequest(), report),
              HasSubstr("Challenger    challenger over model not measured: needs outcomes of both "
                        "challenger and model; value per offer 0.00 vs 2.50 (-2.50)\n"));
}

TEST(ReportFormatTest, ChallengerWithoutModelArmHasNoValueComparison) {
  const auto report = Parse<v1::OutcomeReport>(R"pb(
    arms { arm: "challenger" offered: 4 accepted: 1 acceptance_rate: 1 acceptance_high: 1 }
  )pb");
  EXPECT_THAT(FormatOutcomeReport(v1::OutcomeReportRequest(), report),
              HasSubstr("Challenger    challenger over model not measured: needs outcomes of both "
                        "challenger and model\n"));
}

TEST(ReportFormatTest, NoChallengerLineWithoutAChallengerArm) {
  EXPECT_THAT(
      FormatOutcomeReport(v1::OutcomeReportRequest(), Parse<v1::OutcomeReport>(kWithControl)),
      Not(HasSubstr("Challenger")));
}

TEST(ReportLiftTest, DifferenceOfRatesWithANormalInterval) {
  v1::OutcomeReportRow model;
  model.set_accepted(90);
  model.set_declined(300);
  model.set_ignored(210);
  v1::OutcomeReportRow control;
  control.set_accepted(10);
  control.set_declined(90);
  const std::optional<Lift> lift = AcceptanceLift(model, control);
  ASSERT_TRUE(lift.has_value());
  // 0.15 - 0.10; se = sqrt(0.15 * 0.85 / 600 + 0.1 * 0.9 / 100) = 0.033354.
  EXPECT_NEAR(lift->difference, 0.05, 1e-12);
  EXPECT_NEAR(lift->low, 0.05 - 1.96 * 0.033354, 1e-5);
  EXPECT_NEAR(lift->high, 0.05 + 1.96 * 0.033354, 1e-5);
}

TEST(ReportLiftTest, NeedsOutcomesOfBothArms) {
  v1::OutcomeReportRow some;
  some.set_offered(10);
  some.set_declined(2);
  v1::OutcomeReportRow none;
  none.set_offered(10);
  none.set_presented(10);  // presented alone is not an outcome with a verdict
  EXPECT_FALSE(AcceptanceLift(some, none).has_value());
  EXPECT_FALSE(AcceptanceLift(none, some).has_value());
  EXPECT_TRUE(AcceptanceLift(some, some).has_value());
}

TEST(ReportRequestTest, FiltersMustBeIds) {
  absl::StatusOr<v1::OutcomeReportRequest> request = BuildOutcomeReportRequest("", "");
  ASSERT_TRUE(request.ok());
  EXPECT_EQ(request->segment_id(), "");
  request = BuildOutcomeReportRequest("young_families", "fibre-1g");
  ASSERT_TRUE(request.ok());
  EXPECT_EQ(request->segment_id(), "young_families");
  EXPECT_EQ(request->offer_id(), "fibre-1g");
  request = BuildOutcomeReportRequest("Families", "");
  EXPECT_EQ(request.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(request.status().message(),
            "--segment \"Families\" is not a segment id (1..64 characters of [a-z0-9_-])");
  request = BuildOutcomeReportRequest("", "a/b");
  EXPECT_EQ(request.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(request.status().message(), HasSubstr("--offer \"a/b\""));
  EXPECT_FALSE(BuildOutcomeReportRequest(std::string(65, 'a'), "").ok());
}

}  // namespace
}  // namespace nbo::tools
