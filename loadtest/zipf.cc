#include "loadtest/zipf.h"

#include <cmath>

#include "absl/strings/str_cat.h"

namespace nbo::loadtest {

absl::StatusOr<ZipfSampler> ZipfSampler::Create(int64_t n, double s) {
  if (n < 1) return absl::InvalidArgumentError(absl::StrCat("--customers must be >= 1, got ", n));
  if (!std::isfinite(s) || s < 0) {
    return absl::InvalidArgumentError(absl::StrCat("--zipf_s must be a number >= 0, got ", s));
  }
  std::vector<double> cdf(static_cast<size_t>(n));
  double sum = 0;
  for (int64_t k = 1; k <= n; ++k) {
    sum += std::pow(static_cast<double>(k), -s);
    cdf[k - 1] = sum;
  }
  for (double& c : cdf) c /= sum;
  cdf.back() = 1.0;  // exact, so that every u in [0, 1) finds a rank
  return ZipfSampler(std::move(cdf));
}

double ZipfSampler::Probability(int64_t k) const {
  if (k < 1 || k > n()) return 0;
  return k == 1 ? cdf_[0] : cdf_[k - 1] - cdf_[k - 2];
}

}  // namespace nbo::loadtest
