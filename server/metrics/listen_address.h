// Parsing and checking of the exporter's listen address ("127.0.0.1:9464").

#ifndef NBO_SERVER_METRICS_LISTEN_ADDRESS_H_
#define NBO_SERVER_METRICS_LISTEN_ADDRESS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace nbo::metrics {

// An IPv4 address and a TCP port (0 = any free port). The Debian 12 civetweb is built without IPv6.
struct ListenAddress {
  std::string host;  // dotted quad, e.g. "127.0.0.1" or "0.0.0.0"
  int port = 0;      // 0..65535
};

// Parses "<IPv4 address>:<port>"; "localhost" stands for 127.0.0.1. Returns InvalidArgument with a
// reason (not repeating the input) for anything else, including IPv6 and host names.
absl::StatusOr<ListenAddress> ParseListenAddress(absl::string_view address);

// Tries to bind (without listening) a TCP socket to `address` with SO_REUSEADDR, as civetweb does,
// then closes it. Used to explain why civetweb could not start. Returns OK if the bind works,
// Unavailable("address in use") for EADDRINUSE, InvalidArgument("address not available on this
// host") for EADDRNOTAVAIL, PermissionDenied for EACCES, else Internal with strerror's text.
absl::Status ProbeBind(const ListenAddress& address);

}  // namespace nbo::metrics

#endif  // NBO_SERVER_METRICS_LISTEN_ADDRESS_H_
