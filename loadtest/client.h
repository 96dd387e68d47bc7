// The two ways the load generator can put calls on the wire, behind one interface so that the
// runner, the measurements and the request mix are the same for both: the async client API with
// our own CompletionQueue poller threads, and the callback client API on gRPC's threads.
#ifndef NBO_LOADTEST_CLIENT_H_
#define NBO_LOADTEST_CLIENT_H_

#include <memory>
#include <optional>
#include <string>

#include "grpcpp/client_context.h"
#include "grpcpp/support/async_unary_call.h"
#include "grpcpp/support/status.h"
#include "loadtest/random.h"
#include "loadtest/recorder.h"
#include "loadtest/schedule.h"
#include "nbo/v1/decision.grpc.pb.h"

namespace nbo::loadtest {

// One call in flight at a time, with everything it needs kept between calls so that the request
// and response messages (and their string buffers) are reused. Owned by the runner; touched only
// by whoever holds the call: the issuer between Start and OnCallDone, the runner otherwise.
struct Slot {
  Slot(int index, uint64_t seed) : index(index), rng(seed) {}

  const int index;
  v1::DecisionService::Stub* stub = nullptr;  // the slot's channel
  SplitMix64 rng;                             // this slot's draws: no shared random state

  Rpc rpc = Rpc::kDecide;
  SteadyClock::time_point intended;  // latency counts from here
  bool in_window = false;            // sent inside the measured window

  v1::DecideRequest decide_request;
  v1::DecideResponse decide_response;
  v1::OutcomeRequest outcome_request;
  v1::OutcomeResponse outcome_response;
  std::string outcome_decision_id;  // buffers swapped with OutcomeRing entries
  std::string outcome_offer_id;
  grpc::Status status;

  // A ClientContext serves one call only: emplaced anew for each. Declared before the readers so
  // that they, which live in the call's arena, are destroyed first.
  std::optional<grpc::ClientContext> context;
  std::unique_ptr<grpc::ClientAsyncResponseReader<v1::DecideResponse>> decide_reader;
  std::unique_ptr<grpc::ClientAsyncResponseReader<v1::OutcomeResponse>> outcome_reader;
};

// Told when a call finished (slot.status set, the response filled when OK). Runs on an issuer
// thread; may start the slot's next call before returning.
class CallSink {
 public:
  virtual ~CallSink() = default;
  virtual void OnCallDone(Slot& slot) = 0;
};

// Thread-safe: Start may be called from any thread, also from inside OnCallDone.
class CallIssuer {
 public:
  virtual ~CallIssuer() = default;
  // Starts slot.rpc with slot.context and the slot's request. REQUIRES: no call of this slot in
  // flight; the slot's readers were reset before its context was emplaced.
  virtual void Start(Slot& slot) = 0;
  // REQUIRES: every started call has finished (OnCallDone returned). Stops the issuer's threads.
  virtual void Stop() = 0;
};

// Async client API: `threads` CompletionQueues, each polled by its own thread; slot i uses
// queue i % threads.
std::unique_ptr<CallIssuer> MakeCompletionQueueIssuer(int threads, CallSink& sink);
// Callback client API: stub->async()->Decide(ctx, req, resp, callback).
std::unique_ptr<CallIssuer> MakeCallbackIssuer(CallSink& sink);

}  // namespace nbo::loadtest

#endif  // NBO_LOADTEST_CLIENT_H_
