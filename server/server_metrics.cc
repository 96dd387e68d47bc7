#include "server/server_metrics.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/learning.h"
#include "core/names.h"
#include "core/time_util.h"
#include "server/metrics/histogram.h"
#include "server/metrics/process_collector.h"

namespace nbo::server {
namespace {

constexpr std::array<absl::string_view, 7> kResultNames = {
    "offers", "fallback", "no_offer", "duplicate", "suppressed", "invalid", "error"};
constexpr absl::string_view kFallbackCauseNames[] = {"no_eligible_offer", "budget_exhausted",
                                                     "latency_budget"};

constexpr std::array<absl::string_view, 5> kOutcomeNames = {"unspecified", "presented", "accepted",
                                                            "declined", "ignored"};
constexpr std::array<absl::string_view, 6> kOutcomeResultNames = {
    "recorded", "duplicate", "invalid", "not_found", "expired", "error"};
constexpr std::array<absl::string_view, 4> kArmNames = {"model", "explore", "control",
                                                        "challenger"};

// Index of `name` in `names`; `fallback` when it is not there.
template <size_t N>
int IndexOf(const std::array<absl::string_view, N>& names, absl::string_view name, int fallback) {
  for (size_t i = 0; i < N; ++i) {
    if (names[i] == name) return static_cast<int>(i);
  }
  return fallback;
}

// Index of `arm` in kArmNames; "" (decisions logged before arms existed) is "model", as in the
// outcome report (server/outcome_report.h); -1 for anything else.
int ArmIndex(absl::string_view arm) { return arm.empty() ? 0 : IndexOf(kArmNames, arm, -1); }

int ResultIndex(absl::string_view result) {
  static_assert(kResultNames.size() == 7, "keep ServerMetrics::kResults in step");
  for (size_t i = 0; i < kResultNames.size(); ++i) {
    if (kResultNames[i] == result) return static_cast<int>(i);
  }
  return static_cast<int>(kResultNames.size()) - 1;  // unknown results count as errors
}

// gRPC status code names as grpc-go and grpcurl print them.
absl::string_view CodeName(grpc::StatusCode code) {
  static constexpr std::array<absl::string_view, 17> kNames = {"OK",
                                                               "CANCELLED",
                                                               "UNKNOWN",
                                                               "INVALID_ARGUMENT",
                                                               "DEADLINE_EXCEEDED",
                                                               "NOT_FOUND",
                                                               "ALREADY_EXISTS",
                                                               "PERMISSION_DENIED",
                                                               "RESOURCE_EXHAUSTED",
                                                               "FAILED_PRECONDITION",
                                                               "ABORTED",
                                                               "OUT_OF_RANGE",
                                                               "UNIMPLEMENTED",
                                                               "INTERNAL",
                                                               "UNAVAILABLE",
                                                               "DATA_LOSS",
                                                               "UNAUTHENTICATED"};
  const int i = static_cast<int>(code);
  return i >= 0 && i < static_cast<int>(kNames.size()) ? kNames[i] : "UNKNOWN";
}

// Latency buckets from 50 µs to ~1.6 s: the decision budget lives in the sub-millisecond range.
metrics::BucketBounds DecisionBuckets() { return metrics::ExponentialBuckets(50e-6, 2, 16); }

class MetricsInterceptor final : public grpc::experimental::Interceptor {
 public:
  MetricsInterceptor(ServerMetrics& metrics, std::string method)
      : metrics_(metrics), method_(std::move(method)) {}
  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::PRE_SEND_STATUS)) {
      metrics_.OnRpcDone(method_, methods->GetSendStatus().error_code());
    }
    methods->Proceed();
  }

 private:
  ServerMetrics& metrics_;
  const std::string method_;
};

class MetricsInterceptorFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit MetricsInterceptorFactory(ServerMetrics& metrics) : metrics_(metrics) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new MetricsInterceptor(metrics_, info->method() == nullptr ? "" : info->method());
  }

 private:
  ServerMetrics& metrics_;
};

