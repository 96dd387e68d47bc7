// ApplyEvent on a regular customer's profile (full 50-event ring, interests, holdings): the first
// step of every decision. The same profile takes every event, one minute apart, so the ring stays
// full and each call drops the oldest entry, as in a long-running server. Part of
// nbo_core_steps_benchmark.
#include "benchmark/benchmark.h"
#include "core/apply_event.h"
#include "core/benchmark_strategy.h"
#include "core/time_util.h"

namespace nbo::core {
namespace {

using benchmarking::kNow;

void RunApply(benchmark::State& state, v1::Event event) {
  v1::Profile profile =
      benchmarking::HistoryProfile("c-42", kNow, 42, benchmarking::LargeCatalogue());
  absl::Time now = kNow;
  for (auto _ : state) {
    now += absl::Minutes(1);
    ToProto(now, event.mutable_occurred_at());
    ApplyEvent(profile, event, now);
    benchmark::DoNotOptimize(profile);
  }
  state.counters["ring"] = profile.recent_events_size();
}

void BM_ApplyEventPageView(benchmark::State& state) {
  RunApply(state, benchmarking::PageViewRequest("c-42", "e", "p7").event());
}
BENCHMARK(BM_ApplyEventPageView);

void BM_ApplyEventPurchase(benchmark::State& state) {
  v1::Event event;
  event.set_event_id("e");
  event.set_channel(v1::CHANNEL_WEB);
  auto* item = event.mutable_purchase()->add_items();
  item->set_product("p7");
  item->set_category("c7");
  item->set_amount(30);
  item->set_margin(9);
  RunApply(state, std::move(event));
}
BENCHMARK(BM_ApplyEventPurchase);

// What the server pays before ApplyEvent: the decision works on its own copy of the profile.
void BM_ProfileCopy(benchmark::State& state) {
  const v1::Profile profile =
      benchmarking::HistoryProfile("c-42", kNow, 42, benchmarking::LargeCatalogue());
  for (auto _ : state) {
    v1::Profile copy = profile;
    benchmark::DoNotOptimize(copy);
  }
}
BENCHMARK(BM_ProfileCopy);

}  // namespace
}  // namespace nbo::core
