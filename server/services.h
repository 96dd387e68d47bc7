// gRPC callback services: thin adapters from the wire to the flows and StrategyHolder.
// Handlers run on gRPC's callback threads; the work they do inline is bounded (a RocksDB point
// read and a WAL append without fsync by default; see docs/architecture.md).
#ifndef NBO_SERVER_SERVICES_H_
#define NBO_SERVER_SERVICES_H_

#include <functional>

#include "core/clock.h"
#include "nbo/v1/decision.grpc.pb.h"
#include "nbo/v1/profile.grpc.pb.h"
#include "nbo/v1/strategy.grpc.pb.h"
#include "server/deadline_timer.h"
#include "server/decision_flow.h"
#include "server/explain_flow.h"
#include "server/ingest_flow.h"
#include "server/outcome_flow.h"
#include "server/profile_flow.h"
#include "server/strategy_holder.h"
#include "server/work_pool.h"

namespace nbo::server {

// Decide and RecordOutcome use the callback API; IngestEvents is a synchronous method, so a
// long back-fill stream runs on gRPC's sync thread pool and never holds a callback thread.
class DecisionServiceImpl final
    : public v1::DecisionService::WithCallbackMethod_Decide<
          v1::DecisionService::WithCallbackMethod_RecordOutcome<v1::DecisionService::Service>> {
 public:
  // All flows must outlive the service. With a `pool` and a `timer`, each Decide runs on the
  // pool and is answered from the latency fallback at DecisionFlow::FallbackTime if its worker
  // has not got past reading the customer by then; without them (null), Decide runs on gRPC's
  // callback thread and can only notice a slow read once it has returned. RecordOutcome runs on
  // the pool too when there is one, so its profile reads never block gRPC's threads.
  DecisionServiceImpl(DecisionFlow& flow, OutcomeFlow& outcomes, IngestFlow& ingest,
                      WorkPool* pool = nullptr, DeadlineTimer* timer = nullptr)
      : flow_(flow), outcomes_(outcomes), ingest_(ingest), pool_(pool), timer_(timer) {}

  grpc::ServerUnaryReactor* Decide(grpc::CallbackServerContext* context,
                                   const v1::DecideRequest* request,
                                   v1::DecideResponse* response) override;
  grpc::ServerUnaryReactor* RecordOutcome(grpc::CallbackServerContext* context,
                                          const v1::OutcomeRequest* request,
                                          v1::OutcomeResponse* response) override;
  grpc::Status IngestEvents(grpc::ServerContext* context,
                            grpc::ServerReader<v1::IngestRequest>* reader,
                            v1::IngestSummary* summary) override;

 private:
  DecisionFlow& flow_;
  OutcomeFlow& outcomes_;
  IngestFlow& ingest_;
  WorkPool* const pool_;
  DeadlineTimer* const timer_;
};

class ProfileServiceImpl final : public v1::ProfileService::CallbackService {
 public:
  // With a `pool` (the decide pool), every call runs on it: they all read the store, and a slow
  // read must not block gRPC's callback threads. Null: on gRPC's threads.
  explicit ProfileServiceImpl(ProfileFlow& flow, WorkPool* pool = nullptr)
      : flow_(flow), pool_(pool) {}

  grpc::ServerUnaryReactor* GetProfile(grpc::CallbackServerContext* context,
                                       const v1::GetProfileRequest* request,
                                       v1::GetProfileResponse* response) override;
  grpc::ServerUnaryReactor* LinkIdentity(grpc::CallbackServerContext* context,
                                         const v1::LinkIdentityRequest* request,
                                         v1::LinkIdentityResponse* response) override;
  grpc::ServerUnaryReactor* UpdateConsent(grpc::CallbackServerContext* context,
                                          const v1::UpdateConsentRequest* request,
                                          v1::UpdateConsentResponse* response) override;
  grpc::ServerUnaryReactor* ForgetCustomer(grpc::CallbackServerContext* context,
                                           const v1::ForgetCustomerRequest* request,
                                           v1::ForgetCustomerResponse* response) override;

 private:
  ProfileFlow& flow_;
  WorkPool* const pool_;
};

class StrategyServiceImpl final : public v1::StrategyService::CallbackService {
 public:
  // `on_reload` is told the outcome of every ReloadStrategy (for metrics and logs); may be empty.
  // `store` supplies sample profiles for ValidateStrategy's what-if and the counters of
  // GetOutcomeReport; `settings` are the server's profile settings.
  StrategyServiceImpl(
      StrategyHolder& strategies, const core::Clock& clock, int max_document_bytes,
      storage::Store& store, core::ProfileSettings settings, ExplainFlow& explain,
      std::function<void(const absl::StatusOr<std::shared_ptr<const LoadedStrategy>>&)> on_reload)
      : strategies_(strategies),
        clock_(clock),
        max_document_bytes_(max_document_bytes),
        store_(store),
        settings_(std::move(settings)),
        explain_(explain),
        on_reload_(std::move(on_reload)) {}

  grpc::ServerUnaryReactor* GetStrategy(grpc::CallbackServerContext* context,
                                        const v1::GetStrategyRequest* request,
                                        v1::GetStrategyResponse* response) override;
  grpc::ServerUnaryReactor* ReloadStrategy(grpc::CallbackServerContext* context,
                                           const v1::ReloadStrategyRequest* request,
                                           v1::ReloadStrategyResponse* response) override;
  grpc::ServerUnaryReactor* ValidateStrategy(grpc::CallbackServerContext* context,
                                             const v1::ValidateStrategyRequest* request,
                                             v1::ValidateStrategyResponse* response) override;
  grpc::ServerUnaryReactor* ExplainDecision(grpc::CallbackServerContext* context,
                                            const v1::ExplainDecisionRequest* request,
                                            v1::ExplainDecisionResponse* response) override;
  // Reads the report counters (a prefix scan of a few keys per arm, segment and offer) inline.
  grpc::ServerUnaryReactor* GetOutcomeReport(grpc::CallbackServerContext* context,
                                             const v1::OutcomeReportRequest* request,
                                             v1::OutcomeReport* response) override;

 private:
  StrategyHolder& strategies_;
  const core::Clock& clock_;
  const int max_document_bytes_;
  storage::Store& store_;
  const core::ProfileSettings settings_;
  ExplainFlow& explain_;
  std::function<void(const absl::StatusOr<std::shared_ptr<const LoadedStrategy>>&)> on_reload_;
};

}  // namespace nbo::server

#endif  // NBO_SERVER_SERVICES_H_
