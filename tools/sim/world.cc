#include "tools/sim/world.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/names.h"

namespace nbo::tools::sim {

namespace {

// How likely a customer accepts an offer: logistic(logit(base_rate) + the effects of the
// customer's features). base_rate is the probability for a base-tier web customer without any of
// the flags.
struct Truth {
  const char* offer_id;
  double base_rate;
  double per_tier;     // added per value tier (0, 1, 2)
  double streamer;     // added for streamers
  double family;       // added for families
  double moved;        // added after a move home
  double call_centre;  // added on the call centre (an agent explains the offer)
};

// The hidden truth. Compared with examples/sim_strategy.json's priors, device insurance and
// Broadband 100 are overrated, Fibre 500 (for movers), Unlimited Mobile and the Streaming Bundle
// (for streamers) and the Family Plan (for families) underrated.
constexpr Truth kTruth[] = {
    // offer                 base   tier  stream family moved call
    {"xs_broadband_basic", 0.030, 0.00, 0.00, 0.00, 1.60, 0.30},
    {"xs_fibre", 0.020, 0.50, 0.00, 0.00, 2.80, 0.30},
    {"up_fibre", 0.035, 0.30, 1.10, 0.00, 0.80, 0.30},
    {"xs_mobile_basic", 0.040, 0.00, 0.00, 0.40, 0.00, 0.30},
    {"up_mobile_unlimited", 0.050, 0.20, 1.45, 0.00, 0.00, 0.30},
    {"xs_streaming", 0.030, 0.00, 2.60, 0.30, 0.00, 0.30},
    {"xs_family_plan", 0.010, 0.00, 0.00, 3.20, 0.00, 0.30},
    {"xs_device_insurance", 0.030, 0.35, 0.00, 0.00, 0.00, 0.30},
    {"svc_app_tips", 0.100, 0.00, 0.00, 0.00, 0.00, 0.00},
};

// The segments of examples/sim_strategy.json, in order, with the rules the mirror implements.
struct SegmentMirror {
  const char* id;
  const char* rule;
};
constexpr SegmentMirror kSegments[] = {
    {"movers", "trigger(\"moved_home\")"},
    {"broadband_only", "holds_category(\"broadband\") && !holds_category(\"mobile\")"},
    {"mobile_only", "holds_category(\"mobile\") && !holds_category(\"broadband\")"},
    {"everyone", "true"},
};
enum SegmentIndex { kMovers, kBroadbandOnly, kMobileOnly, kEveryone };

// Population shares of the hidden features and starting holdings.
constexpr double kTierShares[] = {0.50, 0.35, 0.15};
constexpr double kStreamerShare = 0.35;
constexpr double kFamilyShare = 0.30;
constexpr double kCallCentreShare = 0.30;
constexpr double kMobileBasicShare = 0.55;
constexpr double kBroadbandBasicShare = 0.45;

double Logit(double p) { return std::log(p / (1 - p)); }

bool HoldsCategory(const Customer& c, absl::string_view category) {
  return std::any_of(c.holdings.begin(), c.holdings.end(),
                     [&](const std::string& p) { return CategoryOf(p) == category; });
}

bool HoldsAny(const Customer& c, const std::vector<std::string>& products) {
  return std::any_of(products.begin(), products.end(),
                     [&](const std::string& p) { return c.holdings.count(p) > 0; });
}

absl::Status Unsupported(absl::string_view what) {
  return absl::FailedPreconditionError(
      absl::StrCat("the served strategy is not one nbo-sim mirrors (", what,
                   "); start nbo-server with --strategy=examples/sim_strategy.json"));
}

// The reasons an offer is beyond the mirror, or "".
std::string OfferProblem(const v1::Offer& o) {
  if (!o.eligibility().empty()) return "an eligibility rule";
  if (!o.placements().empty()) return "placements";
  if (o.has_valid_from() || o.has_valid_until()) return "a validity window";
  if (o.has_budget()) return "a budget";
  if (o.action_class() == "mandatory") return "action class mandatory";
  return "";
}

}  // namespace

absl::string_view CategoryOf(absl::string_view product) {
  if (product == "broadband_basic" || product == "broadband_fibre") return "broadband";
  if (product == "mobile_basic" || product == "mobile_unlimited" || product == "family_plan") {
    return "mobile";
  }
  if (product == "streaming_bundle") return "tv";
  if (product == "device_insurance") return "insurance";
  return "other";
}

absl::StatusOr<World> World::Create(const v1::Strategy& strategy, const WorldOptions& options) {
  if (options.customers < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("customers: must be at least 1, got ", options.customers));
  }
  if (!(options.move_probability >= 0 && options.move_probability <= 1)) {
    return absl::InvalidArgumentError("move_probability: must be in [0, 1]");
  }
  World w;
  w.options_ = options;
  w.rng_.seed(options.seed);

