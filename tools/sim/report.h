// What nbo-sim measured: per simulated day and in total, the decisions and outcomes of the
// learning arms (model and explore) and of the control arm, the oracle's expected value and the
// regret; printed as a table or as JSON.
#ifndef NBO_TOOLS_SIM_REPORT_H_
#define NBO_TOOLS_SIM_REPORT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace nbo::tools::sim {

// Decisions of one arm (or group of arms) over some interactions.
struct Tally {
  int64_t decisions = 0;  // Decide calls answered
  int64_t offered = 0;    // ... that answered an offer (the others get no outcome)
  int64_t accepted = 0;
  int64_t declined = 0;
  int64_t ignored = 0;
  double value = 0;           // realised: the value of the accepted offers
  double expected_value = 0;  // by the hidden truth: sum of p x value of the offers shown
  double oracle_value = 0;    // by the hidden truth: sum of the oracle's best p x value
  // By the hidden truth, the acceptances to expect: sum of p of the offers shown, of the offers
  // the prior-only policy would have shown in the same decisions (World::PriorChoice), and of the
  // oracle's offers. Free of the outcome draws' noise, and the prior-only counterfactual is paired
  // with the same customers, so they compare policies more sharply than realised rates do.
  double expected_accepted = 0;
  double prior_expected_accepted = 0;
  double oracle_expected_accepted = 0;
  double prior_expected_value = 0;  // sum of p x value of the prior-only policy's offers

  // accepted / offered; 0 when nothing was offered.
  double AcceptanceRate() const;
  // expected_accepted / offered, prior_expected_accepted / offered, oracle_expected_accepted /
  // offered: the true acceptance rates of the policy, of the prior-only policy and of the oracle
  // over the same decisions; 0 when nothing was offered.
  double ExpectedAcceptanceRate() const;
  double PriorAcceptanceRate() const;
  double OracleAcceptanceRate() const;
  // value / decisions; 0 without decisions.
  double ValuePerDecision() const;
  // oracle_value - expected_value: what the policy's choices cost against the oracle (>= 0 up
  // to the mirror's accuracy).
  double Regret() const { return oracle_value - expected_value; }

  Tally& operator+=(const Tally& other);
};

// The arms of one stretch of the run.
struct ArmTallies {
  Tally model;
  Tally explore;
  Tally control;
  Tally Learning() const;  // model + explore
  Tally All() const;       // every arm
  // The tally of the arm named by DecideResponse.arm ("model", "explore", "control"); model for
  // an empty or unknown name.
  Tally& ForArm(absl::string_view arm);
  ArmTallies& operator+=(const ArmTallies& other);
};

struct DayReport {
  int day = 0;  // 1-based
  ArmTallies arms;
  int moves = 0;  // customers who moved home that day
};

struct SimReport {
  // The run, as configured.
  uint64_t seed = 0;
  int customers = 0;
  int days = 0;
  int interactions_per_day = 0;
  std::string run_id;
  std::string strategy_version;

  std::vector<DayReport> days_reported;
  ArmTallies total;
  // Days from days / 2 + 1 on (the second half; the whole run when it lasts one day).
  ArmTallies second_half;

  int64_t requests = 0;         // RPCs sent (Decide, RecordOutcome, IngestEvents)
  int64_t failed_requests = 0;  // ... that failed
  std::string first_failure;    // the first failure's status, "" when none
  // Decisions whose segment differs from the world's mirror, and offers the mirror thought
  // ineligible: both 0 when tools/sim/world.cc mirrors the served strategy.
  int64_t segment_mismatches = 0;
  int64_t offer_mismatches = 0;
  int64_t fallbacks = 0;  // decisions answered from a fallback list
  double seconds = 0;     // wall time of the run
};

// The human report: a line per day (learning and control acceptance and value per decision, the
// oracle's value per decision, cumulative regret), then the totals per arm and the second half.
std::string FormatTable(const SimReport& report);

// The same as one JSON object (keys in snake_case; numbers as plain JSON numbers).
std::string FormatJson(const SimReport& report);

}  // namespace nbo::tools::sim

#endif  // NBO_TOOLS_SIM_REPORT_H_
