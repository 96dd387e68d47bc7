// Human-readable and JSON renderings of nbo responses, for the `nbo` command-line client.
// Human output is plain ASCII that a call-centre agent can read at a glance; every
// function returns the full text ending in a newline.
#ifndef NBO_TOOLS_FORMAT_H_
#define NBO_TOOLS_FORMAT_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "google/protobuf/message.h"
#include "google/protobuf/timestamp.pb.h"
#include "nbo/v1/decision.pb.h"
#include "nbo/v1/profile.pb.h"
#include "nbo/v1/strategy.pb.h"

namespace nbo::tools {

// "2024-05-01T10:00:00Z" (UTC, seconds precision); "-" for an unset (zero) timestamp.
std::string FormatTimestamp(const google::protobuf::Timestamp& ts);

// Decision id, customer, segment (and micro-segment when set), strategy version, fallback and
// cause when set, the consent note when set, then each offer:
// "  1. name (offer id), kind, score S" (" (pacing x0.80)" appended when its budget pacing factor
// is not 1) with the reason sentence on its own indented line.
std::string FormatDecision(const v1::DecideResponse& response);

// The single customer view: id, identities, merged ids, first/last seen, interactions per channel,
// holdings, purchases, monetary and margin totals, value (actual, potential, total, retention),
// RFM (decayed frequency and monetary), top 5 interests, segment and since when, the last 5
// segment changes (newest first), active triggers, service signals (complaints, last NPS),
// opted-out channels, the last 10 events (newest first), highlights.
std::string FormatProfile(const v1::GetProfileResponse& response);

// `nbo link`: "Linked        loyalty:L-1 -> c-1" and whether a profile was merged into it.
std::string FormatLink(const v1::LinkIdentityRequest& request,
                       const v1::LinkIdentityResponse& response);

// `nbo consent`: "Consent       c-1 opted out of email (source web_preferences)".
std::string FormatConsent(const v1::UpdateConsentRequest& request);

// `nbo forget`: "Forgot        c-1: 7 records deleted" (and whether future events are suppressed).
std::string FormatForget(const v1::ForgetCustomerRequest& request,
                         const v1::ForgetCustomerResponse& response);

// `nbo outcome`: "Recorded: accepted fibre for decision d-1" (", value 12.50" when
// value_realised > 0); "Already recorded: ... (nothing changed)" when the server says duplicate.
std::string FormatOutcome(const v1::OutcomeRequest& request, const v1::OutcomeResponse& response);

// Version, name, checksum, load time and source, counts, warnings.
std::string FormatStrategyInfo(const v1::StrategyInfo& info);

// FormatStrategyInfo, then the document when the response carries one.
std::string FormatGetStrategy(const v1::GetStrategyResponse& response);

// "Reloaded strategy V (was P)" followed by FormatStrategyInfo.
std::string FormatReload(const v1::ReloadStrategyResponse& response);

// `nbo explain`: the decision header (id and time, customer, event, channel and placement,
// strategy and the first 12 digits of its checksum, segment and micro-segment, the segment's rule,
// dimension levels, active triggers and context weights, fallback and cause, consent note, kept
// until; the optional lines only when set), then one row per candidate in evaluation order: rank
// ("1") or outcome ("ranked_out"), offer id, source, score, pacing factor (a column only when some
// candidate's is not 1), explanation; then, when there are any, the budgets and capacities the
// candidates drew on: key, offer, spent / limit, plan, pacing factor.
std::string FormatExplain(const v1::ExplainDecisionResponse& response);

// `nbo strategy validate`: "VALID" or "INVALID", the problems (errors first, each with its
// location), then when what_if is set: the profiles simulated, a table of segment shares and a
// table of the offer funnel (candidates, wins, top wins, most frequent drop reason).
std::string FormatValidate(const v1::ValidateStrategyResponse& response);

// Rows of cells as a table: columns as wide as their widest cell, two spaces apart, indented by
// two; left-aligned unless `right_aligned[i]`. The last column is not padded; trailing spaces are
// stripped. Ends in a newline per row ("" for no rows).
std::string Table(const std::vector<std::vector<std::string>>& rows,
                  const std::vector<bool>& right_aligned);

// The message as indented JSON with the proto field names ("decision_id"), ending in a newline.
// Internal error only if protobuf cannot print the message.
absl::StatusOr<std::string> ToJson(const google::protobuf::Message& message);

}  // namespace nbo::tools

#endif  // NBO_TOOLS_FORMAT_H_
