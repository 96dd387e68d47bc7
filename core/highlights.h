// Plain-language highlights of a profile: the lines an agent reads in two seconds.
#ifndef NBO_CORE_HIGHLIGHTS_H_
#define NBO_CORE_HIGHLIGHTS_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "nbo/v1/profile.pb.h"

namespace nbo::core {

struct HighlightOptions {
  // Where the customer's value.total ranks in the customer population, as a percentile in
  // [0, 100] (90: worth more than 90% of customers), from the server's population statistics.
  // Printed as "top 10%" (>= 50) or "bottom 30%" (< 50). Values outside [0, 100] are clamped.
  // Default: unset (the value line shows only the estimate).
  std::optional<double> value_percentile;
  // Currency code printed after amounts, e.g. "EUR" (the strategy's currency).
  // Default: "" (amounts without a code).
  std::string currency;
  // How far back the complaints line counts.
  // Default: 90 days.
  absl::Duration complaint_window = absl::Hours(24 * 90);
  // Most products named in the holdings line; the rest are counted ("and 3 more").
  // Default: 5.
  int max_holdings_listed = 5;
};

// Short lines, most important first (a line is left out when there is nothing to say):
//   1. active life events, newest first    "Moved home 12 days ago"
//   2. complaints within complaint_window  "2 complaints in the last 90 days"
//   3. the last NPS                         "Detractor: NPS 3 (5 days ago)"
//   4. value                                "Value: top 10% (est. 1,240 EUR next 12 months)"
//   5. tenure                               "Customer for 3 years"
//   6. holdings                             "Holds broadband_basic, tv_basic"
//   7. preferred channel (2+ channels used) "Prefers web (9 of 12 interactions)"
//   8. segment                              "In segment broadband for 12 days"
//   9. opt-outs                             "Opted out of email, sms"
// docs/profile.md ("Highlights") defines each line. Pure; never fails.
std::vector<std::string> Highlights(const v1::Profile& profile, absl::Time now,
                                    const HighlightOptions& options = {});

// `value` rounded to a whole number with thousands separators: 1240.4 -> "1,240",
// -12345 -> "-12,345".
std::string FormatWholeAmount(double value);

}  // namespace nbo::core

#endif  // NBO_CORE_HIGHLIGHTS_H_
