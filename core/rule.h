// Rules of a strategy (segment membership, offer eligibility) compiled against nbo's features.
// The variables and functions a rule can use are listed in docs/strategy.md; this is the one place
// that binds them to the profile, the event and the request.
#ifndef NBO_CORE_RULE_H_
#define NBO_CORE_RULE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "core/expr/compiled_expr.h"
#include "core/profile_settings.h"
#include "nbo/v1/event.pb.h"
#include "nbo/v1/profile.pb.h"

namespace nbo::core {

// What a rule sees when it is evaluated: the profile after the event was applied, the event, and
// the request's context. References must outlive the evaluation.
struct DecisionInputs {
  const v1::Profile& profile;
  const v1::Event& event;
  absl::string_view placement;
  absl::string_view call_reason;      // request context, else the call_started event's reason
  absl::string_view product_in_view;  // request context, else the page_view event's product
  absl::Time now;
  // Half-lives and windows the decayed variables are read with (the server's settings).
  const ProfileSettings* settings = &DefaultProfileSettings();
};

// A compiled boolean rule. Immutable; Matches() may be called concurrently.
class Rule {
 public:
  // InvalidArgument "LINE:COLUMN: what is wrong" when `source` does not compile to a boolean.
  static absl::StatusOr<Rule> Compile(absl::string_view source);

  bool Matches(const DecisionInputs& in) const;
  absl::string_view source() const {
    const std::string_view s = expr_.source();
    return {s.data(), s.size()};
  }

 private:
  explicit Rule(expr::CompiledExpr expr) : expr_(std::move(expr)) {}
  expr::CompiledExpr expr_;  // cheap to copy: shares one immutable program
};

}  // namespace nbo::core

#endif  // NBO_CORE_RULE_H_
