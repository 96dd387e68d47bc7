// Bulk ingest throughput: IngestFlow::Apply over a real RocksStore (WAL on, no fsync per write:
// the server's default) with batches of realistic back-fill events over 100,000 customers chosen
// with a seeded Zipf-like skew, so batches hit both new and existing profiles. The acceptance
// target is >= 50,000 events/s (items_per_second) on the 2-core reference machine.
//
//   BM_IngestFresh/1000, /10000: every event is new (unique event ids across iterations); the
//     store grows as it runs, so early batches create most profiles and later ones update them.
//   BM_IngestDuplicates/1000: every event was ingested before (a retried back-fill): the dedupe
//     path alone.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "benchmark/benchmark.h"
#include "core/benchmark_strategy.h"
#include "core/clock.h"
#include "core/time_util.h"
#include "nbo/v1/decision.pb.h"
#include "server/customer_access.h"
#include "server/id_generator.h"
#include "server/ingest_flow.h"
#include "server/strategy_holder.h"
#include "storage/rocks_store.h"
#include "storage/test_util.h"

namespace nbo::server {
namespace {

constexpr int kCustomers = 100000;
constexpr int kEventsPerRun = 200000;  // per benchmark: fixed iterations = kEventsPerRun / batch

// Customer ranks 0..kCustomers-1 drawn with P(rank k) ~ 1 / (k + 1)^s, mapped through a seeded
// permutation so popular customers are spread over the key space.
class ZipfCustomers {
 public:
  ZipfCustomers(int n, double s, uint64_t seed) : cdf_(n), ids_(n) {
    double sum = 0;
    for (int k = 0; k < n; ++k) {
      sum += 1.0 / std::pow(k + 1, s);
      cdf_[k] = sum;
    }
    for (double& c : cdf_) c /= sum;
    std::vector<int> perm(n);
    for (int i = 0; i < n; ++i) perm[i] = i;
    std::mt19937_64 rng(seed);
    std::shuffle(perm.begin(), perm.end(), rng);
    for (int k = 0; k < n; ++k) ids_[k] = absl::StrCat("c-", 10000000 + perm[k]);
  }
  const std::string& Draw(std::mt19937_64& rng) const {
    const double u = std::uniform_real_distribution<double>(0, 1)(rng);
    auto it = std::lower_bound(cdf_.begin(), cdf_.end(), u);
    size_t k = std::min<size_t>(it - cdf_.begin(), cdf_.size() - 1);
    return ids_[k];
  }

 private:
  std::vector<double> cdf_;
  std::vector<std::string> ids_;
};

// The example telco's products (core/benchmark_strategy.h), shared with the decision benchmarks.
const std::vector<core::benchmarking::Product>& Products() {
  static const auto* const products =
      new std::vector<core::benchmarking::Product>(core::benchmarking::ExampleCatalogue());
  return *products;
}
constexpr const char* kPages[] = {"home",          "product",      "/broadband/fibre",
                                  "/mobile/plans", "/tv/packages", "/support/billing",
                                  "/account",      "/offers"};
constexpr const char* kQueries[] = {"fibre speed", "cheap sim only", "roaming eu",
                                    "tv sports",   "wifi extender",  "cancel contract",
                                    "family plan", "smart home"};

// Builds realistic events: ~70% page views, ~15% searches, ~10% cart adds, ~5% purchases of
// 1-3 items; occurred_at spread over the 30 days before `now`.
class EventGenerator {
 public:
  EventGenerator(const ZipfCustomers& customers, absl::Time now, uint64_t seed)
      : customers_(customers), now_(now), rng_(seed) {}

  void Fill(v1::IngestEvent& e, std::string event_id) {
    e.mutable_customer()->set_customer_id(customers_.Draw(rng_));
    v1::Event& ev = *e.mutable_event();
    ev.set_event_id(std::move(event_id));
    const absl::Time at = now_ - absl::Seconds(Uniform(0, 30 * 86400));
    core::ToProto(at, ev.mutable_occurred_at());
    const core::benchmarking::Product& p =
        Products()[Uniform(0, static_cast<int>(Products().size()) - 1)];
    const int kind = Uniform(0, 99);
    if (kind < 70) {
      ev.set_source("webshop");
      ev.set_channel(Uniform(0, 3) == 0 ? v1::CHANNEL_MOBILE_APP : v1::CHANNEL_WEB);
      auto* pv = ev.mutable_page_view();
      pv->set_page(kPages[Uniform(0, 7)]);
      if (Uniform(0, 1) == 0) {
        pv->set_product(p.id);
        pv->set_category(p.category);
      }
    } else if (kind < 85) {
      ev.set_source("webshop");
      ev.set_channel(v1::CHANNEL_WEB);
      auto* s = ev.mutable_search();
      s->set_query(kQueries[Uniform(0, 7)]);
      s->set_category(p.category);
    } else if (kind < 95) {
      ev.set_source("webshop");
      ev.set_channel(v1::CHANNEL_WEB);
      auto* c = ev.mutable_cart_add();
      c->set_product(p.id);
      c->set_category(p.category);
      c->set_quantity(1);
    } else {
      ev.set_source("pos");
      ev.set_channel(Uniform(0, 1) == 0 ? v1::CHANNEL_STORE : v1::CHANNEL_WEB);
      auto* purchase = ev.mutable_purchase();
      purchase->set_currency("EUR");
      purchase->set_order_id(absl::StrCat("o-", ev.event_id()));
      const int items = Uniform(1, 3);
      for (int i = 0; i < items; ++i) {
        const core::benchmarking::Product& q =
            i == 0 ? p : Products()[Uniform(0, static_cast<int>(Products().size()) - 1)];
        auto* item = purchase->add_items();
        item->set_product(q.id);
        item->set_category(q.category);
        item->set_quantity(1);
        item->set_amount(q.price);
        item->set_margin(q.price * 0.3);
      }
    }
  }

