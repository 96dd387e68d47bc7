// End to end: the real nbo-server binary on free loopback ports, driven over gRPC and by the nbo
// CLI, restarted on the same data directory, scraped by Prometheus' own checker.
#include <signal.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "nbo/v1/decision.grpc.pb.h"
#include "nbo/v1/profile.grpc.pb.h"
#include "nbo/v1/strategy.grpc.pb.h"
#include "tests/server_process.h"

namespace nbo {
namespace {

using ::testing::HasSubstr;
using testing::ServerProcess;
using testing::TempDir;

// An idle synchronous C++ channel only reads its socket from gRPC's backup poller (every 5 s by
// default), so it notices the server's GOAWAY late and the server waits out its shutdown grace.
// Clients with traffic see GOAWAY at once; the tests' idle clients poll faster instead.
const bool kFastClientPolling =
    setenv("GRPC_CLIENT_CHANNEL_BACKUP_POLL_INTERVAL_MS", "100", /*overwrite=*/0) == 0;

const std::string kStrategy = std::string(NBO_SOURCE_DIR) + "/examples/strategy.json";

std::unique_ptr<ServerProcess> MustStart(const std::string& data_dir,
                                         std::vector<std::string> extra = {}) {
  std::vector<std::string> flags = {"--data_dir=" + data_dir, "--strategy=" + kStrategy,
                                    "--shutdown_grace=2s"};
  flags.insert(flags.end(), extra.begin(), extra.end());
  auto server = ServerProcess::Start(flags);
  EXPECT_TRUE(server.ok()) << server.status();
  return server.ok() ? *std::move(server) : nullptr;
}

class Client {
 public:
  explicit Client(const std::string& address)
      : channel_(grpc::CreateChannel(address, grpc::InsecureChannelCredentials())),
        decisions_(v1::DecisionService::NewStub(channel_)),
        profiles_(v1::ProfileService::NewStub(channel_)),
        strategies_(v1::StrategyService::NewStub(channel_)) {}

  grpc::Status Decide(const std::string& customer, v1::Event event, v1::DecideResponse* out) {
    v1::DecideRequest req;
    req.mutable_customer()->set_customer_id(customer);
    *req.mutable_event() = std::move(event);
    auto ctx = Context();
    return decisions_->Decide(ctx.get(), req, out);
  }
  grpc::Status GetProfile(const std::string& customer, v1::GetProfileResponse* out) {
    v1::GetProfileRequest req;
    req.mutable_customer()->set_customer_id(customer);
    auto ctx = Context();
    return profiles_->GetProfile(ctx.get(), req, out);
  }
  grpc::Status Reload(const v1::ReloadStrategyRequest& req, v1::ReloadStrategyResponse* out) {
    auto ctx = Context();
    return strategies_->ReloadStrategy(ctx.get(), req, out);
  }
  grpc::Status GetStrategy(v1::GetStrategyResponse* out) {
    auto ctx = Context();
    return strategies_->GetStrategy(ctx.get(), v1::GetStrategyRequest(), out);
  }
  std::shared_ptr<grpc::Channel> channel() { return channel_; }
  v1::DecisionService::Stub& decisions() { return *decisions_; }
  v1::ProfileService::Stub& profiles() { return *profiles_; }

  static std::unique_ptr<grpc::ClientContext> Context() {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return ctx;
  }