  if (!strategy.triggers().empty()) return Unsupported("triggers");
  if (!strategy.context_weights().empty()) return Unsupported("context weights");
  if (!strategy.capacities().empty()) return Unsupported("capacities");
  if (!strategy.dimensions().empty()) return Unsupported("dimensions");
  if (strategy.has_contact_policy()) return Unsupported("a contact policy");

  for (int i = 0; i < strategy.offers_size(); ++i) {
    const v1::Offer& o = strategy.offers(i);
    if (std::string problem = OfferProblem(o); !problem.empty()) {
      return Unsupported(absl::StrCat("offer \"", o.id(), "\" has ", problem));
    }
    const auto* truth = std::find_if(std::begin(kTruth), std::end(kTruth),
                                     [&](const Truth& t) { return o.id() == t.offer_id; });
    if (truth == std::end(kTruth)) {
      return Unsupported(absl::StrCat("unknown offer \"", o.id(), "\""));
    }
    SimOffer offer;
    offer.id = o.id();
    offer.product = o.product();
    offer.requires_any.assign(o.requires_any().begin(), o.requires_any().end());
    offer.excludes.assign(o.excludes().begin(), o.excludes().end());
    offer.channels.assign(o.channels().begin(), o.channels().end());
    offer.value = std::max(0.0, o.margin() - o.cost());
    offer.marketing = o.action_class().empty() || o.action_class() == "marketing";
    const v1::Prior& prior = o.prior();
    if (prior.rate() > 0) {
      offer.prior_rate = prior.rate();
    } else if (prior.alpha() > 0 && prior.beta() > 0) {
      offer.prior_rate = prior.alpha() / (prior.alpha() + prior.beta());
    }
    w.offers_.push_back(std::move(offer));
    w.truth_.push_back(static_cast<int>(truth - std::begin(kTruth)));
  }

  if (strategy.segments_size() != static_cast<int>(std::size(kSegments))) {
    return Unsupported(
        absl::StrCat(strategy.segments_size(), " segments, expected ", std::size(kSegments)));
  }
  for (int s = 0; s < strategy.segments_size(); ++s) {
    const v1::Segment& seg = strategy.segments(s);
    if (seg.id() != kSegments[s].id || seg.rule() != kSegments[s].rule) {
      return Unsupported(
          absl::StrFormat("segments[%d] is \"%s\" with rule %s, expected \"%s\" with "
                          "rule %s",
                          s, seg.id(), seg.rule(), kSegments[s].id, kSegments[s].rule));
    }
    if (!seg.micro_segments().empty()) return Unsupported("micro-segments");
    std::vector<std::pair<int, double>> treatments;
    for (const v1::Treatment& t : seg.treatments()) {
      const int k = w.OfferIndex(t.offer_id());
      if (k < 0) return Unsupported(absl::StrCat("unknown treatment \"", t.offer_id(), "\""));
      treatments.emplace_back(k, t.weight() > 0 ? t.weight() : 1.0);
    }
    w.segment_ids_.push_back(seg.id());
    w.treatments_.push_back(std::move(treatments));
  }

  // The fallback list of a channel (no placement): its own, else "*".
  for (v1::Channel channel : {v1::CHANNEL_WEB, v1::CHANNEL_CALL_CENTRE}) {
    const v1::Fallback* chosen = nullptr;
    for (const v1::Fallback& f : strategy.fallbacks()) {
      if (!f.placement().empty()) continue;
      if (f.channel() == core::ChannelName(channel)) {
        chosen = &f;
        break;
      }
      if (f.channel() == "*" && chosen == nullptr) chosen = &f;
    }
    std::vector<int>& list = channel == v1::CHANNEL_WEB ? w.web_fallback_ : w.call_centre_fallback_;
    if (chosen == nullptr) continue;
    for (const std::string& id : chosen->offer_ids()) {
      const int k = w.OfferIndex(id);
      if (k < 0) return Unsupported(absl::StrCat("unknown fallback offer \"", id, "\""));
      list.push_back(k);
    }
  }

  std::uniform_real_distribution<double> u(0, 1);
  std::discrete_distribution<int> tier(std::begin(kTierShares), std::end(kTierShares));
  w.customers_.reserve(options.customers);
  for (int i = 0; i < options.customers; ++i) {
    Customer c;
    c.id = absl::StrFormat("sim-%s-%06d", options.run_id, i + 1);
    c.tier = tier(w.rng_);
    c.streamer = u(w.rng_) < kStreamerShare;
    c.family = u(w.rng_) < kFamilyShare;
    c.channel = u(w.rng_) < kCallCentreShare ? v1::CHANNEL_CALL_CENTRE : v1::CHANNEL_WEB;
    if (u(w.rng_) < kMobileBasicShare) c.holdings.insert("mobile_basic");
    if (u(w.rng_) < kBroadbandBasicShare) c.holdings.insert("broadband_basic");
    w.customers_.push_back(std::move(c));
  }
  return w;
}

