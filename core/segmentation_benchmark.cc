// Segment assignment over the generated strategy (50 segments, the last one "true"): the sample
// customer lands in segment s44, so 45 rules are evaluated, most of them stopping at their first
// clause; then the dimension levels and the micro-segment. Part of nbo_core_steps_benchmark.
#include "benchmark/benchmark.h"
#include "core/benchmark_strategy.h"
#include "core/segmentation.h"
#include "core/strategy_loader.h"

namespace nbo::core {
namespace {

using benchmarking::kNow;

const Strategy& Large() { return benchmarking::LargeStrategy(); }

struct Inputs {
  v1::Profile profile = benchmarking::SampleProfile("c-42", kNow);
  v1::Event event = benchmarking::PageViewRequest("c-42", "e", "p7").event();
  DecisionInputs in{profile, event, "", "", "p7", kNow};
};

void BM_AssignSegment(benchmark::State& state) {
  const Strategy& strategy = Large();
  const Inputs inputs;
  int segment = 0;
  for (auto _ : state) {
    segment = AssignSegment(strategy, inputs.in);
    benchmark::DoNotOptimize(segment);
  }
  state.counters["rules_evaluated"] = segment + 1;
}
BENCHMARK(BM_AssignSegment);

// A customer no rule but the last matches: all 50 rules.
void BM_AssignSegmentLast(benchmark::State& state) {
  const Strategy& strategy = Large();
  Inputs inputs;
  inputs.profile.set_monetary_total(0);
  for (auto _ : state) benchmark::DoNotOptimize(AssignSegment(strategy, inputs.in));
}
BENCHMARK(BM_AssignSegmentLast);

void BM_AssignLevelsAndMicroSegment(benchmark::State& state) {
  const Strategy& strategy = Large();
  const Inputs inputs;
  const CompiledSegment& segment = strategy.segments[40];  // has a micro-segment
  for (auto _ : state) {
    const std::vector<int> levels = AssignLevels(strategy, inputs.in);
    benchmark::DoNotOptimize(AssignMicroSegment(segment, levels));
  }
}
BENCHMARK(BM_AssignLevelsAndMicroSegment);

}  // namespace
}  // namespace nbo::core
