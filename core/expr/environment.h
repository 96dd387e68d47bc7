// The names an expression may use: variables and functions, declared by the caller.
#ifndef NBO_CORE_EXPR_ENVIRONMENT_H_
#define NBO_CORE_EXPR_ENVIRONMENT_H_

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "core/expr/value.h"

namespace nbo::core::expr {

// A variable: reading it at evaluation calls EvalContext::Number/Bool/String(slot).
struct VariableInfo {
  std::string name;
  Type type;
  int slot;  // Opaque to the language; passed back to the EvalContext. >= 0.
};

// A function: calling it at evaluation calls EvalContext::Call(index, args), with exactly
// params.size() arguments of the declared types.
struct FunctionInfo {
  std::string name;
  std::vector<Type> params;  // 0 to Environment::kMaxParams.
  Type result;
  int index;  // Opaque to the language; passed back to the EvalContext. >= 0.
};

// The variables and functions expressions may refer to. Built once by the caller (for example
// from the profile's features), then used to compile many expressions. A compiled expression
// does not refer to its Environment afterwards.
//
// Names follow the identifier grammar: [A-Za-z_][A-Za-z0-9_]* optionally dotted
// ("value.potential"), and are not keywords (true, false, in). A name is either a variable or a
// function, never both.
//
// Thread-safety: const methods may be called concurrently; Add* must not run concurrently with
// anything else.
class Environment {
 public:
  static constexpr int kMaxParams = 3;

  // Declares a variable. InvalidArgument for a malformed name or a negative slot;
  // AlreadyExists when the name is already declared (as a variable or a function).
  absl::Status AddVariable(std::string_view name, Type type, int slot);

  // Declares a function. InvalidArgument for a malformed name, more than kMaxParams params or a
  // negative index; AlreadyExists when the name is already declared.
  absl::Status AddFunction(std::string_view name, std::vector<Type> params, Type result, int index);

  // nullptr when not declared. Pointers stay valid as long as the Environment lives.
  const VariableInfo* FindVariable(std::string_view name) const;
  const FunctionInfo* FindFunction(std::string_view name) const;

  // All declared names, sorted.
  std::vector<std::string_view> VariableNames() const;
  std::vector<std::string_view> FunctionNames() const;

 private:
  absl::Status CheckNewName(std::string_view name) const;

  std::map<std::string, VariableInfo, std::less<>> variables_;
  std::map<std::string, FunctionInfo, std::less<>> functions_;
};

// True when `name` is a valid (possibly dotted) identifier and not a keyword.
bool IsValidName(std::string_view name);

}  // namespace nbo::core::expr

#endif  // NBO_CORE_EXPR_ENVIRONMENT_H_
