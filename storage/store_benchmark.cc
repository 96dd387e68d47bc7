// RocksStore hot-path costs: GetProfile hit and miss, and Commit of a ~1 KB profile plus a
// decision record (sync_writes=false, the default).
#include <memory>
#include <string>

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

}  // namespace
}  // namespace nbo::storage

BENCHMARK_MAIN();
