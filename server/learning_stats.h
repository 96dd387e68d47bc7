// Learning statistics: the decayed outcome evidence per (segment, offer, channel) that decisions
// read (core::EvidenceSource) and RecordOutcome updates. Kept in memory, snapshotted to the store's
// meta key "learning/snapshot" every --learning_flush_interval and at shutdown, restored at start.
//
// Durability: the snapshot is the only copy on disk. A crash (SIGKILL, OOM, power loss) loses the
// evidence recorded since the last flush, at most one --learning_flush_interval of learning; it
// never loses a profile change, a decision or a dedupe record, which are committed by their own
// batches before the reply. The lost outcomes stay deduplicated (their dedupe records were
// committed), so they are not counted again on a retry: learning just has a little less data.
#ifndef NBO_SERVER_LEARNING_STATS_H_
#define NBO_SERVER_LEARNING_STATS_H_

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/hash/hash.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "core/clock.h"
#include "core/learning.h"
#include "nbo/v1/common.pb.h"
#include "storage/store.h"

namespace nbo::server {

// The meta key of the snapshot (a serialized v1::LearningSnapshot).
inline constexpr char kLearningSnapshotKey[] = "learning/snapshot";

// Evidence whose decayed total falls below this is forgotten by Flush (about 20 half-lives after
// the last outcome of a key with one outcome), so keys of retired offers and segments go away.
inline constexpr double kLearningForgetBelow = 1e-6;

// The evidence of one (segment, offer) over every channel, decayed to some moment.
struct PairEvidence {
  std::string segment_id;
  std::string offer_id;
  core::Evidence evidence;
};

// Thread-safe: all methods may be called concurrently.
//
// One entry per (segment_id, offer_id, channel) with {accepted, rejected, as_of}; channel
// CHANNEL_UNSPECIFIED is the segment-wide aggregate of every channel. A value decays
// exponentially: value(t) = value(as_of) x 2^(-(t - as_of) / half_life), never growing for
// t < as_of. Reads decay a copy; only Record moves as_of (forward only).
//
// Which outcomes count: every recorded, non-duplicate outcome of an offer a decision answered, of
// every arm (model, explore, control). The control and explore arms choose offers differently,
// but what is estimated is the acceptance rate of an offer once shown in a segment, and their
// outcomes measure it as well as the model's do; leaving them out would starve offers the model
// ranks low of the very evidence exploration exists to collect.
//
// The half-life: Record takes it explicitly (the serving strategy's learning.half_life at the
// time of the outcome). Get, called by core::Arbitrate through core::EvidenceSource, has no
// half-life parameter, so the stats keep one (SetHalfLife); DecisionFlow sets it from the strategy
// it decides with before each decision (a relaxed atomic compare, written only when it changed).
// A changed half-life applies to all stored evidence from then on, including the decay since each
// entry's as_of.
//
// Memory: at most segments x offers x (channels + 1) entries over the segment and offer ids of
// the strategies served within --decision_ttl (outcomes name a logged decision, whose segment
// and offers come from a validated strategy; 7 channels + the aggregate). An entry takes about
// 150 bytes with its two id strings (more when an id is longer than 15 characters), e.g. 20
// segments x 200 offers x 8 = 32,000 entries, about 5 MB, and a snapshot of about 2 MB. Flush
// forgets entries whose decayed evidence fell below kLearningForgetBelow.
//
// Locks: 64 stripes, each an absl::Mutex over its own hash map; a key's stripe is picked by its
// hash. Get takes its stripe's lock shared, Record exclusively, and no call holds two stripes or
// calls out while holding one, so these are leaf locks: callers may hold any other lock (the
// outcome flow calls Record under the customer's lock).
class LearningStats : public core::EvidenceSource {
 public:
  // `clock` (for Flush's taken_at and forgetting) must outlive the stats. The half-life starts
  // at core::CompiledLearning's default (30 days).
  explicit LearningStats(const core::Clock& clock);

  // core::EvidenceSource: the evidence of (segment_id, offer_id, channel) decayed to `now` with
  // half_life(); zero when none was recorded. Never writes.
  core::Evidence Get(absl::string_view segment_id, absl::string_view offer_id, v1::Channel channel,
                     absl::Time now) const override;
  // Same with an explicit half-life.
  core::Evidence Get(absl::string_view segment_id, absl::string_view offer_id, v1::Channel channel,
                     absl::Time now, absl::Duration half_life) const;

  // The half-life Get(..., now) decays with. A non-positive `half_life` means no decay.
  void SetHalfLife(absl::Duration half_life);
  absl::Duration half_life() const;

  // Counts one outcome of `offer_id` shown in segment `segment_id` on `channel` at `at`, in the
  // channel's entry and in the CHANNEL_UNSPECIFIED aggregate: ACCEPTED adds 1 to accepted,
  // DECLINED and IGNORED add 1 to rejected; PRESENTED (and any other value) changes nothing. Each
  // entry is first decayed with `half_life` to max(as_of, at), so a late outcome never moves time
  // backwards; it is added with the weight it has at as_of (2^(-(as_of - at) / half_life)), as if
  // it had been recorded in time. A channel that is CHANNEL_UNSPECIFIED or not a valid Channel
  // updates the aggregate only.
  void Record(absl::string_view segment_id, absl::string_view offer_id, v1::Channel channel,
              v1::Outcome outcome, absl::Time at, absl::Duration half_life);

