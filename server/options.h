// Every setting of nbo-server in one place. Filled from flags (and --flagfile) in main.cc only.
#ifndef NBO_SERVER_OPTIONS_H_
#define NBO_SERVER_OPTIONS_H_

#include <cstdint>
#include <string>

#include "absl/time/time.h"
#include "core/profile_settings.h"

namespace nbo::server {

struct ServerOptions {
  // gRPC listen address, host:port. Port 0 picks a free port (printed at start-up).
  // Default: "127.0.0.1:50051".
  std::string listen = "127.0.0.1:50051";
  // Prometheus /metrics listen address, host:port; port 0 picks a free port; "" disables.
  // Default: "127.0.0.1:9464".
  std::string metrics_listen = "127.0.0.1:9464";
  // RocksDB data directory; created when missing. Default: "./var/nbo".
  std::string data_dir = "./var/nbo";
  // Strategy file (JSON) loaded at start-up and by ReloadStrategy{from_file} and SIGHUP.
  // Default: "examples/strategy.json".
  std::string strategy_path = "examples/strategy.json";
  // fsync the WAL on every write (group commit batches concurrent writers). Default: false, and
  // the WAL is synced every wal_sync_interval instead.
  bool sync_writes = false;
  // Period of the background WAL sync when !sync_writes. Default: 1s.
  absl::Duration wal_sync_interval = absl::Seconds(1);
  // RocksDB block cache size. Default: 256 MiB.
  int64_t block_cache_bytes = int64_t{256} << 20;
  // How long decisions are kept for outcome attribution and ExplainDecision. Default: 7 days.
  absl::Duration decision_ttl = absl::Hours(24 * 7);
  // How long an event id is remembered: a retried Decide within it gets the original answer, a
  // repeated ingest event counts as a duplicate. Default: 7 days.
  absl::Duration dedupe_window = absl::Hours(24 * 7);
  // Profile aggregates: half-lives of the decayed values and the recent-events ring size
  // (docs/profile.md). Defaults: core/profile_settings.h (30d, 90d, 30d, 90d, 50).
  core::ProfileSettings profile = core::DefaultProfileSettings();
  // Longest a Decide may take; the client's deadline caps it further. When reading the customer
  // used more than 80% of it, the Decide answers from the fallback list. Default: 50ms.
  absl::Duration latency_budget = absl::Milliseconds(50);
  // Threads that run Decide (server/work_pool.h). With them, a Decide whose customer read is
  // still running at fallback_at of its latency budget is answered from the latency fallback at
  // once (its event is still applied when the read returns). 0: Decide runs on gRPC's callback
  // threads and a slow read delays the answer. Default: 16 (a blocked read holds a thread).
  int decide_threads = 16;
  // Testing only (docs/performance.md): this share of profile reads sleeps slow_read_delay first
  // (storage/slow_read_store.h). Default: 0, off.
  double slow_read_share = 0;
  absl::Duration slow_read_delay = absl::Milliseconds(50);
  // How often the learning statistics (server/learning_stats.h) are written to the store; they are
  // also written at shutdown. A crash loses at most this much learning (never a profile change).
  // Default: 10s.
  absl::Duration learning_flush_interval = absl::Seconds(10);
  // How long in-flight calls may take to finish at shutdown. Default: 5s.
  absl::Duration shutdown_grace = absl::Seconds(5);
  // Largest request accepted, bytes; larger ones get RESOURCE_EXHAUSTED. Default: 4 MiB.
  int max_request_bytes = 4 << 20;
  // Largest inline strategy document accepted by ReloadStrategy, bytes. Default: 16 MiB.
  int max_strategy_bytes = 16 << 20;
};

}  // namespace nbo::server

#endif  // NBO_SERVER_OPTIONS_H_
