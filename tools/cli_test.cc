// Drives RunCli against an in-process gRPC server with fake nbo services on a loopback port.
#include "tools/cli.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "gtest/gtest.h"
#include "nbo/v1/decision.grpc.pb.h"
#include "nbo/v1/profile.grpc.pb.h"
#include "nbo/v1/strategy.grpc.pb.h"

namespace nbo::tools {
namespace {

using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::StartsWith;

class FakeDecisionService final : public v1::DecisionService::Service {
 public:
  grpc::Status Decide(grpc::ServerContext*, const v1::DecideRequest* request,
                      v1::DecideResponse* response) override {
    absl::MutexLock lock(&mu_);
    last_ = *request;
    if (request->customer().customer_id() == "c-down") {
      return grpc::Status(grpc::StatusCode::UNAVAILABLE, "store not writable");
    }
    response->set_decision_id("d-1");
    response->set_customer_id(request->customer().customer_id());
    response->set_segment_id("loyal");
    response->set_segment_name("Loyal customers");
    response->set_strategy_version("v7");
    v1::RankedOffer* offer = response->add_offers();
    offer->set_offer_id("fibre-1g");
    offer->set_name("Fibre 1 Gbit");
    offer->set_kind(v1::OFFER_KIND_UPSELL);
    offer->set_score(2.5);
    offer->set_reason("Fibre doubles your speed for 5 euros more.");
    return grpc::Status::OK;
  }

  v1::DecideRequest last() {
    absl::MutexLock lock(&mu_);
    return last_;
  }

 private:
  absl::Mutex mu_;
  v1::DecideRequest last_ ABSL_GUARDED_BY(mu_);
};

class FakeProfileService final : public v1::ProfileService::Service {
 public:
  grpc::Status GetProfile(grpc::ServerContext*, const v1::GetProfileRequest* request,
                          v1::GetProfileResponse* response) override {
    if (request->customer().identity().source() != "loyalty") {
      return grpc::Status(grpc::StatusCode::NOT_FOUND, "no such customer");
    }
    response->mutable_profile()->set_customer_id("c-1001");
    response->add_highlights("Moved home 3 days ago");
    return grpc::Status::OK;
  }
};

class FakeStrategyService final : public v1::StrategyService::Service {
 public:
  grpc::Status GetStrategy(grpc::ServerContext*, const v1::GetStrategyRequest* request,
                           v1::GetStrategyResponse* response) override {
    response->mutable_info()->set_version("v7");
    if (request->include_document()) response->set_document_json("{\"version\": \"v7\"}");
    return grpc::Status::OK;
  }

  grpc::Status ReloadStrategy(grpc::ServerContext*, const v1::ReloadStrategyRequest* request,
                              v1::ReloadStrategyResponse* response) override {
    absl::MutexLock lock(&mu_);
    last_ = *request;
    if (request->inline_json() == "bad") {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          "strategy refused:\n  offers[0].id: empty");
    }
    response->mutable_info()->set_version("v8");
    response->set_previous_version("v7");
    return grpc::Status::OK;
  }

  v1::ReloadStrategyRequest last() {
    absl::MutexLock lock(&mu_);
    return last_;
  }

 private:
  absl::Mutex mu_;
  v1::ReloadStrategyRequest last_ ABSL_GUARDED_BY(mu_);
};

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(&decisions_);
    builder.RegisterService(&profiles_);
    builder.RegisterService(&strategies_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    ASSERT_GT(port, 0);
    options_.addr = absl::StrCat("127.0.0.1:", port);
  }

  void TearDown() override {
    if (server_ != nullptr) {
      server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
    }
  }

  int Run(const std::vector<std::string>& command) {
    out_.str("");
    err_.str("");
    return RunCli(command, options_, out_, err_);
  }

  FakeDecisionService decisions_;
  FakeProfileService profiles_;
  FakeStrategyService strategies_;
  std::unique_ptr<grpc::Server> server_;
  CliOptions options_;
  std::ostringstream out_;
  std::ostringstream err_;
};

