#include "server/work_pool.h"

#include <atomic>

#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "server/deadline_timer.h"

namespace nbo::server {
namespace {

TEST(WorkPoolTest, RunsEveryTaskAndDrainsTheQueueOnStop) {
  std::atomic<int> ran{0};
  {
    WorkPool pool(3);
    EXPECT_EQ(pool.threads(), 3);
    for (int i = 0; i < 1000; ++i) pool.Submit([&ran] { ran.fetch_add(1); });
  }  // the destructor runs what is still queued
  EXPECT_EQ(ran.load(), 1000);
}

TEST(WorkPoolTest, ABlockedTaskHoldsOneThreadNotThePool) {
  WorkPool pool(2);
  absl::Notification release;
  absl::Notification other_ran;
  pool.Submit([&release] { release.WaitForNotificationWithTimeout(absl::Seconds(10)); });
  pool.Submit([&other_ran] { other_ran.Notify(); });
  EXPECT_TRUE(other_ran.WaitForNotificationWithTimeout(absl::Seconds(10)));
  release.Notify();
}

TEST(WorkPoolTest, AfterStopTasksRunOnTheCaller) {
  WorkPool pool(1);
  pool.Stop();
  pool.Stop();  // idempotent
  bool ran = false;
  pool.Submit([&ran] { ran = true; });
  EXPECT_TRUE(ran);
}

TEST(DeadlineTimerTest, RunsCallbacksInTimeOrder) {
  DeadlineTimer timer;
  absl::Mutex mu;
  std::vector<int> order;
  absl::Notification done;
  const absl::Time now = absl::Now();
  timer.Schedule(now + absl::Milliseconds(30), [&] {
    absl::MutexLock lock(&mu);
    order.push_back(3);
    done.Notify();
  });
  timer.Schedule(now + absl::Milliseconds(10), [&] {
    absl::MutexLock lock(&mu);
    order.push_back(2);
  });
  timer.Schedule(now - absl::Seconds(1), [&] {  // already due: runs at once
    absl::MutexLock lock(&mu);
    order.push_back(1);
  });
  ASSERT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(10)));
  absl::MutexLock lock(&mu);
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
}

TEST(DeadlineTimerTest, ACancelledCallbackNeverRuns) {
  DeadlineTimer timer;
  std::atomic<bool> cancelled_ran{false};
  absl::Notification later_ran;
  const DeadlineTimer::Id id =
      timer.Schedule(absl::Now() + absl::Milliseconds(20), [&] { cancelled_ran = true; });
  EXPECT_EQ(timer.pending(), 1u);
  EXPECT_TRUE(timer.Cancel(id));
  EXPECT_FALSE(timer.Cancel(id));
  timer.Schedule(absl::Now() + absl::Milliseconds(40), [&] { later_ran.Notify(); });
  ASSERT_TRUE(later_ran.WaitForNotificationWithTimeout(absl::Seconds(10)));
  EXPECT_FALSE(cancelled_ran.load());
  EXPECT_EQ(timer.pending(), 0u);
}

TEST(DeadlineTimerTest, DestroyingDropsWhatHasNotRun) {
  std::atomic<bool> ran{false};
  {
    DeadlineTimer timer;
    timer.Schedule(absl::Now() + absl::Hours(1), [&] { ran = true; });
  }
  EXPECT_FALSE(ran.load());
}

}  // namespace
}  // namespace nbo::server
