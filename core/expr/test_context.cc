#include "core/expr/test_context.h"

#include <algorithm>

namespace nbo::core::expr::testing {
namespace {

const Entry* Find(const Entry* entries, int count, std::string_view key) {
  for (int i = 0; i < count; ++i) {
    if (entries[i].key == key) return &entries[i];
  }
  return nullptr;
}

}  // namespace

Environment TestEnvironment() {
  Environment env;
  // Test set-up: the declarations are known to be valid.
  (void)env.AddVariable("monetary_total", Type::kNumber, 0);
  (void)env.AddVariable("months_active", Type::kNumber, 1);
  (void)env.AddVariable("value.potential", Type::kNumber, 2);
  (void)env.AddVariable("channel", Type::kString, 0);
  (void)env.AddVariable("segment", Type::kString, 1);
  (void)env.AddVariable("is_vip", Type::kBool, 0);
  (void)env.AddVariable("opted_in", Type::kBool, 1);
  (void)env.AddFunction("holds", {Type::kString}, Type::kBool, kHolds);
  (void)env.AddFunction("months_held", {Type::kString}, Type::kNumber, kMonthsHeld);
  (void)env.AddFunction("interactions_on", {Type::kString}, Type::kNumber, kInteractionsOn);
  (void)env.AddFunction("clamp", {Type::kNumber, Type::kNumber, Type::kNumber}, Type::kNumber,
                        kClamp);
  (void)env.AddFunction("pi", {}, Type::kNumber, kPi);
  (void)env.AddFunction("label", {Type::kString, Type::kBool}, Type::kString, kLabel);
  (void)env.AddFunction("broken", {}, Type::kNumber, kBroken);
  return env;
}

Value TestContext::Call(int function, absl::Span<const Value> args) const {
  ++calls;
  switch (function) {
    case kHolds:
      return Value::Bool(Find(holdings, holding_count, args[0].string()) != nullptr);
    case kMonthsHeld: {
      const Entry* e = Find(holdings, holding_count, args[0].string());
      return Value::Number(e == nullptr ? 0 : e->number);
    }
    case kInteractionsOn: {
      const Entry* e = Find(interactions, interaction_count, args[0].string());
      return Value::Number(e == nullptr ? 0 : e->number);
    }
    case kClamp:
      return Value::Number(
          std::min(std::max(args[0].number(), args[1].number()), args[2].number()));
    case kPi:
      return Value::Number(3.14159);
    case kLabel:
      return args[1].boolean() ? args[0] : Value::String("none");
    case kBroken:
      return Value::Bool(true);
  }
  return Value::Bool(false);
}

TestContext SampleCustomer() {
  TestContext c;
  c.numbers[0] = 1500;
  c.numbers[1] = 30;
  c.numbers[2] = 200;
  c.strings[0] = "web";
  c.strings[1] = "gold";
  c.bools[0] = false;
  c.bools[1] = true;
  c.holdings[0] = {"broadband", 24};
  c.holdings[1] = {"mobile", 6};
  c.holding_count = 2;
  c.interactions[0] = {"web", 25};
  c.interactions[1] = {"call_centre", 2};
  c.interaction_count = 2;
  return c;
}

}  // namespace nbo::core::expr::testing
