// --preload: fills nbo-server with synthetic customer profiles through IngestEvents before a run
// (the scale test streams a million), reporting the events per second it reached.
#ifndef NBO_LOADTEST_PRELOAD_H_
#define NBO_LOADTEST_PRELOAD_H_

#include <ostream>

#include "absl/status/statusor.h"
#include "loadtest/options.h"
#include "loadtest/report.pb.h"
#include "loadtest/workload.h"

namespace nbo::loadtest {

// Streams customers lt-000001..lt-<options.preload>, one event each (Workload::FillPreloadEvent),
// through IngestEvents in messages of options.preload_batch events, over options.channels
// concurrent streams, each on its own connection. Prints a progress line to `progress` every 5 s.
// Each stream's deadline is 60 s plus 1 ms per event it carries, so a hung server cannot hold
// the preload forever. Errors: Unavailable as ConnectChannels; otherwise the first failed
// stream's status, with its message prefixed by "IngestEvents: ".
absl::StatusOr<Preload> RunPreload(const LoadtestOptions& options, const Workload& workload,
                                   std::ostream& progress);

}  // namespace nbo::loadtest

#endif  // NBO_LOADTEST_PRELOAD_H_
