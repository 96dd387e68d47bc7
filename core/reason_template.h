// Plain-language reason templates: "You've had {product} for {months_held:broadband} months".
#ifndef NBO_CORE_REASON_TEMPLATE_H_
#define NBO_CORE_REASON_TEMPLATE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "core/profile_settings.h"
#include "nbo/v1/profile.pb.h"

namespace nbo::core {

// What a template can say about the moment it is rendered for.
struct ReasonInputs {
  absl::string_view offer_name;
  absl::string_view segment_name;
  absl::string_view product;
  const v1::Profile* profile = nullptr;  // required
  absl::Time now;
  const ProfileSettings* settings = &DefaultProfileSettings();  // for {interest:...}
};

// A parsed template. Immutable and thread-safe once built.
class ReasonTemplate {
 public:
  // Parses `text`. Placeholders: {offer}, {segment}, {product}, {months_held:PRODUCT} (a
  // number), {held_for:PRODUCT} ("3 years", "7 months", "2 weeks", "a few days"),
  // {interest:CATEGORY} ("a lot", "quite a bit", "a little", "not much"), {purchases},
  // {interactions}. "{{" and "}}" are literal braces.
  // InvalidArgument naming the first unknown or unterminated placeholder with its column.
  static absl::StatusOr<ReasonTemplate> Parse(absl::string_view text);

  std::string Render(const ReasonInputs& in) const;

 private:
  enum class Kind {
    kText,
    kOffer,
    kSegment,
    kProduct,
    kMonthsHeld,
    kHeldFor,
    kInterest,
    kPurchases,
    kInteractions
  };
  struct Part {
    Kind kind;
    std::string text;  // literal text, the product of kMonthsHeld / kHeldFor, the category
  };
  std::vector<Part> parts_;
};

// Whole months `product` has been held at `now` (30.44-day months); 0 when not held.
int MonthsHeld(const v1::Profile& profile, absl::string_view product, absl::Time now);

// How long `product` has been held, in words an agent can say: "3 years", "1 year", "7 months",
// "2 weeks", "a few days"; "" when not held.
std::string HeldFor(const v1::Profile& profile, absl::string_view product, absl::Time now);

// An interest level in [0, 1) in words: "a lot" (>= 0.6), "quite a bit" (>= 0.3), "a little"
// (>= 0.05), "not much".
absl::string_view InterestWords(double level);

}  // namespace nbo::core

#endif  // NBO_CORE_REASON_TEMPLATE_H_
