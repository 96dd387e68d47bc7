#include "server/metrics/names.h"

#include <cstdio>
#include <cstdlib>

namespace nbo::metrics {
namespace {

bool IsAsciiLetterOrUnderscore(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

bool IsValidMetricName(absl::string_view name) {
  if (name.empty()) return false;
  if (!IsAsciiLetterOrUnderscore(name[0]) && name[0] != ':') return false;
  for (char c : name.substr(1)) {
    if (!IsAsciiLetterOrUnderscore(c) && !IsAsciiDigit(c) && c != ':') return false;
  }
  return true;
}

bool IsValidLabelName(absl::string_view name) {
  if (name.empty() || !IsAsciiLetterOrUnderscore(name[0])) return false;
  if (name.size() >= 2 && name[0] == '_' && name[1] == '_') return false;
  for (char c : name.substr(1)) {
    if (!IsAsciiLetterOrUnderscore(c) && !IsAsciiDigit(c)) return false;
  }
  return true;
}

void DieProgrammingError(const std::string& message) {
  std::fprintf(stderr, "nbo::metrics: %s\n", message.c_str());
  std::fflush(stderr);
  std::abort();
}

}  // namespace nbo::metrics