TEST_F(CliTest, DecidePrintsOffers) {
  options_.decide.customer = "c-1001";
  options_.decide.channel = "call_centre";
  options_.decide.event = "call_started";
  options_.decide.call_reason = "billing";
  ASSERT_EQ(Run({"decide"}), kExitOk) << err_.str();
  EXPECT_THAT(out_.str(), HasSubstr("Segment       Loyal customers (loyal)\n"));
  EXPECT_THAT(out_.str(), HasSubstr("  1. Fibre 1 Gbit (fibre-1g), upsell, score 2.5\n"
                                    "     Fibre doubles your speed for 5 euros more.\n"));
  EXPECT_EQ(err_.str(), "");
  const v1::DecideRequest sent = decisions_.last();
  EXPECT_EQ(sent.event().channel(), v1::CHANNEL_CALL_CENTRE);
  EXPECT_EQ(sent.event().call_started().reason(), "billing");
}

TEST_F(CliTest, DecideJsonPrintsTheResponse) {
  options_.decide.customer = "c-1001";
  options_.decide.channel = "web";
  options_.decide.event = "app_open";
  options_.json = true;
  ASSERT_EQ(Run({"decide"}), kExitOk) << err_.str();
  EXPECT_THAT(out_.str(), HasSubstr("\"decision_id\": \"d-1\""));
}

TEST_F(CliTest, DecideWithUnknownChannelIsUsageError) {
  options_.decide.customer = "c-1001";
  options_.decide.channel = "fax";
  options_.decide.event = "app_open";
  EXPECT_EQ(Run({"decide"}), kExitUsage);
  EXPECT_THAT(err_.str(), StartsWith("nbo: unknown channel \"fax\"; valid channels: web,"));
}

TEST_F(CliTest, ServerAnsweringUnavailableIsNotUnreachable) {
  options_.decide.customer = "c-down";
  options_.decide.channel = "web";
  options_.decide.event = "app_open";
  EXPECT_EQ(Run({"decide"}), kExitFailed);
  EXPECT_EQ(err_.str(), "nbo: Decide: UNAVAILABLE: store not writable\n");
}

TEST_F(CliTest, ProfilePrintsTheCustomerView) {
  ASSERT_EQ(Run({"profile", "loyalty:L-77812"}), kExitOk) << err_.str();
  EXPECT_THAT(out_.str(), StartsWith("Customer      c-1001\n"));
  EXPECT_THAT(out_.str(), HasSubstr("  - Moved home 3 days ago\n"));
}

TEST_F(CliTest, ProfileNotFoundPrintsRpcError) {
  EXPECT_EQ(Run({"profile", "c-404"}), kExitFailed);
  EXPECT_EQ(err_.str(), "nbo: GetProfile: NOT_FOUND: no such customer\n");
}

TEST_F(CliTest, ProfileNeedsExactlyOneCustomer) {
  EXPECT_EQ(Run({"profile"}), kExitUsage);
  EXPECT_EQ(Run({"profile", "a", "b"}), kExitUsage);
  EXPECT_EQ(Run({"profile", "Bad:x"}), kExitUsage);
  EXPECT_THAT(err_.str(), HasSubstr("--customer \"Bad:x\""));
}

TEST_F(CliTest, StrategyShowWithDocument) {
  options_.document = true;
  ASSERT_EQ(Run({"strategy", "show"}), kExitOk) << err_.str();
  EXPECT_THAT(out_.str(), StartsWith("Strategy      v7\n"));
  EXPECT_THAT(out_.str(), EndsWith("\n{\"version\": \"v7\"}\n"));
}

TEST_F(CliTest, StrategyReloadDefaultsToTheConfiguredFile) {
  ASSERT_EQ(Run({"strategy", "reload"}), kExitOk) << err_.str();
  EXPECT_THAT(out_.str(), StartsWith("Reloaded strategy v8 (was v7)\n"));
  EXPECT_TRUE(strategies_.last().from_file());
}

TEST_F(CliTest, StrategyReloadFromServerPath) {
  options_.file = "/srv/strategy.json";
  ASSERT_EQ(Run({"strategy", "reload"}), kExitOk) << err_.str();
  EXPECT_EQ(strategies_.last().file_path(), "/srv/strategy.json");
}

