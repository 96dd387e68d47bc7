#include "tools/sim/sim.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <random>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/strategy_loader.h"
#include "grpcpp/grpcpp.h"
#include "nbo/v1/decision.grpc.pb.h"
#include "nbo/v1/strategy.grpc.pb.h"
#include "tools/sim/world.h"

namespace nbo::tools::sim {
namespace {

constexpr int kMaxCustomers = 1000000;
constexpr int kMaxDays = 3650;
constexpr int kMaxInteractionsPerDay = 1000000;
constexpr int kMaxFailuresInARow = 20;
constexpr int kIngestBatch = 5000;  // events per IngestRequest (the API allows 10000)

absl::Status Bad(absl::string_view flag, absl::string_view message) {
  return absl::InvalidArgumentError(absl::StrCat(flag, ": ", message));
}

absl::Status FromGrpc(const grpc::Status& s) {
  return absl::Status(static_cast<absl::StatusCode>(s.error_code()), s.error_message());
}

// Counts requests and failures; stops the run after kMaxFailuresInARow failures in a row.
class RequestLog {
 public:
  explicit RequestLog(SimReport& report) : report_(report) {}

  // Returns OK to go on (also after a counted failure), or the status that ends the run.
  absl::Status Count(absl::string_view rpc, const absl::Status& status) {
    ++report_.requests;
    if (status.ok()) {
      failures_in_a_row_ = 0;
      return absl::OkStatus();
    }
    ++report_.failed_requests;
    if (report_.first_failure.empty()) {
      report_.first_failure = absl::StrCat(rpc, ": ", status.ToString());
    }
    if (++failures_in_a_row_ < kMaxFailuresInARow) return absl::OkStatus();
    return absl::Status(status.code(), absl::StrCat("stopped after ", kMaxFailuresInARow,
                                                    " failed requests in a row; the last: ", rpc,
                                                    ": ", status.message()));
  }

 private:
  SimReport& report_;
  int failures_in_a_row_ = 0;
};

// Sends `events` in IngestRequests of at most kIngestBatch; a rejected event counts as a failure.
absl::Status SendEvents(SimBackend& backend, const std::vector<v1::IngestEvent>& events,
                        RequestLog& log) {
  for (size_t first = 0; first < events.size(); first += kIngestBatch) {
    v1::IngestRequest request;
    const size_t last = std::min(events.size(), first + kIngestBatch);
    for (size_t i = first; i < last; ++i) *request.add_events() = events[i];
    absl::StatusOr<v1::IngestSummary> summary = backend.Ingest(request);
    absl::Status status = summary.status();
    if (status.ok() && summary->rejected() > 0) {
      status = absl::InternalError(
          absl::StrCat(summary->rejected(), " events rejected, e.g. ",
                       summary->first_rejections().empty() ? "" : summary->first_rejections(0)));
    }
    if (absl::Status s = log.Count("IngestEvents", status); !s.ok()) return s;
  }
  return absl::OkStatus();
}

v1::IngestEvent PurchaseEvent(const Customer& c, std::string event_id,
                              const std::vector<std::string>& products, double margin) {
  v1::IngestEvent e;
  e.mutable_customer()->set_customer_id(c.id);
  v1::Event& event = *e.mutable_event();
  event.set_event_id(std::move(event_id));
  event.set_source("nbo-sim");
  event.set_channel(c.channel);
  for (const std::string& product : products) {
    v1::PurchaseItem* item = event.mutable_purchase()->add_items();
    item->set_product(product);
    item->set_category(std::string(CategoryOf(product)));
    item->set_amount(margin);
    item->set_margin(margin);
  }
  return e;
}

v1::IngestEvent MoveEvent(const Customer& c, std::string event_id) {
  v1::IngestEvent e;
  e.mutable_customer()->set_customer_id(c.id);
  v1::Event& event = *e.mutable_event();
  event.set_event_id(std::move(event_id));
  event.set_source("nbo-sim");
  event.set_channel(c.channel);
  event.mutable_life_event()->set_kind("moved_home");
  return e;
}

v1::DecideRequest Interaction(const Customer& c, std::string event_id) {
  v1::DecideRequest r;
  r.mutable_customer()->set_customer_id(c.id);
  r.set_max_offers(1);
  v1::Event& event = *r.mutable_event();
  event.set_event_id(std::move(event_id));
  event.set_source("nbo-sim");
  event.set_channel(c.channel);
  if (c.channel == v1::CHANNEL_CALL_CENTRE) {
    event.mutable_call_started()->set_reason("billing");
  } else {
    event.mutable_page_view()->set_page("home");
  }
  return r;
}

// Who interacts: uniform, or Zipf over a random order of the customers.
class Activity {
 public:
  Activity(int customers, double skew, std::mt19937_64& rng) : uniform_(0, customers - 1) {
    if (skew <= 0) return;
    order_.resize(customers);
    std::iota(order_.begin(), order_.end(), 0);
    std::shuffle(order_.begin(), order_.end(), rng);
    std::vector<double> weights(customers);
    for (int k = 0; k < customers; ++k) weights[k] = 1 / std::pow(k + 1.0, skew);
    zipf_ = std::discrete_distribution<int>(weights.begin(), weights.end());
  }
  int Next(std::mt19937_64& rng) { return order_.empty() ? uniform_(rng) : order_[zipf_(rng)]; }

