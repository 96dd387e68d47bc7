// Budgets and capacities as a decision sees them. The core names the counters and decides what to
// charge; a BudgetGate holds the counts. The server's gate is shared by all requests and
// persisted (server/budget_ledger.h); LocalBudgetGate serves tests and the what-if simulation.
#ifndef NBO_CORE_BUDGET_H_
#define NBO_CORE_BUDGET_H_

#include <cstdint>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"

namespace nbo::core {

// Counters of budgets and capacities, keyed by name (see BudgetKeys in core/budget_plan.h).
// Money is counted in hundredths of the strategy currency.
class BudgetGate {
 public:
  virtual ~BudgetGate() = default;
  // The counter's value; 0 when never charged.
  virtual int64_t Spent(absl::string_view key) = 0;
  // Adds `amount` (> 0) to `key` when the result stays <= `limit`, atomically with respect to
  // every other charge of the key; returns false and changes nothing otherwise.
  virtual bool TryCharge(absl::string_view key, int64_t amount, int64_t limit) = 0;
  // Takes back a charge this decision made with TryCharge (used when a later limit of the same
  // offer refuses, so an offer is charged on all of its counters or on none).
  virtual void Refund(absl::string_view key, int64_t amount) = 0;
};

// A plain map; not thread-safe.
class LocalBudgetGate : public BudgetGate {
 public:
  int64_t Spent(absl::string_view key) override {
    auto it = counts_.find(key);
    return it == counts_.end() ? 0 : it->second;
  }
  bool TryCharge(absl::string_view key, int64_t amount, int64_t limit) override {
    int64_t& v = counts_[key];
    if (v + amount > limit) return false;
    v += amount;
    return true;
  }
  void Refund(absl::string_view key, int64_t amount) override { counts_[key] -= amount; }
  void Set(absl::string_view key, int64_t value) { counts_[key] = value; }

 private:
  absl::flat_hash_map<std::string, int64_t> counts_;
};

}  // namespace nbo::core

#endif  // NBO_CORE_BUDGET_H_