TEST_F(CliTest, StrategyReloadSendsLocalFileInline) {
  const std::string path = testing::TempDir() + "/nbo_cli_test_strategy.json";
  std::ofstream(path) << "{\"version\": \"v8\"}";
  options_.inline_file = path;
  ASSERT_EQ(Run({"strategy", "reload"}), kExitOk) << err_.str();
  EXPECT_EQ(strategies_.last().inline_json(), "{\"version\": \"v8\"}");
  std::remove(path.c_str());
}

TEST_F(CliTest, StrategyReloadRefusedPrintsEveryProblem) {
  const std::string path = testing::TempDir() + "/nbo_cli_test_bad.json";
  std::ofstream(path) << "bad";
  options_.inline_file = path;
  EXPECT_EQ(Run({"strategy", "reload"}), kExitFailed);
  EXPECT_EQ(err_.str(),
            "nbo: ReloadStrategy: INVALID_ARGUMENT: strategy refused:\n  offers[0].id: empty\n");
  std::remove(path.c_str());
}

TEST_F(CliTest, StrategyReloadMissingLocalFileIsUsageError) {
  options_.inline_file = testing::TempDir() + "/no/such/file.json";
  EXPECT_EQ(Run({"strategy", "reload"}), kExitUsage);
  EXPECT_THAT(err_.str(), HasSubstr("cannot read"));
}

TEST_F(CliTest, UsageErrors) {
  EXPECT_EQ(Run({}), kExitUsage);
  EXPECT_THAT(err_.str(), HasSubstr("Commands:"));
  EXPECT_EQ(Run({"frobnicate"}), kExitUsage);
  EXPECT_EQ(err_.str(),
            "nbo: unknown command \"frobnicate\"; commands: decide, profile, "
            "strategy, help\n");
  EXPECT_EQ(Run({"strategy", "delete"}), kExitUsage);
  EXPECT_EQ(Run({"decide", "extra"}), kExitUsage);
  options_.timeout = absl::ZeroDuration();
  EXPECT_EQ(Run({"strategy", "show"}), kExitUsage);
}

TEST_F(CliTest, HelpPrintsUsage) {
  EXPECT_EQ(Run({"help"}), kExitOk);
  EXPECT_THAT(out_.str(), HasSubstr("nbo decide --customer"));
  EXPECT_THAT(out_.str(), HasSubstr("Examples:"));
}

// A loopback port nobody listens on: bound to port 0 by the kernel, then closed.
int ClosedLoopbackPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  EXPECT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  socklen_t len = sizeof(addr);
  EXPECT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  close(fd);
  return ntohs(addr.sin_port);
}

TEST(CliUnreachableTest, SaysTheServerCannotBeReached) {
  CliOptions options;
  options.addr = absl::StrCat("127.0.0.1:", ClosedLoopbackPort());
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(RunCli({"profile", "c-1001"}, options, out, err), kExitUnreachable);
  EXPECT_EQ(out.str(), "");
  EXPECT_THAT(err.str(), StartsWith(absl::StrCat("nbo: cannot reach nbo-server at ", options.addr,
                                                 " (UNAVAILABLE: ")));
  EXPECT_THAT(err.str(), EndsWith("); is it running? start it with ./scripts/run\n"));
  const std::string text = err.str();
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << text;
}

TEST(FormatRpcErrorTest, OtherErrorsNameTheRpcAndCode) {
  EXPECT_EQ(FormatRpcError("Decide", grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "late\nx"),
                           "h:1", false),
            "nbo: Decide: DEADLINE_EXCEEDED: late x");
}

TEST(FormatRpcErrorTest, UnreachableNamesTheAddress) {
  EXPECT_EQ(FormatRpcError("Decide", grpc::Status(grpc::StatusCode::UNAVAILABLE, "refused"),
                           "127.0.0.1:50051", true),
            "nbo: cannot reach nbo-server at 127.0.0.1:50051 (UNAVAILABLE: refused); is it "
            "running? start it with ./scripts/run");
}

}  // namespace
}  // namespace nbo::tools
