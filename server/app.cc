#include "server/app.h"

#include <filesystem>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "spdlog/spdlog.h"

namespace nbo::server {

App::App(const ServerOptions& options, const core::Clock& clock)
    : options_(options), clock_(clock) {}

absl::StatusOr<std::unique_ptr<App>> App::Start(const ServerOptions& options,
                                                const core::Clock& clock) {
  std::unique_ptr<App> app(new App(options, clock));

  std::error_code ec;
  std::filesystem::create_directories(options.data_dir, ec);
  if (ec) {
    return absl::FailedPreconditionError(
        absl::StrCat("data_dir \"", options.data_dir, "\": cannot create: ", ec.message()));
  }
  storage::RocksStoreOptions store_options;
  store_options.path = options.data_dir;
  store_options.block_cache_bytes = static_cast<size_t>(options.block_cache_bytes);
  store_options.sync_writes = options.sync_writes;
  store_options.wal_sync_interval = options.wal_sync_interval;
  store_options.decision_ttl = options.decision_ttl;
  store_options.dedupe_ttl = options.dedupe_window;
  store_options.now = [&clock] { return clock.Now(); };
  auto store = storage::RocksStore::Open(store_options);
  if (!store.ok()) return store.status();
  app->store_ = *std::move(store);

  app->strategies_ = std::make_unique<StrategyHolder>(options.strategy_path);
  if (auto loaded = app->strategies_->LoadFile(clock.Now()); !loaded.ok()) {
    return loaded.status();
  }

  // Learning survives restarts through its snapshot. A corrupt one must not keep the server down:
  // learning starts again from the priors (and the next flush replaces the snapshot).
  app->learning_ = std::make_unique<LearningStats>(clock);
  app->learning_->SetHalfLife(app->strategies_->Current()->strategy->learning.half_life);
  if (absl::Status s = app->learning_->Restore(*app->store_); absl::IsDataLoss(s)) {
    spdlog::warn("learning statistics not restored, learning starts from the priors: {}",
                 std::string(s.message()));
  } else if (!s.ok()) {
    return s;
  } else {
    spdlog::info("learning statistics restored: {} entries", app->learning_->entry_count());
  }

  app->registry_ = std::make_unique<metrics::Registry>();
  app->metrics_ = std::make_unique<ServerMetrics>(*app->registry_, *app->strategies_, *app->store_,
                                                  app->learning_.get());
  app->ids_ = std::make_unique<IdGenerator>();
  storage::Store* served = app->store_.get();
  if (options.slow_read_share > 0) {
    app->slow_store_ = std::make_unique<storage::SlowReadStore>(
        *app->store_, storage::SlowReadOptions{options.slow_read_share, options.slow_read_delay});
    served = app->slow_store_.get();
    spdlog::warn("testing only: {}% of profile reads are slowed by {}",
                 options.slow_read_share * 100, absl::FormatDuration(options.slow_read_delay));
  }
  app->customers_ = std::make_unique<CustomerAccess>(*served, *app->ids_);
  FlowOptions flow_options;
  flow_options.decision_ttl = options.decision_ttl;
  flow_options.latency_budget = options.latency_budget;
  flow_options.dedupe_window = options.dedupe_window;
  flow_options.profile = options.profile;
  app->budgets_ = std::make_unique<BudgetLedger>(*app->store_);
  app->flow_ = std::make_unique<DecisionFlow>(*app->customers_, *app->strategies_, clock,
                                              *app->ids_, *app->budgets_, *app->learning_,
                                              app->metrics_.get(), flow_options);
  app->outcome_flow_ =
      std::make_unique<OutcomeFlow>(*app->customers_, *app->strategies_, clock, *app->budgets_,
                                    *app->learning_, app->metrics_.get());
  app->profile_flow_ =
      std::make_unique<ProfileFlow>(*app->customers_, *app->strategies_, clock, flow_options);
  app->ingest_flow_ = std::make_unique<IngestFlow>(*app->customers_, *app->strategies_, clock,
                                                   app->metrics_.get(), flow_options);
  app->explain_flow_ = std::make_unique<ExplainFlow>(*app->store_);
  if (options.decide_threads > 0) {
    app->decide_pool_ = std::make_unique<WorkPool>(options.decide_threads);
    app->decide_timer_ = std::make_unique<DeadlineTimer>();
    WorkPool* pool = app->decide_pool_.get();
    app->registry_->AddCallbackGauge("nbo_decide_pool_queued",
                                     "Decide, RecordOutcome and ProfileService calls waiting "
                                     "for a --decide_threads thread. Above zero for long: "
                                     "the threads are all blocked (slow store) or busy.",
                                     {}, [pool] { return static_cast<double>(pool->queued()); });
  }
  app->decision_service_ =
      std::make_unique<DecisionServiceImpl>(*app->flow_, *app->outcome_flow_, *app->ingest_flow_,
                                            app->decide_pool_.get(), app->decide_timer_.get());
  app->profile_service_ =
      std::make_unique<ProfileServiceImpl>(*app->profile_flow_, app->decide_pool_.get());
  ServerMetrics* metrics = app->metrics_.get();
  app->strategy_service_ = std::make_unique<StrategyServiceImpl>(
      *app->strategies_, clock, options.max_strategy_bytes, *app->store_, options.profile,
      *app->explain_flow_,
      [metrics](const absl::StatusOr<std::shared_ptr<const LoadedStrategy>>& loaded) {
        metrics->OnStrategyReload(loaded.status());
        if (loaded.ok()) {
          spdlog::info("strategy reloaded: version={} checksum={} source={}",
                       (*loaded)->info.version(), (*loaded)->info.checksum(),
                       (*loaded)->info.source());
        } else {
          spdlog::warn("strategy reload refused, the old strategy keeps serving: {}",
                       std::string(loaded.status().message()));
        }
      });

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.listen, grpc::InsecureServerCredentials(), &app->grpc_port_);
  builder.SetMaxReceiveMessageSize(options.max_request_bytes);
  builder.RegisterService(app->decision_service_.get());
  builder.RegisterService(app->profile_service_.get());
  builder.RegisterService(app->strategy_service_.get());
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(app->metrics_->InterceptorFactory());
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  app->server_ = builder.BuildAndStart();
  if (app->server_ == nullptr || app->grpc_port_ == 0) {
    app->server_.reset();
    return absl::FailedPreconditionError(absl::StrCat(
        "listen \"", options.listen, "\": cannot listen there (bad address or port in use)"));
  }
  app->server_->GetHealthCheckService()->SetServingStatus(true);

