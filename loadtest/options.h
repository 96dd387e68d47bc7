// Every setting of nbo-loadtest in one place. Filled from flags in main.cc only; checked by
// ValidateOptions so that a bad flag gets a message naming it (exit status 2).
#ifndef NBO_LOADTEST_OPTIONS_H_
#define NBO_LOADTEST_OPTIONS_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace nbo::loadtest {

// closed: a fixed number of calls in flight, each slot sending its next call when the previous
// answer arrives (finds the highest throughput). open: calls sent at a constant rate whatever the
// answers do; latency counts from the intended send time.
enum class Mode { kClosed, kOpen };
// Only a label in the output: nbo-server and nbo-echo take the same calls.
enum class Target { kNbo, kEcho };
// cq: the async client API (CompletionQueue, PrepareAsyncDecide, our own poller threads).
// callback: stub->async()->Decide(ctx, req, resp, callback) on gRPC's own threads.
enum class ClientApi { kCq, kCallback };
// How a DecideRequest names its customer: a source identity {source: "loadtest", external_id:
// "lt-000123"} (resolved through the identity index, as web and call-centre front ends do) or
// the nbo customer id "lt-000123" directly.
enum class CustomerRefKind { kIdentity, kCustomerId };

struct LoadtestOptions {
  // gRPC address of the server, host:port. Default: "127.0.0.1:50051" (nbo-server's default).
  std::string address = "127.0.0.1:50051";
  Target target = Target::kNbo;  // Default: nbo
  Mode mode = Mode::kClosed;     // Default: closed
  // Calls in flight in closed mode, 1..100000. Default: 32.
  int concurrency = 32;
  // Calls per second in open mode, > 0 (at most 10,000,000). Default: 0 (must be given).
  double rate = 0;
  // gRPC channels, each its own TCP connection; calls are spread round-robin. 1..256. Default: 4.
  int channels = 4;
  ClientApi client_api = ClientApi::kCq;  // Default: cq (measured cheaper, docs/performance.md)
  // Open mode: threads sending calls on schedule (call i goes out on thread i % senders),
  // 1..64. Default: 2.
  int senders = 2;
  // Completion-queue poller threads in cq mode, 1..64. Two keep completions flowing when one is
  // descheduled on a busy machine, at the same CPU per call as one. Default: 2.
  int cq_threads = 2;
  // Calls before the measured window (connections warm, caches filled). 0..1h. Default: 5s.
  absl::Duration warmup = absl::Seconds(5);
  // The measured window. (0, 1h]. Default: 20s.
  absl::Duration duration = absl::Seconds(20);
  // Per-call deadline, 1ms..5s (the whole run stops at warmup + duration + 10s). Default: 1s.
  absl::Duration deadline = absl::Seconds(1);
  // How long to wait for every channel to connect before giving up, 1ms..60s. Default: 5s.
  absl::Duration connect_timeout = absl::Seconds(5);
  // Customer population lt-000001..lt-<customers>, 1..100,000,000. Default: 10000.
  int64_t customers = 10000;
  // Zipf exponent of customer activity, 0 (uniform)..10. Default: 1.0.
  double zipf_s = 1.0;
  // Share of calls that are RecordOutcome for an offer of an earlier answer, 0..0.9. Default: 0.1.
  double outcome_share = 0.1;
  CustomerRefKind customer_ref = CustomerRefKind::kIdentity;  // Default: identity
  // DecideRequest.max_offers, 0..20 (0: the strategy's default). Default: 3.
  int max_offers = 3;
  // Seed of the request mix and customer draws; the same seed gives the same mix. Default: 1.
  uint64_t seed = 1;
  // Makes event ids unique across runs against the same data: "lt-<run_id>-<seq>". 1..32 of
  // [A-Za-z0-9_]; "" picks one from the clock and pid. Default: "".
  std::string run_id;
  // Customers to stream through IngestEvents before the run (lt-000001..lt-<preload>), 0 = none.
  // 0..100,000,000. Default: 0.
  int64_t preload = 0;
  // Events per IngestRequest while preloading, 1..10000. Default: 1000.
  int preload_batch = 1000;
  // Stop after preloading. REQUIRES preload > 0. Default: false.
  bool preload_only = false;
  // Process id of the server, to report its CPU time per call from /proc/<pid>/stat; 0 = off.
  // Default: 0.
  int64_t server_pid = 0;
  // Free text copied into the report, e.g. "closed-32". Default: "".
  std::string label;
  // Where to write the JSON report: a file, "-" for stdout, "" for none. Default: "".
  std::string json_path;
};

// Parses the enum flags. InvalidArgument naming the flag and the accepted values otherwise.
absl::StatusOr<Mode> ParseMode(absl::string_view text);
absl::StatusOr<Target> ParseTarget(absl::string_view text);
absl::StatusOr<ClientApi> ParseClientApi(absl::string_view text);
absl::StatusOr<CustomerRefKind> ParseCustomerRefKind(absl::string_view text);

absl::string_view ModeName(Mode mode);
absl::string_view TargetName(Target target);
absl::string_view ClientApiName(ClientApi api);

// OK when every field is in range; otherwise InvalidArgument with a message naming the first bad
// flag, e.g. "--rate must be > 0 in open mode".
absl::Status ValidateOptions(const LoadtestOptions& options);

}  // namespace nbo::loadtest

#endif  // NBO_LOADTEST_OPTIONS_H_
