#include "core/expr/environment.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "core/expr/absl_view.h"

namespace nbo::core::expr {
namespace {

bool IsIdentStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsIdentChar(char c) { return IsIdentStart(c) || (c >= '0' && c <= '9'); }

}  // namespace

bool IsValidName(std::string_view name) {
  if (name == "true" || name == "false" || name == "in") return false;
  bool at_start = true;
  for (char c : name) {
    if (at_start) {
      if (!IsIdentStart(c)) return false;
      at_start = false;
    } else if (c == '.') {
      at_start = true;
    } else if (!IsIdentChar(c)) {
      return false;
    }
  }
  return !at_start;  // Empty names and trailing dots are invalid.
}

absl::Status Environment::CheckNewName(std::string_view name) const {
  if (!IsValidName(name)) {
    return absl::InvalidArgumentError(absl::StrCat("invalid name \"", AbslView(name), "\""));
  }
  if (variables_.count(name) > 0 || functions_.count(name) > 0) {
    return absl::AlreadyExistsError(
        absl::StrCat("name \"", AbslView(name), "\" is already declared"));
  }
  return absl::OkStatus();
}

absl::Status Environment::AddVariable(std::string_view name, Type type, int slot) {
  if (absl::Status s = CheckNewName(name); !s.ok()) return s;
  if (slot < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("variable \"", AbslView(name), "\": negative slot"));
  }
  variables_.emplace(std::string(name), VariableInfo{std::string(name), type, slot});
  return absl::OkStatus();
}

absl::Status Environment::AddFunction(std::string_view name, std::vector<Type> params, Type result,
                                      int index) {
  if (absl::Status s = CheckNewName(name); !s.ok()) return s;
  if (params.size() > static_cast<size_t>(kMaxParams)) {
    return absl::InvalidArgumentError(
        absl::StrCat("function \"", AbslView(name), "\": more than ", kMaxParams, " parameters"));
  }
  if (index < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("function \"", AbslView(name), "\": negative index"));
  }
  functions_.emplace(std::string(name),
                     FunctionInfo{std::string(name), std::move(params), result, index});
  return absl::OkStatus();
}

const VariableInfo* Environment::FindVariable(std::string_view name) const {
  auto it = variables_.find(name);
  return it == variables_.end() ? nullptr : &it->second;
}

const FunctionInfo* Environment::FindFunction(std::string_view name) const {
  auto it = functions_.find(name);
  return it == functions_.end() ? nullptr : &it->second;
}

std::vector<std::string_view> Environment::VariableNames() const {
  std::vector<std::string_view> names;
  names.reserve(variables_.size());
  for (const auto& [name, info] : variables_) names.push_back(name);
  return names;
}

std::vector<std::string_view> Environment::FunctionNames() const {
  std::vector<std::string_view> names;
  names.reserve(functions_.size());
  for (const auto& [name, info] : functions_) names.push_back(name);
  return names;
}

}  // namespace nbo::core::expr
