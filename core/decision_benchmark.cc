// Microbenchmarks of the pure decision path: a full MakeDecision (apply, segment, micro-segment,
// arbitrate with contact policy and budgets, explain) over a generated strategy of 200 offers and
// 50 segments, and over the example strategy; p50/p99 per decision as counters.
#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "core/budget.h"
#include "core/decision.h"
#include "core/strategy_loader.h"
#include "core/time_util.h"

namespace nbo::core {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1767225600);

// 50 segments whose rules look at value and holdings; 200 offers, 20 treatments per segment.
std::string LargeStrategy() {
  std::string json = R"({"version": "bench", "offers": [)";
  for (int i = 0; i < 200; ++i) {
    const char* kind = i % 4 == 0   ? "upsell"
                       : i % 4 == 1 ? "cross_sell"
                       : i % 4 == 2 ? "retention"
                                    : "service";
    absl::StrAppend(
        &json, i ? "," : "", R"({"id": "o)", i, R"(", "name": "Offer )", i, R"(", "kind": ")", kind,
        R"(", "product": "p)", i, R"(", "margin": )", 10 + i % 50, R"(, "prior": {"rate": 0.0)",
        1 + i % 9, "}",
        i % 4 == 0 ? absl::StrCat(R"(, "requires_any": ["p)", (i + 1) % 200, R"("])") : "",
        i % 10 == 0 ? R"(, "eligibility": "tenure_days > 30 || purchases > 2")" : "",
        i % 10 == 5 ? R"(, "cost": 3, "budget": {"daily_count": 1000000, "total_amount": 1e9})"
                    : "",
        i % 20 == 7 ? R"(, "budget": {"daily_count": 1000000, "pacing": "none"})" : "",
        i % 7 == 0 ? absl::StrCat(R"(, "group": "g)", i % 5, R"(")") : "",
        R"(, "reason": "{offer}: {months_held:p1} months"})");
  }
  json += R"(], "segments": [)";
  for (int s = 0; s < 50; ++s) {
    absl::StrAppend(
        &json, s ? "," : "", R"({"id": "s)", s, R"(", "name": "Segment )", s, R"(", "rule": ")",
        s == 49 ? std::string("true")
                : absl::StrCat(R"(monetary_total > )", 5000 - s * 100, R"( && holds(\"p)", s,
                               R"(\") && interactions_on(\"web\") > )", s % 5),
        R"(", "treatments": [)");
    for (int t = 0; t < 20; ++t) {
      absl::StrAppend(&json, t ? "," : "", R"({"offer_id": "o)", (s * 7 + t * 13) % 200,
                      R"(", "weight": )", 1 + t % 3, "}");
    }
    json += "]";
    if (s % 5 == 0) {
      absl::StrAppend(&json, R"(, "micro_segments": [{"id": "m", "when": {"tier": "high"},
                      "treatments": [{"offer_id": "o)",
                      (s * 3) % 200, R"(", "weight": 2}]}])");
    }
    json += "}";
  }
  json += R"(], "fallbacks": [{"channel": "*", "offer_ids": ["o3"]}],
    "dimensions": [{"id": "tier", "levels": [{"id": "high", "rule": "monetary_total > 500"},
                                             {"id": "low", "rule": "true"}]}],
    "contact_policy": {"max_per_day": 10, "max_per_week": 40, "decline_cooldown_days": 30,
                       "group_decline_cooldown_days": 7, "ignore_limit": 3,
                       "ignore_pause_days": 14},
    "capacities": [{"id": "desk", "channel": "call_centre", "offer_kinds": ["retention"],
                    "per_hour": 100000}]})";
  return json;
}

