// nbo-sim: drives a real nbo-server with a seeded simulated population (tools/sim/world.h) and
// measures what learning from outcomes earns against the control group and an oracle
// (docs/learning.md, "The simulator"). sim_main.cc parses the flags; everything else is here.
#ifndef NBO_TOOLS_SIM_SIM_H_
#define NBO_TOOLS_SIM_SIM_H_

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "nbo/v1/decision.pb.h"
#include "tools/sim/report.h"

namespace nbo::tools::sim {

// Process exit statuses of nbo-sim (the conventions of the nbo CLI).
enum SimExitCode : int {
  kSimExitOk = 0,
  kSimExitFailed = 1,       // the run could not start or a request failed
  kSimExitUsage = 2,        // bad command line
  kSimExitUnreachable = 3,  // no nbo-server at --addr
};

struct SimOptions {
  // Seed of the world (population, life events, who interacts) and of the outcomes. Default: 1.
  uint64_t seed = 1;
  // Customers, 1..1000000. Default: 2000.
  int customers = 2000;
  // Simulated days (rounds: the server decides on its own clock, see docs/learning.md),
  // 1..3650. Default: 30.
  int days = 30;
  // Decisions per day, 1..1000000. Default: 400 (with 2000 customers, about 6 a customer a month).
  int interactions_per_day = 400;
  // Tag in every customer and event id, 1..32 of [a-z0-9_-], so that runs against one server
  // do not collide. Default: "run" (sim_main.cc: derived from the time of the run).
  std::string run_id = "run";
  // Daily probability that a customer moves home, [0, 1]. Default: 0.01.
  double move_probability = 0.01;
  // Zipf exponent of how often customers interact, [0, 4]: 0 = every customer alike, 1 = the
  // k-th most active one interacts 1/k as often as the first. Default: 0.
  double activity_skew = 0;
  // Deadline of each RPC, > 0. Default: 5 s.
  absl::Duration timeout = absl::Seconds(5);
};

// InvalidArgument naming the first option out of range ("customers: must be 1..1000000, got 0").
absl::Status ValidateSimOptions(const SimOptions& options);

// The RPCs nbo-sim makes. The status codes are the server's (grpc and absl codes agree).
// Implementations need not be thread-safe: a run calls them from one thread.
class SimBackend {
 public:
  virtual ~SimBackend() = default;
  // The strategy document being served (GetStrategy with include_document).
  virtual absl::StatusOr<std::string> StrategyJson() = 0;
  virtual absl::StatusOr<v1::DecideResponse> Decide(const v1::DecideRequest& request) = 0;
  virtual absl::Status RecordOutcome(const v1::OutcomeRequest& request) = 0;
  // One IngestEvents stream carrying `request`.
  virtual absl::StatusOr<v1::IngestSummary> Ingest(const v1::IngestRequest& request) = 0;
};

// A SimBackend over an insecure gRPC channel to `addr` with `timeout` per RPC.
// Connect() waits (at most `timeout`) until the channel is ready: Unavailable ("cannot reach
// nbo-server at ADDR ...") when it does not get there.
class GrpcSimBackend : public SimBackend {
 public:
  GrpcSimBackend(const std::string& addr, absl::Duration timeout);
  ~GrpcSimBackend() override;
  absl::Status Connect();

  absl::StatusOr<std::string> StrategyJson() override;
  absl::StatusOr<v1::DecideResponse> Decide(const v1::DecideRequest& request) override;
  absl::Status RecordOutcome(const v1::OutcomeRequest& request) override;
  absl::StatusOr<v1::IngestSummary> Ingest(const v1::IngestRequest& request) override;

 private:
  struct Stubs;
  std::string addr_;
  absl::Duration timeout_;
  std::unique_ptr<Stubs> stubs_;
};

// Runs the simulation against `backend`: reads the served strategy (FailedPrecondition when it is
// not one the world mirrors, e.g. not examples/sim_strategy.json), sends every customer's starting
// holdings, then each day the day's moves (life events) and `interactions_per_day` decisions,
// each followed by the drawn outcome (and, when accepted, a purchase of the offer's product).
// A failed request is counted and the run goes on; after 20 failures in a row it stops with the
// last one's status. `progress` (may be null) gets one line per day.
absl::StatusOr<SimReport> RunSimulation(SimBackend& backend, const SimOptions& options,
                                        std::ostream* progress = nullptr);

// The exit status for a run's result: kSimExitOk for a report without failed requests,
// kSimExitUnreachable for Unavailable (the server went away), else kSimExitFailed. (Bad options
// are kSimExitUsage; sim_main.cc checks them before the run.)
int ExitCodeFor(const absl::StatusOr<SimReport>& result);

}  // namespace nbo::tools::sim

#endif  // NBO_TOOLS_SIM_SIM_H_
