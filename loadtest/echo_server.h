// nbo-echo: the floor for nbo-server's numbers. The same gRPC server model (callback API for
// Decide and RecordOutcome, a sync IngestEvents, health checking, reflection, the same builder
// settings) answering at once with a canned answer, so a load test shows what gRPC and the
// network cost before nbo does any work.
#ifndef NBO_LOADTEST_ECHO_SERVER_H_
#define NBO_LOADTEST_ECHO_SERVER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "grpcpp/server.h"
#include "nbo/v1/decision.grpc.pb.h"

namespace nbo::loadtest {

// A Decide answer of the size a real one has: three offers with ids, names, reason text, reason
// codes and score parts, a segment, the strategy version and checksum (about 950 bytes).
v1::DecideResponse CannedDecideResponse();

// Decide: copies the canned answer. RecordOutcome: an empty OK answer. IngestEvents: reads the
// stream and counts every event as applied. Handlers never block. Thread-safe.
class EchoDecisionService final
    : public v1::DecisionService::WithCallbackMethod_Decide<
          v1::DecisionService::WithCallbackMethod_RecordOutcome<v1::DecisionService::Service>> {
 public:
  EchoDecisionService() : canned_(CannedDecideResponse()) {}

  grpc::ServerUnaryReactor* Decide(grpc::CallbackServerContext* context,
                                   const v1::DecideRequest* request,
                                   v1::DecideResponse* response) override;
  grpc::ServerUnaryReactor* RecordOutcome(grpc::CallbackServerContext* context,
                                          const v1::OutcomeRequest* request,
                                          v1::OutcomeResponse* response) override;
  grpc::Status IngestEvents(grpc::ServerContext* context,
                            grpc::ServerReader<v1::IngestRequest>* reader,
                            v1::IngestSummary* summary) override;

 private:
  const v1::DecideResponse canned_;
};

struct EchoOptions {
  // gRPC listen address, host:port; port 0 picks a free port. Default: "127.0.0.1:50061".
  std::string listen = "127.0.0.1:50061";
  // Largest request accepted, bytes (nbo-server's default). Default: 4 MiB.
  int max_request_bytes = 4 << 20;
  // How long in-flight calls may take to finish at shutdown. Default: 5s.
  absl::Duration shutdown_grace = absl::Seconds(5);
};

// Thread-safe: Shutdown may be called from any thread.
class EchoServer {
 public:
  // Starts serving. FailedPrecondition naming the address when it cannot listen there.
  static absl::StatusOr<std::unique_ptr<EchoServer>> Start(const EchoOptions& options);
  ~EchoServer();

  int port() const { return port_; }

  // Health turns NOT_SERVING, in-flight calls get shutdown_grace to finish. Idempotent.
  void Shutdown();

 private:
  explicit EchoServer(const EchoOptions& options) : options_(options) {}

  const EchoOptions options_;
  EchoDecisionService service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  absl::Mutex mu_;
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace nbo::loadtest

#endif  // NBO_LOADTEST_ECHO_SERVER_H_
