// The full server-side decision without gRPC: DecisionFlow::Decide over a real RocksStore in a
// temp dir (WAL on, no fsync per write: the server's default), with 10,000 warm customers whose
// stored profiles carry a full 50-event ring, contacts and holdings. Each request is a page view
// with a unique event id for the next customer in turn, so every Decide takes the fresh path:
// resolve and lock the customer, read the profile and the dedupe record, apply the event, segment,
// arbitrate, explain, and commit profile + decision record + dedupe record + counters in one
// write. Every Decide is timed on its own; p50/p90/p99/p99.9/max (µs) are reported as counters
// and printed. The issue 6 target is p99 <= 50 µs warm (one thread, the 200-offer strategy).
//
//   BM_FlowLargeStrategy/threads:N   the generated strategy (core/benchmark_strategy.h)
//   BM_FlowExampleStrategy/threads:N examples/strategy.json
//
// A fake clock moves 8.64 s per decision (a day per pass over the customers), so contact caps and
// budgets see a customer about once a day, as in production, and never the same second twice.
#include <atomic>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "benchmark/benchmark.h"
#include "core/benchmark_strategy.h"
#include "core/clock.h"
#include "server/budget_ledger.h"
#include "server/customer_access.h"
#include "server/decision_flow.h"
#include "server/id_generator.h"
#include "server/learning_stats.h"
#include "server/strategy_holder.h"
#include "storage/rocks_store.h"
#include "storage/test_util.h"

namespace nbo::server {
namespace {

namespace bench = core::benchmarking;

// Overridden by --flow_customers=N and --flow_decisions=N (e.g. smaller under valgrind).
int num_customers = 10000;
int decisions_per_run = 40000;
const absl::Duration kStep = absl::Milliseconds(8640);  // a day per pass over the customers

std::string CustomerId(int i) { return absl::StrCat("c-", 100000 + i); }

// A DecisionFlow over a fresh RocksStore holding num_customers warm customers; the temp dir is
// removed on destruction. `error` is set when anything failed to start.
class FlowEnv {
 public:
  FlowEnv(const std::string& strategy_json, std::vector<bench::Product> catalogue)
      : dir_("/tmp"),
        clock_(bench::kNow + absl::Hours(9)),  // a working hour: paced budgets have a plan
        strategies_("unused.json"),
        ids_(7),
        catalogue_(std::move(catalogue)) {
    if (auto loaded = strategies_.LoadInline(strategy_json, clock_.Now()); !loaded.ok()) {
      error = loaded.status().ToString();
      return;
    }
    storage::RocksStoreOptions options;
    options.path = dir_.path() + "/db";
    options.now = [this] { return clock_.Now(); };
    absl::StatusOr<std::unique_ptr<storage::RocksStore>> opened =
        storage::RocksStore::Open(options);
    if (!opened.ok()) {
      error = opened.status().ToString();
      return;
    }
    store_ = *std::move(opened);
    customers_ = std::make_unique<CustomerAccess>(*store_, ids_);
    budgets_ = std::make_unique<BudgetLedger>(*store_);
    learning_ = std::make_unique<LearningStats>(clock_);
    flow_ = std::make_unique<DecisionFlow>(*customers_, strategies_, clock_, ids_, *budgets_,
                                           *learning_, nullptr);
    error = Warm();
  }
  ~FlowEnv() {
    flow_.reset();
    if (store_ != nullptr) store_->Close().IgnoreError();
  }

  // One Decide for customer `n % num_customers` with the unique event `n`; its latency in µs, or a
  // negative value when it failed (the status is then kept in `error`).
  double Decide(int64_t n) {
    const int customer = static_cast<int>(n % num_customers);
    const bench::Product& product = catalogue_[n % catalogue_.size()];
    const v1::DecideRequest request =
        bench::PageViewRequest(CustomerId(customer), absl::StrCat("ev-", n), product.id);
    clock_.Advance(kStep);
    const auto start = bench::LatencyRecorder::Clock::now();
    absl::StatusOr<v1::DecideResponse> r = flow_->Decide(request);
    const auto end = bench::LatencyRecorder::Clock::now();
    if (!r.ok()) {
      absl::MutexLock lock(&mu_);
      error = r.status().ToString();
      return -1;
    }
    if (n % 1000 == 0) {  // rarely, so the threads do not meet on the lock
      absl::MutexLock lock(&mu_);
      sample_decision_id_ = r->decision_id();
    }
    return std::chrono::duration<double, std::micro>(end - start).count();
  }

  // The encoded sizes of what a decision reads and writes, for the report.
  void ReportSizes(benchmark::State& state) {
    if (auto p = store_->GetProfile(CustomerId(0)); p.ok()) {
      state.counters["profile_bytes"] = static_cast<double>(p->ByteSizeLong());
    }
    absl::MutexLock lock(&mu_);
    if (auto d = store_->GetDecision(sample_decision_id_); d.ok()) {
      state.counters["record_bytes"] = static_cast<double>(d->ByteSizeLong());
      state.counters["candidates"] = d->candidates_size();
    }
  }

  int64_t next_event = 0;  // event numbers used so far (unique across runs)
  std::string error;