int World::OfferIndex(absl::string_view id) const {
  for (size_t i = 0; i < offers_.size(); ++i) {
    if (offers_[i].id == id) return static_cast<int>(i);
  }
  return -1;
}

double World::TrueProbability(const Customer& c, int offer) const {
  const Truth& t = kTruth[truth_[offer]];
  double x = Logit(t.base_rate) + t.per_tier * c.tier;
  if (c.streamer) x += t.streamer;
  if (c.family) x += t.family;
  if (c.moved) x += t.moved;
  if (c.channel == v1::CHANNEL_CALL_CENTRE) x += t.call_centre;
  return 1 / (1 + std::exp(-x));
}

absl::string_view World::SegmentOf(const Customer& c) const {
  const bool broadband = HoldsCategory(c, "broadband");
  const bool mobile = HoldsCategory(c, "mobile");
  int s = kEveryone;
  if (c.moved) {
    s = kMovers;
  } else if (broadband && !mobile) {
    s = kBroadbandOnly;
  } else if (mobile && !broadband) {
    s = kMobileOnly;
  }
  return segment_ids_[s];
}

std::vector<int> World::EligibleOffers(const Customer& c) const { return Eligible(c, nullptr); }

std::vector<int> World::Eligible(const Customer& c, std::vector<double>* weights) const {
  const absl::string_view channel = core::ChannelName(c.channel);
  auto fits = [&](int k) {
    const SimOffer& o = offers_[k];
    if (!o.channels.empty() &&
        std::find(o.channels.begin(), o.channels.end(), channel) == o.channels.end()) {
      return false;
    }
    if (!o.product.empty() && c.holdings.count(o.product) > 0) return false;
    if (!o.requires_any.empty() && !HoldsAny(c, o.requires_any)) return false;
    if (HoldsAny(c, o.excludes)) return false;
    return !o.marketing || c.accepted_offers.count(o.id) == 0;
  };
  const absl::string_view segment = SegmentOf(c);
  const size_t s =
      std::find(segment_ids_.begin(), segment_ids_.end(), segment) - segment_ids_.begin();
  std::vector<int> out;
  // A repeated offer is dropped as a duplicate: its first entry counts.
  auto add = [&](int k, double weight) {
    if (!fits(k) || std::find(out.begin(), out.end(), k) != out.end()) return;
    out.push_back(k);
    if (weights != nullptr) weights->push_back(weight);
  };
  for (const auto& [k, weight] : treatments_[s]) add(k, weight);
  if (!out.empty()) return out;
  for (int k : c.channel == v1::CHANNEL_WEB ? web_fallback_ : call_centre_fallback_) add(k, 1);
  return out;
}

int World::PriorChoice(const Customer& c) const {
  std::vector<double> weights;
  const std::vector<int> eligible = Eligible(c, &weights);
  int best = -1;
  double best_score = 0;
  for (size_t i = 0; i < eligible.size(); ++i) {
    const SimOffer& o = offers_[eligible[i]];
    const double score = o.prior_rate * o.value * weights[i];
    if (best < 0 || score > best_score) {
      best = eligible[i];
      best_score = score;
    }
  }
  return best;
}

OracleChoice World::Oracle(const Customer& c) const {
  OracleChoice best;
  for (int k : EligibleOffers(c)) {
    const double p = TrueProbability(c, k);
    const double ev = p * offers_[k].value;
    if (best.offer < 0 || ev > best.expected_value) best = OracleChoice{k, p, ev};
  }
  return best;
}

std::vector<int> World::MoveHomes() {
  std::vector<int> moved;
  std::uniform_real_distribution<double> u(0, 1);
  for (size_t i = 0; i < customers_.size(); ++i) {
    // One draw per customer and day, moved or not, so the draws do not depend on the past.
    const bool moves = u(rng_) < options_.move_probability;
    if (moves && !customers_[i].moved) {
      customers_[i].moved = true;
      moved.push_back(static_cast<int>(i));
    }
  }
  return moved;
}

void World::Accept(Customer& c, int offer) {
  c.accepted_offers.insert(offers_[offer].id);
  if (!offers_[offer].product.empty()) c.holdings.insert(offers_[offer].product);
}

}  // namespace nbo::tools::sim
