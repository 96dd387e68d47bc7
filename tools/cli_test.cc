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
#include <limits>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
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
#include "tools/admin_request.h"

namespace nbo::tools {
namespace {

using ::testing::ElementsAre;
using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

class FakeDecisionService final : public v1::DecisionService::Service {
 public:
  grpc::Status Decide(grpc::ServerContext*, const v1::DecideRequest* request,
                      v1::DecideResponse* response) override {
    absl::MutexLock lock(&mu_);
    last_ = *request;
    ++decides_;
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
    offer->mutable_parts()->set_pacing(1);
    offer->set_reason("Fibre doubles your speed for 5 euros more.");
    // "c-rich": a paced fallback answer in a micro-segment, marketing withheld.
    if (request->customer().customer_id() == "c-rich") {
      response->set_micro_segment_id("high_value");
      response->set_fallback(true);
      response->set_fallback_cause("budget_exhausted");
      response->set_consent_note("Opted out of marketing: service offers only.");
      offer->mutable_parts()->set_pacing(0.75);
    }
    return grpc::Status::OK;
  }

  v1::DecideRequest last() {
    absl::MutexLock lock(&mu_);
    return last_;
  }
  int decides() {
    absl::MutexLock lock(&mu_);
    return decides_;
  }

  // "d-1" is known; "d-dup" answers duplicate; every other id is NOT_FOUND.
  grpc::Status RecordOutcome(grpc::ServerContext*, const v1::OutcomeRequest* request,
                             v1::OutcomeResponse* response) override {
    absl::MutexLock lock(&mu_);
    last_outcome_ = *request;
    ++outcomes_;
    if (request->decision_id() != "d-1" && request->decision_id() != "d-dup") {
      return grpc::Status(grpc::StatusCode::NOT_FOUND,
                          absl::StrCat("decision \"", request->decision_id(),
                                       "\" is unknown or past its attribution window"));
    }
    response->set_duplicate(request->decision_id() == "d-dup");
    response->set_customer_id("c-1001");
    return grpc::Status::OK;
  }

  v1::OutcomeRequest last_outcome() {
    absl::MutexLock lock(&mu_);
    return last_outcome_;
  }
  int outcomes() {
    absl::MutexLock lock(&mu_);
    return outcomes_;
  }

  // Counts what arrives; an event id "dup-..." is a duplicate, "bad-..." is rejected, and a
  // customer "c-fail" makes the stream fail with FAILED_PRECONDITION.
  grpc::Status IngestEvents(grpc::ServerContext*, grpc::ServerReader<v1::IngestRequest>* reader,
                            v1::IngestSummary* summary) override {
    v1::IngestRequest request;
    while (reader->Read(&request)) {
      absl::MutexLock lock(&mu_);
      batch_sizes_.push_back(request.events_size());
      for (const v1::IngestEvent& event : request.events()) {
        received_.push_back(event.event().event_id());
        if (event.customer().customer_id() == "c-fail") {
          return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "store is read-only");
        }
        if (absl::StartsWith(event.event().event_id(), "dup-")) {
          summary->set_duplicates(summary->duplicates() + 1);
        } else if (absl::StartsWith(event.event().event_id(), "bad-")) {
          summary->set_rejected(summary->rejected() + 1);
          summary->add_first_rejections(
              absl::StrCat(event.event().event_id(), ": channel is required"));
        } else {
          summary->set_applied(summary->applied() + 1);
        }
      }
    }
    return grpc::Status::OK;
  }

  std::vector<int> batch_sizes() {
    absl::MutexLock lock(&mu_);
    return batch_sizes_;
  }

  std::vector<std::string> received() {
    absl::MutexLock lock(&mu_);
    return received_;
  }

 private:
  absl::Mutex mu_;
  v1::DecideRequest last_ ABSL_GUARDED_BY(mu_);
  int decides_ ABSL_GUARDED_BY(mu_) = 0;
  v1::OutcomeRequest last_outcome_ ABSL_GUARDED_BY(mu_);
  int outcomes_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<int> batch_sizes_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> received_ ABSL_GUARDED_BY(mu_);
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

  grpc::Status LinkIdentity(grpc::ServerContext*, const v1::LinkIdentityRequest* request,
                            v1::LinkIdentityResponse* response) override {
    absl::MutexLock lock(&mu_);
    last_link_ = *request;
    response->set_customer_id(request->customer().customer_id());
    if (request->identity().external_id() == "L-taken") {
      response->set_merged(true);
      response->set_absorbed_customer_id("c-2017");
    }
    return grpc::Status::OK;
  }

  grpc::Status UpdateConsent(grpc::ServerContext*, const v1::UpdateConsentRequest* request,
                             v1::UpdateConsentResponse*) override {
    absl::MutexLock lock(&mu_);
    last_consent_ = *request;
    return grpc::Status::OK;
  }

  grpc::Status ForgetCustomer(grpc::ServerContext*, const v1::ForgetCustomerRequest* request,
                              v1::ForgetCustomerResponse* response) override {
    absl::MutexLock lock(&mu_);
    ++forgets_;
    last_forget_ = *request;
    response->set_records_deleted(7);
    return grpc::Status::OK;
  }

  v1::LinkIdentityRequest last_link() {
    absl::MutexLock lock(&mu_);
    return last_link_;
  }
  v1::UpdateConsentRequest last_consent() {
    absl::MutexLock lock(&mu_);
    return last_consent_;
  }
  v1::ForgetCustomerRequest last_forget() {
    absl::MutexLock lock(&mu_);
    return last_forget_;
  }
  int forgets() {
    absl::MutexLock lock(&mu_);
    return forgets_;
  }