 private:
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::DecisionService::Stub> decisions_;
  std::unique_ptr<v1::ProfileService::Stub> profiles_;
  std::unique_ptr<v1::StrategyService::Stub> strategies_;
};

v1::Event PageView(const std::string& id) {
  v1::Event e;
  e.set_event_id(id);
  e.set_channel(v1::CHANNEL_WEB);
  e.mutable_page_view()->set_page("home");
  return e;
}

v1::Event Purchase(const std::string& id, const std::string& product) {
  v1::Event e;
  e.set_event_id(id);
  e.set_channel(v1::CHANNEL_WEB);
  auto* item = e.mutable_purchase()->add_items();
  item->set_product(product);
  item->set_category("broadband");
  item->set_amount(30);
  item->set_margin(12);
  return e;
}

TEST(EndToEndTest, DecisionsUpdateTheProfileWhichSurvivesARestart) {
  TempDir dir;
  auto server = MustStart(dir.path());
  ASSERT_NE(server, nullptr);
  {
    Client client(server->grpc_address());
    v1::DecideResponse first;
    ASSERT_TRUE(client.Decide("c-1001", PageView("e1"), &first).ok());
    EXPECT_FALSE(first.decision_id().empty());
    EXPECT_EQ(first.customer_id(), "c-1001");
    EXPECT_FALSE(first.segment_id().empty());
    EXPECT_EQ(first.strategy_version(), "2026-11-23.4");
    ASSERT_GE(first.offers_size(), 1);
    EXPECT_FALSE(first.offers(0).reason().empty());

    v1::DecideResponse second;
    ASSERT_TRUE(client.Decide("c-1001", Purchase("e2", "broadband_basic"), &second).ok());
    EXPECT_NE(second.segment_id(), first.segment_id());
    EXPECT_NE(second.decision_id(), first.decision_id());
  }
  EXPECT_EQ(server->Stop(), 0) << server->stderr_text();
  EXPECT_THAT(server->stderr_text(), HasSubstr("stopped cleanly"));

  server = MustStart(dir.path());
  ASSERT_NE(server, nullptr);
  Client client(server->grpc_address());
  v1::GetProfileResponse profile;
  ASSERT_TRUE(client.GetProfile("c-1001", &profile).ok());
  EXPECT_EQ(profile.profile().interactions(), 2);
  ASSERT_EQ(profile.profile().holdings_size(), 1);
  EXPECT_EQ(profile.profile().holdings(0).product(), "broadband_basic");
  EXPECT_DOUBLE_EQ(profile.profile().monetary_total(), 30);
  EXPECT_FALSE(profile.highlights().empty());

  v1::DecideResponse third;
  ASSERT_TRUE(client.Decide("c-1001", PageView("e3"), &third).ok());
  ASSERT_TRUE(client.GetProfile("c-1001", &profile).ok());
  EXPECT_EQ(profile.profile().interactions(), 3);
  EXPECT_EQ(server->Stop(), 0);
}

TEST(EndToEndTest, ASlowStoreGetsTheLatencyFallbackAndTheEventStillLands) {
  TempDir dir;
  // Every profile read takes 500 ms; the budget is 20 ms, so the timer answers at 16 ms.
  auto server = MustStart(dir.path() + "/db", {"--latency_budget=20ms", "--debug_slow_read_share=1",
                                               "--debug_slow_read_delay=500ms"});
  ASSERT_NE(server, nullptr);
  Client client(server->grpc_address());
  v1::DecideResponse answer;
  grpc::Status s = client.Decide("c-slow", PageView("slow-1"), &answer);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_TRUE(answer.fallback());
  EXPECT_EQ(answer.fallback_cause(), "latency_budget");
  EXPECT_FALSE(answer.decision_id().empty());
  for (const v1::RankedOffer& o : answer.offers()) {
    EXPECT_EQ(o.kind(), v1::OFFER_KIND_SERVICE) << o.offer_id() << ": consent is unknown";
  }
  // The worker finishes after the answer: the page view reaches the profile all the same.
  int64_t interactions = 0;
  for (int attempt = 0; attempt < 20 && interactions == 0; ++attempt) {
    v1::GetProfileResponse profile;
    if (client.GetProfile("c-slow", &profile).ok()) interactions = profile.profile().interactions();
  }
  EXPECT_EQ(interactions, 1);
  EXPECT_EQ(server->Stop(), 0);
}

TEST(EndToEndTest, BadRequestsGetSpecificCodes) {
  TempDir dir;
  auto server = MustStart(dir.path());
  ASSERT_NE(server, nullptr);
  Client client(server->grpc_address());
  v1::DecideResponse out;
  grpc::Status s = client.Decide("c-1", PageView(""), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("event.event_id"));

  v1::GetProfileResponse profile;
  s = client.GetProfile("c-never-seen", &profile);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);

  v1::OutcomeResponse outcome;
  auto ctx = Client::Context();
  s = client.decisions().RecordOutcome(ctx.get(), v1::OutcomeRequest(), &outcome);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("decision_id"));

  EXPECT_EQ(server->Stop(), 0);
}

v1::CustomerRef IdentityRef(const std::string& source, const std::string& external_id) {
  v1::CustomerRef ref;
  ref.mutable_identity()->set_source(source);
  ref.mutable_identity()->set_external_id(external_id);
  return ref;
}

