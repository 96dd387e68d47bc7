// nbo-server: flags and signals around App. Everything else lives in testable classes.
#include <signal.h>

#include <cstdio>
#include <iostream>
#include <string>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "server/app.h"
#include "server/options.h"
#include "server/system_clock.h"
#include "spdlog/sinks/stdout_sinks.h"
#include "spdlog/spdlog.h"

namespace {
const nbo::server::ServerOptions kDefaults;
}

ABSL_FLAG(std::string, listen, kDefaults.listen,
          "gRPC listen address host:port (port 0: any free port)");
ABSL_FLAG(std::string, metrics_listen, kDefaults.metrics_listen,
          "Prometheus /metrics listen address host:port (port 0: any free port; empty: off)");
ABSL_FLAG(std::string, data_dir, kDefaults.data_dir, "RocksDB data directory (created if missing)");
ABSL_FLAG(std::string, strategy, kDefaults.strategy_path, "strategy file (JSON) to serve");
ABSL_FLAG(bool, sync_writes, kDefaults.sync_writes,
          "fsync the WAL on every write (default: periodic WAL sync, see --wal_sync_interval)");
ABSL_FLAG(absl::Duration, wal_sync_interval, kDefaults.wal_sync_interval,
          "period of the background WAL fsync when --sync_writes is off");
ABSL_FLAG(int64_t, block_cache_mb, kDefaults.block_cache_bytes >> 20, "RocksDB block cache, MiB");
ABSL_FLAG(absl::Duration, decision_ttl, kDefaults.decision_ttl,
          "how long decisions are kept for outcome attribution");
ABSL_FLAG(absl::Duration, dedupe_window, kDefaults.dedupe_window,
          "how long event ids are remembered for exactly-once retries");
ABSL_FLAG(absl::Duration, frequency_half_life, kDefaults.profile.frequency_half_life,
          "half-life of the decayed interaction count (profile RFM)");
ABSL_FLAG(absl::Duration, monetary_half_life, kDefaults.profile.monetary_half_life,
          "half-life of decayed spend and margin (drives the potential value)");
ABSL_FLAG(absl::Duration, interest_half_life, kDefaults.profile.interest_half_life,
          "half-life of category interest");
ABSL_FLAG(absl::Duration, complaints_half_life, kDefaults.profile.complaints_half_life,
          "half-life of the decayed complaint count");
ABSL_FLAG(int, recent_events, kDefaults.profile.recent_events,
          "how many recent events a profile keeps (1..1000)");
ABSL_FLAG(std::string, trigger_windows, "",
          "how long life events stay active, per kind, added to the defaults: "
          "\"moved_home=1440h,new_job=720h\" (other kinds: 720h)");
ABSL_FLAG(absl::Duration, shutdown_grace, kDefaults.shutdown_grace,
          "how long in-flight calls may take to finish at shutdown");
ABSL_FLAG(absl::Duration, latency_budget, kDefaults.latency_budget,
          "longest a Decide may take (the client's deadline caps it); past 80% of it, the answer "
          "comes from the fallback offers");
ABSL_FLAG(absl::Duration, learning_flush_interval, kDefaults.learning_flush_interval,
          "how often the learning statistics are written to the store (and at shutdown); a crash "
          "loses at most this much learning, never a profile change");
ABSL_FLAG(int, decide_threads, kDefaults.decide_threads,
          "threads that run Decide, so that a call whose customer read outlives the latency "
          "budget is answered from the fallback offers in time; 0 runs Decide on gRPC's threads "
          "(no early answer)");
ABSL_FLAG(double, debug_slow_read_share, 0,
          "testing only: share of profile reads made slow by --debug_slow_read_delay, [0, 1]");
ABSL_FLAG(absl::Duration, debug_slow_read_delay, absl::Milliseconds(50),
          "testing only: how long a slowed profile read takes");
ABSL_FLAG(int, max_request_bytes, kDefaults.max_request_bytes, "largest request accepted, bytes");
ABSL_FLAG(std::string, log_level, "info", "log level: debug, info, warn, error");

