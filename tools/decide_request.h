// Builds a DecideRequest from the flags of `nbo decide`.
#ifndef NBO_TOOLS_DECIDE_REQUEST_H_
#define NBO_TOOLS_DECIDE_REQUEST_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nbo/v1/decision.pb.h"

namespace nbo::tools {

// The flags of `nbo decide`, already parsed by abseil but not yet checked. An empty string or
// vector and an empty optional mean "flag not given".
struct DecideArgs {
  std::string customer;           // --customer: "c-1001" or "source:external_id" (required)
  std::string channel;            // --channel: "web", "call_centre", ... (required)
  std::string event;              // --event: page_view, search, ..., survey_answer (required)
  std::string event_id;           // --event_id. Default: RandomEventId()
  std::string source;             // --source: Event.source, the observing system. Default: ""
  std::string placement;          // --placement, e.g. "product_page", 0..64 characters
  std::optional<int> max_offers;  // --max_offers, 0..20 (0: the strategy's default)
  std::string product_in_view;    // --product_in_view: any event (DecisionContext.product_in_view),
                                  // 0..128 characters; page_view defaults it to --product

  std::vector<std::string> products;   // --product: page_view, cart_*: one; purchase: 1..1000
  std::string category;                // --category: page_view, search, cart_*, purchase
  std::string page;                    // --page: page_view
  std::string query;                   // --query: search
  std::optional<int> quantity;         // --quantity: cart_*, purchase (per item), 0..10000
  std::optional<double> amount;        // --amount: purchase, total of the order, >= 0
  std::optional<double> margin;        // --margin: purchase, total of the order
  std::string currency;                // --currency: purchase, ISO 4217
  std::string order_id;                // --order_id: purchase
  std::string call_reason;             // --call_reason: any event (DecisionContext.call_reason),
                                       // 0..64 characters; call_started also gets it as
                                       // CallStarted.reason
  std::string store;                   // --store: store_visit
  std::string screen;                  // --screen: app_open
  std::optional<int> severity;         // --severity: complaint, 1..5 (required there)
  std::string topic;                   // --topic: complaint
  std::string life_event;              // --life_event: life_event kind (required there),
                                       // 1..64 of [a-z0-9_]; implies --event life_event
  std::optional<int> nps;              // --nps: survey_answer, 0..10
  std::vector<std::string> interests;  // --interests: survey_answer
};

// Every event kind name accepted by --event, in Event.kind field order ("page_view", ...): all of
// Event.kind except consent_change (sent by `nbo consent`) and product_removed (`nbo ingest`).
std::vector<std::string> EventKindNames();

// Builds the request. The event kind selects the oneof member of Event.kind, filled from the flags
// that apply to it (without --event, a --life_event selects life_event):
//   page_view     --page --product (one; also DecisionContext.product_in_view unless
//                 --product_in_view says otherwise) --category
//   search        --query --category
//   cart_add/_remove  --product (one, required) --category --quantity
//   purchase      --product (comma-separated list, required): one PurchaseItem per product, each
//                 with --category and --quantity; --amount and --margin are order totals split
//                 evenly across the items (all of it on a single item); --currency --order_id
//   call_started  --call_reason (also DecisionContext.call_reason, as for every event)
//   store_visit   --store          app_open  --screen
//   complaint     --severity (1..5, required) --topic
//   life_event    --life_event KIND (required)
//   survey_answer --nps (0..10) --interests a,b
// Every event also takes --placement (DecideRequest.placement), --max_offers, --call_reason and
// --product_in_view (DecisionContext).
// Returns InvalidArgument naming the flag for: a missing required flag, an unknown channel or
// event (listing the valid values), a bad customer reference, a value out of range or too long,
// a --life_event kind that is not 1..64 of [a-z0-9_], or a flag given that the event kind does
// not use.
absl::StatusOr<v1::DecideRequest> BuildDecideRequest(const DecideArgs& flags);

// "cli-" followed by 16 lower-case hex digits from std::random_device.
std::string RandomEventId();

}  // namespace nbo::tools

#endif  // NBO_TOOLS_DECIDE_REQUEST_H_
