#include "loadtest/proc_stat.h"

#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace nbo::loadtest {

absl::StatusOr<int64_t> ParseProcStatCpuTicks(absl::string_view stat) {
  const size_t paren = stat.rfind(')');
  if (paren == absl::string_view::npos) {
    return absl::InvalidArgumentError("/proc stat: no \"(comm)\" field");
  }
  // After ')': field 3 (state) is index 0, so utime (field 14) is index 11, stime index 12.
  const std::vector<absl::string_view> fields =
      absl::StrSplit(stat.substr(paren + 1), ' ', absl::SkipWhitespace());
  int64_t utime = 0;
  int64_t stime = 0;
  if (fields.size() < 13 || !absl::SimpleAtoi(fields[11], &utime) ||
      !absl::SimpleAtoi(fields[12], &stime) || utime < 0 || stime < 0) {
    return absl::InvalidArgumentError("/proc stat: utime and stime (fields 14, 15) not found");
  }
  return utime + stime;
}

absl::StatusOr<absl::Duration> ProcessCpuTime(int64_t pid) {
  const std::string path = absl::StrCat("/proc/", pid, "/stat");
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot read (no such process?)"));
  std::stringstream text;
  text << in.rdbuf();
  absl::StatusOr<int64_t> ticks = ParseProcStatCpuTicks(text.str());
  if (!ticks.ok()) return ticks.status();
  const long per_second = sysconf(_SC_CLK_TCK);
  if (per_second <= 0) return absl::InternalError("sysconf(_SC_CLK_TCK) failed");
  return absl::Seconds(static_cast<double>(*ticks) / static_cast<double>(per_second));
}

absl::Duration SelfCpuTime() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return absl::DurationFromTimeval(usage.ru_utime) + absl::DurationFromTimeval(usage.ru_stime);
}

}  // namespace nbo::loadtest
