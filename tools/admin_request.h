// Builds the requests of the curation commands: `nbo link`, `nbo consent`, `nbo forget`
// (ProfileService) and `nbo outcome` (DecisionService.RecordOutcome).
#ifndef NBO_TOOLS_ADMIN_REQUEST_H_
#define NBO_TOOLS_ADMIN_REQUEST_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "nbo/v1/decision.pb.h"
#include "nbo/v1/profile.pb.h"

namespace nbo::tools {

// `nbo link CUSTOMER SOURCE:EXTERNAL_ID`: CUSTOMER is any customer reference (ParseCustomerRef);
// the second argument must be a source identity. InvalidArgument otherwise.
absl::StatusOr<v1::LinkIdentityRequest> BuildLinkRequest(absl::string_view customer,
                                                         absl::string_view identity);

// The arguments of `nbo consent`.
struct ConsentArgs {
  std::string customer;  // positional or --customer (required)
  std::string channel;   // --channel: a channel name, or "all" (CHANNEL_UNSPECIFIED) (required)
  bool opt_in = false;   // --opt_in
  bool opt_out = false;  // --opt_out; exactly one of the two
  std::string source;    // --source: where the customer said so, 0..64 characters
};

// InvalidArgument naming the flag for a missing or unknown channel, neither or both of
// --opt_in/--opt_out, a bad customer reference or a --source longer than 64 characters.
// The request's `at` stays unset (the server's now).
absl::StatusOr<v1::UpdateConsentRequest> BuildConsentRequest(const ConsentArgs& args);

// `nbo forget CUSTOMER [--suppress]`. InvalidArgument for a bad customer reference.
absl::StatusOr<v1::ForgetCustomerRequest> BuildForgetRequest(absl::string_view customer,
                                                             bool suppress);

// What `nbo forget` would erase, printed when --yes is missing (ends in a newline).
std::string DescribeForget(const v1::ForgetCustomerRequest& request);

// "accepted" -> OUTCOME_ACCEPTED; likewise "presented", "declined", "ignored". InvalidArgument
// listing the four words for anything else (case matters).
absl::StatusOr<v1::Outcome> ParseOutcome(absl::string_view word);

// "accepted" for OUTCOME_ACCEPTED, ...; "unspecified"; the number for values this build does not
// know.
std::string OutcomeWord(v1::Outcome outcome);

// `nbo outcome DECISION_ID OFFER_ID accepted|declined|presented|ignored [--value=N]`.
// InvalidArgument for an empty decision or offer id, an unknown outcome word, or a value that is
// negative or not finite. `value` unset sends 0 (unknown); `at` stays unset (the server's now).
absl::StatusOr<v1::OutcomeRequest> BuildOutcomeRequest(absl::string_view decision_id,
                                                       absl::string_view offer_id,
                                                       absl::string_view outcome,
                                                       std::optional<double> value);

}  // namespace nbo::tools

#endif  // NBO_TOOLS_ADMIN_REQUEST_H_
