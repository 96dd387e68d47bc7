#include "core/rule.h"

#include <algorithm>

#include "absl/types/span.h"
#include "core/apply_event.h"
#include "core/expr/environment.h"
#include "core/names.h"
#include "core/reason_template.h"
#include "core/time_util.h"

namespace nbo::core {
namespace {

using expr::Type;
using expr::Value;

// The expression library speaks std::string_view; Debian's abseil has its own string_view type.
std::string_view Std(absl::string_view s) { return {s.data(), s.size()}; }
absl::string_view Absl(std::string_view s) { return {s.data(), s.size()}; }

// Slots of variables and indices of functions; the names are in docs/strategy.md.
enum NumberVar {
  kInteractions,
  kPurchases,
  kMonetaryTotal,
  kMarginTotal,
  kTenureDays,
  kHoldings,
  // Single customer view (docs/profile.md).
  kRecencyDays,
  kFrequency,
  kMonetary,
  kValueActual,
  kValuePotential,
  kValueTotal,
  kRetentionProbability,
  kComplaints,
  kNps,
};
enum StringVar { kChannel, kEvent, kPlacement, kCallReason, kProductInView };
enum Function {
  kHolds,
  kHoldsCategory,
  kMonthsHeld,
  kInteractionsOn,
  kInterest,
  kTrigger,
  kConsented,
  kDaysSinceTrigger,
};

const expr::Environment& RuleEnvironment() {
  static const expr::Environment* env = [] {
    auto* e = new expr::Environment();
    auto check = [](absl::Status s) {
      if (!s.ok()) std::abort();  // a typo in this table: a programming error caught by any test
    };
    check(e->AddVariable("interactions", Type::kNumber, kInteractions));
    check(e->AddVariable("purchases", Type::kNumber, kPurchases));
    check(e->AddVariable("monetary_total", Type::kNumber, kMonetaryTotal));
    check(e->AddVariable("margin_total", Type::kNumber, kMarginTotal));
    check(e->AddVariable("tenure_days", Type::kNumber, kTenureDays));
    check(e->AddVariable("holdings_count", Type::kNumber, kHoldings));
    check(e->AddVariable("recency_days", Type::kNumber, kRecencyDays));
    check(e->AddVariable("frequency", Type::kNumber, kFrequency));
    check(e->AddVariable("monetary", Type::kNumber, kMonetary));
    check(e->AddVariable("value.actual", Type::kNumber, kValueActual));
    check(e->AddVariable("value.potential", Type::kNumber, kValuePotential));
    check(e->AddVariable("value.total", Type::kNumber, kValueTotal));
    check(e->AddVariable("retention_probability", Type::kNumber, kRetentionProbability));
    check(e->AddVariable("complaints", Type::kNumber, kComplaints));
    check(e->AddVariable("nps", Type::kNumber, kNps));
    check(e->AddVariable("channel", Type::kString, kChannel));
    check(e->AddVariable("event", Type::kString, kEvent));
    check(e->AddVariable("placement", Type::kString, kPlacement));
    check(e->AddVariable("call_reason", Type::kString, kCallReason));
    check(e->AddVariable("product_in_view", Type::kString, kProductInView));
    check(e->AddFunction("holds", {Type::kString}, Type::kBool, kHolds));
    check(e->AddFunction("holds_category", {Type::kString}, Type::kBool, kHoldsCategory));
    check(e->AddFunction("months_held", {Type::kString}, Type::kNumber, kMonthsHeld));
    check(e->AddFunction("interactions_on", {Type::kString}, Type::kNumber, kInteractionsOn));
    check(e->AddFunction("interest", {Type::kString}, Type::kNumber, kInterest));
    check(e->AddFunction("trigger", {Type::kString}, Type::kBool, kTrigger));
    check(e->AddFunction("consented", {Type::kString}, Type::kBool, kConsented));
    check(e->AddFunction("days_since_trigger", {Type::kString}, Type::kNumber, kDaysSinceTrigger));
    return e;
  }();
  return *env;
}

// Binds the variables and functions to one decision's inputs.
class Context : public expr::EvalContext {
 public:
  explicit Context(const DecisionInputs& in) : in_(in) {}

