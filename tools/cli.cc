#include "tools/cli.h"

#include <chrono>
#include <fstream>
#include <memory>
#include <sstream>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "nbo/v1/decision.grpc.pb.h"
#include "nbo/v1/profile.grpc.pb.h"
#include "nbo/v1/strategy.grpc.pb.h"
#include "tools/customer_ref.h"
#include "tools/enum_names.h"
#include "tools/format.h"

namespace nbo::tools {
namespace {

int UsageError(std::ostream& err, absl::string_view message) {
  err << "nbo: " << message << "\n";
  return kExitUsage;
}

// Where the commands send their RPCs. Keeps the channel to tell "never connected" from a server
// that answered with an error.
class Connection {
 public:
  explicit Connection(const CliOptions& options)
      : options_(options),
        channel_(grpc::CreateChannel(options.addr, grpc::InsecureChannelCredentials())) {}

  const std::shared_ptr<grpc::Channel>& channel() const { return channel_; }

  // A context whose deadline is --timeout from now.
  std::unique_ptr<grpc::ClientContext> NewContext() const {
    auto context = std::make_unique<grpc::ClientContext>();
    context->set_deadline(std::chrono::system_clock::now() +
                          absl::ToChronoNanoseconds(options_.timeout));
    return context;
  }

  // Prints the response (text or JSON) on success, the error line otherwise; returns the exit
  // status.
  template <typename Response>
  int Finish(absl::string_view rpc, const grpc::Status& status, const Response& response,
             std::string (*format)(const Response&), std::ostream& out, std::ostream& err) const {
    if (!status.ok()) {
      const bool unreachable = status.error_code() == grpc::StatusCode::UNAVAILABLE &&
                               channel_->GetState(false) != GRPC_CHANNEL_READY;
      err << FormatRpcError(rpc, status, options_.addr, unreachable) << "\n";
      return unreachable ? kExitUnreachable : kExitFailed;
    }
    if (!options_.json) {
      out << format(response);
      return kExitOk;
    }
    absl::StatusOr<std::string> json = ToJson(response);
    if (!json.ok()) {
      err << "nbo: " << rpc << ": " << json.status().message() << "\n";
      return kExitFailed;
    }
    out << *json;
    return kExitOk;
  }

