// nbo-loadtest: flags, the hard stop, and output files around the library (runner.h, preload.h,
// report.h). Exit status: 0 done (RPC errors are results, not failures), 1 the run could not be
// done (server unreachable, preload failed, file not writable), 2 bad command line.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "loadtest/options.h"
#include "loadtest/preload.h"
#include "loadtest/report.h"
#include "loadtest/runner.h"
#include "loadtest/workload.h"
#include "tools/flag_check.h"

namespace {
const nbo::loadtest::LoadtestOptions kDefaults;
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;
}  // namespace

ABSL_FLAG(std::string, address, kDefaults.address, "server address host:port");
ABSL_FLAG(std::string, target, "nbo", "label of the server: nbo or echo (same calls either way)");
ABSL_FLAG(std::string, mode, "closed",
          "closed: --concurrency calls in flight; open: --rate calls per second, latency from "
          "the intended send time");
ABSL_FLAG(int, concurrency, kDefaults.concurrency, "closed mode: calls in flight");
ABSL_FLAG(double, rate, kDefaults.rate, "open mode: calls per second (required)");
ABSL_FLAG(int, channels, kDefaults.channels, "gRPC channels, each its own TCP connection");
ABSL_FLAG(std::string, client_api, "cq",
          "cq (async API, own completion-queue threads) or callback (gRPC's threads)");
ABSL_FLAG(int, senders, kDefaults.senders, "open mode: threads sending calls on schedule");
ABSL_FLAG(int, cq_threads, kDefaults.cq_threads, "cq client: completion-queue threads");
ABSL_FLAG(absl::Duration, warmup, kDefaults.warmup, "load before the measured window");
ABSL_FLAG(absl::Duration, duration, kDefaults.duration, "the measured window");
ABSL_FLAG(absl::Duration, deadline, kDefaults.deadline, "deadline of every call (1ms..5s)");
ABSL_FLAG(absl::Duration, connect_timeout, kDefaults.connect_timeout,
          "how long to wait for the connections");
ABSL_FLAG(int64_t, customers, kDefaults.customers, "customer population lt-000001..");
ABSL_FLAG(double, zipf_s, kDefaults.zipf_s, "Zipf exponent of customer activity (0: uniform)");
ABSL_FLAG(double, outcome_share, kDefaults.outcome_share,
          "share of calls that are RecordOutcome for an offer of an earlier answer");
ABSL_FLAG(std::string, customer_ref, "identity",
          "identity ({source: loadtest, external_id: lt-..}) or customer_id (lt-..)");
ABSL_FLAG(int, max_offers, kDefaults.max_offers, "DecideRequest.max_offers (0: strategy default)");
ABSL_FLAG(uint64_t, seed, kDefaults.seed, "seed of the request mix");
ABSL_FLAG(std::string, run_id, "", "event ids are lt-<run_id>-<seq> (default: from clock and pid)");
ABSL_FLAG(int64_t, preload, kDefaults.preload,
          "stream this many customers' events through IngestEvents before the run");
ABSL_FLAG(int, preload_batch, kDefaults.preload_batch, "events per IngestRequest");
ABSL_FLAG(bool, preload_only, false, "stop after --preload");
ABSL_FLAG(int64_t, server_pid, kDefaults.server_pid,
          "server process id: report its CPU time per request (from /proc)");
ABSL_FLAG(std::string, label, "", "scenario name copied into the report, e.g. closed-32");
ABSL_FLAG(std::string, json, "", "write the JSON report to this file (\"-\": stdout)");
ABSL_FLAG(bool, compare, false,
          "print a comparison table of the JSON reports given as arguments, in pairs: "
          "baseline1 candidate1 baseline2 candidate2 ...");

