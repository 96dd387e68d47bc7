// The simulated world of nbo-sim: customers with hidden features, the hidden truth of how likely
// each of them accepts each offer, life events that change it, a mirror of which offers the
// strategy (examples/sim_strategy.json) can make to whom, and the oracle that knows the truth.
// Pure and seeded: no server, no clock.
#ifndef NBO_TOOLS_SIM_WORLD_H_
#define NBO_TOOLS_SIM_WORLD_H_

#include <cstdint>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "nbo/v1/common.pb.h"
#include "nbo/v1/strategy.pb.h"

namespace nbo::tools::sim {

// The category nbo-sim sends with a product in purchase items (the strategy's segment rules use
// holds_category): "broadband", "mobile", "tv", "insurance", or "other".
absl::string_view CategoryOf(absl::string_view product);

// One simulated customer. The features marked hidden are never sent to the server; what the
// server sees is the holdings (purchase events), the move (a moved_home life event) and the
// channel of each interaction.
struct Customer {
  std::string id;                         // the nbo customer id, "sim-<run>-<number>"
  int tier = 0;                           // hidden: value tier 0 (base), 1 (mid), 2 (top)
  bool streamer = false;                  // hidden: watches a lot of films and series
  bool family = false;                    // hidden: lives with a family
  bool moved = false;                     // moved home (the server learns it from a life event)
  v1::Channel channel = v1::CHANNEL_WEB;  // web (page views) or call centre (calls)
  std::set<std::string> holdings;         // products held
  std::set<std::string> accepted_offers;  // offers ever accepted (never made again)
};

// An offer of the served strategy, as the mirror needs it.
struct SimOffer {
  std::string id;
  std::string product;  // "" for offers that sell no product
  std::vector<std::string> requires_any;
  std::vector<std::string> excludes;
  std::vector<std::string> channels;  // channel names; empty = every channel
  double value = 0;                   // margin - cost (at least 0): what an acceptance earns
  double prior_rate = 0.05;           // the strategy's prior (for reports and tests)
  bool marketing = true;              // action class marketing: once accepted, never made again
};

struct WorldOptions {
  // Seed of the population and of the life events. Default: 1.
  uint64_t seed = 1;
  // Customers in the population, >= 1. Default: 2000.
  int customers = 2000;
  // Part of every customer id, so that runs against one server do not share customers.
  // Default: "run".
  std::string run_id = "run";
  // Daily probability that a customer who has not moved moves home. Default: 0.01.
  double move_probability = 0.01;
};

// The expected value of showing one offer to one customer, by the hidden truth.
struct OracleChoice {
  int offer = -1;  // index into World::offers(); -1 when nothing can be offered
  double probability = 0;
  double expected_value = 0;  // probability x value
};

// Thread-compatible (not thread-safe): one simulation drives it from one thread.
class World {
 public:
  // Builds the world for `strategy` (the served document). FailedPrecondition naming the problem
  // when the strategy is not one the simulation mirrors: unknown segment or offer ids, or
  // features it does not model (eligibility rules, placements, validity windows, budgets,
  // triggers, context weights, dimensions, a contact policy). InvalidArgument for bad options.
  static absl::StatusOr<World> Create(const v1::Strategy& strategy, const WorldOptions& options);

  const std::vector<SimOffer>& offers() const { return offers_; }
  // The index of offer `id` in offers(), or -1.
  int OfferIndex(absl::string_view id) const;

  std::vector<Customer>& customers() { return customers_; }
  const std::vector<Customer>& customers() const { return customers_; }

  // The hidden acceptance probability of `offer` for `customer` on the customer's channel, in
  // (0, 1): a logistic function of the customer's features.
  double TrueProbability(const Customer& customer, int offer) const;
  double ExpectedValue(const Customer& customer, int offer) const {
    return TrueProbability(customer, offer) * offers_[offer].value;
  }

  // The segment the strategy puts the customer in (a mirror of its segment rules).
  absl::string_view SegmentOf(const Customer& customer) const;
  // The offers the strategy can make to the customer now: the segment's treatments that pass the
  // channel and holdings checks and were never accepted; when none does, the channel's fallback
  // offers that pass them. Indices into offers(), in strategy order.
  std::vector<int> EligibleOffers(const Customer& customer) const;
  // The best of EligibleOffers by true expected value (ties: strategy order).
  OracleChoice Oracle(const Customer& customer) const;
  // What the prior-only policy (the control arm with control_policy "prior") shows: the best of
  // EligibleOffers by prior rate x value x treatment weight (ties: strategy order), as the
  // decision engine ranks without evidence; -1 when nothing is eligible. The counterfactual the
  // report holds every decision against.
  int PriorChoice(const Customer& customer) const;

  // Draws who moves home today (each customer who has not moved, with move_probability), marks
  // them moved and returns their indices. Uses the world's own generator.
  std::vector<int> MoveHomes();
  // Records that `customer` accepted `offer`: never offered again, and its product is held.
  void Accept(Customer& customer, int offer);

  // The world's generator (population, moves); the simulation also draws interactions from it.
  std::mt19937_64& rng() { return rng_; }

 private:
  World() = default;

  WorldOptions options_;
  std::mt19937_64 rng_;
  std::vector<SimOffer> offers_;
  std::vector<std::string> segment_ids_;
  // Per segment, (offer index, treatment weight) in strategy order.
  std::vector<std::vector<std::pair<int, double>>> treatments_;
  // The weights of EligibleOffers' offers (fallbacks: 1). Sets `weights` parallel to the result.
  std::vector<int> Eligible(const Customer& customer, std::vector<double>* weights) const;
  std::vector<int> web_fallback_, call_centre_fallback_;
  std::vector<int> truth_;  // per offer, index into the truth table (world.cc)
  std::vector<Customer> customers_;
};

}  // namespace nbo::tools::sim

#endif  // NBO_TOOLS_SIM_WORLD_H_
