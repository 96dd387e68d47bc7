// ns per Counter::Increment and Histogram::Observe, single-threaded and contended (all threads
// updating the same child), plus Family::Add lookup and a full Render. Reports numbers only.

#include <string>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "server/metrics/registry.h"
#include "server/metrics/text_format.h"

namespace nbo::metrics {
namespace {

Registry& SharedRegistry() {
  static Registry* registry = new Registry();  // benchmark-only; the library has no globals
  return *registry;
}

Counter& SharedCounter() {
  static Counter& counter =
      SharedRegistry().AddCounter("bench_increments_total", "Bench.").Add({{"k", "v"}});
  return counter;
}

Histogram& SharedHistogram() {
  static Histogram& histogram =
      SharedRegistry()
          .AddHistogram("bench_latency_seconds", "Bench.", DefaultLatencyBuckets())
          .Add({{"k", "v"}});
  return histogram;
}

void BM_CounterIncrement(benchmark::State& state) {
  Counter& counter = SharedCounter();
  for (auto _ : state) counter.Increment();
}
BENCHMARK(BM_CounterIncrement)->ThreadRange(1, 8)->UseRealTime();

void BM_HistogramObserve(benchmark::State& state) {
  Histogram& histogram = SharedHistogram();
  double value = 0.0001;
  for (auto _ : state) {
    histogram.Observe(value);
    value = value < 3 ? value * 1.7 : 0.0001;  // walk across the buckets
  }
}
BENCHMARK(BM_HistogramObserve)->ThreadRange(1, 8)->UseRealTime();

void BM_FamilyAddExisting(benchmark::State& state) {
  Registry registry;
  Family<Counter>& family = registry.AddCounter("bench_add_total", "Bench.");
  for (int i = 0; i < 100; ++i) family.Add({{"channel", absl::StrCat("c", i)}, {"result", "ok"}});
  const Labels labels = {{"channel", "c42"}, {"result", "ok"}};
  for (auto _ : state) benchmark::DoNotOptimize(&family.Add(labels));
}
BENCHMARK(BM_FamilyAddExisting);

void BM_Render(benchmark::State& state) {
  Registry registry;
  Family<Counter>& counters = registry.AddCounter("bench_render_total", "Bench.");
  Family<Histogram>& histograms =
      registry.AddHistogram("bench_render_seconds", "Bench.", DefaultLatencyBuckets());
  for (int i = 0; i < state.range(0); ++i) {
    counters.Add({{"offer", absl::StrCat("o", i)}}).Increment(i);
    histograms.Add({{"offer", absl::StrCat("o", i)}}).Observe(0.01 * i);
  }
  for (auto _ : state) benchmark::DoNotOptimize(Render(registry));
}
BENCHMARK(BM_Render)->Arg(10)->Arg(100);

}  // namespace
}  // namespace nbo::metrics

BENCHMARK_MAIN();
