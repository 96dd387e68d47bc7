#include "loadtest/runner.h"

#include <sys/prctl.h>

#include <atomic>
#include <cmath>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"
#include "loadtest/client.h"
#include "loadtest/proc_stat.h"
#include "loadtest/recorder.h"
#include "loadtest/report.h"
#include "loadtest/schedule.h"

namespace nbo::loadtest {
namespace {

// Open mode never keeps more calls in flight than this, whatever rate x deadline says.
constexpr int kMaxOpenSlots = 100000;

int64_t Nanos(SteadyClock::duration d) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
}

// CPU of the server and of this process at the two edges of the measured window.
struct CpuSample {
  std::optional<absl::Duration> server;
  absl::Duration self;
};

CpuSample SampleCpu(int64_t server_pid) {
  CpuSample s;
  s.self = SelfCpuTime();
  if (server_pid > 0) {
    absl::StatusOr<absl::Duration> server = ProcessCpuTime(server_pid);
    if (server.ok()) s.server = *server;
  }
  return s;
}

class LoadRun final : public CallSink {
 public:
  LoadRun(const LoadtestOptions& options, const Workload& workload,
          std::vector<std::shared_ptr<grpc::Channel>> channels)
      : options_(options), workload_(workload), channels_(std::move(channels)) {
    for (const auto& c : channels_) stubs_.push_back(v1::DecisionService::NewStub(c));
    issuer_ = options.client_api == ClientApi::kCq
                  ? MakeCompletionQueueIssuer(options.cq_threads, *this)
                  : MakeCallbackIssuer(*this);
  }

  absl::StatusOr<Report> Run();
  void OnCallDone(Slot& slot) override;

 private:
  Slot& NewSlot() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Slot* AcquireSlot();
  void Issue(Slot& slot, SteadyClock::time_point intended, SteadyClock::time_point now);
  void Finished(Slot& slot);
  void RunClosed();
  void RunOpen();
  // One open-loop sender: calls first, first + stride, ... until the window ends.
  void Pace(const OpenLoopSchedule& schedule, int first, int stride);
  bool WaitDrained(absl::Duration timeout);

  const LoadtestOptions& options_;
  const Workload& workload_;
  std::vector<std::shared_ptr<grpc::Channel>> channels_;
  std::vector<std::unique_ptr<v1::DecisionService::Stub>> stubs_;
  std::unique_ptr<CallIssuer> issuer_;
  OutcomeRing ring_;
  Recorder recorder_;
  std::atomic<uint64_t> seq_{0};
  std::atomic<int64_t> in_flight_{0};
  std::atomic<int64_t> sent_or_dropped_{0};  // open mode: calls of the window accounted for
  SteadyClock::time_point window_start_;
  SteadyClock::time_point window_end_;

