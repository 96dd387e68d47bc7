#include "loadtest/client.h"

#include <thread>
#include <vector>

#include "grpcpp/completion_queue.h"

namespace nbo::loadtest {
namespace {

class CompletionQueueIssuer final : public CallIssuer {
 public:
  CompletionQueueIssuer(int threads, CallSink& sink) : sink_(sink) {
    for (int i = 0; i < threads; ++i) queues_.push_back(std::make_unique<grpc::CompletionQueue>());
    for (auto& q : queues_) threads_.emplace_back([this, cq = q.get()] { Poll(*cq); });
  }
  ~CompletionQueueIssuer() override { Stop(); }

  void Start(Slot& slot) override {
    grpc::CompletionQueue* cq = queues_[slot.index % queues_.size()].get();
    // The slot itself is the tag: it has at most one call in flight.
    if (slot.rpc == Rpc::kDecide) {
      slot.decide_reader = slot.stub->PrepareAsyncDecide(&*slot.context, slot.decide_request, cq);
      slot.decide_reader->StartCall();
      slot.decide_reader->Finish(&slot.decide_response, &slot.status, &slot);
    } else {
      slot.outcome_reader =
          slot.stub->PrepareAsyncRecordOutcome(&*slot.context, slot.outcome_request, cq);
      slot.outcome_reader->StartCall();
      slot.outcome_reader->Finish(&slot.outcome_response, &slot.status, &slot);
    }
  }

  void Stop() override {
    if (stopped_) return;
    stopped_ = true;
    for (auto& q : queues_) q->Shutdown();
    for (auto& t : threads_) t.join();
  }

 private:
  void Poll(grpc::CompletionQueue& cq) {
    void* tag = nullptr;
    bool ok = false;
    // Finish always delivers its tag with ok = true; the status says how the call ended.
    while (cq.Next(&tag, &ok)) sink_.OnCallDone(*static_cast<Slot*>(tag));
  }

  CallSink& sink_;
  std::vector<std::unique_ptr<grpc::CompletionQueue>> queues_;
  std::vector<std::thread> threads_;
  bool stopped_ = false;  // Stop is called by the runner's thread only
};

class CallbackIssuer final : public CallIssuer {
 public:
  explicit CallbackIssuer(CallSink& sink) : sink_(sink) {}

  void Start(Slot& slot) override {
    // Capturing two pointers keeps the std::function in its small buffer: no allocation.
    auto done = [sink = &sink_, s = &slot](grpc::Status status) {
      s->status = std::move(status);
      sink->OnCallDone(*s);
    };
    if (slot.rpc == Rpc::kDecide) {
      slot.stub->async()->Decide(&*slot.context, &slot.decide_request, &slot.decide_response,
                                 std::move(done));
    } else {
      slot.stub->async()->RecordOutcome(&*slot.context, &slot.outcome_request,
                                        &slot.outcome_response, std::move(done));
    }
  }

  void Stop() override {}  // gRPC owns the threads

 private:
  CallSink& sink_;
};

}  // namespace

std::unique_ptr<CallIssuer> MakeCompletionQueueIssuer(int threads, CallSink& sink) {
  return std::make_unique<CompletionQueueIssuer>(threads, sink);
}

std::unique_ptr<CallIssuer> MakeCallbackIssuer(CallSink& sink) {
  return std::make_unique<CallbackIssuer>(sink);
}

}  // namespace nbo::loadtest
