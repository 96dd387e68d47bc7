// A small environment and evaluation context shared by the nbo::expr tests and benchmark.
#ifndef NBO_CORE_EXPR_TEST_CONTEXT_H_
#define NBO_CORE_EXPR_TEST_CONTEXT_H_

#include <string_view>

#include "core/expr/compiled_expr.h"
#include "core/expr/environment.h"

namespace nbo::core::expr::testing {

// Function indices of TestEnvironment().
enum TestFunction {
  kHolds = 0,       // holds(string) -> bool: owns the product
  kMonthsHeld,      // months_held(string) -> number: 0 when not owned
  kInteractionsOn,  // interactions_on(string) -> number: per channel
  kClamp,           // clamp(number x, number lo, number hi) -> number
  kPi,              // pi() -> number
  kLabel,           // label(string s, bool keep) -> string: s when keep, else "none"
  kBroken,          // broken() -> number, but the context returns a bool (contract breach)
};

// Variables: monetary_total, months_active, value.potential (numbers, slots 0-2); channel,
// segment (strings, slots 0-1); is_vip, opted_in (bools, slots 0-1). Functions: see above.
Environment TestEnvironment();

struct Entry {
  std::string_view key;
  double number;
};

// Plain arrays, so that evaluating allocates nothing. Counts calls to functions.
class TestContext : public EvalContext {
 public:
  double numbers[3] = {0, 0, 0};
  bool bools[2] = {false, false};
  std::string_view strings[2];
  Entry holdings[4] = {};  // product -> months held
  int holding_count = 0;
  Entry interactions[4] = {};  // channel -> count
  int interaction_count = 0;
  mutable int calls = 0;

  double Number(int slot) const override { return numbers[slot]; }
  bool Bool(int slot) const override { return bools[slot]; }
  std::string_view String(int slot) const override { return strings[slot]; }
  Value Call(int function, absl::Span<const Value> args) const override;
};

// monetary_total 1500, months_active 30, value.potential 200, channel "web", segment "gold",
// is_vip false, opted_in true; holds broadband (24 months) and mobile (6 months);
// interactions: web 25, call_centre 2.
TestContext SampleCustomer();

}  // namespace nbo::core::expr::testing

#endif  // NBO_CORE_EXPR_TEST_CONTEXT_H_
