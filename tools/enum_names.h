// Lower-case command-line names of the API enums: "web" <-> CHANNEL_WEB, "cross_sell" for
// OFFER_KIND_CROSS_SELL. Derived from the enum descriptors, so new enum values need no code change.
#ifndef NBO_TOOLS_ENUM_NAMES_H_
#define NBO_TOOLS_ENUM_NAMES_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "nbo/v1/common.pb.h"

namespace nbo::tools {

// CHANNEL_WEB for "web" ("CHANNEL_" + upper case of the name). InvalidArgument listing the valid
// names for unknown names and for "unspecified".
absl::StatusOr<v1::Channel> ParseChannel(absl::string_view name);

// "web" for CHANNEL_WEB; "unspecified" for CHANNEL_UNSPECIFIED; the number for unknown values.
std::string ChannelName(v1::Channel channel);

// Every valid channel name in enum order, without "unspecified".
std::vector<std::string> ChannelNames();

// "cross_sell" for OFFER_KIND_CROSS_SELL; "unspecified"; the number for unknown values.
std::string OfferKindName(v1::OfferKind kind);

}  // namespace nbo::tools

#endif  // NBO_TOOLS_ENUM_NAMES_H_
