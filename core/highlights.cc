#include "core/highlights.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "core/apply_event.h"
#include "core/names.h"
#include "core/time_util.h"

namespace nbo::core {
namespace {

constexpr absl::Duration kDay = absl::Hours(24);

// Whole days from `then` to `now` (negative when `then` is in the future).
int64_t DaysBetween(absl::Time then, absl::Time now) { return (now - then) / kDay; }

std::string DaysAgo(int64_t days) {
  if (days <= 0) return "today";
  if (days == 1) return "yesterday";
  return absl::StrCat(days, " days ago");
}

std::string Plural(int64_t n, absl::string_view unit) {
  return absl::StrCat(n, " ", unit, n == 1 ? "" : "s");
}

std::string LifeEventPhrase(absl::string_view kind) {
  if (kind == "moved_home") return "Moved home";
  if (kind == "married") return "Got married";
  if (kind == "new_child") return "New child";
  if (kind == "new_job") return "New job";
  if (kind == "retired") return "Retired";
  if (kind == "bereavement") return "Bereavement";
  return absl::StrCat("Life event: ", absl::StrReplaceAll(kind, {{"_", " "}}));
}

void AddLifeEvents(const v1::Profile& p, absl::Time now, std::vector<std::string>& lines) {
  std::vector<const v1::ActiveTrigger*> active;
  for (const auto& t : p.triggers()) {
    if (FromProto(t.expires_at()) > now) active.push_back(&t);
  }
  std::stable_sort(active.begin(), active.end(), [](const auto* a, const auto* b) {
    return FromProto(a->happened_at()) > FromProto(b->happened_at());
  });
  for (const auto* t : active) {
    const absl::Time happened = FromProto(t->happened_at());
    const std::string phrase = LifeEventPhrase(t->kind());
    if (happened > now) {
      const int64_t days =
          static_cast<int64_t>(std::ceil(absl::FDivDuration(happened - now, kDay)));
      lines.push_back(absl::StrCat(phrase, " (expected in ", Plural(days, "day"), ")"));
    } else {
      lines.push_back(absl::StrCat(phrase, " ", DaysAgo(DaysBetween(happened, now))));
    }
  }
}

// Counts the complaint events of the recent-events ring inside the window. When the ring may
// have dropped older events of the window and more complaints are on record, it says "at least".
void AddComplaints(const v1::Profile& p, absl::Time now, const HighlightOptions& o,
                   std::vector<std::string>& lines) {
  const absl::Time since = now - o.complaint_window;
  int64_t count = 0;
  for (const auto& e : p.recent_events()) {
    if (e.kind() == "complaint" && FromProto(e.occurred_at()) >= since) ++count;
  }
  bool at_least = false;
  const bool recent_complaint =
      p.service().has_last_complaint() && FromProto(p.service().last_complaint()) >= since;
  if (recent_complaint && p.service().complaints_total() > count) {
    const absl::Time oldest_kept =
        p.recent_events().empty() ? now : FromProto(p.recent_events(0).occurred_at());
    const bool ring_dropped_some =
        oldest_kept > since && p.has_first_seen() && FromProto(p.first_seen()) < oldest_kept;
    if (count == 0 || ring_dropped_some) {
      at_least = true;
      count = std::max<int64_t>(count, 1);
    }
  }
  if (count == 0) return;
  lines.push_back(absl::StrCat(at_least ? "At least " : "", Plural(count, "complaint"),
                               " in the last ", Plural(o.complaint_window / kDay, "day")));
}

void AddNps(const v1::Profile& p, absl::Time now, std::vector<std::string>& lines) {
  if (!p.service().has_last_nps()) return;
  const int nps = p.service().last_nps();
  const absl::string_view kind = nps >= 9 ? "Promoter" : nps >= 7 ? "Passive" : "Detractor";
  std::string line = absl::StrCat(kind, ": NPS ", nps);
  if (p.service().has_last_nps_at()) {
    absl::StrAppend(&line, " (", DaysAgo(DaysBetween(FromProto(p.service().last_nps_at()), now)),
                    ")");
  }
  lines.push_back(std::move(line));
}

void AddValue(const v1::Profile& p, const HighlightOptions& o, std::vector<std::string>& lines) {
  if (p.purchases() == 0 && p.value().potential() == 0 && !o.value_percentile) return;
  std::string estimate = absl::StrCat("est. ", FormatWholeAmount(p.value().potential()),
                                      o.currency.empty() ? "" : " ", o.currency, " next 12 months");
  if (!o.value_percentile) {
    lines.push_back(absl::StrCat("Value: ", estimate));
    return;
  }
  const double pct = std::clamp(*o.value_percentile, 0.0, 100.0);
  const std::string rank =
      pct >= 50 ? absl::StrCat("top ", static_cast<int>(std::max(1.0, std::ceil(100 - pct))), "%")
                : absl::StrCat("bottom ", static_cast<int>(std::max(1.0, std::ceil(pct))), "%");
  lines.push_back(absl::StrCat("Value: ", rank, " (", estimate, ")"));
}

void AddTenure(const v1::Profile& p, absl::Time now, std::vector<std::string>& lines) {
  if (!p.has_first_seen()) return;
  const int64_t days = std::max<int64_t>(0, DaysBetween(FromProto(p.first_seen()), now));
  if (days == 0) {
    lines.push_back("New customer: first seen today");
  } else if (days < 60) {
    lines.push_back(absl::StrCat("Customer for ", Plural(days, "day")));
  } else if (days < 365) {
    lines.push_back(absl::StrCat("Customer for ", Plural(days / 30, "month")));
  } else {
    lines.push_back(absl::StrCat("Customer for ", Plural(days / 365, "year")));
  }
}

void AddHoldings(const v1::Profile& p, const HighlightOptions& o, std::vector<std::string>& lines) {
  if (p.holdings().empty()) return;
  const int listed = std::min(p.holdings_size(), std::max(1, o.max_holdings_listed));
  std::string line = "Holds ";
  for (int i = 0; i < listed; ++i)
    absl::StrAppend(&line, i > 0 ? ", " : "", p.holdings(i).product());
  if (p.holdings_size() > listed)
    absl::StrAppend(&line, " and ", p.holdings_size() - listed, " more");
  lines.push_back(std::move(line));
}

void AddPreferredChannel(const v1::Profile& p, std::vector<std::string>& lines) {
  if (p.channel_usage_size() < 2) return;
  const v1::Channel preferred = PreferredChannel(p);
  for (const auto& u : p.channel_usage()) {
    if (u.channel() != preferred) continue;
    lines.push_back(absl::StrCat("Prefers ", ChannelName(preferred), " (", u.interactions(), " of ",
                                 p.interactions(), " interactions)"));
    return;
  }
}

void AddSegment(const v1::Profile& p, absl::Time now, std::vector<std::string>& lines) {
  if (p.segment_id().empty() || !p.has_segment_since()) return;
  const int64_t days = DaysBetween(FromProto(p.segment_since()), now);
  lines.push_back(days <= 0
                      ? absl::StrCat("In segment ", p.segment_id(), " since today")
                      : absl::StrCat("In segment ", p.segment_id(), " for ", Plural(days, "day")));
}

void AddOptOuts(const v1::Profile& p, std::vector<std::string>& lines) {
  std::vector<absl::string_view> channels;
  for (const auto& c : p.consents()) {
    if (c.opted_in()) continue;
    if (c.channel() == v1::CHANNEL_UNSPECIFIED) {
      lines.push_back("Opted out of all marketing");
      return;
    }
    channels.push_back(ChannelName(c.channel()));
  }
  if (channels.empty()) return;
  std::sort(channels.begin(), channels.end());
  lines.push_back(absl::StrCat("Opted out of ", absl::StrJoin(channels, ", ")));
}

}  // namespace

std::string FormatWholeAmount(double value) {
  if (!std::isfinite(value) || std::fabs(value) >= 1e18) return absl::StrCat(value);
  const long long rounded = std::llround(value);
  const std::string digits = absl::StrCat(std::llabs(rounded));
  std::string out = rounded < 0 ? "-" : "";
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

std::vector<std::string> Highlights(const v1::Profile& profile, absl::Time now,
                                    const HighlightOptions& options) {
  std::vector<std::string> lines;
  AddLifeEvents(profile, now, lines);
  AddComplaints(profile, now, options, lines);
  AddNps(profile, now, lines);
  AddValue(profile, options, lines);
  AddTenure(profile, now, lines);
  AddHoldings(profile, options, lines);
  AddPreferredChannel(profile, lines);
  AddSegment(profile, now, lines);
  AddOptOuts(profile, lines);
  return lines;
}

}  // namespace nbo::core
