// Rendering of collected metrics in the Prometheus text exposition format, version 0.0.4.
// https://prometheus.io/docs/instrumenting/exposition_formats/

#ifndef NBO_SERVER_METRICS_TEXT_FORMAT_H_
#define NBO_SERVER_METRICS_TEXT_FORMAT_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "server/metrics/registry.h"
#include "server/metrics/sample.h"

namespace nbo::metrics {

// Content-Type of the output of Render().
inline constexpr char kTextFormatContentType[] = "text/plain; version=0.0.4; charset=utf-8";

// Renders every non-empty family of `registry`: "# HELP", "# TYPE", then one line per sample,
// families in name order, samples in label order, no timestamps. Thread-safe (see Registry).
std::string Render(const Registry& registry);

// Renders already collected families, in the order given.
std::string RenderFamilies(const std::vector<FamilySnapshot>& families);

// A sample value: integers (|v| < 2^63) without exponent or fraction ("42"), others in the
// shortest form that parses back to the same double ("0.1", "1.5e-07"), and "+Inf", "-Inf", "NaN".
std::string FormatValue(double value);

// Escapes a label value: backslash, double quote and newline become \\, \" and \n.
std::string EscapeLabelValue(absl::string_view value);

// Escapes HELP text: backslash and newline become \\ and \n.
std::string EscapeHelp(absl::string_view help);

}  // namespace nbo::metrics

#endif  // NBO_SERVER_METRICS_TEXT_FORMAT_H_
