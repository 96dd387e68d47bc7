// Turns what a run observed into the Report (report.proto): the human table on stdout, the JSON
// of --json, and the echo-vs-nbo comparison of --compare.
#ifndef NBO_LOADTEST_REPORT_H_
#define NBO_LOADTEST_REPORT_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "loadtest/options.h"
#include "loadtest/recorder.h"
#include "loadtest/report.pb.h"

namespace nbo::loadtest {

// What the runner measured besides the recorder's totals.
struct RunFacts {
  absl::Time started_at;
  std::string run_id;
  absl::Duration window;                     // actual length of the measured window
  std::optional<absl::Duration> server_cpu;  // over the window; empty without --server_pid
  absl::Duration client_cpu;                 // over the window
};

// Assembles the report. Rates divide by facts.window; CPU per request divides by all calls of the
// window (0 when there were none).
Report BuildReport(const LoadtestOptions& options, const RunFacts& facts,
                   const RecorderTotals& totals);

// A few lines for a terminal: settings, one row per RPC, errors, fallback, CPU.
std::string FormatTable(const Report& report);

// One JSON object, proto field names, zeros and empty maps printed.
std::string ToJson(const Report& report);
// InvalidArgument naming what does not parse.
absl::StatusOr<Report> ParseReportJson(absl::string_view json);

// A Markdown table, one row per (baseline, candidate) pair of runs of the same scenario: both
// throughputs and their ratio (candidate / baseline), p50/p99/p99.9 of each and their ratios, the
// candidate's fallback share, both servers' CPU per request, and errors. Column titles use the
// runs' targets (e.g. "echo req/s", "nbo req/s"); the scenario is the candidate's label.
std::string FormatComparison(const std::vector<std::pair<Report, Report>>& pairs);

}  // namespace nbo::loadtest

#endif  // NBO_LOADTEST_REPORT_H_
