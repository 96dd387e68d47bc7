#include "tools/admin_request.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace nbo::tools {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// The status message as a std::string (gMock string matchers need one; absl::string_view is not
// std::string_view on Debian).
std::string Message(const absl::Status& status) { return std::string(status.message()); }

TEST(BuildLinkRequestTest, CustomerAndIdentity) {
  absl::StatusOr<v1::LinkIdentityRequest> request = BuildLinkRequest("c-2001", "loyalty:L-1001");
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->customer().customer_id(), "c-2001");
  EXPECT_EQ(request->identity().source(), "loyalty");
  EXPECT_EQ(request->identity().external_id(), "L-1001");

  // The customer may itself be given by another identity.
  request = BuildLinkRequest("web:ck-1", "loyalty:L-1001");
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->customer().identity().source(), "web");
}

TEST(BuildLinkRequestTest, SecondArgumentMustBeAnIdentity) {
  EXPECT_THAT(Message(BuildLinkRequest("c-2001", "c-2002").status()),
              StartsWith("link needs a source identity source:external_id"));
  EXPECT_THAT(Message(BuildLinkRequest("c-2001", "Loyalty:L-1").status()),
              HasSubstr("source must be lower-case"));
  EXPECT_THAT(Message(BuildLinkRequest("", "loyalty:L-1").status()),
              HasSubstr("empty customer reference"));
}

ConsentArgs Consent(const std::string& channel, bool in, bool out) {
  ConsentArgs args;
  args.customer = "c-2001";
  args.channel = channel;
  args.opt_in = in;
  args.opt_out = out;
  return args;
}

TEST(BuildConsentRequestTest, OneChannel) {
  ConsentArgs args = Consent("email", false, true);
  args.source = "web_preferences";
  absl::StatusOr<v1::UpdateConsentRequest> request = BuildConsentRequest(args);
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->customer().customer_id(), "c-2001");
  EXPECT_EQ(request->channel(), v1::CHANNEL_EMAIL);
  EXPECT_FALSE(request->opted_in());
  EXPECT_EQ(request->source(), "web_preferences");
  EXPECT_FALSE(request->has_at());
}

TEST(BuildConsentRequestTest, AllIsMarketingAsAWhole) {
  absl::StatusOr<v1::UpdateConsentRequest> request =
      BuildConsentRequest(Consent("all", true, false));
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->channel(), v1::CHANNEL_UNSPECIFIED);
  EXPECT_TRUE(request->opted_in());
}

TEST(BuildConsentRequestTest, Errors) {
  EXPECT_EQ(BuildConsentRequest(Consent("email", true, true)).status().message(),
            "consent needs exactly one of --opt_in, --opt_out");
  EXPECT_EQ(BuildConsentRequest(Consent("email", false, false)).status().message(),
            "consent needs exactly one of --opt_in, --opt_out");
  EXPECT_THAT(Message(BuildConsentRequest(Consent("", true, false)).status()),
              StartsWith("consent needs --channel: one of web, "));
  const std::string fax =
      std::string(BuildConsentRequest(Consent("fax", true, false)).status().message());
  EXPECT_THAT(fax, StartsWith("unknown channel \"fax\"; valid channels: web,"));
  EXPECT_THAT(fax, HasSubstr(", or all (marketing as a whole)"));
  EXPECT_THAT(Message(BuildConsentRequest(Consent("unspecified", true, false)).status()),
              StartsWith("unknown channel \"unspecified\""));
  ConsentArgs long_source = Consent("sms", true, false);
  long_source.source = std::string(65, 's');
  EXPECT_EQ(BuildConsentRequest(long_source).status().message(),
            "--source must be at most 64 characters");
  ConsentArgs nobody = Consent("sms", true, false);
  nobody.customer = "";
  EXPECT_THAT(Message(BuildConsentRequest(nobody).status()),
              StartsWith("consent needs a customer"));
}

TEST(BuildForgetRequestTest, CustomerAndSuppression) {
  absl::StatusOr<v1::ForgetCustomerRequest> request = BuildForgetRequest("loyalty:L-1001", true);
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->customer().identity().external_id(), "L-1001");
  EXPECT_TRUE(request->suppress_future_events());
  EXPECT_FALSE(BuildForgetRequest("c-2001", false)->suppress_future_events());
  EXPECT_FALSE(BuildForgetRequest("bad:", false).ok());
}

TEST(DescribeForgetTest, SaysWhatWouldBeErasedAndHowToConfirm) {
  const std::string plain = DescribeForget(*BuildForgetRequest("c-2001", false));
  EXPECT_THAT(plain, StartsWith("nbo forget would erase customer c-2001 for good: the profile, "));
  EXPECT_THAT(plain, HasSubstr("add --suppress"));
  EXPECT_THAT(plain, HasSubstr("Nothing was erased. Run again with --yes to erase.\n"));
  EXPECT_THAT(DescribeForget(*BuildForgetRequest("c-2001", true)),
              HasSubstr("With --suppress, a salted hash of its identities is kept"));
}

}  // namespace
}  // namespace nbo::tools