 private:
  // Stores every customer's profile, compacts (reads then come from SST files and the block
  // cache, as in a long-running server) and makes one decision per customer.
  std::string Warm() {
    for (int i = 0; i < num_customers; ++i) {
      const v1::Profile profile = bench::HistoryProfile(CustomerId(i), clock_.Now(), i, catalogue_);
      storage::WriteSet writes;
      writes.profiles.push_back(&profile);
      if (absl::Status s = store_->Commit(writes); !s.ok()) return s.ToString();
    }
    if (absl::Status s = store_->CompactAll(); !s.ok()) return s.ToString();
    for (; next_event < num_customers; ++next_event) {
      if (Decide(next_event) < 0) return error;
    }
    return "";
  }

  storage::testing::ScopedTempDir dir_;
  core::FakeClock clock_;
  StrategyHolder strategies_;
  IdGenerator ids_;
  std::vector<bench::Product> catalogue_;
  std::unique_ptr<storage::RocksStore> store_;
  std::unique_ptr<CustomerAccess> customers_;
  std::unique_ptr<BudgetLedger> budgets_;
  std::unique_ptr<LearningStats> learning_;
  std::unique_ptr<DecisionFlow> flow_;
  absl::Mutex mu_;
  std::string sample_decision_id_ ABSL_GUARDED_BY(mu_);  // a recent decision, for ReportSizes
};

// The environments of the benchmarks that ran, destroyed (temp dirs removed) at the end of main:
// static destructors would run after RocksDB's own statics are gone.
std::vector<std::unique_ptr<FlowEnv>>& Envs() {
  static auto* envs = new std::vector<std::unique_ptr<FlowEnv>>();
  return *envs;
}

FlowEnv& NewEnv(const std::string& strategy_json, std::vector<bench::Product> catalogue) {
  return *Envs().emplace_back(std::make_unique<FlowEnv>(strategy_json, std::move(catalogue)));
}

// decisions_per_run decisions spread over `threads` threads (each takes the next event number),
// each timed on its own.
void RunFlow(benchmark::State& state, FlowEnv& env, const char* name) {
  if (!env.error.empty()) return state.SkipWithError(env.error.c_str());
  const int threads = static_cast<int>(state.range(0));
  std::vector<double> all;
  double seconds = 0;
  for (auto _ : state) {
    std::atomic<int64_t> next{env.next_event};
    const int64_t last = env.next_event + decisions_per_run;
    std::vector<std::vector<double>> micros(threads);
    const auto start = bench::LatencyRecorder::Clock::now();
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
      workers.emplace_back([&env, &next, last, &out = micros[t]] {
        out.reserve(decisions_per_run);
        for (int64_t n = next++; n < last; n = next++) {
          const double us = env.Decide(n);
          if (us < 0) return;
          out.push_back(us);
        }
      });
    }
    for (std::thread& w : workers) w.join();
    seconds += std::chrono::duration<double>(bench::LatencyRecorder::Clock::now() - start).count();
    env.next_event = last;
    for (const auto& m : micros) all.insert(all.end(), m.begin(), m.end());
  }
  if (!env.error.empty()) return state.SkipWithError(env.error.c_str());
  const bench::Percentiles p = bench::ComputePercentiles(all);
  bench::ReportPercentiles(p, state);
  state.counters["decisions_per_s"] = static_cast<double>(p.count) / seconds;
  env.ReportSizes(state);
  std::printf(
      "%s threads=%d decisions=%zu: p50 %.1f us, p90 %.1f us, p99 %.1f us, p99.9 %.1f us, "
      "max %.1f us, mean %.1f us, %.0f decisions/s\n",
      name, threads, p.count, p.p50, p.p90, p.p99, p.p999, p.max, p.mean,
      static_cast<double>(p.count) / seconds);
}

std::string ReadExample() {
  std::ifstream in(NBO_EXAMPLES_DIR "/strategy.json");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Built once per strategy: the thread counts share the warm store (later runs see customers who
// have had more decisions, as a server does over the day).
void BM_FlowLargeStrategy(benchmark::State& state) {
  static FlowEnv& env = NewEnv(bench::LargeStrategyJson(), bench::LargeCatalogue());
  RunFlow(state, env, "flow/large");
}
BENCHMARK(BM_FlowLargeStrategy)
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->Iterations(1)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

void BM_FlowExampleStrategy(benchmark::State& state) {
  static FlowEnv& env = NewEnv(ReadExample(), bench::ExampleCatalogue());
  RunFlow(state, env, "flow/example");
}
BENCHMARK(BM_FlowExampleStrategy)
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->Iterations(1)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace

// Takes --flow_customers=N or --flow_decisions=N; false for any other argument.
bool ParseFlowFlag(absl::string_view arg) {
  for (auto [flag, value] :
       {std::pair<absl::string_view, int*>{"--flow_customers=", &num_customers},
        {"--flow_decisions=", &decisions_per_run}}) {
    if (absl::ConsumePrefix(&arg, flag)) return absl::SimpleAtoi(arg, value) && *value > 0;
  }
  return false;
}

// The environments, for main to destroy. Outside the anonymous namespace only so main sees it.
void DropFlowEnvs() { Envs().clear(); }

}  // namespace nbo::server

int main(int argc, char** argv) {
  // As nbo-server runs (server/main.cc): abseil's deadlock detector off.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    if (!nbo::server::ParseFlowFlag(argv[i])) argv[kept++] = argv[i];
  }
  argc = kept;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  nbo::server::DropFlowEnvs();
  return 0;
}
