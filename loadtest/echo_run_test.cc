// nbo-echo in-process on 127.0.0.1 (port 0) driven by the real runner, one second per mode. Only
// counts and status codes are checked, never timings: a starved machine (ctest -j2 next to
// servers of other tests) may drop open-loop calls, which the accounting must then show.
#include <sstream>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "loadtest/echo_server.h"
#include "loadtest/preload.h"
#include "loadtest/runner.h"
#include "loadtest/workload.h"

namespace nbo::loadtest {
namespace {

class EchoRunTest : public testing::Test {
 protected:
  void SetUp() override {
    EchoOptions echo_options;
    echo_options.listen = "127.0.0.1:0";
    echo_options.shutdown_grace = absl::Seconds(1);
    auto echo = EchoServer::Start(echo_options);
    ASSERT_TRUE(echo.ok()) << echo.status();
    echo_ = *std::move(echo);
    options_.address = absl::StrCat("127.0.0.1:", echo_->port());
    options_.target = Target::kEcho;
    options_.channels = 2;
    options_.warmup = absl::Milliseconds(200);
    options_.duration = absl::Seconds(1);
    options_.customers = 1000;
    options_.run_id = "echotest";
    options_.deadline = absl::Seconds(5);  // the longest allowed: no call misses it on a slow box
  }
  void TearDown() override {
    if (echo_) echo_->Shutdown();
  }

  std::unique_ptr<Workload> MakeWorkload() {
    WorkloadOptions w;
    w.customers = options_.customers;
    w.run_id = options_.run_id;
    auto workload = Workload::Create(w);
    EXPECT_TRUE(workload.ok()) << workload.status();
    return *std::move(workload);
  }

  std::unique_ptr<EchoServer> echo_;
  LoadtestOptions options_;
};

TEST_F(EchoRunTest, ClosedLoopCompletesCallsWithoutErrors) {
  options_.mode = Mode::kClosed;
  options_.concurrency = 4;
  options_.client_api = ClientApi::kCq;
  auto workload = MakeWorkload();
  auto report = RunLoad(options_, *workload);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_GT(report->all().count(), 0);
  EXPECT_EQ(report->all().ok(), report->all().count());
  EXPECT_TRUE(report->all().errors().empty());
  EXPECT_GT(report->decide().count(), 0);
  // Outcomes need offers of earlier answers: the echo's canned answer has three.
  EXPECT_GT(report->record_outcome().count(), 0);
  EXPECT_EQ(report->fallback_share(), 0);
}

TEST_F(EchoRunTest, OpenLoopCompletesCallsWithoutErrors) {
  options_.mode = Mode::kOpen;
  options_.rate = 500;
  options_.client_api = ClientApi::kCallback;
  auto workload = MakeWorkload();
  auto report = RunLoad(options_, *workload);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_GT(report->all().count(), 0);
  EXPECT_EQ(report->all().ok(), report->all().count());
  EXPECT_TRUE(report->all().errors().empty());
  // Every call due in the window (500 calls/s for 1 s) was either sent or counted as not sent.
  EXPECT_NEAR(report->all().count() + report->dropped(), 500, 1);
  EXPECT_TRUE(report->has_send_lag());
}

TEST_F(EchoRunTest, PreloadStreamsEveryCustomer) {
  options_.preload = 2500;
  options_.preload_batch = 100;
  auto workload = MakeWorkload();
  std::ostringstream progress;
  auto preload = RunPreload(options_, *workload, progress);
  ASSERT_TRUE(preload.ok()) << preload.status();
  EXPECT_EQ(preload->customers(), 2500);
  EXPECT_EQ(preload->applied(), 2500);  // the echo counts every event it reads
}

TEST_F(EchoRunTest, UnreachableServerIsUnavailableNamingTheAddress) {
  const std::string address = options_.address;
  echo_->Shutdown();
  options_.connect_timeout = absl::Milliseconds(300);
  auto workload = MakeWorkload();
  auto report = RunLoad(options_, *workload);
  EXPECT_EQ(report.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(report.status().message().find(address), absl::string_view::npos);
}

}  // namespace
}  // namespace nbo::loadtest
