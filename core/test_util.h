// Builders shared by core's unit tests.
#ifndef NBO_CORE_TEST_UTIL_H_
#define NBO_CORE_TEST_UTIL_H_

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "core/strategy_loader.h"
#include "core/time_util.h"
#include "gtest/gtest.h"
#include "nbo/v1/decision.pb.h"

namespace nbo::core::testing {

inline const absl::Time kT0 = absl::FromUnixSeconds(1767225600);  // 2026-01-01T00:00:00Z

inline v1::Event PageView(std::string id, v1::Channel channel = v1::CHANNEL_WEB) {
  v1::Event e;
  e.set_event_id(std::move(id));
  e.set_channel(channel);
  e.mutable_page_view()->set_page("home");
  return e;
}

inline v1::Event Purchase(std::string id, std::string product, double amount, double margin,
                          std::string category = "") {
  v1::Event e;
  e.set_event_id(std::move(id));
  e.set_channel(v1::CHANNEL_WEB);
  auto* item = e.mutable_purchase()->add_items();
  item->set_product(std::move(product));
  item->set_category(std::move(category));
  item->set_amount(amount);
  item->set_margin(margin);
  return e;
}

// Makes `profile` hold `product` since `since`.
inline void Hold(v1::Profile& profile, std::string product, absl::Time since = kT0) {
  auto* h = profile.add_holdings();
  h->set_product(std::move(product));
  ToProto(since, h->mutable_since());
}

inline v1::DecideRequest Request(std::string customer, v1::Event event) {
  v1::DecideRequest r;
  r.mutable_customer()->set_customer_id(std::move(customer));
  *r.mutable_event() = std::move(event);
  return r;
}

// Loads a strategy that must be valid; fails the test otherwise.
inline std::shared_ptr<const Strategy> MustLoad(absl::string_view json) {
  StrategyLoadResult r = LoadStrategy(json);
  EXPECT_TRUE(r.ok()) << FormatProblems(r.problems, false);
  return r.strategy;
}

// A small telco strategy used across tests.
inline constexpr absl::string_view kSmallStrategy = R"json({
  "version": "test-1",
  "currency": "EUR",
  "offers": [
    {"id": "fibre", "name": "Fibre 500", "kind": "upsell", "product": "broadband_fibre",
     "requires_any": ["broadband_basic"], "margin": 100, "prior": {"rate": 0.1, "weight": 20},
     "reason": "You've had {product} {months_held:broadband_basic} months"},
    {"id": "tv", "name": "TV Basic", "kind": "cross_sell", "product": "tv_basic",
     "margin": 50, "prior": {"rate": 0.1}, "channels": ["web", "call_centre"],
     "reason": "{offer} for {segment}"},
    {"id": "bb", "name": "Broadband Basic", "kind": "cross_sell", "product": "broadband_basic",
     "margin": 40, "prior": {"rate": 0.2}, "reason": "Get {offer}"},
    {"id": "loyal", "name": "Loyalty bonus", "kind": "retention", "margin": 10,
     "eligibility": "call_reason == \"cancel\"", "reason": "Thanks for {interactions} visits"},
    {"id": "ebill", "name": "E-billing", "kind": "service", "margin": 0, "reason": "Go paperless"}
  ],
  "segments": [
    {"id": "broadband", "name": "Broadband customers", "rule": "holds(\"broadband_basic\")",
     "treatments": [{"offer_id": "fibre"}, {"offer_id": "tv", "weight": 2}, {"offer_id": "loyal", "weight": 100}]},
    {"id": "everyone", "name": "Everyone", "rule": "true",
     "treatments": [{"offer_id": "bb"}, {"offer_id": "tv"}]}
  ],
  "fallbacks": [{"channel": "*", "offer_ids": ["ebill"]}]
})json";

}  // namespace nbo::core::testing

#endif  // NBO_CORE_TEST_UTIL_H_
