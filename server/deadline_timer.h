// DeadlineTimer: runs short callbacks at given times on one thread of its own. Used to answer a
// Decide from its fallback list when reading the customer outlives the latency budget.
#ifndef NBO_SERVER_DEADLINE_TIMER_H_
#define NBO_SERVER_DEADLINE_TIMER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <thread>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace nbo::server {

// Thread-safe. Callbacks run one at a time on the timer's thread, in time order (ties in
// scheduling order), so they must be short and must not block. A callback whose time has
// already passed runs as soon as the thread gets to it.
class DeadlineTimer {
 public:
  using Id = uint64_t;

  DeadlineTimer();
  // Stops the thread; callbacks not yet run are dropped.
  ~DeadlineTimer();

  DeadlineTimer(const DeadlineTimer&) = delete;
  DeadlineTimer& operator=(const DeadlineTimer&) = delete;

  // Runs `callback` at `at` (absl::Now's clock). Returns an id for Cancel.
  Id Schedule(absl::Time at, std::function<void()> callback);

  // Drops the callback if it has not started. Returns true if it was dropped (so it never runs),
  // false if it already ran, is running or was never scheduled.
  bool Cancel(Id id);

  // Callbacks waiting (for tests and metrics).
  size_t pending() const;

 private:
  void Run();

  mutable absl::Mutex mu_;
  // Keyed by (time, id): the earliest first; ids keep equal times in scheduling order.
  std::map<std::pair<absl::Time, Id>, std::function<void()>> queue_ ABSL_GUARDED_BY(mu_);
  // Where each pending id sits, for Cancel.
  std::map<Id, absl::Time> times_ ABSL_GUARDED_BY(mu_);
  Id next_id_ ABSL_GUARDED_BY(mu_) = 1;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace nbo::server

#endif  // NBO_SERVER_DEADLINE_TIMER_H_
