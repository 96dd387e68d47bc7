#include "tools/cli.h"

#include <chrono>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
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
#include "tools/admin_request.h"
#include "tools/customer_ref.h"
#include "tools/enum_names.h"
#include "tools/format.h"
#include "tools/report.h"

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
  // `format` is called with the response and returns the human text.
  template <typename Response, typename Format>
  int Finish(absl::string_view rpc, const grpc::Status& status, const Response& response,
             Format format, std::ostream& out, std::ostream& err) const {
    if (!status.ok()) return Fail(rpc, status, err);
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

  // Prints the error line of a failed RPC; returns kExitUnreachable when the channel never
  // connected, kExitFailed otherwise.
  int Fail(absl::string_view rpc, const grpc::Status& status, std::ostream& err) const {
    const bool unreachable = status.error_code() == grpc::StatusCode::UNAVAILABLE &&
                             channel_->GetState(false) != GRPC_CHANNEL_READY;
    err << FormatRpcError(rpc, status, options_.addr, unreachable) << "\n";
    return unreachable ? kExitUnreachable : kExitFailed;
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

int RunOutcome(const std::vector<std::string>& command, const CliOptions& options,
               std::ostream& out, std::ostream& err) {
  if (command.size() != 4) {
    return UsageError(err,
                      "outcome takes a decision id, an offer id and one of accepted, declined, "
                      "presented, ignored: nbo outcome d-0193a4c2e1f0... fibre accepted "
                      "[--value 12.5]");
  }
  absl::StatusOr<v1::OutcomeRequest> request =
      BuildOutcomeRequest(command[1], command[2], command[3], options.value);
  if (!request.ok()) return UsageError(err, request.status().message());
  Connection connection(options);
  auto stub = v1::DecisionService::NewStub(connection.channel());
  auto context = connection.NewContext();
  v1::OutcomeResponse response;
  const grpc::Status status = stub->RecordOutcome(context.get(), *request, &response);
  return connection.Finish(
      "RecordOutcome", status, response,
      [&](const v1::OutcomeResponse& r) { return FormatOutcome(*request, r); }, out, err);
}

// The one customer of profile, consent and forget: the positional argument or --customer.
// InvalidArgument (with `example`) when there is none or more than one.
absl::StatusOr<std::string> OneCustomer(const std::vector<std::string>& command,
                                        const CliOptions& options, absl::string_view example) {
  std::string customer = options.decide.customer;
  if (command.size() > 2 || (command.size() == 2 && !customer.empty())) {
    return absl::InvalidArgumentError(absl::StrCat(command[0], " takes one customer: ", example));
  }
  if (command.size() == 2) customer = command[1];
  if (customer.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(command[0], " needs a customer: ", example));
  }
  return customer;
}

int RunProfile(const std::vector<std::string>& command, const CliOptions& options,
               std::ostream& out, std::ostream& err) {
  absl::StatusOr<std::string> customer = OneCustomer(command, options, "nbo profile c-1001");
  if (!customer.ok()) return UsageError(err, customer.status().message());
  absl::StatusOr<v1::CustomerRef> ref = ParseCustomerRef(*customer);
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

int RunLink(const std::vector<std::string>& command, const CliOptions& options, std::ostream& out,
            std::ostream& err) {
  if (command.size() != 3) {
    return UsageError(err,
                      "link takes a customer and a source identity: "
                      "nbo link c-1001 loyalty:L-77812");
  }
  absl::StatusOr<v1::LinkIdentityRequest> request = BuildLinkRequest(command[1], command[2]);
  if (!request.ok()) return UsageError(err, request.status().message());
  Connection connection(options);
  auto stub = v1::ProfileService::NewStub(connection.channel());
  auto context = connection.NewContext();
  v1::LinkIdentityResponse response;
  const grpc::Status status = stub->LinkIdentity(context.get(), *request, &response);
  return connection.Finish(
      "LinkIdentity", status, response,
      [&](const v1::LinkIdentityResponse& r) { return FormatLink(*request, r); }, out, err);
}

int RunConsent(const std::vector<std::string>& command, const CliOptions& options,
               std::ostream& out, std::ostream& err) {
  absl::StatusOr<std::string> customer =
      OneCustomer(command, options, "nbo consent c-1001 --channel email --opt_out");
  if (!customer.ok()) return UsageError(err, customer.status().message());
  ConsentArgs args;
  args.customer = *customer;
  args.channel = options.decide.channel;
  args.opt_in = options.opt_in;
  args.opt_out = options.opt_out;
  args.source = options.decide.source;
  absl::StatusOr<v1::UpdateConsentRequest> request = BuildConsentRequest(args);
  if (!request.ok()) return UsageError(err, request.status().message());
  Connection connection(options);
  auto stub = v1::ProfileService::NewStub(connection.channel());
  auto context = connection.NewContext();
  v1::UpdateConsentResponse response;
  const grpc::Status status = stub->UpdateConsent(context.get(), *request, &response);
  return connection.Finish(
      "UpdateConsent", status, response,
      [&](const v1::UpdateConsentResponse&) { return FormatConsent(*request); }, out, err);
}

int RunForget(const std::vector<std::string>& command, const CliOptions& options, std::ostream& out,
              std::ostream& err) {
  absl::StatusOr<std::string> customer = OneCustomer(command, options, "nbo forget c-1001 --yes");
  if (!customer.ok()) return UsageError(err, customer.status().message());
  absl::StatusOr<v1::ForgetCustomerRequest> request =
      BuildForgetRequest(*customer, options.suppress);
  if (!request.ok()) return UsageError(err, request.status().message());
  if (!options.yes) {
    err << DescribeForget(*request);
    return kExitUsage;
  }
  Connection connection(options);
  auto stub = v1::ProfileService::NewStub(connection.channel());
  auto context = connection.NewContext();
  v1::ForgetCustomerResponse response;
  const grpc::Status status = stub->ForgetCustomer(context.get(), *request, &response);
  return connection.Finish(
      "ForgetCustomer", status, response,
      [&](const v1::ForgetCustomerResponse& r) { return FormatForget(*request, r); }, out, err);
}

int RunExplain(const std::vector<std::string>& command, const CliOptions& options,
               std::ostream& out, std::ostream& err) {
  if (command.size() != 2 || command[1].empty()) {
    return UsageError(err, "explain takes one decision id: nbo explain d-0193a4c2e1f0...");
  }
  Connection connection(options);
  auto stub = v1::StrategyService::NewStub(connection.channel());
  auto context = connection.NewContext();
  v1::ExplainDecisionRequest request;
  request.set_decision_id(command[1]);
  v1::ExplainDecisionResponse response;
  const grpc::Status status = stub->ExplainDecision(context.get(), request, &response);
  return connection.Finish("ExplainDecision", status, response, &FormatExplain, out, err);
}

// The progress line of `nbo ingest` on a terminal: redrawn in place ("\r", erase to the end of
// the line) at most every 100 ms; a newline once done so the summary starts on its own line.
class ProgressLine {
 public:
  ProgressLine(std::ostream& err, bool enabled, std::optional<int64_t> total)
      : err_(err), enabled_(enabled), total_(total), start_(absl::Now()) {}

  void Update(int64_t done, bool force = false) {
    if (!enabled_) return;
    const absl::Time now = absl::Now();
    if (!force && drawn_ && now - last_ < absl::Milliseconds(100)) return;
    const double seconds = absl::ToDoubleSeconds(now - start_);
    err_ << "\r" << FormatIngestProgress(done, total_, seconds > 0 ? done / seconds : 0.0)
         << "\x1b[K" << std::flush;
    last_ = now;
    drawn_ = true;
  }

  void Finish(int64_t done) {
    if (!enabled_) return;
    Update(done, /*force=*/true);
    err_ << "\n" << std::flush;
  }

 private:
  std::ostream& err_;
  const bool enabled_;
  const std::optional<int64_t> total_;
  const absl::Time start_;
  absl::Time last_;
  bool drawn_ = false;
};

int RunIngest(const std::vector<std::string>& command, const CliOptions& options, std::ostream& out,
              std::ostream& err) {
  if (command.size() != 2) {
    return UsageError(err,
                      "ingest takes one file of JSON lines (- for stdin): "
                      "nbo ingest examples/events.jsonl");
  }
  if (options.batch < 1 || options.batch > kMaxIngestBatch) {
    return UsageError(
        err, absl::StrCat("--batch must be in 1..", kMaxIngestBatch, ", got ", options.batch));
  }
  const std::string& path = command[1];
  const bool from_stdin = path == "-";
  std::ifstream file;
  if (!from_stdin) {
    file.open(path, std::ios::binary);
    if (!file) return UsageError(err, absl::StrCat("cannot read ", path));
  }
  std::istream& in =
      from_stdin ? (options.stdin_stream != nullptr ? *options.stdin_stream : std::cin) : file;
  // The total for the bar: a cheap first pass over a regular file, only when the bar is drawn.
  const std::optional<int64_t> total =
      options.progress && !from_stdin ? CountEventLines(path) : std::nullopt;

  Connection connection(options);
  auto stub = v1::DecisionService::NewStub(connection.channel());
  grpc::ClientContext context;  // no deadline: a back-fill takes as long as the file
  v1::IngestSummary summary;
  const absl::Time start = absl::Now();
  std::unique_ptr<grpc::ClientWriter<v1::IngestRequest>> writer =
      stub->IngestEvents(&context, &summary);
  IngestReader reader(in, options.batch);
  ProgressLine progress(err, options.progress, total);
  IngestStats stats;
  stats.input = from_stdin ? "stdin" : path;
  v1::IngestRequest request;
  bool stream_broken = false;
  while (reader.Next(request)) {
    if (!writer->Write(request)) {
      stream_broken = true;
      break;
    }
    stats.sent += request.events_size();
    ++stats.messages;
    progress.Update(reader.processed());
  }
  const bool read_error = reader.read_error();
  if (read_error) context.TryCancel();
  if (!stream_broken && !read_error) writer->WritesDone();
  const grpc::Status status = writer->Finish();
  progress.Finish(reader.processed());
  stats.lines = reader.lines();
  stats.local_rejected = reader.rejected();
  stats.local_rejections = reader.rejections();
  stats.elapsed = absl::Now() - start;

  if (read_error) {
    err << "nbo: error reading " << stats.input << " after line " << reader.lines()
        << "; the stream was cancelled after " << stats.sent << " events\n";
    return kExitFailed;
  }
  if (!status.ok()) {
    const int code = connection.Fail("IngestEvents", status, err);
    if (code == kExitFailed && stats.sent > 0) {
      err << "nbo: " << stats.sent << " events were sent before the error; sending the input "
          << "again is safe (the server skips event ids it has seen)\n";
    }
    return code;
  }
  if (stream_broken) {
    err << "nbo: IngestEvents: the server ended the stream after " << stats.sent
        << " events, before the end of " << stats.input << "\n";
    return kExitFailed;
  }
  if (!options.json) {
    out << FormatIngestSummary(summary, stats);
    return kExitOk;
  }
  absl::StatusOr<std::string> json = ToJson(MergeIngestSummary(summary, stats));
  if (!json.ok()) {
    err << "nbo: IngestEvents: " << json.status().message() << "\n";
    return kExitFailed;
  }
  out << *json;
  return kExitOk;
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::ostringstream contents;
  contents << in.rdbuf();
  if (in.bad()) return absl::DataLossError(absl::StrCat("error reading ", path));
  return contents.str();
}

constexpr int kMaxValidateSample = 100000;

// `nbo strategy validate FILE`: exit 0 when valid, 1 when invalid (after printing the problems).
int RunValidate(const std::vector<std::string>& command, const CliOptions& options,
                std::ostream& out, std::ostream& err) {
  if (command.size() != 3) {
    return UsageError(err,
                      "strategy validate takes one local strategy file: "
                      "nbo strategy validate examples/strategy.json");
  }
  v1::ValidateStrategyRequest request;
  if (!options.decide.channel.empty()) {
    absl::StatusOr<v1::Channel> channel = ParseChannel(options.decide.channel);
    if (!channel.ok()) return UsageError(err, channel.status().message());
    request.set_channel(*channel);
  }
  if (options.sample.has_value()) {
    if (*options.sample < 0 || *options.sample > kMaxValidateSample) {
      return UsageError(err, absl::StrCat("--sample must be in 0..", kMaxValidateSample, ", got ",
                                          *options.sample));
    }
    request.set_sample_size(*options.sample);
  }
  absl::StatusOr<std::string> document = ReadFile(command[2]);
  if (!document.ok()) return UsageError(err, document.status().message());
  request.set_document_json(*std::move(document));

  Connection connection(options);
  auto stub = v1::StrategyService::NewStub(connection.channel());
  auto context = connection.NewContext();
  v1::ValidateStrategyResponse response;
  const grpc::Status status = stub->ValidateStrategy(context.get(), request, &response);
  const int code =
      connection.Finish("ValidateStrategy", status, response, &FormatValidate, out, err);
  if (code == kExitOk && !response.valid()) return kExitFailed;
  return code;
}

int RunStrategy(const std::vector<std::string>& command, const CliOptions& options,
                std::ostream& out, std::ostream& err) {
  const std::string sub = command.size() >= 2 ? command[1] : "";
  if (sub == "validate") return RunValidate(command, options, out, err);
  if (command.size() != 2 || (sub != "show" && sub != "reload")) {
    return UsageError(err, "strategy needs one of: show, reload, validate (nbo strategy show)");
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

// `nbo report outcomes [--segment S] [--offer O]`.
int RunReport(const std::vector<std::string>& command, const CliOptions& options, std::ostream& out,
              std::ostream& err) {
  if (command.size() != 2 || command[1] != "outcomes") {
    return UsageError(err,
                      "report needs one of: outcomes (nbo report outcomes [--segment S] "
                      "[--offer O] [--json])");
  }
  absl::StatusOr<v1::OutcomeReportRequest> request =
      BuildOutcomeReportRequest(options.segment, options.offer);
  if (!request.ok()) return UsageError(err, request.status().message());
  Connection connection(options);
  auto stub = v1::StrategyService::NewStub(connection.channel());
  auto context = connection.NewContext();
  v1::OutcomeReport response;
  const grpc::Status status = stub->GetOutcomeReport(context.get(), *request, &response);
  return connection.Finish(
      "GetOutcomeReport", status, response,
      [&](const v1::OutcomeReport& r) { return FormatOutcomeReport(*request, r); }, out, err);
}

}  // namespace

std::string Usage() {
  return absl::StrCat(
      "nbo - command-line client of nbo-server (next-best-offer decisions)\n"
      "\n"
      "Commands:\n"
      "  nbo decide --customer REF --channel CHANNEL --event EVENT [event flags]\n"
      "      Sends one interaction and prints the offers with their reasons (and the\n"
      "      micro-segment, fallback cause and consent note when set).\n"
      "  nbo outcome DECISION_ID OFFER_ID accepted|declined|presented|ignored [--value N]\n"
      "                             Records what happened to an offer of a past decision\n"
      "                             (within the server's --decision_ttl); --value is the margin\n"
      "                             earned. Repeating it changes nothing.\n"
      "  nbo profile REF            The single customer view.\n"
      "  nbo explain DECISION_ID    Every offer a past decision considered: rank or why it was\n"
      "                             dropped, score and a sentence; the triggers, context weights\n"
      "                             and dimension levels that applied, and the budgets drawn on\n"
      "                             (decisions are kept for the server's --decision_ttl).\n"
      "  nbo ingest FILE.jsonl [--batch 1000]\n"
      "                             Back-fills events: one nbo.v1.IngestEvent per line in "
      "protobuf\n"
      "                             JSON (- reads stdin), streamed in batches of 1..10000; prints\n"
      "                             applied, duplicate and rejected counts. Lines that do not "
      "parse\n"
      "                             are reported (line N: ...) and not sent.\n"
      "  nbo link REF SOURCE:EXTERNAL_ID\n"
      "                             Attaches the identity to the customer (merging profiles when\n"
      "                             the identity belongs to another one).\n"
      "  nbo consent REF --channel CHANNEL|all --opt_out|--opt_in [--source S]\n"
      "                             Records a marketing consent (all: marketing as a whole).\n"
      "  nbo forget REF [--suppress] --yes\n"
      "                             Erases the customer (without --yes: says what it would "
      "erase);\n"
      "                             --suppress drops later events for its identities.\n"
      "  nbo strategy show [--document]\n"
      "                             The strategy serving now (and its JSON document).\n"
      "  nbo strategy reload [--file SERVER_PATH | --inline_file LOCAL_PATH]\n"
      "                             Reloads the strategy (default: the server's configured file).\n"
      "  nbo strategy validate FILE [--channel web] [--sample 1000]\n"
      "                             Checks a local strategy file without loading it: VALID or\n"
      "                             INVALID with every problem, and for a valid one a what-if "
      "over\n"
      "                             --sample stored profiles (0..100000, default 1000): segment\n"
      "                             shares and each offer's funnel. Exit 1 when invalid.\n"
      "  nbo report outcomes [--segment S] [--offer O]\n"
      "                             What each arm (model, explore, control) offered and what\n"
      "                             became of it, in total and per segment and offer: offered,\n"
      "                             outcomes, accepted, acceptance rate with its 95% interval,\n"
      "                             value, and the lift of model over control.\n"
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
      "  life_event     --life_event KIND (required), e.g. moved_home; alone it implies\n"
      "                 --event life_event\n"
      "  survey_answer  --nps 0..10 --interests a,b\n"
      "Any event: --event_id (default: random cli-...), --source, --placement NAME (where the\n"
      "  offers are shown), --max_offers 0..20 (0: the strategy's default), and the decision\n"
      "  context --call_reason TEXT and --product_in_view PRODUCT (page_view: default --product).\n"
      "Flags may also be spelled with dashes: --max-offers 2, --call-reason=billing.\n"
      "\n"
      "outcome flags: --value N (margin earned, >= 0; default: unknown)\n"
      "report flags: --segment S, --offer O (a segment or offer id; default: all)\n"
      "\n"
      "Global flags: --addr HOST:PORT (default 127.0.0.1:50051), --timeout 5s (per call; the\n"
      "ingest stream has no deadline), --json\n"
      "\n"
      "Examples:\n"
      "  nbo decide --customer c-1001 --channel web --event page_view --product fibre-1g \\\n"
      "      --placement product_page --max_offers 2\n"
      "  nbo decide --customer loyalty:L-77812 --channel call_centre --event call_started \\\n"
      "      --call_reason billing\n"
      "  nbo decide --customer c-1001 --channel web --life-event moved_home --placement home\n"
      "  nbo decide --customer c-1001 --channel store --event purchase --product router,tv-box \\\n"
      "      --amount 120 --margin 30\n"
      "  nbo outcome d-0193a4c2e1f0a1b2c3d4e5f60718 fibre accepted --value 12.5\n"
      "  nbo profile loyalty:L-77812 --json\n"
      "  nbo explain d-0193a4c2e1f0a1b2c3d4e5f60718\n"
      "  nbo ingest examples/events.jsonl --batch 500\n"
      "  nbo link c-2001 loyalty:L-1001\n"
      "  nbo consent c-2001 --channel email --opt_out --source web_preferences\n"
      "  nbo forget c-2001 --suppress --yes\n"
      "  nbo strategy reload --inline_file examples/strategy.json\n"
      "  nbo strategy validate examples/strategy.json --channel call_centre --sample 5000\n"
      "  nbo report outcomes --segment families\n"
      "\n"
      "Exit status: 0 ok (ingest: the stream completed, even with rejected events), 1 the server\n"
      "answered with an error (strategy validate: the strategy is invalid), 2 bad usage (forget "
      "without --yes too), 3 nbo-server not "
      "reachable.\n");
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
  if (name == "outcome") return RunOutcome(command, options, out, err);
  if (name == "profile") return RunProfile(command, options, out, err);
  if (name == "explain") return RunExplain(command, options, out, err);
  if (name == "ingest") return RunIngest(command, options, out, err);
  if (name == "link") return RunLink(command, options, out, err);
  if (name == "consent") return RunConsent(command, options, out, err);
  if (name == "forget") return RunForget(command, options, out, err);
  if (name == "strategy") return RunStrategy(command, options, out, err);
  if (name == "report") return RunReport(command, options, out, err);
  return UsageError(err, absl::StrCat("unknown command \"", name,
                                      "\"; commands: decide, outcome, profile, explain, ingest, "
                                      "link, consent, forget, strategy, report, help"));
}

}  // namespace nbo::tools
