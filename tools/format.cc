#include "tools/format.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "google/protobuf/util/json_util.h"
#include "tools/admin_request.h"
#include "tools/customer_ref.h"
#include "tools/enum_names.h"

namespace nbo::tools {
namespace {

// One "Label      value" line; labels are padded so values line up.
// An empty value prints the label alone (a heading for the indented lines below it).
void Line(std::string& out, absl::string_view label, absl::string_view value) {
  if (value.empty()) {
    absl::StrAppend(&out, label, "\n");
  } else {
    absl::StrAppendFormat(&out, "%-13s %s\n", label, value);
  }
}

std::string Money(double value) { return absl::StrFormat("%.2f", value); }

// "email"; "all marketing" for CHANNEL_UNSPECIFIED (consent for marketing as a whole).
std::string ConsentChannelName(v1::Channel channel) {
  return channel == v1::CHANNEL_UNSPECIFIED ? "all marketing" : ChannelName(channel);
}

// "Young families (young_families)", "-" without a segment; ", micro-segment ID" appended when
// a micro-segment refined the treatments.
std::string SegmentText(const v1::DecideResponse& r) {
  std::string segment = r.segment_id().empty() ? "-" : r.segment_id();
  if (!r.segment_name().empty()) segment = absl::StrCat(r.segment_name(), " (", segment, ")");
  if (!r.micro_segment_id().empty()) {
    absl::StrAppend(&segment, ", micro-segment ", r.micro_segment_id());
  }
  return segment;
}

// The "Fallback" and "Consent" lines, each only when it has something to say.
void AppendFallbackAndConsent(std::string& out, const v1::DecideResponse& r) {
  if (r.fallback()) {
    Line(out, "Fallback",
         absl::StrCat("yes (", r.fallback_cause().empty() ? "no cause given" : r.fallback_cause(),
                      ")"));
  }
  if (!r.consent_note().empty()) Line(out, "Consent", r.consent_note());
}

// Whether a pacing factor is worth showing: 1 is the common case (no paced budget) and 0 means
// the server did not report one (decisions made before pacing existed).
bool Paced(double pacing) { return pacing != 1 && pacing != 0; }

// "x0.80": a score factor.
std::string Factor(double value) { return absl::StrFormat("x%.2f", value); }

// Counts as integers ("12"), money with two decimals ("12.50").
std::string Amount(double value) {
  if (std::trunc(value) == value && std::abs(value) < 1e15) {
    return absl::StrFormat("%.0f", value);
  }
  return Money(value);
}

constexpr size_t kChecksumDigits = 12;
constexpr size_t kTopInterests = 5;
constexpr int kLastSegmentChanges = 5;
constexpr int kLastEvents = 10;

void AppendValueAndRfm(std::string& out, const v1::Profile& p) {
  const v1::CustomerValue& v = p.value();
  Line(out, "Value",
       absl::StrFormat("actual %s, potential %s, total %s, retention %.0f%%", Money(v.actual()),
                       Money(v.potential()), Money(v.total()), v.retention_probability() * 100));
  // Stored decayed values are as of their last update; the CLI does not know the half-lives.
  std::string rfm = absl::StrFormat("frequency %.2f, monetary %s (decayed",
                                    p.rfm().frequency().value(), Money(p.rfm().monetary().value()));
  if (p.rfm().frequency().has_at()) {
    absl::StrAppend(&rfm, ", as of ", FormatTimestamp(p.rfm().frequency().at()));
  }
  rfm += ")";
  if (p.rfm().has_last_purchase()) {
    absl::StrAppend(&rfm, ", last purchase ", FormatTimestamp(p.rfm().last_purchase()));
  }
  Line(out, "RFM", rfm);
  std::vector<const v1::CategoryInterest*> interests;
  for (const v1::CategoryInterest& interest : p.interests()) interests.push_back(&interest);
  std::sort(interests.begin(), interests.end(),
            [](const v1::CategoryInterest* a, const v1::CategoryInterest* b) {
              if (a->score().value() != b->score().value()) {
                return a->score().value() > b->score().value();
              }
              return a->category() < b->category();
            });
  if (interests.size() > kTopInterests) interests.resize(kTopInterests);
  std::vector<std::string> top;
  for (const v1::CategoryInterest* interest : interests) {
    top.push_back(absl::StrFormat("%s %.2f", interest->category(), interest->score().value()));
  }
  Line(out, "Interests", top.empty() ? "none" : absl::StrJoin(top, ", "));
}

// The last segment changes, newest first.
void AppendSegmentHistory(std::string& out, const v1::Profile& p) {
  const int n = p.segment_history_size();
  Line(out, "Segment log", n == 0 ? "none" : "");
  for (int i = n - 1; i >= 0 && i >= n - kLastSegmentChanges; --i) {
    const v1::SegmentTransition& t = p.segment_history(i);
    absl::StrAppend(&out, "  ", FormatTimestamp(t.at()), "  ", t.from().empty() ? "none" : t.from(),
                    " -> ", t.to());
    if (!t.strategy_version().empty())
      absl::StrAppend(&out, " (strategy ", t.strategy_version(), ")");
    absl::StrAppend(&out, "\n");
  }
}

void AppendTriggersServiceConsents(std::string& out, const v1::Profile& p) {
  std::vector<std::string> triggers;
  for (const v1::ActiveTrigger& trigger : p.triggers()) {
    triggers.push_back(
        absl::StrCat(trigger.kind(), " until ", FormatTimestamp(trigger.expires_at())));
  }
  Line(out, "Triggers", triggers.empty() ? "none" : absl::StrJoin(triggers, ", "));

  const v1::ServiceSignals& s = p.service();
  std::string service;
  if (s.complaints_total() == 0) {
    service = "no complaints";
  } else {
    service = absl::StrFormat("%d %s (weight %.2f), last %s", s.complaints_total(),
                              s.complaints_total() == 1 ? "complaint" : "complaints",
                              s.complaints().value(), FormatTimestamp(s.last_complaint()));
  }
  if (s.has_last_nps()) {
    absl::StrAppend(&service, "; last NPS ", s.last_nps(), " (", FormatTimestamp(s.last_nps_at()),
                    ")");
  } else {
    absl::StrAppend(&service, "; no NPS");
  }
  Line(out, "Service", service);

  std::vector<std::string> opted_out;
  for (const v1::ConsentEntry& consent : p.consents()) {
    if (!consent.opted_in()) opted_out.push_back(ConsentChannelName(consent.channel()));
  }
  Line(out, "Consents",
       opted_out.empty() ? "no opt-outs"
                         : absl::StrCat("opted out of ", absl::StrJoin(opted_out, ", ")));
}

// The last events, newest first, one line each.
void AppendRecentEvents(std::string& out, const v1::Profile& p) {
  const int n = p.recent_events_size();
  if (n == 0) {
    Line(out, "Recent events", "none");
    return;
  }
  Line(out, "Recent events",
       n > kLastEvents ? absl::StrCat(kLastEvents, " of ", n) : absl::StrCat(n));
  for (int i = n - 1; i >= 0 && i >= n - kLastEvents; --i) {
    const v1::RecentEvent& e = p.recent_events(i);
    std::string line = absl::StrFormat("  %s  %-11s %-15s %s", FormatTimestamp(e.occurred_at()),
                                       ChannelName(e.channel()), e.kind(), e.summary());
    absl::StripTrailingAsciiWhitespace(&line);
    absl::StrAppend(&out, line, "\n");
  }
}

}  // namespace

std::string FormatTimestamp(const google::protobuf::Timestamp& ts) {
  if (ts.seconds() == 0 && ts.nanos() == 0) return "-";
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::FromUnixSeconds(ts.seconds()),
                          absl::UTCTimeZone());
}

