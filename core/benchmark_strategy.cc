#include "core/benchmark_strategy.h"

#include <algorithm>
#include <numeric>
#include <random>

#include "absl/strings/str_cat.h"
#include "core/apply_event.h"
#include "core/strategy_loader.h"
#include "core/time_util.h"

namespace nbo::core::benchmarking {
namespace {

std::string LargeOffers() {
  std::string json;
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
  return json;
}

std::string LargeSegments() {
  std::string json;
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
  return json;
}

// Fills `event` with event `n` of a generated customer history, happening at `at`.
void FillEvent(std::mt19937_64& rng, const std::vector<Product>& catalogue, int n, absl::Time at,
               v1::Event& event) {
  const auto uniform = [&rng](int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(rng);
  };
  const Product& p = catalogue[uniform(0, static_cast<int>(catalogue.size()) - 1)];
  event.set_event_id(absl::StrCat("history-", n));
  event.set_source("webshop");
  event.set_channel(v1::CHANNEL_WEB);
  ToProto(at, event.mutable_occurred_at());
  const int kind = uniform(0, 99);
  if (kind < 60) {
    auto* pv = event.mutable_page_view();
    pv->set_page("product");
    pv->set_product(p.id);
    pv->set_category(p.category);
  } else if (kind < 75) {
    auto* s = event.mutable_search();
    s->set_query(absl::StrCat("best ", p.category));
    s->set_category(p.category);
  } else if (kind < 85) {
    auto* c = event.mutable_cart_add();
    c->set_product(p.id);
    c->set_category(p.category);
    c->set_quantity(1);
  } else if (kind < 90) {
    event.set_channel(v1::CHANNEL_CALL_CENTRE);
    event.mutable_call_started()->set_reason("billing");
  } else if (kind < 95) {
    event.set_channel(v1::CHANNEL_MOBILE_APP);
    event.mutable_app_open()->set_screen("home");
  } else {
    auto* purchase = event.mutable_purchase();
    purchase->set_currency("EUR");
    purchase->set_order_id(absl::StrCat("order-", n));
    auto* item = purchase->add_items();
    item->set_product(p.id);
    item->set_category(p.category);
    item->set_quantity(1);
    item->set_amount(p.price);
    item->set_margin(p.price * 0.3);
  }
}

}  // namespace

std::string LargeStrategyJson() {
  return absl::StrCat(R"({"version": "bench", "offers": [)", LargeOffers(), R"(], "segments": [)",
                      LargeSegments(), R"(], "fallbacks": [{"channel": "*", "offer_ids": ["o3"]}],
    "dimensions": [{"id": "tier", "levels": [{"id": "high", "rule": "monetary_total > 500"},
                                             {"id": "low", "rule": "true"}]}],
    "contact_policy": {"max_per_day": 10, "max_per_week": 40, "decline_cooldown_days": 30,
                       "group_decline_cooldown_days": 7, "ignore_limit": 3,
                       "ignore_pause_days": 14},
    "capacities": [{"id": "desk", "channel": "call_centre", "offer_kinds": ["retention"],
                    "per_hour": 100000}]})");
}

std::vector<Product> LargeCatalogue() {
  std::vector<Product> out;
  for (int i = 0; i < 200; ++i) {
    out.push_back({absl::StrCat("p", i), absl::StrCat("c", i % 10), 5.0 + i % 60});
  }
  return out;
}

const Strategy& LargeStrategy() {
  static const std::shared_ptr<const Strategy> strategy =
      LoadStrategy(LargeStrategyJson()).strategy;
  return *strategy;
}

std::vector<Product> ExampleCatalogue() {
  return {
      {"mobile_basic", "mobile", 15},
      {"mobile_unlimited", "mobile", 35},
      {"family_plan", "mobile", 60},
      {"broadband_basic", "broadband", 30},
      {"broadband_fibre", "broadband", 45},
      {"fibre_premium", "broadband", 65},
      {"tv_basic", "tv", 20},
      {"tv_sports", "tv", 30},
      {"tv_movies", "tv", 25},
      {"streaming_bundle", "tv", 12},
      {"home_phone", "fixed", 10},
      {"smart_home_kit", "devices", 149},
      {"wifi_extender", "devices", 59},
      {"device_insurance", "insurance", 8},
      {"roaming_pack", "addons", 10},
      {"data_addon", "addons", 5},
  };
}

v1::Profile SampleProfile(std::string customer_id, absl::Time now) {
  v1::Profile p;
  p.set_customer_id(std::move(customer_id));
  p.set_interactions(40);
  p.set_purchases(3);
  p.set_monetary_total(900);
  ToProto(now - absl::Hours(24 * 200), p.mutable_first_seen());
  for (int i = 1; i < 6; ++i) {
    auto* h = p.add_holdings();
    h->set_product(absl::StrCat("p", i * 11));
    ToProto(now - absl::Hours(24 * 30 * i), h->mutable_since());
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
    ToProto(now - absl::Hours(24 * (i + 1)), c->mutable_last_ignored());
    if (i % 4 == 0) ToProto(now - absl::Hours(24 * 40), c->mutable_last_declined());
    auto* e = p.add_contact_log();
    e->set_offer_id(c->offer_id());
    e->set_channel(v1::CHANNEL_WEB);
    ToProto(now - absl::Hours(12 * (10 - i)), e->mutable_at());
  }
  return p;
}

v1::Profile HistoryProfile(std::string customer_id, absl::Time now, uint64_t seed,
                           const std::vector<Product>& catalogue) {
  constexpr int kEvents = 50;
  v1::Profile p = SampleProfile(std::move(customer_id), now);
  std::mt19937_64 rng(seed);
  for (int n = 0; n < kEvents; ++n) {
    const absl::Time at = now - absl::Hours(24 * 30) + absl::Minutes(864 * n);  // 30 days, even
    v1::Event event;
    FillEvent(rng, catalogue, n, at, event);
    ApplyEvent(p, event, at);
  }
  return p;
}

Percentiles ComputePercentiles(std::vector<double>& micros) {
  Percentiles p;
  if (micros.empty()) return p;
  std::sort(micros.begin(), micros.end());
  const auto at = [&](double q) {
    return micros[std::min(micros.size() - 1, static_cast<size_t>(q * micros.size()))];
  };
  p.count = micros.size();
  p.p50 = at(0.50);
  p.p90 = at(0.90);
  p.p99 = at(0.99);
  p.p999 = at(0.999);
  p.max = micros.back();
  p.mean = std::accumulate(micros.begin(), micros.end(), 0.0) / static_cast<double>(micros.size());
  return p;
}

void ReportPercentiles(const Percentiles& p, benchmark::State& state) {
  if (p.count == 0) return;
  state.counters["p50_us"] = p.p50;
  state.counters["p90_us"] = p.p90;
  state.counters["p99_us"] = p.p99;
  state.counters["p999_us"] = p.p999;
  state.counters["max_us"] = p.max;
}

v1::DecideRequest PageViewRequest(std::string customer_id, std::string event_id,
                                  std::string product) {
  v1::DecideRequest req;
  req.mutable_customer()->set_customer_id(std::move(customer_id));
  v1::Event& event = *req.mutable_event();
  event.set_event_id(std::move(event_id));
  event.set_channel(v1::CHANNEL_WEB);
  event.mutable_page_view()->set_product(std::move(product));
  return req;
}

}  // namespace nbo::core::benchmarking
