// The server's budget and capacity counters: BudgetLedger counts in memory for all requests and
// loads each counter from the store on first use; RequestBudget is one request's view of it,
// whose net charges the request commits with the rest of its writes (or takes back on failure).
// Key layout and crash behaviour: docs/storage.md, "Budget counters".
#ifndef NBO_SERVER_BUDGET_LEDGER_H_
#define NBO_SERVER_BUDGET_LEDGER_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/node_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "core/budget.h"
#include "storage/store.h"

namespace nbo::server {

// Every budget and capacity counter of the process, keyed by name (e.g.
// "budget/tv_sport/day/2026-11-23/count"), each an atomic int64.
//
// A counter starts from Store::GetCounter the first time its key is used, exactly once per key
// even when many threads use a new key at the same time, so counts survive restarts as long as
// every charge is also committed to the store (RequestBudget does that). The ledger itself never
// writes to the store.
//
// Store read errors fail closed: a key whose load fails is not counted in memory, TryCharge
// refuses it, Add/Get/Charge return the error and every method records it in last_error(). The
// failed load is not remembered, so the next use of the key reads the store again.
//
// Memory: one entry (the key plus a few dozen bytes) per key ever used, kept until the process
// ends, so keys of past days and hours stay until a restart; that is a handful per offer per day.
//
// Thread-safe: all methods may be called concurrently. Using a known key takes a reader lock
// and does atomic operations only; the ledger-wide lock is taken exclusively only to insert a
// new key, and never while reading the store.
class BudgetLedger {
 public:
  // `store` must outlive the ledger. Every committed change of a counter must go through this
  // ledger (one ledger per store), or memory and store drift apart until the next restart.
  explicit BudgetLedger(storage::Store& store) : store_(store) {}
  BudgetLedger(const BudgetLedger&) = delete;
  BudgetLedger& operator=(const BudgetLedger&) = delete;

  // The counter's value (0 when never charged). InvalidArgument for an empty key; the store's
  // error (Unavailable, DataLoss, ...) when the counter cannot be loaded.
  absl::StatusOr<int64_t> Get(absl::string_view key);

  // Adds `amount` to the counter when the result stays <= `limit` (compare-and-swap, so no
  // interleaving of charges ever exceeds a limit): true when charged, false when the limit
  // refuses (nothing changes, also when the sum would overflow). Errors as Get, nothing charged.
  absl::StatusOr<bool> Charge(absl::string_view key, int64_t amount, int64_t limit);

  // Adds `delta` (may be negative) without a limit, e.g. for budgets charged on acceptance.
  // Errors as Get, nothing changed.
  absl::Status Add(absl::string_view key, int64_t delta);

  // core::BudgetGate-shaped forms of the above, for callers that cannot return a status; an
  // error is only recorded in last_error().
  // Get, or 0 when the counter cannot be loaded.
  int64_t Spent(absl::string_view key);
  // Charge; false when the counter cannot be loaded (fail closed).
  bool TryCharge(absl::string_view key, int64_t amount, int64_t limit);
  // Add(key, -amount): takes back a charge. REQUIRES: amount >= 0.
  void Refund(absl::string_view key, int64_t amount);

  // The error of the most recent failed load (of any key); OK when no load has failed yet. Not
  // cleared by later successful loads, so a scrape sees that something failed.
  absl::Status last_error() const;

  // Number of keys held (loaded or not), for metrics and tests.
  size_t size() const;

 private:
  struct Counter {
    std::atomic<int64_t> value{0};
    // Set (release) after `value` holds the stored count; read (acquire) on every use.
    std::atomic<bool> loaded{false};
    // Held while this key is read from the store, so that it is read once; uses of other keys
    // never wait for it.
    absl::Mutex load_mu;
  };

  // The loaded counter of `key`, inserting and loading it when needed. The pointer stays valid
  // for the ledger's life (entries are never erased; node_hash_map nodes do not move).
  absl::StatusOr<Counter*> Find(absl::string_view key);
  void RecordError(const absl::Status& status);

  storage::Store& store_;
  mutable absl::Mutex mu_;
  absl::node_hash_map<std::string, Counter> counters_ ABSL_GUARDED_BY(mu_);
  mutable absl::Mutex error_mu_;
  absl::Status last_error_ ABSL_GUARDED_BY(error_mu_);
};

// One request's charges: forwards to a shared BudgetLedger and remembers the net charge per key
// made through it, so the request can write exactly those to the store in its own commit and
// take them back when that commit fails. Charges are pending until Commit() or Rollback(); the
// destructor rolls back pending charges, so a request that errors out midway leaks nothing.
//
// Use: charge (TryCharge/Refund/Add) -> AddTo(writes) -> store.Commit(writes) -> Commit() when it
// succeeded, Rollback() when it failed.
//
// Not thread-safe: one request, one thread. The ledger must outlive it.
class RequestBudget : public core::BudgetGate {
 public:
  explicit RequestBudget(BudgetLedger& ledger) : ledger_(ledger) {}
  // Rolls back pending charges.
  ~RequestBudget() override;
  RequestBudget(const RequestBudget&) = delete;
  RequestBudget& operator=(const RequestBudget&) = delete;

  // BudgetLedger::Spent/TryCharge/Refund, recording successful charges and refunds as pending.
  // A store read error makes them fail closed (0 / false / no refund) and is kept in status().
  int64_t Spent(absl::string_view key) override;
  bool TryCharge(absl::string_view key, int64_t amount, int64_t limit) override;
  void Refund(absl::string_view key, int64_t amount) override;

  // BudgetLedger::Add, recorded as pending on success. Errors as BudgetLedger::Add (also kept in
  // status()); nothing is recorded then.
  absl::Status Add(absl::string_view key, int64_t delta);

  // Appends one entry per key with a non-zero net pending charge to writes.counter_adds, in key
  // order. Appends nothing when nothing is pending.
  void AddTo(storage::WriteSet& writes) const;

  // The pending charges are now in the store: keeps them in the ledger and forgets them here.
  void Commit();

  // Takes every pending charge back out of the ledger and forgets it (used when the store commit
  // failed, so memory never counts what the store does not). No-op when nothing is pending.
  void Rollback();

  // The first store read error a call through this budget met; OK when none. A request that
  // sees an error here was refused budgets for lack of data, not because they were spent.
  const absl::Status& status() const { return status_; }

 private:
  void Record(absl::string_view key, int64_t delta);
  void NoteError(const absl::Status& status);

  BudgetLedger& ledger_;
  absl::flat_hash_map<std::string, int64_t> pending_;  // key -> net charge, may net to 0
  absl::Status status_;
};

}  // namespace nbo::server

#endif  // NBO_SERVER_BUDGET_LEDGER_H_
