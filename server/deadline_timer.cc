#include "server/deadline_timer.h"

#include <pthread.h>

#include "absl/time/clock.h"

namespace nbo::server {

DeadlineTimer::DeadlineTimer() : thread_([this] { Run(); }) {}

DeadlineTimer::~DeadlineTimer() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_.join();
}

DeadlineTimer::Id DeadlineTimer::Schedule(absl::Time at, std::function<void()> callback) {
  absl::MutexLock lock(&mu_);
  const Id id = next_id_++;
  queue_.emplace(std::make_pair(at, id), std::move(callback));
  times_.emplace(id, at);
  return id;
}

bool DeadlineTimer::Cancel(Id id) {
  absl::MutexLock lock(&mu_);
  auto it = times_.find(id);
  if (it == times_.end()) return false;
  queue_.erase(std::make_pair(it->second, id));
  times_.erase(it);
  return true;
}

size_t DeadlineTimer::pending() const {
  absl::MutexLock lock(&mu_);
  return queue_.size();
}

void DeadlineTimer::Run() {
  pthread_setname_np(pthread_self(), "nbo-timer");
  absl::MutexLock lock(&mu_);
  while (!stopping_) {
    // Wake for the earliest callback, a new earlier one, or stop. absl::Mutex re-evaluates the
    // condition whenever the lock is released, so Schedule needs no explicit signal.
    const absl::Time next = queue_.empty() ? absl::InfiniteFuture() : queue_.begin()->first.first;
    const auto changed = [this, next] {
      return stopping_ || (!queue_.empty() && queue_.begin()->first.first < next);
    };
    if (next > absl::Now()) {
      mu_.AwaitWithDeadline(absl::Condition(&changed), next);
      continue;
    }
    auto node = queue_.extract(queue_.begin());
    times_.erase(node.key().second);
    mu_.Unlock();
    node.mapped()();
    mu_.Lock();
  }
}

}  // namespace nbo::server
