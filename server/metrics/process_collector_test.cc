#include "server/metrics/process_collector.h"

#include <string>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/metrics/text_format.h"

namespace nbo::metrics {
namespace {

using ::testing::HasSubstr;

// A real /proc/self/stat line, with a command name containing ") " to test the parser.
constexpr char kPidStat[] =
    "1234 (nbo) server) S 1 1234 1234 0 -1 4194560 500 0 0 0 250 150 0 0 20 0 4 0 10000 "
    "104857600 2560 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0";
constexpr char kProcStat[] = "cpu  1 2 3 4\nbtime 1700000000\nprocesses 99\n";

TEST(ParseProcessStatsTest, ParsesFields) {
  absl::StatusOr<ProcessStats> stats = ParseProcessStats(kPidStat, kProcStat, 100, 4096);
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_DOUBLE_EQ(stats->cpu_seconds, 4.0);  // (250 + 150) / 100
  EXPECT_DOUBLE_EQ(stats->resident_bytes, 2560.0 * 4096);
  EXPECT_DOUBLE_EQ(stats->virtual_bytes, 104857600);
  EXPECT_DOUBLE_EQ(stats->start_time_seconds, 1700000100);  // btime + 10000 / 100
}

TEST(ParseProcessStatsTest, MissingBtimeIsInvalidArgument) {
  absl::StatusOr<ProcessStats> stats = ParseProcessStats(kPidStat, "cpu 1 2\n", 100, 4096);
  EXPECT_EQ(stats.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(stats.status().message()), HasSubstr("btime"));
}

TEST(ParseProcessStatsTest, TruncatedStatNamesTheField) {
  absl::StatusOr<ProcessStats> stats = ParseProcessStats("1 (x) S 1 2 3", kProcStat, 100, 4096);
  EXPECT_EQ(stats.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(stats.status().message()), HasSubstr("field 14"));
}

TEST(ParseProcessStatsTest, MissingCommandIsInvalidArgument) {
  EXPECT_EQ(ParseProcessStats("garbage", kProcStat, 100, 4096).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ReadProcessStatsTest, ReadsThisProcess) {
  absl::StatusOr<ProcessStats> stats = ReadProcessStats();
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_GT(stats->resident_bytes, 0);
  EXPECT_GT(stats->virtual_bytes, 0);
  EXPECT_GT(stats->start_time_seconds, 0);
}

TEST(AddProcessMetricsTest, RendersStandardNames) {
  Registry registry;
  AddProcessMetrics(registry);
  const std::string text = Render(registry);
  for (const char* name : {"process_cpu_seconds_total ", "process_resident_memory_bytes ",
                           "process_virtual_memory_bytes ", "process_open_fds ", "process_max_fds ",
                           "process_start_time_seconds "}) {
    EXPECT_THAT(text, HasSubstr(std::string("\n") + name)) << name;
  }
}

}  // namespace
}  // namespace nbo::metrics