std::string FormatDecision(const v1::DecideResponse& r) {
  std::string out;
  Line(out, "Decision", absl::StrCat(r.decision_id(), " at ", FormatTimestamp(r.decided_at())));
  Line(out, "Customer", r.customer_id());
  Line(out, "Segment", SegmentText(r));
  Line(out, "Strategy", r.strategy_version().empty() ? "-" : r.strategy_version());
  AppendFallbackAndConsent(out, r);
  Line(out, "Offers", r.offers().empty() ? "none" : absl::StrCat(r.offers_size()));
  int rank = 0;
  for (const v1::RankedOffer& offer : r.offers()) {
    ++rank;
    absl::StrAppendFormat(&out, "  %d. %s (%s), %s, score %.4g", rank,
                          offer.name().empty() ? offer.offer_id() : offer.name(), offer.offer_id(),
                          OfferKindName(offer.kind()), offer.score());
    if (Paced(offer.parts().pacing())) {
      absl::StrAppend(&out, " (pacing ", Factor(offer.parts().pacing()), ")");
    }
    out += "\n";
    if (!offer.reason().empty()) absl::StrAppend(&out, "     ", offer.reason(), "\n");
  }
  return out;
}

std::string FormatProfile(const v1::GetProfileResponse& response) {
  const v1::Profile& p = response.profile();
  std::string out;
  Line(out, "Customer", p.customer_id());
  std::vector<std::string> identities;
  for (const v1::SourceIdentity& id : p.identities()) {
    identities.push_back(absl::StrCat(id.source(), ":", id.external_id()));
  }
  Line(out, "Identities", identities.empty() ? "none" : absl::StrJoin(identities, ", "));
  Line(out, "Merged ids", p.merged_ids().empty() ? "none" : absl::StrJoin(p.merged_ids(), ", "));
  Line(out, "First seen", FormatTimestamp(p.first_seen()));
  Line(out, "Last seen", FormatTimestamp(p.last_seen()));
  Line(out, "Interactions", absl::StrCat(p.interactions()));
  for (const v1::ChannelUsage& usage : p.channel_usage()) {
    absl::StrAppendFormat(&out, "  %-12s %6d  last %s\n", ChannelName(usage.channel()),
                          usage.interactions(), FormatTimestamp(usage.last_seen()));
  }
  Line(out, "Holdings", p.holdings().empty() ? "none" : absl::StrCat(p.holdings_size()));
  for (const v1::Holding& holding : p.holdings()) {
    absl::StrAppend(&out, "  ", holding.product());
    if (!holding.category().empty()) absl::StrAppend(&out, " (", holding.category(), ")");
    absl::StrAppend(&out, " since ", FormatTimestamp(holding.since()), "\n");
  }
  Line(out, "Purchases", absl::StrCat(p.purchases()));
  Line(out, "Monetary", Money(p.monetary_total()));
  Line(out, "Margin", Money(p.margin_total()));
  AppendValueAndRfm(out, p);
  if (p.segment_id().empty()) {
    Line(out, "Segment", "none yet");
  } else {
    std::string segment =
        absl::StrCat(p.segment_id(), " since ", FormatTimestamp(p.segment_since()));
    if (!p.segment_strategy_version().empty()) {
      absl::StrAppend(&segment, " (strategy ", p.segment_strategy_version(), ")");
    }
    Line(out, "Segment", segment);
  }
  AppendSegmentHistory(out, p);
  AppendTriggersServiceConsents(out, p);
  AppendRecentEvents(out, p);
  Line(out, "Highlights", response.highlights().empty() ? "none" : "");
  for (const std::string& highlight : response.highlights()) {
    absl::StrAppend(&out, "  - ", highlight, "\n");
  }
  return out;
}