namespace {

// The one-line message for a start-up failure, then exit code 1.
int Fail(const absl::Status& status) {
  std::cerr << "nbo-server: " << status.message() << "\n";
  return 1;
}

absl::StatusOr<nbo::server::ServerOptions> OptionsFromFlags() {
  nbo::server::ServerOptions o;
  o.listen = absl::GetFlag(FLAGS_listen);
  o.metrics_listen = absl::GetFlag(FLAGS_metrics_listen);
  o.data_dir = absl::GetFlag(FLAGS_data_dir);
  o.strategy_path = absl::GetFlag(FLAGS_strategy);
  o.sync_writes = absl::GetFlag(FLAGS_sync_writes);
  o.wal_sync_interval = absl::GetFlag(FLAGS_wal_sync_interval);
  o.block_cache_bytes = absl::GetFlag(FLAGS_block_cache_mb) << 20;
  o.decision_ttl = absl::GetFlag(FLAGS_decision_ttl);
  o.dedupe_window = absl::GetFlag(FLAGS_dedupe_window);
  o.shutdown_grace = absl::GetFlag(FLAGS_shutdown_grace);
  o.max_request_bytes = absl::GetFlag(FLAGS_max_request_bytes);
  o.latency_budget = absl::GetFlag(FLAGS_latency_budget);
  o.learning_flush_interval = absl::GetFlag(FLAGS_learning_flush_interval);
  o.decide_threads = absl::GetFlag(FLAGS_decide_threads);
  o.slow_read_share = absl::GetFlag(FLAGS_debug_slow_read_share);
  o.slow_read_delay = absl::GetFlag(FLAGS_debug_slow_read_delay);
  if (o.decide_threads < 0 || o.decide_threads > 1024) {
    return absl::InvalidArgumentError("--decide_threads: must be 0..1024");
  }
  if (!(o.slow_read_share >= 0 && o.slow_read_share <= 1)) {
    return absl::InvalidArgumentError("--debug_slow_read_share: must be in [0, 1]");
  }
  if (o.slow_read_delay < absl::ZeroDuration() || o.slow_read_delay > absl::Seconds(10)) {
    return absl::InvalidArgumentError("--debug_slow_read_delay: must be 0..10s");
  }
  if (o.listen.empty()) return absl::InvalidArgumentError("--listen: must not be empty");
  if (o.data_dir.empty()) return absl::InvalidArgumentError("--data_dir: must not be empty");
  if (o.strategy_path.empty()) return absl::InvalidArgumentError("--strategy: must not be empty");
  if (o.wal_sync_interval <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--wal_sync_interval: must be positive");
  }
  if (absl::GetFlag(FLAGS_block_cache_mb) < 1 || absl::GetFlag(FLAGS_block_cache_mb) > (1 << 20)) {
    return absl::InvalidArgumentError("--block_cache_mb: must be 1..1048576");
  }
  if (o.decision_ttl < absl::Minutes(1)) {
    return absl::InvalidArgumentError("--decision_ttl: must be at least 1m");
  }
  o.profile.frequency_half_life = absl::GetFlag(FLAGS_frequency_half_life);
  o.profile.monetary_half_life = absl::GetFlag(FLAGS_monetary_half_life);
  o.profile.interest_half_life = absl::GetFlag(FLAGS_interest_half_life);
  o.profile.complaints_half_life = absl::GetFlag(FLAGS_complaints_half_life);
  o.profile.recent_events = absl::GetFlag(FLAGS_recent_events);
  for (const auto& [name, value] :
       {std::pair{"--frequency_half_life", o.profile.frequency_half_life},
        std::pair{"--monetary_half_life", o.profile.monetary_half_life},
        std::pair{"--interest_half_life", o.profile.interest_half_life},
        std::pair{"--complaints_half_life", o.profile.complaints_half_life}}) {
    if (value < absl::Hours(1)) {
      return absl::InvalidArgumentError(absl::StrCat(name, ": must be at least 1h"));
    }
  }
  for (absl::string_view item :
       absl::StrSplit(absl::GetFlag(FLAGS_trigger_windows), ',', absl::SkipWhitespace())) {
    std::pair<std::string, std::string> kv = absl::StrSplit(item, absl::MaxSplits('=', 1));
    absl::Duration window;
    if (kv.first.empty() || !absl::ParseDuration(kv.second, &window) ||
        window <= absl::ZeroDuration()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--trigger_windows: \"", item, "\" is not kind=duration (e.g. moved_home=1440h)"));
    }
    o.profile.trigger_windows[kv.first] = window;
  }
  if (o.profile.recent_events < 1 || o.profile.recent_events > 1000) {
    return absl::InvalidArgumentError("--recent_events: must be 1..1000");
  }
  if (o.dedupe_window < absl::Minutes(1)) {
    return absl::InvalidArgumentError("--dedupe_window: must be at least 1m");
  }
  if (o.shutdown_grace < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--shutdown_grace: must not be negative");
  }
  if (o.latency_budget < absl::Milliseconds(1) || o.latency_budget > absl::Seconds(60)) {
    return absl::InvalidArgumentError("--latency_budget: must be 1ms..60s");
  }
  if (o.learning_flush_interval < absl::Milliseconds(100) ||
      o.learning_flush_interval > absl::Hours(24)) {
    return absl::InvalidArgumentError("--learning_flush_interval: must be 100ms..24h");
  }
  if (o.max_request_bytes < 1024) {
    return absl::InvalidArgumentError("--max_request_bytes: must be at least 1024");
  }
  return o;
}

