// RocksStore hot-path costs (sync_writes=false, the default): GetProfile hit and miss and Commit
// of a ~1 KB profile plus a decision record; and what one Decide does to the store
// (server/decision_flow.cc): read a ~4 KB profile of a regular customer (full 50-event ring,
// contacts, contact log) and miss on the event's dedupe record, then commit that profile, a ~3.5 KB
// decision record with 20 explained candidates, a dedupe record and its counters in one batch.
// `bytes` counters give the encoded sizes.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "storage/rocks_store.h"
#include "storage/test_util.h"

namespace nbo::storage {
namespace {

constexpr int kProfiles = 10000;

nbo::v1::Profile MakeProfile(int i) {
  nbo::v1::Profile profile;
  profile.set_customer_id(absl::StrCat("customer-", i));
  profile.set_interactions(i);
  profile.set_segment_id("loyal-high-value");
  for (int h = 0; h < 20; ++h) {  // ~1 KB serialized
    nbo::v1::Holding* holding = profile.add_holdings();
    holding->set_product(absl::StrCat("product-", h, "-", i));
    holding->set_category("category-of-the-product");
    holding->mutable_since()->set_seconds(1'700'000'000 + h);
  }
  return profile;
}

void Stamp(int64_t seconds, google::protobuf::Timestamp* ts) { ts->set_seconds(seconds); }

// A regular customer's profile as a decision reads and writes it (about 4.2 KB, the size
// nbo_decision_flow_benchmark reports).
nbo::v1::Profile DecideSizedProfile(int i) {
  constexpr int64_t kT = 1'767'225'600;
  nbo::v1::Profile p;
  p.set_customer_id(absl::StrCat("decide-", i));
  Stamp(kT - 200 * 86400, p.mutable_first_seen());
  Stamp(kT, p.mutable_last_seen());
  p.set_interactions(90 + i % 50);
  p.set_purchases(3);
  p.set_monetary_total(900);
  p.set_segment_id("s44");
  p.set_segment_strategy_version("bench");
  for (int c = 1; c <= 3; ++c) {
    auto* u = p.add_channel_usage();
    u->set_channel(static_cast<nbo::v1::Channel>(c));
    u->set_interactions(30);
    Stamp(kT - c * 3600, u->mutable_last_seen());
  }
  for (int h = 0; h < 6; ++h) {
    auto* holding = p.add_holdings();
    holding->set_product(absl::StrCat("p", (i + 11 * h) % 200));
    holding->set_category(absl::StrCat("c", h));
    Stamp(kT - h * 86400 * 30, holding->mutable_since());
  }
  for (int c = 0; c < 10; ++c) {
    auto* interest = p.add_interests();
    interest->set_category(absl::StrCat("c", c));
    interest->mutable_score()->set_value(1.5 * c);
    Stamp(kT - c * 86400, interest->mutable_score()->mutable_at());
  }
  for (int e = 0; e < 50; ++e) {
    auto* r = p.add_recent_events();
    r->set_event_id(absl::StrCat("ev-", i, "-", e));
    r->set_kind("page_view");
    r->set_channel(nbo::v1::CHANNEL_WEB);
    Stamp(kT - (50 - e) * 3600, r->mutable_occurred_at());
    r->set_source("webshop");
    r->set_summary(absl::StrCat("viewed p", (i + e) % 200));
  }
  for (int c = 0; c < 10; ++c) {
    auto* contact = p.add_contacts();
    contact->set_offer_id(absl::StrCat("o", c * 17));
    contact->set_presented(3);
    contact->set_ignored(c % 3);
    Stamp(kT - c * 86400, contact->mutable_last_presented());
    Stamp(kT - c * 86400, contact->mutable_last_ignored());
  }
  for (int l = 0; l < 12; ++l) {
    auto* e = p.add_contact_log();
    e->set_offer_id(absl::StrCat("o", l * 13));
    e->set_channel(nbo::v1::CHANNEL_WEB);
    Stamp(kT - l * 43200, e->mutable_at());
  }
  for (int t = 0; t < 5; ++t) {
    auto* s = p.add_segment_history();
    s->set_from(absl::StrCat("s", 40 + t));
    s->set_to(absl::StrCat("s", 41 + t));
    Stamp(kT - t * 86400 * 7, s->mutable_at());
    s->set_strategy_version("bench");
  }
  return p;
}

// The answer of one Decide: two offers with reasons and reason codes.
nbo::v1::DecideResponse DecideResponse(int i) {
  nbo::v1::DecideResponse r;
  r.set_customer_id(absl::StrCat("decide-", i % kProfiles));
  r.set_decision_id(absl::StrCat("d-019b7a6c2e00", 1000000000000000 + i));
  r.set_segment_id("s44");
  r.set_segment_name("Segment 44");
  r.set_strategy_version("bench");
  r.set_arm("model");
  r.set_strategy_checksum("3f2a9c1e5b7d4a60");
  Stamp(1'767'225'600, r.mutable_decided_at());
  for (int o = 0; o < 2; ++o) {
    auto* offer = r.add_offers();
    offer->set_offer_id(absl::StrCat("o", 108 + 13 * o));
    offer->set_name(absl::StrCat("Offer ", 108 + 13 * o));
    offer->set_kind(nbo::v1::OFFER_KIND_UPSELL);
    offer->set_product(absl::StrCat("p", 108 + 13 * o));
    offer->set_score(1.25);
    offer->mutable_parts()->set_propensity(0.2);
    offer->mutable_parts()->set_value(25);
    offer->mutable_parts()->set_weight(1);
    offer->mutable_parts()->set_context(1);
    offer->mutable_parts()->set_pacing(1);
    offer->set_reason("Offer 108: 4 months");
    offer->add_reason_codes("SEGMENT_TREATMENT");
    offer->add_reason_codes("HOLDS_BASE_PRODUCT");
    offer->add_reason_codes("PRODUCT_NOT_HELD");
    offer->set_selection_probability(0.97);
  }
  return r;
}

// The decision record of one Decide: the answer plus 20 explained candidates and its budgets.
nbo::v1::DecisionRecord DecideSizedRecord(int i) {
  nbo::v1::DecisionRecord record;
  *record.mutable_response() = DecideResponse(i);
  record.set_event_id(absl::StrCat("ev-", i));
  record.set_channel(nbo::v1::CHANNEL_WEB);
  Stamp(1'767'225'600 + 7 * 86400, record.mutable_expires_at());
  for (int c = 0; c < 20; ++c) {
    auto* e = record.add_candidates();
    e->set_offer_id(absl::StrCat("o", (108 + 13 * c) % 200));
    e->set_source("segment");
    e->set_weight(1 + c % 3);
    e->mutable_parts()->set_propensity(0.05);
    e->mutable_parts()->set_value(10 + c);
    e->mutable_parts()->set_weight(1 + c % 3);
    e->mutable_parts()->set_context(1);
    e->mutable_parts()->set_pacing(1);
    e->set_score(0.5 + c);
    e->set_outcome(c < 2 ? "chosen" : "missing_base_product");
    e->set_rank(c < 2 ? c + 1 : 0);
    e->set_explanation(absl::StrCat("Dropped: needs one of p", (109 + 13 * c) % 200, "."));
  }
  record.set_segment_rule(R"(monetary_total > 600 && holds("p44") && interactions_on("web") > 4)");
  record.add_dimension_levels("tier=high");
  for (int b = 0; b < 3; ++b) {
    auto* budget = record.add_budgets();
    budget->set_key(absl::StrCat("budget/o", 25 + 130 * b, "/day/2026-01-01/count"));
    budget->set_offer_id(absl::StrCat("o", 25 + 130 * b));
    budget->set_spent(120);
    budget->set_limit(1000000);
    budget->set_plan(450000);
    budget->set_pacing(2);
  }
  return record;
}

class StoreFixture : public benchmark::Fixture {
 public:
  void SetUp(const benchmark::State&) override {
    dir_ = std::make_unique<testing::ScopedTempDir>("/tmp");
    RocksStoreOptions options;
    options.path = dir_->path() + "/db";
    absl::StatusOr<std::unique_ptr<RocksStore>> store = RocksStore::Open(options);
    if (!store.ok()) return;
    store_ = *std::move(store);
    for (int i = 0; i < kProfiles; ++i) {
      const nbo::v1::Profile profile = MakeProfile(i);
      WriteSet writes;
      writes.profiles.push_back(&profile);
      if (!store_->Commit(writes).ok()) break;
    }
    for (int i = 0; i < kProfiles; ++i) {
      const nbo::v1::Profile profile = DecideSizedProfile(i);
      WriteSet writes;
      writes.profiles.push_back(&profile);
      if (!store_->Commit(writes).ok()) break;
    }
    store_->CompactAll().IgnoreError();  // read from SST files, as in a long-running server
  }
  void TearDown(const benchmark::State&) override {
    store_.reset();
    dir_.reset();
  }

 protected:
  std::unique_ptr<testing::ScopedTempDir> dir_;
  std::unique_ptr<RocksStore> store_;
};

BENCHMARK_F(StoreFixture, GetProfileHit)(benchmark::State& state) {
  if (store_ == nullptr) return state.SkipWithError("open failed");
  int i = 0;
  for (auto _ : state) {
    auto profile = store_->GetProfile(absl::StrCat("customer-", i));
    benchmark::DoNotOptimize(profile);
    i = (i + 7919) % kProfiles;
  }
}

BENCHMARK_F(StoreFixture, GetProfileMiss)(benchmark::State& state) {
  if (store_ == nullptr) return state.SkipWithError("open failed");
  int i = 0;
  for (auto _ : state) {
    auto profile = store_->GetProfile(absl::StrCat("stranger-", i++));
    benchmark::DoNotOptimize(profile);
  }
}

BENCHMARK_F(StoreFixture, CommitProfileAndDecision)(benchmark::State& state) {
  if (store_ == nullptr) return state.SkipWithError("open failed");
  nbo::v1::Profile profile = MakeProfile(0);
  nbo::v1::DecisionRecord record;
  record.set_event_id("event");
  record.set_placement("cart");
  int i = 0;
  for (auto _ : state) {
    profile.set_customer_id(absl::StrCat("customer-", i % kProfiles));
    record.mutable_response()->set_decision_id(absl::StrCat("decision-", i++));
    WriteSet writes;
    writes.profiles.push_back(&profile);
    writes.decisions.push_back(&record);
    if (!store_->Commit(writes).ok()) return state.SkipWithError("commit failed");
  }
  state.SetBytesProcessed(state.iterations() *
                          static_cast<int64_t>(profile.ByteSizeLong() + record.ByteSizeLong()));
}

BENCHMARK_F(StoreFixture, GetDecideSizedProfileHit)(benchmark::State& state) {
  if (store_ == nullptr) return state.SkipWithError("open failed");
  int i = 0;
  size_t bytes = 0;
  for (auto _ : state) {
    auto profile = store_->GetProfile(absl::StrCat("decide-", i));
    if (!profile.ok()) return state.SkipWithError("missing profile");
    bytes = profile->ByteSizeLong();
    benchmark::DoNotOptimize(profile);
    i = (i + 7919) % kProfiles;
  }
  state.counters["bytes"] = static_cast<double>(bytes);
}

// Several customers in one call (one RocksDB MultiGet): per call of `range(0)` profiles.
BENCHMARK_DEFINE_F(StoreFixture, MultiGetProfiles)(benchmark::State& state) {
  if (store_ == nullptr) return state.SkipWithError("open failed");
  const int n = static_cast<int>(state.range(0));
  std::vector<std::string> ids(n);
  std::vector<std::string_view> views(n);
  int i = 0;
  for (auto _ : state) {
    for (int k = 0; k < n; ++k) {
      ids[k] = absl::StrCat("decide-", i);
      views[k] = ids[k];
      i = (i + 7919) % kProfiles;
    }
    auto profiles = store_->MultiGetProfiles(views);
    benchmark::DoNotOptimize(profiles);
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK_REGISTER_F(StoreFixture, MultiGetProfiles)->Arg(1)->Arg(4)->Arg(16);

// Every fresh Decide looks its event id up first.
BENCHMARK_F(StoreFixture, GetDedupeMiss)(benchmark::State& state) {
  if (store_ == nullptr) return state.SkipWithError("open failed");
  int i = 0;
  for (auto _ : state) {
    auto dedupe = store_->GetDedupe(absl::StrCat("ev-new-", i++));
    benchmark::DoNotOptimize(dedupe);
  }
}

// The one write of a Decide: profile, decision record, dedupe record (the answer again) and four
// counters (two offered counts, a value-bucket move and a budget charge).
BENCHMARK_F(StoreFixture, CommitDecide)(benchmark::State& state) {
  if (store_ == nullptr) return state.SkipWithError("open failed");
  std::vector<nbo::v1::Profile> profiles(64);
  for (size_t k = 0; k < profiles.size(); ++k)
    profiles[k] = DecideSizedProfile(static_cast<int>(k));
  nbo::v1::DecisionRecord record = DecideSizedRecord(0);
  nbo::v1::DedupeRecord dedupe;
  dedupe.set_customer_id("decide-0");
  dedupe.set_fingerprint(0x9e3779b97f4a7c15ull);
  int i = 0;
  for (auto _ : state) {
    nbo::v1::Profile& profile = profiles[i % profiles.size()];
    profile.set_customer_id(absl::StrCat("decide-", i % kProfiles));
    record.mutable_response()->set_decision_id(absl::StrCat("d-019b7a6c2e00", 1000000000 + i));
    *dedupe.mutable_response() = record.response();
    WriteSet writes;
    writes.profiles.push_back(&profile);
    writes.decisions.push_back(&record);
    writes.dedupe.emplace_back(absl::StrCat("ev-", i), &dedupe);
    writes.counter_adds.emplace_back("offered/model/s44/o108", 1);
    writes.counter_adds.emplace_back("offered/model/s44/o121", 1);
    writes.counter_adds.emplace_back("value_bucket/12", 1);
    writes.counter_adds.emplace_back("budget/o25/day/2026-01-01/count", 1);
    if (!store_->Commit(writes).ok()) return state.SkipWithError("commit failed");
    ++i;
  }
  const size_t bytes = profiles[0].ByteSizeLong() + record.ByteSizeLong() + dedupe.ByteSizeLong();
  state.counters["profile_bytes"] = static_cast<double>(profiles[0].ByteSizeLong());
  state.counters["record_bytes"] = static_cast<double>(record.ByteSizeLong());
  state.counters["dedupe_bytes"] = static_cast<double>(dedupe.ByteSizeLong());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(bytes));
}

}  // namespace
}  // namespace nbo::storage

BENCHMARK_MAIN();
