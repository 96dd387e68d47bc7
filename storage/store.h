// The storage interface of nbo: profiles, logged decisions and metadata behind one small,
// thread-safe API, with one atomic commit per request. RocksStore (rocks_store.h) is the real
// implementation; MemoryStore (memory_store.h) is an in-memory fake with the same behaviour.
#ifndef NBO_STORAGE_STORE_H_
#define NBO_STORAGE_STORE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "nbo/v1/profile.pb.h"
#include "nbo/v1/record.pb.h"

namespace nbo::storage {

// A source-system identity linked to a customer (identities CF).
struct IdentityLink {
  std::string source;       // non-empty, no '\0'
  std::string external_id;  // non-empty
  std::string customer_id;  // non-empty, no '\0'
};

// An absorbed customer id that now resolves to survivor_id (identities CF).
struct AliasLink {
  std::string absorbed_id;  // non-empty
  std::string survivor_id;  // non-empty, no '\0', != absorbed_id
};

// The delete of a record stored under its own id (a decision or dedupe record). customer_id is
// the customer the record was indexed under (response.customer_id / customer_id), so that its
// per-customer index entry is removed too; empty for a record without customer.
struct RecordDelete {
  std::string id;           // non-empty
  std::string customer_id;  // no '\0'
};

// A source identity without its customer.
struct IdentityRef {
  std::string source;
  std::string external_id;
  friend bool operator==(const IdentityRef& a, const IdentityRef& b) {
    return a.source == b.source && a.external_id == b.external_id;
  }
};

// Everything stored about one customer besides the profile, from the per-customer index
// (Store::ListCustomerRecords). Each list is in key order.
struct CustomerRecords {
  std::vector<std::string> decision_ids;  // live decisions with response.customer_id == customer
  std::vector<std::string> event_ids;     // live dedupe records with customer_id == customer
  std::vector<IdentityRef> identities;    // identities linked to the customer
  std::vector<std::string> aliases;       // absorbed ids whose survivor is the customer
};

// Length of a suppression hash (WriteSet::suppressions, Store::IsSuppressed).
inline constexpr size_t kSuppressionHashBytes = 32;

// Everything one request changes, committed atomically by Store::Commit. The pointers are
// borrowed: they must stay valid until Commit returns. Within one WriteSet a later entry for the
// same key wins, and every delete is applied before every put (so "delete the old link, put the
// new one" re-points an identity or alias in one commit).
//
// The per-customer index (ListCustomerRecords) is maintained by Commit: puts of decisions (with
// a response.customer_id), dedupe records (with a customer_id), identities and aliases add an
// entry, the matching deletes remove it. Re-pointing an identity or alias to another customer
// therefore needs the delete naming the old customer in the same WriteSet; otherwise the old
// customer keeps a stale index entry (ListCustomerRecords skips it, but it is not erased).
struct WriteSet {
  // Put, keyed by customer_id (must be non-empty).
  std::vector<const nbo::v1::Profile*> profiles;
  // Put, keyed by response().decision_id() (must be non-empty). A record whose expires_at is
  // unset is stored with expires_at = now + the store's decision TTL.
  std::vector<const nbo::v1::DecisionRecord*> decisions;
  // Put into meta, key -> value (key must be non-empty).
  std::vector<std::pair<std::string, std::string>> meta;
  // Put, source identity -> customer.
  std::vector<IdentityLink> identities;
  // Put, absorbed id -> survivor id.
  std::vector<AliasLink> aliases;
  // Put, event_id (non-empty) -> record (non-null). A record whose expires_at is unset is stored
  // with expires_at = now + the store's dedupe TTL.
  std::vector<std::pair<std::string, const nbo::v1::DedupeRecord*>> dedupe;
  // Put a suppression entry: a hash of exactly kSuppressionHashBytes bytes.
  std::vector<std::string> suppressions;
  // Add delta to a counter, key (non-empty) -> delta; an absent counter counts from 0. Applied
  // by a merge (no read), so concurrent commits adding to one counter never lose an update.
  std::vector<std::pair<std::string, int64_t>> counter_adds;

  // Deletes (applied before the puts; deleting an absent record is fine).
  std::vector<std::string> profile_deletes;  // customer ids, non-empty
  std::vector<RecordDelete> decision_deletes;
  std::vector<RecordDelete> dedupe_deletes;
  std::vector<IdentityLink> identity_deletes;  // customer_id: the owner whose index entry goes
  std::vector<AliasLink> alias_deletes;        // survivor_id: the owner whose index entry goes

  bool empty() const {
    return profiles.empty() && decisions.empty() && meta.empty() && identities.empty() &&
           aliases.empty() && dedupe.empty() && suppressions.empty() && counter_adds.empty() &&
           profile_deletes.empty() && decision_deletes.empty() && dedupe_deletes.empty() &&
           identity_deletes.empty() && alias_deletes.empty();
  }
};

// OK when every entry of `writes` is well-formed; otherwise InvalidArgument naming the entry
// (e.g. "WriteSet.profiles[1]: customer_id is empty"). Never names a customer.
absl::Status ValidateWriteSet(const WriteSet& writes);

// Thread-safe: all methods may be called concurrently.
//
// Returned messages are copies: changing them never changes what is stored. Error messages never
// contain customer or decision ids, so they may be logged at any level.
class Store {
 public:
  virtual ~Store() = default;