absl::Status SetUpLogging() {
  auto logger = spdlog::stderr_logger_mt("nbo");
  const std::string level = absl::GetFlag(FLAGS_log_level);
  const auto parsed = spdlog::level::from_str(level);
  if (parsed == spdlog::level::off && level != "off") {
    return absl::InvalidArgumentError(absl::StrCat("--log_level: unknown level \"", level,
                                                   "\"; one of debug, info, warn, error"));
  }
  logger->set_level(parsed);
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%fZ %l %v", spdlog::pattern_time_type::utc);
  spdlog::set_default_logger(logger);
  return absl::OkStatus();
}

}  // namespace

int main(int argc, char** argv) {
  // --help lists this file's flags (abseil would look for a file named after the program).
  absl::FlagsUsageConfig usage;
  usage.contains_help_flags = [](absl::string_view file) {
    return absl::EndsWith(file, "server/main.cc");
  };
  usage.contains_helpshort_flags = usage.contains_help_flags;
  absl::SetFlagsUsageConfig(usage);
  absl::SetProgramUsageMessage(
      "nbo-server: real-time next-best-offer decisions over gRPC.\n"
      "Usage: nbo-server [--listen=127.0.0.1:50051] [--data_dir=./var/nbo] "
      "[--strategy=examples/strategy.json] [--flagfile=nbo.flags] ...");
  absl::ParseCommandLine(argc, argv);  // bad flags: abseil prints the flag and exits 1
  // Debian builds abseil with mutex deadlock detection on; the lock order is fixed by design
  // (server/customer_access.h) and the detector costs time on every lock of the hot path.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  if (absl::Status s = SetUpLogging(); !s.ok()) return Fail(s);
  auto options = OptionsFromFlags();
  if (!options.ok()) return Fail(options.status());

  // Signals are taken by one thread with sigwait; block them before any other thread starts.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  nbo::server::SystemClock clock;
  auto app = nbo::server::App::Start(*options, clock);
  if (!app.ok()) return Fail(app.status());

  const auto strategy = (*app)->strategies().Current();
  std::printf("nbo-server listening: grpc=127.0.0.1:%d metrics=%s data_dir=%s strategy=%s (%s)\n",
              (*app)->grpc_port(),
              (*app)->metrics_port()
                  ? absl::StrCat("http://127.0.0.1:", (*app)->metrics_port(), "/metrics").c_str()
                  : "off",
              options->data_dir.c_str(), strategy->info.version().c_str(),
              options->strategy_path.c_str());
  std::printf(
      "try: build/release/tools/nbo decide --addr 127.0.0.1:%d --customer c-1001 "
      "--channel web --event page_view\n",
      (*app)->grpc_port());
  std::fflush(stdout);
  spdlog::info("serving on port {} (malloc: {})", (*app)->grpc_port(), NBO_ALLOCATOR_NAME);

  while (true) {
    int signal = 0;
    if (sigwait(&signals, &signal) != 0) continue;
    if (signal == SIGHUP) {
      auto loaded = (*app)->ReloadStrategyFromFile();
      if (loaded.ok()) {
        spdlog::info("SIGHUP: strategy reloaded: version={} checksum={}", (*loaded)->info.version(),
                     (*loaded)->info.checksum());
      } else {
        spdlog::warn("SIGHUP: strategy reload refused, the old strategy keeps serving: {}",
                     std::string(loaded.status().message()));
      }
      continue;
    }
    spdlog::info("signal {}: shutting down (grace {})", signal,
                 absl::FormatDuration(options->shutdown_grace));
    break;
  }
  (*app)->Shutdown();
  spdlog::info("stopped cleanly");
  return 0;
}
