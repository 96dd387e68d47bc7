#include "loadtest/options.h"

#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace nbo::loadtest {
namespace {

absl::Status Bad(absl::string_view flag, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("--", flag, " ", what));
}

absl::Status CheckDuration(absl::string_view flag, absl::Duration value, absl::Duration low,
                           bool low_inclusive, absl::Duration high) {
  const bool above_low = low_inclusive ? value >= low : value > low;
  if (above_low && value <= high) return absl::OkStatus();
  return Bad(flag,
             absl::StrCat("must be ", low_inclusive ? "" : "more than ", absl::FormatDuration(low),
                          "..", absl::FormatDuration(high), ", got ", absl::FormatDuration(value)));
}

bool IsRunId(absl::string_view id) {
  if (id.size() > 32) return false;
  for (char c : id) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

absl::Status ValidateLoad(const LoadtestOptions& o) {
  if (o.mode == Mode::kClosed && (o.concurrency < 1 || o.concurrency > 100000)) {
    return Bad("concurrency",
               absl::StrCat("must be 1..100000 in closed mode, got ", o.concurrency));
  }
  if (o.mode == Mode::kOpen && !(o.rate > 0)) return Bad("rate", "must be > 0 in open mode");
  if (o.mode == Mode::kOpen && (!std::isfinite(o.rate) || o.rate > 1e7)) {
    return Bad("rate", absl::StrCat("must be at most 10000000, got ", o.rate));
  }
  if (o.channels < 1 || o.channels > 256) {
    return Bad("channels", absl::StrCat("must be 1..256, got ", o.channels));
  }
  if (o.senders < 1 || o.senders > 64) {
    return Bad("senders", absl::StrCat("must be 1..64, got ", o.senders));
  }
  if (o.cq_threads < 1 || o.cq_threads > 64) {
    return Bad("cq_threads", absl::StrCat("must be 1..64, got ", o.cq_threads));
  }
  return absl::OkStatus();
}

absl::Status ValidateTimes(const LoadtestOptions& o) {
  if (auto s = CheckDuration("warmup", o.warmup, absl::ZeroDuration(), true, absl::Hours(1));
      !s.ok()) {
    return s;
  }
  if (auto s = CheckDuration("duration", o.duration, absl::ZeroDuration(), false, absl::Hours(1));
      !s.ok()) {
    return s;
  }
  if (auto s = CheckDuration("deadline", o.deadline, absl::Milliseconds(1), true, absl::Seconds(5));
      !s.ok()) {
    return s;
  }
  return CheckDuration("connect_timeout", o.connect_timeout, absl::Milliseconds(1), true,
                       absl::Seconds(60));
}

absl::Status ValidateWorkload(const LoadtestOptions& o) {
  if (o.customers < 1 || o.customers > 100000000) {
    return Bad("customers", absl::StrCat("must be 1..100000000, got ", o.customers));
  }
  if (!std::isfinite(o.zipf_s) || o.zipf_s < 0 || o.zipf_s > 10) {
    return Bad("zipf_s", absl::StrCat("must be 0..10, got ", o.zipf_s));
  }
  if (!std::isfinite(o.outcome_share) || o.outcome_share < 0 || o.outcome_share > 0.9) {
    return Bad("outcome_share", absl::StrCat("must be 0..0.9, got ", o.outcome_share));
  }
  if (o.max_offers < 0 || o.max_offers > 20) {
    return Bad("max_offers", absl::StrCat("must be 0..20, got ", o.max_offers));
  }
  if (!IsRunId(o.run_id)) {
    return Bad("run_id", "must be at most 32 characters of [A-Za-z0-9_]");
  }
  return absl::OkStatus();
}

absl::Status ValidatePreloadAndOutput(const LoadtestOptions& o) {
  if (o.preload < 0 || o.preload > 100000000) {
    return Bad("preload", absl::StrCat("must be 0..100000000, got ", o.preload));
  }
  if (o.preload_batch < 1 || o.preload_batch > 10000) {
    return Bad("preload_batch", absl::StrCat("must be 1..10000, got ", o.preload_batch));
  }
  if (o.preload_only && o.preload == 0) return Bad("preload_only", "needs --preload > 0");
  if (o.server_pid < 0 || o.server_pid > 0x7fffffff) {
    return Bad("server_pid", absl::StrCat("must be a process id, got ", o.server_pid));
  }
  if (o.address.empty()) return Bad("address", "must not be empty (host:port)");
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Mode> ParseMode(absl::string_view text) {
  if (text == "closed") return Mode::kClosed;
  if (text == "open") return Mode::kOpen;
  return Bad("mode", absl::StrCat("must be closed or open, got \"", text, "\""));
}

absl::StatusOr<Target> ParseTarget(absl::string_view text) {
  if (text == "nbo") return Target::kNbo;
  if (text == "echo") return Target::kEcho;
  return Bad("target", absl::StrCat("must be nbo or echo, got \"", text, "\""));
}

absl::StatusOr<ClientApi> ParseClientApi(absl::string_view text) {
  if (text == "cq") return ClientApi::kCq;
  if (text == "callback") return ClientApi::kCallback;
  return Bad("client_api", absl::StrCat("must be cq or callback, got \"", text, "\""));
}

absl::StatusOr<CustomerRefKind> ParseCustomerRefKind(absl::string_view text) {
  if (text == "identity") return CustomerRefKind::kIdentity;
  if (text == "customer_id") return CustomerRefKind::kCustomerId;
  return Bad("customer_ref", absl::StrCat("must be identity or customer_id, got \"", text, "\""));
}

absl::string_view ModeName(Mode mode) { return mode == Mode::kOpen ? "open" : "closed"; }
absl::string_view TargetName(Target target) { return target == Target::kEcho ? "echo" : "nbo"; }
absl::string_view ClientApiName(ClientApi api) {
  return api == ClientApi::kCallback ? "callback" : "cq";
}

absl::Status ValidateOptions(const LoadtestOptions& options) {
  for (auto check : {ValidateLoad, ValidateTimes, ValidateWorkload, ValidatePreloadAndOutput}) {
    if (absl::Status s = check(options); !s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace nbo::loadtest
