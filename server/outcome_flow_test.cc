#include "server/outcome_flow.h"

#include <algorithm>
#include <functional>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_join.h"
#include "core/names.h"
#include "gmock/gmock.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "gtest/gtest.h"
#include "server/flow_test_util.h"

namespace nbo::server {
namespace {

using core::testing::kT0;
using core::testing::PageView;
using ::testing::HasSubstr;

class RecordingOutcomeObserver : public OutcomeObserver {
 public:
  void OnOutcome(v1::Channel channel, absl::string_view outcome,
                 absl::string_view result) override {
    absl::MutexLock lock(&mu);
    calls.push_back(absl::StrCat(core::ChannelName(channel), "/", outcome, "/", result));
  }
  void OnArmOutcome(absl::string_view arm, absl::string_view outcome) override {
    absl::MutexLock lock(&mu);
    arm_calls.push_back(absl::StrCat(arm, "/", outcome));
  }
  std::vector<std::string> Calls() {
    absl::MutexLock lock(&mu);
    return calls;
  }
  std::vector<std::string> ArmCalls() {
    absl::MutexLock lock(&mu);
    return arm_calls;
  }
  absl::Mutex mu;
  std::vector<std::string> calls;
  std::vector<std::string> arm_calls;
};

class OutcomeFlowTest : public testing::FlowTest {
 protected:
  OutcomeFlowTest()
      : outcomes_(customers_, strategies_, clock_, budgets_, learning_, &outcome_observer_) {}

  // A decision for `customer` (a page view on the web); fails the test when it cannot be made.
  v1::DecideResponse MustDecide(std::string customer, std::string event_id) {
    auto r = Decide(std::move(customer), PageView(std::move(event_id)));
    EXPECT_TRUE(r.ok()) << r.status();
    EXPECT_GE(r->offers_size(), 1);
    return r.ok() ? *r : v1::DecideResponse();
  }

  static v1::OutcomeRequest Outcome(const v1::DecideResponse& decision, v1::Outcome outcome,
                                    int offer = 0) {
    v1::OutcomeRequest r;
    r.set_decision_id(decision.decision_id());
    r.set_offer_id(decision.offers(offer).offer_id());
    r.set_outcome(outcome);
    return r;
  }

  static v1::OutcomeRequest At(v1::OutcomeRequest r, absl::Time at) {
    core::ToProto(at, r.mutable_at());
    return r;
  }

  // The contact entry of `offer_id` in the stored profile of `customer` (empty when none).
  v1::OfferContact Contact(const std::string& customer, const std::string& offer_id) {
    auto profile = store_.GetProfile(customer);
    EXPECT_TRUE(profile.ok()) << profile.status();
    if (!profile.ok()) return {};
    for (const v1::OfferContact& c : profile->contacts()) {
      if (c.offer_id() == offer_id) return c;
    }
    return {};
  }

  // The stored profile, serialized deterministically.
  std::string ProfileBytes(const std::string& customer) {
    auto profile = store_.GetProfile(customer);
    EXPECT_TRUE(profile.ok()) << profile.status();
    std::string bytes;
    if (profile.ok()) {
      google::protobuf::io::StringOutputStream stream(&bytes);
      google::protobuf::io::CodedOutputStream out(&stream);
      out.SetSerializationDeterministic(true);
      EXPECT_TRUE(profile->SerializeToCodedStream(&out));
    }
    return bytes;
  }

