#include "loadtest/proc_stat.h"

#include <unistd.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace nbo::loadtest {
namespace {

// A real /proc/<pid>/stat line of nbo-server, with utime 1234 and stime 567 (fields 14 and 15).
constexpr char kStat[] =
    "4242 (nbo-server) S 1 4242 4242 0 -1 4194560 30151 0 0 0 1234 567 0 0 20 0 27 0 "
    "123456 1432788992 12345 18446744073709551615 1 1 0 0 0 0 0 4096 17642 0 0 0 17 1 0 0 0 0 0";

TEST(ProcStatTest, ParsesUserPlusSystemTicks) {
  auto ticks = ParseProcStatCpuTicks(kStat);
  ASSERT_TRUE(ticks.ok()) << ticks.status();
  EXPECT_EQ(*ticks, 1234 + 567);
}

TEST(ProcStatTest, CommandNameWithSpacesAndParenthesesDoesNotShiftFields) {
  auto ticks =
      ParseProcStatCpuTicks("77 (a) b (c)) R 1 77 77 0 -1 0 0 0 0 0 10 20 0 0 20 0 1 0 5 0 0 0");
  ASSERT_TRUE(ticks.ok()) << ticks.status();
  EXPECT_EQ(*ticks, 30);
}

TEST(ProcStatTest, RejectsTruncatedLine) {
  auto ticks = ParseProcStatCpuTicks("4242 (nbo-server) S 1 4242");
  EXPECT_EQ(ticks.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(ticks.status().message(), testing::HasSubstr("utime"));
}

TEST(ProcStatTest, RejectsLineWithoutCommandName) {
  EXPECT_EQ(ParseProcStatCpuTicks("not a stat line").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ProcStatTest, ReadsOwnProcess) {
  auto cpu = ProcessCpuTime(getpid());
  ASSERT_TRUE(cpu.ok()) << cpu.status();
  EXPECT_GE(*cpu, absl::ZeroDuration());
  EXPECT_GE(SelfCpuTime(), absl::ZeroDuration());
}

TEST(ProcStatTest, MissingProcessIsNotFound) {
  // pid_max is at most 2^22 on Linux: this pid cannot exist.
  EXPECT_EQ(ProcessCpuTime(int64_t{1} << 30).status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace nbo::loadtest
