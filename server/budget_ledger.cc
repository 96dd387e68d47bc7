#include "server/budget_ledger.h"

#include <algorithm>
#include <string_view>
#include <utility>
#include <vector>

namespace nbo::server {

absl::StatusOr<BudgetLedger::Counter*> BudgetLedger::Find(absl::string_view key) {
  if (key.empty()) return absl::InvalidArgumentError("budget counter key is empty");
  Counter* counter = nullptr;
  {
    absl::ReaderMutexLock lock(&mu_);
    auto it = counters_.find(key);
    if (it != counters_.end()) counter = &it->second;
  }
  if (counter == nullptr) {
    // Only the insert is exclusive; the store read below happens outside mu_, so a slow read
    // of a new key never stalls charges of known keys.
    absl::MutexLock lock(&mu_);
    counter = &counters_.try_emplace(std::string(key)).first->second;
  }
  if (counter->loaded.load(std::memory_order_acquire)) return counter;

  absl::MutexLock lock(&counter->load_mu);
  // Another thread may have loaded the key while this one waited for load_mu.
  if (counter->loaded.load(std::memory_order_acquire)) return counter;
  absl::StatusOr<int64_t> stored = store_.GetCounter(std::string_view(key.data(), key.size()));
  if (!stored.ok()) {
    // Not marked loaded: the next use reads the store again, so a passing outage heals.
    RecordError(stored.status());
    return stored.status();
  }
  // Nothing else has touched `value`: every use of a key goes through this load first.
  counter->value.store(*stored, std::memory_order_relaxed);
  counter->loaded.store(true, std::memory_order_release);
  return counter;
}

void BudgetLedger::RecordError(const absl::Status& status) {
  absl::MutexLock lock(&error_mu_);
  last_error_ = status;
}

absl::StatusOr<int64_t> BudgetLedger::Get(absl::string_view key) {
  absl::StatusOr<Counter*> counter = Find(key);
  if (!counter.ok()) return counter.status();
  return (*counter)->value.load();
}

absl::StatusOr<bool> BudgetLedger::Charge(absl::string_view key, int64_t amount, int64_t limit) {
  absl::StatusOr<Counter*> counter = Find(key);
  if (!counter.ok()) return counter.status();
  std::atomic<int64_t>& value = (*counter)->value;
  int64_t current = value.load();
  int64_t next = 0;
  do {
    // Checked against the value the exchange will replace, so no interleaving exceeds `limit`.
    if (__builtin_add_overflow(current, amount, &next) || next > limit) return false;
  } while (!value.compare_exchange_weak(current, next));
  return true;
}

absl::Status BudgetLedger::Add(absl::string_view key, int64_t delta) {
  absl::StatusOr<Counter*> counter = Find(key);
  if (!counter.ok()) return counter.status();
  // Wraps on overflow, like the store's merge operator, so memory and store stay equal.
  (*counter)->value.fetch_add(delta);
  return absl::OkStatus();
}

int64_t BudgetLedger::Spent(absl::string_view key) {
  absl::StatusOr<int64_t> value = Get(key);
  return value.ok() ? *value : 0;
}

bool BudgetLedger::TryCharge(absl::string_view key, int64_t amount, int64_t limit) {
  absl::StatusOr<bool> charged = Charge(key, amount, limit);
  return charged.ok() && *charged;
}

void BudgetLedger::Refund(absl::string_view key, int64_t amount) {
  // A failed load is already in last_error(); there is nothing in memory to refund then.
  Add(key, -amount).IgnoreError();
}

absl::Status BudgetLedger::last_error() const {
  absl::MutexLock lock(&error_mu_);
  return last_error_;
}

size_t BudgetLedger::size() const {
  absl::ReaderMutexLock lock(&mu_);
  return counters_.size();
}

RequestBudget::~RequestBudget() { Rollback(); }

int64_t RequestBudget::Spent(absl::string_view key) {
  absl::StatusOr<int64_t> value = ledger_.Get(key);
  if (!value.ok()) {
    NoteError(value.status());
    return 0;
  }
  return *value;
}

bool RequestBudget::TryCharge(absl::string_view key, int64_t amount, int64_t limit) {
  absl::StatusOr<bool> charged = ledger_.Charge(key, amount, limit);
  if (!charged.ok()) {
    NoteError(charged.status());
    return false;
  }
  if (*charged) Record(key, amount);
  return *charged;
}

void RequestBudget::Refund(absl::string_view key, int64_t amount) {
  absl::Status status = ledger_.Add(key, -amount);
  if (!status.ok()) {
    NoteError(status);
    return;
  }
  Record(key, -amount);
}

absl::Status RequestBudget::Add(absl::string_view key, int64_t delta) {
  absl::Status status = ledger_.Add(key, delta);
  if (!status.ok()) {
    NoteError(status);
    return status;
  }
  Record(key, delta);
  return absl::OkStatus();
}

void RequestBudget::AddTo(storage::WriteSet& writes) const {
  // Key order keeps the commit deterministic (the map's order is not).
  std::vector<std::pair<std::string, int64_t>> adds;
  for (const auto& [key, delta] : pending_) {
    if (delta != 0) adds.emplace_back(key, delta);
  }
  std::sort(adds.begin(), adds.end());
  writes.counter_adds.insert(writes.counter_adds.end(), std::make_move_iterator(adds.begin()),
                             std::make_move_iterator(adds.end()));
}

void RequestBudget::Commit() { pending_.clear(); }

void RequestBudget::Rollback() {
  for (const auto& [key, delta] : pending_) {
    // Cannot fail: the key was loaded when it was charged, and loaded keys stay loaded.
    if (delta != 0) ledger_.Add(key, -delta).IgnoreError();
  }
  pending_.clear();
}

void RequestBudget::Record(absl::string_view key, int64_t delta) { pending_[key] += delta; }

void RequestBudget::NoteError(const absl::Status& status) {
  if (status_.ok()) status_ = status;
}

}  // namespace nbo::server
