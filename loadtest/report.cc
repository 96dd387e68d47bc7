#include "loadtest/report.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/util/json_util.h"

namespace nbo::loadtest {
namespace {

constexpr double kNsPerUs = 1000;

double Round1(double v) { return std::round(v * 10) / 10; }

Latency ToLatency(const LatencyHistogram& h) {
  Latency l;
  l.set_p50_us(Round1(h.Percentile(0.50) / kNsPerUs));
  l.set_p90_us(Round1(h.Percentile(0.90) / kNsPerUs));
  l.set_p99_us(Round1(h.Percentile(0.99) / kNsPerUs));
  l.set_p999_us(Round1(h.Percentile(0.999) / kNsPerUs));
  l.set_max_us(Round1(h.max() / kNsPerUs));
  l.set_mean_us(Round1(h.mean() / kNsPerUs));
  return l;
}

RpcStats ToRpcStats(const RpcTotals& t, double window_s) {
  RpcStats s;
  s.set_count(static_cast<int32_t>(t.count));
  s.set_ok(static_cast<int32_t>(t.ok));
  s.set_requests_per_second(window_s > 0 ? Round1(t.count / window_s) : 0);
  *s.mutable_latency() = ToLatency(t.latency);
  for (const auto& [name, n] : t.errors) (*s.mutable_errors())[name] = static_cast<int32_t>(n);
  return s;
}

RpcTotals Combine(const RpcTotals& a, const RpcTotals& b) {
  RpcTotals all = a;
  all.latency.Merge(b.latency);
  all.count += b.count;
  all.ok += b.ok;
  for (const auto& [name, n] : b.errors) all.errors[name] += n;
  return all;
}

std::string ErrorsText(const RpcStats& s) {
  if (s.errors().empty()) return "none";
  std::vector<std::string> parts;
  for (const auto& [name, n] : s.errors()) parts.push_back(absl::StrCat(name, "=", n));
  std::sort(parts.begin(), parts.end());
  return absl::StrJoin(parts, " ");
}

std::string RpcRow(absl::string_view name, const RpcStats& s) {
  const Latency& l = s.latency();
  return absl::StrFormat("%-14s %9d %10.1f %9.1f %9.1f %9.1f %9.1f %9.1f   %s\n", name, s.count(),
                         s.requests_per_second(), l.p50_us(), l.p90_us(), l.p99_us(), l.p999_us(),
                         l.max_us(), ErrorsText(s));
}

std::string Ratio(double candidate, double baseline) {
  if (baseline <= 0) return "-";
  return absl::StrFormat("%.2f", candidate / baseline);
}

std::string Cpu(const Report& r) {
  if (!r.has_server_cpu_us_per_request()) return "-";
  return absl::StrFormat("%.1f", r.server_cpu_us_per_request());
}

std::string ComparisonRow(const Report& base, const Report& cand) {
  const Latency& b = base.all().latency();
  const Latency& c = cand.all().latency();
  const auto errors = [](const Report& r) { return r.all().count() - r.all().ok(); };
  return absl::StrFormat(
      "| %s | %.0f | %.0f | %s | %.0f / %.0f / %.0f | %.0f / %.0f / %.0f | %s / %s / %s | %.1f%% "
      "| %s | %s | %d / %d | %d / %d |\n",
      cand.label().empty() ? cand.mode() : cand.label(), base.all().requests_per_second(),
      cand.all().requests_per_second(),
      Ratio(cand.all().requests_per_second(), base.all().requests_per_second()), b.p50_us(),
      b.p99_us(), b.p999_us(), c.p50_us(), c.p99_us(), c.p999_us(), Ratio(c.p50_us(), b.p50_us()),
      Ratio(c.p99_us(), b.p99_us()), Ratio(c.p999_us(), b.p999_us()), 100 * cand.fallback_share(),
      Cpu(base), Cpu(cand), errors(base), errors(cand), base.dropped(), cand.dropped());
}

}  // namespace

Report BuildReport(const LoadtestOptions& options, const RunFacts& facts,
                   const RecorderTotals& totals) {
  Report r;
  r.set_tool("nbo-loadtest");
  r.set_label(options.label);
  r.set_target(std::string(TargetName(options.target)));
  r.set_mode(std::string(ModeName(options.mode)));
  r.set_address(options.address);
  r.set_client_api(std::string(ClientApiName(options.client_api)));
  r.set_concurrency(options.mode == Mode::kClosed ? options.concurrency : 0);
  r.set_rate(options.mode == Mode::kOpen ? options.rate : 0);
  r.set_channels(options.channels);
  r.set_warmup_s(absl::ToDoubleSeconds(options.warmup));
  const double window_s = absl::ToDoubleSeconds(facts.window);
  r.set_duration_s(std::round(window_s * 100) / 100);
  r.set_started_at(absl::FormatTime(absl::RFC3339_sec, facts.started_at, absl::UTCTimeZone()));
  r.set_run_id(facts.run_id);
  r.set_customers(static_cast<int32_t>(options.customers));
  r.set_zipf_s(options.zipf_s);
  r.set_outcome_share(options.outcome_share);

  const RpcTotals all = Combine(totals.decide, totals.record_outcome);
  *r.mutable_all() = ToRpcStats(all, window_s);
  *r.mutable_decide() = ToRpcStats(totals.decide, window_s);
  *r.mutable_record_outcome() = ToRpcStats(totals.record_outcome, window_s);
  r.set_fallback_share(totals.decide.ok > 0 ? static_cast<double>(totals.fallbacks) /
                                                  static_cast<double>(totals.decide.ok)
                                            : 0);
  for (const auto& [cause, n] : totals.fallback_causes) {
    (*r.mutable_fallback_causes())[cause.empty() ? "(none given)" : cause] =
        static_cast<int32_t>(n);
  }
  r.set_decide_response_bytes(
      totals.decide.ok > 0 ? Round1(static_cast<double>(totals.answer_bytes) / totals.decide.ok)
                           : 0);
  const double calls = static_cast<double>(all.count);
  if (facts.server_cpu.has_value()) {
    r.set_server_cpu_us_per_request(
        calls > 0 ? Round1(absl::ToDoubleMicroseconds(*facts.server_cpu) / calls) : 0);
  }
  r.set_client_cpu_us_per_request(
      calls > 0 ? Round1(absl::ToDoubleMicroseconds(facts.client_cpu) / calls) : 0);
  if (options.mode == Mode::kOpen) *r.mutable_send_lag() = ToLatency(totals.send_lag);
  r.set_dropped(static_cast<int32_t>(totals.dropped));
  return r;
}

std::string FormatTable(const Report& r) {
  std::string out = absl::StrFormat(
      "nbo-loadtest %s: target=%s mode=%s %s address=%s channels=%d client_api=%s\n",
      r.label().empty() ? "run" : r.label(), r.target(), r.mode(),
      r.mode() == "open" ? absl::StrFormat("rate=%.0f/s", r.rate())
                         : absl::StrCat("concurrency=", r.concurrency()),
      r.address(), r.channels(), r.client_api());
  absl::StrAppendFormat(&out, "measured %.1f s after %.1f s warm-up; latency in microseconds%s\n",
                        r.duration_s(), r.warmup_s(),
                        r.mode() == "open" ? " from the intended send time" : "");
  absl::StrAppendFormat(&out, "%-14s %9s %10s %9s %9s %9s %9s %9s   %s\n", "rpc", "count", "req/s",
                        "p50", "p90", "p99", "p99.9", "max", "errors");
  out += RpcRow("all", r.all());
  out += RpcRow("Decide", r.decide());
  out += RpcRow("RecordOutcome", r.record_outcome());
  std::vector<std::string> causes;
  for (const auto& [cause, n] : r.fallback_causes()) causes.push_back(absl::StrCat(cause, "=", n));
  std::sort(causes.begin(), causes.end());
  absl::StrAppendFormat(&out, "fallback: %.2f%% of OK Decide answers%s%s; answers %.0f bytes\n",
                        100 * r.fallback_share(), causes.empty() ? "" : " - ",
                        absl::StrJoin(causes, " "), r.decide_response_bytes());
  absl::StrAppendFormat(&out, "CPU per request: server %s us, load generator %.1f us\n",
                        r.has_server_cpu_us_per_request()
                            ? absl::StrFormat("%.1f", r.server_cpu_us_per_request())
                            : "- (no --server_pid)",
                        r.client_cpu_us_per_request());
  if (r.has_send_lag()) {
    absl::StrAppendFormat(&out,
                          "send lag (actual - intended): p50 %.1f us, p99 %.1f us, max %.1f us",
                          r.send_lag().p50_us(), r.send_lag().p99_us(), r.send_lag().max_us());
    absl::StrAppendFormat(&out, "; due but not sent %d\n", r.dropped());
  }
  return out;
}

std::string ToJson(const Report& report) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  std::string json;
  // Printing a message we built ourselves cannot fail.
  (void)google::protobuf::util::MessageToJsonString(report, &json, options);
  return json;
}

absl::StatusOr<Report> ParseReportJson(absl::string_view json) {
  Report report;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;  // reports of newer versions still compare
  const auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), &report, options);
  if (!status.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("not an nbo-loadtest JSON report: ", status.message().as_string()));
  }
  return report;
}

std::string FormatComparison(const std::vector<std::pair<Report, Report>>& pairs) {
  if (pairs.empty()) return "";
  const std::string b = pairs[0].first.target();
  const std::string c = pairs[0].second.target();
  std::string out = absl::StrFormat(
      "| scenario | %s req/s | %s req/s | ratio | %s p50 / p99 / p99.9 us | %s p50 / p99 / p99.9 "
      "us | ratio p50 / p99 / p99.9 | %s fallback | %s CPU us/req | %s CPU us/req | errors %s / %s "
      "| not sent %s / %s |\n",
      b, c, b, c, c, b, c, b, c, b, c);
  out += "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n";
  for (const auto& [base, cand] : pairs) out += ComparisonRow(base, cand);
  return out;
}

}  // namespace nbo::loadtest