 private:
  std::uniform_int_distribution<int> uniform_;
  std::vector<int> order_;
  std::discrete_distribution<int> zipf_;
};

bool ValidRunId(absl::string_view id) {
  return !id.empty() && id.size() <= 32 && std::all_of(id.begin(), id.end(), [](char c) {
    return absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '_' || c == '-';
  });
}

}  // namespace

absl::Status ValidateSimOptions(const SimOptions& o) {
  if (o.customers < 1 || o.customers > kMaxCustomers) {
    return Bad("customers", absl::StrCat("must be 1..", kMaxCustomers, ", got ", o.customers));
  }
  if (o.days < 1 || o.days > kMaxDays) {
    return Bad("days", absl::StrCat("must be 1..", kMaxDays, ", got ", o.days));
  }
  if (o.interactions_per_day < 1 || o.interactions_per_day > kMaxInteractionsPerDay) {
    return Bad("interactions_per_day", absl::StrCat("must be 1..", kMaxInteractionsPerDay, ", got ",
                                                    o.interactions_per_day));
  }
  if (!ValidRunId(o.run_id)) {
    return Bad("run_id",
               absl::StrCat("must be 1..32 characters of a-z 0-9 _ -, got \"", o.run_id, "\""));
  }
  if (!(o.move_probability >= 0 && o.move_probability <= 1)) {
    return Bad("move_probability", absl::StrCat("must be in [0, 1], got ", o.move_probability));
  }
  if (!(o.activity_skew >= 0 && o.activity_skew <= 4)) {
    return Bad("activity_skew", absl::StrCat("must be in [0, 4], got ", o.activity_skew));
  }
  if (o.timeout <= absl::ZeroDuration()) {
    return Bad("timeout", absl::StrCat("must be > 0, got ", absl::FormatDuration(o.timeout)));
  }
  return absl::OkStatus();
}

struct GrpcSimBackend::Stubs {
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<v1::DecisionService::Stub> decisions;
  std::unique_ptr<v1::StrategyService::Stub> strategies;
};

GrpcSimBackend::GrpcSimBackend(const std::string& addr, absl::Duration timeout)
    : addr_(addr), timeout_(timeout), stubs_(std::make_unique<Stubs>()) {
  stubs_->channel = grpc::CreateChannel(addr, grpc::InsecureChannelCredentials());
  stubs_->decisions = v1::DecisionService::NewStub(stubs_->channel);
  stubs_->strategies = v1::StrategyService::NewStub(stubs_->channel);
}

GrpcSimBackend::~GrpcSimBackend() = default;

absl::Status GrpcSimBackend::Connect() {
  if (stubs_->channel->WaitForConnected(absl::ToChronoTime(absl::Now() + timeout_))) {
    return absl::OkStatus();
  }
  return absl::UnavailableError(
      absl::StrCat("cannot reach nbo-server at ", addr_,
                   "; is it running? start it with nbo-server "
                   "--strategy=examples/sim_strategy.json (docs/learning.md)"));
}

absl::StatusOr<std::string> GrpcSimBackend::StrategyJson() {
  grpc::ClientContext ctx;
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + timeout_));
  v1::GetStrategyRequest request;
  request.set_include_document(true);
  v1::GetStrategyResponse response;
  grpc::Status s = stubs_->strategies->GetStrategy(&ctx, request, &response);
  if (!s.ok()) return FromGrpc(s);
  return std::move(*response.mutable_document_json());
}