TEST(EndToEndTest, SingleCustomerViewLinkRetryConsentAndErasure) {
  TempDir dir;
  auto server = MustStart(dir.path());
  ASSERT_NE(server, nullptr);
  Client client(server->grpc_address());

  // An anonymous web visitor gets a profile of its own.
  v1::DecideRequest web;
  *web.mutable_customer() = IdentityRef("web", "cookie-42");
  *web.mutable_event() = PageView("w1");
  v1::DecideResponse anonymous;
  auto ctx = Client::Context();
  ASSERT_TRUE(client.decisions().Decide(ctx.get(), web, &anonymous).ok());
  const std::string absorbed = anonymous.customer_id();
  v1::DecideResponse out;
  ASSERT_TRUE(client.Decide("c-1001", Purchase("p1", "broadband_basic"), &out).ok());

  // Logging in links the cookie to the known customer: the two profiles merge.
  v1::LinkIdentityRequest link;
  link.mutable_customer()->set_customer_id("c-1001");
  link.mutable_identity()->set_source("web");
  link.mutable_identity()->set_external_id("cookie-42");
  v1::LinkIdentityResponse linked;
  ctx = Client::Context();
  ASSERT_TRUE(client.profiles().LinkIdentity(ctx.get(), link, &linked).ok());
  EXPECT_TRUE(linked.merged());
  EXPECT_EQ(linked.absorbed_customer_id(), absorbed);

  // The absorbed id is an alias: lookups and events reach the survivor.
  v1::GetProfileResponse profile;
  ASSERT_TRUE(client.GetProfile(absorbed, &profile).ok());
  EXPECT_EQ(profile.profile().customer_id(), "c-1001");
  EXPECT_EQ(profile.profile().interactions(), 2);
  ASSERT_TRUE(client.Decide(absorbed, PageView("w2"), &out).ok());
  EXPECT_EQ(out.customer_id(), "c-1001");

  // A retried event gets the original answer; the same id with another payload is refused.
  v1::DecideResponse first, retry;
  ASSERT_TRUE(client.Decide("c-1001", PageView("retry-me"), &first).ok());
  ASSERT_TRUE(client.Decide("c-1001", PageView("retry-me"), &retry).ok());
  EXPECT_EQ(retry.decision_id(), first.decision_id());
  grpc::Status s = client.Decide("c-1001", Purchase("retry-me", "tv_basic"), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  ASSERT_TRUE(client.GetProfile("c-1001", &profile).ok());
  EXPECT_EQ(profile.profile().interactions(), 4);

  // Consent.
  v1::UpdateConsentRequest consent;
  consent.mutable_customer()->set_customer_id("c-1001");
  consent.set_channel(v1::CHANNEL_EMAIL);
  consent.set_opted_in(false);
  v1::UpdateConsentResponse consented;
  ctx = Client::Context();
  ASSERT_TRUE(client.profiles().UpdateConsent(ctx.get(), consent, &consented).ok());
  ASSERT_TRUE(client.GetProfile("c-1001", &profile).ok());
  ASSERT_EQ(profile.profile().consents_size(), 1);
  EXPECT_FALSE(profile.profile().consents(0).opted_in());
  v1::Event email = PageView("email-1");
  email.set_channel(v1::CHANNEL_EMAIL);
  v1::DecideResponse on_email;
  ASSERT_TRUE(client.Decide("c-1001", email, &on_email).ok());
  EXPECT_THAT(on_email.consent_note(), HasSubstr("opted out of marketing on email"));
  for (const auto& offer : on_email.offers()) {
    EXPECT_EQ(offer.kind(), v1::OFFER_KIND_SERVICE) << offer.offer_id();
  }

  // Erasure with suppression: gone, and later events do not bring the person back.
  v1::ForgetCustomerRequest forget;
  *forget.mutable_customer() = IdentityRef("web", "cookie-42");
  forget.set_suppress_future_events(true);
  v1::ForgetCustomerResponse forgotten;
  ctx = Client::Context();
  ASSERT_TRUE(client.profiles().ForgetCustomer(ctx.get(), forget, &forgotten).ok());
  EXPECT_GT(forgotten.records_deleted(), 3);
  EXPECT_EQ(client.GetProfile("c-1001", &profile).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(client.GetProfile(absorbed, &profile).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(client.Decide("c-1001", PageView("after"), &out).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  *web.mutable_event() = PageView("after-web");
  ctx = Client::Context();
  EXPECT_EQ(client.decisions().Decide(ctx.get(), web, &out).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(server->Stop(), 0);
}

TEST(EndToEndTest, CliIngestsTheExampleEventsExactlyOnce) {
  TempDir dir;
  auto server = MustStart(dir.path());
  ASSERT_NE(server, nullptr);
  const std::string addr = "--addr=" + server->grpc_address();
  const std::string events = std::string(NBO_SOURCE_DIR) + "/examples/events.jsonl";
  auto first =
      testing::RunProcess({NBO_CLI_BIN, "ingest", addr, events, "--json"}, absl::Seconds(60));
  ASSERT_EQ(first.exit_code, 0) << first.stderr_text << first.stdout_text;
  EXPECT_THAT(first.stdout_text, HasSubstr("\"applied\""));
  EXPECT_THAT(first.stdout_text, ::testing::Not(HasSubstr("\"rejected\"")));

  auto second =
      testing::RunProcess({NBO_CLI_BIN, "ingest", addr, events, "--json"}, absl::Seconds(60));
  ASSERT_EQ(second.exit_code, 0) << second.stderr_text;
  EXPECT_THAT(second.stdout_text, HasSubstr("\"duplicates\""));
  EXPECT_THAT(second.stdout_text, ::testing::Not(HasSubstr("\"applied\"")));

  Client client(server->grpc_address());
  v1::GetProfileResponse profile;
  ASSERT_TRUE(client.GetProfile("c-2001", &profile).ok());
  EXPECT_GT(profile.profile().interactions(), 0);
  EXPECT_FALSE(profile.profile().recent_events().empty());

  auto shown = testing::RunProcess({NBO_CLI_BIN, "profile", addr, "c-2001"}, absl::Seconds(30));
  EXPECT_EQ(shown.exit_code, 0) << shown.stderr_text;
  EXPECT_EQ(server->Stop(), 0);
}

TEST(EndToEndTest, BrokenStrategyIsRefusedWhileDecisionsKeepWorking) {
  TempDir dir;
  auto server = MustStart(dir.path());
  ASSERT_NE(server, nullptr);
  Client client(server->grpc_address());

  std::atomic<bool> stop{false};
  std::atomic<int> ok{0}, failed{0};
  std::thread load([&] {
    Client c(server->grpc_address());
    for (int i = 0; i < 2000 && !stop; ++i) {
      v1::DecideResponse out;
      (c.Decide(absl::StrCat("c-", i % 50), PageView(absl::StrCat("load-", i)), &out).ok()
           ? ok
           : failed)++;
    }
  });

  v1::ReloadStrategyRequest bad;
  bad.set_inline_json(R"({"version": "broken", "offers": [{"id": "x", "name": "X",
      "kind": "cross_sell", "channels": ["fax"]}], "segments": [{"id": "all", "name": "All",
      "rule": "true"}]})");
  v1::ReloadStrategyResponse reloaded;
  for (int i = 0; i < 5; ++i) {
    grpc::Status s = client.Reload(bad, &reloaded);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(s.error_message(), HasSubstr(R"(offers[0].channels[0]: unknown channel "fax")"));
  }
  v1::ReloadStrategyRequest from_file;
  from_file.set_from_file(true);
  ASSERT_TRUE(client.Reload(from_file, &reloaded).ok());
  EXPECT_EQ(reloaded.info().version(), "2026-11-23.4");
  EXPECT_EQ(reloaded.previous_version(), "2026-11-23.4");
  stop = true;
  load.join();
  EXPECT_GT(ok.load(), 0);
  EXPECT_EQ(failed.load(), 0);

  v1::GetStrategyResponse current;
  ASSERT_TRUE(client.GetStrategy(&current).ok());
  EXPECT_EQ(current.info().version(), "2026-11-23.4");
  EXPECT_EQ(current.info().checksum().size(), 64u);
  EXPECT_EQ(server->Stop(), 0);
}

TEST(EndToEndTest, ValidateStrategyRunsAWhatIfOverStoredProfiles) {
  TempDir dir;
  auto server = MustStart(dir.path());
  ASSERT_NE(server, nullptr);
  Client client(server->grpc_address());
  v1::DecideResponse out;
  for (int i = 0; i < 6; ++i) {
    ASSERT_TRUE(client.Decide(absl::StrCat("c-", i), PageView(absl::StrCat("v", i)), &out).ok());
  }
  ASSERT_TRUE(client.Decide("c-0", Purchase("v-p", "broadband_basic"), &out).ok());

  std::ifstream in(kStrategy);
  std::stringstream json;
  json << in.rdbuf();
  auto strategies = v1::StrategyService::NewStub(client.channel());
  v1::ValidateStrategyRequest req;
  req.set_document_json(json.str());
  v1::ValidateStrategyResponse resp;
  auto ctx = Client::Context();
  ASSERT_TRUE(strategies->ValidateStrategy(ctx.get(), req, &resp).ok());
  EXPECT_TRUE(resp.valid());
  EXPECT_EQ(resp.what_if().profiles(), 6);
  double share = 0;
  int customers = 0;
  for (const auto& seg : resp.what_if().segments()) {
    share += seg.share();
    customers += seg.customers();
  }
  EXPECT_NEAR(share, 1.0, 1e-9);
  EXPECT_EQ(customers, 6);
  EXPECT_FALSE(resp.what_if().offers().empty());

  req.set_document_json(R"({"version": "v", "offers": [{"id": "a", "name": "A",
      "kind": "cross_sell", "channels": ["fax"]}], "segments": [{"id": "s", "name": "S",
      "rule": "true"}]})");
  ctx = Client::Context();
  ASSERT_TRUE(strategies->ValidateStrategy(ctx.get(), req, &resp).ok());
  EXPECT_FALSE(resp.valid());
  ASSERT_FALSE(resp.problems().empty());
  EXPECT_EQ(resp.problems(0).location(), "offers[0].channels[0]");
  EXPECT_FALSE(resp.has_what_if());

  req.set_sample_size(-1);
  ctx = Client::Context();
  EXPECT_EQ(strategies->ValidateStrategy(ctx.get(), req, &resp).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(server->Stop(), 0);
}