namespace {

using nbo::loadtest::LoadtestOptions;

absl::StatusOr<LoadtestOptions> OptionsFromFlags() {
  LoadtestOptions o;
  o.address = absl::GetFlag(FLAGS_address);
  auto target = nbo::loadtest::ParseTarget(absl::GetFlag(FLAGS_target));
  if (!target.ok()) return target.status();
  o.target = *target;
  auto mode = nbo::loadtest::ParseMode(absl::GetFlag(FLAGS_mode));
  if (!mode.ok()) return mode.status();
  o.mode = *mode;
  auto api = nbo::loadtest::ParseClientApi(absl::GetFlag(FLAGS_client_api));
  if (!api.ok()) return api.status();
  o.client_api = *api;
  auto ref = nbo::loadtest::ParseCustomerRefKind(absl::GetFlag(FLAGS_customer_ref));
  if (!ref.ok()) return ref.status();
  o.customer_ref = *ref;
  o.concurrency = absl::GetFlag(FLAGS_concurrency);
  o.rate = absl::GetFlag(FLAGS_rate);
  o.channels = absl::GetFlag(FLAGS_channels);
  o.senders = absl::GetFlag(FLAGS_senders);
  o.cq_threads = absl::GetFlag(FLAGS_cq_threads);
  o.warmup = absl::GetFlag(FLAGS_warmup);
  o.duration = absl::GetFlag(FLAGS_duration);
  o.deadline = absl::GetFlag(FLAGS_deadline);
  o.connect_timeout = absl::GetFlag(FLAGS_connect_timeout);
  o.customers = absl::GetFlag(FLAGS_customers);
  o.zipf_s = absl::GetFlag(FLAGS_zipf_s);
  o.outcome_share = absl::GetFlag(FLAGS_outcome_share);
  o.max_offers = absl::GetFlag(FLAGS_max_offers);
  o.seed = absl::GetFlag(FLAGS_seed);
  o.run_id = absl::GetFlag(FLAGS_run_id);
  o.preload = absl::GetFlag(FLAGS_preload);
  o.preload_batch = absl::GetFlag(FLAGS_preload_batch);
  o.preload_only = absl::GetFlag(FLAGS_preload_only);
  o.server_pid = absl::GetFlag(FLAGS_server_pid);
  o.label = absl::GetFlag(FLAGS_label);
  o.json_path = absl::GetFlag(FLAGS_json);
  if (absl::Status s = nbo::loadtest::ValidateOptions(o); !s.ok()) return s;
  return o;
}

// Seconds since the epoch (low 32 bits) and the pid: distinct for runs a second apart or
// concurrent, so event ids of earlier runs against the same data never collide.
std::string DefaultRunId() {
  return absl::StrFormat("%08x%05x", static_cast<uint32_t>(absl::ToUnixSeconds(absl::Now())),
                         static_cast<uint32_t>(getpid()) & 0xfffff);
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot read"));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

int Compare(const std::vector<std::string>& files) {
  if (files.empty() || files.size() % 2 != 0) {
    std::cerr << "nbo-loadtest: --compare needs JSON reports in pairs: baseline candidate ...\n";
    return kExitUsage;
  }
  std::vector<std::pair<nbo::loadtest::Report, nbo::loadtest::Report>> pairs(files.size() / 2);
  for (size_t i = 0; i < files.size(); ++i) {
    absl::StatusOr<std::string> text = ReadFile(files[i]);
    absl::StatusOr<nbo::loadtest::Report> report =
        text.ok() ? nbo::loadtest::ParseReportJson(*text) : text.status();
    if (!report.ok()) {
      std::cerr << "nbo-loadtest: " << files[i] << ": " << report.status().message() << "\n";
      return kExitFailed;
    }
    (i % 2 == 0 ? pairs[i / 2].first : pairs[i / 2].second) = *std::move(report);
  }
  std::cout << nbo::loadtest::FormatComparison(pairs);
  return 0;
}

absl::Status WriteJson(const std::string& path, const nbo::loadtest::Report& report) {
  const std::string json = nbo::loadtest::ToJson(report) + "\n";
  if (path == "-") {
    std::cout << json;
    return absl::OkStatus();
  }
  std::ofstream out(path);
  out << json;
  out.close();
  if (!out) return absl::PermissionDeniedError(absl::StrCat("--json ", path, ": cannot write"));
  return absl::OkStatus();
}

// The promise of a bounded run, kept even if gRPC or the server misbehaves: after connecting,
// warm-up, the window and 10 s more, the process ends.
void StartHardStop(const LoadtestOptions& o) {
  const absl::Duration limit = o.connect_timeout + o.warmup + o.duration + absl::Seconds(10);
  std::thread([limit] {
    absl::SleepFor(limit);
    std::fprintf(stderr, "nbo-loadtest: hard stop: the run did not end within %s\n",
                 absl::FormatDuration(limit).c_str());
    std::_Exit(kExitFailed);
  }).detach();
}

int Run(LoadtestOptions options) {
  if (options.run_id.empty()) options.run_id = DefaultRunId();
  nbo::loadtest::WorkloadOptions w;
  w.customers = options.customers;
  w.zipf_s = options.zipf_s;
  w.outcome_share = options.outcome_share;
  w.customer_ref = options.customer_ref;
  w.max_offers = options.max_offers;
  w.seed = options.seed;
  w.run_id = options.run_id;
  auto workload = nbo::loadtest::Workload::Create(w);
  if (!workload.ok()) {
    std::cerr << "nbo-loadtest: " << workload.status().message() << "\n";
    return kExitUsage;
  }
  // With --json=- stdout carries only the JSON; the human-readable lines go to stderr.
  std::ostream& human = options.json_path == "-" ? std::cerr : std::cout;
  std::optional<nbo::loadtest::Preload> preload;
  if (options.preload > 0) {
    auto p = nbo::loadtest::RunPreload(options, **workload, std::cerr);
    if (!p.ok()) {
      std::cerr << "nbo-loadtest: preload: " << p.status().message() << "\n";
      return kExitFailed;
    }
    human << absl::StrFormat(
        "preloaded %d customers in %.1f s: %.0f events/s (applied %d, duplicates %d, rejected "
        "%d)\n",
        p->customers(), p->seconds(), p->events_per_second(), p->applied(), p->duplicates(),
        p->rejected());
    preload = *p;
  }
  nbo::loadtest::Report report;
  if (!options.preload_only) {
    StartHardStop(options);
    auto r = nbo::loadtest::RunLoad(options, **workload);
    if (!r.ok()) {
      std::cerr << "nbo-loadtest: " << r.status().message() << "\n";
      return kExitFailed;
    }
    report = *std::move(r);
    human << nbo::loadtest::FormatTable(report);
  }
  if (preload) *report.mutable_preload() = *preload;
  if (!options.json_path.empty()) {
    if (absl::Status s = WriteJson(options.json_path, report); !s.ok()) {
      std::cerr << "nbo-loadtest: " << s.message() << "\n";
      return kExitFailed;
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // --help lists this file's flags (abseil would look for a file named after the program).
  absl::FlagsUsageConfig usage;
  usage.contains_help_flags = [](absl::string_view file) {
    return absl::EndsWith(file, "loadtest/main.cc");
  };
  usage.contains_helpshort_flags = usage.contains_help_flags;
  absl::SetFlagsUsageConfig(usage);
  absl::SetProgramUsageMessage(
      "nbo-loadtest: load generator for nbo-server and nbo-echo (docs/performance.md).\n"
      "Usage: nbo-loadtest --address=127.0.0.1:50051 [--mode=closed --concurrency=32 | "
      "--mode=open --rate=5000] [--warmup=5s --duration=20s] [--json=FILE]\n"
      "       nbo-loadtest --compare echo1.json nbo1.json [echo2.json nbo2.json ...]");
  const std::vector<std::string> raw(argv + 1, argv + argc);
  // absl::ParseCommandLine exits 1 on a bad flag; a usage error here is exit status 2.
  if (absl::Status s = nbo::tools::CheckCommandLine(raw); !s.ok()) {
    std::cerr << "nbo-loadtest: " << s.message() << "; see nbo-loadtest --help\n";
    return kExitUsage;
  }
  const std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  // Debian builds abseil with mutex deadlock detection on; it costs time on every lock of the
  // recorder and the outcome ring (as in server/main.cc, where it is switched off too).
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  const std::vector<std::string> positional(args.begin() + 1, args.end());
  if (absl::GetFlag(FLAGS_compare)) return Compare(positional);
  if (!positional.empty()) {
    std::cerr << "nbo-loadtest: unexpected argument \"" << positional[0]
              << "\" (arguments are only for --compare)\n";
    return kExitUsage;
  }
  absl::StatusOr<LoadtestOptions> options = OptionsFromFlags();
  if (!options.ok()) {
    std::cerr << "nbo-loadtest: " << options.status().message() << "\n";
    return kExitUsage;
  }
  return Run(*std::move(options));
}
