#include "server/metrics/listen_address.h"

#include "absl/status/status.h"
#include "gtest/gtest.h"

namespace nbo::metrics {
namespace {

TEST(ParseListenAddressTest, ParsesIpv4AndPort) {
  absl::StatusOr<ListenAddress> address = ParseListenAddress("127.0.0.1:9464");
  ASSERT_TRUE(address.ok()) << address.status();
  EXPECT_EQ(address->host, "127.0.0.1");
  EXPECT_EQ(address->port, 9464);
}

TEST(ParseListenAddressTest, AcceptsPortZeroAndAnyAddress) {
  absl::StatusOr<ListenAddress> address = ParseListenAddress("0.0.0.0:0");
  ASSERT_TRUE(address.ok()) << address.status();
  EXPECT_EQ(address->port, 0);
}

TEST(ParseListenAddressTest, LocalhostMeansLoopback) {
  absl::StatusOr<ListenAddress> address = ParseListenAddress("localhost:1");
  ASSERT_TRUE(address.ok()) << address.status();
  EXPECT_EQ(address->host, "127.0.0.1");
}

TEST(ParseListenAddressTest, RejectsMalformedAddresses) {
  for (const char* bad :
       {"", "9464", "127.0.0.1", "127.0.0.1:", "999.1.1.1:80", "host:80", "[::1]:80",
        "127.0.0.1:65536", "127.0.0.1:-1", "127.0.0.1:80s", "127.0.0.1: 80"}) {
    EXPECT_EQ(ParseListenAddress(bad).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

}  // namespace
}  // namespace nbo::metrics
