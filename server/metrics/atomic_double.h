// Lock-free addition on std::atomic<double>.
//
// std::atomic<double>::fetch_add is C++20; in C++17 we use a compare-exchange loop. Uncontended it
// is one load plus one CAS; under contention it retries, which stays exact (every addition lands
// once) but costs more than an integer fetch_add. Measured by metrics_benchmark.cc.

#ifndef NBO_SERVER_METRICS_ATOMIC_DOUBLE_H_
#define NBO_SERVER_METRICS_ATOMIC_DOUBLE_H_

#include <atomic>

namespace nbo::metrics::internal {

inline void AtomicAdd(std::atomic<double>* target, double delta) {
  double current = target->load(std::memory_order_relaxed);
  while (!target->compare_exchange_weak(current, current + delta, std::memory_order_relaxed,
                                        std::memory_order_relaxed)) {
    // `current` was reloaded by compare_exchange_weak; retry with the fresh value.
  }
}

}  // namespace nbo::metrics::internal

#endif  // NBO_SERVER_METRICS_ATOMIC_DOUBLE_H_
