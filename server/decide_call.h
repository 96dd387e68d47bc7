// DecideCall: one Decide in flight on the work pool, raced by its worker and its latency-budget
// timer. Whoever moves it out of "pending" first answers the gRPC call: the worker with the
// decision, the timer with the latency fallback (core::LatencyFallback). A worker that lost still
// applies the event and records the fallback it did not send, so no interaction is lost and the
// answer the client got is the one outcomes are attributed to.
#ifndef NBO_SERVER_DECIDE_CALL_H_
#define NBO_SERVER_DECIDE_CALL_H_

#include <atomic>
#include <string>

#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "nbo/v1/decision.pb.h"

namespace nbo::server {

class DecideCall {
 public:
  // `request` is copied: the worker may still need it after the gRPC call has finished.
  DecideCall(const v1::DecideRequest& request, absl::Time start, absl::Time deadline,
             std::string decision_id)
      : request_(request),
        start_(start),
        deadline_(deadline),
        decision_id_(std::move(decision_id)) {}

  const v1::DecideRequest& request() const { return request_; }
  absl::Time start() const { return start_; }
  absl::Time deadline() const { return deadline_; }
  const std::string& decision_id() const { return decision_id_; }

  // The worker's claim: true when the worker answers (now or already), false when the timer did.
  bool ClaimForWorker() {
    int expected = kPending;
    return state_.compare_exchange_strong(expected, kWorker, std::memory_order_acq_rel) ||
           expected == kWorker;
  }

  // The timer's claim: true when the timer answers; it must then call SetAnswered.
  bool ClaimForTimer() {
    int expected = kPending;
    return state_.compare_exchange_strong(expected, kTimer, std::memory_order_acq_rel);
  }

  // By the timer after ClaimForTimer: what was sent, and when.
  void SetAnswered(v1::DecideResponse response, absl::Time at) {
    answered_ = std::move(response);
    answered_at_ = at;
    answered_ready_.Notify();
  }

  // By a worker whose claim failed: waits (briefly: the timer builds it right after claiming)
  // for the answer the timer sent.
  const v1::DecideResponse& WaitAnswered() {
    answered_ready_.WaitForNotification();
    return answered_;
  }
  absl::Time answered_at() const { return answered_at_; }

 private:
  enum State { kPending = 0, kWorker = 1, kTimer = 2 };

  const v1::DecideRequest request_;
  const absl::Time start_;
  const absl::Time deadline_;
  const std::string decision_id_;
  std::atomic<int> state_{kPending};
  absl::Notification answered_ready_;
  // Written once before answered_ready_ is notified, read only after.
  v1::DecideResponse answered_;
  absl::Time answered_at_;
};

}  // namespace nbo::server

#endif  // NBO_SERVER_DECIDE_CALL_H_
