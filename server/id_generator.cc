#include "server/id_generator.h"

#include <cstdio>

namespace nbo::server {

std::string IdGenerator::NextDecisionId(absl::Time now) {
  uint64_t random;
  {
    absl::MutexLock lock(&mu_);
    random = absl::Uniform<uint64_t>(gen_);
  }
  const auto ms = static_cast<unsigned long long>(absl::ToUnixMillis(now));
  char buf[40];
  std::snprintf(buf, sizeof(buf), "d-%012llx%016llx", ms & 0xffffffffffffULL,
                static_cast<unsigned long long>(random));
  return buf;
}

}  // namespace nbo::server