  // Whether a (segment_id, offer_id) pair may be listed by TopByEvidence.
  using PairFilter =
      absl::FunctionRef<bool(absl::string_view segment_id, absl::string_view offer_id)>;

  // The `k` (segment, offer) pairs with the most evidence over every channel (the
  // CHANNEL_UNSPECIFIED aggregates' accepted + rejected), decayed to clock.Now() with half_life(),
  // most first; equal totals in (segment_id, offer_id) order. Fewer when fewer pairs have evidence
  // above 0 (and pass `keep`); empty when `k` is 0. Each pair is decayed to the same moment, so
  // the order is what decisions would see now, not what was stored.
  //
  // For metrics at scrape time, not for decisions: it visits every entry, holding one stripe's
  // lock shared at a time (Gets go on; Records of that stripe wait for one pass over its entries,
  // 1/64 of them) and copying ids only for pairs that enter the top k.
  // `keep` is called with a stripe's lock held, only for pairs that would enter the top k: it must
  // be quick and must not call into these stats (the lock is not re-entrant).
  std::vector<PairEvidence> TopByEvidence(size_t k) const;
  std::vector<PairEvidence> TopByEvidence(size_t k, PairFilter keep) const;

  // Number of entries (channel entries and aggregates). Cheap (one atomic load).
  size_t entry_count() const { return entries_.load(std::memory_order_relaxed); }

  // Writes every entry (as stored: values at their as_of) with taken_at = clock.Now() to meta
  // kLearningSnapshotKey in one Commit, replacing the previous snapshot, after forgetting entries
  // whose evidence decayed below kLearningForgetBelow. When nothing was recorded since the last
  // successful flush (or the restore) and nothing was forgotten, it writes nothing and is OK.
  // Concurrent Record calls go on meanwhile: each entry is copied under its stripe's lock, so the
  // snapshot holds every entry whole, each as of some moment during the flush. Flushes are
  // serialised (a later one never commits before an earlier one). Returns the store's error when
  // the commit fails (the stats are unchanged but for the forgotten entries; the next flush writes
  // everything again).
  absl::Status Flush(storage::Store& store);

  // Replaces the contents with the snapshot in `store`. OK when restored, and when there is no
  // snapshot (stats left empty). DataLoss when the snapshot does not parse: the stats are left
  // empty and the caller may go on (learning starts again from the priors). Entries that parse
  // but are invalid (empty or over-long ids, unknown channel, negative or non-finite counts, bad
  // as_of) are skipped with a warning in the log. The store's read errors are returned as they
  // are. REQUIRES: no concurrent Record (called at start-up, before serving).
  absl::Status Restore(storage::Store& store);

 private:
  struct Key {
    std::string segment_id;
    std::string offer_id;
    int channel = 0;
  };
  // A Key without copies, for lookups.
  struct KeyView {
    absl::string_view segment_id;
    absl::string_view offer_id;
    int channel = 0;
  };
  struct KeyHash {
    using is_transparent = void;
    size_t operator()(const KeyView& k) const {
      return absl::HashOf(k.segment_id, k.offer_id, k.channel);
    }
    size_t operator()(const Key& k) const {
      return (*this)(KeyView{k.segment_id, k.offer_id, k.channel});
    }
  };
  struct KeyEq {
    using is_transparent = void;
    static KeyView View(const Key& k) { return {k.segment_id, k.offer_id, k.channel}; }
    static KeyView View(const KeyView& k) { return k; }
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      const KeyView x = View(a), y = View(b);
      return x.channel == y.channel && x.segment_id == y.segment_id && x.offer_id == y.offer_id;
    }
  };
  struct Entry {
    double accepted = 0;
    double rejected = 0;
    absl::Time as_of;
  };
  using Map = absl::flat_hash_map<Key, Entry, KeyHash, KeyEq>;
  struct Stripe {
    mutable absl::Mutex mu;
    Map entries ABSL_GUARDED_BY(mu);
  };
  static constexpr int kStripeBits = 6;  // 64 stripes

  // The stripe of a key with hash `hash` (its top bits: the map uses the low ones).
  Stripe& StripeOf(size_t hash) const {
    return stripes_[hash >> (sizeof(size_t) * 8 - kStripeBits)];
  }
  // Adds (accepted, rejected), happening at `at`, to the entry of `key`.
  void Add(const KeyView& key, double accepted, double rejected, absl::Time at,
           double half_life_seconds);

  const core::Clock& clock_;
  std::atomic<double> half_life_seconds_;
  std::atomic<size_t> entries_{0};
  // Incremented by every change of an entry (under its stripe's lock); flushed_generation_ is
  // its value when the last successful flush started (or the restore ended).
  std::atomic<uint64_t> generation_{0};
  uint64_t flushed_generation_ ABSL_GUARDED_BY(flush_mu_) = 0;
  mutable std::array<Stripe, size_t{1} << kStripeBits> stripes_;
  absl::Mutex flush_mu_;  // serialises Flush and Restore; taken before any stripe lock
};

}  // namespace nbo::server

#endif  // NBO_SERVER_LEARNING_STATS_H_
