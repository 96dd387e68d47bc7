#include "core/what_if.h"

#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "core/arbitration.h"
#include "core/decision.h"
#include "nbo/v1/decision.pb.h"

namespace nbo::core {
namespace {

// Per-offer tallies while simulating; copied into OfferFunnel at the end.
struct OfferTally {
  int candidates = 0;
  int wins = 0;
  int top_wins = 0;
  absl::flat_hash_map<DropReason, int> drops;
};

}  // namespace

v1::WhatIf SimulateStrategy(const Strategy& strategy, const std::vector<v1::Profile>& profiles,
                            v1::Channel channel, absl::Time now, const ProfileSettings& settings) {
  if (channel == v1::CHANNEL_UNSPECIFIED) channel = v1::CHANNEL_WEB;

  absl::flat_hash_map<absl::string_view, int> segment_index;
  for (size_t i = 0; i < strategy.segments.size(); ++i) {
    segment_index.emplace(strategy.segments[i].def->id(), static_cast<int>(i));
  }
  std::vector<int> segment_customers(strategy.segments.size(), 0);
  std::vector<OfferTally> offers(strategy.offers.size());
  int fallback_decisions = 0;

  v1::DecideRequest request;
  v1::Event& event = *request.mutable_event();
  event.set_channel(channel);
  event.mutable_page_view()->set_page("what_if");
  for (size_t i = 0; i < profiles.size(); ++i) {
    v1::Profile profile = profiles[i];
    request.mutable_customer()->set_customer_id(profile.customer_id());
    event.set_event_id(absl::StrCat("what-if-", i));
    const DecisionResult result = MakeDecision(profile, request, strategy, now, settings);

    if (auto it = segment_index.find(result.response.segment_id()); it != segment_index.end()) {
      ++segment_customers[it->second];
    }
    const ArbitrationResult& arbitration = result.arbitration;
    if (arbitration.fallback) ++fallback_decisions;
    for (const Candidate& c : arbitration.candidates) {
      OfferTally& tally = offers[c.offer];
      ++tally.candidates;
      if (c.dropped != DropReason::kNone) ++tally.drops[c.dropped];
    }
    for (size_t rank = 0; rank < arbitration.chosen.size(); ++rank) {
      OfferTally& tally = offers[arbitration.candidates[arbitration.chosen[rank]].offer];
      ++tally.wins;
      if (rank == 0) ++tally.top_wins;
    }
  }

  v1::WhatIf what_if;
  what_if.set_profiles(static_cast<int>(profiles.size()));
  what_if.set_channel(channel);
  for (size_t i = 0; i < strategy.segments.size(); ++i) {
    const v1::Segment& def = *strategy.segments[i].def;
    v1::SegmentShare* share = what_if.add_segments();
    share->set_segment_id(def.id());
    share->set_name(def.name());
    share->set_customers(segment_customers[i]);
    share->set_share(profiles.empty() ? 0.0
                                      : static_cast<double>(segment_customers[i]) /
                                            static_cast<double>(profiles.size()));
  }
  for (size_t i = 0; i < strategy.offers.size(); ++i) {
    const OfferTally& tally = offers[i];
    v1::OfferFunnel* funnel = what_if.add_offers();
    funnel->set_offer_id(strategy.offers[i].def->id());
    funnel->set_candidates(tally.candidates);
    funnel->set_wins(tally.wins);
    funnel->set_top_wins(tally.top_wins);
    absl::string_view top_reason;
    int top_count = 0;
    for (const auto& [reason, count] : tally.drops) {
      const absl::string_view name = DropReasonName(reason);
      (*funnel->mutable_drops())[std::string(name)] = count;
      if (count > top_count || (count == top_count && name < top_reason)) {
        top_reason = name;
        top_count = count;
      }
    }
    funnel->set_top_drop_reason(std::string(top_reason));
  }
  what_if.set_fallback_decisions(fallback_decisions);
  return what_if;
}

}  // namespace nbo::core
