// The strategy currently serving, swapped whole and atomically on reload.
#ifndef NBO_SERVER_STRATEGY_HOLDER_H_
#define NBO_SERVER_STRATEGY_HOLDER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "core/strategy.h"
#include "core/strategy_loader.h"
#include "nbo/v1/strategy.pb.h"

namespace nbo::server {

// A strategy with where and when it came from.
struct LoadedStrategy {
  std::shared_ptr<const core::Strategy> strategy;
  std::string document_json;  // the bytes as loaded
  v1::StrategyInfo info;      // version, checksum, loaded_at, source, counts, warnings
};

// Thread-safe: Current() may be called concurrently with loads. Readers get a shared_ptr that
// keeps their strategy alive even while a reload swaps in another: nobody sees half a strategy.
class StrategyHolder {
 public:
  // `path` is the file Load/ReloadFromFile read.
  explicit StrategyHolder(std::string path) : path_(std::move(path)) {}

  // The serving strategy; nullptr only before the first successful load.
  std::shared_ptr<const LoadedStrategy> Current() const { return std::atomic_load(&current_); }

  // Reads and validates the configured file and swaps it in. On failure the serving strategy is
  // unchanged: NotFound/PermissionDenied naming the file when unreadable, InvalidArgument listing
  // every problem when invalid.
  absl::StatusOr<std::shared_ptr<const LoadedStrategy>> LoadFile(absl::Time now);
  // Same for another file, which becomes the configured file on success.
  absl::StatusOr<std::shared_ptr<const LoadedStrategy>> LoadFile(const std::string& path,
                                                                 absl::Time now);
  // Same for a document sent inline.
  absl::StatusOr<std::shared_ptr<const LoadedStrategy>> LoadInline(std::string json,
                                                                   absl::Time now);

  std::string path() const;

 private:
  absl::StatusOr<std::shared_ptr<const LoadedStrategy>> Install(std::string json,
                                                                std::string source, absl::Time now);

  mutable absl::Mutex load_mu_;  // serialises loads (not reads)
  std::string path_ ABSL_GUARDED_BY(load_mu_);
  std::shared_ptr<const LoadedStrategy> current_;  // accessed with std::atomic_load/store only
};

// Reads a whole file. NotFound / PermissionDenied / Internal naming the path.
absl::StatusOr<std::string> ReadFile(const std::string& path);

}  // namespace nbo::server

#endif  // NBO_SERVER_STRATEGY_HOLDER_H_
