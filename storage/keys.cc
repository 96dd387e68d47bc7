#include "storage/keys.h"

#include <cstddef>
#include <limits>

namespace nbo::storage {
namespace {

std::string Tagged(char tag, std::string_view rest) {
  std::string key;
  key.reserve(1 + rest.size());
  key.push_back(tag);
  key.append(rest);
  return key;
}

}  // namespace

std::string IdentityKey(std::string_view source, std::string_view external_id) {
  std::string key = Tagged(kIdentityKeyTag, source);
  key.push_back('\0');
  key.append(external_id);
  return key;
}

std::string AliasKey(std::string_view absorbed_id) { return Tagged(kAliasKeyTag, absorbed_id); }

std::string SuppressionKey(std::string_view hash) { return Tagged(kSuppressionKeyTag, hash); }

std::string IndexPrefix(std::string_view customer_id) {
  std::string key(customer_id);
  key.push_back('\0');
  return key;
}

std::string IndexKey(std::string_view customer_id, char kind, std::string_view id) {
  std::string key = IndexPrefix(customer_id);
  key.push_back(kind);
  key.append(id);
  return key;
}

std::string EncodeIndexExpiry(absl::Time expires_at) {
  int64_t nanos = absl::ToUnixNanos(expires_at);  // saturates
  if (nanos < 0) nanos = 0;
  const auto bits = static_cast<uint64_t>(nanos);
  std::string value(8, '\0');
  for (int i = 0; i < 8; ++i) value[i] = static_cast<char>((bits >> (56 - 8 * i)) & 0xff);
  return value;
}

absl::Time DecodeIndexExpiry(std::string_view value) {
  if (value.size() != 8) return absl::InfiniteFuture();
  uint64_t bits = 0;
  for (char c : value) bits = (bits << 8) | static_cast<unsigned char>(c);
  if (bits > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return absl::InfiniteFuture();
  }
  return absl::FromUnixNanos(static_cast<int64_t>(bits));
}

std::string EncodeCounter(int64_t value) {
  const auto bits = static_cast<uint64_t>(value);
  std::string bytes(8, '\0');
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>((bits >> (8 * i)) & 0xff);
  return bytes;
}

bool DecodeCounter(std::string_view bytes, int64_t* value) {
  if (bytes.size() != 8) return false;
  uint64_t bits = 0;
  for (size_t i = 0; i < 8; ++i) bits |= uint64_t{static_cast<unsigned char>(bytes[i])} << (8 * i);
  *value =
      static_cast<int64_t>(bits);  // two's complement (C++20 guarantees it; all our targets do)
  return true;
}

}  // namespace nbo::storage
