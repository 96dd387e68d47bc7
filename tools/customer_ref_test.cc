#include "tools/customer_ref.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace nbo::tools {
namespace {

using ::testing::HasSubstr;

TEST(CustomerRefTest, ParsesNboCustomerId) {
  absl::StatusOr<v1::CustomerRef> ref = ParseCustomerRef("c-1001");
  ASSERT_TRUE(ref.ok()) << ref.status();
  EXPECT_EQ(ref->customer_id(), "c-1001");
}

TEST(CustomerRefTest, ParsesSourceIdentity) {
  absl::StatusOr<v1::CustomerRef> ref = ParseCustomerRef("loyalty:L-77812");
  ASSERT_TRUE(ref.ok()) << ref.status();
  ASSERT_TRUE(ref->has_identity());
  EXPECT_EQ(ref->identity().source(), "loyalty");
  EXPECT_EQ(ref->identity().external_id(), "L-77812");
}

TEST(CustomerRefTest, ExternalIdMayContainColons) {
  absl::StatusOr<v1::CustomerRef> ref = ParseCustomerRef("web:ck:9f:aa");
  ASSERT_TRUE(ref.ok()) << ref.status();
  EXPECT_EQ(ref->identity().source(), "web");
  EXPECT_EQ(ref->identity().external_id(), "ck:9f:aa");
}

TEST(CustomerRefTest, RejectsEmpty) {
  absl::StatusOr<v1::CustomerRef> ref = ParseCustomerRef("");
  EXPECT_EQ(ref.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(ref.status().message(), HasSubstr("--customer"));
  EXPECT_THAT(ref.status().message(), HasSubstr("source:external_id"));
}

TEST(CustomerRefTest, RejectsEmptySource) {
  EXPECT_EQ(ParseCustomerRef(":L-1").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(CustomerRefTest, RejectsEmptyExternalId) {
  absl::StatusOr<v1::CustomerRef> ref = ParseCustomerRef("loyalty:");
  EXPECT_EQ(ref.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(ref.status().message(), HasSubstr("empty external id"));
}

TEST(CustomerRefTest, RejectsUpperCaseSource) {
  absl::StatusOr<v1::CustomerRef> ref = ParseCustomerRef("Loyalty:L-1");
  EXPECT_EQ(ref.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(ref.status().message(), HasSubstr("[a-z0-9_-]"));
}

TEST(CustomerRefTest, RejectsTooLongCustomerId) {
  EXPECT_TRUE(ParseCustomerRef(std::string(128, 'x')).ok());
  EXPECT_EQ(ParseCustomerRef(std::string(129, 'x')).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(CustomerRefTest, RejectsNonPrintableCustomerId) {
  EXPECT_EQ(ParseCustomerRef("c-1\n").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(CustomerRefTest, FormatsBothFormsBack) {
  EXPECT_EQ(CustomerRefToString(*ParseCustomerRef("c-1001")), "c-1001");
  EXPECT_EQ(CustomerRefToString(*ParseCustomerRef("loyalty:L-77812")), "loyalty:L-77812");
  EXPECT_EQ(CustomerRefToString(v1::CustomerRef()), "");
}

}  // namespace
}  // namespace nbo::tools
