#include "core/reason_template.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
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
    } else {
      return absl::InvalidArgumentError(absl::StrCat(
          "column ", i + 1, ": unknown placeholder {", name,
          "}; known: {offer}, {segment}, {product}, {months_held:PRODUCT}, {purchases}, "
          "{interactions}"));
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
