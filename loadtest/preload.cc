#include "loadtest/preload.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "grpcpp/client_context.h"
#include "loadtest/runner.h"
#include "nbo/v1/decision.grpc.pb.h"

namespace nbo::loadtest {
namespace {

// What one stream did.
struct StreamResult {
  grpc::Status status;
  v1::IngestSummary summary;
};

// Sends customers [first, last] on one stream. `sent` counts events written, for progress.
StreamResult SendRange(const LoadtestOptions& options, const Workload& workload,
                       const std::shared_ptr<grpc::Channel>& channel, int64_t first, int64_t last,
                       uint64_t seed, std::atomic<int64_t>& sent) {
  StreamResult result;
  auto stub = v1::DecisionService::NewStub(channel);
  grpc::ClientContext context;
  const int64_t events = last - first + 1;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60) +
                       std::chrono::milliseconds(events));
  auto writer = stub->IngestEvents(&context, &result.summary);
  SplitMix64 rng(seed);
  v1::IngestRequest request;
  const absl::Time now = absl::Now();
  for (int64_t rank = first; rank <= last;) {
    request.clear_events();  // keeps the cleared messages for reuse
    for (int i = 0; i < options.preload_batch && rank <= last; ++i, ++rank) {
      workload.FillPreloadEvent(rng, rank, now, *request.add_events());
    }
    if (!writer->Write(request)) break;  // the stream failed: Finish says why
    sent.fetch_add(request.events_size(), std::memory_order_relaxed);
  }
  writer->WritesDone();
  result.status = writer->Finish();
  return result;
}

}  // namespace

absl::StatusOr<Preload> RunPreload(const LoadtestOptions& options, const Workload& workload,
                                   std::ostream& progress) {
  absl::StatusOr<std::vector<std::shared_ptr<grpc::Channel>>> channels = ConnectChannels(options);
  if (!channels.ok()) return channels.status();
  const int64_t total = options.preload;
  const int streams = static_cast<int>(std::min<int64_t>(options.channels, total));
  std::vector<StreamResult> results(streams);
  std::atomic<int64_t> sent{0};
  const absl::Time start = absl::Now();
  std::vector<std::thread> threads;
  for (int s = 0; s < streams; ++s) {
    const int64_t first = total * s / streams + 1;
    const int64_t last = total * (s + 1) / streams;
    threads.emplace_back([&, s, first, last] {
      results[s] = SendRange(options, workload, (*channels)[s], first, last,
                             options.seed + 1000003 * (s + 1), sent);
    });
  }
  absl::Notification done;
  std::thread reporter([&] {
    while (!done.WaitForNotificationWithTimeout(absl::Seconds(5))) {
      const double secs = absl::ToDoubleSeconds(absl::Now() - start);
      const int64_t n = sent.load();
      progress << absl::StrFormat("preload: %d / %d customers, %.0f events/s\n", n, total,
                                  secs > 0 ? n / secs : 0.0);
      progress.flush();
    }
  });
  for (auto& t : threads) t.join();
  done.Notify();
  reporter.join();

  Preload p;
  const double secs = absl::ToDoubleSeconds(absl::Now() - start);
  p.set_customers(static_cast<int32_t>(total));
  p.set_seconds(std::round(secs * 100) / 100);
  p.set_events_per_second(secs > 0 ? std::round(total / secs) : 0);
  for (const StreamResult& r : results) {
    if (!r.status.ok()) {
      return absl::Status(static_cast<absl::StatusCode>(r.status.error_code()),
                          absl::StrCat("IngestEvents: ", r.status.error_message()));
    }
    p.set_applied(p.applied() + static_cast<int32_t>(r.summary.applied()));
    p.set_duplicates(p.duplicates() + static_cast<int32_t>(r.summary.duplicates()));
    p.set_rejected(p.rejected() + static_cast<int32_t>(r.summary.rejected()));
  }
  return p;
}

}  // namespace nbo::loadtest
