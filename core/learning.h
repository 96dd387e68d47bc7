// Learning from outcomes, the pure part: Beta posteriors seeded by each offer's prior, evidence
// gating per channel, Thompson sampling, the control group and arm names. The server keeps the
// evidence (server/learning_stats.h); docs/learning.md explains the model.
#ifndef NBO_CORE_LEARNING_H_
#define NBO_CORE_LEARNING_H_

#include <cstdint>
#include <random>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "nbo/v1/common.pb.h"

namespace nbo::core {

struct CompiledOffer;

enum class LearningMode { kAdaptive, kPriorOnly };
enum class ControlPolicy { kPrior, kRandom };
enum class ControlPeriod { kYear, kQuarter, kMonth, kNever };

// Strategy.learning with its defaults filled in.
struct CompiledLearning {
  LearningMode mode = LearningMode::kAdaptive;
  double exploration_share = 0.05;
  absl::Duration half_life = absl::Hours(24 * 30);
  double min_channel_evidence = 50;
  double control_share = 0.02;
  ControlPolicy control_policy = ControlPolicy::kPrior;
  ControlPeriod control_period = ControlPeriod::kYear;
  int selection_probability_samples = 32;
};

// Which policy made a decision.
enum class Arm { kModel, kExplore, kControl, kChallenger };
absl::string_view ArmName(Arm arm);  // "model", "explore", "control", "challenger"

// Outcomes of one offer, decayed: an ACCEPTED outcome adds 1 to `accepted`, DECLINED and IGNORED
// add 1 to `rejected`; both halve every half-life.
struct Evidence {
  double accepted = 0;
  double rejected = 0;
  double total() const { return accepted + rejected; }
};

// Where decisions read the evidence. Implementations must be thread-safe.
class EvidenceSource {
 public:
  virtual ~EvidenceSource() = default;
  // The evidence of `offer_id` for customers of `segment_id` on `channel`
  // (CHANNEL_UNSPECIFIED: every channel together), decayed to `now`.
  virtual Evidence Get(absl::string_view segment_id, absl::string_view offer_id,
                       v1::Channel channel, absl::Time now) const = 0;
};

// Beta(alpha, beta) belief about an offer's acceptance rate.
struct Posterior {
  double alpha = 1;
  double beta = 1;
  double Mean() const { return alpha / (alpha + beta); }
};

// The prior Beta(rate x weight, (1 - rate) x weight) updated by the evidence: the channel's own
// evidence when it has at least `min_channel_evidence`, else the segment's (all channels).
// The posterior mean is the blend (rate x weight + accepted) / (weight + accepted + rejected):
// the prior counts as `weight` outcomes, so a young offer leans on it and a mature one on its data.
Posterior PosteriorFor(const CompiledOffer& offer, const Evidence& segment_level,
                       const Evidence& channel_level, double min_channel_evidence);

// One draw from Beta(alpha, beta) (abseil's exact sampler; alpha, beta > 0).
double SampleBeta(const Posterior& posterior, std::mt19937_64& rng);

// Whether the customer is in the control group for the period containing `now`: a hash of
// (customer id, period) mapped to [0, 1) below control_share. Stable within a period; each
// period draws afresh (ControlPeriod::kNever: once for good).
bool InControlGroup(absl::string_view customer_id, absl::Time now,
                    const CompiledLearning& learning);

// The hash behind InControlGroup, in [0, 1); exposed for tests of the share.
double ControlDraw(absl::string_view customer_id, absl::Time now, ControlPeriod period);

// Whether the customer is in the challenger's share: the same kind of stable draw, salted with
// the challenger id so it is independent of the control group.
bool InChallenger(absl::string_view customer_id, absl::string_view challenger_id, double share,
                  absl::Time now, ControlPeriod period);

}  // namespace nbo::core

#endif  // NBO_CORE_LEARNING_H_
