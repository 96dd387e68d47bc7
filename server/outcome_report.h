// Outcome reporting: exact (not decayed) counts of what each arm offered and what became of it,
// per segment and offer, kept as counters in the store and read back by
// StrategyService.GetOutcomeReport (`nbo report outcomes`). Written in the same batch as the
// decision or outcome they count, so they are exactly-once.
#ifndef NBO_SERVER_OUTCOME_REPORT_H_
#define NBO_SERVER_OUTCOME_REPORT_H_

#include "absl/status/statusor.h"
#include "nbo/v1/decision.pb.h"
#include "nbo/v1/record.pb.h"
#include "nbo/v1/strategy.pb.h"
#include "storage/store.h"

namespace nbo::server {

// Adds, for each offer of `response`, one "offered" count for (response.arm, response.segment_id,
// offer) to writes.counter_adds.
void AddOfferedCounts(const v1::DecideResponse& response, storage::WriteSet& writes);

// Adds one count of `request.outcome` for (decision arm, segment, offer), and for ACCEPTED the
// realised value (request.value_realised, else 0) in hundredths, to writes.counter_adds.
void AddOutcomeCounts(const v1::DecisionRecord& decision, const v1::OutcomeRequest& request,
                      storage::WriteSet& writes);

// The report from the store's counters: rows per (arm, segment, offer) and totals per arm with
// acceptance rates and 95% confidence intervals. Filters of `request` apply.
absl::StatusOr<v1::OutcomeReport> BuildOutcomeReport(storage::Store& store,
                                                     const v1::OutcomeReportRequest& request);

}  // namespace nbo::server

#endif  // NBO_SERVER_OUTCOME_REPORT_H_
