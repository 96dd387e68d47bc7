#include "server/metrics/gauge.h"

#include <thread>
#include <vector>

#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace nbo::metrics {
namespace {

TEST(GaugeTest, SetReplacesValue) {
  Gauge gauge;
  gauge.Set(5);
  gauge.Set(-2.5);
  EXPECT_EQ(gauge.Value(), -2.5);
}

TEST(GaugeTest, IncrementAndDecrement) {
  Gauge gauge;
  gauge.Increment();
  gauge.Increment(4);
  gauge.Decrement();
  gauge.Decrement(10);
  EXPECT_EQ(gauge.Value(), -6);
}

TEST(GaugeTest, SetToTimeUsesGivenTime) {
  Gauge gauge;
  gauge.SetToTime(absl::FromUnixSeconds(1700000000) + absl::Milliseconds(500));
  EXPECT_DOUBLE_EQ(gauge.Value(), 1700000000.5);
}

TEST(GaugeTest, ConcurrentIncrementsAndDecrementsBalance) {
  Gauge gauge;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&gauge, t] {
      for (int i = 0; i < 50000; ++i) {
        if (t % 2 == 0) {
          gauge.Increment();
        } else {
          gauge.Decrement();
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(gauge.Value(), 0);
}

}  // namespace
}  // namespace nbo::metrics