TEST(EndToEndTest, ExplainDecisionShowsEveryCandidate) {
  TempDir dir;
  auto server = MustStart(dir.path());
  ASSERT_NE(server, nullptr);
  Client client(server->grpc_address());
  v1::DecideResponse out;
  ASSERT_TRUE(client.Decide("c-1001", Purchase("x1", "broadband_basic"), &out).ok());
  ASSERT_TRUE(client.Decide("c-1001", PageView("x2"), &out).ok());

  auto strategies = v1::StrategyService::NewStub(client.channel());
  v1::ExplainDecisionRequest req;
  req.set_decision_id(out.decision_id());
  v1::ExplainDecisionResponse explained;
  auto ctx = Client::Context();
  ASSERT_TRUE(strategies->ExplainDecision(ctx.get(), req, &explained).ok());
  EXPECT_EQ(explained.decision().decision_id(), out.decision_id());
  EXPECT_EQ(explained.event_id(), "x2");
  EXPECT_FALSE(explained.segment_rule().empty());
  int chosen = 0;
  for (const auto& c : explained.candidates()) {
    EXPECT_FALSE(c.explanation().empty()) << c.offer_id();
    if (c.outcome() == "chosen") ++chosen;
  }
  EXPECT_EQ(chosen, out.offers_size());
  EXPECT_GT(explained.candidates_size(), chosen);  // something was dropped, with its reason

  req.set_decision_id("d-000000000000nope");
  ctx = Client::Context();
  EXPECT_EQ(strategies->ExplainDecision(ctx.get(), req, &explained).error_code(),
            grpc::StatusCode::NOT_FOUND);

  auto cli = testing::RunProcess(
      {NBO_CLI_BIN, "explain", "--addr=" + server->grpc_address(), out.decision_id()},
      absl::Seconds(30));
  EXPECT_EQ(cli.exit_code, 0) << cli.stderr_text;
  EXPECT_THAT(cli.stdout_text, HasSubstr("Dropped"));
  EXPECT_EQ(server->Stop(), 0);
}