std::string FormatLink(const v1::LinkIdentityRequest& request,
                       const v1::LinkIdentityResponse& response) {
  std::string out;
  const std::string survivor = response.customer_id().empty()
                                   ? CustomerRefToString(request.customer())
                                   : response.customer_id();
  Line(out, "Linked",
       absl::StrCat(request.identity().source(), ":", request.identity().external_id(), " -> ",
                    survivor));
  if (response.merged()) {
    Line(out, "Merged",
         absl::StrCat("yes: ",
                      response.absorbed_customer_id().empty() ? "another profile"
                                                              : response.absorbed_customer_id(),
                      " was merged into ", survivor));
  } else {
    Line(out, "Merged", "no");
  }
  return out;
}

std::string FormatConsent(const v1::UpdateConsentRequest& request) {
  std::string text = absl::StrCat(CustomerRefToString(request.customer()),
                                  request.opted_in() ? " opted in to " : " opted out of ",
                                  ConsentChannelName(request.channel()));
  if (!request.source().empty()) absl::StrAppend(&text, " (source ", request.source(), ")");
  std::string out;
  Line(out, "Consent", text);
  return out;
}

std::string FormatForget(const v1::ForgetCustomerRequest& request,
                         const v1::ForgetCustomerResponse& response) {
  std::string text =
      absl::StrCat(CustomerRefToString(request.customer()), ": ", response.records_deleted(),
                   response.records_deleted() == 1 ? " record" : " records", " deleted");
  if (request.suppress_future_events()) absl::StrAppend(&text, "; future events suppressed");
  std::string out;
  Line(out, "Forgot", text);
  return out;
}

std::string FormatOutcome(const v1::OutcomeRequest& request, const v1::OutcomeResponse& response) {
  std::string out = absl::StrCat(
      response.duplicate() ? "Already recorded: " : "Recorded: ", OutcomeWord(request.outcome()),
      " ", request.offer_id(), " for decision ", request.decision_id());
  if (request.value_realised() > 0)
    absl::StrAppend(&out, ", value ", Money(request.value_realised()));
  if (response.duplicate()) out += " (nothing changed)";
  out += "\n";
  return out;
}

