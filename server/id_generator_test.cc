#include "server/id_generator.h"

#include "absl/container/flat_hash_set.h"
#include "gtest/gtest.h"

namespace nbo::server {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1767225600);

TEST(IdGeneratorTest, FormatIsTimeThenRandom) {
  IdGenerator ids(1);
  const std::string id = ids.NextDecisionId(kT0);
  ASSERT_EQ(id.size(), 2u + 12 + 16);
  EXPECT_EQ(id.substr(0, 2), "d-");
  EXPECT_EQ(id.substr(2, 12), "019b76daa800");  // 1767225600000 ms in hex
}

TEST(IdGeneratorTest, IdsAreUniqueAndSortByTime) {
  IdGenerator ids(2);
  absl::flat_hash_set<std::string> seen;
  std::string previous;
  for (int i = 0; i < 10000; ++i) {
    const std::string id = ids.NextDecisionId(kT0 + absl::Milliseconds(i));
    EXPECT_TRUE(seen.insert(id).second);
    EXPECT_LT(previous, id);
    previous = id;
  }
}

}  // namespace
}  // namespace nbo::server