  if (!options.metrics_listen.empty()) {
    metrics::ExporterOptions exporter_options;
    exporter_options.listen_address = options.metrics_listen;
    exporter_options.setting_name = "metrics_listen";
    auto exporter = metrics::Exporter::Start(app->registry_.get(), exporter_options);
    if (!exporter.ok()) return exporter.status();
    app->exporter_ = *std::move(exporter);
  }

  App* self = app.get();
  app->flush_thread_ = std::thread([self] {
    while (
        !self->stop_flush_.WaitForNotificationWithTimeout(self->options_.learning_flush_interval)) {
      self->FlushLearning();
    }
  });
  return app;
}

void App::FlushLearning() {
  const absl::Status s = learning_->Flush(*store_);
  metrics_->OnLearningFlush(s);
  if (!s.ok()) {
    spdlog::error("writing the learning statistics: {}", std::string(s.message()));
  }
}

absl::StatusOr<std::shared_ptr<const LoadedStrategy>> App::ReloadStrategyFromFile() {
  auto loaded = strategies_->LoadFile(clock_.Now());
  metrics_->OnStrategyReload(loaded.status());
  return loaded;
}

void App::Shutdown() {
  {
    absl::MutexLock lock(&shutdown_mu_);
    if (shut_down_) return;
    shut_down_ = true;
  }
  if (server_ != nullptr) {
    server_->GetHealthCheckService()->SetServingStatus(false);
    // With a deadline: unfinished callback reactors could otherwise hang Shutdown forever.
    server_->Shutdown(std::chrono::system_clock::now() +
                      absl::ToChronoSeconds(options_.shutdown_grace));
    server_->Wait();
  }
  // Every call is answered; late workers still record the events behind their fallbacks.
  if (decide_pool_ != nullptr) decide_pool_->Stop();
  decide_timer_.reset();
  // No outcome can arrive any more: stop the periodic flush and write the last state. (When Start
  // failed before serving, nothing was learned: the snapshot on disk is left as it is.)
  stop_flush_.Notify();
  if (flush_thread_.joinable()) {
    flush_thread_.join();
    FlushLearning();
  }
  exporter_.reset();  // stop scrapes before what they read goes away
  if (store_ != nullptr) {
    if (absl::Status s = store_->Close(); !s.ok()) {
      spdlog::error("closing the store: {}", std::string(s.message()));
    }
  }
}

App::~App() { Shutdown(); }

}  // namespace nbo::server
