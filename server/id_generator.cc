#include "server/id_generator.h"

#include <cstdio>
#include <random>

namespace nbo::server {
namespace {

uint64_t SplitMix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

uint64_t RandomKey() {
  std::random_device rd;
  return (static_cast<uint64_t>(rd()) << 32) ^ rd();
}

}  // namespace

IdGenerator::IdGenerator() : key_(RandomKey()) {}

uint64_t IdGenerator::NextSuffix() {
  const uint64_t n = counter_.fetch_add(1, std::memory_order_relaxed);
  // key_ * odd constant + n stays a bijection of n before mixing.
  return SplitMix64(key_ * 0xd1342543de82ef95ULL + n);
}

std::string IdGenerator::NextCustomerId() {
  char buf[24];
  std::snprintf(buf, sizeof(buf), "c-%016llx", static_cast<unsigned long long>(NextSuffix()));
  return buf;
}

std::string IdGenerator::NextDecisionId(absl::Time now) {
  const uint64_t suffix = NextSuffix();
  const auto ms = static_cast<unsigned long long>(absl::ToUnixMillis(now));
  char buf[40];
  std::snprintf(buf, sizeof(buf), "d-%012llx%016llx", ms & 0xffffffffffffULL,
                static_cast<unsigned long long>(suffix));
  return buf;
}

}  // namespace nbo::server
