#include "server/learning_stats.h"

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/time_util.h"
#include "nbo/v1/record.pb.h"
#include "spdlog/spdlog.h"

namespace nbo::server {
namespace {

// Longest segment or offer id a snapshot entry may carry (strategy ids are at most 64).
constexpr size_t kMaxIdLength = 128;
// Largest Timestamp.seconds protobuf accepts: 9999-12-31T23:59:59Z.
constexpr int64_t kMaxTimestampSeconds = 253402300799;

// 2^(-(to - from) / half_life); 1 when `to` is not after `from` or there is no decay.
double DecayFactor(absl::Time from, absl::Time to, double half_life_seconds) {
  if (to <= from || !(half_life_seconds > 0)) return 1;
  return std::exp2(-absl::ToDoubleSeconds(to - from) / half_life_seconds);
}

double Seconds(absl::Duration d) { return absl::ToDoubleSeconds(d); }

bool ValidCount(double x) { return std::isfinite(x) && x >= 0; }

bool ValidEntry(const v1::LearningEntry& e) {
  const google::protobuf::Timestamp& ts = e.as_of();
  return !e.segment_id().empty() && e.segment_id().size() <= kMaxIdLength &&
         !e.offer_id().empty() && e.offer_id().size() <= kMaxIdLength &&
         v1::Channel_IsValid(e.channel()) && ValidCount(e.accepted()) && ValidCount(e.rejected()) &&
         e.has_as_of() && ts.seconds() >= 0 && ts.seconds() <= kMaxTimestampSeconds &&
         ts.nanos() >= 0 && ts.nanos() <= 999999999;
}

// Whether a pair with `total` evidence ranks before `other` in TopByEvidence: more evidence first,
// then by ids, so that equal totals always list in the same order.
bool RanksBefore(double total, absl::string_view segment_id, absl::string_view offer_id,
                 const PairEvidence& other) {
  const double other_total = other.evidence.total();
  if (total != other_total) return total > other_total;
  if (segment_id != other.segment_id) return segment_id < other.segment_id;
  return offer_id < other.offer_id;
}

bool PairBefore(const PairEvidence& a, const PairEvidence& b) {
  return RanksBefore(a.evidence.total(), a.segment_id, a.offer_id, b);
}

}  // namespace

LearningStats::LearningStats(const core::Clock& clock)
    : clock_(clock), half_life_seconds_(Seconds(core::CompiledLearning{}.half_life)) {}

void LearningStats::SetHalfLife(absl::Duration half_life) {
  const double seconds = Seconds(half_life);
  // Decisions call this every time: write (and move the cache line) only when it changes.
  if (half_life_seconds_.load(std::memory_order_relaxed) != seconds) {
    half_life_seconds_.store(seconds, std::memory_order_relaxed);
  }
}

absl::Duration LearningStats::half_life() const {
  return absl::Seconds(half_life_seconds_.load(std::memory_order_relaxed));
}

core::Evidence LearningStats::Get(absl::string_view segment_id, absl::string_view offer_id,
                                  v1::Channel channel, absl::Time now) const {
  return Get(segment_id, offer_id, channel, now,
             absl::Seconds(half_life_seconds_.load(std::memory_order_relaxed)));
}

core::Evidence LearningStats::Get(absl::string_view segment_id, absl::string_view offer_id,
                                  v1::Channel channel, absl::Time now,
                                  absl::Duration half_life) const {
  const KeyView key{segment_id, offer_id, channel};
  const size_t hash = KeyHash()(key);
  Stripe& stripe = StripeOf(hash);
  Entry entry;
  {
    absl::ReaderMutexLock lock(&stripe.mu);
    auto it = stripe.entries.find(key, hash);
    if (it == stripe.entries.end()) return {};
    entry = it->second;
  }
  const double f = DecayFactor(entry.as_of, now, Seconds(half_life));
  return core::Evidence{entry.accepted * f, entry.rejected * f};
}

std::vector<PairEvidence> LearningStats::TopByEvidence(size_t k) const {
  return TopByEvidence(k, [](absl::string_view, absl::string_view) { return true; });
}

std::vector<PairEvidence> LearningStats::TopByEvidence(size_t k, PairFilter keep) const {
  // A heap whose front is the weakest pair kept so far: a pair that does not beat it is skipped
  // without copying its ids, so the work under a lock is one decay per aggregate entry.
  std::vector<PairEvidence> top;
  if (k == 0) return top;
  top.reserve(std::min(k, entry_count()));  // k may be far more than there are pairs
  const absl::Time now = clock_.Now();
  const double half_life_seconds = half_life_seconds_.load(std::memory_order_relaxed);
  for (Stripe& stripe : stripes_) {
    absl::ReaderMutexLock lock(&stripe.mu);
    for (const auto& [key, entry] : stripe.entries) {
      if (key.channel != v1::CHANNEL_UNSPECIFIED) continue;
      const double f = DecayFactor(entry.as_of, now, half_life_seconds);
      const core::Evidence evidence{entry.accepted * f, entry.rejected * f};
      const double total = evidence.total();
      if (!(total > 0)) continue;
      if (top.size() == k && !RanksBefore(total, key.segment_id, key.offer_id, top.front())) {
        continue;
      }
      if (!keep(key.segment_id, key.offer_id)) continue;
      if (top.size() == k) {
        std::pop_heap(top.begin(), top.end(), PairBefore);
        top.pop_back();
      }
      top.push_back(PairEvidence{key.segment_id, key.offer_id, evidence});
      std::push_heap(top.begin(), top.end(), PairBefore);
    }
  }
  std::sort_heap(top.begin(), top.end(), PairBefore);  // PairBefore-ascending: most first
  return top;
}

void LearningStats::Record(absl::string_view segment_id, absl::string_view offer_id,
                           v1::Channel channel, v1::Outcome outcome, absl::Time at,
                           absl::Duration half_life) {
  double accepted = 0, rejected = 0;
  switch (outcome) {
    case v1::OUTCOME_ACCEPTED:
      accepted = 1;
      break;
    case v1::OUTCOME_DECLINED:
    case v1::OUTCOME_IGNORED:
      rejected = 1;
      break;
    default:  // PRESENTED says nothing about acceptance
      return;
  }
  const double seconds = Seconds(half_life);
  Add(KeyView{segment_id, offer_id, v1::CHANNEL_UNSPECIFIED}, accepted, rejected, at, seconds);
  if (channel != v1::CHANNEL_UNSPECIFIED && v1::Channel_IsValid(channel)) {
    Add(KeyView{segment_id, offer_id, channel}, accepted, rejected, at, seconds);
  }
}

void LearningStats::Add(const KeyView& key, double accepted, double rejected, absl::Time at,
                        double half_life_seconds) {
  const size_t hash = KeyHash()(key);
  Stripe& stripe = StripeOf(hash);
  absl::MutexLock lock(&stripe.mu);
  auto it = stripe.entries.find(key, hash);
  if (it == stripe.entries.end()) {
    it = stripe.entries
             .emplace(Key{std::string(key.segment_id), std::string(key.offer_id), key.channel},
                      Entry{0, 0, at})
             .first;
    entries_.fetch_add(1, std::memory_order_relaxed);
  }
  Entry& e = it->second;
  if (at > e.as_of) {
    const double f = DecayFactor(e.as_of, at, half_life_seconds);
    e.accepted *= f;
    e.rejected *= f;
    e.as_of = at;
  }
  // A late outcome weighs what it would weigh now had it been recorded in time.
  const double w = DecayFactor(at, e.as_of, half_life_seconds);
  e.accepted += accepted * w;
  e.rejected += rejected * w;
  generation_.fetch_add(1, std::memory_order_relaxed);
}

absl::Status LearningStats::Flush(storage::Store& store) {
  absl::MutexLock flush_lock(&flush_mu_);
  const absl::Time now = clock_.Now();
  const double half_life_seconds = half_life_seconds_.load(std::memory_order_relaxed);
  // Read before copying: a change made after this is either copied or triggers the next flush.
  const uint64_t generation = generation_.load(std::memory_order_relaxed);
  bool forgot = false;
  v1::LearningSnapshot snapshot;
  core::ToProto(now, snapshot.mutable_taken_at());
  snapshot.mutable_entries()->Reserve(static_cast<int>(entry_count()));
  std::vector<std::pair<Key, Entry>> copied;
  for (Stripe& stripe : stripes_) {
    // Copy under the lock, build the proto outside it: readers of the stripe wait only for the
    // copy.
    copied.clear();
    {
      absl::MutexLock lock(&stripe.mu);
      copied.reserve(stripe.entries.size());
      for (auto it = stripe.entries.begin(); it != stripe.entries.end();) {
        const Entry& e = it->second;
        if ((e.accepted + e.rejected) * DecayFactor(e.as_of, now, half_life_seconds) <
            kLearningForgetBelow) {
          stripe.entries.erase(it++);
          entries_.fetch_sub(1, std::memory_order_relaxed);
          forgot = true;
          continue;
        }
        copied.emplace_back(it->first, e);
        ++it;
      }
    }
    for (auto& [key, e] : copied) {
      v1::LearningEntry* out = snapshot.add_entries();
      out->set_segment_id(std::move(key.segment_id));
      out->set_offer_id(std::move(key.offer_id));
      out->set_channel(static_cast<v1::Channel>(key.channel));
      out->set_accepted(e.accepted);
      out->set_rejected(e.rejected);
      core::ToProto(e.as_of, out->mutable_as_of());
    }
  }
  // Nothing new since the snapshot on disk.
  if (generation == flushed_generation_ && !forgot) return absl::OkStatus();
  std::string bytes;
  if (!snapshot.SerializeToString(&bytes)) {
    return absl::InternalError("learning snapshot: cannot serialize");
  }
  storage::WriteSet writes;
  writes.meta.emplace_back(kLearningSnapshotKey, std::move(bytes));
  absl::Status status = store.Commit(writes);
  if (status.ok()) flushed_generation_ = generation;
  return status;
}

absl::Status LearningStats::Restore(storage::Store& store) {
  absl::MutexLock flush_lock(&flush_mu_);
  for (Stripe& stripe : stripes_) {
    absl::MutexLock lock(&stripe.mu);
    stripe.entries.clear();
  }
  entries_.store(0, std::memory_order_relaxed);

  absl::StatusOr<std::string> bytes = store.GetMeta(kLearningSnapshotKey);
  if (absl::IsNotFound(bytes.status())) return absl::OkStatus();
  if (!bytes.ok()) return bytes.status();
  v1::LearningSnapshot snapshot;
  if (!snapshot.ParseFromString(*bytes)) {
    return absl::DataLossError(absl::StrCat("meta \"", kLearningSnapshotKey, "\" (", bytes->size(),
                                            " bytes) is not a learning snapshot"));
  }
  int skipped = 0;
  for (const v1::LearningEntry& e : snapshot.entries()) {
    if (!ValidEntry(e)) {
      ++skipped;
      continue;
    }
    const KeyView key{e.segment_id(), e.offer_id(), e.channel()};
    const size_t hash = KeyHash()(key);
    Stripe& stripe = StripeOf(hash);
    absl::MutexLock lock(&stripe.mu);
    auto [it, inserted] = stripe.entries.insert_or_assign(
        Key{e.segment_id(), e.offer_id(), e.channel()},
        Entry{e.accepted(), e.rejected(), core::FromProto(e.as_of())});
    if (inserted) entries_.fetch_add(1, std::memory_order_relaxed);
  }
  flushed_generation_ = generation_.load(std::memory_order_relaxed);
  if (skipped > 0) {
    spdlog::warn("learning snapshot: skipped {} invalid entries of {}", skipped,
                 snapshot.entries_size());
  }
  return absl::OkStatus();
}

}  // namespace nbo::server
