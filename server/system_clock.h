// The real clock. The only place nbo reads the wall clock.
#ifndef NBO_SERVER_SYSTEM_CLOCK_H_
#define NBO_SERVER_SYSTEM_CLOCK_H_

#include "absl/time/clock.h"
#include "core/clock.h"

namespace nbo::server {

class SystemClock final : public core::Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }
};

}  // namespace nbo::server

#endif  // NBO_SERVER_SYSTEM_CLOCK_H_
