#include "tools/sim/report.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace nbo::tools::sim {
namespace {

double PerDecision(double x, int64_t decisions) { return decisions > 0 ? x / decisions : 0; }

std::string Percent(double rate) { return absl::StrFormat("%.2f%%", 100 * rate); }

// One row of the totals table.
std::string TallyRow(absl::string_view label, const Tally& t) {
  return absl::StrFormat(
      "%-10s %9d %8d %9s %8s %8s %8s %9.2f %9.2f %9.2f %9.2f %10.0f\n", label, t.decisions,
      t.accepted, Percent(t.AcceptanceRate()), Percent(t.ExpectedAcceptanceRate()),
      Percent(t.PriorAcceptanceRate()), Percent(t.OracleAcceptanceRate()), t.ValuePerDecision(),
      PerDecision(t.expected_value, t.decisions), PerDecision(t.prior_expected_value, t.decisions),
      PerDecision(t.oracle_value, t.decisions), t.Regret());
}

std::string TallyTable(const ArmTallies& arms) {
  std::string out = absl::StrFormat("%-10s %9s %8s %9s %8s %8s %8s %9s %9s %9s %9s %10s\n", "arm",
                                    "decisions", "accepted", "acc", "true acc", "prior", "oracle",
                                    "val/dec", "true val", "prior", "oracle", "regret");
  absl::StrAppend(&out, TallyRow("learning", arms.Learning()));
  absl::StrAppend(&out, TallyRow("  model", arms.model));
  absl::StrAppend(&out, TallyRow("  explore", arms.explore));
  absl::StrAppend(&out, TallyRow("control", arms.control));
  absl::StrAppend(&out, TallyRow("all", arms.All()));
  return out;
}

std::string JsonString(absl::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          absl::StrAppendFormat(&out, "\\u%04x", static_cast<unsigned char>(c));
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string JsonNumber(double x) { return absl::StrFormat("%.10g", x); }

std::string JsonTally(const Tally& t) {
  return absl::StrCat(
      "{\"decisions\":", t.decisions, ",\"offered\":", t.offered, ",\"accepted\":", t.accepted,
      ",\"declined\":", t.declined, ",\"ignored\":", t.ignored,
      ",\"acceptance_rate\":", JsonNumber(t.AcceptanceRate()), ",\"value\":", JsonNumber(t.value),
      ",\"value_per_decision\":", JsonNumber(t.ValuePerDecision()),
      ",\"expected_value\":", JsonNumber(t.expected_value),
      ",\"oracle_value\":", JsonNumber(t.oracle_value), ",\"regret\":", JsonNumber(t.Regret()),
      ",\"prior_expected_value\":", JsonNumber(t.prior_expected_value),
      ",\"expected_acceptance_rate\":", JsonNumber(t.ExpectedAcceptanceRate()),
      ",\"prior_acceptance_rate\":", JsonNumber(t.PriorAcceptanceRate()),
      ",\"oracle_acceptance_rate\":", JsonNumber(t.OracleAcceptanceRate()), "}");
}

std::string JsonArms(const ArmTallies& arms) {
  return absl::StrCat(
      "{\"learning\":", JsonTally(arms.Learning()), ",\"model\":", JsonTally(arms.model),
      ",\"explore\":", JsonTally(arms.explore), ",\"control\":", JsonTally(arms.control),
      ",\"all\":", JsonTally(arms.All()), "}");
}

}  // namespace

double Tally::AcceptanceRate() const {
  return offered > 0 ? static_cast<double>(accepted) / offered : 0;
}

double Tally::ExpectedAcceptanceRate() const {
  return offered > 0 ? expected_accepted / offered : 0;
}

double Tally::PriorAcceptanceRate() const {
  return offered > 0 ? prior_expected_accepted / offered : 0;
}

double Tally::OracleAcceptanceRate() const {
  return offered > 0 ? oracle_expected_accepted / offered : 0;
}

double Tally::ValuePerDecision() const { return PerDecision(value, decisions); }

Tally& Tally::operator+=(const Tally& o) {
  decisions += o.decisions;
  offered += o.offered;
  accepted += o.accepted;
  declined += o.declined;
  ignored += o.ignored;
  value += o.value;
  expected_value += o.expected_value;
  oracle_value += o.oracle_value;
  expected_accepted += o.expected_accepted;
  prior_expected_accepted += o.prior_expected_accepted;
  oracle_expected_accepted += o.oracle_expected_accepted;
  prior_expected_value += o.prior_expected_value;
  return *this;
}

Tally ArmTallies::Learning() const {
  Tally t = model;
  t += explore;
  return t;
}

Tally ArmTallies::All() const {
  Tally t = Learning();
  t += control;
  return t;
}

Tally& ArmTallies::ForArm(absl::string_view arm) {
  if (arm == "explore") return explore;
  if (arm == "control") return control;
  return model;
}

ArmTallies& ArmTallies::operator+=(const ArmTallies& o) {
  model += o.model;
  explore += o.explore;
  control += o.control;
  return *this;
}

std::string FormatTable(const SimReport& r) {
  std::string out = absl::StrFormat(
      "nbo-sim: seed %d, %d customers, %d days x %d interactions, strategy %s, run %s\n"
      "acc: accepted / decisions with an offer; val: realised value per decision; oracle: the best "
      "true expected value per decision;\nregret: oracle - true expected value of the offers "
      "shown. In the totals, true acc / true val: what the offers shown are worth by the hidden\n"
      "truth; prior: the same for the offers the prior-only policy would have shown in the same "
      "decisions; oracle: for the oracle's.\n\n",
      r.seed, r.customers, r.days, r.interactions_per_day, r.strategy_version, r.run_id);
  absl::StrAppendFormat(&out, "%4s %6s | %8s %8s %8s | %8s %8s %8s | %8s %10s %12s\n", "day",
                        "moves", "learn n", "acc", "val", "ctrl n", "acc", "val", "oracle",
                        "regret/dec", "cum regret");
  double cumulative = 0;
  for (const DayReport& d : r.days_reported) {
    const Tally learning = d.arms.Learning();
    const Tally& control = d.arms.control;
    const Tally all = d.arms.All();
    cumulative += all.Regret();
    absl::StrAppendFormat(&out, "%4d %6d | %8d %8s %8.2f | %8d %8s %8.2f | %8.2f %10.2f %12.0f\n",
                          d.day, d.moves, learning.decisions, Percent(learning.AcceptanceRate()),
                          learning.ValuePerDecision(), control.decisions,
                          Percent(control.AcceptanceRate()), control.ValuePerDecision(),
                          PerDecision(all.oracle_value, all.decisions),
                          PerDecision(all.Regret(), all.decisions), cumulative);
  }
  absl::StrAppend(&out, "\nWhole run (regret and values in strategy currency):\n",
                  TallyTable(r.total));
  const int first = r.days > 1 ? r.days / 2 + 1 : 1;
  absl::StrAppendFormat(&out, "\nSecond half (days %d-%d):\n", first, r.days);
  absl::StrAppend(&out, TallyTable(r.second_half));
  const Tally learning = r.second_half.Learning();
  const Tally& control = r.second_half.control;
  absl::StrAppendFormat(&out,
                        "\nSecond half, learning vs control: acceptance %s vs %s (%+.2f points",
                        Percent(learning.AcceptanceRate()), Percent(control.AcceptanceRate()),
                        100 * (learning.AcceptanceRate() - control.AcceptanceRate()));
  if (control.AcceptanceRate() > 0) {
    absl::StrAppendFormat(&out, ", x%.2f", learning.AcceptanceRate() / control.AcceptanceRate());
  }
  absl::StrAppendFormat(&out, "), value per decision %.2f vs %.2f\n", learning.ValuePerDecision(),
                        control.ValuePerDecision());
  absl::StrAppendFormat(&out,
                        "\nrequests %d, failed %d; segment mismatches %d, offer mismatches %d; "
                        "fallbacks %d; %.1f s\n",
                        r.requests, r.failed_requests, r.segment_mismatches, r.offer_mismatches,
                        r.fallbacks, r.seconds);
  if (!r.first_failure.empty()) absl::StrAppend(&out, "first failure: ", r.first_failure, "\n");
  return out;
}

std::string FormatJson(const SimReport& r) {
  std::string out = absl::StrCat(
      "{\"seed\":", r.seed, ",\"customers\":", r.customers, ",\"days\":", r.days,
      ",\"interactions_per_day\":", r.interactions_per_day, ",\"run_id\":", JsonString(r.run_id),
      ",\"strategy_version\":", JsonString(r.strategy_version), ",\"per_day\":[");
  double cumulative = 0;
  for (size_t i = 0; i < r.days_reported.size(); ++i) {
    const DayReport& d = r.days_reported[i];
    cumulative += d.arms.All().Regret();
    absl::StrAppend(&out, i > 0 ? "," : "", "{\"day\":", d.day, ",\"moves\":", d.moves,
                    ",\"arms\":", JsonArms(d.arms),
                    ",\"cumulative_regret\":", JsonNumber(cumulative), "}");
  }
  absl::StrAppend(&out, "],\"total\":", JsonArms(r.total),
                  ",\"second_half\":", JsonArms(r.second_half), ",\"requests\":", r.requests,
                  ",\"failed_requests\":", r.failed_requests,
                  ",\"first_failure\":", JsonString(r.first_failure),
                  ",\"segment_mismatches\":", r.segment_mismatches,
                  ",\"offer_mismatches\":", r.offer_mismatches, ",\"fallbacks\":", r.fallbacks,
                  ",\"seconds\":", JsonNumber(r.seconds), "}\n");
  return out;
}

}  // namespace nbo::tools::sim
