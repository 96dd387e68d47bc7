#include "server/metrics/names.h"

#include "gtest/gtest.h"

namespace nbo::metrics {
namespace {

TEST(NamesTest, AcceptsValidMetricNames) {
  EXPECT_TRUE(IsValidMetricName("nbo_decisions_total"));
  EXPECT_TRUE(IsValidMetricName("_x"));
  EXPECT_TRUE(IsValidMetricName("job:rate5m"));
  EXPECT_TRUE(IsValidMetricName("a1"));
}

TEST(NamesTest, RejectsInvalidMetricNames) {
  EXPECT_FALSE(IsValidMetricName(""));
  EXPECT_FALSE(IsValidMetricName("1abc"));
  EXPECT_FALSE(IsValidMetricName("nbo-decisions"));
  EXPECT_FALSE(IsValidMetricName("nbo decisions"));
  EXPECT_FALSE(IsValidMetricName("caf\xc3\xa9"));
}

TEST(NamesTest, AcceptsValidLabelNames) {
  EXPECT_TRUE(IsValidLabelName("channel"));
  EXPECT_TRUE(IsValidLabelName("_private"));
  EXPECT_TRUE(IsValidLabelName("a_1"));
}

TEST(NamesTest, RejectsInvalidAndReservedLabelNames) {
  EXPECT_FALSE(IsValidLabelName(""));
  EXPECT_FALSE(IsValidLabelName("__name__"));
  EXPECT_FALSE(IsValidLabelName("a:b"));
  EXPECT_FALSE(IsValidLabelName("9a"));
  EXPECT_FALSE(IsValidLabelName("a-b"));
}

}  // namespace
}  // namespace nbo::metrics
