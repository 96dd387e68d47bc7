// Lower-case names of API enums as analysts and the CLI write them ("web", "cross_sell"), and the
// event kind names used in rules ("page_view").
#ifndef NBO_CORE_NAMES_H_
#define NBO_CORE_NAMES_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "nbo/v1/common.pb.h"
#include "nbo/v1/event.pb.h"

namespace nbo::core {

// "web" for CHANNEL_WEB; "unspecified" for CHANNEL_UNSPECIFIED. Never allocates.
absl::string_view ChannelName(v1::Channel channel);
// CHANNEL_WEB for "web"; nullopt for unknown names and for "unspecified".
std::optional<v1::Channel> ParseChannel(absl::string_view name);
// Every valid channel name, in enum order (for error messages and help).
const std::vector<std::string>& ChannelNames();

absl::string_view OfferKindName(v1::OfferKind kind);
std::optional<v1::OfferKind> ParseOfferKind(absl::string_view name);
const std::vector<std::string>& OfferKindNames();

// "page_view" for an event whose oneof holds page_view; "" when no kind is set. Never allocates.
absl::string_view EventKindName(const v1::Event& event);
// Every event kind name, in field order.
const std::vector<std::string>& EventKindNames();

}  // namespace nbo::core

#endif  // NBO_CORE_NAMES_H_
