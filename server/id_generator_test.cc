#include "server/id_generator.h"

#include <thread>
#include <vector>

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

namespace nbo::server {
namespace {

TEST(IdGeneratorTest, CustomerIdsShareTheUniqueSequence) {
  IdGenerator ids(5);
  const std::string customer = ids.NextCustomerId();
  ASSERT_EQ(customer.size(), 2u + 16);
  EXPECT_EQ(customer.substr(0, 2), "c-");
  EXPECT_NE(ids.NextCustomerId(), customer);
  // Decision and customer ids draw from one counter: never the same suffix twice.
  EXPECT_NE(ids.NextDecisionId(kT0).substr(14), ids.NextCustomerId().substr(2));
}

TEST(IdGeneratorTest, SameKeyGivesSameIds) {
  IdGenerator a(42), b(42);
  EXPECT_EQ(a.NextDecisionId(kT0), b.NextDecisionId(kT0));
  EXPECT_NE(IdGenerator(1).NextDecisionId(kT0), IdGenerator(2).NextDecisionId(kT0));
}

TEST(IdGeneratorTest, ConcurrentCallersNeverCollide) {
  IdGenerator ids(3);
  constexpr int kThreads = 4, kPerThread = 5000;
  std::vector<std::vector<std::string>> made(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) made[t].push_back(ids.NextDecisionId(kT0));
    });
  }
  for (auto& th : threads) th.join();
  absl::flat_hash_set<std::string> all;
  for (const auto& v : made) all.insert(v.begin(), v.end());
  EXPECT_EQ(all.size(), static_cast<size_t>(kThreads * kPerThread));
}

}  // namespace
}  // namespace nbo::server
