// Collects what the load generator observes: latency per RPC, status codes, fallback answers and
// the open loop's send lag.
#ifndef NBO_LOADTEST_RECORDER_H_
#define NBO_LOADTEST_RECORDER_H_

#include <array>
#include <cstdint>
#include <map>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/support/status.h"
#include "loadtest/histogram.h"

namespace nbo::loadtest {

enum class Rpc { kDecide = 0, kRecordOutcome = 1 };

// "OK", "DEADLINE_EXCEEDED", ...: grpc::StatusCode's names as the gRPC spec writes them.
absl::string_view StatusCodeName(grpc::StatusCode code);

// What one RPC method saw.
struct RpcTotals {
  LatencyHistogram latency;  // nanoseconds
  int64_t count = 0;
  int64_t ok = 0;
  std::map<std::string, int64_t> errors;  // status code name -> calls
};

struct RecorderTotals {
  RpcTotals decide;
  RpcTotals record_outcome;
  int64_t fallbacks = 0;     // OK Decide answers with fallback = true
  int64_t answer_bytes = 0;  // serialised size of all OK Decide answers
  std::map<std::string, int64_t> fallback_causes;
  LatencyHistogram send_lag;  // nanoseconds, open mode only
  int64_t dropped = 0;        // open mode: calls due in the window but never sent
};

// Thread-safe: every method may be called concurrently. One short critical section per call;
// nothing allocates on the hot path once a fallback cause has been seen.
class Recorder {
 public:
  // One finished call sent inside the measured window.
  void Record(Rpc rpc, grpc::StatusCode code, int64_t latency_ns);
  // An OK Decide answer inside the window: its fallback flag and cause, its serialised size.
  void RecordDecideAnswer(bool fallback, absl::string_view cause, size_t bytes);
  void RecordSendLag(int64_t lag_ns);
  // `n` calls due in the window that were never sent.
  void RecordDropped(int64_t n = 1);

  RecorderTotals Totals() const;

 private:
  static constexpr int kCodes = 17;  // grpc::StatusCode 0..16
  struct PerRpc {
    LatencyHistogram latency;
    std::array<int64_t, kCodes> codes{};
  };

  mutable absl::Mutex mu_;
  PerRpc rpcs_[2] ABSL_GUARDED_BY(mu_);
  int64_t fallbacks_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t answer_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  absl::flat_hash_map<std::string, int64_t> causes_ ABSL_GUARDED_BY(mu_);
  LatencyHistogram send_lag_ ABSL_GUARDED_BY(mu_);
  int64_t dropped_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace nbo::loadtest

#endif  // NBO_LOADTEST_RECORDER_H_
