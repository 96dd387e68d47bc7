// Protobuf encode and decode of what one decision reads and writes: the profile of a regular
// customer (full 50-event ring, contacts and contact log, holdings, interests) and the decision
// record logged for it (the response plus one explanation per candidate). `bytes` is the encoded
// size. Part of nbo_core_steps_benchmark.
#include <string>

#include "benchmark/benchmark.h"
#include "core/benchmark_strategy.h"
#include "core/decision.h"
#include "core/strategy_loader.h"
#include "nbo/v1/record.pb.h"

namespace nbo::core {
namespace {

using benchmarking::kNow;

v1::Profile StoredProfile() {
  return benchmarking::HistoryProfile("c-42", kNow, 42, benchmarking::LargeCatalogue());
}

// The record server/decision_flow.cc logs for a decision of the generated strategy (the same
// fields, minus ids the server mints).
v1::DecisionRecord LoggedDecision() {
  static const std::shared_ptr<const Strategy> strategy =
      LoadStrategy(benchmarking::LargeStrategyJson()).strategy;
  v1::Profile profile = StoredProfile();
  DecisionResult r =
      MakeDecision(profile, benchmarking::PageViewRequest("c-42", "e", "p7"), *strategy, kNow);
  v1::DecisionRecord record;
  *record.mutable_response() = r.response;
  record.mutable_response()->set_decision_id("d-0000000000000000000000000000");
  record.set_event_id("e");
  record.set_channel(v1::CHANNEL_WEB);
  for (v1::CandidateExplanation& c : r.explanations) *record.add_candidates() = std::move(c);
  record.set_segment_rule(r.segment_rule);
  for (std::string& level : r.dimension_levels) record.add_dimension_levels(std::move(level));
  for (v1::BudgetState& b : r.arbitration.budgets) *record.add_budgets() = std::move(b);
  return record;
}

template <typename Message>
void RunEncode(benchmark::State& state, const Message& message) {
  std::string bytes;
  for (auto _ : state) {
    bytes.clear();
    message.SerializeToString(&bytes);
    benchmark::DoNotOptimize(bytes);
  }
  state.counters["bytes"] = static_cast<double>(bytes.size());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(bytes.size()));
}

template <typename Message>
void RunDecode(benchmark::State& state, const Message& message) {
  const std::string bytes = message.SerializeAsString();
  Message parsed;
  for (auto _ : state) {
    if (!parsed.ParseFromString(bytes)) return state.SkipWithError("parse failed");
    benchmark::DoNotOptimize(parsed);
  }
  state.counters["bytes"] = static_cast<double>(bytes.size());
  // Memory the parsed message takes (what a request's arena has to hold).
  state.counters["parsed_bytes"] = static_cast<double>(parsed.SpaceUsedLong());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(bytes.size()));
}

void BM_ProfileEncode(benchmark::State& state) {
  const v1::Profile profile = StoredProfile();
  state.counters["recent_events"] = profile.recent_events_size();
  state.counters["holdings"] = profile.holdings_size();
  state.counters["contact_log"] = profile.contact_log_size();
  RunEncode(state, profile);
}
BENCHMARK(BM_ProfileEncode);

void BM_ProfileDecode(benchmark::State& state) { RunDecode(state, StoredProfile()); }
BENCHMARK(BM_ProfileDecode);

// The same profile without its recent-event ring: what the ring costs of the two above.
v1::Profile ProfileWithoutRing() {
  v1::Profile p = StoredProfile();
  p.clear_recent_events();
  return p;
}
void BM_ProfileEncodeWithoutRing(benchmark::State& state) {
  RunEncode(state, ProfileWithoutRing());
}
BENCHMARK(BM_ProfileEncodeWithoutRing);

void BM_ProfileDecodeWithoutRing(benchmark::State& state) {
  RunDecode(state, ProfileWithoutRing());
}
BENCHMARK(BM_ProfileDecodeWithoutRing);

void BM_DecisionRecordEncode(benchmark::State& state) {
  const v1::DecisionRecord record = LoggedDecision();
  state.counters["candidates"] = record.candidates_size();
  RunEncode(state, record);
}
BENCHMARK(BM_DecisionRecordEncode);

void BM_DecisionRecordDecode(benchmark::State& state) { RunDecode(state, LoggedDecision()); }
BENCHMARK(BM_DecisionRecordDecode);

}  // namespace
}  // namespace nbo::core
