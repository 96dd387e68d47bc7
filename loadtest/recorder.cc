#include "loadtest/recorder.h"

namespace nbo::loadtest {

absl::string_view StatusCodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return "OK";
    case grpc::StatusCode::CANCELLED:
      return "CANCELLED";
    case grpc::StatusCode::UNKNOWN:
      return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND:
      return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS:
      return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "PERMISSION_DENIED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION:
      return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED:
      return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE:
      return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED:
      return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL:
      return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE:
      return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS:
      return "DATA_LOSS";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "UNAUTHENTICATED";
    default:
      return "UNKNOWN";
  }
}

void Recorder::Record(Rpc rpc, grpc::StatusCode code, int64_t latency_ns) {
  int c = static_cast<int>(code);
  if (c < 0 || c >= kCodes) c = static_cast<int>(grpc::StatusCode::UNKNOWN);
  absl::MutexLock lock(&mu_);
  PerRpc& r = rpcs_[static_cast<int>(rpc)];
  r.latency.Record(latency_ns);
  ++r.codes[c];
}

void Recorder::RecordDecideAnswer(bool fallback, absl::string_view cause, size_t bytes) {
  absl::MutexLock lock(&mu_);
  answer_bytes_ += static_cast<int64_t>(bytes);
  if (!fallback) return;
  ++fallbacks_;
  auto it = causes_.find(cause);  // heterogeneous lookup: no string built for a known cause
  if (it == causes_.end()) {
    causes_.emplace(std::string(cause), 1);
  } else {
    ++it->second;
  }
}

void Recorder::RecordSendLag(int64_t lag_ns) {
  absl::MutexLock lock(&mu_);
  send_lag_.Record(lag_ns);
}

void Recorder::RecordDropped(int64_t n) {
  absl::MutexLock lock(&mu_);
  dropped_ += n;
}

RecorderTotals Recorder::Totals() const {
  RecorderTotals t;
  absl::MutexLock lock(&mu_);
  RpcTotals* outs[2] = {&t.decide, &t.record_outcome};
  for (int i = 0; i < 2; ++i) {
    outs[i]->latency = rpcs_[i].latency;
    for (int c = 0; c < kCodes; ++c) {
      const int64_t n = rpcs_[i].codes[c];
      outs[i]->count += n;
      if (c == 0) {
        outs[i]->ok = n;
      } else if (n > 0) {
        outs[i]->errors[std::string(StatusCodeName(static_cast<grpc::StatusCode>(c)))] += n;
      }
    }
  }
  t.fallbacks = fallbacks_;
  t.answer_bytes = answer_bytes_;
  t.fallback_causes.insert(causes_.begin(), causes_.end());
  t.send_lag = send_lag_;
  t.dropped = dropped_;
  return t;
}

}  // namespace nbo::loadtest