// The posterior mean the model arm ranks `offer` by, given its evidence over every channel.
double AllChannelPropensity(const core::Strategy& strategy, const core::CompiledOffer& offer,
                            const core::Evidence& evidence) {
  // As core::Arbitrate: prior_only mode decides on the prior alone.
  const core::Evidence used =
      strategy.learning.mode == core::LearningMode::kAdaptive ? evidence : core::Evidence{};
  // The same evidence as segment and channel level: PosteriorFor then uses it whichever way the
  // min_channel_evidence gate falls.
  return core::PosteriorFor(offer, used, used, strategy.learning.min_channel_evidence).Mean();
}

// The offer gauges' samples from the current strategy, none before one is loaded.
OfferGaugeSamples CurrentOfferGauges(const StrategyHolder& strategies,
                                     const LearningStats* learning, size_t k) {
  if (learning == nullptr || k == 0) return {};
  const std::shared_ptr<const LoadedStrategy> loaded = strategies.Current();
  if (loaded == nullptr || loaded->strategy == nullptr) return {};
  return CollectOfferGauges(*learning, *loaded->strategy, k);
}

}  // namespace

OfferGaugeSamples CollectOfferGauges(const LearningStats& learning, const core::Strategy& strategy,
                                     size_t k) {
  absl::flat_hash_set<absl::string_view> segments;
  for (const core::CompiledSegment& segment : strategy.segments) segments.insert(segment.def->id());
  const std::vector<PairEvidence> top =
      learning.TopByEvidence(k, [&](absl::string_view segment_id, absl::string_view offer_id) {
        return segments.contains(segment_id) && strategy.offer_index.contains(offer_id);
      });
  OfferGaugeSamples out;
  out.propensity.reserve(top.size());
  out.evidence.reserve(top.size());
  for (const PairEvidence& pair : top) {
    const core::CompiledOffer& offer = strategy.offers[strategy.offer_index.at(pair.offer_id)];
    metrics::Labels labels = {{"segment", pair.segment_id}, {"offer", pair.offer_id}};
    out.propensity.emplace_back(labels, AllChannelPropensity(strategy, offer, pair.evidence));
    out.evidence.emplace_back(std::move(labels), pair.evidence.total());
  }
  return out;
}

