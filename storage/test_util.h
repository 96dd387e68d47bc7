// Helpers for storage tests and benchmarks: a thread-safe fake clock and a self-removing temp dir.
// Header-only, test code only.
#ifndef NBO_STORAGE_TEST_UTIL_H_
#define NBO_STORAGE_TEST_UTIL_H_

#include <stdlib.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <system_error>
#include <vector>

#include "absl/time/time.h"

namespace nbo::storage::testing {

// A clock that only moves when told to. Thread-safe.
class FakeClock {
 public:
  explicit FakeClock(absl::Time start = absl::FromUnixSeconds(1'700'000'000))
      : nanos_(absl::ToUnixNanos(start)) {}
  absl::Time Now() const { return absl::FromUnixNanos(nanos_.load()); }
  void Set(absl::Time t) { nanos_.store(absl::ToUnixNanos(t)); }
  void Advance(absl::Duration d) { nanos_.fetch_add(absl::ToInt64Nanoseconds(d)); }
  // A callable for Store options. The clock must outlive the store.
  std::function<absl::Time()> AsFunction() const {
    return [this] { return Now(); };
  }

 private:
  std::atomic<int64_t> nanos_;
};

// A fresh directory made with mkdtemp under `base`, removed (recursively) on destruction.
// path() is empty when creation failed.
class ScopedTempDir {
 public:
  explicit ScopedTempDir(const std::string& base) {
    std::string tmpl = base;
    if (!tmpl.empty() && tmpl.back() != '/') tmpl += '/';
    tmpl += "nbo_storage_XXXXXX";
    std::vector<char> buffer(tmpl.begin(), tmpl.end());
    buffer.push_back('\0');
    if (mkdtemp(buffer.data()) != nullptr) path_ = buffer.data();
  }
  ~ScopedTempDir() {
    if (path_.empty()) return;
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScopedTempDir(const ScopedTempDir&) = delete;
  ScopedTempDir& operator=(const ScopedTempDir&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace nbo::storage::testing

#endif  // NBO_STORAGE_TEST_UTIL_H_
