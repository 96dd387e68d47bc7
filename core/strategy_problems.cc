#include "core/strategy_problems.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"

namespace nbo::core::internal {

bool IsIdChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

void CheckId(absl::string_view id, const std::string& path, Problems& problems) {
  if (id.empty()) {
    problems.Error(path, "required");
  } else if (id.size() > 64 || !std::all_of(id.begin(), id.end(), IsIdChar)) {
    problems.Error(path, absl::StrCat("\"", id, "\" must be 1..64 characters of [a-z0-9_-]"));
  }
}

void CheckName(absl::string_view name, const std::string& path, Problems& problems) {
  if (name.empty()) {
    problems.Error(path, "required");
  } else if (name.size() > 128) {
    problems.Error(path, "longer than 128 characters");
  }
}

// Rule errors come as "LINE:COLUMN: what"; the position joins the path: "segments[2].rule:1:17".
void AddRuleError(const std::string& path, absl::string_view message, Problems& problems) {
  const size_t sep = message.find(": ");
  const absl::string_view pos = message.substr(0, sep);
  if (sep != absl::string_view::npos && !pos.empty() &&
      std::all_of(pos.begin(), pos.end(),
                  [](char c) { return c == ':' || (c >= '0' && c <= '9'); })) {
    problems.Error(absl::StrCat(path, ":", pos), std::string(message.substr(sep + 2)));
  } else {
    problems.Error(path, std::string(message));
  }
}

// Compiles a required boolean rule at `path`; nullopt (with a located problem) when it does not.
std::optional<Rule> CompileRequiredRule(const std::string& rule, const std::string& path,
                                        Problems& problems) {
  if (rule.empty()) {
    problems.Error(path, "required");
    return std::nullopt;
  }
  auto compiled = Rule::Compile(rule);
  if (!compiled.ok()) {
    AddRuleError(path, compiled.status().message(), problems);
    return std::nullopt;
  }
  return *std::move(compiled);
}

// Resolves offer ids at `path`.offer_ids[j]; unknown and repeated ids are errors.
std::vector<int> ResolveOffers(const google::protobuf::RepeatedPtrField<std::string>& ids,
                               const std::string& path, const Strategy& s, Problems& problems) {
  std::vector<int> offers;
  for (int j = 0; j < ids.size(); ++j) {
    const std::string jpath = absl::StrCat(path, ".offer_ids[", j, "]");
    auto it = s.offer_index.find(ids.Get(j));
    if (it == s.offer_index.end()) {
      problems.Error(jpath, absl::StrCat("unknown offer \"", ids.Get(j), "\""));
    } else if (std::find(offers.begin(), offers.end(), it->second) != offers.end()) {
      problems.Error(jpath, absl::StrCat("offer \"", ids.Get(j), "\" listed twice"));
    } else {
      offers.push_back(it->second);
    }
  }
  return offers;
}

void CheckWeight(double weight, const std::string& path, Problems& problems) {
  if (!(weight > 0) || !std::isfinite(weight)) {
    problems.Error(path, absl::StrCat("must be a finite number > 0, got ", weight));
  }
}

}  // namespace nbo::core::internal
