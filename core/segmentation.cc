#include "core/segmentation.h"

#include <algorithm>

#include "core/time_util.h"

namespace nbo::core {

int AssignSegment(const Strategy& strategy, const DecisionInputs& in) {
  const int n = static_cast<int>(strategy.segments.size());
  for (int i = 0; i < n; ++i) {
    if (strategy.segments[i].rule.Matches(in)) return i;
  }
  return n - 1;  // unreachable for a validated strategy: its last rule is "true"
}

std::vector<int> AssignLevels(const Strategy& strategy, const DecisionInputs& in) {
  std::vector<int> levels(strategy.dimensions.size(), -1);
  for (size_t d = 0; d < strategy.dimensions.size(); ++d) {
    const std::vector<Rule>& rules = strategy.dimensions[d].levels;
    for (size_t l = 0; l < rules.size(); ++l) {
      if (rules[l].Matches(in)) {
        levels[d] = static_cast<int>(l);
        break;
      }
    }
  }
  return levels;
}

int AssignMicroSegment(const CompiledSegment& segment, const std::vector<int>& levels) {
  for (size_t m = 0; m < segment.micro_segments.size(); ++m) {
    bool all = true;
    for (const auto& [dimension, level] : segment.micro_segments[m].when) {
      if (static_cast<size_t>(dimension) >= levels.size() || levels[dimension] != level) {
        all = false;
        break;
      }
    }
    if (all) return static_cast<int>(m);
  }
  return -1;
}

bool RecordSegment(v1::Profile& profile, const Strategy& strategy, int segment, absl::Time now,
                   const ProfileSettings& settings) {
  const std::string& id = strategy.segments[segment].def->id();
  profile.set_segment_strategy_version(strategy.document.version());
  if (profile.segment_id() == id) return false;
  auto* history = profile.mutable_segment_history();
  if (settings.segment_history > 0) {
    v1::SegmentTransition* t = history->Add();
    t->set_from(profile.segment_id());
    t->set_to(id);
    ToProto(now, t->mutable_at());
    t->set_strategy_version(strategy.document.version());
  }
  const int excess = history->size() - std::max(0, settings.segment_history);
  if (excess > 0) history->DeleteSubrange(0, excess);
  profile.set_segment_id(id);
  ToProto(now, profile.mutable_segment_since());
  return true;
}

}  // namespace nbo::core
