// nbo's Prometheus metrics: the families, the flow observers that feed them, and a gRPC server
// interceptor that counts every RPC by method and status code. Label values are bounded sets only
// (channels, results, methods, codes, segment and offer ids of the strategy) — never a customer id.
#ifndef NBO_SERVER_SERVER_METRICS_H_
#define NBO_SERVER_SERVER_METRICS_H_

#include <array>
#include <cstddef>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "core/strategy.h"
#include "grpcpp/support/server_interceptor.h"
#include "server/decision_flow.h"
#include "server/learning_stats.h"
#include "server/metrics/registry.h"
#include "server/outcome_flow.h"
#include "server/strategy_holder.h"
#include "storage/store.h"

namespace nbo::server {

// Default number of (segment, offer) pairs the offer gauges export.
inline constexpr size_t kDefaultTopOffers = 20;
// Most pairs the offer gauges export, whatever the option says: each pair is two series.
inline constexpr size_t kMaxTopOffers = 500;

struct ServerMetricsOptions {
  // How many (segment, offer) pairs, the ones with the most evidence, nbo_offer_propensity and
  // nbo_offer_evidence export; 0 exports none. Values above kMaxTopOffers count as kMaxTopOffers.
  // Default: kDefaultTopOffers (20).
  size_t top_offers = kDefaultTopOffers;
};

// The samples of nbo_offer_propensity and nbo_offer_evidence: one per (segment, offer) pair.
struct OfferGaugeSamples {
  metrics::LabeledValues propensity;  // {segment, offer} -> posterior mean, 0..1
  metrics::LabeledValues evidence;    // {segment, offer} -> decayed outcomes behind it
};

// The offer gauges' samples for the `k` pairs of `learning` with the most evidence over every
// channel (LearningStats::TopByEvidence) among the segments and offers of `strategy`; pairs of
// segments or offers it no longer has are left out (their evidence lingers for many half-lives
// after a reload removed them, and no decision reads it). The propensity is the posterior mean
// core::PosteriorFor gives the model arm from that all-channel evidence, with the strategy's
// prior and learning mode (the prior alone in prior_only mode): what a decision on a channel
// without min_channel_evidence of its own ranks by. Both lists are in the same (most evidence
// first) order. Runs at scrape time: one pass over the stats, no per-decision cost.
OfferGaugeSamples CollectOfferGauges(const LearningStats& learning, const core::Strategy& strategy,
                                     size_t k);

// Thread-safe: every method may be called concurrently.
class ServerMetrics : public FlowObserver, public OutcomeObserver {
 public:
  // Registers every family in `registry` (which must outlive this), including process metrics and
  // scrape-time gauges reading `strategies`, `store` and `learning` (all must outlive the
  // registry's scrapes; `learning` may be null: nbo_learning_entries reads 0 and the offer
  // gauges have no series).
  ServerMetrics(metrics::Registry& registry, const StrategyHolder& strategies,
                storage::Store& store, const LearningStats* learning = nullptr,
                ServerMetricsOptions options = {});

  void OnDecision(v1::Channel channel, absl::string_view result, absl::Duration latency) override;
  void OnFallback(v1::Channel channel, absl::string_view cause) override;
  void OnIngest(int64_t applied, int64_t duplicates, int64_t rejected, int64_t suppressed) override;
  void OnSegmentTransition(absl::string_view from, absl::string_view to) override;
  // nbo_decisions_by_arm_total{arm}; "" counts as model; any arm other than model, explore,
  // control, challenger is not counted.
  void OnArm(absl::string_view arm) override;
  // nbo_outcomes_total{channel,outcome,result}; unknown outcome names count as "unspecified",
  // unknown results as "error".
  void OnOutcome(v1::Channel channel, absl::string_view outcome, absl::string_view result) override;
  // nbo_outcomes_by_arm_total{arm,outcome}; "" (decisions logged before arms existed) counts as
  // model, as in the outcome report; an unknown arm or outcome is not counted.
  void OnArmOutcome(absl::string_view arm, absl::string_view outcome) override;
  // nbo_learning_flushes_total{result}: "ok" or "error".
  void OnLearningFlush(const absl::Status& status);
  // Outcome of a strategy (re)load from any source (RPC, SIGHUP).
  void OnStrategyReload(const absl::Status& status);
  // One finished RPC. `method` is the full gRPC method name ("/nbo.v1.DecisionService/Decide").
  void OnRpcDone(absl::string_view method, grpc::StatusCode code);

  // Interceptor factory to install on the grpc::ServerBuilder.
  std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> InterceptorFactory();

 private:
  static constexpr int kChannels = 8;        // CHANNEL_UNSPECIFIED..CHANNEL_CHAT
  static constexpr int kResults = 7;         // kResultNames in server_metrics.cc has one name each
  static constexpr int kOutcomes = 5;        // OUTCOME_UNSPECIFIED..OUTCOME_IGNORED (kOutcomeNames)
  static constexpr int kOutcomeResults = 6;  // kOutcomeResultNames in server_metrics.cc

  metrics::Family<metrics::Counter>& transitions_;
  metrics::Family<metrics::Counter>& rpcs_;
  metrics::Family<metrics::Counter>& reloads_;
  std::array<metrics::Counter*, 4> ingested_{};  // applied, duplicate, rejected, suppressed
  std::array<std::array<metrics::Counter*, kResults>, kChannels> decisions_{};
  // nbo_decision_fallbacks_total by channel and cause (kFallbackCauses order).
  static constexpr int kFallbackCauses = 3;
  std::array<std::array<metrics::Counter*, kFallbackCauses>, kChannels> fallbacks_{};
  std::array<metrics::Histogram*, kChannels> latency_{};
  std::array<std::array<std::array<metrics::Counter*, kOutcomeResults>, kOutcomes>, kChannels>
      outcomes_{};
  // kArmNames in server_metrics.cc: model, explore, control, challenger.
  static constexpr int kArms = 4;
  std::array<metrics::Counter*, kArms> decisions_by_arm_{};
  // By arm and outcome (kOutcomeNames order; "unspecified" is never counted).
  std::array<std::array<metrics::Counter*, kOutcomes>, kArms> outcomes_by_arm_{};
  std::array<metrics::Counter*, 2> learning_flushes_{};  // ok, error
};

}  // namespace nbo::server

#endif  // NBO_SERVER_SERVER_METRICS_H_
