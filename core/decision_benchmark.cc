// Microbenchmarks of the pure decision path: a full MakeDecision (apply, segment, micro-segment,
// arbitrate with contact policy and budgets, explain) over the generated strategy of 200 offers
// and 50 segments (core/benchmark_strategy.h), and over the example strategy. Each decision is
// timed on its own; p50/p90/p99/p99.9/max per decision are reported as counters (µs), because
// the mean Google Benchmark prints hides the tail. The issue 6 target for the full in-process
// decision (with the store write, see server/decision_flow_benchmark.cc) is p99 <= 50 µs warm.
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "benchmark/benchmark.h"
#include "core/benchmark_strategy.h"
#include "core/budget.h"
#include "core/decision.h"
#include "core/strategy_loader.h"

namespace nbo::core {
namespace {

using benchmarking::kNow;

// Learned evidence as the server's LearningStats gives it once outcomes have come in: 200
// outcomes per offer, a fifth of them accepted.
class FixedEvidence : public EvidenceSource {
 public:
  Evidence Get(absl::string_view, absl::string_view, v1::Channel, absl::Time) const override {
    return Evidence{40, 160};
  }
};

// Decides for a copy of `base` per iteration (the copy is timed too: the server decides on a
// freshly read profile). Budgets are counted by a local gate that lives for the whole run.
// With `evidence`, decides as the server does: learned propensities, with the selection
// probabilities estimated by Thompson draws, from one generator for the whole run.
void RunDecisions(benchmark::State& state, const Strategy& strategy, const v1::Profile& base,
                  const EvidenceSource* evidence = nullptr) {
  const v1::DecideRequest req = benchmarking::PageViewRequest(base.customer_id(), "e", "p7");
  LocalBudgetGate budgets;
  std::mt19937_64 rng(42);
  DecisionOptions options;
  options.budgets = &budgets;
  if (evidence != nullptr) {
    options.evidence = evidence;
    options.rng = &rng;
  }
  benchmarking::LatencyRecorder latencies;
  for (auto _ : state) {
    const auto start = benchmarking::LatencyRecorder::Clock::now();
    v1::Profile p = base;
    DecisionResult r = MakeDecision(p, req, strategy, kNow, DefaultProfileSettings(), options);
    benchmark::DoNotOptimize(r);
    latencies.Record(start);
  }
  latencies.Report(state);
}

const Strategy* LargeStrategy(benchmark::State& state) {
  static const StrategyLoadResult* loaded =
      new StrategyLoadResult(LoadStrategy(benchmarking::LargeStrategyJson()));
  if (!loaded->ok()) {
    state.SkipWithError(FormatProblems(loaded->problems, false).c_str());
    return nullptr;
  }
  return loaded->strategy.get();
}

// The profile of the original benchmark: 5 holdings, 10 contacts, no recent events.
void BM_DecisionLargeStrategy(benchmark::State& state) {
  if (const Strategy* strategy = LargeStrategy(state)) {
    RunDecisions(state, *strategy, benchmarking::SampleProfile("c-42", kNow));
  }
}
BENCHMARK(BM_DecisionLargeStrategy);

// The same with learning on, as in the server (most of the extra time is the Thompson draws).
void BM_DecisionLargeStrategyLearning(benchmark::State& state) {
  static const FixedEvidence evidence;
  if (const Strategy* strategy = LargeStrategy(state)) {
    RunDecisions(state, *strategy, benchmarking::SampleProfile("c-42", kNow), &evidence);
  }
}
BENCHMARK(BM_DecisionLargeStrategyLearning);

// A regular customer's profile: full 50-event ring, interests, more holdings and spend.
void BM_DecisionLargeStrategyHistory(benchmark::State& state) {
  if (const Strategy* strategy = LargeStrategy(state)) {
    RunDecisions(state, *strategy,
                 benchmarking::HistoryProfile("c-42", kNow, 42, benchmarking::LargeCatalogue()));
  }
}
BENCHMARK(BM_DecisionLargeStrategyHistory);

const Strategy* ExampleStrategy(benchmark::State& state) {
  static const StrategyLoadResult* loaded = [] {
    std::ifstream in(NBO_EXAMPLES_DIR "/strategy.json");
    std::stringstream ss;
    ss << in.rdbuf();
    return new StrategyLoadResult(LoadStrategy(ss.str()));
  }();
  if (!loaded->ok()) {
    state.SkipWithError("examples/strategy.json does not load");
    return nullptr;
  }
  return loaded->strategy.get();
}

// The original profile (holdings p11..p55 match no rule of the example): mostly fallbacks.
void BM_DecisionExampleStrategy(benchmark::State& state) {
  const Strategy* strategy = ExampleStrategy(state);
  if (strategy == nullptr) return;
  RunDecisions(state, *strategy, benchmarking::SampleProfile("c-42", kNow));
}
BENCHMARK(BM_DecisionExampleStrategy);

void BM_DecisionExampleStrategyHistory(benchmark::State& state) {
  const Strategy* strategy = ExampleStrategy(state);
  if (strategy == nullptr) return;
  RunDecisions(state, *strategy,
               benchmarking::HistoryProfile("c-42", kNow, 42, benchmarking::ExampleCatalogue()));
}
BENCHMARK(BM_DecisionExampleStrategyHistory);

void BM_LoadLargeStrategy(benchmark::State& state) {
  const std::string json = benchmarking::LargeStrategyJson();
  for (auto _ : state) benchmark::DoNotOptimize(LoadStrategy(json));
}
BENCHMARK(BM_LoadLargeStrategy)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace nbo::core

BENCHMARK_MAIN();
