// What the decision benchmarks share (core/*_benchmark.cc, server/decision_flow_benchmark.cc): a
// generated strategy of the size issue 6 sets (200 offers, 50 segments, contact policy, budgets,
// micro-segments), customer profiles with the history a regular customer has, and latency
// percentiles (Google Benchmark reports only means). Benchmark code only: linked into benchmark
// binaries, never into nbo_core or the server.
#ifndef NBO_CORE_BENCHMARK_STRATEGY_H_
#define NBO_CORE_BENCHMARK_STRATEGY_H_

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "benchmark/benchmark.h"
#include "core/strategy.h"
#include "nbo/v1/decision.pb.h"
#include "nbo/v1/profile.pb.h"

namespace nbo::core::benchmarking {

// The time the fixed inputs are built around: 2026-01-01T00:00:00Z.
inline const absl::Time kNow = absl::FromUnixSeconds(1767225600);

// 200 offers (products p0..p199, a quarter of them upsells needing a base product, every tenth
// with an eligibility rule, some with budgets and groups) and 50 segments whose rules look at
// value, holdings and web interactions, 20 treatments each, every fifth with a micro-segment on
// the "tier" dimension. Contact caps of 10 a day and 40 a week; a call-centre capacity.
std::string LargeStrategyJson();
// LargeStrategyJson compiled once (the first call loads it).
const Strategy& LargeStrategy();

// One product of a catalogue the generated events buy and look at.
struct Product {
  std::string id;
  std::string category;
  double price = 0;
};

// Products p0..p199 of LargeStrategyJson(), in ten categories.
std::vector<Product> LargeCatalogue();
// The products of examples/strategy.json (mobile, broadband, TV, devices, add-ons).
std::vector<Product> ExampleCatalogue();

// A customer 200 days old with 5 holdings (p11, p22, p33, p44, p55), 40 web interactions, a
// monetary total of 900, and 10 offer contacts with ignores, declines and contact-log entries
// over the last days before `now`.
v1::Profile SampleProfile(std::string customer_id, absl::Time now);

// SampleProfile after 50 further events over the 30 days before `now`, applied with ApplyEvent
// (page views, searches, cart adds, calls, app opens and purchases from `catalogue`, chosen by
// `seed`): a full recent-events ring, interests, more holdings and spend. What the stored
// profile of a regular customer looks like. REQUIRES: `catalogue` is not empty.
v1::Profile HistoryProfile(std::string customer_id, absl::Time now, uint64_t seed,
                           const std::vector<Product>& catalogue);

// A Decide request for `customer_id`: a web page view of `product` with `event_id`.
v1::DecideRequest PageViewRequest(std::string customer_id, std::string event_id,
                                  std::string product);

// Latency percentiles of one run, in microseconds.
struct Percentiles {
  size_t count = 0;
  double p50 = 0, p90 = 0, p99 = 0, p999 = 0, max = 0, mean = 0;
};

// Sorts `micros` and reads the percentiles off it (nearest rank). All zero when empty.
Percentiles ComputePercentiles(std::vector<double>& micros);

// Sets the counters p50_us, p90_us, p99_us, p999_us and max_us on `state`.
void ReportPercentiles(const Percentiles& p, benchmark::State& state);

// Records the latency of every iteration of a benchmark loop, so that the tail can be reported
// (Google Benchmark itself only reports the mean). Keeps at most 2^22 samples. Not thread-safe:
// one per thread.
class LatencyRecorder {
 public:
  using Clock = std::chrono::steady_clock;

  LatencyRecorder() { micros_.reserve(1 << 16); }

  // Records Clock::now() - start.
  void Record(Clock::time_point start) {
    const Clock::time_point end = Clock::now();
    if (micros_.size() < (size_t{1} << 22)) {
      micros_.push_back(std::chrono::duration<double, std::micro>(end - start).count());
    }
  }
  std::vector<double>& samples() { return micros_; }
  // ReportPercentiles of the samples recorded.
  void Report(benchmark::State& state) { ReportPercentiles(ComputePercentiles(micros_), state); }

 private:
  std::vector<double> micros_;
};

}  // namespace nbo::core::benchmarking

#endif  // NBO_CORE_BENCHMARK_STRATEGY_H_
