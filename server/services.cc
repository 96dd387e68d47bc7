#include "server/services.h"

#include "absl/strings/str_cat.h"
#include "core/strategy_loader.h"
#include "core/what_if.h"
#include "server/outcome_report.h"
#include "server/status_convert.h"

namespace nbo::server {
namespace {

grpc::ServerUnaryReactor* Finish(grpc::CallbackServerContext* context, const absl::Status& s) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(ToGrpcStatus(s));
  return reactor;
}

// Unary handlers that call a flow and finish with its result.
template <typename Response>
grpc::ServerUnaryReactor* Reply(grpc::CallbackServerContext* context,
                                absl::StatusOr<Response> result, Response* response) {
  if (result.ok()) *response = *std::move(result);
  return Finish(context, result.status());
}

// Runs `call` (returning absl::StatusOr<Response>) on `pool` and finishes with its result, so that
// a slow store read blocks a pool thread rather than one of gRPC's few callback threads (which
// would hold back every call behind it, Decide's latency timers included). Without a pool, runs
// it here. The gRPC call outlives the task (nothing else finishes it), so `response` stays valid.
template <typename Response, typename Call>
grpc::ServerUnaryReactor* ReplyOnPool(WorkPool* pool, grpc::CallbackServerContext* context,
                                      Response* response, Call call) {
  if (pool == nullptr) return Reply(context, call(), response);
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  pool->Submit([reactor, response, call = std::move(call)] {
    absl::StatusOr<Response> result = call();
    if (result.ok()) *response = *std::move(result);
    reactor->Finish(ToGrpcStatus(result.status()));
  });
  return reactor;
}

}  // namespace

grpc::ServerUnaryReactor* DecisionServiceImpl::Decide(grpc::CallbackServerContext* context,
                                                      const v1::DecideRequest* request,
                                                      v1::DecideResponse* response) {
  // The client's deadline (none: the far future) bounds the decision's latency budget.
  const auto deadline = context->deadline();
  const absl::Time until = deadline == std::chrono::system_clock::time_point::max()
                               ? absl::InfiniteFuture()
                               : absl::FromChrono(deadline);
  if (pool_ == nullptr || timer_ == nullptr)
    return Reply(context, flow_.Decide(*request, until), response);

  // The handler returns at once (gRPC sends nothing before it has), the worker decides on the
  // pool, and the timer answers from the latency fallback if the worker is late. The call object
  // is shared: the worker may outlive the gRPC call, the gRPC call never outlives its answer.
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  std::shared_ptr<DecideCall> call = flow_.StartCall(*request, until);
  const DeadlineTimer::Id timer_id =
      timer_->Schedule(flow_.FallbackTime(*call), [this, call, reactor, response] {
        if (flow_.AnswerLate(*call, response)) reactor->Finish(grpc::Status::OK);
      });
  pool_->Submit([this, call, reactor, response, timer_id] {
    absl::StatusOr<v1::DecideResponse> result = flow_.Decide(*call);
    if (!call->ClaimForWorker()) return;  // the timer answered; the event is recorded
    timer_->Cancel(timer_id);
    if (result.ok()) *response = *std::move(result);
    reactor->Finish(ToGrpcStatus(result.status()));
  });
  return reactor;
}

grpc::ServerUnaryReactor* DecisionServiceImpl::RecordOutcome(grpc::CallbackServerContext* context,
                                                             const v1::OutcomeRequest* request,
                                                             v1::OutcomeResponse* response) {
  return ReplyOnPool(pool_, context, response,
                     [this, request] { return outcomes_.Record(*request); });
}

grpc::Status DecisionServiceImpl::IngestEvents(grpc::ServerContext* context,
                                               grpc::ServerReader<v1::IngestRequest>* reader,
                                               v1::IngestSummary* summary) {
  v1::IngestRequest request;
  while (reader->Read(&request)) {
    if (context->IsCancelled()) return grpc::Status(grpc::StatusCode::CANCELLED, "cancelled");
    // Events applied before a failure stay applied (and are counted): the summary says so.
    if (absl::Status s = ingest_.Apply(request, *summary); !s.ok()) return ToGrpcStatus(s);
  }
  return grpc::Status::OK;
}

grpc::ServerUnaryReactor* ProfileServiceImpl::GetProfile(grpc::CallbackServerContext* context,
                                                         const v1::GetProfileRequest* request,
                                                         v1::GetProfileResponse* response) {
  return ReplyOnPool(pool_, context, response,
                     [this, request] { return flow_.GetProfile(*request); });
}

grpc::ServerUnaryReactor* ProfileServiceImpl::LinkIdentity(grpc::CallbackServerContext* context,
                                                           const v1::LinkIdentityRequest* request,
                                                           v1::LinkIdentityResponse* response) {
  return ReplyOnPool(pool_, context, response,
                     [this, request] { return flow_.LinkIdentity(*request); });
}

grpc::ServerUnaryReactor* ProfileServiceImpl::UpdateConsent(grpc::CallbackServerContext* context,
                                                            const v1::UpdateConsentRequest* request,
                                                            v1::UpdateConsentResponse* response) {
  return ReplyOnPool(pool_, context, response,
                     [this, request] { return flow_.UpdateConsent(*request); });
}

