#include "loadtest/echo_server.h"

#include <chrono>

#include "absl/strings/str_cat.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"

namespace nbo::loadtest {
namespace {

struct CannedOffer {
  const char* id;
  const char* name;
  v1::OfferKind kind;
  const char* product;
  double propensity;
  double value;
  double weight;
  const char* reason;
};

// Three offers of examples/strategy.json's broadband_starter segment, worded as nbo-server words
// them. Real answers carry 2-3 offers (strategy default 2, --max_offers 3): about 700 bytes on
// average, 1 KB at most; this one is about 950.
constexpr CannedOffer kOffers[] = {
    {"up_broadband_fibre", "Upgrade to Fibre 500", v1::OFFER_KIND_UPSELL, "broadband_fibre", 0.08,
     120, 1.2,
     "You have had broadband with us 4 months: Upgrade to Fibre 500 gives you five times the "
     "speed for 10 EUR more a month."},
    {"xs_tv_basic", "TV Essentials - 80 channels and replay", v1::OFFER_KIND_CROSS_SELL, "tv_basic",
     0.06, 70, 1.0,
     "TV Essentials streams over the broadband you already have: 80 channels and 7-day replay."},
    {"svc_ebilling", "Set up e-billing", v1::OFFER_KIND_SERVICE, "", 0.3, 4, 1.0,
     "Set up e-billing: your bills arrive by e-mail the day they are issued."},
};

}  // namespace

v1::DecideResponse CannedDecideResponse() {
  v1::DecideResponse r;
  r.set_decision_id("d-01a2083e0fadd032993c2cdf740d");
  r.set_customer_id("c-3f2a9c81d07e4b65");
  r.set_segment_id("broadband_starter");
  r.set_segment_name("Broadband starter");
  r.set_strategy_version("2026-11-23.4");
  r.set_strategy_checksum("9b1f0c4e7d2a8e35f6b0c9d1a2e3f4b5c6d7e8f90a1b2c3d4e5f60718293a4b5");
  r.set_arm("model");
  r.mutable_decided_at()->set_seconds(1795000000);
  r.mutable_decided_at()->set_nanos(123456789);
  for (const CannedOffer& o : kOffers) {
    v1::RankedOffer* offer = r.add_offers();
    offer->set_offer_id(o.id);
    offer->set_name(o.name);
    offer->set_kind(o.kind);
    offer->set_product(o.product);  // "" for a service offer: not on the wire
    offer->mutable_parts()->set_propensity(o.propensity);
    offer->mutable_parts()->set_value(o.value);
    offer->mutable_parts()->set_weight(o.weight);
    offer->mutable_parts()->set_context(1.0);
    offer->mutable_parts()->set_pacing(1.0);
    offer->set_score(o.propensity * o.value * o.weight);
    offer->set_reason(o.reason);
    offer->add_reason_codes("SEGMENT_TREATMENT");
    offer->add_reason_codes(o.kind == v1::OFFER_KIND_UPSELL ? "HOLDS_BASE_PRODUCT"
                                                            : "ELIGIBILITY_RULE_MET");
    offer->set_selection_probability(0.93);
  }
  return r;
}

grpc::ServerUnaryReactor* EchoDecisionService::Decide(grpc::CallbackServerContext* context,
                                                      const v1::DecideRequest* request,
                                                      v1::DecideResponse* response) {
  *response = canned_;
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::ServerUnaryReactor* EchoDecisionService::RecordOutcome(grpc::CallbackServerContext* context,
                                                             const v1::OutcomeRequest* request,
                                                             v1::OutcomeResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::Status EchoDecisionService::IngestEvents(grpc::ServerContext* context,
                                               grpc::ServerReader<v1::IngestRequest>* reader,
                                               v1::IngestSummary* summary) {
  v1::IngestRequest request;
  while (reader->Read(&request)) {
    if (context->IsCancelled()) return grpc::Status(grpc::StatusCode::CANCELLED, "cancelled");
    summary->set_applied(summary->applied() + request.events_size());
  }
  return grpc::Status::OK;
}

absl::StatusOr<std::unique_ptr<EchoServer>> EchoServer::Start(const EchoOptions& options) {
  std::unique_ptr<EchoServer> echo(new EchoServer(options));
  // The same builder settings as nbo-server (server/app.cc), minus its metrics interceptor.
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.listen, grpc::InsecureServerCredentials(), &echo->port_);
  builder.SetMaxReceiveMessageSize(options.max_request_bytes);
  builder.RegisterService(&echo->service_);
  echo->server_ = builder.BuildAndStart();
  if (echo->server_ == nullptr || echo->port_ == 0) {
    echo->server_.reset();
    return absl::FailedPreconditionError(absl::StrCat(
        "--listen \"", options.listen, "\": cannot listen there (bad address or port in use)"));
  }
  echo->server_->GetHealthCheckService()->SetServingStatus(true);
  return echo;
}

void EchoServer::Shutdown() {
  {
    absl::MutexLock lock(&mu_);
    if (shut_down_) return;
    shut_down_ = true;
  }
  if (server_ == nullptr) return;
  server_->GetHealthCheckService()->SetServingStatus(false);
  // With a deadline: unfinished callback reactors could otherwise hang Shutdown forever.
  server_->Shutdown(std::chrono::system_clock::now() +
                    absl::ToChronoMilliseconds(options_.shutdown_grace));
  server_->Wait();
}

EchoServer::~EchoServer() { Shutdown(); }

}  // namespace nbo::loadtest
