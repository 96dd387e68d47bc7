// Arbitration alone (Arbitrate over one segment's 20 treatments of the generated strategy, with
// the contact policy, budgets and priors), and the explanations built from its result
// (ExplainCandidates), which MakeDecision builds on every decision for the decision log. Part of
// nbo_core_steps_benchmark.
#include "benchmark/benchmark.h"
#include "core/arbitration.h"
#include "core/benchmark_strategy.h"
#include "core/explain.h"
#include "core/strategy_loader.h"

namespace nbo::core {
namespace {

using benchmarking::kNow;

const Strategy& Large() { return benchmarking::LargeStrategy(); }

// The sample customer's segment (s44) and the inputs of its decision.
struct Inputs {
  v1::Profile profile = benchmarking::SampleProfile("c-42", kNow);
  v1::Event event = benchmarking::PageViewRequest("c-42", "e", "p7").event();
  DecisionInputs in{profile, event, "", "", "p7", kNow};
  const CompiledSegment& segment = Large().segments[44];
};

// `segment`'s treatments with a budget gate that lives for the whole run.
void BM_Arbitrate(benchmark::State& state) {
  const Inputs inputs;
  LocalBudgetGate budgets;
  ArbitrationOptions options;
  options.budgets = &budgets;
  options.segment_id = inputs.segment.def->id();
  size_t candidates = 0;
  for (auto _ : state) {
    ArbitrationResult r = Arbitrate(Large(), inputs.segment.treatments, inputs.in, options);
    candidates = r.candidates.size();
    benchmark::DoNotOptimize(r);
  }
  state.counters["candidates"] = static_cast<double>(candidates);
}
BENCHMARK(BM_Arbitrate);

// A segment of the generated strategy whose treatments include budgeted offers (o5, o15, ...),
// each checked and charged per decision.
void BM_ArbitrateBudgeted(benchmark::State& state) {
  const Inputs inputs;
  LocalBudgetGate budgets;
  ArbitrationOptions options;
  options.budgets = &budgets;
  // At noon the paced budgets have a plan to check against (at midnight their allowance is 0).
  DecisionInputs in = inputs.in;
  in.now = kNow + absl::Hours(12);
  int budgeted = 0;
  for (const CompiledTreatment& t : inputs.segment.treatments) {
    budgeted += Large().offers[t.offer].budget.has_value();
  }
  for (auto _ : state) {
    ArbitrationResult r = Arbitrate(Large(), inputs.segment.treatments, in, options);
    benchmark::DoNotOptimize(r);
  }
  state.counters["budgeted_treatments"] = budgeted;
}
BENCHMARK(BM_ArbitrateBudgeted);

void BM_ExplainCandidates(benchmark::State& state) {
  const Inputs inputs;
  LocalBudgetGate budgets;
  ArbitrationOptions options;
  options.budgets = &budgets;
  const ArbitrationResult r = Arbitrate(Large(), inputs.segment.treatments, inputs.in, options);
  size_t bytes = 0;
  for (auto _ : state) {
    std::vector<v1::CandidateExplanation> e =
        ExplainCandidates(Large(), r, inputs.profile, v1::CHANNEL_WEB);
    benchmark::DoNotOptimize(e);
    bytes = 0;
    for (const auto& x : e) bytes += x.explanation().size();
  }
  state.counters["candidates"] = static_cast<double>(r.candidates.size());
  state.counters["sentence_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_ExplainCandidates);

}  // namespace
}  // namespace nbo::core
