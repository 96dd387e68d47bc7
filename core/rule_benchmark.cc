// One compiled rule evaluated against a real profile (Rule::Matches, which binds the expression
// language to the profile, the event and the request): the rules of the generated strategy and
// typical ones of examples/strategy.json. Part of nbo_core_steps_benchmark; core/expr's own
// benchmark (nbo_expr_benchmark) measures the evaluator against a fake context.
#include <string>

#include "benchmark/benchmark.h"
#include "core/benchmark_strategy.h"
#include "core/rule.h"

namespace nbo::core {
namespace {

using benchmarking::kNow;

const char* const kRules[] = {
    // 0: a segment rule of the generated strategy that holds (all three clauses evaluated).
    R"(monetary_total > 600 && holds("p44") && interactions_on("web") > 4)",
    // 1: one that fails at its first clause, as most of the 45 rules a decision tries do.
    R"(monetary_total > 4000 && holds("p10") && interactions_on("web") > 0)",
    // 2: the generated strategy's eligibility rule.
    "tenure_days > 30 || purchases > 2",
    // 3: an example-strategy style rule over decayed values and the recent-events ring.
    R"(recency_days < 30 && frequency > 2 && interest("c7") > 0.2 && !trigger("moved_home"))",
    // 4: request context and consent.
    R"(channel in ["web", "mobile_app"] && product_in_view != "" && consented("web"))",
};

void BM_RuleMatches(benchmark::State& state) {
  const std::string source = kRules[state.range(0)];
  absl::StatusOr<Rule> rule = Rule::Compile(source);
  if (!rule.ok()) return state.SkipWithError(std::string(rule.status().message()).c_str());
  const v1::Profile profile =
      benchmarking::HistoryProfile("c-42", kNow, 42, benchmarking::LargeCatalogue());
  const v1::Event event = benchmarking::PageViewRequest("c-42", "e", "p7").event();
  const DecisionInputs in{profile, event, "", "", "p7", kNow};
  bool matched = false;
  for (auto _ : state) {
    matched = rule->Matches(in);
    benchmark::DoNotOptimize(matched);
  }
  state.SetLabel(matched ? "true" : "false");
}
BENCHMARK(BM_RuleMatches)->DenseRange(0, 4);

}  // namespace
}  // namespace nbo::core
