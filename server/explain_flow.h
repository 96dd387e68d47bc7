// The ExplainDecision flow behind the gRPC adapter: reads a logged decision (DecisionRecord) and
// answers every candidate it considered, why each was chosen or dropped, with its score parts.
// No gRPC here, so tests drive it with plain values.
#ifndef NBO_SERVER_EXPLAIN_FLOW_H_
#define NBO_SERVER_EXPLAIN_FLOW_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "nbo/v1/strategy.pb.h"
#include "storage/store.h"

namespace nbo::server {

// Longest decision id accepted (ids minted by IdGenerator are 30 characters).
inline constexpr size_t kMaxDecisionIdLength = 64;

// OK when `decision_id` is 1..kMaxDecisionIdLength characters of [A-Za-z0-9._-]; otherwise
// InvalidArgument naming the field ("decision_id: required", "decision_id: must be ...").
absl::Status ValidateDecisionId(absl::string_view decision_id);

// Thread-safe (the store is); no lock is taken: a decision record is written once and never
// changed.
class ExplainFlow {
 public:
  // `store` must outlive the flow.
  explicit ExplainFlow(storage::Store& store);

  // The logged decision `request.decision_id`: the response as answered, event id, channel,
  // placement, the matched segment's rule, every candidate in evaluation order (offer, source,
  // weight, score parts, score, outcome, rank, one sentence) and when the log forgets it.
  // A decision logged before candidates were recorded gets its answered offers as candidates.
  // Errors: InvalidArgument "decision_id: required" (or a bad length/charset); NotFound
  // "decision_id \"d-…\": no such decision (decisions are kept for --decision_ttl)" when it was
  // never logged or has expired; the store's Unavailable/DataLoss/Internal otherwise.
  absl::StatusOr<v1::ExplainDecisionResponse> Explain(const v1::ExplainDecisionRequest& request);

 private:
  storage::Store& store_;
};

}  // namespace nbo::server

#endif  // NBO_SERVER_EXPLAIN_FLOW_H_
