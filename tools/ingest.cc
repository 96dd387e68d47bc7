#include "tools/ingest.h"

#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "google/protobuf/util/json_util.h"

namespace nbo::tools {
namespace {

constexpr absl::string_view kByteOrderMark = "\xEF\xBB\xBF";
// Longest reason kept for one rejected line; protobuf's JSON errors can quote a lot of input.
constexpr size_t kMaxReason = 200;

// Bytes an event adds to an IngestRequest: tag, length prefix (at most 5 bytes) and the event.
size_t EncodedSize(const v1::IngestEvent& event) { return event.ByteSizeLong() + 6; }

std::string Plural(int64_t n, absl::string_view one, absl::string_view many) {
  return absl::StrCat(n, " ", n == 1 ? one : many);
}

}  // namespace

absl::StatusOr<v1::IngestEvent> ParseIngestLine(absl::string_view line) {
  v1::IngestEvent event;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  const auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(line.data(), line.size()), &event, options);
  if (!status.ok()) {
    std::string reason(status.message().data(), status.message().size());
    if (reason.empty()) reason = "not a JSON IngestEvent";
    if (reason.size() > kMaxReason) reason = absl::StrCat(reason.substr(0, kMaxReason), "...");
    return absl::InvalidArgumentError(absl::StrCat("invalid JSON IngestEvent: ", reason));
  }
  if (event.customer().ref_case() == v1::CustomerRef::REF_NOT_SET) {
    return absl::InvalidArgumentError(
        "missing \"customer\" ({\"customer_id\": ...} or {\"identity\": {...}})");
  }
  if (!event.has_event()) return absl::InvalidArgumentError("missing \"event\"");
  return event;
}

bool IsBlankLine(absl::string_view line) {
  for (char c : line) {
    if (c != ' ' && c != '\t' && c != '\r') return false;
  }
  return true;
}

IngestReader::IngestReader(std::istream& in, int batch_size)
    : in_(in), batch_size_(std::clamp(batch_size, 1, kMaxIngestBatch)) {}

bool IngestReader::Next(v1::IngestRequest& request) {
  request.clear_events();
  size_t bytes = 0;
  while (request.events_size() < batch_size_ && std::getline(in_, line_)) {
    ++lines_;
    absl::string_view line = line_;
    if (lines_ == 1) absl::ConsumePrefix(&line, kByteOrderMark);
    if (IsBlankLine(line)) continue;
    absl::ConsumeSuffix(&line, "\r");
    absl::StatusOr<v1::IngestEvent> event = ParseIngestLine(line);
    if (!event.ok()) {
      ++rejected_;
      if (rejections_.size() < kMaxListedRejections) {
        rejections_.push_back(absl::StrCat("line ", lines_, ": ", event.status().message()));
      }
      continue;
    }
    bytes += EncodedSize(*event);
    *request.add_events() = *std::move(event);
    ++events_;
    if (bytes >= kMaxIngestRequestBytes) break;
  }
  return request.events_size() > 0;
}

std::optional<int64_t> CountEventLines(const std::string& path) {
  struct stat info;
  if (stat(path.c_str(), &info) != 0 || !S_ISREG(info.st_mode)) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  int64_t count = 0;
  bool content = false;  // the current line has a non-blank character
  char buffer[1 << 16];
  while (in.read(buffer, sizeof(buffer)) || in.gcount() > 0) {
    const std::streamsize n = in.gcount();
    for (std::streamsize i = 0; i < n; ++i) {
      const char c = buffer[i];
      if (c == '\n') {
        count += content ? 1 : 0;
        content = false;
      } else if (c != ' ' && c != '\t' && c != '\r') {
        content = true;
      }
    }
  }
  if (in.bad()) return std::nullopt;
  return count + (content ? 1 : 0);
}

std::string WithThousands(int64_t n) {
  std::string digits = absl::StrCat(n < 0 ? -n : n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return n < 0 ? absl::StrCat("-", out) : out;
}

std::string FormatIngestProgress(int64_t done, std::optional<int64_t> total,
                                 double events_per_second, int width) {
  const double rate = std::isfinite(events_per_second) ? std::max(0.0, events_per_second) : 0.0;
  const std::string tail = absl::StrCat(" events  ", WithThousands(std::llround(rate)), " ev/s");
  if (!total.has_value()) return absl::StrCat(done, tail);
  width = std::max(width, 1);
  int filled = width;
  if (*total > 0) {
    const double fraction = std::clamp(static_cast<double>(done) / *total, 0.0, 1.0);
    filled = static_cast<int>(std::lround(fraction * width));
  }
  std::string bar(filled, '=');
  if (filled < width) bar.push_back('>');
  bar.resize(width, ' ');
  return absl::StrCat("[", bar, "] ", done, "/", *total, tail);
}

v1::IngestSummary MergeIngestSummary(const v1::IngestSummary& server, const IngestStats& stats) {
  v1::IngestSummary merged = server;
  merged.set_rejected(server.rejected() + stats.local_rejected);
  merged.clear_first_rejections();
  for (const std::string& reason : stats.local_rejections) merged.add_first_rejections(reason);
  for (const std::string& reason : server.first_rejections()) merged.add_first_rejections(reason);
  return merged;
}

std::string FormatIngestSummary(const v1::IngestSummary& server, const IngestStats& stats) {
  std::string out;
  absl::StrAppendFormat(&out, "%-13s %s, %s\n", "Input", stats.input,
                        Plural(stats.lines, "line", "lines"));
  const double seconds = absl::ToDoubleSeconds(stats.elapsed);
  std::string sent = absl::StrCat(Plural(stats.sent, "event", "events"), " in ",
                                  Plural(stats.messages, "message", "messages"));
  absl::StrAppendFormat(&sent, ", %.1f s", seconds);
  if (seconds > 0) {
    absl::StrAppend(&sent, " (", WithThousands(std::llround(stats.sent / seconds)), " ev/s)");
  }
  absl::StrAppendFormat(&out, "%-13s %s\n", "Sent", sent);
  absl::StrAppendFormat(&out, "%-13s %d\n", "Applied", server.applied());
  absl::StrAppendFormat(&out, "%-13s %d\n", "Duplicates", server.duplicates());
  if (server.suppressed() > 0) {
    absl::StrAppendFormat(&out, "%-13s %d (events for erased customers, dropped)\n", "Suppressed",
                          server.suppressed());
  }
  const v1::IngestSummary merged = MergeIngestSummary(server, stats);
  std::string rejected = absl::StrCat(merged.rejected());
  if (stats.local_rejected > 0 && server.rejected() > 0) {
    absl::StrAppend(&rejected, " (",
                    Plural(stats.local_rejected, "unparsable line", "unparsable lines"), ", ",
                    server.rejected(), " by the server)");
  } else if (stats.local_rejected > 0) {
    absl::StrAppend(&rejected, " (",
                    Plural(stats.local_rejected, "unparsable line", "unparsable lines"), ")");
  } else if (server.rejected() > 0) {
    absl::StrAppend(&rejected, " (by the server)");
  }
  absl::StrAppendFormat(&out, "%-13s %s\n", "Rejected", rejected);
  for (const std::string& reason : merged.first_rejections()) {
    absl::StrAppend(&out, "  ", reason, "\n");
  }
  const int64_t unlisted = merged.rejected() - merged.first_rejections_size();
  if (unlisted > 0 && merged.first_rejections_size() > 0) {
    absl::StrAppend(&out, "  ... and ", unlisted, " more\n");
  }
  return out;
}

}  // namespace nbo::tools
