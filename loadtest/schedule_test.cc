#include "loadtest/schedule.h"

#include "gtest/gtest.h"

namespace nbo::loadtest {
namespace {

using std::chrono::microseconds;
using std::chrono::nanoseconds;
using std::chrono::seconds;

// A fixed start: the schedule is pure arithmetic, no clock is read.
const SteadyClock::time_point kStart = SteadyClock::time_point(seconds(1000));

TEST(OpenLoopScheduleTest, IntendedTimeIsStartPlusIndexOverRate) {
  const OpenLoopSchedule s(kStart, 4000);  // one call every 250 us
  EXPECT_EQ(s.IntendedTime(0), kStart);
  EXPECT_EQ(s.IntendedTime(1), kStart + microseconds(250));
  EXPECT_EQ(s.IntendedTime(4000), kStart + seconds(1));
  EXPECT_EQ(s.IntendedTime(4000 * 3600), kStart + seconds(3600));
}

TEST(OpenLoopScheduleTest, NoDriftAtRatesThatAreNotWholeNanoseconds) {
  const OpenLoopSchedule s(kStart, 3);  // 333,333,333.3 ns apart
  EXPECT_EQ(s.IntendedTime(3'000'000), kStart + seconds(1'000'000));
  EXPECT_EQ(s.IntendedTime(1), kStart + nanoseconds(333333333));
  EXPECT_EQ(s.IntendedTime(2), kStart + nanoseconds(666666667));
}

TEST(OpenLoopScheduleTest, DueCountIncludesCallsIntendedAtOrBeforeNow) {
  const OpenLoopSchedule s(kStart, 1000);  // every 1 ms
  EXPECT_EQ(s.DueCount(kStart - nanoseconds(1)), 0);
  EXPECT_EQ(s.DueCount(kStart), 1);
  EXPECT_EQ(s.DueCount(kStart + microseconds(999)), 1);
  EXPECT_EQ(s.DueCount(kStart + microseconds(1000)), 2);
  EXPECT_EQ(s.DueCount(kStart + seconds(10)), 10001);
}

TEST(OpenLoopScheduleTest, StalledSenderStillOwesEveryCallSinceStart) {
  // A sender that wakes 2 s late owes every call of those 2 s, each with its own intended time:
  // latency is measured from those times, so the stall is not hidden.
  const OpenLoopSchedule s(kStart, 500);
  const auto late = kStart + seconds(2);
  EXPECT_EQ(s.DueCount(late), 1001);
  EXPECT_EQ(late - s.IntendedTime(0), seconds(2));
  EXPECT_EQ(late - s.IntendedTime(1000), nanoseconds(0));
}

TEST(OpenLoopScheduleTest, UnsentInWindowCountsOnlyCallsDueInsideTheWindow) {
  const OpenLoopSchedule s(kStart, 1000);         // calls 0..999 in the first second
  const auto window_start = kStart + seconds(1);  // calls 1000..
  const auto window_end = kStart + seconds(3);    // ..2999
  EXPECT_EQ(s.UnsentInWindow(3000, window_start, window_end), 0);  // sent everything
  EXPECT_EQ(s.UnsentInWindow(2500, window_start, window_end), 500);
  EXPECT_EQ(s.UnsentInWindow(10, window_start, window_end), 2000);  // stuck in the warm-up
}

}  // namespace
}  // namespace nbo::loadtest
