// Stable hashes: SHA-256 (OpenSSL) for checksums, request fingerprints and suppression entries.
// Stable across processes and builds, unlike absl::Hash.
#ifndef NBO_SERVER_HASHING_H_
#define NBO_SERVER_HASHING_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace nbo::server {

// The 32 raw bytes of SHA-256(bytes).
std::string Sha256(absl::string_view bytes);
// SHA-256 as 64 lower-case hex digits.
std::string Sha256Hex(absl::string_view bytes);
// First 8 bytes of SHA-256 of the message's deterministic serialization: equal for equal messages.
uint64_t Fingerprint(const google::protobuf::Message& message);

}  // namespace nbo::server

#endif  // NBO_SERVER_HASHING_H_
