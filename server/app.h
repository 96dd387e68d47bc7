// nbo-server assembled: store, strategy, metrics, decision flow, gRPC services and the metrics
// endpoint, started and stopped as one. main.cc adds flags and signals; tests start it in-process.
#ifndef NBO_SERVER_APP_H_
#define NBO_SERVER_APP_H_

#include <memory>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/synchronization/notification.h"
#include "core/clock.h"
#include "grpcpp/server.h"
#include "server/budget_ledger.h"
#include "server/customer_access.h"
#include "server/deadline_timer.h"
#include "server/decision_flow.h"
#include "server/explain_flow.h"
#include "server/ingest_flow.h"
#include "server/learning_stats.h"
#include "server/metrics/exporter.h"
#include "server/metrics/registry.h"
#include "server/options.h"
#include "server/outcome_flow.h"
#include "server/profile_flow.h"
#include "server/server_metrics.h"
#include "server/services.h"
#include "server/strategy_holder.h"
#include "server/work_pool.h"
#include "storage/rocks_store.h"
#include "storage/slow_read_store.h"

namespace nbo::server {

// Thread-safe: ReloadStrategyFromFile and Shutdown may be called from any thread.
class App {
 public:
  // Opens the store under options.data_dir (created when missing), loads the strategy, restores
  // the learning statistics (a corrupt snapshot is logged and learning starts empty), starts
  // gRPC, /metrics and the learning flush every options.learning_flush_interval. Errors name what
  // failed and where, e.g. `strategy "x.json" is invalid: offers[3].channels[0]: unknown channel
  // "fax"`. `clock` must outlive the App.
  static absl::StatusOr<std::unique_ptr<App>> Start(const ServerOptions& options,
                                                    const core::Clock& clock);
  ~App();

  int grpc_port() const { return grpc_port_; }
  int metrics_port() const { return exporter_ ? exporter_->port() : 0; }
  const StrategyHolder& strategies() const { return *strategies_; }

  // Re-reads the strategy file (SIGHUP). On failure the serving strategy stays.
  absl::StatusOr<std::shared_ptr<const LoadedStrategy>> ReloadStrategyFromFile();

  // Health turns NOT_SERVING, new calls are refused, in-flight calls get options.shutdown_grace to
  // finish, the learning statistics are flushed once more, then the store closes. Idempotent.
  void Shutdown();

 private:
  App(const ServerOptions& options, const core::Clock& clock);

  // Writes the learning statistics to the store, counts and (on failure) logs the result.
  void FlushLearning();

  const ServerOptions options_;
  const core::Clock& clock_;
  std::unique_ptr<storage::RocksStore> store_;
  // store_ behind a SlowReadStore when options.slow_read_share > 0 (testing only).
  std::unique_ptr<storage::Store> slow_store_;
  std::unique_ptr<StrategyHolder> strategies_;
  std::unique_ptr<metrics::Registry> registry_;
  std::unique_ptr<ServerMetrics> metrics_;
  std::unique_ptr<IdGenerator> ids_;
  std::unique_ptr<CustomerAccess> customers_;
  std::unique_ptr<BudgetLedger> budgets_;
  std::unique_ptr<LearningStats> learning_;
  std::unique_ptr<DecisionFlow> flow_;
  std::unique_ptr<OutcomeFlow> outcome_flow_;
  std::unique_ptr<ProfileFlow> profile_flow_;
  std::unique_ptr<IngestFlow> ingest_flow_;
  std::unique_ptr<ExplainFlow> explain_flow_;
  // Decide's worker threads and latency-budget timer (none when options.decide_threads == 0).
  std::unique_ptr<WorkPool> decide_pool_;
  std::unique_ptr<DeadlineTimer> decide_timer_;
  std::unique_ptr<DecisionServiceImpl> decision_service_;
  std::unique_ptr<ProfileServiceImpl> profile_service_;
  std::unique_ptr<StrategyServiceImpl> strategy_service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<metrics::Exporter> exporter_;
  int grpc_port_ = 0;
  // The periodic learning flush; stop_flush_ ends it.
  absl::Notification stop_flush_;
  std::thread flush_thread_;
  absl::Mutex shutdown_mu_;
  bool shut_down_ ABSL_GUARDED_BY(shutdown_mu_) = false;
};

}  // namespace nbo::server

#endif  // NBO_SERVER_APP_H_
