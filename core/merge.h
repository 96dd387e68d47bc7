// Merging two profiles of one person (identity resolution found they are the same customer).
#ifndef NBO_CORE_MERGE_H_
#define NBO_CORE_MERGE_H_

#include "absl/time/time.h"
#include "core/profile_settings.h"
#include "nbo/v1/profile.pb.h"

namespace nbo::core {

// Folds `absorbed` into `survivor` as if every event of both had been applied to one profile:
// - counters add up (interactions, purchases, totals, interactions per channel), decayed values
//   and interest scores add (each decayed to the later of their times, which is exact);
// - first_seen / last_seen / last_* times take the min / max; holdings unite (earliest since);
// - recent events interleave by time (the newest settings.recent_events kept); contacts merge per
//   offer (counts add, last times max) so contact caps count both; triggers unite (the latest
//   expiry per kind; expired ones pruned at `now`); complaints add and the newer NPS wins; per
//   channel the newer consent wins; identities unite without duplicates;
// - merged_ids gains absorbed.customer_id and absorbed.merged_ids;
// - the segment (id, since, strategy version) is cleared so the next decision assigns it afresh
//   from the merged data; the survivor's segment_history is kept (the absorbed one's is dropped);
// - value is recomputed as of `now`.
// Returns true when something was merged; false, leaving `survivor` unchanged, when `absorbed`
// has no customer_id, is the survivor itself, or was merged before (its id is in
// survivor.merged_ids), so retrying a merge is harmless.
bool MergeProfiles(v1::Profile& survivor, const v1::Profile& absorbed, absl::Time now,
                   const ProfileSettings& settings = DefaultProfileSettings());

}  // namespace nbo::core

#endif  // NBO_CORE_MERGE_H_
