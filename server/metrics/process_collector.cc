#include "server/metrics/process_collector.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace nbo::metrics {
namespace {

// Field numbers of /proc/<pid>/stat as in proc(5) (1-based).
constexpr int kUtime = 14;
constexpr int kStime = 15;
constexpr int kStartTime = 22;
constexpr int kVsize = 23;
constexpr int kRss = 24;

absl::StatusOr<std::string> ReadFile(const char* path) {
  std::ifstream in(path);
  if (!in) return absl::UnavailableError(absl::StrCat("cannot open ", path));
  std::ostringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

// Returns the number of open file descriptors, or -1 if /proc/self/fd cannot be read.
int CountOpenFds() {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return -1;
  const std::string own_fd = std::to_string(dirfd(dir));
  int count = 0;
  while (const dirent* entry = readdir(dir)) {
    const std::string name = entry->d_name;
    if (name == "." || name == ".." || name == own_fd) continue;
    ++count;
  }
  closedir(dir);
  return count;
}

LabeledValues One(double value) { return {{Labels{}, value}}; }

}  // namespace

absl::StatusOr<ProcessStats> ParseProcessStats(absl::string_view proc_pid_stat,
                                               absl::string_view proc_stat, long ticks_per_second,
                                               long page_size) {
  if (ticks_per_second <= 0 || page_size <= 0) {
    return absl::InvalidArgumentError("ticks_per_second and page_size must be positive");
  }
  // The command name (field 2) is in parentheses and may itself contain spaces or ')'.
  const size_t close = proc_pid_stat.rfind(')');
  if (close == absl::string_view::npos) {
    return absl::InvalidArgumentError("/proc/self/stat: no ')' after the command name");
  }
  const std::vector<absl::string_view> fields =
      absl::StrSplit(proc_pid_stat.substr(close + 1), ' ', absl::SkipWhitespace());
  auto field = [&fields](int number, double* out) -> absl::Status {
    const size_t index = static_cast<size_t>(number - 3);  // fields[0] is field 3 (state)
    if (index >= fields.size() || !absl::SimpleAtod(fields[index], out)) {
      return absl::InvalidArgumentError(
          absl::StrCat("/proc/self/stat: field ", number, " missing or not a number"));
    }
    return absl::OkStatus();
  };
  double utime = 0, stime = 0, start_ticks = 0, vsize = 0, rss_pages = 0;
  for (auto [number, out] : {std::pair<int, double*>{kUtime, &utime},
                             {kStime, &stime},
                             {kStartTime, &start_ticks},
                             {kVsize, &vsize},
                             {kRss, &rss_pages}}) {
    absl::Status status = field(number, out);
    if (!status.ok()) return status;
  }
  double boot_time = -1;
  for (absl::string_view line : absl::StrSplit(proc_stat, '\n')) {
    if (absl::ConsumePrefix(&line, "btime ")) {
      if (!absl::SimpleAtod(line, &boot_time)) boot_time = -1;
      break;
    }
  }
  if (boot_time < 0) return absl::InvalidArgumentError("/proc/stat: no valid btime line");

  ProcessStats stats;
  const double ticks = static_cast<double>(ticks_per_second);
  stats.cpu_seconds = (utime + stime) / ticks;
  stats.resident_bytes = rss_pages * static_cast<double>(page_size);
  stats.virtual_bytes = vsize;
  stats.start_time_seconds = boot_time + start_ticks / ticks;
  return stats;
}

absl::StatusOr<ProcessStats> ReadProcessStats() {
  absl::StatusOr<std::string> pid_stat = ReadFile("/proc/self/stat");
  if (!pid_stat.ok()) return pid_stat.status();
  absl::StatusOr<std::string> stat = ReadFile("/proc/stat");
  if (!stat.ok()) return stat.status();
  return ParseProcessStats(*pid_stat, *stat, sysconf(_SC_CLK_TCK), sysconf(_SC_PAGESIZE));
}

void AddProcessMetrics(Registry& registry) {
  registry.AddCallbackFamily(MetricType::kCounter, "process_cpu_seconds_total",
                             "Total user and system CPU time spent in seconds.", [] {
                               absl::StatusOr<ProcessStats> stats = ReadProcessStats();
                               return stats.ok() ? One(stats->cpu_seconds) : LabeledValues{};
                             });
  registry.AddCallbackFamily(MetricType::kGauge, "process_resident_memory_bytes",
                             "Resident memory size in bytes.", [] {
                               absl::StatusOr<ProcessStats> stats = ReadProcessStats();
                               return stats.ok() ? One(stats->resident_bytes) : LabeledValues{};
                             });
  registry.AddCallbackFamily(MetricType::kGauge, "process_virtual_memory_bytes",
                             "Virtual memory size in bytes.", [] {
                               absl::StatusOr<ProcessStats> stats = ReadProcessStats();
                               return stats.ok() ? One(stats->virtual_bytes) : LabeledValues{};
                             });
  registry.AddCallbackFamily(MetricType::kGauge, "process_open_fds",
                             "Number of open file descriptors.", [] {
                               const int fds = CountOpenFds();
                               return fds >= 0 ? One(fds) : LabeledValues{};
                             });
  registry.AddCallbackFamily(
      MetricType::kGauge, "process_max_fds", "Maximum number of open file descriptors.", [] {
        rlimit limit{};
        if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return LabeledValues{};
        return One(limit.rlim_cur == RLIM_INFINITY ? std::numeric_limits<double>::infinity()
                                                   : static_cast<double>(limit.rlim_cur));
      });
  // The start time never changes: read it once, now.
  absl::StatusOr<ProcessStats> stats = ReadProcessStats();
  const bool known = stats.ok();
  const double start_time = known ? stats->start_time_seconds : 0;
  registry.AddCallbackFamily(
      MetricType::kGauge, "process_start_time_seconds",
      "Start time of the process since unix epoch in seconds.",
      [known, start_time] { return known ? One(start_time) : LabeledValues{}; });
}

}  // namespace nbo::metrics
