// Parsing and validating a strategy document (JSON mapped onto nbo.v1.Strategy).
#ifndef NBO_CORE_STRATEGY_LOADER_H_
#define NBO_CORE_STRATEGY_LOADER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "core/strategy.h"
#include "nbo/v1/strategy.pb.h"

namespace nbo::core {

struct [[nodiscard]] StrategyLoadResult {
  // Set only when there are no errors (warnings allowed).
  std::shared_ptr<const Strategy> strategy;
  // Every error and warning found, each with its location, in document order.
  std::vector<v1::StrategyProblem> problems;

  bool ok() const { return strategy != nullptr; }
  // INVALID_ARGUMENT listing every error ("offers[3].channels[0]: unknown channel \"fax\"; ..."),
  // or OK.
  absl::Status ToStatus() const;
};

// Parses `json` (unknown fields are errors) and validates everything: ids, references, ranges,
// channels, kinds, rules, reason templates. Reports every problem, not just the first.
StrategyLoadResult LoadStrategy(absl::string_view json);

// Validates an already-parsed document (the JSON step skipped).
StrategyLoadResult CompileStrategy(v1::Strategy document);

// "location: message" lines of the errors (not warnings), joined by "; ".
std::string FormatProblems(const std::vector<v1::StrategyProblem>& problems, bool warnings);

}  // namespace nbo::core

#endif  // NBO_CORE_STRATEGY_LOADER_H_
