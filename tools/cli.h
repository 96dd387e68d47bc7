// The commands of the `nbo` command-line client: decide, outcome, profile, explain, ingest, link,
// consent, forget, strategy show|reload|validate, report outcomes, help.
// main.cc parses the flags into CliOptions and calls RunCli; everything else happens here so that
// tests can drive the client with plain values and an in-process server.
#ifndef NBO_TOOLS_CLI_H_
#define NBO_TOOLS_CLI_H_

#include <istream>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "grpcpp/support/status.h"
#include "tools/decide_request.h"
#include "tools/ingest.h"

namespace nbo::tools {

// Process exit statuses of `nbo`.
enum ExitCode : int {
  kExitOk = 0,
  kExitFailed = 1,       // the server answered with an error (or refused a strategy; strategy
                         // validate: the strategy is invalid)
  kExitUsage = 2,        // bad command line: unknown command, flag or value
  kExitUnreachable = 3,  // no nbo-server at --addr
};

struct CliOptions {
  // Server address, host:port. Default: "127.0.0.1:50051".
  std::string addr = "127.0.0.1:50051";
  // Deadline of each RPC, > 0. Default: 5 s.
  absl::Duration timeout = absl::Seconds(5);
  // Print the response as JSON (proto field names) instead of text. Default: false.
  bool json = false;
  // strategy show: also fetch and print the strategy document. Default: false.
  bool document = false;
  // strategy reload: server-side path to load from (ReloadStrategyRequest.file_path). Default: "".
  std::string file;
  // strategy reload: local file whose contents are sent as inline_json. Default: "".
  std::string inline_file;
  // strategy validate: stored profiles to simulate (ValidateStrategyRequest.sample_size),
  // 0..100000; unset sends 0 (the server's default, 1000). Its channel is decide.channel
  // (--channel; empty: web). Default: unset.
  std::optional<int> sample;
  // decide: the request flags. consent also uses decide.channel (--channel, or "all") and
  // decide.source (--source); profile, consent and forget accept decide.customer (--customer) in
  // place of their positional customer.
  DecideArgs decide;
  // ingest: events per IngestRequest, 1..10000. Default: 1000.
  int batch = kDefaultIngestBatch;
  // ingest: draw a progress line on `err` (main.cc: when stderr is a terminal). Default: false.
  bool progress = false;
  // ingest: what "-" reads; nullptr means std::cin. Default: nullptr.
  std::istream* stdin_stream = nullptr;
  // consent: --opt_in / --opt_out (exactly one). Default: false.
  bool opt_in = false;
  bool opt_out = false;
  // forget: --suppress (ForgetCustomerRequest.suppress_future_events) and --yes (confirmation;
  // without it forget only prints what it would erase and exits kExitUsage). Default: false.
  bool suppress = false;
  bool yes = false;
  // outcome: --value, the margin actually earned (OutcomeRequest.value_realised), finite and
  // >= 0. Default: unset (sends 0, "unknown").
  std::optional<double> value;
  // report outcomes: --segment and --offer, only this segment / offer (ids of the strategy).
  // Default: "" (all).
  std::string segment;
  std::string offer;
};

// Runs the command named by `command` (the positional arguments, argv[0] excluded) against the
// server at options.addr, writing results to `out` and one-line errors ("nbo: ...") to `err`.
// Returns the process exit status (ExitCode). Insecure channel credentials; one RPC per run.
// Every RPC has the deadline --timeout except the IngestEvents stream, which has none (a back-fill
// takes as long as the file); an unreachable server still fails it at once.
int RunCli(const std::vector<std::string>& command, const CliOptions& options, std::ostream& out,
           std::ostream& err);

// The help text: commands, global flags, examples.
std::string Usage();

// The one-line error for a failed RPC (no trailing newline):
//   unreachable: "nbo: cannot reach nbo-server at ADDR (UNAVAILABLE: msg); is it running? start
//                 it with ./scripts/run"
//   otherwise:   "nbo: RPC: CODE: message"
// `unreachable` says the channel never connected (as opposed to a server answering UNAVAILABLE).
// Newlines in the server's message are kept only for INVALID_ARGUMENT (a list of problems).
std::string FormatRpcError(absl::string_view rpc, const grpc::Status& status,
                           absl::string_view addr, bool unreachable);

}  // namespace nbo::tools

#endif  // NBO_TOOLS_CLI_H_
