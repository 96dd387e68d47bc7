// WorkPool: a fixed set of threads running queued tasks in FIFO order. Decide runs on it (not on
// gRPC's callback threads) so that a call can be answered from another thread while its worker is
// still blocked in a slow read: gRPC holds back a reactor's Finish until the handler method has
// returned, so the handler must hand the work off and return at once.
//
// Written here rather than taken from a library: Debian 12 offers a pool in Boost.Asio, which
// would add Boost to the dependencies for some sixty lines; absl has no public pool.
#ifndef NBO_SERVER_WORK_POOL_H_
#define NBO_SERVER_WORK_POOL_H_

#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace nbo::server {

// Thread-safe. Tasks may block (that is the point: a blocked task holds one thread, not the
// server), so size the pool for the blocking expected, not for the cores.
class WorkPool {
 public:
  // Starts `threads` (at least 1) threads.
  explicit WorkPool(int threads);
  // Runs every task already queued, then joins the threads.
  ~WorkPool();

  WorkPool(const WorkPool&) = delete;
  WorkPool& operator=(const WorkPool&) = delete;

  // Queues `task`. After Stop, the task runs on the calling thread instead (nothing is dropped).
  void Submit(std::function<void()> task);

  // Finishes the queued tasks and joins the threads; later Submits run inline. Idempotent.
  void Stop();

  int threads() const { return static_cast<int>(threads_.size()); }
  // Tasks waiting for a thread (for metrics).
  size_t queued() const;

 private:
  void Run();

  mutable absl::Mutex mu_;
  std::deque<std::function<void()>> tasks_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
  absl::Mutex join_mu_;  // serialises Stop
};

}  // namespace nbo::server

#endif  // NBO_SERVER_WORK_POOL_H_