// The decision engine over gRPC: a life event's trigger wins, a declined offer cools down, an
// opt-out removes every marketing offer, and ExplainDecision says why for each candidate.
TEST(EndToEndTest, TriggersCooldownsConsentAndExplanations) {
  TempDir dir;
  auto server = MustStart(dir.path());
  ASSERT_NE(server, nullptr);
  Client client(server->grpc_address());
  auto strategies = v1::StrategyService::NewStub(client.channel());
  const auto explain = [&](const std::string& id) {
    v1::ExplainDecisionRequest req;
    req.set_decision_id(id);
    v1::ExplainDecisionResponse out;
    auto ctx = Client::Context();
    EXPECT_TRUE(strategies->ExplainDecision(ctx.get(), req, &out).ok());
    return out;
  };
  const auto outcome_of = [](const v1::ExplainDecisionResponse& e, const std::string& offer) {
    for (const auto& c : e.candidates()) {
      if (c.offer_id() == offer) return c.outcome();
    }
    return std::string("absent");
  };

  // A prospect tells the call centre they moved: the movers' offer wins, tagged with the trigger.
  v1::Event moved;
  moved.set_event_id("life-1");
  moved.set_channel(v1::CHANNEL_WEB);
  moved.mutable_life_event()->set_kind("moved_home");
  v1::DecideResponse first;
  ASSERT_TRUE(client.Decide("c-2001", moved, &first).ok());
  ASSERT_GE(first.offers_size(), 1);
  // An exploring decision ranks by random draws; every other arm ranks the movers' offer first.
  if (first.arm() != "explore") {
    EXPECT_EQ(first.offers(0).offer_id(), "xs_movers_broadband");
    EXPECT_THAT(first.offers(0).reason_codes(), ::testing::Contains("LIFE_EVENT_MOVED_HOME"));
  }
  EXPECT_FALSE(first.offers(0).reason().empty());
  EXPECT_EQ(first.strategy_checksum().size(), 64u);
  const v1::ExplainDecisionResponse explained = explain(first.decision_id());
  EXPECT_THAT(explained.active_triggers(), ::testing::Contains("moved_home"));
  EXPECT_FALSE(explained.dimension_levels().empty());
  const std::string top = first.offers(0).offer_id();
  EXPECT_EQ(outcome_of(explained, top), "chosen");

  // The customer declines it: the next decision does not make it again, and says why.
  v1::OutcomeRequest declined;
  declined.set_decision_id(first.decision_id());
  declined.set_offer_id(top);
  declined.set_outcome(v1::OUTCOME_DECLINED);
  v1::OutcomeResponse recorded;
  auto ctx = Client::Context();
  ASSERT_TRUE(client.decisions().RecordOutcome(ctx.get(), declined, &recorded).ok());
  EXPECT_EQ(recorded.customer_id(), "c-2001");
  ctx = Client::Context();
  ASSERT_TRUE(client.decisions().RecordOutcome(ctx.get(), declined, &recorded).ok());
  EXPECT_TRUE(recorded.duplicate());
  v1::DecideResponse second;
  ASSERT_TRUE(client.Decide("c-2001", PageView("after-decline"), &second).ok());
  for (const auto& o : second.offers()) EXPECT_NE(o.offer_id(), top);
  EXPECT_EQ(outcome_of(explain(second.decision_id()), top), "decline_cooldown");
  // An outcome for an offer the decision did not make is refused, naming what it did make.
  declined.set_offer_id("up_tv_sports");
  ctx = Client::Context();
  grpc::Status s = client.decisions().RecordOutcome(ctx.get(), declined, &recorded);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr(top));

  // Opting out of marketing as a whole: only service offers remain, and the agent is told why.
  v1::UpdateConsentRequest consent;
  consent.mutable_customer()->set_customer_id("c-2001");
  consent.set_opted_in(false);
  v1::UpdateConsentResponse consented;
  ctx = Client::Context();
  ASSERT_TRUE(client.profiles().UpdateConsent(ctx.get(), consent, &consented).ok());
  v1::DecideResponse opted_out;
  ASSERT_TRUE(client.Decide("c-2001", PageView("after-opt-out"), &opted_out).ok());
  EXPECT_FALSE(opted_out.consent_note().empty());
  EXPECT_GE(opted_out.offers_size(), 1);
  for (const auto& o : opted_out.offers()) {
    EXPECT_EQ(o.kind(), v1::OFFER_KIND_SERVICE) << o.offer_id();
  }
  const v1::ExplainDecisionResponse why = explain(opted_out.decision_id());
  int no_consent = 0;
  for (const auto& c : why.candidates()) no_consent += c.outcome() == "no_consent";
  EXPECT_GT(no_consent, 0);
  EXPECT_EQ(server->Stop(), 0);
}