 private:
  absl::Mutex mu_;
  v1::LinkIdentityRequest last_link_ ABSL_GUARDED_BY(mu_);
  v1::UpdateConsentRequest last_consent_ ABSL_GUARDED_BY(mu_);
  v1::ForgetCustomerRequest last_forget_ ABSL_GUARDED_BY(mu_);
  int forgets_ ABSL_GUARDED_BY(mu_) = 0;
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

  // "d-1" and "d-rich" (with triggers, context weights, dimension levels, budgets) are known;
  // every other id is NOT_FOUND.
  grpc::Status ExplainDecision(grpc::ServerContext*, const v1::ExplainDecisionRequest* request,
                               v1::ExplainDecisionResponse* response) override {
    if (request->decision_id() == "d-rich") {
      v1::DecideResponse* d = response->mutable_decision();
      d->set_decision_id("d-rich");
      d->set_segment_id("families");
      d->set_micro_segment_id("high_value");
      d->set_strategy_version("v8");
      d->set_strategy_checksum("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
      d->set_fallback(true);
      d->set_fallback_cause("budget_exhausted");
      response->set_segment_rule("true");
      response->add_active_triggers("moved_home");
      response->add_active_context_weights("cancel_call");
      response->add_dimension_levels("value_tier=high");
      v1::CandidateExplanation* c = response->add_candidates();
      c->set_offer_id("tv");
      c->set_source("trigger");
      c->set_score(4);
      c->mutable_parts()->set_pacing(0.5);
      c->set_outcome("pacing");
      c->set_explanation("Dropped: its budget is ahead of plan.");
      v1::BudgetState* b = response->add_budgets();
      b->set_key("budget/tv/day/2026-01-01/count");
      b->set_offer_id("tv");
      b->set_spent(30);
      b->set_limit(40);
      b->set_plan(20);
      b->set_pacing(0.5);
      return grpc::Status::OK;
    }
    if (request->decision_id() != "d-1") {
      return grpc::Status(grpc::StatusCode::NOT_FOUND,
                          absl::StrCat("decision_id \"", request->decision_id(),
                                       "\": no such decision (decisions are kept for "
                                       "--decision_ttl)"));
    }
    response->mutable_decision()->set_decision_id("d-1");
    response->mutable_decision()->set_segment_id("everyone");
    response->set_segment_rule("true");
    v1::CandidateExplanation* c = response->add_candidates();
    c->set_offer_id("bb");
    c->set_source("segment");
    c->set_score(8);
    c->set_outcome("chosen");
    c->set_rank(1);
    c->set_explanation("Chosen (rank 1): score 8.00 = ...");
    c = response->add_candidates();
    c->set_offer_id("tv");
    c->set_source("segment");
    c->set_score(5);
    c->set_outcome("ranked_out");
    c->set_explanation("Dropped: ranked 2nd; only 1 offer was asked for.");
    return grpc::Status::OK;
  }

  // A document "bad" is invalid; anything else is valid with a what-if.
  grpc::Status ValidateStrategy(grpc::ServerContext*, const v1::ValidateStrategyRequest* request,
                                v1::ValidateStrategyResponse* response) override {
    {
      absl::MutexLock lock(&mu_);
      last_validate_ = *request;
    }
    if (request->document_json() == "bad") {
      response->set_valid(false);
      v1::StrategyProblem* p = response->add_problems();
      p->set_location("offers[0].id");
      p->set_message("empty");
      return grpc::Status::OK;
    }
    response->set_valid(true);
    v1::WhatIf* w = response->mutable_what_if();
    w->set_profiles(4);
    w->set_channel(request->channel());
    v1::SegmentShare* s = w->add_segments();
    s->set_segment_id("everyone");
    s->set_name("Everyone");
    s->set_customers(4);
    s->set_share(1);
    v1::OfferFunnel* f = w->add_offers();
    f->set_offer_id("bb");
    f->set_candidates(4);
    f->set_wins(3);
    f->set_top_wins(3);
    (*f->mutable_drops())["already_held"] = 1;
    f->set_top_drop_reason("already_held");
    return grpc::Status::OK;
  }

  v1::ValidateStrategyRequest last_validate() {
    absl::MutexLock lock(&mu_);
    return last_validate_;
  }

  // Segment "broken" fails with DATA_LOSS; otherwise model and control rows of families/fibre.
  grpc::Status GetOutcomeReport(grpc::ServerContext*, const v1::OutcomeReportRequest* request,
                                v1::OutcomeReport* response) override {
    {
      absl::MutexLock lock(&mu_);
      last_report_ = *request;
      ++reports_;
    }
    if (request->segment_id() == "broken") {
      return grpc::Status(grpc::StatusCode::DATA_LOSS, "stored counter is not 8 bytes");
    }
    for (const char* arm : {"control", "model"}) {
      const bool model = absl::string_view(arm) == "model";
      v1::OutcomeReportRow row;
      row.set_arm(arm);
      row.set_offered(model ? 1000 : 200);
      row.set_accepted(model ? 90 : 10);
      row.set_declined(model ? 510 : 90);
      row.set_value(model ? 900 : 100);
      row.set_acceptance_rate(model ? 0.15 : 0.1);
      row.set_acceptance_low(model ? 0.1237 : 0.0552);
      row.set_acceptance_high(model ? 0.1806 : 0.1744);
      *response->add_arms() = row;
      row.set_segment_id("families");
      row.set_offer_id("fibre");
      *response->add_rows() = row;
    }
    return grpc::Status::OK;
  }

  v1::OutcomeReportRequest last_report() {
    absl::MutexLock lock(&mu_);
    return last_report_;
  }
  int reports() {
    absl::MutexLock lock(&mu_);
    return reports_;
  }

 private:
  absl::Mutex mu_;
  v1::ReloadStrategyRequest last_ ABSL_GUARDED_BY(mu_);
  v1::ValidateStrategyRequest last_validate_ ABSL_GUARDED_BY(mu_);
  v1::OutcomeReportRequest last_report_ ABSL_GUARDED_BY(mu_);
  int reports_ ABSL_GUARDED_BY(mu_) = 0;
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

TEST_F(CliTest, DecideSendsPlacementMaxOffersAndContext) {
  options_.decide.customer = "c-1001";
  options_.decide.channel = "web";
  options_.decide.event = "app_open";
  options_.decide.placement = "home";
  options_.decide.max_offers = 3;
  options_.decide.call_reason = "billing";
  options_.decide.product_in_view = "tv-box";
  ASSERT_EQ(Run({"decide"}), kExitOk) << err_.str();
  const v1::DecideRequest sent = decisions_.last();
  EXPECT_EQ(sent.placement(), "home");
  EXPECT_EQ(sent.max_offers(), 3);
  EXPECT_EQ(sent.context().call_reason(), "billing");
  EXPECT_EQ(sent.context().product_in_view(), "tv-box");
  EXPECT_TRUE(sent.event().has_app_open());
}

TEST_F(CliTest, DecideSendsALifeEvent) {
  options_.decide.customer = "c-1001";
  options_.decide.channel = "web";
  options_.decide.life_event = "moved_home";
  ASSERT_EQ(Run({"decide"}), kExitOk) << err_.str();
  const v1::DecideRequest sent = decisions_.last();
  ASSERT_TRUE(sent.event().has_life_event());
  EXPECT_EQ(sent.event().life_event().kind(), "moved_home");
}

TEST_F(CliTest, DecideShowsMicroSegmentFallbackCauseConsentAndPacingOnlyWhenSet) {
  struct Case {
    std::string customer;
    std::vector<std::string> present;
    std::vector<std::string> absent;
  };
  const Case cases[] = {
      {"c-rich",
       {"Segment       Loyal customers (loyal), micro-segment high_value\n",
        "Fallback      yes (budget_exhausted)\n",
        "Consent       Opted out of marketing: service offers only.\n",
        "  1. Fibre 1 Gbit (fibre-1g), upsell, score 2.5 (pacing x0.75)\n"},
       {}},
      {"c-1001",
       {"Segment       Loyal customers (loyal)\n",
        "  1. Fibre 1 Gbit (fibre-1g), upsell, score 2.5\n"},
       {"micro-segment", "Fallback", "Consent", "pacing"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.customer);
    options_.decide.customer = c.customer;
    options_.decide.channel = "web";
    options_.decide.event = "app_open";
    ASSERT_EQ(Run({"decide"}), kExitOk) << err_.str();
    for (const std::string& piece : c.present) EXPECT_THAT(out_.str(), HasSubstr(piece));
    for (const std::string& piece : c.absent) {
      EXPECT_THAT(out_.str(), ::testing::Not(HasSubstr(piece)));
    }
  }
}

TEST_F(CliTest, DecideBadDecisionInputsAreUsageErrorsNamingTheFlag) {
  struct Case {
    std::string name;
    void (*set)(DecideArgs&);
    std::string want_err;
  };
  const Case cases[] = {
      {"max offers", [](DecideArgs& d) { d.max_offers = 21; },
       "nbo: --max_offers must be in 0..20, got 21\n"},
      {"placement", [](DecideArgs& d) { d.placement = std::string(65, 'p'); },
       "nbo: --placement must be at most 64 characters, got 65\n"},
      {"call reason", [](DecideArgs& d) { d.call_reason = std::string(65, 'r'); },
       "nbo: --call_reason must be at most 64 characters, got 65\n"},
      {"product in view", [](DecideArgs& d) { d.product_in_view = std::string(129, 'v'); },
       "nbo: --product_in_view must be at most 128 characters, got 129\n"},
      {"life event kind",
       [](DecideArgs& d) {
         d.event.clear();
         d.life_event = "Moved Home";
       },
       "nbo: --life_event \"Moved Home\": use lower-case letters, digits and _, e.g. "
       "moved_home\n"},
      {"life event on another event", [](DecideArgs& d) { d.life_event = "moved_home"; },
       "nbo: --life_event does not apply to --event app_open (used by: life_event)\n"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    options_.decide = DecideArgs();
    options_.decide.customer = "c-1001";
    options_.decide.channel = "web";
    options_.decide.event = "app_open";
    c.set(options_.decide);
    EXPECT_EQ(Run({"decide"}), kExitUsage);
    EXPECT_EQ(err_.str(), c.want_err);
    EXPECT_EQ(out_.str(), "");
  }
  EXPECT_EQ(decisions_.decides(), 0);
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

TEST_F(CliTest, ExplainPrintsTheCandidates) {
  ASSERT_EQ(Run({"explain", "d-1"}), kExitOk) << err_.str();
  EXPECT_THAT(out_.str(), StartsWith("Decision      d-1 at -\n"));
  EXPECT_THAT(out_.str(), HasSubstr("Rule          true\n"));
  EXPECT_THAT(out_.str(),
              HasSubstr("Candidates    2\n"
                        "  RANK/OUTCOME  OFFER  SOURCE   SCORE  EXPLANATION\n"
                        "  1             bb     segment   8.00  Chosen (rank 1): score 8.00 = ...\n"
                        "  ranked_out    tv     segment   5.00  Dropped: ranked 2nd; only 1 offer "
                        "was asked for.\n"));
}

TEST_F(CliTest, ExplainJsonAndErrors) {
  options_.json = true;
  ASSERT_EQ(Run({"explain", "d-1"}), kExitOk) << err_.str();
  EXPECT_THAT(out_.str(), HasSubstr("\"outcome\": \"ranked_out\""));
  EXPECT_EQ(Run({"explain", "d-404"}), kExitFailed);
  EXPECT_EQ(err_.str(),
            "nbo: ExplainDecision: NOT_FOUND: decision_id \"d-404\": no such decision "
            "(decisions are kept for --decision_ttl)\n");
  EXPECT_EQ(Run({"explain"}), kExitUsage);
  EXPECT_EQ(Run({"explain", "d-1", "d-2"}), kExitUsage);
  EXPECT_THAT(err_.str(), HasSubstr("explain takes one decision id"));
}

TEST_F(CliTest, ExplainShowsWhatShapedTheDecision) {
  ASSERT_EQ(Run({"explain", "d-rich"}), kExitOk) << err_.str();
  EXPECT_EQ(out_.str(),
            "Decision      d-rich at -\n"
            "Customer      -\n"
            "Event         - on unspecified\n"
            "Strategy      v8 (checksum 9f86d081884c)\n"
            "Segment       families, micro-segment high_value\n"
            "Rule          true\n"
            "Dimensions    value_tier=high\n"
            "Triggers      moved_home\n"
            "Context       cancel_call\n"
            "Fallback      yes (budget_exhausted)\n"
            "Kept until    -\n"
            "Candidates    1\n"
            "  RANK/OUTCOME  OFFER  SOURCE   SCORE  PACING  EXPLANATION\n"
            "  pacing        tv     trigger   4.00   x0.50  Dropped: its budget is ahead of plan.\n"
            "Budgets       1\n"
            "  KEY                             OFFER  SPENT/LIMIT  PLAN  PACING\n"
            "  budget/tv/day/2026-01-01/count  tv         30 / 40    20   x0.50\n");
  options_.json = true;
  ASSERT_EQ(Run({"explain", "d-rich"}), kExitOk) << err_.str();
  for (const char* piece :
       {"\"micro_segment_id\": \"high_value\"", "\"active_triggers\": [",
        "\"active_context_weights\": [", "\"dimension_levels\": [", "\"budgets\": [",
        "\"pacing\": 0.5", "\"strategy_checksum\": \"9f86d081884c7d65"}) {
    EXPECT_THAT(out_.str(), HasSubstr(piece));
  }
}

TEST_F(CliTest, StrategyValidateValidPrintsTheWhatIf) {
  const std::string path = testing::TempDir() + "/nbo_cli_test_validate.json";
  std::ofstream(path) << "{\"version\": \"v9\"}";
  options_.decide.channel = "call_centre";
  options_.sample = 50;
  ASSERT_EQ(Run({"strategy", "validate", path}), kExitOk) << err_.str();
  const v1::ValidateStrategyRequest sent = strategies_.last_validate();
  EXPECT_EQ(sent.document_json(), "{\"version\": \"v9\"}");
  EXPECT_EQ(sent.channel(), v1::CHANNEL_CALL_CENTRE);
  EXPECT_EQ(sent.sample_size(), 50);
  EXPECT_EQ(out_.str(),
            "VALID\n"
            "Problems      none\n"
            "What-if       4 profiles on call_centre, 0 answered from the fallback list\n"
            "Segments\n"
            "  SEGMENT   NAME      CUSTOMERS   SHARE\n"
            "  everyone  Everyone          4  100.0%\n"
            "Offers\n"
            "  OFFER  CANDIDATES  WINS  TOP WINS  TOP DROP REASON\n"
            "  bb              4     3         3  already_held (1)\n");
  std::remove(path.c_str());
}

TEST_F(CliTest, StrategyValidateInvalidExitsOne) {
  const std::string path = testing::TempDir() + "/nbo_cli_test_invalid.json";
  std::ofstream(path) << "bad";
  EXPECT_EQ(Run({"strategy", "validate", path}), kExitFailed);
  EXPECT_EQ(out_.str(),
            "INVALID\n"
            "Problems      1 error, 0 warnings\n"
            "  error    offers[0].id: empty\n");
  EXPECT_EQ(err_.str(), "");
  EXPECT_EQ(strategies_.last_validate().sample_size(), 0);
  EXPECT_EQ(strategies_.last_validate().channel(), v1::CHANNEL_UNSPECIFIED);
  options_.json = true;
  EXPECT_EQ(Run({"strategy", "validate", path}), kExitFailed);
  EXPECT_THAT(out_.str(), HasSubstr("\"location\": \"offers[0].id\""));
  std::remove(path.c_str());
}

TEST_F(CliTest, StrategyValidateUsageErrors) {
  EXPECT_EQ(Run({"strategy", "validate"}), kExitUsage);
  EXPECT_THAT(err_.str(), HasSubstr("strategy validate takes one local strategy file"));
  EXPECT_EQ(Run({"strategy", "validate", testing::TempDir() + "/no/such.json"}), kExitUsage);
  EXPECT_THAT(err_.str(), HasSubstr("cannot read"));
  options_.sample = 100001;
  EXPECT_EQ(Run({"strategy", "validate", "x.json"}), kExitUsage);
  EXPECT_EQ(err_.str(), "nbo: --sample must be in 0..100000, got 100001\n");
  options_.sample.reset();
  options_.decide.channel = "fax";
  EXPECT_EQ(Run({"strategy", "validate", "x.json"}), kExitUsage);
}

TEST_F(CliTest, UsageErrors) {
  EXPECT_EQ(Run({}), kExitUsage);
  EXPECT_THAT(err_.str(), HasSubstr("Commands:"));
  EXPECT_EQ(Run({"frobnicate"}), kExitUsage);
  EXPECT_EQ(err_.str(),
            "nbo: unknown command \"frobnicate\"; commands: decide, outcome, profile, explain, "
            "ingest, link, consent, forget, strategy, report, help\n");
  EXPECT_EQ(Run({"strategy", "delete"}), kExitUsage);
  EXPECT_EQ(Run({"decide", "extra"}), kExitUsage);
  options_.timeout = absl::ZeroDuration();
  EXPECT_EQ(Run({"strategy", "show"}), kExitUsage);
}

TEST_F(CliTest, HelpPrintsUsage) {
  EXPECT_EQ(Run({"help"}), kExitOk);
  EXPECT_THAT(out_.str(), HasSubstr("nbo decide --customer"));
  EXPECT_THAT(out_.str(), HasSubstr("Examples:"));
  EXPECT_THAT(out_.str(), HasSubstr("nbo explain DECISION_ID"));
  EXPECT_THAT(out_.str(),
              HasSubstr("nbo outcome DECISION_ID OFFER_ID accepted|declined|presented|ignored "
                        "[--value N]"));
  EXPECT_THAT(out_.str(), HasSubstr("nbo strategy validate FILE [--channel web] [--sample 1000]"));
  EXPECT_THAT(out_.str(), HasSubstr("nbo report outcomes [--segment S] [--offer O]"));
  for (const char* flag : {"--placement NAME", "--max_offers 0..20", "--call_reason TEXT",
                           "--product_in_view PRODUCT", "--life_event KIND", "--max-offers"}) {
    EXPECT_THAT(out_.str(), HasSubstr(flag));
  }
}

// A line of `nbo ingest` input for `customer` with event id `id`.
std::string EventLine(absl::string_view customer, absl::string_view id) {
  return absl::StrCat(R"({"customer":{"customer_id":")", customer, R"("},"event":{"event_id":")",
                      id, R"(","channel":"CHANNEL_WEB","page_view":{"page":"home"}}})", "\n");
}

// Writes `text` to a fresh file under the test's temporary directory; returns its path.
std::string WriteTemp(absl::string_view name, absl::string_view text) {
  const std::string path = absl::StrCat(testing::TempDir(), "/", name);
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

TEST_F(CliTest, IngestStreamsEveryEventInBatches) {
  std::string text;
  for (int i = 1; i <= 7; ++i) absl::StrAppend(&text, EventLine("c-1", absl::StrCat("e", i)));
  const std::string path = WriteTemp("nbo_cli_ingest.jsonl", text);
  options_.batch = 3;
  ASSERT_EQ(Run({"ingest", path}), kExitOk) << err_.str();
  EXPECT_THAT(decisions_.batch_sizes(), ElementsAre(3, 3, 1));
  EXPECT_THAT(decisions_.received(), ElementsAre("e1", "e2", "e3", "e4", "e5", "e6", "e7"));
  EXPECT_THAT(out_.str(), StartsWith(absl::StrCat("Input         ", path,
                                                  ", 7 lines\n"
                                                  "Sent          7 events in 3 messages, ")));
  EXPECT_THAT(out_.str(), HasSubstr("Applied       7\nDuplicates    0\nRejected      0\n"));
  EXPECT_EQ(err_.str(), "");  // not a terminal: no progress
  std::remove(path.c_str());
}

TEST_F(CliTest, IngestReportsLocalAndServerRejectionsAndStillSucceeds) {
  const std::string text =
      absl::StrCat(EventLine("c-1", "e1"), "{not json\n", "\n", EventLine("c-1", "dup-1"),
                   R"({"customer":{}})", "\n", EventLine("c-1", "bad-1"));
  std::istringstream in(text);
  options_.stdin_stream = &in;
  ASSERT_EQ(Run({"ingest", "-"}), kExitOk) << err_.str();
  EXPECT_THAT(decisions_.received(), ElementsAre("e1", "dup-1", "bad-1"));
  const std::string out = out_.str();
  EXPECT_THAT(out, StartsWith("Input         stdin, 6 lines\n"
                              "Sent          3 events in 1 message, "));
  EXPECT_THAT(out, HasSubstr("Applied       1\n"
                             "Duplicates    1\n"
                             "Rejected      3 (2 unparsable lines, 1 by the server)\n"
                             "  line 2: invalid JSON IngestEvent: "));
  EXPECT_THAT(out, HasSubstr("\n  line 5: missing \"customer\""));
  EXPECT_THAT(out, EndsWith("\n  bad-1: channel is required\n"));
}

TEST_F(CliTest, IngestJsonMergesTheLocalRejections) {
  std::istringstream in(absl::StrCat(EventLine("c-1", "e1"), "oops\n"));
  options_.stdin_stream = &in;
  options_.json = true;
  ASSERT_EQ(Run({"ingest", "-"}), kExitOk) << err_.str();
  EXPECT_THAT(out_.str(), HasSubstr("\"applied\": \"1\""));
  EXPECT_THAT(out_.str(), HasSubstr("\"rejected\": \"1\""));
  EXPECT_THAT(out_.str(), HasSubstr("\"line 2: invalid JSON IngestEvent: "));
}

TEST_F(CliTest, IngestDrawsProgressOnATerminal) {
  const std::string path = WriteTemp(
      "nbo_cli_progress.jsonl", absl::StrCat(EventLine("c-1", "e1"), "\n", EventLine("c-1", "e2")));
  options_.progress = true;
  ASSERT_EQ(Run({"ingest", path}), kExitOk) << err_.str();
  // The last redraw shows the full bar; a newline ends the progress line before the summary.
  EXPECT_THAT(err_.str(), HasSubstr("\r[==========] 2/2 events  "));
  EXPECT_THAT(err_.str(), EndsWith(" ev/s\x1b[K\n"));
  std::remove(path.c_str());

  std::istringstream in(EventLine("c-1", "e3"));
  options_.stdin_stream = &in;
  ASSERT_EQ(Run({"ingest", "-"}), kExitOk) << err_.str();
  EXPECT_THAT(err_.str(), StartsWith("\r1 events  "));  // stdin: no total, no bar
}

TEST_F(CliTest, IngestServerErrorIsExitOne) {
  std::istringstream in(absl::StrCat(EventLine("c-1", "e1"), EventLine("c-fail", "e2")));
  options_.stdin_stream = &in;
  options_.batch = 1;
  EXPECT_EQ(Run({"ingest", "-"}), kExitFailed);
  EXPECT_THAT(err_.str(),
              StartsWith("nbo: IngestEvents: FAILED_PRECONDITION: store is read-only\n"));
  EXPECT_EQ(out_.str(), "");
}

TEST_F(CliTest, IngestUsageErrors) {
  EXPECT_EQ(Run({"ingest"}), kExitUsage);
  EXPECT_EQ(Run({"ingest", "a", "b"}), kExitUsage);
  EXPECT_EQ(Run({"ingest", testing::TempDir() + "/no/such.jsonl"}), kExitUsage);
  EXPECT_THAT(err_.str(), HasSubstr("cannot read"));
  options_.batch = 0;
  EXPECT_EQ(Run({"ingest", "-"}), kExitUsage);
  EXPECT_EQ(err_.str(), "nbo: --batch must be in 1..10000, got 0\n");
  options_.batch = 10001;
  EXPECT_EQ(Run({"ingest", "-"}), kExitUsage);
  options_.batch = 10000;
  std::istringstream empty("");
  options_.stdin_stream = &empty;
  EXPECT_EQ(Run({"ingest", "-"}), kExitOk) << err_.str();
  EXPECT_THAT(decisions_.batch_sizes(), ElementsAre());
}

TEST_F(CliTest, IngestTheExampleFile) {
  ASSERT_EQ(Run({"ingest", std::string(NBO_EXAMPLES_DIR) + "/events.jsonl"}), kExitOk)
      << err_.str();
  EXPECT_THAT(out_.str(), HasSubstr("Rejected      0\n"));
  EXPECT_GE(decisions_.received().size(), 180u);
}

TEST_F(CliTest, LinkPrintsSurvivorAndMerge) {
  ASSERT_EQ(Run({"link", "c-2001", "loyalty:L-taken"}), kExitOk) << err_.str();
  EXPECT_EQ(out_.str(),
            "Linked        loyalty:L-taken -> c-2001\n"
            "Merged        yes: c-2017 was merged into c-2001\n");
  EXPECT_EQ(profiles_.last_link().customer().customer_id(), "c-2001");
  EXPECT_EQ(profiles_.last_link().identity().source(), "loyalty");
  ASSERT_EQ(Run({"link", "c-2001", "loyalty:L-new"}), kExitOk) << err_.str();
  EXPECT_THAT(out_.str(), EndsWith("Merged        no\n"));
  EXPECT_EQ(Run({"link", "c-2001"}), kExitUsage);
  EXPECT_EQ(Run({"link", "c-2001", "c-2002"}), kExitUsage);
  EXPECT_THAT(err_.str(), HasSubstr("source identity"));
}

TEST_F(CliTest, ConsentSendsChannelAndDirection) {
  options_.decide.channel = "email";
  options_.opt_out = true;
  options_.decide.source = "web_preferences";
  ASSERT_EQ(Run({"consent", "c-2001"}), kExitOk) << err_.str();
  EXPECT_EQ(out_.str(), "Consent       c-2001 opted out of email (source web_preferences)\n");
  v1::UpdateConsentRequest sent = profiles_.last_consent();
  EXPECT_EQ(sent.channel(), v1::CHANNEL_EMAIL);
  EXPECT_FALSE(sent.opted_in());
  EXPECT_EQ(sent.source(), "web_preferences");

  options_.decide.channel = "all";
  options_.opt_out = false;
  options_.opt_in = true;
  options_.decide.source.clear();
  options_.decide.customer = "loyalty:L-1001";
  ASSERT_EQ(Run({"consent"}), kExitOk) << err_.str();
  sent = profiles_.last_consent();
  EXPECT_EQ(sent.channel(), v1::CHANNEL_UNSPECIFIED);
  EXPECT_TRUE(sent.opted_in());
  EXPECT_EQ(sent.customer().identity().external_id(), "L-1001");

  options_.opt_out = true;
  EXPECT_EQ(Run({"consent"}), kExitUsage);
  EXPECT_EQ(err_.str(), "nbo: consent needs exactly one of --opt_in, --opt_out\n");
  EXPECT_EQ(Run({"consent", "c-1", "c-2"}), kExitUsage);
}

TEST_F(CliTest, ForgetNeedsYes) {
  options_.suppress = true;
  EXPECT_EQ(Run({"forget", "c-2001"}), kExitUsage);
  EXPECT_THAT(err_.str(), StartsWith("nbo forget would erase customer c-2001 for good"));
  EXPECT_THAT(err_.str(), HasSubstr("Run again with --yes"));
  EXPECT_EQ(out_.str(), "");
  EXPECT_EQ(profiles_.forgets(), 0);

  options_.yes = true;
  ASSERT_EQ(Run({"forget", "c-2001"}), kExitOk) << err_.str();
  EXPECT_EQ(out_.str(), "Forgot        c-2001: 7 records deleted; future events suppressed\n");
  EXPECT_EQ(profiles_.forgets(), 1);
  EXPECT_TRUE(profiles_.last_forget().suppress_future_events());
  EXPECT_EQ(Run({"forget"}), kExitUsage);
  EXPECT_EQ(err_.str(), "nbo: forget needs a customer: nbo forget c-1001 --yes\n");
}

TEST_F(CliTest, OutcomePrintsWhatWasRecorded) {
  ASSERT_EQ(Run({"outcome", "d-1", "t_premium", "accepted"}), kExitOk) << err_.str();
  EXPECT_EQ(out_.str(), "Recorded: accepted t_premium for decision d-1\n");
  v1::OutcomeRequest sent = decisions_.last_outcome();
  EXPECT_EQ(sent.decision_id(), "d-1");
  EXPECT_EQ(sent.offer_id(), "t_premium");
  EXPECT_EQ(sent.outcome(), v1::OUTCOME_ACCEPTED);
  EXPECT_EQ(sent.value_realised(), 0);
  EXPECT_FALSE(sent.has_at());

  options_.value = 12.5;
  ASSERT_EQ(Run({"outcome", "d-1", "t_premium", "declined"}), kExitOk) << err_.str();
  EXPECT_EQ(out_.str(), "Recorded: declined t_premium for decision d-1, value 12.50\n");
  sent = decisions_.last_outcome();
  EXPECT_EQ(sent.outcome(), v1::OUTCOME_DECLINED);
  EXPECT_EQ(sent.value_realised(), 12.5);
}

TEST_F(CliTest, OutcomeSaysWhenItWasAlreadyRecorded) {
  ASSERT_EQ(Run({"outcome", "d-dup", "tv", "ignored"}), kExitOk) << err_.str();
  EXPECT_EQ(out_.str(), "Already recorded: ignored tv for decision d-dup (nothing changed)\n");
}

TEST_F(CliTest, OutcomeJsonPrintsTheResponse) {
  options_.json = true;
  ASSERT_EQ(Run({"outcome", "d-dup", "tv", "presented"}), kExitOk) << err_.str();
  EXPECT_THAT(out_.str(), HasSubstr("\"duplicate\": true"));
  EXPECT_THAT(out_.str(), HasSubstr("\"customer_id\": \"c-1001\""));
}

TEST_F(CliTest, OutcomeRefusedByTheServerExitsOne) {
  EXPECT_EQ(Run({"outcome", "d-404", "tv", "accepted"}), kExitFailed);
  EXPECT_EQ(err_.str(),
            "nbo: RecordOutcome: NOT_FOUND: decision \"d-404\" is unknown or past its "
            "attribution window\n");
  EXPECT_EQ(out_.str(), "");
}

TEST_F(CliTest, OutcomeUsageErrorsSendNothing) {
  EXPECT_EQ(Run({"outcome"}), kExitUsage);
  EXPECT_THAT(err_.str(), StartsWith("nbo: outcome takes a decision id, an offer id and one of"));
  EXPECT_EQ(Run({"outcome", "d-1", "tv"}), kExitUsage);
  EXPECT_EQ(Run({"outcome", "d-1", "tv", "accepted", "extra"}), kExitUsage);
  EXPECT_EQ(Run({"outcome", "d-1", "tv", "bought"}), kExitUsage);
  EXPECT_EQ(err_.str(),
            "nbo: unknown outcome \"bought\"; one of: presented, accepted, declined, ignored\n");
  EXPECT_EQ(Run({"outcome", "d-1", "tv", "ACCEPTED"}), kExitUsage);
  EXPECT_EQ(Run({"outcome", "", "tv", "accepted"}), kExitUsage);
  EXPECT_THAT(err_.str(), StartsWith("nbo: outcome needs a decision id"));
  EXPECT_EQ(Run({"outcome", "d-1", "", "accepted"}), kExitUsage);
  EXPECT_THAT(err_.str(), StartsWith("nbo: outcome needs an offer id"));
  options_.value = -1;
  EXPECT_EQ(Run({"outcome", "d-1", "tv", "accepted"}), kExitUsage);
  EXPECT_EQ(err_.str(), "nbo: --value must be a number >= 0 (the margin earned), got -1\n");
  EXPECT_EQ(decisions_.outcomes(), 0);
}

TEST_F(CliTest, ReportOutcomesPrintsArmsThenSegmentsWithLift) {
  ASSERT_EQ(Run({"report", "outcomes"}), kExitOk) << err_.str();
  EXPECT_EQ(out_.str(),
            "Arms\n"
            "  ARM      OFFERED  OUTCOMES  ACCEPTED   RATE         95% CI   VALUE\n"
            "  model       1000       600        90  15.0%  12.4% - 18.1%  900.00\n"
            "  control      200       100        10  10.0%   5.5% - 17.4%  100.00\n"
            "Lift          model over control +5.0 pts, 95% CI -1.5 to +11.5 pts\n"
            "Segment       families\n"
            "  OFFER  ARM      OFFERED  OUTCOMES  ACCEPTED   RATE         95% CI   VALUE  LIFT "
            "(95% CI)\n"
            "  fibre  model       1000       600        90  15.0%  12.4% - 18.1%  900.00  +5.0 pts "
            "(-1.5 to +11.5)\n"
            "  fibre  control      200       100        10  10.0%   5.5% - 17.4%  100.00\n");
  EXPECT_EQ(err_.str(), "");
  EXPECT_EQ(strategies_.last_report().segment_id(), "");
  EXPECT_EQ(strategies_.last_report().offer_id(), "");
}

TEST_F(CliTest, ReportOutcomesSendsTheFilters) {
  options_.segment = "families";
  options_.offer = "fibre";
  ASSERT_EQ(Run({"report", "outcomes"}), kExitOk) << err_.str();
  EXPECT_THAT(out_.str(), StartsWith("Filter        segment families, offer fibre\nArms\n"));
  EXPECT_EQ(strategies_.last_report().segment_id(), "families");
  EXPECT_EQ(strategies_.last_report().offer_id(), "fibre");
}

TEST_F(CliTest, ReportOutcomesJsonPrintsTheReport) {
  options_.json = true;
  ASSERT_EQ(Run({"report", "outcomes"}), kExitOk) << err_.str();
  EXPECT_THAT(out_.str(), StartsWith("{"));
  EXPECT_THAT(out_.str(), HasSubstr("\"acceptance_rate\": 0.15"));
  EXPECT_THAT(out_.str(), HasSubstr("\"segment_id\": \"families\""));
  EXPECT_THAT(out_.str(), Not(HasSubstr("Lift")));
}

TEST_F(CliTest, ReportOutcomesRefusedByTheServerExitsOne) {
  options_.segment = "broken";
  EXPECT_EQ(Run({"report", "outcomes"}), kExitFailed);
  EXPECT_EQ(err_.str(), "nbo: GetOutcomeReport: DATA_LOSS: stored counter is not 8 bytes\n");
  EXPECT_EQ(out_.str(), "");
}

TEST_F(CliTest, ReportUsageErrorsSendNothing) {
  EXPECT_EQ(Run({"report"}), kExitUsage);
  EXPECT_EQ(err_.str(),
            "nbo: report needs one of: outcomes (nbo report outcomes [--segment S] [--offer O] "
            "[--json])\n");
  EXPECT_EQ(Run({"report", "budgets"}), kExitUsage);
  EXPECT_EQ(Run({"report", "outcomes", "families"}), kExitUsage);
  options_.segment = "Young Families";
  EXPECT_EQ(Run({"report", "outcomes"}), kExitUsage);
  EXPECT_EQ(err_.str(),
            "nbo: --segment \"Young Families\" is not a segment id (1..64 characters of "
            "[a-z0-9_-])\n");
  options_.segment = "";
  options_.offer = "fibre/1g";
  EXPECT_EQ(Run({"report", "outcomes"}), kExitUsage);
  EXPECT_THAT(err_.str(), StartsWith("nbo: --offer \"fibre/1g\" is not an offer id"));
  EXPECT_EQ(strategies_.reports(), 0);
}

TEST(OutcomeArgsTest, ParsesEveryOutcomeWord) {
  EXPECT_EQ(*ParseOutcome("presented"), v1::OUTCOME_PRESENTED);
  EXPECT_EQ(*ParseOutcome("accepted"), v1::OUTCOME_ACCEPTED);
  EXPECT_EQ(*ParseOutcome("declined"), v1::OUTCOME_DECLINED);
  EXPECT_EQ(*ParseOutcome("ignored"), v1::OUTCOME_IGNORED);
  for (absl::string_view bad : {"", "unspecified", "Accepted", "accept", "2"}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(ParseOutcome(bad).status().code(), absl::StatusCode::kInvalidArgument);
  }
  EXPECT_EQ(OutcomeWord(v1::OUTCOME_IGNORED), "ignored");
  EXPECT_EQ(OutcomeWord(static_cast<v1::Outcome>(42)), "42");
}

TEST(OutcomeArgsTest, BuildsTheRequest) {
  auto r = BuildOutcomeRequest("d-1", "fibre", "accepted", 30.0);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->decision_id(), "d-1");
  EXPECT_EQ(r->offer_id(), "fibre");
  EXPECT_EQ(r->outcome(), v1::OUTCOME_ACCEPTED);
  EXPECT_EQ(r->value_realised(), 30.0);
  EXPECT_EQ(BuildOutcomeRequest("d-1", "fibre", "ignored", std::nullopt)->value_realised(), 0);
  EXPECT_TRUE(BuildOutcomeRequest("d-1", "fibre", "ignored", 0.0).ok());
  for (double bad :
       {-0.01, std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity()}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(BuildOutcomeRequest("d-1", "fibre", "accepted", bad).status().code(),
              absl::StatusCode::kInvalidArgument);
  }
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

TEST(CliUnreachableTest, ReportSaysTheServerCannotBeReached) {
  CliOptions options;
  options.addr = absl::StrCat("127.0.0.1:", ClosedLoopbackPort());
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(RunCli({"report", "outcomes"}, options, out, err), kExitUnreachable);
  EXPECT_EQ(out.str(), "");
  EXPECT_THAT(err.str(), StartsWith("nbo: cannot reach nbo-server at "));
}

TEST(CliUnreachableTest, IngestSaysTheServerCannotBeReached) {
  CliOptions options;
  options.addr = absl::StrCat("127.0.0.1:", ClosedLoopbackPort());
  std::istringstream in(EventLine("c-1", "e1"));
  options.stdin_stream = &in;
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(RunCli({"ingest", "-"}, options, out, err), kExitUnreachable);
  EXPECT_EQ(out.str(), "");
  EXPECT_THAT(err.str(), StartsWith("nbo: cannot reach nbo-server at "));
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
