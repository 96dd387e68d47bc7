#include "tools/report.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "tools/format.h"

namespace nbo::tools {
namespace {

constexpr size_t kMaxIdLength = 64;
constexpr double kZ95 = 1.96;
constexpr char kTreated[] = "model";
constexpr char kBaseline[] = "control";
// The champion's own decisions are the model arm's: the challenger is measured against them.
constexpr char kChallenger[] = "challenger";
constexpr char kChampion[] = "model";

bool IsId(absl::string_view s) {
  if (s.empty() || s.size() > kMaxIdLength) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return false;
  }
  return true;
}

int64_t Outcomes(const v1::OutcomeReportRow& row) {
  return row.accepted() + row.declined() + row.ignored();
}

// model, explore, control, challenger first (in that order), any other arm after them by name.
int ArmRank(absl::string_view arm) {
  if (arm == "model") return 0;
  if (arm == "explore") return 1;
  if (arm == "control") return 2;
  if (arm == "challenger") return 3;
  return 4;
}

bool ArmBefore(const v1::OutcomeReportRow* a, const v1::OutcomeReportRow* b) {
  const int ra = ArmRank(a->arm());
  const int rb = ArmRank(b->arm());
  return ra != rb ? ra < rb : a->arm() < b->arm();
}

// "12.0%"; "-" without outcomes (the rate is not defined).
std::string Rate(const v1::OutcomeReportRow& row) {
  if (Outcomes(row) <= 0) return "-";
  return absl::StrFormat("%.1f%%", row.acceptance_rate() * 100);
}

// "9.8% - 14.6%"; "-" without outcomes.
std::string Interval(const v1::OutcomeReportRow& row) {
  if (Outcomes(row) <= 0) return "-";
  return absl::StrFormat("%.1f%% - %.1f%%", row.acceptance_low() * 100,
                         row.acceptance_high() * 100);
}

// "+2.0 pts (-1.3 to +5.3)": percentage points.
std::string LiftText(const Lift& lift) {
  return absl::StrFormat("%+.1f pts (%+.1f to %+.1f)", lift.difference * 100, lift.low * 100,
                         lift.high * 100);
}

// The columns shared by both tables, from OFFERED on.
std::vector<std::string> Counts(const v1::OutcomeReportRow& row) {
  return {absl::StrCat(row.offered()),
          absl::StrCat(Outcomes(row)),
          absl::StrCat(row.accepted()),
          Rate(row),
          Interval(row),
          absl::StrFormat("%.2f", row.value())};
}

void Line(std::string& out, absl::string_view label, absl::string_view value) {
  if (value.empty()) {
    absl::StrAppend(&out, label, "\n");
  } else {
    absl::StrAppendFormat(&out, "%-13s %s\n", label, value);
  }
}

// The row of `arm` among `rows`, nullptr when there is none.
const v1::OutcomeReportRow* Find(const std::vector<const v1::OutcomeReportRow*>& rows,
                                 absl::string_view arm) {
  for (const v1::OutcomeReportRow* row : rows) {
    if (row->arm() == arm) return row;
  }
  return nullptr;
}

// The lift of model over control among the rows of one (segment, offer), or of the arm totals.
std::optional<Lift> ModelLift(const std::vector<const v1::OutcomeReportRow*>& rows) {
  const v1::OutcomeReportRow* treated = Find(rows, kTreated);
  const v1::OutcomeReportRow* baseline = Find(rows, kBaseline);
  if (treated == nullptr || baseline == nullptr) return std::nullopt;
  return AcceptanceLift(*treated, *baseline);
}

// "6.43": realised value per offer made (value / offered); "-" when the arm made none.
std::string ValuePerOffer(const v1::OutcomeReportRow& row) {
  if (row.offered() <= 0) return "-";
  return absl::StrFormat("%.2f", row.value() / static_cast<double>(row.offered()));
}

// The "Challenger" line, when the arms include the challenger: its acceptance lift over the
// champion (model arm) with the same interval as the Lift line, then both arms' value per offer.
// The value difference has no interval: the report carries each arm's total value, not the spread
// of the values behind it.
void AppendChallengerLift(std::string& out, const std::vector<const v1::OutcomeReportRow*>& arms) {
  const v1::OutcomeReportRow* challenger = Find(arms, kChallenger);
  if (challenger == nullptr) return;
  const v1::OutcomeReportRow* champion = Find(arms, kChampion);
  std::optional<Lift> lift;
  if (champion != nullptr) lift = AcceptanceLift(*challenger, *champion);
  std::string text =
      lift.has_value()
          ? absl::StrFormat("challenger over model %+.1f pts, 95%% CI %+.1f to %+.1f pts",
                            lift->difference * 100, lift->low * 100, lift->high * 100)
          : "challenger over model not measured: needs outcomes of both challenger and model";
  if (champion != nullptr && challenger->offered() > 0 && champion->offered() > 0) {
    const double difference = challenger->value() / static_cast<double>(challenger->offered()) -
                              champion->value() / static_cast<double>(champion->offered());
    absl::StrAppendFormat(&text, "; value per offer %s vs %s (%+.2f)", ValuePerOffer(*challenger),
                          ValuePerOffer(*champion), difference);
  }
  Line(out, "Challenger", text);
}

void AppendArms(std::string& out, const v1::OutcomeReport& report) {
  std::vector<const v1::OutcomeReportRow*> arms;
  for (const v1::OutcomeReportRow& row : report.arms()) arms.push_back(&row);
  std::sort(arms.begin(), arms.end(), ArmBefore);
  Line(out, "Arms", "");
  std::vector<std::vector<std::string>> table;
  table.push_back({"ARM", "OFFERED", "OUTCOMES", "ACCEPTED", "RATE", "95% CI", "VALUE"});
  for (const v1::OutcomeReportRow* row : arms) {
    std::vector<std::string> cells = {row->arm()};
    for (std::string& cell : Counts(*row)) cells.push_back(std::move(cell));
    table.push_back(std::move(cells));
  }
  absl::StrAppend(&out, Table(table, {false, true, true, true, true, true, true}));
  const std::optional<Lift> lift = ModelLift(arms);
  Line(out, "Lift",
       lift.has_value()
           ? absl::StrFormat("model over control %+.1f pts, 95%% CI %+.1f to %+.1f pts",
                             lift->difference * 100, lift->low * 100, lift->high * 100)
           : "not measured: needs outcomes of both model and control");
  AppendChallengerLift(out, arms);
}

void AppendSegments(std::string& out, const v1::OutcomeReport& report) {
  // segment -> offer -> rows; std::map keeps ids in order.
  std::map<std::string, std::map<std::string, std::vector<const v1::OutcomeReportRow*>>> segments;
  for (const v1::OutcomeReportRow& row : report.rows()) {
    segments[row.segment_id()][row.offer_id()].push_back(&row);
  }
  for (auto& [segment, offers] : segments) {
    std::map<std::string, std::optional<Lift>> lifts;
    bool any_lift = false;
    for (auto& [offer, rows] : offers) {
      std::sort(rows.begin(), rows.end(), ArmBefore);
      lifts[offer] = ModelLift(rows);
      any_lift = any_lift || lifts[offer].has_value();
    }
    Line(out, "Segment", segment);
    std::vector<std::vector<std::string>> table;
    table.push_back({"OFFER", "ARM", "OFFERED", "OUTCOMES", "ACCEPTED", "RATE", "95% CI", "VALUE"});
    if (any_lift) table.back().push_back("LIFT (95% CI)");
    for (const auto& [offer, rows] : offers) {
      for (const v1::OutcomeReportRow* row : rows) {
        std::vector<std::string> cells = {offer, row->arm()};
        for (std::string& cell : Counts(*row)) cells.push_back(std::move(cell));
        if (any_lift) {
          const std::optional<Lift>& lift = lifts[offer];
          cells.push_back(row->arm() == kTreated && lift.has_value() ? LiftText(*lift) : "");
        }
        table.push_back(std::move(cells));
      }
    }
    absl::StrAppend(&out, Table(table, {false, false, true, true, true, true, true, true, false}));
  }
}

}  // namespace

