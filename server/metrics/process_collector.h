// Standard process metrics (process_cpu_seconds_total, process_resident_memory_bytes, ...), read
// from /proc/self at scrape time, with the names every Prometheus client library uses.

#ifndef NBO_SERVER_METRICS_PROCESS_COLLECTOR_H_
#define NBO_SERVER_METRICS_PROCESS_COLLECTOR_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/metrics/registry.h"

namespace nbo::metrics {

// Values parsed from /proc/self/stat (and the boot time from /proc/stat).
struct ProcessStats {
  double cpu_seconds = 0;         // user + system CPU time
  double resident_bytes = 0;      // resident set size
  double virtual_bytes = 0;       // virtual memory size
  double start_time_seconds = 0;  // process start, seconds since the Unix epoch
};

// Parses the contents of /proc/<pid>/stat and of /proc/stat (for "btime"). `ticks_per_second` is
// sysconf(_SC_CLK_TCK), `page_size` sysconf(_SC_PAGESIZE).
// Returns InvalidArgument naming the missing or malformed field.
absl::StatusOr<ProcessStats> ParseProcessStats(absl::string_view proc_pid_stat,
                                               absl::string_view proc_stat, long ticks_per_second,
                                               long page_size);

// Reads and parses /proc/self/stat and /proc/stat. Returns Unavailable if a file cannot be read,
// else as ParseProcessStats().
absl::StatusOr<ProcessStats> ReadProcessStats();

// Registers process_cpu_seconds_total, process_resident_memory_bytes,
// process_virtual_memory_bytes, process_open_fds, process_max_fds and process_start_time_seconds
// as callback metrics of `registry`. A value that cannot be read at scrape time is left out of
// that scrape (never reported as 0). Call at most once per registry (aborts otherwise: the names
// would be registered twice).
void AddProcessMetrics(Registry& registry);

}  // namespace nbo::metrics

#endif  // NBO_SERVER_METRICS_PROCESS_COLLECTOR_H_
