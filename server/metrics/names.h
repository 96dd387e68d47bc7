// Validation of Prometheus metric and label names.
//
// Names come from code, not from the network, so an invalid name is a programming error: the
// Registry aborts with a message naming the offender (see DieInvalidName()).

#ifndef NBO_SERVER_METRICS_NAMES_H_
#define NBO_SERVER_METRICS_NAMES_H_

#include <string>

#include "absl/strings/string_view.h"

namespace nbo::metrics {

// True if `name` matches Prometheus' metric name rule `[a-zA-Z_:][a-zA-Z0-9_:]*`.
bool IsValidMetricName(absl::string_view name);

// True if `name` matches `[a-zA-Z_][a-zA-Z0-9_]*` and does not start with "__" (reserved for
// Prometheus' internal use).
bool IsValidLabelName(absl::string_view name);

// Prints "nbo::metrics: <message>" to stderr and aborts. Used for programming errors only
// (invalid names, a name registered twice); never for anything a request or file can cause.
[[noreturn]] void DieProgrammingError(const std::string& message);

}  // namespace nbo::metrics

#endif  // NBO_SERVER_METRICS_NAMES_H_
