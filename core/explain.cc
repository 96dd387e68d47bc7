#include "core/explain.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "core/names.h"

namespace nbo::core {
namespace {

bool Holds(const v1::Profile& profile, absl::string_view product) {
  for (const auto& h : profile.holdings()) {
    if (h.product() == product) return true;
  }
  return false;
}

// Appends `value` exactly as snprintf("%.<precision>f") into a 64-byte buffer prints it
// (truncated beyond 63 characters). std::to_chars is specified to print what printf prints, at a
// fraction of snprintf's cost, and a decision formats a dozen numbers for its explanations.
void AppendFixed(double value, int precision, std::string& out) {
  char buf[64];
  const std::to_chars_result r =
      std::to_chars(buf, buf + sizeof(buf) - 1, value, std::chars_format::fixed, precision);
  if (r.ec == std::errc()) {
    out.append(buf, r.ptr);
    return;
  }
  std::snprintf(buf, sizeof(buf), "%.*f", precision, value);  // too long: truncated, as ever
  out.append(buf);
}

// "4.20": two decimals.
void AppendFixed2(double value, std::string& out) { AppendFixed(value, 2, out); }

// "0.05", "0.125", "0.0035": at least two decimals, at most six, no trailing zeros beyond two.
void AppendRate(double value, std::string& out) {
  const size_t start = out.size();
  AppendFixed(value, 6, out);
  const size_t dot = out.find('.', start);
  if (dot == std::string::npos) return;
  size_t end = out.size();
  while (end > dot + 3 && out[end - 1] == '0') --end;
  out.resize(end);
}

// "; context x2.00 (call_reason == "cancel") x1.50 (trigger("moved_home"))", or nothing without
// factors.
void AppendContextFactors(const Strategy& strategy, const Candidate& c, std::string& out) {
  if (c.factors.empty()) return;
  out += "; context";
  for (const ContextFactor& f : c.factors) {
    absl::string_view rule;
    if (f.trigger >= 0) rule = strategy.triggers[f.trigger].def->rule();
    if (f.context_weight >= 0) rule = strategy.context_weights[f.context_weight].def->rule();
    out += " x";
    AppendFixed2(f.weight, out);
    absl::StrAppend(&out, " (", rule, ")");
  }
}

// " Added by trigger "moved_home" (trigger("moved_home")).", or nothing for other sources.
void AppendTriggerSource(const Strategy& strategy, const Candidate& c, std::string& out) {
  if (c.source != CandidateSource::kTrigger || c.trigger < 0) return;
  const v1::Trigger& t = *strategy.triggers[c.trigger].def;
  absl::StrAppend(&out, " Added by trigger \"", t.id(), "\" (", t.rule(), ").");
}

std::string ChosenSentence(const Strategy& strategy, const Candidate& c, int rank) {
  std::string out;
  out.reserve(128);
  absl::StrAppend(&out, "Chosen (rank ", rank, "): score ");
  AppendFixed2(c.score, out);
  out += " = propensity ";
  AppendRate(c.parts.propensity(), out);
  out += " x value ";
  AppendFixed2(c.parts.value(), out);
  out += " x weight ";
  AppendFixed2(c.parts.weight(), out);
  out += " x context ";
  AppendFixed2(c.parts.context(), out);
  if (c.parts.pacing() != 1) {
    out += " x pacing ";
    AppendFixed2(c.parts.pacing(), out);
  }
  AppendContextFactors(strategy, c, out);
  out += '.';
  return out;
}

std::string ConsentSentence(const v1::Profile& profile, v1::Channel channel) {
  for (const auto& c : profile.consents()) {
    if (c.channel() == v1::CHANNEL_UNSPECIFIED && !c.opted_in()) {
      return "Dropped: the customer opted out of all marketing.";
    }
  }
  return absl::StrCat("Dropped: the customer opted out of marketing on ", ChannelName(channel),
                      ".");
}

// "3 days", "1 day", "0.5 days".
std::string DaysText(absl::Duration d) {
  const double days = absl::ToDoubleHours(d) / 24;
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%g", days);
  return absl::StrCat(buf, days == 1 ? " day" : " days");
}

std::string DroppedSentence(const Strategy& strategy, const Candidate& c,
                            const CompiledOffer& offer, const v1::Profile& profile,
                            v1::Channel channel, int position, int max_offers) {
  const v1::Offer& def = *offer.def;
  switch (c.dropped) {
    case DropReason::kAlreadyHeld:
      return absl::StrCat("Dropped: the customer already holds ", def.product(), ".");
    case DropReason::kMissingBase:
      return absl::StrCat("Dropped: needs one of ", absl::StrJoin(def.requires_any(), ", "), ".");
    case DropReason::kExcludedHolding: {
      std::vector<absl::string_view> held;
      for (const auto& p : def.excludes()) {
        if (Holds(profile, p)) held.push_back(p);
      }
      if (held.empty()) {
        return absl::StrCat("Dropped: the customer holds one of ",
                            absl::StrJoin(def.excludes(), ", "), ", which rule it out.");
      }
      return absl::StrCat("Dropped: the customer holds ", absl::StrJoin(held, ", "),
                          held.size() == 1 ? ", which rules it out." : ", which rule it out.");
    }
    case DropReason::kChannel:
      return absl::StrCat("Dropped: not offered on ", ChannelName(channel), ".");
    case DropReason::kPlacement:
      return absl::StrCat("Dropped: only shown in ", absl::StrJoin(def.placements(), ", "), ".");
    case DropReason::kValidity: {
      const auto when = [](absl::Time t) {
        return absl::FormatTime("%Y-%m-%d %H:%M UTC", t, absl::UTCTimeZone());
      };
      if (offer.valid_from != absl::InfinitePast() && offer.valid_until != absl::InfiniteFuture()) {
        return absl::StrCat("Dropped: valid only from ", when(offer.valid_from), " until ",
                            when(offer.valid_until), ".");
      }
      if (offer.valid_from != absl::InfinitePast()) {
        return absl::StrCat("Dropped: not valid before ", when(offer.valid_from), ".");
      }
      return absl::StrCat("Dropped: expired at ", when(offer.valid_until), ".");
    }
    case DropReason::kAlreadyAccepted:
      return "Dropped: the customer accepted it before; it is not made again.";
    case DropReason::kDeclineCooldown:
      return absl::StrCat("Dropped: declined within the last ",
                          DaysText(strategy.contact_policy.decline_cooldown), " (cooldown).");
    case DropReason::kGroupCooldown:
      return absl::StrCat("Dropped: an offer of group \"", def.group(),
                          "\" was declined within the last ",
                          DaysText(strategy.contact_policy.group_decline_cooldown), ".");
    case DropReason::kIgnorePause:
      return absl::StrCat("Dropped: ignored ", strategy.contact_policy.ignore_limit,
                          " times in a row; paused for ",
                          DaysText(strategy.contact_policy.ignore_pause), " after the last.");
    case DropReason::kContactCap:
      return "Dropped: the customer has had as many marketing offers as the contact policy allows.";
    case DropReason::kBudget:
      return "Dropped: its budget is used up.";
    case DropReason::kPacing:
      return "Dropped: its daily budget is spent up to plan for this time of day (pacing).";
    case DropReason::kCapacity:
      return absl::StrCat("Dropped: the capacity of ", ChannelName(channel), " for it is used up.");
    case DropReason::kNoConsent:
      return ConsentSentence(profile, channel);
    case DropReason::kNotEligible:
      return absl::StrCat("Dropped: eligibility rule `", def.eligibility(), "` is false.");
    case DropReason::kDuplicate:
      return "Dropped: listed twice; the first one counts.";
    case DropReason::kRankedOut:
      return absl::StrCat("Dropped: ranked ", Ordinal(position), "; only ", max_offers,
                          max_offers == 1 ? " offer was" : " offers were", " asked for.");
    case DropReason::kNone:
      break;
  }
  return "Kept, but not among the offers answered.";
}

}  // namespace

std::string Ordinal(int n) {
  const int mod100 = n % 100;
  const int mod10 = n % 10;
  absl::string_view suffix = "th";
  if (mod100 < 11 || mod100 > 13) {
    if (mod10 == 1) suffix = "st";
    if (mod10 == 2) suffix = "nd";
    if (mod10 == 3) suffix = "rd";
  }
  return absl::StrCat(n, suffix);
}

std::vector<v1::CandidateExplanation> ExplainCandidates(const Strategy& strategy,
                                                        const ArbitrationResult& arbitration,
                                                        const v1::Profile& profile_after_event,
                                                        v1::Channel channel) {
  const std::vector<Candidate>& candidates = arbitration.candidates;
  const size_t n = std::min(candidates.size(), kMaxExplainedCandidates);
  // Arbitrate puts the segment's (and triggers') candidates first, then (when it fell back) one
  // per fallback.
  size_t segment_count = 0;
  while (segment_count < candidates.size() &&
         candidates[segment_count].source != CandidateSource::kFallback) {
    ++segment_count;
  }
  std::vector<int> rank(candidates.size(), 0);
  for (size_t i = 0; i < arbitration.chosen.size(); ++i) {
    const int c = arbitration.chosen[i];
    if (c >= 0 && static_cast<size_t>(c) < rank.size()) rank[c] = static_cast<int>(i) + 1;
  }
  const int max_offers = static_cast<int>(arbitration.chosen.size());

  std::vector<v1::CandidateExplanation> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    const Candidate& c = candidates[i];
    const CompiledOffer& offer = strategy.offers[c.offer];
    const bool from_segment = i < segment_count;
    v1::CandidateExplanation& e = out.emplace_back();
    e.set_offer_id(offer.def->id());
    e.set_source(std::string(CandidateSourceName(c.source)));
    e.set_weight(c.weight);
    *e.mutable_parts() = c.parts;
    e.set_score(c.score);
    if (rank[i] > 0) {
      e.set_outcome("chosen");
      e.set_rank(rank[i]);
      std::string sentence = ChosenSentence(strategy, c, rank[i]);
      AppendTriggerSource(strategy, c, sentence);
      e.set_explanation(std::move(sentence));
      continue;
    }
    e.set_outcome(std::string(DropReasonName(c.dropped)));
    int position = 0;
    if (c.dropped == DropReason::kRankedOut) {
      // Its place in the ranking of the kept candidates of its group (stable: ties keep order).
      const size_t begin = from_segment ? 0 : segment_count;
      const size_t end = from_segment ? segment_count : candidates.size();
      position = 1;
      for (size_t j = begin; j < end; ++j) {
        const Candidate& o = candidates[j];
        if (j == i || (o.dropped != DropReason::kNone && o.dropped != DropReason::kRankedOut)) {
          continue;
        }
        if (o.score > c.score || (o.score == c.score && j < i)) ++position;
      }
    }
    std::string sentence =
        DroppedSentence(strategy, c, offer, profile_after_event, channel, position, max_offers);
    if (c.dropped == DropReason::kRankedOut && !c.factors.empty()) {
      // "Dropped: ranked 3rd; ... asked for." -> "...asked for; context x2.00 (...)."
      sentence.pop_back();
      AppendContextFactors(strategy, c, sentence);
      sentence += '.';
    }
    AppendTriggerSource(strategy, c, sentence);
    e.set_explanation(std::move(sentence));
  }
  return out;
}

}  // namespace nbo::core