std::string FormatStrategyInfo(const v1::StrategyInfo& info) {
  std::string out;
  std::string title = info.version().empty() ? "-" : info.version();
  if (!info.name().empty()) absl::StrAppend(&title, " \"", info.name(), "\"");
  Line(out, "Strategy", title);
  Line(out, "Checksum", info.checksum().empty() ? "-" : info.checksum());
  Line(out, "Loaded",
       absl::StrCat(FormatTimestamp(info.loaded_at()), " from ",
                    info.source().empty() ? "-" : info.source()));
  Line(out, "Contents", absl::StrCat(info.segments(), " segments, ", info.offers(), " offers"));
  Line(out, "Warnings", info.warnings().empty() ? "none" : absl::StrCat(info.warnings_size()));
  for (const v1::StrategyProblem& warning : info.warnings()) {
    absl::StrAppend(&out, "  ", warning.location().empty() ? "(document)" : warning.location(),
                    ": ", warning.message(), "\n");
  }
  return out;
}

std::string FormatGetStrategy(const v1::GetStrategyResponse& response) {
  std::string out = FormatStrategyInfo(response.info());
  if (!response.document_json().empty()) {
    absl::StrAppend(&out, "\n", response.document_json());
    if (out.back() != '\n') out.push_back('\n');
  }
  return out;
}

std::string FormatReload(const v1::ReloadStrategyResponse& response) {
  std::string out = absl::StrCat(
      "Reloaded strategy ", response.info().version(), " (was ",
      response.previous_version().empty() ? "none" : response.previous_version(), ")\n");
  absl::StrAppend(&out, FormatStrategyInfo(response.info()));
  return out;
}

std::string Table(const std::vector<std::vector<std::string>>& rows,
                  const std::vector<bool>& right_aligned) {
  std::vector<size_t> width;
  for (const auto& row : rows) {
    if (width.size() < row.size()) width.resize(row.size(), 0);
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line = " ";
    for (size_t i = 0; i < row.size(); ++i) {
      const bool right = i < right_aligned.size() && right_aligned[i];
      const std::string pad(width[i] - row[i].size(), ' ');
      absl::StrAppend(&line, " ");
      if (right) {
        absl::StrAppend(&line, pad, row[i]);
      } else if (i + 1 < row.size()) {
        absl::StrAppend(&line, row[i], pad);
      } else {
        absl::StrAppend(&line, row[i]);
      }
      if (i + 1 < row.size()) absl::StrAppend(&line, " ");
    }
    absl::StripTrailingAsciiWhitespace(&line);
    absl::StrAppend(&out, line, "\n");
  }
  return out;
}

std::string FormatExplain(const v1::ExplainDecisionResponse& response) {
  const v1::DecideResponse& r = response.decision();
  std::string out;
  Line(out, "Decision", absl::StrCat(r.decision_id(), " at ", FormatTimestamp(r.decided_at())));
  Line(out, "Customer", r.customer_id().empty() ? "-" : r.customer_id());
  std::string event = absl::StrCat(response.event_id().empty() ? "-" : response.event_id(), " on ",
                                   ChannelName(response.channel()));
  if (!response.placement().empty()) absl::StrAppend(&event, ", placement ", response.placement());
  Line(out, "Event", event);
  std::string strategy = r.strategy_version().empty() ? "-" : r.strategy_version();
  if (!r.strategy_checksum().empty()) {
    absl::StrAppend(&strategy, " (checksum ", r.strategy_checksum().substr(0, kChecksumDigits),
                    ")");
  }
  Line(out, "Strategy", strategy);
  Line(out, "Segment", SegmentText(r));
  Line(out, "Rule", response.segment_rule().empty() ? "-" : response.segment_rule());
  // What shaped the candidates, each only when there is any.
  if (!response.dimension_levels().empty()) {
    Line(out, "Dimensions", absl::StrJoin(response.dimension_levels(), ", "));
  }
  if (!response.active_triggers().empty()) {
    Line(out, "Triggers", absl::StrJoin(response.active_triggers(), ", "));
  }
  if (!response.active_context_weights().empty()) {
    Line(out, "Context", absl::StrJoin(response.active_context_weights(), ", "));
  }
  AppendFallbackAndConsent(out, r);
  Line(out, "Kept until", FormatTimestamp(response.expires_at()));
  Line(out, "Candidates",
       response.candidates().empty() ? "none" : absl::StrCat(response.candidates_size()));
  if (!response.candidates().empty()) {
    // The PACING column only when some candidate's budget was paced.
    bool paced = false;
    for (const v1::CandidateExplanation& c : response.candidates()) {
      paced = paced || Paced(c.parts().pacing());
    }
    std::vector<std::vector<std::string>> rows;
    rows.push_back({"RANK/OUTCOME", "OFFER", "SOURCE", "SCORE"});
    if (paced) rows.back().push_back("PACING");
    rows.back().push_back("EXPLANATION");
    for (const v1::CandidateExplanation& c : response.candidates()) {
      rows.push_back({c.rank() > 0 ? absl::StrCat(c.rank()) : c.outcome(), c.offer_id(), c.source(),
                      absl::StrFormat("%.2f", c.score())});
      if (paced) {
        rows.back().push_back(Paced(c.parts().pacing()) ? Factor(c.parts().pacing()) : "-");
      }
      rows.back().push_back(c.explanation());
    }
    absl::StrAppend(&out, paced ? Table(rows, {false, false, false, true, true, false})
                                : Table(rows, {false, false, false, true, false}));
  }
  if (!response.budgets().empty()) {
    Line(out, "Budgets", absl::StrCat(response.budgets_size()));
    std::vector<std::vector<std::string>> rows;
    rows.push_back({"KEY", "OFFER", "SPENT/LIMIT", "PLAN", "PACING"});
    for (const v1::BudgetState& b : response.budgets()) {
      rows.push_back({b.key(), b.offer_id().empty() ? "-" : b.offer_id(),
                      absl::StrCat(Amount(b.spent()), " / ", Amount(b.limit())), Amount(b.plan()),
                      b.pacing() == 0 ? "-" : Factor(b.pacing())});
    }
    absl::StrAppend(&out, Table(rows, {false, false, true, true, true}));
  }
  return out;
}

