#include "tools/enum_names.h"

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/descriptor.h"

namespace nbo::tools {
namespace {

// "web" for value CHANNEL_WEB of an enum whose values share the prefix "CHANNEL_".
std::string ShortName(const google::protobuf::EnumDescriptor* type, absl::string_view prefix,
                      int number) {
  const google::protobuf::EnumValueDescriptor* value = type->FindValueByNumber(number);
  if (value == nullptr) return absl::StrCat(number);
  absl::string_view name = value->name();
  if (absl::StartsWith(name, prefix)) name.remove_prefix(prefix.size());
  return absl::AsciiStrToLower(name);
}

}  // namespace

absl::StatusOr<v1::Channel> ParseChannel(absl::string_view name) {
  const std::string lower = absl::AsciiStrToLower(name);
  if (lower != "unspecified" && !lower.empty()) {
    const google::protobuf::EnumValueDescriptor* value = v1::Channel_descriptor()->FindValueByName(
        absl::StrCat("CHANNEL_", absl::AsciiStrToUpper(name)));
    if (value != nullptr) return static_cast<v1::Channel>(value->number());
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown channel \"", name, "\"; valid channels: ", absl::StrJoin(ChannelNames(), ", ")));
}

std::string ChannelName(v1::Channel channel) {
  return ShortName(v1::Channel_descriptor(), "CHANNEL_", channel);
}

std::vector<std::string> ChannelNames() {
  std::vector<std::string> names;
  const google::protobuf::EnumDescriptor* type = v1::Channel_descriptor();
  for (int i = 0; i < type->value_count(); ++i) {
    if (type->value(i)->number() == v1::CHANNEL_UNSPECIFIED) continue;
    names.push_back(ShortName(type, "CHANNEL_", type->value(i)->number()));
  }
  return names;
}

std::string OfferKindName(v1::OfferKind kind) {
  return ShortName(v1::OfferKind_descriptor(), "OFFER_KIND_", kind);
}

}  // namespace nbo::tools
