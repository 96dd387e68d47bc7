// Runs the real nbo-server binary for end-to-end tests: on free loopback ports (port 0), with its
// own data directory, stopped with SIGTERM and waited for (bounded).
#ifndef NBO_TESTS_SERVER_PROCESS_H_
#define NBO_TESTS_SERVER_PROCESS_H_

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace nbo::testing {

// A temporary directory removed (recursively) on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct ProcessResult {
  int exit_code = -1;  // -1 when killed by a signal
  std::string stdout_text;
  std::string stderr_text;
};

// Runs `argv` to completion (at most `timeout`, then SIGKILL) and captures its output.
ProcessResult RunProcess(const std::vector<std::string>& argv, absl::Duration timeout);

class ServerProcess {
 public:
  // Starts nbo-server with --listen/--metrics_listen on 127.0.0.1:0 plus `flags`, and waits (at
  // most `timeout`) for its "nbo-server listening:" line.
  static absl::StatusOr<std::unique_ptr<ServerProcess>> Start(
      std::vector<std::string> flags, absl::Duration timeout = absl::Seconds(30));
  ~ServerProcess();  // SIGKILL if still running

  int grpc_port() const { return grpc_port_; }
  int metrics_port() const { return metrics_port_; }
  std::string grpc_address() const;

  // SIGTERM, then waits at most `timeout`. Returns the exit code (-1: signal or timeout).
  int Stop(absl::Duration timeout = absl::Seconds(20));
  void Signal(int signal);
  // Everything the server wrote to stderr so far (complete after Stop).
  std::string stderr_text() const;

 private:
  ServerProcess() = default;
  pid_t pid_ = -1;
  int grpc_port_ = 0;
  int metrics_port_ = 0;
  std::string stderr_path_;
};

// GET http://127.0.0.1:port/path with a plain socket. Returns the body of a 200 response.
absl::StatusOr<std::string> HttpGet(int port, const std::string& path);

}  // namespace nbo::testing

#endif  // NBO_TESTS_SERVER_PROCESS_H_