std::string FormatValidate(const v1::ValidateStrategyResponse& response) {
  std::string out = response.valid() ? "VALID\n" : "INVALID\n";
  int errors = 0;
  for (const v1::StrategyProblem& p : response.problems()) errors += p.warning() ? 0 : 1;
  const int warnings = response.problems_size() - errors;
  Line(out, "Problems",
       response.problems().empty()
           ? "none"
           : absl::StrCat(errors, errors == 1 ? " error, " : " errors, ", warnings,
                          warnings == 1 ? " warning" : " warnings"));
  for (const bool warning : {false, true}) {
    for (const v1::StrategyProblem& p : response.problems()) {
      if (p.warning() != warning) continue;
      absl::StrAppend(&out, "  ", warning ? "warning" : "error  ", "  ",
                      p.location().empty() ? "(document)" : p.location(), ": ", p.message(), "\n");
    }
  }
  if (!response.has_what_if()) return out;
  const v1::WhatIf& w = response.what_if();
  Line(out, "What-if",
       absl::StrCat(
           w.profiles(), w.profiles() == 1 ? " profile" : " profiles", " on ",
           ChannelName(w.channel() == v1::CHANNEL_UNSPECIFIED ? v1::CHANNEL_WEB : w.channel()),
           ", ", w.fallback_decisions(), " answered from the fallback list"));
  Line(out, "Segments", w.segments().empty() ? "none" : "");
  if (!w.segments().empty()) {
    std::vector<std::vector<std::string>> rows;
    rows.push_back({"SEGMENT", "NAME", "CUSTOMERS", "SHARE"});
    for (const v1::SegmentShare& s : w.segments()) {
      rows.push_back({s.segment_id(), s.name(), absl::StrCat(s.customers()),
                      absl::StrFormat("%.1f%%", s.share() * 100)});
    }
    absl::StrAppend(&out, Table(rows, {false, false, true, true}));
  }
  Line(out, "Offers", w.offers().empty() ? "none" : "");
  if (!w.offers().empty()) {
    std::vector<std::vector<std::string>> rows;
    rows.push_back({"OFFER", "CANDIDATES", "WINS", "TOP WINS", "TOP DROP REASON"});
    for (const v1::OfferFunnel& f : w.offers()) {
      std::string drop = "-";
      if (!f.top_drop_reason().empty()) {
        const auto it = f.drops().find(f.top_drop_reason());
        drop = it == f.drops().end() ? f.top_drop_reason()
                                     : absl::StrCat(f.top_drop_reason(), " (", it->second, ")");
      }
      rows.push_back({f.offer_id(), absl::StrCat(f.candidates()), absl::StrCat(f.wins()),
                      absl::StrCat(f.top_wins()), drop});
    }
    absl::StrAppend(&out, Table(rows, {false, true, true, true, false}));
  }
  return out;
}

absl::StatusOr<std::string> ToJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = true;
  std::string json;
  const auto status = google::protobuf::util::MessageToJsonString(message, &json, options);
  if (!status.ok()) {
    return absl::InternalError(absl::StrCat("cannot print JSON: ", status.ToString()));
  }
  if (json.empty() || json.back() != '\n') json.push_back('\n');
  return json;
}

}  // namespace nbo::tools