ServerMetrics::ServerMetrics(metrics::Registry& registry, const StrategyHolder& strategies,
                             storage::Store& store, const LearningStats* learning,
                             ServerMetricsOptions options)
    : transitions_(registry.AddCounter("nbo_segment_transitions_total",
                                       "Customers moving from one segment to another (from=\"\" "
                                       "is a customer's first segment).")),
      rpcs_(registry.AddCounter("nbo_grpc_server_handled_total",
                                "gRPC calls completed, by method and status code.")),
      reloads_(
          registry.AddCounter("nbo_strategy_reloads_total",
                              "Strategy loads after start-up, by result (ok, invalid, error).")) {
  auto& decisions = registry.AddCounter(
      "nbo_decisions_total",
      "Decide calls by channel and result (offers, fallback, no_offer, duplicate, suppressed, "
      "invalid, error).");
  auto& fallbacks = registry.AddCounter(
      "nbo_decision_fallbacks_total",
      "Decide calls answered from the fallback offers, by channel and cause (no_eligible_offer, "
      "budget_exhausted, latency_budget).");
  for (int c = 0; c < kChannels; ++c) {
    const std::string channel(core::ChannelName(static_cast<v1::Channel>(c)));
    for (int f = 0; f < kFallbackCauses; ++f) {
      fallbacks_[c][f] =
          &fallbacks.Add({{"channel", channel}, {"cause", std::string(kFallbackCauseNames[f])}});
    }
  }
  auto& latency = registry.AddHistogram(
      "nbo_decision_latency_seconds", "Server-side Decide latency, by channel.", DecisionBuckets());
  for (int c = 0; c < kChannels; ++c) {
    const std::string channel(core::ChannelName(static_cast<v1::Channel>(c)));
    for (int r = 0; r < kResults; ++r) {
      decisions_[c][r] =
          &decisions.Add({{"channel", channel}, {"result", std::string(kResultNames[r])}});
    }
    latency_[c] = &latency.Add({{"channel", channel}});
  }
  static_assert(kOutcomeNames.size() == kOutcomes, "keep ServerMetrics::kOutcomes in step");
  static_assert(kOutcomeResultNames.size() == kOutcomeResults,
                "keep ServerMetrics::kOutcomeResults in step");
  auto& outcomes = registry.AddCounter(
      "nbo_outcomes_total",
      "RecordOutcome calls by the decision's channel (unspecified when the decision could not be "
      "read), outcome (presented, accepted, declined, ignored; unspecified when missing) and "
      "result (recorded, duplicate, invalid, not_found, expired, error).");
  for (int c = 0; c < kChannels; ++c) {
    const std::string channel(core::ChannelName(static_cast<v1::Channel>(c)));
    for (int o = 0; o < kOutcomes; ++o) {
      for (int r = 0; r < kOutcomeResults; ++r) {
        outcomes_[c][o][r] = &outcomes.Add({{"channel", channel},
                                            {"outcome", std::string(kOutcomeNames[o])},
                                            {"result", std::string(kOutcomeResultNames[r])}});
      }
    }
  }
  static_assert(kArmNames.size() == kArms, "keep ServerMetrics::kArms in step");
  auto& by_arm = registry.AddCounter(
      "nbo_decisions_by_arm_total",
      "Decisions made and written, by the policy arm that made them (model, explore, control, "
      "challenger).");
  auto& outcomes_by_arm = registry.AddCounter(
      "nbo_outcomes_by_arm_total",
      "Recorded (not duplicate) outcomes by the arm of their decision (model, explore, control, "
      "challenger) and outcome (presented, accepted, declined, ignored).");
  for (int a = 0; a < kArms; ++a) {
    const std::string arm(kArmNames[a]);
    decisions_by_arm_[a] = &by_arm.Add({{"arm", arm}});
    for (int o = 1; o < kOutcomes; ++o) {  // not "unspecified": a recorded outcome has one
      outcomes_by_arm_[a][o] =
          &outcomes_by_arm.Add({{"arm", arm}, {"outcome", std::string(kOutcomeNames[o])}});
    }
  }
  auto& flushes = registry.AddCounter(
      "nbo_learning_flushes_total",
      "Snapshots of the learning statistics written to the store, by result (ok, error).");
  learning_flushes_[0] = &flushes.Add({{"result", "ok"}});
  learning_flushes_[1] = &flushes.Add({{"result", "error"}});
  registry.AddCallbackGauge(
      "nbo_learning_entries",
      "Evidence entries in the learning statistics ((segment, offer, channel) keys, channel "
      "aggregates included).",
      {}, [learning] {
        return learning != nullptr ? static_cast<double>(learning->entry_count()) : 0.0;
      });
  // Scrape time, so a pair that drops out of the top k loses its series at the next scrape. Each
  // family takes its own pass over the stats (cheaper than sharing one through a cache); between
  // the two passes only a Record can change the set, and only at its edge.
  const size_t top_offers = std::min(options.top_offers, kMaxTopOffers);
  registry.AddCallbackFamily(
      metrics::MetricType::kGauge, "nbo_offer_propensity",
      "Posterior mean acceptance probability of an offer in a segment over all channels, as the "
      "model arm ranks it (prior blended with the decayed outcomes; the prior alone in prior_only "
      "mode), for the (segment, offer) pairs with the most evidence.",
      [&strategies, learning, top_offers] {
        return CurrentOfferGauges(strategies, learning, top_offers).propensity;
      });
  registry.AddCallbackFamily(
      metrics::MetricType::kGauge, "nbo_offer_evidence",
      "Decayed outcomes (accepted + declined + ignored, every channel, halving every learning "
      "half-life) behind nbo_offer_propensity, for the same (segment, offer) pairs.",
      [&strategies, learning, top_offers] {
        return CurrentOfferGauges(strategies, learning, top_offers).evidence;
      });
  auto& ingested = registry.AddCounter(
      "nbo_ingested_events_total",
      "Events received by IngestEvents, by result (applied, duplicate, rejected, suppressed).");
  constexpr std::array<const char*, 4> kIngestResults = {"applied", "duplicate", "rejected",
                                                         "suppressed"};
  for (size_t i = 0; i < kIngestResults.size(); ++i) {
    ingested_[i] = &ingested.Add({{"result", kIngestResults[i]}});
  }
  registry.AddCallbackFamily(
      metrics::MetricType::kGauge, "nbo_strategy_info",
      "The serving strategy: always 1, with its version and checksum as labels.", [&strategies] {
        metrics::LabeledValues out;
        if (auto s = strategies.Current()) {
          out.push_back({{{"version", s->info.version()}, {"checksum", s->info.checksum()}}, 1});
        }
        return out;
      });
  registry.AddCallbackGauge(
      "nbo_strategy_loaded_timestamp_seconds",
      "When the serving strategy was loaded, seconds since the Unix epoch.", {}, [&strategies] {
        auto s = strategies.Current();
        return s ? absl::ToDoubleSeconds(core::FromProto(s->info.loaded_at()) - absl::UnixEpoch())
                 : 0.0;
      });
  // Storage health, read at scrape time, under Prometheus names, types and base units.
  struct StoreStat {
    const char* stat;    // name in Store::Stats()
    const char* metric;  // exported name
    const char* help;
    bool counter;
    double scale;  // multiplies the store's value (micros -> seconds)
  };
  static constexpr StoreStat kStoreStats[] = {
      {"background_errors", "nbo_rocksdb_background_errors_total",
       "RocksDB background errors (a non-zero rate means writes may be failing).", true, 1},
      {"stall_micros", "nbo_rocksdb_write_stall_seconds_total",
       "Time writes spent stalled by RocksDB.", true, 1e-6},
      {"block_cache_hit_ratio", "nbo_rocksdb_block_cache_hit_ratio",
       "Block cache hits / (hits + misses) since start.", false, 1},
      {"block_cache_usage_bytes", "nbo_rocksdb_block_cache_usage_bytes",
       "Bytes in the RocksDB block cache.", false, 1},
      {"live_data_bytes", "nbo_rocksdb_live_data_bytes", "Live data size of the store.", false, 1},
      {"estimated_profiles", "nbo_store_profiles", "Estimated number of stored profiles.", false,
       1},
      {"expired_decisions_dropped", "nbo_store_expired_decisions_dropped_total",
       "Decision records dropped by compaction after their TTL.", true, 1},
      {"wal_sync_failures", "nbo_rocksdb_wal_sync_failures_total",
       "Periodic WAL syncs that failed.", true, 1},
      {"written_bytes", "nbo_rocksdb_written_bytes_total",
       "Bytes of keys and values written by commits.", true, 1},
      {"wal_written_bytes", "nbo_rocksdb_wal_written_bytes_total",
       "Bytes appended to the write-ahead log.", true, 1},
      {"flush_written_bytes", "nbo_rocksdb_flush_written_bytes_total",
       "Bytes of SST files written by memtable flushes.", true, 1},
      {"compaction_read_bytes", "nbo_rocksdb_compaction_read_bytes_total",
       "Bytes read by compactions.", true, 1},
      {"compaction_written_bytes", "nbo_rocksdb_compaction_written_bytes_total",
       "Bytes written by compactions (with flushes, divided by commits' bytes: the write "
       "amplification).",
       true, 1},
  };
  for (const StoreStat& def : kStoreStats) {
    auto read = [&store, stat = std::string(def.stat), scale = def.scale] {
      for (const auto& [name, value] : store.Stats()) {
        if (name == stat) return value * scale;
      }
      return 0.0;
    };
    if (def.counter) {
      registry.AddCallbackCounter(def.metric, def.help, {}, read);
    } else {
      registry.AddCallbackGauge(def.metric, def.help, {}, read);
    }
  }
  metrics::AddProcessMetrics(registry);
}

