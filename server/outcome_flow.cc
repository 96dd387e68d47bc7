#include "server/outcome_flow.h"

#include <cmath>
#include <memory>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/apply_event.h"
#include "core/offer_policy.h"
#include "core/request_validation.h"
#include "core/time_util.h"
#include "server/explain_flow.h"
#include "server/hashing.h"
#include "server/outcome_report.h"

namespace nbo::server {
namespace {

// Largest Timestamp.seconds protobuf accepts: 9999-12-31T23:59:59Z.
constexpr int64_t kMaxTimestampSeconds = 253402300799;

std::string FormatUtc(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E*SZ", t, absl::UTCTimeZone());
}

bool PrintableAsciiNoSpace(absl::string_view s) {
  for (char c : s) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

}  // namespace

absl::string_view OutcomeName(v1::Outcome outcome) {
  switch (outcome) {
    case v1::OUTCOME_PRESENTED:
      return "presented";
    case v1::OUTCOME_ACCEPTED:
      return "accepted";
    case v1::OUTCOME_DECLINED:
      return "declined";
    case v1::OUTCOME_IGNORED:
      return "ignored";
    default:
      return "unspecified";
  }
}

absl::Status ValidateOutcomeRequest(const v1::OutcomeRequest& request, absl::Time now) {
  if (request.decision_id().empty()) {
    return absl::InvalidArgumentError("decision_id is required");
  }
  if (absl::Status s = ValidateDecisionId(request.decision_id()); !s.ok()) return s;
  if (request.offer_id().empty()) return absl::InvalidArgumentError("offer_id is required");
  if (request.offer_id().size() > kMaxOutcomeOfferIdLength) {
    return absl::InvalidArgumentError(
        absl::StrCat("offer_id: longer than ", kMaxOutcomeOfferIdLength, " characters"));
  }
  if (!PrintableAsciiNoSpace(request.offer_id())) {
    return absl::InvalidArgumentError("offer_id: must be printable ASCII without spaces");
  }
  switch (request.outcome()) {
    case v1::OUTCOME_PRESENTED:
    case v1::OUTCOME_ACCEPTED:
    case v1::OUTCOME_DECLINED:
    case v1::OUTCOME_IGNORED:
      break;
    default:
      return absl::InvalidArgumentError(absl::StrCat(
          "outcome: required, one of OUTCOME_PRESENTED, OUTCOME_ACCEPTED, OUTCOME_DECLINED, "
          "OUTCOME_IGNORED; got ",
          v1::Outcome_IsValid(request.outcome()) ? v1::Outcome_Name(request.outcome())
                                                 : absl::StrCat(request.outcome())));
  }
  if (!std::isfinite(request.value_realised()) || request.value_realised() < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "value_realised: must be a finite number >= 0, got ", request.value_realised()));
  }
  if (request.has_at()) {
    const google::protobuf::Timestamp& ts = request.at();
    if (ts.seconds() < 0 || ts.seconds() > kMaxTimestampSeconds || ts.nanos() < 0 ||
        ts.nanos() > 999999999) {
      return absl::InvalidArgumentError("at: not a valid timestamp");
    }
    if (core::FromProto(ts) > now + core::kMaxEventClockSkew) {
      return absl::InvalidArgumentError(absl::StrCat("at: more than ",
                                                     absl::FormatDuration(core::kMaxEventClockSkew),
                                                     " in the future of the server's clock"));
    }
  }
  return absl::OkStatus();
}

std::string OutcomeDedupeKey(absl::string_view decision_id, absl::string_view offer_id,
                             v1::Outcome outcome) {
  return absl::StrCat("outcome ", decision_id, " ", offer_id, " ", static_cast<int>(outcome));
}

OutcomeFlow::OutcomeFlow(CustomerAccess& customers, StrategyHolder& strategies,
                         const core::Clock& clock, BudgetLedger& budgets, LearningStats& learning,
                         OutcomeObserver* observer)
    : customers_(customers),
      strategies_(strategies),
      clock_(clock),
      budgets_(budgets),
      learning_(learning),
      observer_(observer) {}

