#include "storage/decision_ttl.h"

#include "gtest/gtest.h"

namespace nbo::storage {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1'700'000'000);

TEST(DecisionTtlTest, RecordWithoutExpiryNeverExpires) {
  EXPECT_FALSE(IsDecisionExpired(nbo::v1::DecisionRecord(), absl::InfiniteFuture()));
}

TEST(DecisionTtlTest, ExpiresExactlyAtExpiresAt) {
  nbo::v1::DecisionRecord record;
  record.mutable_expires_at()->set_seconds(absl::ToUnixSeconds(kNow));
  record.mutable_expires_at()->set_nanos(500);
  EXPECT_FALSE(IsDecisionExpired(record, kNow + absl::Nanoseconds(499)));
  EXPECT_TRUE(IsDecisionExpired(record, kNow + absl::Nanoseconds(500)));
}

TEST(DecisionTtlTest, SerializeSetsExpiryWhenUnset) {
  nbo::v1::DecisionRecord record;
  record.set_event_id("e1");
  absl::StatusOr<std::string> bytes =
      SerializeDecisionForStorage(record, kNow + absl::Milliseconds(1500), absl::Hours(1));
  ASSERT_TRUE(bytes.ok());
  nbo::v1::DecisionRecord stored;
  ASSERT_TRUE(stored.ParseFromString(*bytes));
  EXPECT_EQ(stored.event_id(), "e1");
  EXPECT_EQ(stored.expires_at().seconds(), absl::ToUnixSeconds(kNow) + 3601);
  EXPECT_EQ(stored.expires_at().nanos(), 500'000'000);
}

TEST(DecisionTtlTest, SerializeKeepsAnExplicitExpiry) {
  nbo::v1::DecisionRecord record;
  record.mutable_expires_at()->set_seconds(123);
  absl::StatusOr<std::string> bytes = SerializeDecisionForStorage(record, kNow, absl::Hours(1));
  ASSERT_TRUE(bytes.ok());
  nbo::v1::DecisionRecord stored;
  ASSERT_TRUE(stored.ParseFromString(*bytes));
  EXPECT_EQ(stored.expires_at().seconds(), 123);
}

}  // namespace
}  // namespace nbo::storage
