#include "tools/customer_ref.h"

#include <cstddef>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace nbo::tools {
namespace {

constexpr size_t kMaxCustomerId = 128;
constexpr size_t kMaxSource = 64;
constexpr size_t kMaxExternalId = 256;

bool IsPrintableAscii(absl::string_view s) {
  for (char c : s) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

bool IsSourceName(absl::string_view s) {
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

absl::Status Bad(absl::string_view text, absl::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("--customer \"", text, "\": ", why,
                   "; write an nbo customer id (c-1001) or source:external_id (loyalty:L-77812)"));
}

}  // namespace

absl::StatusOr<v1::CustomerRef> ParseCustomerRef(absl::string_view text) {
  v1::CustomerRef ref;
  if (text.empty()) return Bad(text, "empty customer reference");
  const size_t colon = text.find(':');
  if (colon == absl::string_view::npos) {
    if (text.size() > kMaxCustomerId) return Bad(text, "customer id longer than 128 characters");
    if (!IsPrintableAscii(text)) return Bad(text, "customer id must be printable ASCII");
    ref.set_customer_id(std::string(text));
    return ref;
  }
  const absl::string_view source = text.substr(0, colon);
  const absl::string_view external_id = text.substr(colon + 1);
  if (source.empty()) return Bad(text, "empty source before ':'");
  if (source.size() > kMaxSource) return Bad(text, "source longer than 64 characters");
  if (!IsSourceName(source)) return Bad(text, "source must be lower-case [a-z0-9_-]");
  if (external_id.empty()) return Bad(text, "empty external id after ':'");
  if (external_id.size() > kMaxExternalId) {
    return Bad(text, "external id longer than 256 characters");
  }
  if (!IsPrintableAscii(external_id)) return Bad(text, "external id must be printable ASCII");
  ref.mutable_identity()->set_source(std::string(source));
  ref.mutable_identity()->set_external_id(std::string(external_id));
  return ref;
}

std::string CustomerRefToString(const v1::CustomerRef& ref) {
  switch (ref.ref_case()) {
    case v1::CustomerRef::kCustomerId:
      return ref.customer_id();
    case v1::CustomerRef::kIdentity:
      return absl::StrCat(ref.identity().source(), ":", ref.identity().external_id());
    case v1::CustomerRef::REF_NOT_SET:
      break;
  }
  return "";
}

}  // namespace nbo::tools
