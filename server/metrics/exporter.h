// Exporter: serves a Registry at GET /metrics over HTTP (civetweb), for Prometheus to scrape.

#ifndef NBO_SERVER_METRICS_EXPORTER_H_
#define NBO_SERVER_METRICS_EXPORTER_H_

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "server/metrics/registry.h"

struct mg_connection;
struct mg_context;

namespace nbo::metrics {

// Response of an extra endpoint.
struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

struct ExporterOptions {
  // "<IPv4 address>:<port>" to listen on; port 0 picks a free port (see Exporter::port()).
  // Default: "127.0.0.1:9464".
  std::string listen_address = "127.0.0.1:9464";
  // Name of the setting the address came from, used to prefix error messages.
  // Default: "metrics_listen".
  std::string setting_name = "metrics_listen";
  // civetweb worker threads (each serves one connection at a time). Default: 2.
  int num_threads = 2;
  // Extra endpoints, by exact path (e.g. "/healthz"), answering GET and HEAD. Handlers run on
  // civetweb's threads, concurrently: they must be thread-safe, fast and must not throw.
  // "/metrics" is reserved. Default: none.
  std::map<std::string, std::function<HttpResponse()>> handlers;
};

// Serves GET /metrics (Content-Type: text/plain; version=0.0.4; charset=utf-8) rendered from the
// registry at each request; HEAD is answered without a body; other methods on a known path get 405,
// and every other path 404.
// Thread-safe: port() may be called from any thread. Destruction stops the server, waiting for
// requests in flight (it connects to its own port to wake civetweb, so this takes milliseconds
// rather than civetweb's 2 s poll interval).
class Exporter {
 public:
  // Starts serving `registry`, which must outlive the Exporter. Errors name the setting and the
  // address, e.g. `metrics_listen "127.0.0.1:9464": address in use`:
  //   InvalidArgument  - malformed address, address not local, bad num_threads, handler path
  //                      "/metrics" or not starting with '/';
  //   Unavailable      - address in use;
  //   PermissionDenied - privileged port;
  //   Internal         - civetweb failed for another reason.
  static absl::StatusOr<std::unique_ptr<Exporter>> Start(const Registry* registry,
                                                         ExporterOptions options);

  Exporter(const Exporter&) = delete;
  Exporter& operator=(const Exporter&) = delete;
  ~Exporter();

  // The TCP port actually bound (the chosen one when the address asked for port 0).
  int port() const { return port_; }

 private:
  Exporter(const Registry* registry, ExporterOptions options);
  static int HandleRequest(mg_connection* connection, void* exporter);
  int Handle(mg_connection* connection) const;

  const Registry* const registry_;
  const ExporterOptions options_;
  mg_context* context_ = nullptr;
  std::string host_;  // the bound IPv4 address
  int port_ = 0;
};

}  // namespace nbo::metrics

#endif  // NBO_SERVER_METRICS_EXPORTER_H_