absl::StatusOr<v1::OutcomeResponse> OutcomeFlow::Record(const v1::OutcomeRequest& request) {
  const absl::Time now = clock_.Now();
  v1::Channel channel = v1::CHANNEL_UNSPECIFIED;
  absl::string_view result = "error";
  absl::StatusOr<v1::OutcomeResponse> response;
  if (absl::Status s = ValidateOutcomeRequest(request, now); !s.ok()) {
    result = "invalid";
    response = std::move(s);
  } else {
    response = RecordValid(request, now, &channel, &result);
  }
  if (observer_ != nullptr) observer_->OnOutcome(channel, OutcomeName(request.outcome()), result);
  return response;
}

absl::StatusOr<v1::OutcomeResponse> OutcomeFlow::RecordValid(const v1::OutcomeRequest& request,
                                                             absl::Time now, v1::Channel* channel,
                                                             absl::string_view* result) {
  storage::Store& store = customers_.store();
  const std::string& decision_id = request.decision_id();

  // A decision record is written once and never changed: it is read without a lock.
  absl::StatusOr<v1::DecisionRecord> decision = store.GetDecision(decision_id);
  if (absl::IsNotFound(decision.status())) {
    *result = "not_found";
    return absl::NotFoundError(
        absl::StrCat("decision \"", decision_id, "\" is unknown or past its attribution window"));
  }
  if (!decision.ok()) return decision.status();
  *channel = decision->channel();

  const absl::Time at = request.has_at() ? core::FromProto(request.at()) : now;
  if (decision->has_expires_at() && at >= core::FromProto(decision->expires_at())) {
    *result = "expired";
    return absl::FailedPreconditionError(absl::StrCat(
        "at: the attribution window of decision \"", decision_id, "\" ended at ",
        FormatUtc(core::FromProto(decision->expires_at())), "; the outcome is at ", FormatUtc(at)));
  }
  const v1::DecideResponse& answered = decision->response();
  bool offered = false;
  std::vector<absl::string_view> offer_ids;
  for (const v1::RankedOffer& offer : answered.offers()) {
    offer_ids.push_back(offer.offer_id());
    if (offer.offer_id() == request.offer_id()) offered = true;
  }
  if (!offered) {
    *result = "invalid";
    return absl::InvalidArgumentError(absl::StrCat(
        "offer_id: \"", request.offer_id(), "\" was not answered by decision \"", decision_id,
        "\"; ",
        offer_ids.empty() ? "it answered no offers"
                          : absl::StrCat("it answered: ", absl::StrJoin(offer_ids, ", "))));
  }
  if (answered.has_decided_at() && at < core::FromProto(answered.decided_at())) {
    *result = "invalid";
    return absl::InvalidArgumentError(
        absl::StrCat("at: ", FormatUtc(at), " is before the decision was made (decided_at ",
                     FormatUtc(core::FromProto(answered.decided_at())), ")"));
  }

  // Locks the customer (the survivor when it was merged away) for the rest of the call, so that
  // the dedupe check and the write below are one step for this customer.
  v1::CustomerRef ref;
  ref.set_customer_id(answered.customer_id());
  absl::StatusOr<std::unique_ptr<CustomerWrite>> customer = CustomerWrite::Open(customers_, ref);
  if (!customer.ok()) {
    if (absl::IsFailedPrecondition(customer.status())) *result = "not_found";
    return customer.status();
  }
  if ((*customer)->is_new()) {
    // No profile and not an alias: erased without suppression. Never re-create it.
    *result = "not_found";
    return absl::NotFoundError("the decision's customer was erased");
  }
  const std::string& customer_id = (*customer)->customer_id();

  const std::string key = OutcomeDedupeKey(decision_id, request.offer_id(), request.outcome());
  v1::OutcomeRequest canonical = request;
  if (canonical.value_realised() == 0) canonical.set_value_realised(0);  // -0.0 is 0
  const uint64_t fingerprint = Fingerprint(canonical);
  if (absl::StatusOr<v1::DedupeRecord> seen = store.GetDedupe(key); seen.ok()) {
    if (seen->fingerprint() != fingerprint) {
      *result = "invalid";
      return absl::AlreadyExistsError(
          absl::StrCat("outcome ", OutcomeName(request.outcome()), " of offer \"",
                       request.offer_id(), "\" in decision \"", decision_id,
                       "\" was already recorded with a different value_realised or at"));
    }
    *result = "duplicate";
    v1::OutcomeResponse response;
    response.set_duplicate(true);
    response.set_customer_id(customer_id);
    return response;
  } else if (!absl::IsNotFound(seen.status())) {
    return seen.status();
  }

  v1::Profile& profile = (*customer)->profile();
  core::RecordContact(profile, request.offer_id(), request.outcome(), at);
  if (request.outcome() == v1::OUTCOME_ACCEPTED) HoldAccepted(request.offer_id(), at, profile);

  v1::DedupeRecord dedupe;
  dedupe.set_customer_id(customer_id);
  dedupe.set_fingerprint(fingerprint);
  // Kept exactly as long as the decision: later outcomes of it are refused anyway.
  if (decision->has_expires_at()) *dedupe.mutable_expires_at() = decision->expires_at();

  // One WriteSet, one commit: the profile, the dedupe record and every other effect of the
  // outcome are written together or not at all.
  storage::WriteSet writes;
  RequestBudget charges(budgets_);
  if (absl::Status s = AddOutcomeEffects(request, at, charges, writes); !s.ok()) return s;
  (*customer)->AddTo(writes);
  writes.dedupe.emplace_back(key, &dedupe);
  AddOutcomeCounts(*decision, request, writes);
  if (absl::Status s = store.Commit(writes); !s.ok()) {
    charges.Rollback();
    return s;
  }
  charges.Commit();

  // Evidence for the decision's segment and channel, after the commit so that a failed write or
  // a duplicate (returned above) never counts. Every arm counts (server/learning_stats.h).
  const auto serving = strategies_.Current();
  learning_.Record(answered.segment_id(), request.offer_id(), decision->channel(),
                   request.outcome(), at,
                   serving != nullptr ? serving->strategy->learning.half_life
                                      : core::CompiledLearning{}.half_life);
  if (observer_ != nullptr) observer_->OnArmOutcome(answered.arm(), OutcomeName(request.outcome()));

  *result = "recorded";
  v1::OutcomeResponse response;
  response.set_customer_id(customer_id);
  return response;
}