  double Number(int slot) const override {
    const v1::Profile& p = in_.profile;
    switch (slot) {
      case kInteractions:
        return static_cast<double>(p.interactions());
      case kPurchases:
        return static_cast<double>(p.purchases());
      case kMonetaryTotal:
        return p.monetary_total();
      case kMarginTotal:
        return p.margin_total();
      case kTenureDays:
        return p.has_first_seen()
                   ? std::max(0.0, absl::ToDoubleHours(in_.now - FromProto(p.first_seen())) / 24)
                   : 0.0;
      case kHoldings:
        return static_cast<double>(p.holdings_size());
      case kRecencyDays:
        return RecencyDays();
      case kFrequency:
        return DecayedValueAt(p.rfm().frequency(), in_.now, Settings().frequency_half_life);
      case kMonetary:
        return DecayedValueAt(p.rfm().monetary(), in_.now, Settings().monetary_half_life);
      case kValueActual:
        return p.value().actual();
      case kValuePotential:
        return p.value().potential();
      case kValueTotal:
        return p.value().total();
      case kRetentionProbability:
        return p.value().retention_probability();
      case kComplaints:
        return DecayedValueAt(p.service().complaints(), in_.now, Settings().complaints_half_life);
      case kNps:
        return p.service().has_last_nps() ? p.service().last_nps() : -1;
    }
    return 0;
  }
  bool Bool(int) const override { return false; }
  std::string_view String(int slot) const override {
    switch (slot) {
      case kChannel:
        return Std(ChannelName(in_.event.channel()));
      case kEvent:
        return Std(EventKindName(in_.event));
      case kPlacement:
        return Std(in_.placement);
      case kCallReason:
        return Std(in_.call_reason);
      case kProductInView:
        return Std(in_.product_in_view);
    }
    return {};
  }
  Value Call(int function, absl::Span<const Value> args) const override {
    const absl::string_view arg = args.empty() ? absl::string_view() : Absl(args[0].string());
    const v1::Profile& p = in_.profile;
    switch (function) {
      case kHolds:
        for (const auto& h : p.holdings()) {
          if (h.product() == arg) return Value::Bool(true);
        }
        return Value::Bool(false);
      case kHoldsCategory:
        for (const auto& h : p.holdings()) {
          if (h.category() == arg) return Value::Bool(true);
        }
        return Value::Bool(false);
      case kMonthsHeld:
        return Value::Number(MonthsHeld(p, arg, in_.now));
      case kInteractionsOn: {
        const auto channel = ParseChannel(arg);
        for (const auto& u : p.channel_usage()) {
          if (channel && u.channel() == *channel) {
            return Value::Number(static_cast<double>(u.interactions()));
          }
        }
        return Value::Number(0);
      }
      case kInterest:
        return Value::Number(InterestLevel(p, arg, in_.now, Settings()));
      case kTrigger:
        return Value::Bool(TriggerActive(p, arg, in_.now));
      case kConsented: {
        // "marketing" is marketing as a whole; an unknown channel name is never consented.
        if (arg == "marketing") return Value::Bool(MarketingAllowed(p, v1::CHANNEL_UNSPECIFIED));
        const auto channel = ParseChannel(arg);
        return Value::Bool(channel && MarketingAllowed(p, *channel));
      }
      case kDaysSinceTrigger: {
        const v1::ActiveTrigger* t = FindActiveTrigger(p, arg, in_.now);
        if (t == nullptr) return Value::Number(-1);
        return Value::Number(std::max(0.0, Days(in_.now - FromProto(t->happened_at()))));
      }
    }
    return Value::Bool(false);
  }

 private:
  const ProfileSettings& Settings() const { return *in_.settings; }
  static double Days(absl::Duration d) { return absl::FDivDuration(d, absl::Hours(24)); }

  // Days from the newest recent event other than the current one to now; -1 when there is none.
  double RecencyDays() const {
    const auto& ring = in_.profile.recent_events();
    for (int i = ring.size() - 1; i >= 0; --i) {
      if (ring[i].event_id() == in_.event.event_id()) continue;
      return std::max(0.0, Days(in_.now - FromProto(ring[i].occurred_at())));
    }
    return -1;
  }

  const DecisionInputs& in_;
};

}  // namespace

absl::StatusOr<Rule> Rule::Compile(absl::string_view source) {
  auto compiled = expr::Compile(Std(source), RuleEnvironment(), Type::kBool);
  if (!compiled.ok()) return compiled.status();
  return Rule(*std::move(compiled));
}

bool Rule::Matches(const DecisionInputs& in) const { return expr_.EvalBool(Context(in)); }

}  // namespace nbo::core
