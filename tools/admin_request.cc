#include "tools/admin_request.h"

#include <cstddef>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
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

}  // namespace nbo::tools
