// The on-disk key and value formats shared by RocksStore and MemoryStore (docs/storage.md).
// Internal to nbo_storage.
#ifndef NBO_STORAGE_KEYS_H_
#define NBO_STORAGE_KEYS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/time/time.h"

namespace nbo::storage {

// identities CF: three kinds of key, told apart by their first byte.
inline constexpr char kIdentityKeyTag = 'i';     // 'i' source '\0' external_id -> customer_id
inline constexpr char kAliasKeyTag = 'a';        // 'a' absorbed_id -> survivor_id
inline constexpr char kSuppressionKeyTag = 's';  // 's' hash(32) -> ""

std::string IdentityKey(std::string_view source, std::string_view external_id);
std::string AliasKey(std::string_view absorbed_id);
std::string SuppressionKey(std::string_view hash);

// customer_index CF: customer_id '\0' kind id -> expiry (8 bytes) or "" (never expires).
inline constexpr char kIndexDecision = 'd';  // id: decision_id
inline constexpr char kIndexEvent = 'e';     // id: event_id of a dedupe record
inline constexpr char kIndexIdentity = 'i';  // id: source '\0' external_id
inline constexpr char kIndexAlias = 'a';     // id: absorbed_id

// customer_id '\0': every index key of the customer starts with it.
std::string IndexPrefix(std::string_view customer_id);
std::string IndexKey(std::string_view customer_id, char kind, std::string_view id);

// An index value: `expires_at` as big-endian unix nanoseconds (clamped to [0, 2^63)).
std::string EncodeIndexExpiry(absl::Time expires_at);
// The expiry of an index value; InfiniteFuture for "" (and for a malformed value).
absl::Time DecodeIndexExpiry(std::string_view value);

// counters CF values: int64, 8 bytes little-endian (two's complement).
std::string EncodeCounter(int64_t value);
// False when `bytes` is not 8 bytes long.
bool DecodeCounter(std::string_view bytes, int64_t* value);

}  // namespace nbo::storage

#endif  // NBO_STORAGE_KEYS_H_
