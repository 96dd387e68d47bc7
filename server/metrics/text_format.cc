#include "server/metrics/text_format.h"

#include <charconv>
#include <cmath>
#include <cstdint>

#include "absl/strings/str_cat.h"

namespace nbo::metrics {
namespace {

void AppendEscaped(absl::string_view text, bool escape_quote, std::string* out) {
  for (char c : text) {
    switch (c) {
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '"':
        if (escape_quote) {
          out->append("\\\"");
        } else {
          out->push_back(c);
        }
        break;
      default:
        out->push_back(c);
    }
  }
}

void AppendSample(const std::string& family, const Sample& sample, std::string* out) {
  absl::StrAppend(out, family, sample.suffix);
  if (!sample.labels.empty() || sample.le.has_value()) {
    out->push_back('{');
    bool first = true;
    for (const auto& [name, value] : sample.labels) {
      if (!first) out->push_back(',');
      first = false;
      absl::StrAppend(out, name, "=\"");
      AppendEscaped(value, /*escape_quote=*/true, out);
      out->push_back('"');
    }
    if (sample.le.has_value()) {
      if (!first) out->push_back(',');
      absl::StrAppend(out, "le=\"", FormatValue(*sample.le), "\"");
    }
    out->push_back('}');
  }
  absl::StrAppend(out, " ", FormatValue(sample.value), "\n");
}

}  // namespace

std::string FormatValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  // 2^63 is exactly representable; anything integral below it fits an int64 without rounding.
  constexpr double kTwoPow63 = 9223372036854775808.0;
  if (value == std::trunc(value) && std::fabs(value) < kTwoPow63) {
    return absl::StrCat(static_cast<int64_t>(value));
  }
  char buffer[64];
  auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);  // shortest round-trip
  return std::string(buffer, result.ptr);
}

std::string EscapeLabelValue(absl::string_view value) {
  std::string out;
  out.reserve(value.size());
  AppendEscaped(value, /*escape_quote=*/true, &out);
  return out;
}

std::string EscapeHelp(absl::string_view help) {
  std::string out;
  out.reserve(help.size());
  AppendEscaped(help, /*escape_quote=*/false, &out);
  return out;
}

std::string RenderFamilies(const std::vector<FamilySnapshot>& families) {
  size_t samples = 0;
  for (const FamilySnapshot& family : families) samples += family.samples.size() + 2;
  std::string out;
  out.reserve(samples * 80);  // a typical line; avoids regrowing a large buffer
  for (const FamilySnapshot& family : families) {
    absl::StrAppend(&out, "# HELP ", family.name, " ");
    AppendEscaped(family.help, /*escape_quote=*/false, &out);
    absl::StrAppend(&out, "\n# TYPE ", family.name, " ", MetricTypeName(family.type), "\n");
    for (const Sample& sample : family.samples) AppendSample(family.name, sample, &out);
  }
  return out;
}

std::string Render(const Registry& registry) { return RenderFamilies(registry.Collect()); }

}  // namespace nbo::metrics
