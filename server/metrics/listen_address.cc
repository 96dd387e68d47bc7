#include "server/metrics/listen_address.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace nbo::metrics {

absl::StatusOr<ListenAddress> ParseListenAddress(absl::string_view address) {
  constexpr char kExpected[] = "expected <IPv4 address>:<port>, e.g. 127.0.0.1:9464";
  const size_t colon = address.rfind(':');
  if (colon == absl::string_view::npos) return absl::InvalidArgumentError(kExpected);
  ListenAddress result;
  result.host = std::string(address.substr(0, colon));
  const absl::string_view port = address.substr(colon + 1);
  if (result.host == "localhost") result.host = "127.0.0.1";
  in_addr parsed{};
  if (result.host.empty() || inet_pton(AF_INET, result.host.c_str(), &parsed) != 1) {
    return absl::InvalidArgumentError(kExpected);
  }
  // SimpleAtoi accepts a sign and surrounding spaces; insist on plain digits.
  bool digits_only = !port.empty() && port.size() <= 5;
  for (char c : port) digits_only = digits_only && c >= '0' && c <= '9';
  if (!digits_only || !absl::SimpleAtoi(port, &result.port) || result.port > 65535) {
    return absl::InvalidArgumentError("port must be a number from 0 to 65535");
  }
  return result;
}

absl::Status ProbeBind(const ListenAddress& address) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::InternalError(absl::StrCat("socket: ", std::strerror(errno)));
  const int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  sin.sin_port = htons(static_cast<uint16_t>(address.port));
  inet_pton(AF_INET, address.host.c_str(), &sin.sin_addr);
  const int rc = bind(fd, reinterpret_cast<const sockaddr*>(&sin), sizeof(sin));
  const int error = errno;
  close(fd);
  if (rc == 0) return absl::OkStatus();
  switch (error) {
    case EADDRINUSE:
      return absl::UnavailableError("address in use");
    case EADDRNOTAVAIL:
      return absl::InvalidArgumentError("address not available on this host");
    case EACCES:
      return absl::PermissionDeniedError("permission denied (privileged port?)");
    default:
      return absl::InternalError(std::strerror(error));
  }
}

}  // namespace nbo::metrics