// Reloading the strategy while clients decide: no decision fails, and each is made by one whole
// strategy (its version and checksum belong together).
TEST(EndToEndTest, ReloadUnderLoadFailsNoDecision) {
  TempDir dir;
  auto server = MustStart(dir.path());
  ASSERT_NE(server, nullptr);
  std::string original;
  {
    std::ifstream in(kStrategy);
    std::stringstream ss;
    ss << in.rdbuf();
    original = ss.str();
  }
  const std::string from = R"("version": "2026-11-23.4")";
  ASSERT_NE(original.find(from), std::string::npos);
  std::string other = original;
  other.replace(other.find(from), from.size(), R"("version": "reload-b")");

  std::atomic<bool> stop{false};
  std::atomic<int> ok{0}, failed{0}, mismatched{0};
  absl::Mutex mu;
  std::map<std::string, std::string> checksum_of;  // version -> checksum
  std::vector<std::thread> clients;
  for (int t = 0; t < 4; ++t) {
    clients.emplace_back([&, t] {
      Client client(server->grpc_address());
      for (int i = 0; i < 2000 && !stop.load(); ++i) {
        v1::DecideResponse out;
        if (!client
                 .Decide(absl::StrCat("c-load-", t, "-", i % 50),
                         PageView(absl::StrCat("load-", t, "-", i)), &out)
                 .ok()) {
          ++failed;
          continue;
        }
        ++ok;
        absl::MutexLock lock(&mu);
        auto [it, inserted] = checksum_of.emplace(out.strategy_version(), out.strategy_checksum());
        if (!inserted && it->second != out.strategy_checksum()) ++mismatched;
      }
    });
  }
  Client admin(server->grpc_address());
  int reloads = 0;
  for (int r = 0; r < 20; ++r) {
    v1::ReloadStrategyRequest req;
    req.set_inline_json(r % 2 == 0 ? other : original);
    v1::ReloadStrategyResponse out;
    if (admin.Reload(req, &out).ok()) ++reloads;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  stop = true;
  for (auto& c : clients) c.join();
  EXPECT_EQ(reloads, 20);
  EXPECT_EQ(failed.load(), 0);
  EXPECT_GT(ok.load(), 0);
  EXPECT_EQ(mismatched.load(), 0);
  EXPECT_EQ(checksum_of.size(), 2u);
  EXPECT_EQ(server->Stop(), 0);
}

TEST(EndToEndTest, SighupReloadsTheStrategyFile) {
  TempDir dir;
  const std::string strategy = dir.path() + "/strategy.json";
  std::filesystem::copy_file(kStrategy, strategy);
  auto server =
      ServerProcess::Start({"--data_dir=" + dir.path() + "/db", "--strategy=" + strategy});
  ASSERT_TRUE(server.ok()) << server.status();
  {
    std::ifstream in(strategy);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string json = ss.str();
    const std::string from = R"("version": "2026-11-23.4")";
    ASSERT_NE(json.find(from), std::string::npos);
    json.replace(json.find(from), from.size(), R"("version": "reloaded-by-sighup")");
    std::ofstream(strategy, std::ios::trunc) << json;
  }
  (*server)->Signal(SIGHUP);
  Client client((*server)->grpc_address());
  v1::GetStrategyResponse current;
  for (int i = 0; i < 200; ++i) {  // bounded: up to ~10 s for the signal to be handled
    ASSERT_TRUE(client.GetStrategy(&current).ok());
    if (current.info().version() == "reloaded-by-sighup") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(current.info().version(), "reloaded-by-sighup");
  EXPECT_EQ((*server)->Stop(), 0);
}

TEST(EndToEndTest, MetricsPassPromtool) {
  TempDir dir;
  auto server = MustStart(dir.path());
  ASSERT_NE(server, nullptr);
  Client client(server->grpc_address());
  v1::DecideResponse out;
  ASSERT_TRUE(client.Decide("c-1", PageView("m1"), &out).ok());
  (void)client.Decide("c-1", PageView(""), &out);

  auto body = testing::HttpGet(server->metrics_port(), "/metrics");
  ASSERT_TRUE(body.ok()) << body.status();
  EXPECT_THAT(*body, HasSubstr(R"(nbo_decisions_total{channel="web",result="offers"} 1)"));
  EXPECT_THAT(*body, HasSubstr(R"(nbo_decisions_total{channel="web",result="invalid"} 1)"));
  EXPECT_THAT(
      *body,
      HasSubstr(
          R"(nbo_grpc_server_handled_total{code="INVALID_ARGUMENT",method="/nbo.v1.DecisionService/Decide"} 1)"));
  EXPECT_THAT(*body, HasSubstr(R"(nbo_strategy_info{checksum=")"));
  EXPECT_THAT(*body, HasSubstr("nbo_decision_latency_seconds_bucket"));
  EXPECT_THAT(*body, HasSubstr("process_start_time_seconds"));
  EXPECT_THAT(*body, HasSubstr("nbo_rocksdb_live_data_bytes"));
  EXPECT_THAT(*body, ::testing::Not(HasSubstr("c-1\"")));  // no customer ids in labels

  const std::string file = dir.path() + "/metrics.txt";
  std::ofstream(file) << *body;
  auto promtool =
      testing::RunProcess({"/bin/sh", "-c", "promtool check metrics < " + file}, absl::Seconds(60));
  EXPECT_EQ(promtool.exit_code, 0) << promtool.stdout_text << promtool.stderr_text
                                   << "\n(promtool comes with Debian's prometheus package; "
                                      "scripts/test installs it)";
  EXPECT_EQ(server->Stop(), 0);
}

TEST(EndToEndTest, HealthAndReflection) {
  TempDir dir;
  auto server = MustStart(dir.path());
  ASSERT_NE(server, nullptr);
  auto channel = grpc::CreateChannel(server->grpc_address(), grpc::InsecureChannelCredentials());

  auto health = grpc::health::v1::Health::NewStub(channel);
  grpc::health::v1::HealthCheckResponse status;
  auto ctx = Client::Context();
  ASSERT_TRUE(health->Check(ctx.get(), grpc::health::v1::HealthCheckRequest(), &status).ok());
  EXPECT_EQ(status.status(), grpc::health::v1::HealthCheckResponse::SERVING);

  auto reflection = grpc::reflection::v1alpha::ServerReflection::NewStub(channel);
  ctx = Client::Context();
  auto stream = reflection->ServerReflectionInfo(ctx.get());
  grpc::reflection::v1alpha::ServerReflectionRequest req;
  req.set_list_services("*");
  ASSERT_TRUE(stream->Write(req));
  stream->WritesDone();
  grpc::reflection::v1alpha::ServerReflectionResponse resp;
  ASSERT_TRUE(stream->Read(&resp));
  std::vector<std::string> services;
  for (const auto& s : resp.list_services_response().service()) services.push_back(s.name());
  EXPECT_THAT(services,
              ::testing::IsSupersetOf({"nbo.v1.DecisionService", "nbo.v1.ProfileService",
                                       "nbo.v1.StrategyService", "grpc.health.v1.Health"}));
  while (stream->Read(&resp)) {
  }
  EXPECT_TRUE(stream->Finish().ok());
  EXPECT_EQ(server->Stop(), 0);
}

TEST(EndToEndTest, CliTalksToTheServer) {
  TempDir dir;
  auto server = MustStart(dir.path());
  ASSERT_NE(server, nullptr);
  const std::string addr = "--addr=" + server->grpc_address();
  auto decide = testing::RunProcess(
      {NBO_CLI_BIN, "decide", addr, "--customer=c-1001", "--channel=web", "--event=page_view"},
      absl::Seconds(30));
  EXPECT_EQ(decide.exit_code, 0) << decide.stderr_text;
  EXPECT_THAT(decide.stdout_text, HasSubstr("c-1001"));
  EXPECT_THAT(decide.stdout_text, HasSubstr("1. "));

  auto profile = testing::RunProcess({NBO_CLI_BIN, "profile", addr, "c-1001"}, absl::Seconds(30));
  EXPECT_EQ(profile.exit_code, 0) << profile.stderr_text;
  EXPECT_THAT(profile.stdout_text, HasSubstr("Interactions"));

  auto missing = testing::RunProcess({NBO_CLI_BIN, "profile", addr, "c-nobody"}, absl::Seconds(30));
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.stderr_text, HasSubstr("NOT_FOUND"));

  auto json =
      testing::RunProcess({NBO_CLI_BIN, "strategy", "show", addr, "--json"}, absl::Seconds(30));
  EXPECT_EQ(json.exit_code, 0) << json.stderr_text;
  EXPECT_THAT(json.stdout_text, HasSubstr("\"checksum\""));
  EXPECT_EQ(server->Stop(), 0);

  auto down = testing::RunProcess({NBO_CLI_BIN, "strategy", "show", addr, "--timeout=2s"},
                                  absl::Seconds(30));
  EXPECT_EQ(down.exit_code, 3);
  EXPECT_THAT(down.stderr_text, HasSubstr("cannot reach nbo-server"));
}

TEST(EndToEndTest, StartupErrorsAreOneClearLine) {
  TempDir dir;
  const std::string bad_strategy = dir.path() + "/bad.json";
  std::ofstream(bad_strategy) << R"({"version": "v", "offers": [{"id": "a", "name": "A",
      "kind": "cross_sell", "channels": ["fax"]}], "segments": [{"id": "s", "name": "S",
      "rule": "true"}]})";
  auto r = testing::RunProcess({NBO_SERVER_BIN, "--listen=127.0.0.1:0", "--metrics_listen=",
                                "--data_dir=" + dir.path() + "/db1", "--strategy=" + bad_strategy},
                               absl::Seconds(30));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.stderr_text, HasSubstr(bad_strategy));
  EXPECT_THAT(r.stderr_text, HasSubstr(R"(offers[0].channels[0]: unknown channel "fax")"));

  r = testing::RunProcess({NBO_SERVER_BIN, "--listen=127.0.0.1:0",
                           "--metrics_listen=", "--data_dir=" + dir.path() + "/db2",
                           "--strategy=" + dir.path() + "/missing.json"},
                          absl::Seconds(30));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.stderr_text, HasSubstr("missing.json"));

  std::ofstream(dir.path() + "/a_file") << "x";
  r = testing::RunProcess({NBO_SERVER_BIN, "--listen=127.0.0.1:0", "--metrics_listen=",
                           "--data_dir=" + dir.path() + "/a_file/db", "--strategy=" + kStrategy},
                          absl::Seconds(30));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.stderr_text, HasSubstr("data_dir"));
  EXPECT_THAT(r.stderr_text, HasSubstr("a_file"));

  r = testing::RunProcess({NBO_SERVER_BIN, "--block_cache_mb=0"}, absl::Seconds(30));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.stderr_text, HasSubstr("--block_cache_mb"));

  r = testing::RunProcess({NBO_SERVER_BIN, "--no_such_flag"}, absl::Seconds(30));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.stderr_text, HasSubstr("no_such_flag"));
}

