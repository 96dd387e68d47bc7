// Checks a command line against the registered abseil flags before absl::ParseCommandLine runs.
// absl::ParseCommandLine exits with status 1 on an unknown flag or a malformed value; the nbo CLI
// promises exit status 2 for every usage error, so main.cc calls CheckCommandLine first.
#ifndef NBO_TOOLS_FLAG_CHECK_H_
#define NBO_TOOLS_FLAG_CHECK_H_

#include <string>
#include <vector>

#include "absl/status/status.h"

namespace nbo::tools {

// `args` is argv without argv[0]. Accepts the forms abseil accepts: --name=value, -name=value,
// --name value (non-boolean flags), --name and --noname (boolean flags); "--" ends the flags;
// anything not starting with '-' is a positional argument; abseil's own usage flags (--helpfull,
// --version, ...) pass unchecked. Each value is parsed by its flag's own
// parser (which also stores it; absl::ParseCommandLine stores the same value again).
// Returns InvalidArgument naming the first unknown flag, missing value or malformed value.
absl::Status CheckCommandLine(const std::vector<std::string>& args);

// `args` as for CheckCommandLine, with flag names spelled with dashes rewritten to the registered
// names, which use underscores: --max-offers=2 -> --max_offers=2, --call-reason x ->
// --call_reason x. Only a name that then names a registered flag is rewritten, so an unknown flag
// keeps the spelling typed; values, positional arguments and everything after "--" are kept.
std::vector<std::string> NormalizeFlagNames(const std::vector<std::string>& args);

}  // namespace nbo::tools

#endif  // NBO_TOOLS_FLAG_CHECK_H_
