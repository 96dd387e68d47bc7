// `nbo report outcomes`: the OutcomeReportRequest from the command line, the lift of one arm
// over another, and the text of an OutcomeReport (StrategyService.GetOutcomeReport).
#ifndef NBO_TOOLS_REPORT_H_
#define NBO_TOOLS_REPORT_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "nbo/v1/strategy.pb.h"

namespace nbo::tools {

// `--segment S --offer O` (either may be empty: all). InvalidArgument naming the flag when one is
// set but is not 1..64 characters of [a-z0-9_-] (segment and offer ids of the strategy).
absl::StatusOr<v1::OutcomeReportRequest> BuildOutcomeReportRequest(absl::string_view segment,
                                                                   absl::string_view offer);

// The difference of two acceptance rates (treated - baseline, as fractions) and its approximate
// 95% confidence interval, difference +- 1.96 * sqrt(p1(1-p1)/n1 + p2(1-p2)/n2) (normal
// approximation), where n = accepted + declined + ignored of each row.
struct Lift {
  double difference = 0;
  double low = 0;
  double high = 0;
};

// The lift of `treated` over `baseline`; nullopt unless both rows have outcomes (n > 0).
std::optional<Lift> AcceptanceLift(const v1::OutcomeReportRow& treated,
                                   const v1::OutcomeReportRow& baseline);

// The text of `nbo report outcomes`: the filters when `request` has any, then a table per arm
// (ARM, OFFERED, OUTCOMES, ACCEPTED, RATE, 95% CI, VALUE; arms model, explore, control,
// challenger first) and the lift of model over control overall ("Lift" line, or why there is
// none); when there is a challenger arm, a "Challenger" line with its acceptance lift over the
// champion (the model arm), computed as AcceptanceLift, and both arms' value per offer made
// (VALUE / OFFERED) with their difference, which has no interval; then per segment a
// table of its (offer, arm) rows with a LIFT column on the model rows when some offer of the
// segment has outcomes under both model and control. A rate without outcomes prints as "-".
// An empty report says that nothing has been counted yet.
std::string FormatOutcomeReport(const v1::OutcomeReportRequest& request,
                                const v1::OutcomeReport& report);

}  // namespace nbo::tools

#endif  // NBO_TOOLS_REPORT_H_
