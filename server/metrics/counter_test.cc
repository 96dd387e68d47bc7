#include "server/metrics/counter.h"

#include <cmath>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace nbo::metrics {
namespace {

TEST(CounterTest, StartsAtZero) {
  Counter counter;
  EXPECT_EQ(counter.Value(), 0);
}

TEST(CounterTest, IncrementsByOneByDefault) {
  Counter counter;
  counter.Increment();
  counter.Increment();
  EXPECT_EQ(counter.Value(), 2);
}

TEST(CounterTest, IncrementsByFractionalAmount) {
  Counter counter;
  counter.Increment(0.5);
  counter.Increment(0.25);
  EXPECT_DOUBLE_EQ(counter.Value(), 0.75);
}

TEST(CounterTest, IgnoresNegativeAndNanIncrements) {
  Counter counter;
  counter.Increment(3);
  counter.Increment(-1);
  counter.Increment(std::nan(""));
  EXPECT_EQ(counter.Value(), 3);
}

TEST(CounterTest, ConcurrentIncrementsAreExact) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 100000;
  Counter counter;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&counter] {
      for (int i = 0; i < kPerThread; ++i) counter.Increment();
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(counter.Value(), static_cast<double>(kThreads) * kPerThread);
}

}  // namespace
}  // namespace nbo::metrics