  // OK with the profile; NotFound if absent; Unavailable (I/O), DataLoss (corrupt record) or
  // Internal otherwise, with a clear message.
  absl::StatusOr<nbo::v1::Profile> GetProfile(std::string_view customer_id);

  // GetProfile into `*out`, which is cleared first and may live on a protobuf Arena (the
  // read-modify-write paths of the server parse the profile onto a per-request arena, which makes
  // its many small allocations and their frees nearly free). Same errors as GetProfile; `*out`
  // is unspecified after an error.
  virtual absl::Status ReadProfile(std::string_view customer_id, nbo::v1::Profile* out) = 0;

  // Same contract for a logged decision. NotFound also once its expires_at has passed (per the
  // store's injected clock), whether or not the record has physically been removed yet.
  virtual absl::StatusOr<nbo::v1::DecisionRecord> GetDecision(std::string_view decision_id) = 0;

  // Same contract for a meta value (e.g. "schema_version").
  virtual absl::StatusOr<std::string> GetMeta(std::string_view key) = 0;

  // Applies every change or none. InvalidArgument (nothing written) when ValidateWriteSet fails.
  // Returns only after the batch is in the write-ahead log; whether it is also fsynced depends on
  // the implementation's options (see RocksStoreOptions::sync_writes). Unavailable when the store
  // cannot write (read-only after a background error, disk full, closed), with the reason.
  // An empty WriteSet is OK and writes nothing.
  virtual absl::Status Commit(const WriteSet& writes) = 0;

  // Several profiles at once (one RocksDB MultiGet): element i is GetProfile(customer_ids[i]).
  virtual std::vector<absl::StatusOr<nbo::v1::Profile>> MultiGetProfiles(
      const std::vector<std::string_view>& customer_ids) = 0;

  // The customer a source identity is linked to; NotFound when unknown.
  virtual absl::StatusOr<std::string> GetIdentity(std::string_view source,
                                                  std::string_view external_id) = 0;

  // The survivor an absorbed customer id was merged into; NotFound when `customer_id` is not an
  // alias (aliases are one hop: a merge re-points older aliases of the absorbed id itself).
  virtual absl::StatusOr<std::string> GetAlias(std::string_view customer_id) = 0;

  // Same contract as GetDecision, for a dedupe record keyed by event id.
  virtual absl::StatusOr<nbo::v1::DedupeRecord> GetDedupe(std::string_view event_id) = 0;

  // Whether a suppression entry with exactly this hash exists.
  virtual absl::StatusOr<bool> IsSuppressed(std::string_view hash) = 0;

  // The store's secret salt for suppression hashes (32 bytes for RocksStore, generated once when
  // the database is created and kept in meta "suppression_salt").
  virtual absl::StatusOr<std::string> GetSuppressionSalt() = 0;

  // The counter's value; 0 when it was never added to.
  virtual absl::StatusOr<int64_t> GetCounter(std::string_view key) = 0;

  // Every counter whose key starts with `prefix` (all for ""), in key order.
  virtual absl::StatusOr<std::vector<std::pair<std::string, int64_t>>> ListCounters(
      std::string_view prefix) = 0;

  // The records indexed under `customer_id` (a prefix scan of that customer's index entries):
  // unexpired decisions and dedupe records, identities and aliases, skipping an identity or
  // alias that now belongs to another customer. For erasure: delete them all, with the profile,
  // in one Commit.
  virtual absl::StatusOr<CustomerRecords> ListCustomerRecords(std::string_view customer_id) = 0;

  // An estimate of the number of stored profiles (exact for MemoryStore). Cheap.
  virtual absl::StatusOr<int64_t> ApproximateProfileCount() = 0;

  // Up to `limit` stored profiles, for the strategy what-if (ValidateStrategy): fewer only when
  // fewer are stored; none for limit 0. Never reads more than `limit` profiles. A sample, not a
  // snapshot of everyone: RocksStore starts a key-order scan at a pseudo-random key between the
  // first and the last customer id and wraps around to the first (one consistent read view, each
  // profile at most once, block cache not filled), so repeated calls on a large store see
  // different runs of customers; MemoryStore returns the first `limit` in customer-id order.
  // DataLoss when a stored profile does not parse; Unavailable/Internal as GetProfile.
  virtual absl::StatusOr<std::vector<nbo::v1::Profile>> SampleProfiles(size_t limit) = 0;

  // A property snapshot for metrics, name -> value; names are stable snake_case. RocksStore
  // reports "background_errors", "stall_micros", "block_cache_hit_ratio",
  // "block_cache_usage_bytes", "live_data_bytes", "estimated_profiles",
  // "expired_decisions_dropped", "expired_dedupe_dropped", "wal_sync_failures". May be short for
  // the fake. Cheap enough to call on every Prometheus scrape.
  virtual std::vector<std::pair<std::string, double>> Stats() = 0;
};

}  // namespace nbo::storage

#endif  // NBO_STORAGE_STORE_H_
