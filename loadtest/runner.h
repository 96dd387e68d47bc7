// One load-test run: connect, warm up, measure, drain, report.
#ifndef NBO_LOADTEST_RUNNER_H_
#define NBO_LOADTEST_RUNNER_H_

#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "grpcpp/channel.h"
#include "loadtest/options.h"
#include "loadtest/report.pb.h"
#include "loadtest/workload.h"

namespace nbo::loadtest {

// options.channels channels to options.address, each with its own subchannel pool and a distinct
// channel argument, so each is its own TCP connection; waits for all of them to be READY.
// Unavailable naming --address when one is not connected within options.connect_timeout.
absl::StatusOr<std::vector<std::shared_ptr<grpc::Channel>>> ConnectChannels(
    const LoadtestOptions& options);

// Runs the load described by `options` with `workload` and returns the report. Takes about
// connect + warmup + duration, plus draining the calls still in flight (each is bounded by
// options.deadline). REQUIRES: ValidateOptions(options) is OK.
// Errors: Unavailable when the server cannot be reached; NotFound when --server_pid names no
// process; Internal when calls are still unfinished long after their deadline (the run's memory
// is then left allocated so that late completions cannot touch freed memory).
absl::StatusOr<Report> RunLoad(const LoadtestOptions& options, const Workload& workload);

}  // namespace nbo::loadtest

#endif  // NBO_LOADTEST_RUNNER_H_
