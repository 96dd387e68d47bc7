// Segment assignment: the first segment of the strategy whose rule matches.
#ifndef NBO_CORE_SEGMENTATION_H_
#define NBO_CORE_SEGMENTATION_H_

#include <vector>

#include "absl/time/time.h"
#include "core/profile_settings.h"
#include "core/rule.h"
#include "core/strategy.h"
#include "nbo/v1/profile.pb.h"

namespace nbo::core {

// Index of the first segment whose rule matches `in`. A validated strategy's last segment matches
// everyone, so the result is always a valid index for one.
int AssignSegment(const Strategy& strategy, const DecisionInputs& in);

// The customer's level of each of the strategy's dimensions: per dimension, the index of the
// first level whose rule matches, or -1 for none.
std::vector<int> AssignLevels(const Strategy& strategy, const DecisionInputs& in);

// Index of the first micro-segment of `segment` whose every `when` entry matches `levels`, or -1.
int AssignMicroSegment(const CompiledSegment& segment, const std::vector<int>& levels);

// Records `segment` on the profile. Returns true when the segment changed: segment_since is then
// `now`, and a SegmentTransition (from the previous segment, "" for the first) is appended to
// segment_history, which keeps the last settings.segment_history changes (oldest dropped).
bool RecordSegment(v1::Profile& profile, const Strategy& strategy, int segment, absl::Time now,
                   const ProfileSettings& settings = DefaultProfileSettings());

}  // namespace nbo::core

#endif  // NBO_CORE_SEGMENTATION_H_
