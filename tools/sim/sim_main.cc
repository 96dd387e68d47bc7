// nbo-sim: a seeded simulated population driving a real nbo-server over gRPC, to show what
// learning from outcomes earns against the control group (docs/learning.md). Parses flags and
// hands over to nbo::tools::sim::RunSimulation.
#include <unistd.h>

#include <cstdint>
#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "tools/flag_check.h"
#include "tools/sim/sim.h"

ABSL_FLAG(std::string, addr, "127.0.0.1:50051",
          "nbo-server address, host:port; the server must serve examples/sim_strategy.json");
ABSL_FLAG(uint64_t, seed, 1, "seed of the simulated world and of the outcomes");
ABSL_FLAG(int, customers, 2000, "customers in the population, 1..1000000");
ABSL_FLAG(int, days, 30, "simulated days (rounds on the server's clock), 1..3650");
ABSL_FLAG(int, interactions_per_day, 400, "decisions per simulated day, 1..1000000");
ABSL_FLAG(bool, json, false, "print the report as JSON");
ABSL_FLAG(std::string, run_id, "",
          "tag in customer and event ids, 1..32 of [a-z0-9_-]; default: from the time of the run");
ABSL_FLAG(double, move_probability, 0.01, "daily probability that a customer moves home, 0..1");
ABSL_FLAG(double, activity_skew, 0,
          "Zipf exponent of how often customers interact, 0..4 (0: all alike)");
ABSL_FLAG(absl::Duration, timeout, absl::Seconds(5), "deadline of each RPC, e.g. 5s");

namespace {

constexpr char kUsage[] =
    "nbo-sim: drives nbo-server with a seeded simulated population and reports acceptance,\n"
    "value and regret per arm (learning vs control) against an oracle that knows the truth.\n"
    "\n"
    "  nbo-server --strategy=examples/sim_strategy.json --data_dir=/tmp/nbo-sim &\n"
    "  nbo-sim --addr=127.0.0.1:50051 --seed=1 --customers=2000 --days=30 \\\n"
    "          --interactions_per_day=400 [--json]\n"
    "\n"
    "Flags: --addr (127.0.0.1:50051), --seed (1), --customers (2000), --days (30),\n"
    "--interactions_per_day (400), --json, --run_id (from the time), --move_probability (0.01),\n"
    "--activity_skew (0), --timeout (5s). Use a fresh --data_dir per run: learning persists.\n"
    "\n"
    "Exit status: 0 ok, 1 a request failed or the served strategy is not the simulation's,\n"
    "2 bad flags, 3 server unreachable. See docs/learning.md.\n";

}  // namespace

int main(int argc, char** argv) {
  namespace sim = nbo::tools::sim;
  absl::SetProgramUsageMessage(kUsage);
  std::vector<std::string> raw =
      nbo::tools::NormalizeFlagNames(std::vector<std::string>(argv + 1, argv + argc));
  for (const std::string& arg : raw) {
    if (arg == "--") break;
    if (arg == "--help" || arg == "-help" || arg == "-h") {
      std::cout << kUsage;
      return sim::kSimExitOk;
    }
  }
  if (absl::Status status = nbo::tools::CheckCommandLine(raw); !status.ok()) {
    std::cerr << "nbo-sim: " << status.message() << "; see nbo-sim --help\n";
    return sim::kSimExitUsage;
  }
  std::vector<char*> normalized_argv = {argv[0]};
  for (std::string& arg : raw) normalized_argv.push_back(arg.data());
  normalized_argv.push_back(nullptr);
  const std::vector<char*> positional = absl::ParseCommandLine(argc, normalized_argv.data());
  if (positional.size() > 1) {
    std::cerr << "nbo-sim: unexpected argument \"" << positional[1]
              << "\"; every setting is a flag, see nbo-sim --help\n";
    return sim::kSimExitUsage;
  }

  sim::SimOptions options;
  options.seed = absl::GetFlag(FLAGS_seed);
  options.customers = absl::GetFlag(FLAGS_customers);
  options.days = absl::GetFlag(FLAGS_days);
  options.interactions_per_day = absl::GetFlag(FLAGS_interactions_per_day);
  options.run_id = absl::GetFlag(FLAGS_run_id);
  if (options.run_id.empty()) {
    // Fresh ids per run, so that a second run against the same server meets no old customers.
    options.run_id = absl::StrCat("r", absl::ToUnixSeconds(absl::Now()));
  }
  options.move_probability = absl::GetFlag(FLAGS_move_probability);
  options.activity_skew = absl::GetFlag(FLAGS_activity_skew);
  options.timeout = absl::GetFlag(FLAGS_timeout);
  if (absl::Status status = sim::ValidateSimOptions(options); !status.ok()) {
    std::cerr << "nbo-sim: --" << status.message() << "\n";
    return sim::kSimExitUsage;
  }

  const std::string addr = absl::GetFlag(FLAGS_addr);
  sim::GrpcSimBackend backend(addr, options.timeout);
  if (absl::Status status = backend.Connect(); !status.ok()) {
    std::cerr << "nbo-sim: " << status.message() << "\n";
    return sim::kSimExitUnreachable;
  }
  const bool json = absl::GetFlag(FLAGS_json);
  absl::StatusOr<sim::SimReport> report =
      sim::RunSimulation(backend, options, isatty(STDERR_FILENO) == 1 ? &std::cerr : nullptr);
  if (!report.ok()) {
    std::cerr << "nbo-sim: " << report.status().message() << "\n";
    return sim::ExitCodeFor(report);
  }
  std::cout << (json ? sim::FormatJson(*report) : sim::FormatTable(*report));
  if (report->failed_requests > 0) {
    std::cerr << "nbo-sim: " << report->failed_requests
              << " requests failed; the first: " << report->first_failure << "\n";
  }
  return sim::ExitCodeFor(report);
}
