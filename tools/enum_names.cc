#include "tools/enum_names.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/names.h"

namespace nbo::tools {

// The names themselves live in core/names.h, shared with the strategy loader; the CLI adds an
// error that lists what is valid.
absl::StatusOr<v1::Channel> ParseChannel(absl::string_view name) {
  if (auto channel = core::ParseChannel(name)) return *channel;
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown channel \"", name, "\"; valid channels: ", absl::StrJoin(ChannelNames(), ", ")));
}

// A value this build does not know (a newer server) shows as its number.
std::string ChannelName(v1::Channel channel) {
  return v1::Channel_IsValid(channel) ? std::string(core::ChannelName(channel))
                                      : absl::StrCat(static_cast<int>(channel));
}

std::vector<std::string> ChannelNames() { return core::ChannelNames(); }

std::string OfferKindName(v1::OfferKind kind) {
  return v1::OfferKind_IsValid(kind) ? std::string(core::OfferKindName(kind))
                                     : absl::StrCat(static_cast<int>(kind));
}

}  // namespace nbo::tools
