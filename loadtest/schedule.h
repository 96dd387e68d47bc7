// The open-loop send schedule: request i is due at start + i / rate, whatever happened to the
// requests before it. Latency is measured from that intended time, so a server that stalls shows
// the stall in every request that should have been sent meanwhile (no coordinated omission).
#ifndef NBO_LOADTEST_SCHEDULE_H_
#define NBO_LOADTEST_SCHEDULE_H_

#include <chrono>
#include <cmath>
#include <cstdint>

namespace nbo::loadtest {

using SteadyClock = std::chrono::steady_clock;

// Thread-safe (immutable). REQUIRES: rate > 0.
class OpenLoopSchedule {
 public:
  OpenLoopSchedule(SteadyClock::time_point start, double rate) : start_(start), rate_(rate) {}

  // When request i (0-based) is due.
  SteadyClock::time_point IntendedTime(int64_t i) const {
    // Computed from i each time rather than by adding intervals, so rounding never accumulates.
    const double ns = static_cast<double>(i) * 1e9 / rate_;
    return start_ + std::chrono::nanoseconds(static_cast<int64_t>(std::llround(ns)));
  }

  // How many requests are due at `now` (indices 0..DueCount-1); 0 before start.
  int64_t DueCount(SteadyClock::time_point now) const {
    if (now < start_) return 0;
    const double elapsed_s = std::chrono::duration<double>(now - start_).count();
    int64_t due = static_cast<int64_t>(std::floor(elapsed_s * rate_)) + 1;
    // Floating point may land one off the exact boundary; IntendedTime is the reference.
    while (due > 0 && IntendedTime(due - 1) > now) --due;
    while (IntendedTime(due) <= now) ++due;
    return due;
  }

  // How many calls intended in [window_start, window_end) have an index >= next, i.e. were not
  // sent by a sender that stopped before call `next`.
  int64_t UnsentInWindow(int64_t next, SteadyClock::time_point window_start,
                         SteadyClock::time_point window_end) const {
    const auto before = [this](SteadyClock::time_point t) {
      return DueCount(t - std::chrono::nanoseconds(1));  // calls intended strictly before t
    };
    const int64_t first = next > before(window_start) ? next : before(window_start);
    const int64_t end = before(window_end);
    return end > first ? end - first : 0;
  }

  SteadyClock::time_point start() const { return start_; }
  double rate() const { return rate_; }

 private:
  SteadyClock::time_point start_;
  double rate_;
};

}  // namespace nbo::loadtest

#endif  // NBO_LOADTEST_SCHEDULE_H_