grpc::ServerUnaryReactor* ProfileServiceImpl::ForgetCustomer(
    grpc::CallbackServerContext* context, const v1::ForgetCustomerRequest* request,
    v1::ForgetCustomerResponse* response) {
  return ReplyOnPool(pool_, context, response,
                     [this, request] { return flow_.ForgetCustomer(*request); });
}

grpc::ServerUnaryReactor* StrategyServiceImpl::GetStrategy(grpc::CallbackServerContext* context,
                                                           const v1::GetStrategyRequest* request,
                                                           v1::GetStrategyResponse* response) {
  const auto current = strategies_.Current();
  if (current == nullptr) return Finish(context, absl::UnavailableError("no strategy is loaded"));
  *response->mutable_info() = current->info;
  if (request->include_document()) response->set_document_json(current->document_json);
  return Finish(context, absl::OkStatus());
}

grpc::ServerUnaryReactor* StrategyServiceImpl::ReloadStrategy(
    grpc::CallbackServerContext* context, const v1::ReloadStrategyRequest* request,
    v1::ReloadStrategyResponse* response) {
  const auto previous = strategies_.Current();
  const absl::Time now = clock_.Now();
  absl::StatusOr<std::shared_ptr<const LoadedStrategy>> loaded;
  // Validating a large strategy takes milliseconds, not seconds; it runs inline.
  switch (request->source_case()) {
    case v1::ReloadStrategyRequest::kFilePath:
      if (request->file_path().empty()) {
        return Finish(context, absl::InvalidArgumentError("file_path: must not be empty"));
      }
      loaded = strategies_.LoadFile(request->file_path(), now);
      break;
    case v1::ReloadStrategyRequest::kInlineJson:
      if (static_cast<int64_t>(request->inline_json().size()) > max_document_bytes_) {
        return Finish(context, absl::ResourceExhaustedError(absl::StrCat(
                                   "inline_json: larger than ", max_document_bytes_, " bytes")));
      }
      loaded = strategies_.LoadInline(request->inline_json(), now);
      break;
    case v1::ReloadStrategyRequest::kFromFile:
    case v1::ReloadStrategyRequest::SOURCE_NOT_SET:
      loaded = strategies_.LoadFile(now);
      break;
  }
  if (on_reload_) on_reload_(loaded);
  if (!loaded.ok()) {
    // A missing file is the caller's mistake about the request, not a missing resource.
    absl::Status s = loaded.status();
    if (absl::IsNotFound(s) || absl::IsPermissionDenied(s)) {
      s = absl::FailedPreconditionError(s.message());
    }
    return Finish(context, s);
  }
  *response->mutable_info() = (*loaded)->info;
  if (previous != nullptr) response->set_previous_version(previous->info.version());
  return Finish(context, absl::OkStatus());
}

grpc::ServerUnaryReactor* StrategyServiceImpl::ValidateStrategy(
    grpc::CallbackServerContext* context, const v1::ValidateStrategyRequest* request,
    v1::ValidateStrategyResponse* response) {
  if (request->document_json().empty()) {
    return Finish(context, absl::InvalidArgumentError("document_json: required"));
  }
  if (static_cast<int64_t>(request->document_json().size()) > max_document_bytes_) {
    return Finish(context, absl::ResourceExhaustedError(absl::StrCat(
                               "document_json: larger than ", max_document_bytes_, " bytes")));
  }
  if (request->sample_size() < 0 || request->sample_size() > 100000) {
    return Finish(context, absl::InvalidArgumentError(absl::StrCat(
                               "sample_size: must be 0..100000, got ", request->sample_size())));
  }
  if (request->sample_profiles_size() > 100000) {
    return Finish(context, absl::InvalidArgumentError("sample_profiles: more than 100000"));
  }
  if (!v1::Channel_IsValid(request->channel())) {
    return Finish(context, absl::InvalidArgumentError("channel: unknown channel number"));
  }
  // A dry run: the result is never installed.
  core::StrategyLoadResult result = core::LoadStrategy(request->document_json());
  response->set_valid(result.ok());
  for (auto& p : result.problems) *response->add_problems() = std::move(p);
  if (!result.ok()) return Finish(context, absl::OkStatus());

  // What-if: one simulated page view per sample profile (given inline, or read from the store).
  std::vector<v1::Profile> profiles(request->sample_profiles().begin(),
                                    request->sample_profiles().end());
  if (profiles.empty()) {
    const size_t n = request->sample_size() == 0 ? 1000 : request->sample_size();
    absl::StatusOr<std::vector<v1::Profile>> sampled = store_.SampleProfiles(n);
    if (!sampled.ok()) return Finish(context, sampled.status());
    profiles = *std::move(sampled);
  }
  *response->mutable_what_if() = core::SimulateStrategy(
      *result.strategy, profiles, request->channel(), clock_.Now(), settings_);
  return Finish(context, absl::OkStatus());
}

grpc::ServerUnaryReactor* StrategyServiceImpl::ExplainDecision(
    grpc::CallbackServerContext* context, const v1::ExplainDecisionRequest* request,
    v1::ExplainDecisionResponse* response) {
  return Reply(context, explain_.Explain(*request), response);
}

grpc::ServerUnaryReactor* StrategyServiceImpl::GetOutcomeReport(
    grpc::CallbackServerContext* context, const v1::OutcomeReportRequest* request,
    v1::OutcomeReport* response) {
  // InvalidArgument for a filter that is not an id comes from BuildOutcomeReport.
  return Reply(context, BuildOutcomeReport(store_, *request), response);
}

}  // namespace nbo::server