  absl::Mutex mu_;
  absl::CondVar drained_;
  std::vector<std::unique_ptr<Slot>> slots_ ABSL_GUARDED_BY(mu_);
  std::vector<Slot*> free_ ABSL_GUARDED_BY(mu_);  // open mode: slots without a call
};

Slot& LoadRun::NewSlot() {
  const int i = static_cast<int>(slots_.size());
  auto slot = std::make_unique<Slot>(i, options_.seed * 0x9e3779b97f4a7c15ULL + i + 1);
  slot->stub = stubs_[i % stubs_.size()].get();
  slots_.push_back(std::move(slot));
  return *slots_.back();
}

Slot* LoadRun::AcquireSlot() {
  absl::MutexLock lock(&mu_);
  if (!free_.empty()) {
    Slot* s = free_.back();
    free_.pop_back();
    return s;
  }
  if (static_cast<int>(slots_.size()) >= kMaxOpenSlots) return nullptr;
  return &NewSlot();
}

void LoadRun::Issue(Slot& slot, SteadyClock::time_point intended, SteadyClock::time_point now) {
  const auto wall = std::chrono::system_clock::now();
  slot.decide_reader.reset();  // before the context: they live in the old call's arena
  slot.outcome_reader.reset();
  slot.context.emplace();
  slot.context->set_deadline(wall + absl::ToChronoNanoseconds(options_.deadline));
  slot.rpc = Rpc::kDecide;
  if (workload_.PickOutcome(slot.rng) &&
      ring_.Take(slot.rng, &slot.outcome_decision_id, &slot.outcome_offer_id)) {
    slot.rpc = Rpc::kRecordOutcome;
    Workload::FillOutcome(slot.rng, slot.outcome_decision_id, slot.outcome_offer_id,
                          slot.outcome_request);
  } else {
    workload_.FillDecide(slot.rng, seq_.fetch_add(1, std::memory_order_relaxed),
                         absl::FromChrono(wall), slot.decide_request);
  }
  slot.intended = intended;
  slot.in_window = intended >= window_start_ && intended < window_end_;
  if (slot.in_window && options_.mode == Mode::kOpen) {
    recorder_.RecordSendLag(Nanos(now - intended));
  }
  issuer_->Start(slot);
}

void LoadRun::OnCallDone(Slot& slot) {
  const SteadyClock::time_point now = SteadyClock::now();
  const bool ok = slot.status.ok();
  if (slot.in_window) {
    recorder_.Record(slot.rpc, slot.status.error_code(), Nanos(now - slot.intended));
    if (ok && slot.rpc == Rpc::kDecide) {
      recorder_.RecordDecideAnswer(slot.decide_response.fallback(),
                                   slot.decide_response.fallback_cause(),
                                   slot.decide_response.ByteSizeLong());
    }
  }
  if (ok && slot.rpc == Rpc::kDecide && slot.decide_response.offers_size() > 0) {
    const auto& r = slot.decide_response;
    ring_.Push(r.decision_id(),
               r.offers(static_cast<int>(slot.rng.Below(r.offers_size()))).offer_id());
  }
  // Closed loop: the slot's next call goes out as soon as this one is back, until the window ends.
  if (options_.mode == Mode::kClosed && now < window_end_) {
    Issue(slot, now, now);
    return;
  }
  Finished(slot);
}

void LoadRun::Finished(Slot& slot) {
  absl::MutexLock lock(&mu_);
  if (options_.mode == Mode::kOpen) free_.push_back(&slot);
  // Under mu_, so that WaitDrained cannot miss the last decrement between its check and its wait.
  if (in_flight_.fetch_sub(1) == 1) drained_.SignalAll();
}

void LoadRun::RunClosed() {
  std::vector<Slot*> slots;
  {
    absl::MutexLock lock(&mu_);
    for (int i = 0; i < options_.concurrency; ++i) slots.push_back(&NewSlot());
  }
  for (Slot* s : slots) {
    in_flight_.fetch_add(1);
    const auto now = SteadyClock::now();
    Issue(*s, now, now);
  }
  std::this_thread::sleep_until(window_end_);
}

void LoadRun::Pace(const OpenLoopSchedule& schedule, int first, int stride) {
  // 1 ns timer slack (default 50 us), so that the thread wakes when its next call is due.
  prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
  for (int64_t i = first;; i += stride) {
    const SteadyClock::time_point intended = schedule.IntendedTime(i);
    if (intended >= window_end_) return;
    if (SteadyClock::now() < intended) std::this_thread::sleep_until(intended);
    const SteadyClock::time_point now = SteadyClock::now();
    // Behind schedule at the end of the window (a starved client): stop rather than run late.
    // RunOpen counts what was never sent.
    if (now >= window_end_) return;
    const bool in_window = intended >= window_start_;
    Slot* slot = AcquireSlot();
    if (slot == nullptr) {
      if (in_window) recorder_.RecordDropped();
    } else {
      in_flight_.fetch_add(1);
      Issue(*slot, intended, now);
    }
    if (in_window) sent_or_dropped_.fetch_add(1, std::memory_order_relaxed);
  }
}

void LoadRun::RunOpen() {
  // Sender k sends calls k, k + n, k + 2n, ...: together exactly the schedule. More than one, so
  // that the work gRPC does inline when a call starts is not all on one thread.
  const OpenLoopSchedule schedule(SteadyClock::now(), options_.rate);
  std::vector<std::thread> senders;
  for (int k = 0; k < options_.senders; ++k) {
    senders.emplace_back([this, &schedule, k] { Pace(schedule, k, options_.senders); });
  }
  for (auto& t : senders) t.join();
  recorder_.RecordDropped(schedule.UnsentInWindow(0, window_start_, window_end_) -
                          sent_or_dropped_.load());
}

bool LoadRun::WaitDrained(absl::Duration timeout) {
  const absl::Time until = absl::Now() + timeout;
  absl::MutexLock lock(&mu_);
  while (in_flight_.load() > 0) {
    if (drained_.WaitWithDeadline(&mu_, until)) return in_flight_.load() == 0;
  }
  return true;
}

absl::StatusOr<Report> LoadRun::Run() {
  RunFacts facts;
  facts.started_at = absl::Now();
  facts.run_id = workload_.options().run_id;
  const SteadyClock::time_point start = SteadyClock::now();
  window_start_ = start + absl::ToChronoNanoseconds(options_.warmup);
  window_end_ = window_start_ + absl::ToChronoNanoseconds(options_.duration);

  // CPU is sampled at the window's edges by a thread of its own, whatever the mode does.
  CpuSample before, after;
  std::thread sampler([&] {
    std::this_thread::sleep_until(window_start_);
    before = SampleCpu(options_.server_pid);
    std::this_thread::sleep_until(window_end_);
    after = SampleCpu(options_.server_pid);
  });
  if (options_.mode == Mode::kClosed) {
    RunClosed();
  } else {
    RunOpen();
  }
  sampler.join();
  // Every call has a deadline, so they all end; the margin covers a slow machine.
  if (!WaitDrained(options_.deadline + absl::Seconds(5))) {
    return absl::InternalError(
        absl::StrCat(in_flight_.load(), " calls did not finish within --deadline + 5s"));
  }
  issuer_->Stop();
  facts.window = absl::FromChrono(window_end_ - window_start_);
  facts.client_cpu = after.self - before.self;
  if (before.server && after.server) facts.server_cpu = *after.server - *before.server;
  return BuildReport(options_, facts, recorder_.Totals());
}

}  // namespace

