// The one place where absl::Status becomes grpc::Status.
#ifndef NBO_SERVER_STATUS_CONVERT_H_
#define NBO_SERVER_STATUS_CONVERT_H_

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace nbo::server {

// Same code and message. An absl UNKNOWN (never produced on purpose) becomes INTERNAL so clients
// never see UNKNOWN from nbo.
grpc::Status ToGrpcStatus(const absl::Status& status);

}  // namespace nbo::server

#endif  // NBO_SERVER_STATUS_CONVERT_H_