v1::Profile SampleProfile() {
  v1::Profile p;
  p.set_customer_id("c-42");
  p.set_interactions(40);
  p.set_purchases(3);
  p.set_monetary_total(900);
  ToProto(kNow - absl::Hours(24 * 200), p.mutable_first_seen());
  for (int i = 1; i < 6; ++i) {
    auto* h = p.add_holdings();
    h->set_product(absl::StrCat("p", i * 11));
    ToProto(kNow - absl::Hours(24 * 30 * i), h->mutable_since());
  }
  auto* u = p.add_channel_usage();
  u->set_channel(v1::CHANNEL_WEB);
  u->set_interactions(40);
  // Some contact history for the contact policy to read.
  for (int i = 0; i < 10; ++i) {
    auto* c = p.add_contacts();
    c->set_offer_id(absl::StrCat("o", i * 17));
    c->set_presented(3);
    c->set_ignored(i % 3);
    c->set_ignored_streak(i % 3);
    ToProto(kNow - absl::Hours(24 * (i + 1)), c->mutable_last_ignored());
    if (i % 4 == 0) ToProto(kNow - absl::Hours(24 * 40), c->mutable_last_declined());
    auto* e = p.add_contact_log();
    e->set_offer_id(c->offer_id());
    e->set_channel(v1::CHANNEL_WEB);
    ToProto(kNow - absl::Hours(12 * (10 - i)), e->mutable_at());
  }
  return p;
}

// Times every decision on its own and reports the median and the 99th percentile (the mean
// that Google Benchmark prints hides the tail). Budgets are counted by a local gate.
void RunDecisions(benchmark::State& state, const Strategy& strategy) {
  const v1::Profile base = SampleProfile();
  v1::DecideRequest req;
  req.mutable_customer()->set_customer_id("c-42");
  req.mutable_event()->set_event_id("e");
  req.mutable_event()->set_channel(v1::CHANNEL_WEB);
  req.mutable_event()->mutable_page_view()->set_product("p7");
  LocalBudgetGate budgets;
  DecisionOptions options;
  options.budgets = &budgets;
  std::vector<double> micros;
  micros.reserve(1 << 16);
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    v1::Profile p = base;
    DecisionResult r = MakeDecision(p, req, strategy, kNow, DefaultProfileSettings(), options);
    benchmark::DoNotOptimize(r);
    const auto end = std::chrono::steady_clock::now();
    if (micros.size() < (1 << 20)) {
      micros.push_back(std::chrono::duration<double, std::micro>(end - start).count());
    }
  }
  if (micros.empty()) return;
  std::sort(micros.begin(), micros.end());
  const auto at = [&](double q) {
    return micros[std::min(micros.size() - 1, static_cast<size_t>(q * micros.size()))];
  };
  state.counters["p50_us"] = at(0.50);
  state.counters["p99_us"] = at(0.99);
  state.counters["p999_us"] = at(0.999);
}

void BM_DecisionLargeStrategy(benchmark::State& state) {
  static const auto strategy = LoadStrategy(LargeStrategy()).strategy;
  if (!strategy) {
    state.SkipWithError(FormatProblems(LoadStrategy(LargeStrategy()).problems, false).c_str());
    return;
  }
  RunDecisions(state, *strategy);
}
BENCHMARK(BM_DecisionLargeStrategy);

void BM_DecisionExampleStrategy(benchmark::State& state) {
  std::ifstream in(NBO_EXAMPLES_DIR "/strategy.json");
  std::stringstream ss;
  ss << in.rdbuf();
  const auto result = LoadStrategy(ss.str());
  if (!result.ok()) {
    state.SkipWithError("examples/strategy.json does not load");
    return;
  }
  RunDecisions(state, *result.strategy);
}
BENCHMARK(BM_DecisionExampleStrategy);

void BM_LoadLargeStrategy(benchmark::State& state) {
  const std::string json = LargeStrategy();
  for (auto _ : state) benchmark::DoNotOptimize(LoadStrategy(json));
}
BENCHMARK(BM_LoadLargeStrategy);

}  // namespace
}  // namespace nbo::core

BENCHMARK_MAIN();