absl::StatusOr<std::vector<std::shared_ptr<grpc::Channel>>> ConnectChannels(
    const LoadtestOptions& options) {
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  const auto until =
      std::chrono::system_clock::now() + absl::ToChronoNanoseconds(options.connect_timeout);
  for (int i = 0; i < options.channels; ++i) {
    grpc::ChannelArguments args;
    // Channels with equal arguments would share one subchannel, i.e. one TCP connection.
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    args.SetInt("nbo.loadtest.channel_index", i);
    channels.push_back(
        grpc::CreateCustomChannel(options.address, grpc::InsecureChannelCredentials(), args));
  }
  for (int i = 0; i < options.channels; ++i) {
    if (!channels[i]->WaitForConnected(until)) {
      return absl::UnavailableError(absl::StrCat("--address ", options.address, ": channel ", i,
                                                 " not connected within ",
                                                 absl::FormatDuration(options.connect_timeout)));
    }
  }
  return channels;
}

absl::StatusOr<Report> RunLoad(const LoadtestOptions& options, const Workload& workload) {
  if (options.server_pid > 0) {
    if (auto cpu = ProcessCpuTime(options.server_pid); !cpu.ok()) {
      return absl::NotFoundError(
          absl::StrCat("--server_pid ", options.server_pid, ": ", cpu.status().message()));
    }
  }
  absl::StatusOr<std::vector<std::shared_ptr<grpc::Channel>>> channels = ConnectChannels(options);
  if (!channels.ok()) return channels.status();
  auto run = std::make_unique<LoadRun>(options, workload, *std::move(channels));
  absl::StatusOr<Report> report = run->Run();
  // Calls that outlived their deadline may still complete into `run`: never free it then.
  if (absl::IsInternal(report.status())) run.release();
  return report;
}

}  // namespace nbo::loadtest
