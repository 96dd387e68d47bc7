// Conversions between absl::Time and google.protobuf.Timestamp.
#ifndef NBO_CORE_TIME_UTIL_H_
#define NBO_CORE_TIME_UTIL_H_

#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"

namespace nbo::core {

inline absl::Time FromProto(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

inline void ToProto(absl::Time t, google::protobuf::Timestamp* out) {
  const int64_t ns = absl::ToUnixNanos(t);
  int64_t seconds = ns / 1000000000;
  int32_t nanos = static_cast<int32_t>(ns % 1000000000);
  if (nanos < 0) {  // Timestamp wants nanos in [0, 1e9)
    nanos += 1000000000;
    --seconds;
  }
  out->set_seconds(seconds);
  out->set_nanos(nanos);
}

}  // namespace nbo::core

#endif  // NBO_CORE_TIME_UTIL_H_
