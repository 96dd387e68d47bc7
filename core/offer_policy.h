// The limits on making an offer beyond its fit: the contact policy (caps, cooldowns, pauses) and
// budgets and capacities with their pacing. Pure functions of the strategy, the profile, the time
// and the budget counters; arbitration applies them in order (docs/strategy.md, "Filters").
#ifndef NBO_CORE_OFFER_POLICY_H_
#define NBO_CORE_OFFER_POLICY_H_

#include <climits>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "core/budget.h"
#include "core/strategy.h"
#include "nbo/v1/profile.pb.h"
#include "nbo/v1/strategy.pb.h"

namespace nbo::core {

// Why a candidate was not offered.
enum class DropReason {
  kNone = 0,         // kept
  kAlreadyHeld,      // the customer holds the offer's product
  kMissingBase,      // upsell: none of requires_any is held
  kExcludedHolding,  // a product in excludes is held
  kChannel,          // not allowed on this channel
  kPlacement,        // not allowed in this placement
  kValidity,         // outside the offer's validity window
  kNotEligible,      // the eligibility rule is false
  kNoConsent,        // a marketing offer, and the customer opted out of marketing here
  kAlreadyAccepted,  // contact policy: the customer accepted this offer before
  kDeclineCooldown,  // contact policy: declined within decline_cooldown_days
  kGroupCooldown,    // contact policy: an offer of its group declined recently
  kIgnorePause,      // contact policy: ignored ignore_limit times in a row, pausing
  kContactCap,       // contact policy: a day / week / interaction cap is reached
  kBudget,           // a budget limit is reached
  kPacing,           // the day's budget is spent up to plan for this time of day
  kCapacity,         // a channel capacity is used up
  kDuplicate,        // the same offer appears earlier in the candidate list
  kRankedOut,        // eligible, but max_offers better offers won
};
absl::string_view DropReasonName(DropReason reason);

// --- Contact policy. ---

// How many more marketing offers this decision may answer under the day, week and interaction
// caps on `channel` (INT_MAX when uncapped), from the profile's contact log.
int MarketingAllowance(const CompiledContactPolicy& policy, const v1::Profile& profile,
                       v1::Channel channel, absl::Time now);

// The per-offer rules for a marketing offer: already accepted, decline and group cooldowns, the
// ignore pause. kNone when none applies. Offers of other action classes are never stopped here.
DropReason CheckContactHistory(const Strategy& strategy, const CompiledOffer& offer,
                               const v1::Profile& profile, absl::Time now);

// Appends the decision's answered marketing offers to the contact log (when the policy has caps)
// and drops entries older than 7 days; keeps at most kMaxContactLog entries.
inline constexpr int kMaxContactLog = 200;
void LogContacts(const Strategy& strategy, const std::vector<int>& offers, v1::Channel channel,
                 absl::Time now, v1::Profile& profile);

// --- Budgets and capacities. ---

// One counter an offer is charged on.
struct BudgetLimit {
  std::string key;     // e.g. "budget/tv_sport/day/2026-11-23/count"
  int64_t amount = 1;  // per charge: 1, or the cost in hundredths
  int64_t limit = 0;
  // Paced daily limit: the share of the day's plan due by now, [0, 1].
  bool paced = false;
  double plan_share = 0;
  bool money = false;     // amounts in hundredths (reported in currency units)
  bool capacity = false;  // a channel capacity rather than an offer budget
};

// The periods of one decision's budget and capacity counters: the day and hour of `now` in the
// strategy's time zone. Every budgeted candidate of a decision is checked, and the chosen charged,
// on counters of the same day and hour, so they are formatted once, when first needed, rather
// than per candidate and limit. Not thread-safe: one per decision.
class BudgetPeriod {
 public:
  // `strategy` must outlive the period.
  BudgetPeriod(const Strategy& strategy, absl::Time now)
      : now_(now), time_zone_(strategy.time_zone) {}

  absl::Time now() const { return now_; }
  // "2026-11-23": the day of `now`.
  const std::string& day();
  // "2026-11-23T14": the hour of `now`.
  const std::string& hour();
  // Share of `budget`'s daily plan due at `now`: the cumulative hourly shape, linear within the
  // hour, in [0, 1].
  double PlanShare(const CompiledBudget& budget);

 private:
  const absl::CivilSecond& Local();

  const absl::Time now_;
  const absl::TimeZone time_zone_;
  std::optional<absl::CivilSecond> local_;
  std::string day_;   // "" until asked for
  std::string hour_;  // "" until asked for
};

// The counters charged when the offer is answered by a decision on `channel` at `now`: its
// decision-charged budget limits and the capacities of the channel that cover it.
std::vector<BudgetLimit> DecisionLimits(const Strategy& strategy, int offer, v1::Channel channel,
                                        absl::Time now);
std::vector<BudgetLimit> DecisionLimits(const Strategy& strategy, int offer, v1::Channel channel,
                                        BudgetPeriod& period);
// The counters charged when the offer is accepted at `now` (acceptance-charged budgets).
std::vector<BudgetLimit> AcceptanceLimits(const Strategy& strategy, int offer, absl::Time now);

struct BudgetCheck {
  DropReason dropped = DropReason::kNone;
  double pacing = 1;  // score factor, [kMinPacing, kMaxPacing]
};
inline constexpr double kMinPacing = 0.5;
inline constexpr double kMaxPacing = 2;

// Whether the offer can still be charged on every limit, and its pacing factor. Checks the
// decision-charged limits and, without charging them, the acceptance-charged ones. Appends the
// state of each limit to `states` when given.
BudgetCheck CheckBudgets(const Strategy& strategy, int offer, v1::Channel channel, absl::Time now,
                         BudgetGate& gate, std::vector<v1::BudgetState>* states);
// Same, at period.now() (a decision checking many offers).
BudgetCheck CheckBudgets(const Strategy& strategy, int offer, v1::Channel channel,
                         BudgetPeriod& period, BudgetGate& gate,
                         std::vector<v1::BudgetState>* states);

// Charges every decision limit of the offer, or none: DropReason of the first refusing limit
// (budget, pacing or capacity), or kNone when all were charged.
DropReason ChargeDecision(const Strategy& strategy, int offer, v1::Channel channel, absl::Time now,
                          BudgetGate& gate);
// Same, at period.now().
DropReason ChargeDecision(const Strategy& strategy, int offer, v1::Channel channel,
                          BudgetPeriod& period, BudgetGate& gate);

}  // namespace nbo::core

#endif  // NBO_CORE_OFFER_POLICY_H_
