#include "server/strategy_holder.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "core/time_util.h"
#include "server/hashing.h"

namespace nbo::server {

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int err = errno;
    const std::string what = absl::StrCat("strategy file \"", path, "\": ", std::strerror(err));
    if (err == ENOENT) return absl::NotFoundError(what);
    if (err == EACCES) return absl::PermissionDeniedError(what);
    return absl::FailedPreconditionError(what);
  }
  std::stringstream ss;
  ss << in.rdbuf();
  if (in.bad())
    return absl::InternalError(absl::StrCat("strategy file \"", path, "\": read failed"));
  return ss.str();
}

std::string StrategyHolder::path() const {
  absl::MutexLock lock(&load_mu_);
  return path_;
}

absl::StatusOr<std::shared_ptr<const LoadedStrategy>> StrategyHolder::LoadFile(absl::Time now) {
  return LoadFile(path(), now);
}

absl::StatusOr<std::shared_ptr<const LoadedStrategy>> StrategyHolder::LoadFile(
    const std::string& path, absl::Time now) {
  auto json = ReadFile(path);
  if (!json.ok()) return json.status();
  auto loaded = Install(*std::move(json), path, now);
  if (loaded.ok()) {
    absl::MutexLock lock(&load_mu_);
    path_ = path;
  }
  return loaded;
}

absl::StatusOr<std::shared_ptr<const LoadedStrategy>> StrategyHolder::LoadInline(std::string json,
                                                                                 absl::Time now) {
  return Install(std::move(json), "inline", now);
}

absl::StatusOr<std::shared_ptr<const LoadedStrategy>> StrategyHolder::Install(std::string json,
                                                                              std::string source,
                                                                              absl::Time now) {
  core::StrategyLoadResult result = core::LoadStrategy(json);
  if (!result.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "strategy \"", source, "\" is invalid: ", core::FormatProblems(result.problems, false)));
  }
  auto loaded = std::make_shared<LoadedStrategy>();
  loaded->strategy = result.strategy;
  v1::StrategyInfo& info = loaded->info;
  const v1::Strategy& doc = result.strategy->document;
  info.set_version(doc.version());
  info.set_name(doc.name());
  info.set_checksum(Sha256Hex(json));
  core::ToProto(now, info.mutable_loaded_at());
  info.set_source(std::move(source));
  info.set_segments(doc.segments_size());
  info.set_offers(doc.offers_size());
  for (const auto& w : result.strategy->warnings) *info.add_warnings() = w;
  loaded->document_json = std::move(json);

  absl::MutexLock lock(&load_mu_);
  std::shared_ptr<const LoadedStrategy> installed = loaded;
  std::atomic_store(&current_, installed);
  return installed;
}

}  // namespace nbo::server
