// Debian 12's abseil is built with ABSL_OPTION_USE_STD_STRING_VIEW 0: absl::string_view is its
// own type and std::string_view does not convert to it. Internal to nbo::expr.
#ifndef NBO_CORE_EXPR_ABSL_VIEW_H_
#define NBO_CORE_EXPR_ABSL_VIEW_H_

#include <string_view>

#include "absl/strings/string_view.h"

namespace nbo::core::expr {

inline absl::string_view AbslView(std::string_view s) { return {s.data(), s.size()}; }

}  // namespace nbo::core::expr

#endif  // NBO_CORE_EXPR_ABSL_VIEW_H_