  RecordingOutcomeObserver outcome_observer_;
  OutcomeFlow outcomes_;
};

struct InvalidCase {
  std::string name;
  std::function<void(v1::OutcomeRequest&)> change;
  std::string message;  // a substring of the error
};

TEST_F(OutcomeFlowTest, AnAcceptedProductOfferIsHeldAtOnce) {
  const v1::DecideResponse d = MustDecide("c-1", "e1");
  ASSERT_EQ(d.offers(0).offer_id(), "bb");
  ASSERT_TRUE(outcomes_.Record(Outcome(d, v1::OUTCOME_ACCEPTED)).ok());
  auto profile = store_.GetProfile("c-1");
  ASSERT_TRUE(profile.ok());
  ASSERT_EQ(profile->holdings_size(), 1);
  EXPECT_EQ(profile->holdings(0).product(), "broadband_basic");
  EXPECT_EQ(core::FromProto(profile->holdings(0).since()), clock_.Now());
  // The next decision sees it: the customer is in the broadband segment and bb is not offered.
  const v1::DecideResponse next = MustDecide("c-1", "e2");
  EXPECT_EQ(next.segment_id(), "broadband");
  for (const auto& o : next.offers()) EXPECT_NE(o.offer_id(), "bb");
}

TEST_F(OutcomeFlowTest, HoldOnAcceptFalseLeavesTheHoldingsAndOtherOutcomesNeverHold) {
  std::string json(core::testing::kSmallStrategy);
  const std::string bb = R"("product": "broadband_basic",)";
  json.replace(json.find(bb), bb.size(), bb + R"( "hold_on_accept": false,)");
  ASSERT_TRUE(strategies_.LoadInline(json, clock_.Now()).ok());
  const v1::DecideResponse d = MustDecide("c-1", "e1");
  ASSERT_EQ(d.offers(0).offer_id(), "bb");
  ASSERT_TRUE(outcomes_.Record(Outcome(d, v1::OUTCOME_ACCEPTED)).ok());
  EXPECT_EQ(store_.GetProfile("c-1")->holdings_size(), 0);

  const v1::DecideResponse other = MustDecide("c-2", "e2");
  ASSERT_TRUE(outcomes_.Record(Outcome(other, v1::OUTCOME_PRESENTED, 1)).ok());
  EXPECT_EQ(store_.GetProfile("c-2")->holdings_size(), 0);
}

TEST_F(OutcomeFlowTest, InvalidRequestsNameTheFieldAndWriteNothing) {
  const v1::DecideResponse decision = MustDecide("c-1", "e1");
  const std::vector<InvalidCase> cases = {
      {"no decision_id", [](v1::OutcomeRequest& r) { r.clear_decision_id(); },
       "decision_id is required"},
      {"bad decision_id", [](v1::OutcomeRequest& r) { r.set_decision_id("d 1"); },
       "decision_id: may contain only"},
      {"no offer_id", [](v1::OutcomeRequest& r) { r.clear_offer_id(); }, "offer_id is required"},
      {"offer_id with a space", [](v1::OutcomeRequest& r) { r.set_offer_id("a b"); },
       "offer_id: must be printable ASCII"},
      {"offer_id too long", [](v1::OutcomeRequest& r) { r.set_offer_id(std::string(129, 'x')); },
       "offer_id: longer than 128"},
      {"no outcome", [](v1::OutcomeRequest& r) { r.set_outcome(v1::OUTCOME_UNSPECIFIED); },
       "outcome: required, one of OUTCOME_PRESENTED"},
      {"unknown outcome", [](v1::OutcomeRequest& r) { r.set_outcome(static_cast<v1::Outcome>(9)); },
       "got 9"},
      {"negative value", [](v1::OutcomeRequest& r) { r.set_value_realised(-1); },
       "value_realised: must be a finite number >= 0, got -1"},
      {"NaN value",
       [](v1::OutcomeRequest& r) {
         r.set_value_realised(std::numeric_limits<double>::quiet_NaN());
       },
       "value_realised: must be a finite number"},
      {"infinite value",
       [](v1::OutcomeRequest& r) { r.set_value_realised(std::numeric_limits<double>::infinity()); },
       "value_realised: must be a finite number"},
      {"bad nanos", [](v1::OutcomeRequest& r) { r.mutable_at()->set_nanos(-1); },
       "at: not a valid timestamp"},
      {"negative seconds", [](v1::OutcomeRequest& r) { r.mutable_at()->set_seconds(-5); },
       "at: not a valid timestamp"},
      {"in the future",
       [](v1::OutcomeRequest& r) { core::ToProto(kT0 + absl::Minutes(6), r.mutable_at()); },
       "at: more than 5m in the future"},
  };
  const int64_t commits = store_.commit_count();
  for (const InvalidCase& c : cases) {
    SCOPED_TRACE(c.name);
    v1::OutcomeRequest request = Outcome(decision, v1::OUTCOME_ACCEPTED);
    c.change(request);
    auto r = outcomes_.Record(request);
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << r.status();
    EXPECT_THAT(std::string(r.status().message()), HasSubstr(c.message));
    EXPECT_EQ(outcome_observer_.Calls().back().substr(0, 12), "unspecified/");
  }
  EXPECT_EQ(store_.commit_count(), commits);
  EXPECT_EQ(Contact("c-1", decision.offers(0).offer_id()).accepted(), 0);
}

TEST_F(OutcomeFlowTest, AnOutcomeAtMostFiveMinutesAheadIsAccepted) {
  const v1::DecideResponse decision = MustDecide("c-1", "e1");
  auto r = outcomes_.Record(At(Outcome(decision, v1::OUTCOME_PRESENTED), kT0 + absl::Minutes(5)));
  EXPECT_TRUE(r.ok()) << r.status();
}

TEST_F(OutcomeFlowTest, UnknownDecisionIsNotFound) {
  v1::OutcomeRequest request;
  request.set_decision_id("d-unknown");
  request.set_offer_id("bb");
  request.set_outcome(v1::OUTCOME_ACCEPTED);
  auto r = outcomes_.Record(request);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(r.status().message(),
            "decision \"d-unknown\" is unknown or past its attribution window");
  EXPECT_EQ(outcome_observer_.Calls(), std::vector<std::string>{"unspecified/accepted/not_found"});
}

TEST_F(OutcomeFlowTest, OfferTheDecisionDidNotAnswerIsInvalidAndListsTheAnsweredOnes) {
  const v1::DecideResponse decision = MustDecide("c-1", "e1");
  std::vector<std::string> answered;
  for (const auto& offer : decision.offers()) answered.push_back(offer.offer_id());
  v1::OutcomeRequest request = Outcome(decision, v1::OUTCOME_ACCEPTED);
  request.set_offer_id("fibre");
  auto r = outcomes_.Record(request);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("offer_id: \"fibre\" was not answered"));
  EXPECT_THAT(std::string(r.status().message()),
              HasSubstr(absl::StrCat("it answered: ", absl::StrJoin(answered, ", "))));
  EXPECT_EQ(outcome_observer_.Calls().back(), "web/accepted/invalid");
}

TEST_F(OutcomeFlowTest, OutcomeBeforeTheDecisionIsInvalid) {
  const v1::DecideResponse decision = MustDecide("c-1", "e1");
  auto r = outcomes_.Record(At(Outcome(decision, v1::OUTCOME_ACCEPTED), kT0 - absl::Seconds(1)));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(r.status().message()),
              HasSubstr("at: 2025-12-31T23:59:59Z is before the decision was made (decided_at "
                        "2026-01-01T00:00:00Z)"));
}

