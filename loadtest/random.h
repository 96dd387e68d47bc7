// A small, fast, seedable random engine for the load generator's hot path.
#ifndef NBO_LOADTEST_RANDOM_H_
#define NBO_LOADTEST_RANDOM_H_

#include <cstdint>
#include <limits>

namespace nbo::loadtest {

// SplitMix64: 8 bytes of state and a few instructions per draw. Every in-flight slot owns one, so
// drawing needs no lock and no shared state; std::mt19937_64 would cost 2.5 KB per slot. Not for
// cryptography. Satisfies UniformRandomBitGenerator, so <random> distributions accept it.
// Not thread-safe: one engine per thread or slot.
class SplitMix64 {
 public:
  using result_type = uint64_t;

  explicit SplitMix64(uint64_t seed) : state_(seed) {}

  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return std::numeric_limits<result_type>::max(); }

  result_type operator()() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  // Uniform in [0, 1) with 53 random bits.
  double NextDouble() { return static_cast<double>((*this)() >> 11) * 0x1.0p-53; }

  // Uniform in [0, n); n > 0. The modulo bias is below 2^-40 for the n used here (< 2^24).
  uint64_t Below(uint64_t n) { return (*this)() % n; }

 private:
  uint64_t state_;
};

}  // namespace nbo::loadtest

#endif  // NBO_LOADTEST_RANDOM_H_