 private:
  int Uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }

  const ZipfCustomers& customers_;
  const absl::Time now_;
  std::mt19937_64 rng_;
};

const ZipfCustomers& Customers() {
  static const ZipfCustomers* customers = new ZipfCustomers(kCustomers, 1.0, 42);
  return *customers;
}

// One IngestFlow over a fresh RocksStore in a temp dir (removed on destruction).
struct Env {
  Env() : dir("/tmp"), clock(absl::Now()), strategies("unused.json"), ids(7) {
    storage::RocksStoreOptions options;
    options.path = dir.path() + "/db";
    options.now = [this] { return clock.Now(); };
    absl::StatusOr<std::unique_ptr<storage::RocksStore>> opened =
        storage::RocksStore::Open(options);
    if (!opened.ok()) {
      error = opened.status().ToString();
      return;
    }
    store = *std::move(opened);
    customers = std::make_unique<CustomerAccess>(*store, ids);
    flow = std::make_unique<IngestFlow>(*customers, strategies, clock, nullptr);
  }
  ~Env() {
    flow.reset();
    customers.reset();
    if (store != nullptr) store->Close().IgnoreError();
    store.reset();
  }

  std::vector<v1::IngestRequest> MakeBatches(int batches, int batch_size, uint64_t seed,
                                             absl::string_view tag) {
    EventGenerator gen(Customers(), clock.Now(), seed);
    std::vector<v1::IngestRequest> out(batches);
    for (int b = 0; b < batches; ++b) {
      for (int i = 0; i < batch_size; ++i) {
        gen.Fill(*out[b].add_events(), absl::StrCat("ev-", tag, "-", b, "-", i));
      }
    }
    return out;
  }

  storage::testing::ScopedTempDir dir;
  core::FakeClock clock;
  StrategyHolder strategies;
  IdGenerator ids;
  std::unique_ptr<storage::RocksStore> store;
  std::unique_ptr<CustomerAccess> customers;
  std::unique_ptr<IngestFlow> flow;
  std::string error;
};

void BM_IngestFresh(benchmark::State& state) {
  const int batch_size = static_cast<int>(state.range(0));
  Env env;
  if (!env.error.empty()) return state.SkipWithError(env.error.c_str());
  const int batches = static_cast<int>(state.max_iterations);
  std::vector<v1::IngestRequest> requests = env.MakeBatches(batches, batch_size, 1, "fresh");
  v1::IngestSummary summary;
  int next = 0;
  for (auto _ : state) {
    if (next == batches) {  // only if run with more iterations than prepared
      state.PauseTiming();
      requests = env.MakeBatches(batches, batch_size, 1000 + next, absl::StrCat("x", next));
      next = 0;
      state.ResumeTiming();
    }
    absl::Status s = env.flow->Apply(requests[next++], summary);
    if (!s.ok()) return state.SkipWithError(s.ToString().c_str());
  }
  state.SetItemsProcessed(state.iterations() * batch_size);
  state.counters["applied"] = static_cast<double>(summary.applied());
  state.counters["duplicates"] = static_cast<double>(summary.duplicates());
  state.counters["rejected"] = static_cast<double>(summary.rejected());
  if (auto n = env.store->ApproximateProfileCount(); n.ok()) {
    state.counters["profiles~"] = static_cast<double>(*n);
  }
  if (summary.rejected() > 0) {
    state.SkipWithError(absl::StrCat("rejected: ", summary.first_rejections(0)).c_str());
  }
}
BENCHMARK(BM_IngestFresh)
    ->Arg(1000)
    ->Iterations(kEventsPerRun / 1000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_IngestFresh)
    ->Arg(10000)
    ->Iterations(kEventsPerRun / 10000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void BM_IngestDuplicates(benchmark::State& state) {
  const int batch_size = static_cast<int>(state.range(0));
  Env env;
  if (!env.error.empty()) return state.SkipWithError(env.error.c_str());
  constexpr int kBatches = 50;
  std::vector<v1::IngestRequest> requests = env.MakeBatches(kBatches, batch_size, 2, "dup");
  v1::IngestSummary first;
  for (const auto& r : requests) {
    if (absl::Status s = env.flow->Apply(r, first); !s.ok()) {
      return state.SkipWithError(s.ToString().c_str());
    }
  }
  v1::IngestSummary summary;
  int next = 0;
  for (auto _ : state) {
    absl::Status s = env.flow->Apply(requests[next], summary);
    if (!s.ok()) return state.SkipWithError(s.ToString().c_str());
    next = (next + 1) % kBatches;
  }
  state.SetItemsProcessed(state.iterations() * batch_size);
  state.counters["applied"] = static_cast<double>(summary.applied());
  state.counters["duplicates"] = static_cast<double>(summary.duplicates());
  if (summary.applied() != 0 || summary.duplicates() != state.iterations() * batch_size) {
    state.SkipWithError("expected every event to be a duplicate");
  }
}
BENCHMARK(BM_IngestDuplicates)
    ->Arg(1000)
    ->Iterations(kEventsPerRun / 1000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace nbo::server

int main(int argc, char** argv) {
  // As nbo-server runs (server/main.cc): abseil's deadlock detector off.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
