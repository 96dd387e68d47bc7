// The pieces of `nbo ingest`: JSON lines of nbo.v1.IngestEvent read one line at a time and grouped
// into IngestRequest messages, the progress line and the final summary. cli.cc drives the stream.
#ifndef NBO_TOOLS_INGEST_H_
#define NBO_TOOLS_INGEST_H_

#include <cstddef>
#include <cstdint>
#include <istream>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "nbo/v1/decision.pb.h"

namespace nbo::tools {

// --batch range and default: events per IngestRequest (the API allows 1..10000).
inline constexpr int kDefaultIngestBatch = 1000;
inline constexpr int kMaxIngestBatch = 10000;
// A request is also closed before it grows past this many bytes, well below gRPC's default 4 MiB
// receive limit, so that batches of large events still reach the server.
inline constexpr size_t kMaxIngestRequestBytes = 3 << 20;
// Local rejections ("line 17: ...") kept for printing; all of them are counted.
inline constexpr size_t kMaxListedRejections = 20;

// Parses one line: a JSON object in protobuf JSON form (proto or lowerCamel field names, enum names
// such as "CHANNEL_WEB", RFC 3339 timestamps). Unknown fields are errors. Also requires the
// customer reference and the event to be present (the server checks everything else).
// InvalidArgument with a one-line reason (no line number) otherwise.
absl::StatusOr<v1::IngestEvent> ParseIngestLine(absl::string_view line);

// True for a line of only spaces, tabs and '\r': skipped, neither sent nor rejected.
bool IsBlankLine(absl::string_view line);

// Reads JSON lines from `in` (never more than one line and one request in memory) and fills
// IngestRequests of at most `batch_size` events (clamped to 1..kMaxIngestBatch) and at most
// kMaxIngestRequestBytes. Lines that do not parse are counted and, the first kMaxListedRejections,
// kept as "line N: reason" (N counts from 1, blank lines included). A UTF-8 byte order mark at the
// start and '\r' line ends are accepted.
class IngestReader {
 public:
  IngestReader(std::istream& in, int batch_size);

  // Replaces `request`'s events with the next batch. Returns false, with `request` empty, once
  // the input is exhausted and every event has been handed out.
  bool Next(v1::IngestRequest& request);

  int64_t lines() const { return lines_; }        // lines read so far, blank ones included
  int64_t events() const { return events_; }      // events handed out in requests
  int64_t rejected() const { return rejected_; }  // lines that did not parse
  // events() + rejected(): the lines that count towards the progress total.
  int64_t processed() const { return events_ + rejected_; }
  const std::vector<std::string>& rejections() const { return rejections_; }
  // True when reading failed for another reason than the end of the input.
  bool read_error() const { return in_.bad(); }

 private:
  std::istream& in_;
  const int batch_size_;
  std::string line_;
  int64_t lines_ = 0;
  int64_t events_ = 0;
  int64_t rejected_ = 0;
  std::vector<std::string> rejections_;
};

// The number of non-blank lines of the regular file at `path` (a cheap pass that reads it in
// chunks and parses nothing); nullopt when it is not a regular file or cannot be read.
std::optional<int64_t> CountEventLines(const std::string& path);

// "48,210": a count with thousands separators.
std::string WithThousands(int64_t n);

// The progress line of `nbo ingest` (no '\r', no newline). With a known total:
//   "[=====>    ] 120000/250000 events  48,210 ev/s"
// with `width` bar cells, round(done / total * width) of them '=' and the next one '>'. Without a
// total: "120000 events  48,210 ev/s". The rate is rounded to a whole number.
std::string FormatIngestProgress(int64_t done, std::optional<int64_t> total,
                                 double events_per_second, int width = 10);

// What the client did, for the summary.
struct IngestStats {
  std::string input;                          // the file name, or "stdin"
  int64_t lines = 0;                          // lines read
  int64_t sent = 0;                           // events sent
  int64_t messages = 0;                       // IngestRequest messages sent
  int64_t local_rejected = 0;                 // lines that did not parse (not sent)
  std::vector<std::string> local_rejections;  // the first of them, "line N: reason"
  absl::Duration elapsed;
};

// The server's summary with the local rejections folded in: rejected counts both, and
// first_rejections lists the local ones first, then the server's.
v1::IngestSummary MergeIngestSummary(const v1::IngestSummary& server, const IngestStats& stats);

// The human summary:
//   Input         events.jsonl, 200 lines
//   Sent          198 events in 1 message, 0.4 s (495 ev/s)
//   Applied       190
//   Duplicates    6
//   Suppressed    1 (events for erased customers, dropped)     <- only when there are some
//   Rejected      4 (2 unparsable lines, 2 by the server)
//     line 17: ...
//     <server's reasons>
//     ... and 3 more
std::string FormatIngestSummary(const v1::IngestSummary& server, const IngestStats& stats);

}  // namespace nbo::tools

#endif  // NBO_TOOLS_INGEST_H_
