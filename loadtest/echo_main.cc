// nbo-echo: flags and signals around EchoServer (echo_server.h), as server/main.cc does for App.
#include <signal.h>

#include <cstdio>
#include <iostream>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "loadtest/echo_server.h"

namespace {
const nbo::loadtest::EchoOptions kDefaults;
}

ABSL_FLAG(std::string, listen, kDefaults.listen,
          "gRPC listen address host:port (port 0: any free port, printed on stdout)");
ABSL_FLAG(absl::Duration, shutdown_grace, kDefaults.shutdown_grace,
          "how long in-flight calls may take to finish at shutdown");

int main(int argc, char** argv) {
  // --help lists this file's flags (abseil would look for a file named after the program).
  absl::FlagsUsageConfig usage;
  usage.contains_help_flags = [](absl::string_view file) {
    return absl::EndsWith(file, "loadtest/echo_main.cc");
  };
  usage.contains_helpshort_flags = usage.contains_help_flags;
  absl::SetFlagsUsageConfig(usage);
  absl::SetProgramUsageMessage(
      "nbo-echo: answers nbo.v1.DecisionService calls at once with a canned answer, to measure "
      "the gRPC floor under nbo-server.\nUsage: nbo-echo [--listen=127.0.0.1:50061]");
  absl::ParseCommandLine(argc, argv);  // bad flags: abseil prints the flag and exits 1
  // As server/main.cc: Debian's abseil checks lock order on every absl::Mutex lock otherwise.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  nbo::loadtest::EchoOptions options;
  options.listen = absl::GetFlag(FLAGS_listen);
  options.shutdown_grace = absl::GetFlag(FLAGS_shutdown_grace);
  if (options.listen.empty()) {
    std::cerr << "nbo-echo: --listen must not be empty (host:port)\n";
    return 2;
  }
  if (options.shutdown_grace < absl::ZeroDuration()) {
    std::cerr << "nbo-echo: --shutdown_grace must not be negative\n";
    return 2;
  }

  // Signals are taken by one thread with sigwait; block them before gRPC starts its threads.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto echo = nbo::loadtest::EchoServer::Start(options);
  if (!echo.ok()) {
    std::cerr << "nbo-echo: " << echo.status().message() << "\n";
    return 1;
  }
  // Scripts wait for this line to learn the port (port 0 picks one).
  const absl::string_view host =
      absl::string_view(options.listen).substr(0, absl::string_view(options.listen).rfind(':'));
  std::printf("listening on %s:%d\n", std::string(host).c_str(), (*echo)->port());
  std::fflush(stdout);

  int signal = 0;
  while (sigwait(&signals, &signal) != 0) {
  }
  std::fprintf(stderr, "nbo-echo: signal %d: shutting down\n", signal);
  (*echo)->Shutdown();
  return 0;
}
