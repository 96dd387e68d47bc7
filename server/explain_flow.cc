#include "server/explain_flow.h"

#include <cstdio>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "nbo/v1/record.pb.h"

namespace nbo::server {
namespace {

bool IsIdChar(char c) { return absl::ascii_isalnum(c) || c == '-' || c == '_' || c == '.'; }

std::string Fixed2(double value) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.2f", value);
  return buf;
}

// For a record logged before candidates were recorded: its answered offers, as chosen.
void CandidatesFromOffers(const v1::DecideResponse& response, v1::ExplainDecisionResponse& out) {
  for (int i = 0; i < response.offers_size(); ++i) {
    const v1::RankedOffer& offer = response.offers(i);
    v1::CandidateExplanation* c = out.add_candidates();
    c->set_offer_id(offer.offer_id());
    c->set_source(response.fallback() ? "fallback" : "segment");
    c->set_weight(offer.parts().weight());
    *c->mutable_parts() = offer.parts();
    c->set_score(offer.score());
    c->set_outcome("chosen");
    c->set_rank(i + 1);
    c->set_explanation(absl::StrCat("Chosen (rank ", i + 1, "): score ", Fixed2(offer.score()),
                                    "; this decision was logged without its other candidates."));
  }
}

}  // namespace

absl::Status ValidateDecisionId(absl::string_view decision_id) {
  if (decision_id.empty()) return absl::InvalidArgumentError("decision_id: required");
  if (decision_id.size() > kMaxDecisionIdLength) {
    return absl::InvalidArgumentError(absl::StrCat("decision_id: must be at most ",
                                                   kMaxDecisionIdLength, " characters, got ",
                                                   decision_id.size()));
  }
  for (char c : decision_id) {
    if (!IsIdChar(c)) {
      return absl::InvalidArgumentError(
          "decision_id: may contain only letters, digits, '-', '_' and '.' (as in d-0193...)");
    }
  }
  return absl::OkStatus();
}

ExplainFlow::ExplainFlow(storage::Store& store) : store_(store) {}

absl::StatusOr<v1::ExplainDecisionResponse> ExplainFlow::Explain(
    const v1::ExplainDecisionRequest& request) {
  const std::string& id = request.decision_id();
  if (absl::Status s = ValidateDecisionId(id); !s.ok()) return s;
  absl::StatusOr<v1::DecisionRecord> record = store_.GetDecision(id);
  if (absl::IsNotFound(record.status())) {
    return absl::NotFoundError(absl::StrCat(
        "decision_id \"", id, "\": no such decision (decisions are kept for --decision_ttl)"));
  }
  if (!record.ok()) return record.status();

  v1::ExplainDecisionResponse out;
  *out.mutable_decision() = std::move(*record->mutable_response());
  out.set_event_id(std::move(*record->mutable_event_id()));
  out.set_channel(record->channel());
  out.set_placement(std::move(*record->mutable_placement()));
  out.set_segment_rule(std::move(*record->mutable_segment_rule()));
  if (record->has_expires_at()) *out.mutable_expires_at() = record->expires_at();
  out.mutable_active_triggers()->Swap(record->mutable_active_triggers());
  out.mutable_active_context_weights()->Swap(record->mutable_active_context_weights());
  out.mutable_dimension_levels()->Swap(record->mutable_dimension_levels());
  out.mutable_budgets()->Swap(record->mutable_budgets());
  if (record->candidates().empty()) {
    CandidatesFromOffers(out.decision(), out);
  } else {
    out.mutable_candidates()->Swap(record->mutable_candidates());
  }
  return out;
}

}  // namespace nbo::server
