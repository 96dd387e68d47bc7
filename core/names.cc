#include "core/names.h"

#include <array>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "google/protobuf/descriptor.h"

namespace nbo::core {
namespace {

using google::protobuf::EnumDescriptor;

// Lower-case names of an enum's values without its prefix, indexed by value. Built once.
struct EnumNames {
  EnumNames(const EnumDescriptor* d, absl::string_view prefix) : descriptor(d), prefix(prefix) {
    for (int i = 0; i < d->value_count(); ++i) {
      const auto* v = d->value(i);
      std::string name = absl::AsciiStrToLower(v->name().substr(prefix.size()));
      if (v->number() >= static_cast<int>(by_value.size())) by_value.resize(v->number() + 1);
      by_value[v->number()] = name;
      if (v->number() != 0) valid.push_back(name);
    }
  }
  absl::string_view Name(int value) const {
    if (value < 0 || value >= static_cast<int>(by_value.size())) return "unknown";
    return by_value[value];
  }
  std::optional<int> Parse(absl::string_view name) const {
    if (name.empty() || name == "unspecified") return std::nullopt;
    const auto* v = descriptor->FindValueByName(prefix + absl::AsciiStrToUpper(name));
    if (v == nullptr) return std::nullopt;
    return v->number();
  }
  const EnumDescriptor* descriptor;
  std::string prefix;
  std::vector<std::string> by_value;
  std::vector<std::string> valid;
};

const EnumNames& Channels() {
  static const auto* names = new EnumNames(v1::Channel_descriptor(), "CHANNEL_");
  return *names;
}
const EnumNames& OfferKinds() {
  static const auto* names = new EnumNames(v1::OfferKind_descriptor(), "OFFER_KIND_");
  return *names;
}

// Event kinds are the fields of the `kind` oneof, named as in the proto.
struct EventKinds {
  EventKinds() {
    const auto* oneof = v1::Event::descriptor()->FindOneofByName("kind");
    for (int i = 0; i < oneof->field_count(); ++i) {
      const auto* f = oneof->field(i);
      if (f->number() >= static_cast<int>(by_case.size())) by_case.resize(f->number() + 1);
      by_case[f->number()] = f->name();
      names.push_back(f->name());
    }
  }
  std::vector<std::string> by_case;  // indexed by field number == oneof case
  std::vector<std::string> names;
};

const EventKinds& Events() {
  static const auto* kinds = new EventKinds();
  return *kinds;
}

}  // namespace

absl::string_view ChannelName(v1::Channel channel) { return Channels().Name(channel); }
std::optional<v1::Channel> ParseChannel(absl::string_view name) {
  auto v = Channels().Parse(name);
  if (!v) return std::nullopt;
  return static_cast<v1::Channel>(*v);
}
const std::vector<std::string>& ChannelNames() { return Channels().valid; }

absl::string_view OfferKindName(v1::OfferKind kind) { return OfferKinds().Name(kind); }
std::optional<v1::OfferKind> ParseOfferKind(absl::string_view name) {
  auto v = OfferKinds().Parse(name);
  if (!v) return std::nullopt;
  return static_cast<v1::OfferKind>(*v);
}
const std::vector<std::string>& OfferKindNames() { return OfferKinds().valid; }

absl::string_view EventKindName(const v1::Event& event) {
  const int c = event.kind_case();
  const auto& by_case = Events().by_case;
  if (c <= 0 || c >= static_cast<int>(by_case.size())) return "";
  return by_case[c];
}
const std::vector<std::string>& EventKindNames() { return Events().names; }

}  // namespace nbo::core
