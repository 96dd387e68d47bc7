#include "core/reason_template.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/apply_event.h"
#include "core/time_util.h"

namespace nbo::core {

int MonthsHeld(const v1::Profile& profile, absl::string_view product, absl::Time now) {
  for (const auto& h : profile.holdings()) {
    if (h.product() == product) {
      const double days = absl::ToDoubleHours(now - FromProto(h.since())) / 24.0;
      return days <= 0 ? 0 : static_cast<int>(days / 30.44);
    }
  }
  return 0;
}

std::string HeldFor(const v1::Profile& profile, absl::string_view product, absl::Time now) {
  for (const auto& h : profile.holdings()) {
    if (h.product() != product) continue;
    const double days = std::max(0.0, absl::ToDoubleHours(now - FromProto(h.since())) / 24.0);
    const auto plural = [](int n, absl::string_view unit) {
      return absl::StrCat(n, " ", unit, n == 1 ? "" : "s");
    };
    if (days >= 365.25) return plural(static_cast<int>(days / 365.25), "year");
    if (days >= 30.44) return plural(static_cast<int>(days / 30.44), "month");
    if (days >= 7) return plural(static_cast<int>(days / 7), "week");
    return "a few days";
  }
  return "";
}

absl::string_view InterestWords(double level) {
  if (level >= 0.6) return "a lot";
  if (level >= 0.3) return "quite a bit";
  if (level >= 0.05) return "a little";
  return "not much";
}

absl::StatusOr<ReasonTemplate> ReasonTemplate::Parse(absl::string_view text) {
  ReasonTemplate t;
  std::string literal;
  auto flush = [&] {
    if (!literal.empty()) t.parts_.push_back({Kind::kText, std::move(literal)});
    literal.clear();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '}') {
      if (i + 1 < text.size() && text[i + 1] == '}') {
        literal += '}';
        ++i;
        continue;
      }
      return absl::InvalidArgumentError(
          absl::StrCat("column ", i + 1, ": unmatched '}' (write '}}' for a literal brace)"));
    }
    if (c != '{') {
      literal += c;
      continue;
    }
    if (i + 1 < text.size() && text[i + 1] == '{') {
      literal += '{';
      ++i;
      continue;
    }
    const size_t end = text.find('}', i);
    if (end == absl::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("column ", i + 1, ": placeholder not closed with '}'"));
    }
    const absl::string_view name = text.substr(i + 1, end - i - 1);
    flush();
    if (name == "offer") {
      t.parts_.push_back({Kind::kOffer, ""});
    } else if (name == "segment") {
      t.parts_.push_back({Kind::kSegment, ""});
    } else if (name == "product") {
      t.parts_.push_back({Kind::kProduct, ""});
    } else if (name == "purchases") {
      t.parts_.push_back({Kind::kPurchases, ""});
    } else if (name == "interactions") {
      t.parts_.push_back({Kind::kInteractions, ""});
    } else if (absl::StartsWith(name, "months_held:") && name.size() > 12) {
      t.parts_.push_back({Kind::kMonthsHeld, std::string(name.substr(12))});
    } else if (absl::StartsWith(name, "held_for:") && name.size() > 9) {
      t.parts_.push_back({Kind::kHeldFor, std::string(name.substr(9))});
    } else if (absl::StartsWith(name, "interest:") && name.size() > 9) {
      t.parts_.push_back({Kind::kInterest, std::string(name.substr(9))});
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("column ", i + 1, ": unknown placeholder {", name,
                       "}; known: {offer}, {segment}, {product}, {months_held:PRODUCT}, "
                       "{held_for:PRODUCT}, {interest:CATEGORY}, {purchases}, {interactions}"));
    }
    i = end;
  }
  flush();
  return t;
}

std::string ReasonTemplate::Render(const ReasonInputs& in) const {
  std::string out;
  for (const Part& p : parts_) {
    switch (p.kind) {
      case Kind::kText:
        out += p.text;
        break;
      case Kind::kOffer:
        absl::StrAppend(&out, in.offer_name);
        break;
      case Kind::kSegment:
        absl::StrAppend(&out, in.segment_name);
        break;
      case Kind::kProduct:
        absl::StrAppend(&out, in.product);
        break;
      case Kind::kMonthsHeld:
        absl::StrAppend(&out, MonthsHeld(*in.profile, p.text, in.now));
        break;
      case Kind::kHeldFor:
        absl::StrAppend(&out, HeldFor(*in.profile, p.text, in.now));
        break;
      case Kind::kInterest:
        absl::StrAppend(&out,
                        InterestWords(InterestLevel(*in.profile, p.text, in.now, *in.settings)));
        break;
      case Kind::kPurchases:
        absl::StrAppend(&out, in.profile->purchases());
        break;
      case Kind::kInteractions:
        absl::StrAppend(&out, in.profile->interactions());
        break;
    }
  }
  return out;
}

}  // namespace nbo::core
