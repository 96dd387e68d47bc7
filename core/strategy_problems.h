// Internal to the strategy loader: collecting located problems, and the checks shared by the
// files that compile a strategy document (strategy_loader.cc, strategy_loader_policy.cc).
#ifndef NBO_CORE_STRATEGY_PROBLEMS_H_
#define NBO_CORE_STRATEGY_PROBLEMS_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "core/rule.h"
#include "core/strategy.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "nbo/v1/strategy.pb.h"

namespace nbo::core::internal {

// Collects problems while walking the document.
class Problems {
 public:
  void Error(std::string location, std::string message) {
    Add(std::move(location), std::move(message), false);
  }
  void Warning(std::string location, std::string message) {
    Add(std::move(location), std::move(message), true);
  }
  bool has_errors() const { return errors_ > 0; }
  std::vector<v1::StrategyProblem> Take() { return std::move(list_); }

 private:
  void Add(std::string location, std::string message, bool warning) {
    v1::StrategyProblem p;
    p.set_location(std::move(location));
    p.set_message(std::move(message));
    p.set_warning(warning);
    list_.push_back(std::move(p));
    if (!warning) ++errors_;
  }
  std::vector<v1::StrategyProblem> list_;
  int errors_ = 0;
};

// Id rules shared by offers, segments, triggers...: 1..64 characters of [a-z0-9_-].
bool IsIdChar(char c);
void CheckId(absl::string_view id, const std::string& path, Problems& problems);
// Names: 1..128 characters.
void CheckName(absl::string_view name, const std::string& path, Problems& problems);
// Adds a rule compile error ("LINE:COLUMN: what") at `path`, as "path:LINE:COLUMN".
void AddRuleError(const std::string& path, absl::string_view message, Problems& problems);
// Compiles a required boolean rule at `path`; nullopt (with a located problem) when it does not.
std::optional<Rule> CompileRequiredRule(const std::string& rule, const std::string& path,
                                        Problems& problems);
// Resolves offer ids at `path`.offer_ids[j]; unknown and repeated ids are errors.
std::vector<int> ResolveOffers(const google::protobuf::RepeatedPtrField<std::string>& ids,
                               const std::string& path, const Strategy& s, Problems& problems);
// A lever or multiplier: finite and > 0.
void CheckWeight(double weight, const std::string& path, Problems& problems);

// strategy_loader_policy.cc: the per-offer policy fields (placements, validity, action class,
// group, cost, budget), the contact policy, capacities, dimensions and micro-segments, the time
// zone. CompileOfferPolicy runs per offer after the offer's own fields; the rest after segments.
void CompileTimeZone(const v1::Strategy& doc, Strategy& s, Problems& problems);
void CompileOfferPolicy(const v1::Offer& o, const std::string& path, CompiledOffer& c,
                        Problems& problems);
void CompileContactPolicy(const v1::Strategy& doc, Strategy& s, Problems& problems);
// Needs segments compiled.
void CompileChallenger(const v1::Strategy& doc, Strategy& s, Problems& problems);
void CompileLearning(const v1::Strategy& doc, Strategy& s, Problems& problems);
void CompileCapacities(const v1::Strategy& doc, Strategy& s, Problems& problems);
void CompileDimensions(const v1::Strategy& doc, Strategy& s, Problems& problems);
// Needs dimensions and segments compiled.
void CompileMicroSegments(const v1::Strategy& doc, Strategy& s, Problems& problems);

}  // namespace nbo::core::internal

#endif  // NBO_CORE_STRATEGY_PROBLEMS_H_
