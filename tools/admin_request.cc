#include "tools/admin_request.h"

#include <cmath>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "tools/customer_ref.h"
#include "tools/enum_names.h"

namespace nbo::tools {
namespace {

constexpr size_t kMaxConsentSource = 64;

}  // namespace

absl::StatusOr<v1::LinkIdentityRequest> BuildLinkRequest(absl::string_view customer,
                                                         absl::string_view identity) {
  absl::StatusOr<v1::CustomerRef> ref = ParseCustomerRef(customer);
  if (!ref.ok()) return ref.status();
  if (identity.find(':') == absl::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("link needs a source identity source:external_id as its second argument, "
                     "got \"",
                     identity, "\" (e.g. nbo link c-1001 loyalty:L-77812)"));
  }
  absl::StatusOr<v1::CustomerRef> id = ParseCustomerRef(identity);
  if (!id.ok()) return id.status();
  v1::LinkIdentityRequest request;
  *request.mutable_customer() = *std::move(ref);
  *request.mutable_identity() = std::move(*id->mutable_identity());
  return request;
}

absl::StatusOr<v1::UpdateConsentRequest> BuildConsentRequest(const ConsentArgs& args) {
  if (args.customer.empty()) {
    return absl::InvalidArgumentError(
        "consent needs a customer: nbo consent c-1001 --channel email --opt_out");
  }
  absl::StatusOr<v1::CustomerRef> ref = ParseCustomerRef(args.customer);
  if (!ref.ok()) return ref.status();
  if (args.channel.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("consent needs --channel: one of ",
                                                   absl::StrJoin(ChannelNames(), ", "), ", all"));
  }
  v1::Channel channel = v1::CHANNEL_UNSPECIFIED;
  if (args.channel != "all") {
    absl::StatusOr<v1::Channel> parsed = ParseChannel(args.channel);
    if (!parsed.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(parsed.status().message(), ", or all (marketing as a whole)"));
    }
    channel = *parsed;
  }
  if (args.opt_in == args.opt_out) {
    return absl::InvalidArgumentError("consent needs exactly one of --opt_in, --opt_out");
  }
  if (args.source.size() > kMaxConsentSource) {
    return absl::InvalidArgumentError("--source must be at most 64 characters");
  }
  v1::UpdateConsentRequest request;
  *request.mutable_customer() = *std::move(ref);
  request.set_channel(channel);
  request.set_opted_in(args.opt_in);
  request.set_source(args.source);
  return request;
}

absl::StatusOr<v1::ForgetCustomerRequest> BuildForgetRequest(absl::string_view customer,
                                                             bool suppress) {
  absl::StatusOr<v1::CustomerRef> ref = ParseCustomerRef(customer);
  if (!ref.ok()) return ref.status();
  v1::ForgetCustomerRequest request;
  *request.mutable_customer() = *std::move(ref);
  request.set_suppress_future_events(suppress);
  return request;
}

std::string DescribeForget(const v1::ForgetCustomerRequest& request) {
  const std::string who = CustomerRefToString(request.customer());
  std::string out = absl::StrCat(
      "nbo forget would erase customer ", who,
      " for good: the profile, its linked identities and merged ids, its event dedupe records "
      "and its decision records.\n");
  if (request.suppress_future_events()) {
    absl::StrAppend(&out,
                    "With --suppress, a salted hash of its identities is kept so that later "
                    "events for them are dropped.\n");
  } else {
    absl::StrAppend(&out, "Later events for ", who,
                    " would create a new profile (add --suppress to drop them instead).\n");
  }
  absl::StrAppend(&out, "Nothing was erased. Run again with --yes to erase.\n");
  return out;
}

namespace {

constexpr v1::Outcome kOutcomes[] = {v1::OUTCOME_PRESENTED, v1::OUTCOME_ACCEPTED,
                                     v1::OUTCOME_DECLINED, v1::OUTCOME_IGNORED};

}  // namespace

std::string OutcomeWord(v1::Outcome outcome) {
  if (!v1::Outcome_IsValid(outcome)) return absl::StrCat(static_cast<int>(outcome));
  absl::string_view name = v1::Outcome_Name(outcome);  // "OUTCOME_ACCEPTED"
  absl::ConsumePrefix(&name, "OUTCOME_");
  return absl::AsciiStrToLower(name);
}

absl::StatusOr<v1::Outcome> ParseOutcome(absl::string_view word) {
  std::vector<std::string> words;
  for (v1::Outcome outcome : kOutcomes) {
    words.push_back(OutcomeWord(outcome));
    if (word == words.back()) return outcome;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown outcome \"", word, "\"; one of: ", absl::StrJoin(words, ", ")));
}

absl::StatusOr<v1::OutcomeRequest> BuildOutcomeRequest(absl::string_view decision_id,
                                                       absl::string_view offer_id,
                                                       absl::string_view outcome,
                                                       std::optional<double> value) {
  constexpr absl::string_view kExample = "nbo outcome d-0193a4c2e1f0... fibre accepted";
  if (decision_id.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("outcome needs a decision id: ", kExample));
  }
  if (offer_id.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("outcome needs an offer id: ", kExample));
  }
  absl::StatusOr<v1::Outcome> parsed = ParseOutcome(outcome);
  if (!parsed.ok()) return parsed.status();
  v1::OutcomeRequest request;
  request.set_decision_id(std::string(decision_id));
  request.set_offer_id(std::string(offer_id));
  request.set_outcome(*parsed);
  if (value.has_value()) {
    if (!std::isfinite(*value) || *value < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("--value must be a number >= 0 (the margin earned), got ", *value));
    }
    request.set_value_realised(*value);
  }
  return request;
}

}  // namespace nbo::tools