TEST_F(OutcomeFlowTest, AcceptedOutcomeIsCountedOnTheProfile) {
  const v1::DecideResponse decision = MustDecide("c-1", "e1");
  const std::string offer = decision.offers(0).offer_id();
  const int64_t commits = store_.commit_count();
  clock_.Advance(absl::Hours(2));
  auto r = outcomes_.Record(Outcome(decision, v1::OUTCOME_ACCEPTED));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(r->duplicate());
  EXPECT_EQ(r->customer_id(), "c-1");
  EXPECT_EQ(store_.commit_count(), commits + 1);

  const v1::OfferContact contact = Contact("c-1", offer);
  EXPECT_EQ(contact.accepted(), 1);
  EXPECT_EQ(core::FromProto(contact.last_accepted()), kT0 + absl::Hours(2));
  EXPECT_EQ(contact.ignored_streak(), 0);
  EXPECT_EQ(outcome_observer_.Calls(), std::vector<std::string>{"web/accepted/recorded"});
}

TEST_F(OutcomeFlowTest, IgnoredOutcomesBuildTheStreakAndAnAcceptResetsIt) {
  const v1::DecideResponse first = MustDecide("c-1", "e1");
  const v1::DecideResponse second = MustDecide("c-1", "e2");
  ASSERT_EQ(first.offers(0).offer_id(), second.offers(0).offer_id());
  const std::string offer = first.offers(0).offer_id();
  ASSERT_TRUE(outcomes_.Record(Outcome(first, v1::OUTCOME_IGNORED)).ok());
  ASSERT_TRUE(outcomes_.Record(Outcome(second, v1::OUTCOME_IGNORED)).ok());
  EXPECT_EQ(Contact("c-1", offer).ignored_streak(), 2);
  ASSERT_TRUE(outcomes_.Record(Outcome(second, v1::OUTCOME_ACCEPTED)).ok());
  EXPECT_EQ(Contact("c-1", offer).ignored_streak(), 0);
  EXPECT_EQ(Contact("c-1", offer).ignored(), 2);
}