absl::StatusOr<v1::DecideResponse> GrpcSimBackend::Decide(const v1::DecideRequest& request) {
  grpc::ClientContext ctx;
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + timeout_));
  v1::DecideResponse response;
  grpc::Status s = stubs_->decisions->Decide(&ctx, request, &response);
  if (!s.ok()) return FromGrpc(s);
  return response;
}

absl::Status GrpcSimBackend::RecordOutcome(const v1::OutcomeRequest& request) {
  grpc::ClientContext ctx;
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + timeout_));
  v1::OutcomeResponse response;
  return FromGrpc(stubs_->decisions->RecordOutcome(&ctx, request, &response));
}

absl::StatusOr<v1::IngestSummary> GrpcSimBackend::Ingest(const v1::IngestRequest& request) {
  grpc::ClientContext ctx;
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + timeout_));
  v1::IngestSummary summary;
  std::unique_ptr<grpc::ClientWriter<v1::IngestRequest>> writer =
      stubs_->decisions->IngestEvents(&ctx, &summary);
  writer->Write(request);  // a failed write shows in Finish()
  writer->WritesDone();
  grpc::Status s = writer->Finish();
  if (!s.ok()) return FromGrpc(s);
  return summary;
}

absl::StatusOr<SimReport> RunSimulation(SimBackend& backend, const SimOptions& options,
                                        std::ostream* progress) {
  if (absl::Status s = ValidateSimOptions(options); !s.ok()) return s;
  const auto started = std::chrono::steady_clock::now();
  SimReport report;
  report.seed = options.seed;
  report.customers = options.customers;
  report.days = options.days;
  report.interactions_per_day = options.interactions_per_day;
  report.run_id = options.run_id;
  RequestLog log(report);

  absl::StatusOr<std::string> json = backend.StrategyJson();
  ++report.requests;
  if (!json.ok()) return json.status();
  core::StrategyLoadResult loaded = core::LoadStrategy(*json);
  if (!loaded.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("the served strategy does not load: ", loaded.ToStatus().message()));
  }
  const v1::Strategy& document = loaded.strategy->document;
  report.strategy_version = document.version();
  WorldOptions world_options;
  world_options.seed = options.seed;
  world_options.customers = options.customers;
  world_options.run_id = options.run_id;
  world_options.move_probability = options.move_probability;
  absl::StatusOr<World> created = World::Create(document, world_options);
  if (!created.ok()) return created.status();
  World& world = *created;
  std::vector<Customer>& customers = world.customers();
  // Outcomes come from their own generator, two draws per interaction whatever the server
  // answers, so the world's draws (moves, who interacts) never depend on the server.
  std::mt19937_64 outcome_rng(options.seed ^ 0x9e3779b97f4a7c15ull);
  std::uniform_real_distribution<double> unit(0, 1);
  Activity activity(options.customers, options.activity_skew, world.rng());
  const std::string prefix = absl::StrCat("sim-", options.run_id);

  // The starting holdings.
  {
    std::vector<v1::IngestEvent> events;
    for (size_t i = 0; i < customers.size(); ++i) {
      const Customer& c = customers[i];
      if (c.holdings.empty()) continue;
      events.push_back(PurchaseEvent(c, absl::StrCat(prefix, "-start-", i + 1),
                                     {c.holdings.begin(), c.holdings.end()}, 0));
    }
    if (absl::Status s = SendEvents(backend, events, log); !s.ok()) return s;
  }

  const int second_half_from = options.days > 1 ? options.days / 2 + 1 : 1;
  for (int day = 1; day <= options.days; ++day) {
    DayReport today;
    today.day = day;
    {
      std::vector<v1::IngestEvent> events;
      for (int i : world.MoveHomes()) {
        events.push_back(MoveEvent(customers[i], absl::StrCat(prefix, "-move-", i + 1)));
      }
      today.moves = static_cast<int>(events.size());
      if (absl::Status s = SendEvents(backend, events, log); !s.ok()) return s;
    }
    for (int k = 0; k < options.interactions_per_day; ++k) {
      Customer& c = customers[activity.Next(world.rng())];
      const double accept_draw = unit(outcome_rng);
      const double decline_draw = unit(outcome_rng);
      const std::string event_id = absl::StrCat(prefix, "-d", day, "-", k + 1);
      const OracleChoice oracle = world.Oracle(c);
      const int prior_choice = world.PriorChoice(c);
      const std::vector<int> eligible = world.EligibleOffers(c);
      const absl::string_view segment = world.SegmentOf(c);

      absl::StatusOr<v1::DecideResponse> decided = backend.Decide(Interaction(c, event_id));
      if (absl::Status s = log.Count("Decide", decided.status()); !s.ok()) return s;
      if (!decided.ok()) continue;
      Tally& tally = today.arms.ForArm(decided->arm());
      ++tally.decisions;
      tally.oracle_value += oracle.expected_value;
      tally.oracle_expected_accepted += oracle.probability;
      if (prior_choice >= 0) {
        const double p = world.TrueProbability(c, prior_choice);
        tally.prior_expected_accepted += p;
        tally.prior_expected_value += p * world.offers()[prior_choice].value;
      }
      if (decided->segment_id() != segment) ++report.segment_mismatches;
      if (decided->fallback()) ++report.fallbacks;
      if (decided->offers().empty()) continue;

      const v1::RankedOffer& shown = decided->offers(0);
      const int offer = world.OfferIndex(shown.offer_id());
      if (std::find(eligible.begin(), eligible.end(), offer) == eligible.end()) {
        ++report.offer_mismatches;
      }
      if (offer < 0) continue;  // not in the catalogue the world was built from
      const double p = world.TrueProbability(c, offer);
      const double value = world.offers()[offer].value;
      ++tally.offered;
      tally.expected_value += p * value;
      tally.expected_accepted += p;

      const bool accepted = accept_draw < p;
      v1::OutcomeRequest outcome;
      outcome.set_decision_id(decided->decision_id());
      outcome.set_offer_id(shown.offer_id());
      if (accepted) {
        outcome.set_outcome(v1::OUTCOME_ACCEPTED);
        outcome.set_value_realised(value);
        ++tally.accepted;
        tally.value += value;
      } else if (decline_draw < 0.5) {
        outcome.set_outcome(v1::OUTCOME_DECLINED);
        ++tally.declined;
      } else {
        outcome.set_outcome(v1::OUTCOME_IGNORED);
        ++tally.ignored;
      }
      const absl::Status recorded = backend.RecordOutcome(outcome);
      if (absl::Status s = log.Count("RecordOutcome", recorded); !s.ok()) return s;
      if (!accepted || !recorded.ok()) continue;
      // The customer took it: the server stops offering it; its product is bought.
      const std::string& product = world.offers()[offer].product;
      world.Accept(c, offer);
      if (!product.empty()) {
        const std::vector<v1::IngestEvent> purchase = {
            PurchaseEvent(c, absl::StrCat(prefix, "-buy-d", day, "-", k + 1), {product}, value)};
        if (absl::Status s = SendEvents(backend, purchase, log); !s.ok()) return s;
      }
    }
    report.total += today.arms;
    if (day >= second_half_from) report.second_half += today.arms;
    if (progress != nullptr) {
      const Tally learning = today.arms.Learning();
      *progress << absl::StrFormat(
          "nbo-sim: day %d/%d: learning %.1f%% of %d, control %.1f%% of %d accepted\n", day,
          options.days, 100 * learning.AcceptanceRate(), learning.offered,
          100 * today.arms.control.AcceptanceRate(), today.arms.control.offered);
    }
    report.days_reported.push_back(std::move(today));
  }
  report.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

int ExitCodeFor(const absl::StatusOr<SimReport>& result) {
  if (!result.ok()) {
    return result.status().code() == absl::StatusCode::kUnavailable ? kSimExitUnreachable
                                                                    : kSimExitFailed;
  }
  return result->failed_requests > 0 ? kSimExitFailed : kSimExitOk;
}

}  // namespace nbo::tools::sim
