// ns per evaluation of typical strategy rules (3-6 clauses with function calls).
#include <string>

#include "benchmark/benchmark.h"
#include "core/expr/compiled_expr.h"
#include "core/expr/test_context.h"

namespace nbo::core::expr {
namespace {

const char* const kRules[] = {
    // 0: segment rule with holdings.
    "monetary_total > 1000 && holds(\"broadband\") && !holds(\"tv\") && "
    "months_held(\"broadband\") >= 12",
    // 1: trigger on channel or web interest.
    "channel == \"call_centre\" || interactions_on(\"web\") > 20",
    // 2: eligibility with arithmetic and a list.
    "channel in [\"web\", \"mobile_app\"] && value.potential * 0.3 + monetary_total / 12 > 150 "
    "&& !is_vip && opted_in",
    // 3: six clauses, all evaluated (every clause true).
    "opted_in && months_active >= 12 && holds(\"mobile\") && !holds(\"tv\") && "
    "interactions_on(\"web\") > 20 && segment in [\"gold\", \"silver\", \"platinum\"]",
};

void BM_Eval(benchmark::State& state) {
  const Environment env = testing::TestEnvironment();
  const std::string source = kRules[state.range(0)];
  absl::StatusOr<CompiledExpr> rule = Compile(source, env, Type::kBool);
  if (!rule.ok()) {
    state.SkipWithError(std::string(rule.status().message()).c_str());
    return;
  }
  const testing::TestContext ctx = testing::SampleCustomer();
  for (auto _ : state) {
    benchmark::DoNotOptimize(rule->EvalBool(ctx));
  }
  state.SetLabel(std::to_string(rule->program_size()) + " instructions");
}
BENCHMARK(BM_Eval)->DenseRange(0, 3);

void BM_Compile(benchmark::State& state) {
  const Environment env = testing::TestEnvironment();
  for (auto _ : state) {
    benchmark::DoNotOptimize(Compile(kRules[0], env, Type::kBool));
  }
}
BENCHMARK(BM_Compile);

}  // namespace
}  // namespace nbo::core::expr

BENCHMARK_MAIN();