TEST_F(OutcomeFlowTest, ExactRepeatIsADuplicateAndChangesNothing) {
  const v1::DecideResponse decision = MustDecide("c-1", "e1");
  v1::OutcomeRequest request = Outcome(decision, v1::OUTCOME_ACCEPTED);
  request.set_value_realised(12.5);
  ASSERT_TRUE(outcomes_.Record(request).ok());
  const std::string bytes = ProfileBytes("c-1");
  const int64_t commits = store_.commit_count();

  clock_.Advance(absl::Hours(1));  // `at` unset in both: still the same outcome
  auto again = outcomes_.Record(request);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->duplicate());
  EXPECT_EQ(again->customer_id(), "c-1");
  EXPECT_EQ(store_.commit_count(), commits);
  EXPECT_EQ(ProfileBytes("c-1"), bytes);
  EXPECT_EQ(Contact("c-1", request.offer_id()).accepted(), 1);
  EXPECT_EQ(outcome_observer_.Calls().back(), "web/accepted/duplicate");
}

TEST_F(OutcomeFlowTest, SameOutcomeWithAnotherValueIsAlreadyExists) {
  const v1::DecideResponse decision = MustDecide("c-1", "e1");
  v1::OutcomeRequest request = Outcome(decision, v1::OUTCOME_ACCEPTED);
  request.set_value_realised(12.5);
  ASSERT_TRUE(outcomes_.Record(request).ok());
  const int64_t commits = store_.commit_count();

  request.set_value_realised(20);
  auto r = outcomes_.Record(request);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(std::string(r.status().message()),
              HasSubstr("was already recorded with a different value_realised or at"));
  request.set_value_realised(12.5);
  auto other_time = outcomes_.Record(At(request, kT0 + absl::Minutes(1)));
  EXPECT_EQ(other_time.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(store_.commit_count(), commits);
  EXPECT_EQ(Contact("c-1", request.offer_id()).accepted(), 1);
  EXPECT_EQ(outcome_observer_.Calls().back(), "web/accepted/invalid");
}

TEST_F(OutcomeFlowTest, EachOutcomeOfAnOfferIsRecordedOnce) {
  const v1::DecideResponse decision = MustDecide("c-1", "e1");
  ASSERT_TRUE(outcomes_.Record(Outcome(decision, v1::OUTCOME_PRESENTED)).ok());
  auto accepted = outcomes_.Record(Outcome(decision, v1::OUTCOME_ACCEPTED));
  ASSERT_TRUE(accepted.ok());
  EXPECT_FALSE(accepted->duplicate());
  const v1::OfferContact contact = Contact("c-1", decision.offers(0).offer_id());
  EXPECT_EQ(contact.presented(), 1);
  EXPECT_EQ(contact.accepted(), 1);
}

TEST_F(OutcomeFlowTest, DedupeKeyCannotBeAnEventId) {
  const std::string key = OutcomeDedupeKey("d-1", "tv", v1::OUTCOME_ACCEPTED);
  EXPECT_EQ(key, "outcome d-1 tv 2");
  v1::Event event = PageView(key);
  EXPECT_EQ(Decide("c-1", event).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(OutcomeFlowTest, DedupeRecordExpiresWithTheDecision) {
  const v1::DecideResponse decision = MustDecide("c-1", "e1");
  const v1::OutcomeRequest request = Outcome(decision, v1::OUTCOME_DECLINED);
  ASSERT_TRUE(outcomes_.Record(request).ok());
  auto dedupe = store_.GetDedupe(
      OutcomeDedupeKey(decision.decision_id(), request.offer_id(), v1::OUTCOME_DECLINED));
  ASSERT_TRUE(dedupe.ok()) << dedupe.status();
  EXPECT_EQ(dedupe->customer_id(), "c-1");
  EXPECT_EQ(core::FromProto(dedupe->expires_at()), kT0 + absl::Hours(24 * 7));
  EXPECT_FALSE(dedupe->has_response());
}

TEST_F(OutcomeFlowTest, OutcomeOfAnAbsorbedCustomersDecisionLandsOnTheSurvivor) {
  v1::DecideRequest web = core::testing::Request("x", PageView("w1"));
  *web.mutable_customer() = Ref(Identity("web", "cookie-1"));
  auto anonymous = flow_.Decide(web);
  ASSERT_TRUE(anonymous.ok()) << anonymous.status();
  const std::string absorbed = anonymous->customer_id();
  ASSERT_TRUE(Decide("c-1", PageView("e1")).ok());
  auto linked = Link("c-1", Identity("web", "cookie-1"));
  ASSERT_TRUE(linked.ok()) << linked.status();
  ASSERT_TRUE(linked->merged());

  auto r = outcomes_.Record(Outcome(*anonymous, v1::OUTCOME_ACCEPTED));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->customer_id(), "c-1");
  EXPECT_EQ(Contact("c-1", anonymous->offers(0).offer_id()).accepted(), 1);
  EXPECT_EQ(store_.GetProfile(absorbed).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(OutcomeFlowTest, OutcomeAfterTheWindowIsFailedPrecondition) {
  const v1::DecideResponse decision = MustDecide("c-1", "e1");
  clock_.Advance(absl::Hours(24 * 7) - absl::Minutes(1));
  auto r = outcomes_.Record(
      At(Outcome(decision, v1::OUTCOME_ACCEPTED), kT0 + absl::Hours(24 * 7) + absl::Minutes(1)));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(r.status().message()),
              HasSubstr("attribution window of decision \"" + decision.decision_id() +
                        "\" ended at 2026-01-08T00:00:00Z"));
  EXPECT_EQ(outcome_observer_.Calls().back(), "web/accepted/expired");
  EXPECT_EQ(Contact("c-1", decision.offers(0).offer_id()).accepted(), 0);

  // Once the window has passed the store forgets the decision.
  clock_.Advance(absl::Minutes(2));
  EXPECT_EQ(outcomes_.Record(Outcome(decision, v1::OUTCOME_ACCEPTED)).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(OutcomeFlowTest, FailedCommitReturnsTheErrorAndChangesNothing) {
  const v1::DecideResponse decision = MustDecide("c-1", "e1");
  const v1::OutcomeRequest request = Outcome(decision, v1::OUTCOME_ACCEPTED);
  const std::string bytes = ProfileBytes("c-1");
  store_.FailWritesWith(absl::UnavailableError("disk full"));
  auto r = outcomes_.Record(request);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("disk full"));
  EXPECT_EQ(outcome_observer_.Calls().back(), "web/accepted/error");
  EXPECT_EQ(ProfileBytes("c-1"), bytes);

  // Nothing was remembered: the retry is recorded, not a duplicate.
  store_.FailWritesWith(absl::OkStatus());
  auto retry = outcomes_.Record(request);
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_FALSE(retry->duplicate());
  EXPECT_EQ(Contact("c-1", request.offer_id()).accepted(), 1);
}

TEST_F(OutcomeFlowTest, StoreReadFailureIsReported) {
  const v1::DecideResponse decision = MustDecide("c-1", "e1");
  store_.FailReadsWith(absl::UnavailableError("io error"));
  auto r = outcomes_.Record(Outcome(decision, v1::OUTCOME_ACCEPTED));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable);
  store_.FailReadsWith(absl::OkStatus());
}

TEST_F(OutcomeFlowTest, CustomerErasedWithoutSuppressionIsNotRecreated) {
  // A decision whose customer has no profile (erased meanwhile, its record not yet purged).
  v1::DecisionRecord record;
  record.set_channel(v1::CHANNEL_WEB);
  record.mutable_response()->set_decision_id("d-orphan");
  record.mutable_response()->set_customer_id("c-gone");
  record.mutable_response()->add_offers()->set_offer_id("bb");
  core::ToProto(kT0, record.mutable_response()->mutable_decided_at());
  core::ToProto(kT0 + absl::Hours(1), record.mutable_expires_at());
  storage::WriteSet writes;
  writes.decisions.push_back(&record);
  ASSERT_TRUE(store_.Commit(writes).ok());
  const int64_t commits = store_.commit_count();

  v1::OutcomeRequest request;
  request.set_decision_id("d-orphan");
  request.set_offer_id("bb");
  request.set_outcome(v1::OUTCOME_ACCEPTED);
  auto r = outcomes_.Record(request);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(r.status().message(), "the decision's customer was erased");
  EXPECT_EQ(store_.GetProfile("c-gone").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_.commit_count(), commits);
  EXPECT_EQ(outcome_observer_.Calls().back(), "web/accepted/not_found");
}

TEST_F(OutcomeFlowTest, CustomerErasedWithSuppressionIsFailedPrecondition) {
  const v1::DecideResponse decision = MustDecide("c-1", "e1");
  auto record = store_.GetDecision(decision.decision_id());
  ASSERT_TRUE(record.ok());
  v1::ForgetCustomerRequest forget;
  *forget.mutable_customer() = Id("c-1");
  forget.set_suppress_future_events(true);
  ASSERT_TRUE(profiles_.ForgetCustomer(forget).ok());
  // The erasure deleted the decision; put it back as if it had been read before the erasure.
  storage::WriteSet writes;
  writes.decisions.push_back(&*record);
  ASSERT_TRUE(store_.Commit(writes).ok());

  auto r = outcomes_.Record(Outcome(decision, v1::OUTCOME_ACCEPTED));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_.GetProfile("c-1").status().code(), absl::StatusCode::kNotFound);
}

TEST_F(OutcomeFlowTest, ConcurrentRepeatsAreRecordedOnce) {
  const v1::DecideResponse decision = MustDecide("c-1", "e1");
  const v1::OutcomeRequest request = Outcome(decision, v1::OUTCOME_ACCEPTED);
  std::vector<std::thread> threads;
  std::vector<int> duplicate(8, -1);
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      auto r = outcomes_.Record(request);
      ASSERT_TRUE(r.ok()) << r.status();
      duplicate[t] = r->duplicate();
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(std::count(duplicate.begin(), duplicate.end(), 0), 1);
  EXPECT_EQ(std::count(duplicate.begin(), duplicate.end(), 1), 7);
  EXPECT_EQ(Contact("c-1", request.offer_id()).accepted(), 1);
}

class LearningOutcomeTest : public OutcomeFlowTest {
 protected:
  LearningOutcomeTest() { Load(std::string(testing::kLearningStrategy)); }

  void Load(std::string json) {
    auto loaded = strategies_.LoadInline(std::move(json), kT0);
    EXPECT_TRUE(loaded.ok()) << loaded.status();
  }

  // The propensity of `offer_id` in `decision` (-1 when it was not offered).
  static double PropensityOf(const v1::DecideResponse& decision, absl::string_view offer_id) {
    for (const v1::RankedOffer& o : decision.offers()) {
      if (o.offer_id() == offer_id) return o.parts().propensity();
    }
    return -1;
  }

  // The outcome of `offer_id` in `decision`.
  static v1::OutcomeRequest OutcomeOf(const v1::DecideResponse& decision,
                                      absl::string_view offer_id, v1::Outcome outcome) {
    v1::OutcomeRequest r;
    r.set_decision_id(decision.decision_id());
    r.set_offer_id(std::string(offer_id));
    r.set_outcome(outcome);
    return r;
  }

  core::Evidence Evidence(absl::string_view offer_id, v1::Channel channel = v1::CHANNEL_WEB) {
    return learning_.Get("everyone", offer_id, channel, clock_.Now());
  }
};

TEST_F(LearningOutcomeTest, AnAcceptedOutcomeRaisesThePropensityInTheNextDecisionOnce) {
  const v1::DecideResponse first = MustDecide("c-1", "e1");
  ASSERT_EQ(first.arm(), "model");
  EXPECT_DOUBLE_EQ(PropensityOf(first, "tv"), 0.1);  // the prior

  const v1::OutcomeRequest accepted = OutcomeOf(first, "tv", v1::OUTCOME_ACCEPTED);
  ASSERT_TRUE(outcomes_.Record(accepted).ok());
  const v1::DecideResponse second = MustDecide("c-2", "e2");
  ASSERT_EQ(second.arm(), "model");
  EXPECT_DOUBLE_EQ(PropensityOf(second, "tv"), 2.0 / 11);  // (1 + 1) / (10 + 1)
  EXPECT_GT(PropensityOf(second, "tv"), PropensityOf(first, "tv"));

  // A repeat is a duplicate: it does not count twice.
  auto again = outcomes_.Record(accepted);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->duplicate());
  EXPECT_DOUBLE_EQ(Evidence("tv").accepted, 1);
  EXPECT_DOUBLE_EQ(Evidence("tv", v1::CHANNEL_UNSPECIFIED).accepted, 1);
  EXPECT_DOUBLE_EQ(PropensityOf(MustDecide("c-3", "e3"), "tv"), 2.0 / 11);
  EXPECT_EQ(outcome_observer_.ArmCalls(), std::vector<std::string>{"model/accepted"});
}

TEST_F(LearningOutcomeTest, DeclinedAndIgnoredCountAgainstTheOfferAndPresentedNotAtAll) {
  const v1::DecideResponse decision = MustDecide("c-1", "e1");
  ASSERT_TRUE(outcomes_.Record(OutcomeOf(decision, "tv", v1::OUTCOME_PRESENTED)).ok());
  ASSERT_TRUE(outcomes_.Record(OutcomeOf(decision, "tv", v1::OUTCOME_DECLINED)).ok());
  ASSERT_TRUE(outcomes_.Record(OutcomeOf(decision, "bb", v1::OUTCOME_IGNORED)).ok());
  EXPECT_DOUBLE_EQ(Evidence("tv").accepted, 0);
  EXPECT_DOUBLE_EQ(Evidence("tv").rejected, 1);
  EXPECT_DOUBLE_EQ(Evidence("bb").rejected, 1);
  const v1::DecideResponse next = MustDecide("c-2", "e2");
  EXPECT_DOUBLE_EQ(PropensityOf(next, "tv"), 1.0 / 11);
  EXPECT_DOUBLE_EQ(PropensityOf(next, "bb"), 2.0 / 11);
  EXPECT_EQ(outcome_observer_.ArmCalls(),
            (std::vector<std::string>{"model/presented", "model/declined", "model/ignored"}));
}

TEST_F(LearningOutcomeTest, AFailedWriteDoesNotCount) {
  const v1::DecideResponse decision = MustDecide("c-1", "e1");
  store_.FailWritesWith(absl::UnavailableError("disk full"));
  EXPECT_FALSE(outcomes_.Record(OutcomeOf(decision, "tv", v1::OUTCOME_ACCEPTED)).ok());
  EXPECT_EQ(Evidence("tv", v1::CHANNEL_UNSPECIFIED).total(), 0);
  EXPECT_EQ(learning_.entry_count(), 0u);
  EXPECT_TRUE(outcome_observer_.ArmCalls().empty());
}

TEST_F(LearningOutcomeTest, OutcomesOfTheControlGroupCountAsEvidence) {
  std::string json(testing::kLearningStrategy);
  const std::string tiny = R"("control_share": 1e-9)";
  json.replace(json.find(tiny), tiny.size(), R"("control_share": 0.5)");
  Load(json);
  const core::CompiledLearning& learning = strategies_.Current()->strategy->learning;
  std::string customer;
  for (int i = 0; customer.empty(); ++i) {
    if (core::InControlGroup(absl::StrCat("c-", i), kT0, learning))
      customer = absl::StrCat("c-", i);
  }
  const v1::DecideResponse decision = MustDecide(customer, "e1");
  ASSERT_EQ(decision.arm(), "control");
  ASSERT_TRUE(outcomes_.Record(OutcomeOf(decision, "tv", v1::OUTCOME_ACCEPTED)).ok());
  EXPECT_DOUBLE_EQ(Evidence("tv").accepted, 1);
  EXPECT_EQ(outcome_observer_.ArmCalls(), std::vector<std::string>{"control/accepted"});
}

TEST(OutcomeNameTest, NamesEveryOutcomeAndBoundsUnknownOnes) {
  EXPECT_EQ(OutcomeName(v1::OUTCOME_PRESENTED), "presented");
  EXPECT_EQ(OutcomeName(v1::OUTCOME_ACCEPTED), "accepted");
  EXPECT_EQ(OutcomeName(v1::OUTCOME_DECLINED), "declined");
  EXPECT_EQ(OutcomeName(v1::OUTCOME_IGNORED), "ignored");
  EXPECT_EQ(OutcomeName(v1::OUTCOME_UNSPECIFIED), "unspecified");
  EXPECT_EQ(OutcomeName(static_cast<v1::Outcome>(42)), "unspecified");
}

}  // namespace
}  // namespace nbo::server
