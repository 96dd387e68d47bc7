#include "server/metrics/exporter.h"

#include <arpa/inet.h>
#include <civetweb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <thread>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "server/metrics/listen_address.h"
#include "server/metrics/text_format.h"

namespace nbo::metrics {
namespace {

constexpr char kMetricsPath[] = "/metrics";

// civetweb prints errors to stderr unless this callback returns non-zero; Start() reports them as
// a Status instead.
int SilenceCivetweb(const mg_connection* /*connection*/, const char* /*message*/) { return 1; }

int Send(mg_connection* connection, bool head, int status, const std::string& content_type,
         const std::string& body, const char* allow = nullptr) {
  mg_response_header_start(connection, status);
  mg_response_header_add(connection, "Content-Type", content_type.c_str(), -1);
  const std::string length = std::to_string(body.size());
  mg_response_header_add(connection, "Content-Length", length.c_str(), -1);
  if (allow != nullptr) mg_response_header_add(connection, "Allow", allow, -1);
  mg_response_header_send(connection);
  if (!head && !body.empty()) mg_write(connection, body.data(), body.size());
  return status;
}

// Opens and closes a connection to host:port; "0.0.0.0" (any) is reached through the loopback.
void WakeListener(const std::string& host, int port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  if (host == "0.0.0.0" || inet_pton(AF_INET, host.c_str(), &address.sin_addr) != 1) {
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  }
  connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address));
  close(fd);
}

}  // namespace

Exporter::Exporter(const Registry* registry, ExporterOptions options)
    : registry_(registry), options_(std::move(options)) {}

Exporter::~Exporter() {
  if (context_ == nullptr) return;
  // civetweb's master thread polls the listening socket with a 2 s timeout and checks the stop flag
  // only between polls, so a bare mg_stop() takes up to 2 s. Connections to our own port wake it;
  // one made after mg_stop() has set the flag ends the wait. Bounded: 100 tries, 20 ms apart.
  absl::Notification stopped;
  std::thread stopper([this, &stopped] {
    mg_stop(context_);  // joins civetweb's threads
    stopped.Notify();
  });
  for (int i = 0; i < 100; ++i) {
    if (stopped.WaitForNotificationWithTimeout(absl::Milliseconds(20))) break;
    WakeListener(host_, port_);
  }
  stopper.join();
}

absl::StatusOr<std::unique_ptr<Exporter>> Exporter::Start(const Registry* registry,
                                                          ExporterOptions options) {
  const std::string prefix =
      absl::StrCat(options.setting_name, " \"", options.listen_address, "\": ");
  absl::StatusOr<ListenAddress> address = ParseListenAddress(options.listen_address);
  if (!address.ok()) {
    return absl::Status(address.status().code(), prefix + std::string(address.status().message()));
  }
  if (options.num_threads < 1) {
    return absl::InvalidArgumentError(prefix + "num_threads must be at least 1");
  }
  for (const auto& [path, handler] : options.handlers) {
    if (path == kMetricsPath || path.empty() || path[0] != '/' || !handler) {
      return absl::InvalidArgumentError(
          absl::StrCat(prefix, "bad extra handler path \"", path, "\""));
    }
  }

  // Private constructor, hence no make_unique.
  std::unique_ptr<Exporter> exporter(new Exporter(registry, std::move(options)));
  const std::string ports = absl::StrCat(address->host, ":", address->port);
  const std::string threads = std::to_string(exporter->options_.num_threads);
  const char* config[] = {"listening_ports",    ports.c_str(), "num_threads", threads.c_str(),
                          "request_timeout_ms", "10000",       nullptr};
  mg_callbacks callbacks;
  std::memset(&callbacks, 0, sizeof(callbacks));
  callbacks.log_message = &SilenceCivetweb;
  mg_init_data init{&callbacks, exporter.get(), config};
  char error_text[256] = {0};
  unsigned error_code = 0;
  mg_error_data error{&error_code, error_text, sizeof(error_text)};

  exporter->context_ = mg_start2(&init, &error);
  if (exporter->context_ == nullptr) {
    // civetweb only says "Failed to setup server ports"; find out why with a bind of our own.
    absl::Status reason = ProbeBind(*address);
    if (!reason.ok()) return absl::Status(reason.code(), prefix + std::string(reason.message()));
    return absl::InternalError(
        absl::StrCat(prefix, "cannot start HTTP server: ", error_text[0] ? error_text : "unknown"));
  }
  // One catch-all handler: civetweb's own matching treats "/metrics" as a prefix, we want exact.
  mg_set_request_handler(exporter->context_, "**", &Exporter::HandleRequest, exporter.get());

  mg_server_port bound[4];
  const int count = mg_get_server_ports(exporter->context_, 4, bound);
  if (count < 1 || bound[0].port <= 0) {
    return absl::InternalError(prefix + "cannot determine the bound port");
  }
  exporter->port_ = bound[0].port;
  exporter->host_ = address->host;
  return exporter;
}

int Exporter::HandleRequest(mg_connection* connection, void* exporter) {
  return static_cast<const Exporter*>(exporter)->Handle(connection);
}

int Exporter::Handle(mg_connection* connection) const {
  const mg_request_info* request = mg_get_request_info(connection);
  const std::string path = request->local_uri != nullptr ? request->local_uri : "";
  const std::string method = request->request_method != nullptr ? request->request_method : "";
  const bool head = method == "HEAD";
  const bool get_or_head = head || method == "GET";

  if (path == kMetricsPath) {
    if (!get_or_head) {
      return Send(connection, false, 405, "text/plain; charset=utf-8", "Method Not Allowed\n",
                  "GET, HEAD");
    }
    return Send(connection, head, 200, kTextFormatContentType, Render(*registry_));
  }
  auto it = options_.handlers.find(path);
  if (it != options_.handlers.end()) {
    if (!get_or_head) {
      return Send(connection, false, 405, "text/plain; charset=utf-8", "Method Not Allowed\n",
                  "GET, HEAD");
    }
    const HttpResponse response = it->second();
    return Send(connection, head, response.status, response.content_type, response.body);
  }
  return Send(connection, head, 404, "text/plain; charset=utf-8", "Not Found\n");
}

}  // namespace nbo::metrics