 private:
  const CliOptions& options_;
  std::shared_ptr<grpc::Channel> channel_;
};

int RunDecide(const std::vector<std::string>& command, const CliOptions& options, std::ostream& out,
              std::ostream& err) {
  if (command.size() != 1) {
    return UsageError(err, absl::StrCat("decide takes no positional arguments, got \"", command[1],
                                        "\"; see nbo help"));
  }
  absl::StatusOr<v1::DecideRequest> request = BuildDecideRequest(options.decide);
  if (!request.ok()) return UsageError(err, request.status().message());
  Connection connection(options);
  auto stub = v1::DecisionService::NewStub(connection.channel());
  auto context = connection.NewContext();
  v1::DecideResponse response;
  const grpc::Status status = stub->Decide(context.get(), *request, &response);
  return connection.Finish("Decide", status, response, &FormatDecision, out, err);
}

int RunProfile(const std::vector<std::string>& command, const CliOptions& options,
               std::ostream& out, std::ostream& err) {
  std::string customer = options.decide.customer;
  if (command.size() > 2 || (command.size() == 2 && !customer.empty())) {
    return UsageError(err, "profile takes one customer: nbo profile c-1001");
  }
  if (command.size() == 2) customer = command[1];
  if (customer.empty()) return UsageError(err, "profile needs a customer: nbo profile c-1001");
  absl::StatusOr<v1::CustomerRef> ref = ParseCustomerRef(customer);
  if (!ref.ok()) return UsageError(err, ref.status().message());

  Connection connection(options);
  auto stub = v1::ProfileService::NewStub(connection.channel());
  auto context = connection.NewContext();
  v1::GetProfileRequest request;
  *request.mutable_customer() = *std::move(ref);
  v1::GetProfileResponse response;
  const grpc::Status status = stub->GetProfile(context.get(), request, &response);
  return connection.Finish("GetProfile", status, response, &FormatProfile, out, err);
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::ostringstream contents;
  contents << in.rdbuf();
  if (in.bad()) return absl::DataLossError(absl::StrCat("error reading ", path));
  return contents.str();
}

int RunStrategy(const std::vector<std::string>& command, const CliOptions& options,
                std::ostream& out, std::ostream& err) {
  const std::string sub = command.size() >= 2 ? command[1] : "";
  if (command.size() != 2 || (sub != "show" && sub != "reload")) {
    return UsageError(err, "strategy needs one of: show, reload (nbo strategy show)");
  }
  Connection connection(options);
  auto stub = v1::StrategyService::NewStub(connection.channel());
  auto context = connection.NewContext();
  if (sub == "show") {
    v1::GetStrategyRequest request;
    request.set_include_document(options.document);
    v1::GetStrategyResponse response;
    const grpc::Status status = stub->GetStrategy(context.get(), request, &response);
    return connection.Finish("GetStrategy", status, response, &FormatGetStrategy, out, err);
  }
  v1::ReloadStrategyRequest request;
  if (!options.file.empty() && !options.inline_file.empty()) {
    return UsageError(err, "strategy reload takes --file or --inline_file, not both");
  }
  if (!options.file.empty()) {
    request.set_file_path(options.file);
  } else if (!options.inline_file.empty()) {
    absl::StatusOr<std::string> document = ReadFile(options.inline_file);
    if (!document.ok()) return UsageError(err, document.status().message());
    request.set_inline_json(*std::move(document));
  } else {
    request.set_from_file(true);
  }
  v1::ReloadStrategyResponse response;
  const grpc::Status status = stub->ReloadStrategy(context.get(), request, &response);
  return connection.Finish("ReloadStrategy", status, response, &FormatReload, out, err);
}

}  // namespace

std::string Usage() {
  return absl::StrCat(
      "nbo - command-line client of nbo-server (next-best-offer decisions)\n"
      "\n"
      "Commands:\n"
      "  nbo decide --customer REF --channel CHANNEL --event EVENT [event flags]\n"
      "      Sends one interaction and prints the offers with their reasons.\n"
      "  nbo profile REF            The single customer view.\n"
      "  nbo strategy show [--document]\n"
      "                             The strategy serving now (and its JSON document).\n"
      "  nbo strategy reload [--file SERVER_PATH | --inline_file LOCAL_PATH]\n"
      "                             Reloads the strategy (default: the server's configured file).\n"
      "  nbo help                   This text.\n"
      "\n"
      "REF is an nbo customer id (c-1001) or a source identity source:external_id\n"
      "(loyalty:L-77812).\n"
      "CHANNEL: ",
      absl::StrJoin(ChannelNames(), ", "),
      "\n"
      "EVENT and its flags:\n"
      "  page_view      --page --product --category (--product is also the product in view)\n"
      "  search         --query --category\n"
      "  cart_add, cart_remove  --product (required) --category --quantity\n"
      "  purchase       --product a,b (required) --category --quantity --amount --margin\n"
      "                 --currency --order_id (--amount/--margin: order totals, split evenly)\n"
      "  call_started   --call_reason\n"
      "  store_visit    --store          app_open  --screen\n"
      "  complaint      --severity 1..5 (required) --topic\n"
      "  life_event     --life_event KIND (required), e.g. moved_home\n"
      "  survey_answer  --nps 0..10 --interests a,b\n"
      "Any event: --event_id (default: random cli-...), --source, --placement, --max_offers "
      "0..20,\n"
      "  --call_reason (the decision context).\n"
      "\n"
      "Global flags: --addr HOST:PORT (default 127.0.0.1:50051), --timeout 5s, --json\n"
      "\n"
      "Examples:\n"
      "  nbo decide --customer c-1001 --channel web --event page_view --product fibre-1g \\\n"
      "      --placement product_page --max_offers 2\n"
      "  nbo decide --customer loyalty:L-77812 --channel call_centre --event call_started \\\n"
      "      --call_reason billing\n"
      "  nbo decide --customer c-1001 --channel store --event purchase --product router,tv-box \\\n"
      "      --amount 120 --margin 30\n"
      "  nbo profile loyalty:L-77812 --json\n"
      "  nbo strategy reload --inline_file examples/strategy.json\n"
      "\n"
      "Exit status: 0 ok, 1 the server answered with an error, 2 bad usage,\n"
      "3 nbo-server not reachable.\n");
}

std::string FormatRpcError(absl::string_view rpc, const grpc::Status& status,
                           absl::string_view addr, bool unreachable) {
  const std::string code =
      absl::StatusCodeToString(static_cast<absl::StatusCode>(status.error_code()));
  std::string message = status.error_message();
  if (unreachable || status.error_code() != grpc::StatusCode::INVALID_ARGUMENT) {
    message = absl::StrReplaceAll(message, {{"\r\n", " "}, {"\n", " "}});
  }
  if (unreachable) {
    return absl::StrCat("nbo: cannot reach nbo-server at ", addr, " (", code, ": ", message,
                        "); is it running? start it with ./scripts/run");
  }
  return absl::StrCat("nbo: ", rpc, ": ", code, ": ", message);
}

int RunCli(const std::vector<std::string>& command, const CliOptions& options, std::ostream& out,
           std::ostream& err) {
  if (command.empty()) {
    err << Usage();
    return kExitUsage;
  }
  const std::string& name = command.front();
  if (name == "help") {
    out << Usage();
    return kExitOk;
  }
  if (options.timeout <= absl::ZeroDuration()) {
    return UsageError(err, "--timeout must be positive, e.g. 5s or 500ms");
  }
  if (options.addr.empty()) return UsageError(err, "--addr must not be empty (host:port)");
  if (name == "decide") return RunDecide(command, options, out, err);
  if (name == "profile") return RunProfile(command, options, out, err);
  if (name == "strategy") return RunStrategy(command, options, out, err);
  return UsageError(err, absl::StrCat("unknown command \"", name,
                                      "\"; commands: decide, profile, strategy, help"));
}

}  // namespace nbo::tools
