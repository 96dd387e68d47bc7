// Bulk back-fill (IngestEvents): events applied to profiles without decisions, exactly once per
// event id. One batch of customer-id events costs one multi-get and one atomic write; events
// naming a source identity, or a customer merged away meanwhile, take the per-event path.
#ifndef NBO_SERVER_INGEST_FLOW_H_
#define NBO_SERVER_INGEST_FLOW_H_

#include "absl/status/status.h"
#include "core/clock.h"
#include "nbo/v1/decision.pb.h"
#include "server/customer_access.h"
#include "server/decision_flow.h"
#include "server/flow_options.h"
#include "server/strategy_holder.h"

namespace nbo::server {

// Thread-safe: batches may be applied concurrently.
class IngestFlow {
 public:
  IngestFlow(CustomerAccess& customers, StrategyHolder& strategies, const core::Clock& clock,
             FlowObserver* observer, FlowOptions options = {})
      : customers_(customers),
        strategies_(strategies),
        clock_(clock),
        observer_(observer),
        options_(std::move(options)) {}

  // Applies one request's events and adds to `summary`: applied, duplicates (event id seen
  // before with the same payload), rejected (invalid, or an id reused with another payload: the
  // first 20 reasons are kept), suppressed (erased customers). A store failure is returned and
  // the batch's unwritten events are not counted as applied.
  absl::Status Apply(const v1::IngestRequest& request, v1::IngestSummary& summary);

 private:
  struct Item;
  // The per-event path: resolve (creating unknown identities), lock, dedupe, apply, write.
  absl::Status ApplyOne(const v1::IngestEvent& event, uint64_t fingerprint, absl::Time now,
                        v1::IngestSummary& summary);
  // Batched path for customer-id events; events it cannot take go to `deferred`.
  absl::Status ApplyBatch(std::vector<Item>& items, absl::Time now, v1::IngestSummary& summary,
                          std::vector<Item*>& deferred);
  void Reject(v1::IngestSummary& summary, std::string reason);

  CustomerAccess& customers_;
  StrategyHolder& strategies_;
  const core::Clock& clock_;
  FlowObserver* observer_;
  const FlowOptions options_;
};

}  // namespace nbo::server

#endif  // NBO_SERVER_INGEST_FLOW_H_