void ServerMetrics::OnDecision(v1::Channel channel, absl::string_view result,
                               absl::Duration latency) {
  const int c = channel >= 0 && channel < kChannels ? channel : 0;
  decisions_[c][ResultIndex(result)]->Increment();
  latency_[c]->Observe(absl::ToDoubleSeconds(latency));
}

void ServerMetrics::OnFallback(v1::Channel channel, absl::string_view cause) {
  const int c = channel >= 0 && channel < kChannels ? channel : 0;
  int f = 0;  // an unknown cause counts as no_eligible_offer rather than growing the label set
  for (int i = 0; i < kFallbackCauses; ++i) {
    if (kFallbackCauseNames[i] == cause) f = i;
  }
  fallbacks_[c][f]->Increment();
}

void ServerMetrics::OnIngest(int64_t applied, int64_t duplicates, int64_t rejected,
                             int64_t suppressed) {
  const int64_t counts[] = {applied, duplicates, rejected, suppressed};
  for (size_t i = 0; i < ingested_.size(); ++i) {
    if (counts[i] > 0) ingested_[i]->Increment(static_cast<double>(counts[i]));
  }
}

void ServerMetrics::OnOutcome(v1::Channel channel, absl::string_view outcome,
                              absl::string_view result) {
  const int c = channel >= 0 && channel < kChannels ? channel : 0;
  const int o = IndexOf(kOutcomeNames, outcome, 0);
  const int r = IndexOf(kOutcomeResultNames, result, kOutcomeResults - 1);
  outcomes_[c][o][r]->Increment();
}

