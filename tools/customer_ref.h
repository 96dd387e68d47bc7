// Customer references as written on the nbo command line: "c-1001" or "loyalty:L-77812".
#ifndef NBO_TOOLS_CUSTOMER_REF_H_
#define NBO_TOOLS_CUSTOMER_REF_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "nbo/v1/common.pb.h"

namespace nbo::tools {

// Parses a customer reference.
//   "c-1001"          -> CustomerRef.customer_id = "c-1001" (1..128 printable ASCII, no ':')
//   "loyalty:L-77812" -> CustomerRef.identity {source: "loyalty", external_id: "L-77812"}
//                        (source 1..64 of [a-z0-9_-]; external id 1..256 printable ASCII; only the
//                        first ':' splits, so the external id may itself contain ':')
// On failure returns InvalidArgument naming --customer and the expected forms.
absl::StatusOr<v1::CustomerRef> ParseCustomerRef(absl::string_view text);

// The reverse of ParseCustomerRef, for messages: "c-1001" or "loyalty:L-77812"; "" when unset.
std::string CustomerRefToString(const v1::CustomerRef& ref);

}  // namespace nbo::tools

#endif  // NBO_TOOLS_CUSTOMER_REF_H_