void OutcomeFlow::HoldAccepted(absl::string_view offer_id, absl::Time at,
                               v1::Profile& profile) const {
  // The serving strategy decides, like for the acceptance's budget charges: an offer it no longer
  // has adds nothing.
  const auto strategy = strategies_.Current();
  if (strategy == nullptr) return;
  const core::Strategy& s = *strategy->strategy;
  const auto it = s.offer_index.find(offer_id);
  if (it == s.offer_index.end()) return;
  const v1::Offer& offer = *s.offers[it->second].def;
  if (offer.product().empty() || (offer.has_hold_on_accept() && !offer.hold_on_accept())) return;
  core::AddHolding(profile, offer.product(), offer.product_category(), at);
}

absl::Status OutcomeFlow::AddOutcomeEffects(const v1::OutcomeRequest& request, absl::Time at,
                                            RequestBudget& charges,
                                            storage::WriteSet& writes) const {
  if (request.outcome() == v1::OUTCOME_ACCEPTED) {
    // The serving strategy decides what an acceptance costs; an offer it no longer has costs
    // nothing. Acceptances are honoured even past the limit (the customer was promised it).
    if (const auto strategy = strategies_.Current(); strategy != nullptr) {
      const core::Strategy& s = *strategy->strategy;
      if (auto it = s.offer_index.find(request.offer_id()); it != s.offer_index.end()) {
        for (const core::BudgetLimit& l : core::AcceptanceLimits(s, it->second, at)) {
          if (absl::Status st = charges.Add(l.key, l.amount); !st.ok()) return st;
        }
      }
    }
  }
  charges.AddTo(writes);
  return absl::OkStatus();
}

}  // namespace nbo::server
