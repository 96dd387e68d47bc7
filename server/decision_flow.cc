#include "server/decision_flow.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "core/decision.h"
#include "core/names.h"
#include "core/request_validation.h"
#include "core/time_util.h"

namespace nbo::server {

DecisionFlow::DecisionFlow(storage::Store& store, StrategyHolder& strategies,
                           const core::Clock& clock, IdGenerator& ids, FlowObserver* observer,
                           DecisionFlowOptions options)
    : store_(store),
      strategies_(strategies),
      clock_(clock),
      ids_(ids),
      observer_(observer),
      options_(options) {}

absl::StatusOr<v1::DecideResponse> DecisionFlow::Decide(const v1::DecideRequest& request) {
  const absl::Time start = clock_.Now();
  const v1::Channel channel = request.event().channel();
  auto report = [&](absl::string_view result) {
    if (observer_ != nullptr) observer_->OnDecision(channel, result, clock_.Now() - start);
  };
  if (absl::Status s = core::ValidateDecideRequest(request, start); !s.ok()) {
    report("invalid");
    return s;
  }
  if (request.customer().has_identity()) {
    report("invalid");
    return absl::UnimplementedError(
        "customer.identity: source identities are resolved by the single customer view, which "
        "is not built yet; send customer.customer_id");
  }
  const std::shared_ptr<const LoadedStrategy> strategy = strategies_.Current();
  if (strategy == nullptr) {
    report("error");
    return absl::UnavailableError("no strategy is loaded");
  }
  absl::StatusOr<v1::DecideResponse> response;
  {
    absl::MutexLock lock(&locks_.For(request.customer().customer_id()));
    response = DecideLocked(request, *strategy, start);
  }
  if (!response.ok()) {
    report("error");
  } else if (response->fallback()) {
    report("fallback");
  } else {
    report(response->offers().empty() ? "no_offer" : "offers");
  }
  return response;
}

absl::StatusOr<v1::DecideResponse> DecisionFlow::DecideLocked(const v1::DecideRequest& request,
                                                              const LoadedStrategy& strategy,
                                                              absl::Time now) {
  const std::string& customer_id = request.customer().customer_id();
  v1::Profile profile;
  if (auto stored = store_.GetProfile(customer_id); stored.ok()) {
    profile = *std::move(stored);
  } else if (absl::IsNotFound(stored.status())) {
    profile.set_customer_id(customer_id);
  } else {
    return stored.status();
  }

  core::DecisionResult result = core::MakeDecision(profile, request, *strategy.strategy, now);
  result.response.set_decision_id(ids_.NextDecisionId(now));

  v1::DecisionRecord record;
  *record.mutable_response() = result.response;
  record.set_event_id(request.event().event_id());
  record.set_channel(request.event().channel());
  record.set_placement(request.placement());
  core::ToProto(now + options_.decision_ttl, record.mutable_expires_at());

  storage::WriteSet writes;
  writes.profiles.push_back(&profile);
  writes.decisions.push_back(&record);
  if (absl::Status s = store_.Commit(writes); !s.ok()) return s;

  if (result.segment_changed && observer_ != nullptr) {
    observer_->OnSegmentTransition(result.previous_segment_id, result.response.segment_id());
  }
  return std::move(result.response);
}

absl::StatusOr<v1::GetProfileResponse> DecisionFlow::GetProfile(
    const v1::GetProfileRequest& request) {
  if (!request.has_customer()) return absl::InvalidArgumentError("customer: required");
  if (absl::Status s = core::ValidateCustomerRef(request.customer(), "customer"); !s.ok()) return s;
  if (request.customer().has_identity()) {
    return absl::UnimplementedError(
        "customer.identity: source identities are resolved by the single customer view, which "
        "is not built yet; send customer.customer_id");
  }
  auto profile = store_.GetProfile(request.customer().customer_id());
  if (absl::IsNotFound(profile.status())) {
    return absl::NotFoundError(
        absl::StrCat("customer \"", request.customer().customer_id(), "\" has no profile"));
  }
  if (!profile.ok()) return profile.status();
  v1::GetProfileResponse response;
  for (auto& line : ProfileHighlights(*profile, clock_.Now())) {
    response.add_highlights(std::move(line));
  }
  *response.mutable_profile() = *std::move(profile);
  return response;
}

std::vector<std::string> ProfileHighlights(const v1::Profile& profile, absl::Time now) {
  std::vector<std::string> lines;
  auto days_since = [&](const google::protobuf::Timestamp& ts) {
    return std::max<int64_t>(0, absl::ToInt64Hours(now - core::FromProto(ts)) / 24);
  };
  if (profile.has_first_seen()) {
    const int64_t days = days_since(profile.first_seen());
    lines.push_back(days == 0 ? "New customer: first seen today"
                              : absl::StrCat("Customer for ", days, " days"));
  }
  if (profile.purchases() > 0) {
    lines.push_back(absl::StrFormat("%d purchase%s, %.2f spent in total", profile.purchases(),
                                    profile.purchases() == 1 ? "" : "s", profile.monetary_total()));
  }
  if (!profile.holdings().empty()) {
    std::vector<std::string> products;
    for (const auto& h : profile.holdings()) products.push_back(h.product());
    lines.push_back(absl::StrCat("Holds ", absl::StrJoin(products, ", ")));
  }
  const v1::ChannelUsage* preferred = nullptr;
  for (const auto& u : profile.channel_usage()) {
    if (preferred == nullptr || u.interactions() > preferred->interactions()) preferred = &u;
  }
  if (preferred != nullptr && profile.channel_usage_size() > 1) {
    lines.push_back(absl::StrCat("Prefers ", core::ChannelName(preferred->channel()), " (",
                                 preferred->interactions(), " of ", profile.interactions(),
                                 " interactions)"));
  }
  if (!profile.segment_id().empty() && profile.has_segment_since()) {
    lines.push_back(absl::StrCat("In segment ", profile.segment_id(), " for ",
                                 days_since(profile.segment_since()), " days"));
  }
  return lines;
}

}  // namespace nbo::server
