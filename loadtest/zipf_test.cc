#include "loadtest/zipf.h"

#include <cmath>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "loadtest/random.h"

namespace nbo::loadtest {
namespace {

TEST(ZipfSamplerTest, RankOneFrequencyMatchesTheory) {
  auto zipf = ZipfSampler::Create(1000, 1.0);
  ASSERT_TRUE(zipf.ok());
  double harmonic = 0;
  for (int k = 1; k <= 1000; ++k) harmonic += 1.0 / k;
  SplitMix64 rng(42);
  constexpr int kDraws = 200000;
  int rank_one = 0;
  int rank_two = 0;
  for (int i = 0; i < kDraws; ++i) {
    const int64_t r = zipf->Sample(rng);
    ASSERT_GE(r, 1);
    ASSERT_LE(r, 1000);
    rank_one += r == 1;
    rank_two += r == 2;
  }
  // 1/H(1000) = 0.1336; the standard error at 200,000 draws is 0.0008.
  EXPECT_NEAR(static_cast<double>(rank_one) / kDraws, 1 / harmonic, 0.004);
  EXPECT_NEAR(static_cast<double>(rank_two) / kDraws, 0.5 / harmonic, 0.004);
}

TEST(ZipfSamplerTest, ProbabilitiesFollowThePowerLawAndSumToOne) {
  auto zipf = ZipfSampler::Create(50, 1.2);
  ASSERT_TRUE(zipf.ok());
  double sum = 0;
  for (int k = 1; k <= 50; ++k) sum += zipf->Probability(k);
  EXPECT_NEAR(sum, 1.0, 1e-12);
  EXPECT_NEAR(zipf->Probability(1) / zipf->Probability(2), std::pow(2.0, 1.2), 1e-9);
  EXPECT_EQ(zipf->Probability(0), 0);
  EXPECT_EQ(zipf->Probability(51), 0);
}

TEST(ZipfSamplerTest, ExponentZeroIsUniform) {
  auto zipf = ZipfSampler::Create(4, 0);
  ASSERT_TRUE(zipf.ok());
  for (int k = 1; k <= 4; ++k) EXPECT_DOUBLE_EQ(zipf->Probability(k), 0.25);
}

TEST(ZipfSamplerTest, SingleCustomerAlwaysDrawn) {
  auto zipf = ZipfSampler::Create(1, 1.0);
  ASSERT_TRUE(zipf.ok());
  SplitMix64 rng(1);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(zipf->Sample(rng), 1);
}

TEST(ZipfSamplerTest, RejectsEmptyPopulationNamingTheFlag) {
  auto zipf = ZipfSampler::Create(0, 1.0);
  EXPECT_EQ(zipf.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(zipf.status().message(), testing::HasSubstr("--customers"));
}

TEST(ZipfSamplerTest, RejectsNegativeOrNanExponentNamingTheFlag) {
  for (double s : {-0.5, std::nan("")}) {
    auto zipf = ZipfSampler::Create(10, s);
    EXPECT_EQ(zipf.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(zipf.status().message(), testing::HasSubstr("--zipf_s"));
  }
}

}  // namespace
}  // namespace nbo::loadtest