void ServerMetrics::OnArm(absl::string_view arm) {
  if (const int a = ArmIndex(arm); a >= 0) decisions_by_arm_[a]->Increment();
}

void ServerMetrics::OnArmOutcome(absl::string_view arm, absl::string_view outcome) {
  const int a = ArmIndex(arm);
  const int o = IndexOf(kOutcomeNames, outcome, 0);
  if (a >= 0 && o > 0) outcomes_by_arm_[a][o]->Increment();
}

void ServerMetrics::OnLearningFlush(const absl::Status& status) {
  learning_flushes_[status.ok() ? 0 : 1]->Increment();
}

void ServerMetrics::OnSegmentTransition(absl::string_view from, absl::string_view to) {
  transitions_.Add({{"from", std::string(from)}, {"to", std::string(to)}}).Increment();
}

void ServerMetrics::OnStrategyReload(const absl::Status& status) {
  const char* result = status.ok() ? "ok" : absl::IsInvalidArgument(status) ? "invalid" : "error";
  reloads_.Add({{"result", result}}).Increment();
}

void ServerMetrics::OnRpcDone(absl::string_view method, grpc::StatusCode code) {
  // Only our own services and the standard ones: a client can send any method name.
  const bool known = absl::StartsWith(method, "/nbo.v1.") || absl::StartsWith(method, "/grpc.");
  rpcs_
      .Add({{"method", known ? std::string(method) : "other"},
            {"code", std::string(CodeName(code))}})
      .Increment();
}

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
ServerMetrics::InterceptorFactory() {
  return std::make_unique<MetricsInterceptorFactory>(*this);
}

}  // namespace nbo::server