TEST(EndToEndTest, ConfigFileSetsTheSameOptionsAsFlags) {
  TempDir dir;
  const std::string flagfile = dir.path() + "/nbo.flags";
  std::ofstream(flagfile) << "--data_dir=" << dir.path() << "/from_flagfile\n"
                          << "--strategy=" << kStrategy << "\n";
  auto server = ServerProcess::Start({"--flagfile=" + flagfile});
  ASSERT_TRUE(server.ok()) << server.status();
  Client client((*server)->grpc_address());
  v1::DecideResponse out;
  ASSERT_TRUE(client.Decide("c-1", PageView("f1"), &out).ok());
  EXPECT_EQ((*server)->Stop(), 0);
  EXPECT_TRUE(std::filesystem::exists(dir.path() + "/from_flagfile/CURRENT"));
}

TEST(EndToEndTest, SecondServerOnTheSameDataDirIsRefused) {
  TempDir dir;
  auto first = MustStart(dir.path());
  ASSERT_NE(first, nullptr);
  auto r = testing::RunProcess({NBO_SERVER_BIN, "--listen=127.0.0.1:0", "--metrics_listen=",
                                "--data_dir=" + dir.path(), "--strategy=" + kStrategy},
                               absl::Seconds(30));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.stderr_text, HasSubstr("another nbo-server"));
  EXPECT_EQ(first->Stop(), 0);
}

}  // namespace
}  // namespace nbo