absl::StatusOr<v1::OutcomeReportRequest> BuildOutcomeReportRequest(absl::string_view segment,
                                                                   absl::string_view offer) {
  if (!segment.empty() && !IsId(segment)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--segment \"", segment, "\" is not a segment id (1..64 characters of [a-z0-9_-])"));
  }
  if (!offer.empty() && !IsId(offer)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--offer \"", offer, "\" is not an offer id (1..64 characters of [a-z0-9_-])"));
  }
  v1::OutcomeReportRequest request;
  request.set_segment_id(std::string(segment));
  request.set_offer_id(std::string(offer));
  return request;
}

std::optional<Lift> AcceptanceLift(const v1::OutcomeReportRow& treated,
                                   const v1::OutcomeReportRow& baseline) {
  const double n1 = static_cast<double>(Outcomes(treated));
  const double n2 = static_cast<double>(Outcomes(baseline));
  if (!(n1 > 0) || !(n2 > 0)) return std::nullopt;
  const double p1 = std::clamp(static_cast<double>(treated.accepted()) / n1, 0.0, 1.0);
  const double p2 = std::clamp(static_cast<double>(baseline.accepted()) / n2, 0.0, 1.0);
  const double half = kZ95 * std::sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2);
  Lift lift;
  lift.difference = p1 - p2;
  lift.low = lift.difference - half;
  lift.high = lift.difference + half;
  return lift;
}

std::string FormatOutcomeReport(const v1::OutcomeReportRequest& request,
                                const v1::OutcomeReport& report) {
  std::string out;
  std::vector<std::string> filters;
  if (!request.segment_id().empty())
    filters.push_back(absl::StrCat("segment ", request.segment_id()));
  if (!request.offer_id().empty()) filters.push_back(absl::StrCat("offer ", request.offer_id()));
  if (!filters.empty()) Line(out, "Filter", absl::StrJoin(filters, ", "));
  if (report.arms().empty() && report.rows().empty()) {
    absl::StrAppend(&out, "No decisions or outcomes counted yet",
                    filters.empty() ? "" : " for this filter", ".\n");
    return out;
  }
  AppendArms(out, report);
  AppendSegments(out, report);
  return out;
}

}  // namespace nbo::tools
