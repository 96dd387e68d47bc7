// CPU time of a process (the server under test, from /proc/<pid>/stat) and of this process
// (getrusage), to report CPU per request next to throughput.
#ifndef NBO_LOADTEST_PROC_STAT_H_
#define NBO_LOADTEST_PROC_STAT_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace nbo::loadtest {

// utime + stime, in clock ticks, from the text of /proc/<pid>/stat (proc(5): fields 14 and 15).
// The command name (field 2) is in parentheses and may itself contain spaces and ')', so fields
// are counted after the last ')'. InvalidArgument when the text does not have that shape.
absl::StatusOr<int64_t> ParseProcStatCpuTicks(absl::string_view stat);

// User + system CPU time of process `pid` so far. NotFound when the process does not exist (or
// /proc is not mounted); InvalidArgument when its stat file does not parse.
absl::StatusOr<absl::Duration> ProcessCpuTime(int64_t pid);

// User + system CPU time of this process (all threads) so far.
absl::Duration SelfCpuTime();

}  // namespace nbo::loadtest

#endif  // NBO_LOADTEST_PROC_STAT_H_
