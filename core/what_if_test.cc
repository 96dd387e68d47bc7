#include "core/what_if.h"

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/apply_event.h"
#include "core/test_util.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"

namespace nbo::core {
namespace {

using ::testing::IsEmpty;
using testing::kT0;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

v1::Profile Customer(const std::string& id, bool holds_broadband, bool web_opt_out) {
  v1::Profile p;
  p.set_customer_id(id);
  p.set_interactions(3);
  if (holds_broadband) {
    v1::Holding* h = p.add_holdings();
    h->set_product("broadband_basic");
    h->set_category("broadband");
    h->mutable_since()->set_seconds(absl::ToUnixSeconds(kT0 - absl::Hours(24 * 200)));
  }
  if (web_opt_out) ApplyConsent(p, v1::CHANNEL_WEB, false, kT0 - absl::Hours(1), "test");
  return p;
}

const v1::OfferFunnel& Funnel(const v1::WhatIf& w, const std::string& offer_id) {
  for (const v1::OfferFunnel& f : w.offers()) {
    if (f.offer_id() == offer_id) return f;
  }
  ADD_FAILURE() << "no funnel for " << offer_id;
  return v1::OfferFunnel::default_instance();
}

TEST(WhatIfTest, CountsSegmentsWinsDropsAndFallbacks) {
  auto strategy = testing::MustLoad(testing::kSmallStrategy);
  ASSERT_NE(strategy, nullptr);
  const std::vector<v1::Profile> profiles = {
      Customer("a", /*holds_broadband=*/true, /*web_opt_out=*/false),
      Customer("b", true, true),
      Customer("c1", false, false),
      Customer("c2", false, false),
      Customer("d", false, true),
  };
  const std::vector<v1::Profile> before = profiles;

  const v1::WhatIf w = SimulateStrategy(*strategy, profiles, v1::CHANNEL_WEB, kT0);

  ASSERT_EQ(profiles.size(), before.size());
  for (size_t i = 0; i < profiles.size(); ++i) {
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(profiles[i], before[i]))
        << "profile " << i << " was changed";
  }
  EXPECT_EQ(w.profiles(), 5);
  EXPECT_EQ(w.channel(), v1::CHANNEL_WEB);
  EXPECT_EQ(w.fallback_decisions(), 2);  // b and d: every marketing offer dropped, ebill answers

  ASSERT_EQ(w.segments_size(), 2);
  EXPECT_EQ(w.segments(0).segment_id(), "broadband");
  EXPECT_EQ(w.segments(0).name(), "Broadband customers");
  EXPECT_EQ(w.segments(0).customers(), 2);
  EXPECT_DOUBLE_EQ(w.segments(0).share(), 0.4);
  EXPECT_EQ(w.segments(1).segment_id(), "everyone");
  EXPECT_EQ(w.segments(1).customers(), 3);
  EXPECT_DOUBLE_EQ(w.segments(1).share(), 0.6);

  ASSERT_EQ(w.offers_size(), 5);
  const char* catalogue[] = {"fibre", "tv", "bb", "loyal", "ebill"};
  for (int i = 0; i < 5; ++i) EXPECT_EQ(w.offers(i).offer_id(), catalogue[i]);

  // a: fibre (10) and tv (0.1 × 50 × 2 = 10) tie, treatment order keeps fibre first.
  const v1::OfferFunnel& fibre = Funnel(w, "fibre");
  EXPECT_EQ(fibre.candidates(), 2);
  EXPECT_EQ(fibre.wins(), 1);
  EXPECT_EQ(fibre.top_wins(), 1);
  EXPECT_THAT(fibre.drops(), UnorderedElementsAre(Pair("no_consent", 1)));
  EXPECT_EQ(fibre.top_drop_reason(), "no_consent");

  const v1::OfferFunnel& tv = Funnel(w, "tv");
  EXPECT_EQ(tv.candidates(), 5);
  EXPECT_EQ(tv.wins(), 3);  // a, c1, c2 (second each time)
  EXPECT_EQ(tv.top_wins(), 0);
  EXPECT_THAT(tv.drops(), UnorderedElementsAre(Pair("no_consent", 2)));
  EXPECT_EQ(tv.top_drop_reason(), "no_consent");

  const v1::OfferFunnel& bb = Funnel(w, "bb");
  EXPECT_EQ(bb.candidates(), 3);
  EXPECT_EQ(bb.wins(), 2);
  EXPECT_EQ(bb.top_wins(), 2);
  EXPECT_THAT(bb.drops(), UnorderedElementsAre(Pair("no_consent", 1)));

  // Dropped once for each reason: the tie goes to the smaller name.
  const v1::OfferFunnel& loyal = Funnel(w, "loyal");
  EXPECT_EQ(loyal.candidates(), 2);
  EXPECT_EQ(loyal.wins(), 0);
  EXPECT_THAT(loyal.drops(), UnorderedElementsAre(Pair("not_eligible", 1), Pair("no_consent", 1)));
  EXPECT_EQ(loyal.top_drop_reason(), "no_consent");

  const v1::OfferFunnel& ebill = Funnel(w, "ebill");
  EXPECT_EQ(ebill.candidates(), 2);
  EXPECT_EQ(ebill.wins(), 2);
  EXPECT_EQ(ebill.top_wins(), 2);
  EXPECT_THAT(ebill.drops(), IsEmpty());
  EXPECT_EQ(ebill.top_drop_reason(), "");
}

TEST(WhatIfTest, ChannelDropsAndUnspecifiedChannelMeansWeb) {
  auto strategy = testing::MustLoad(testing::kSmallStrategy);
  ASSERT_NE(strategy, nullptr);
  const std::vector<v1::Profile> profiles = {Customer("c", false, false)};

  // tv is web and call_centre only.
  const v1::WhatIf sms = SimulateStrategy(*strategy, profiles, v1::CHANNEL_SMS, kT0);
  EXPECT_EQ(sms.channel(), v1::CHANNEL_SMS);
  EXPECT_THAT(Funnel(sms, "tv").drops(), UnorderedElementsAre(Pair("channel", 1)));
  EXPECT_EQ(Funnel(sms, "bb").top_wins(), 1);

  const v1::WhatIf unset = SimulateStrategy(*strategy, profiles, v1::CHANNEL_UNSPECIFIED, kT0);
  EXPECT_EQ(unset.channel(), v1::CHANNEL_WEB);
  EXPECT_EQ(Funnel(unset, "tv").wins(), 1);
}

TEST(WhatIfTest, NoProfilesGiveZeros) {
  auto strategy = testing::MustLoad(testing::kSmallStrategy);
  ASSERT_NE(strategy, nullptr);
  const v1::WhatIf w = SimulateStrategy(*strategy, {}, v1::CHANNEL_WEB, kT0);
  EXPECT_EQ(w.profiles(), 0);
  EXPECT_EQ(w.fallback_decisions(), 0);
  ASSERT_EQ(w.segments_size(), 2);
  for (const v1::SegmentShare& s : w.segments()) {
    EXPECT_EQ(s.customers(), 0);
    EXPECT_EQ(s.share(), 0.0);
  }
  ASSERT_EQ(w.offers_size(), 5);
  for (const v1::OfferFunnel& f : w.offers()) {
    EXPECT_EQ(f.candidates(), 0);
    EXPECT_EQ(f.wins(), 0);
    EXPECT_EQ(f.top_wins(), 0);
    EXPECT_THAT(f.drops(), IsEmpty());
    EXPECT_EQ(f.top_drop_reason(), "");
  }
}

std::string ReadExampleStrategy() {
  std::ifstream in(std::string(NBO_EXAMPLES_DIR) + "/strategy.json");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(WhatIfTest, ExampleStrategySharesSumToOne) {
  auto strategy = testing::MustLoad(ReadExampleStrategy());
  ASSERT_NE(strategy, nullptr);
  const char* products[][2] = {{"broadband_basic", "broadband"}, {"broadband_fibre", "broadband"},
                               {"mobile_basic", "mobile"},       {"tv_basic", "tv"},
                               {"mobile_unlimited", "mobile"},   {"home_phone", "phone"}};
  std::vector<v1::Profile> profiles;
  for (int i = 0; i < 50; ++i) {
    v1::Profile p;
    p.set_customer_id(absl::StrCat("c-", 1000 + i));
    p.set_interactions(i % 7);
    for (int b = 0; b < 6; ++b) {
      if ((i >> b) & 1) {
        v1::Holding* h = p.add_holdings();
        h->set_product(products[b][0]);
        h->set_category(products[b][1]);
        h->mutable_since()->set_seconds(absl::ToUnixSeconds(kT0 - absl::Hours(24 * (10 * i))));
      }
    }
    if (i % 9 == 0) ApplyConsent(p, v1::CHANNEL_WEB, false, kT0 - absl::Hours(1), "test");
    profiles.push_back(std::move(p));
  }

  const v1::WhatIf w = SimulateStrategy(*strategy, profiles, v1::CHANNEL_WEB, kT0);
  EXPECT_EQ(w.profiles(), 50);
  ASSERT_EQ(w.segments_size(), strategy->document.segments_size());
  ASSERT_EQ(w.offers_size(), strategy->document.offers_size());
  double share = 0;
  int customers = 0;
  int populated = 0;
  for (const v1::SegmentShare& s : w.segments()) {
    share += s.share();
    customers += s.customers();
    populated += s.customers() > 0;
  }
  EXPECT_NEAR(share, 1.0, 1e-9);
  EXPECT_EQ(customers, 50);
  EXPECT_GE(populated, 3);
  int top_wins = 0;
  for (const v1::OfferFunnel& f : w.offers()) {
    EXPECT_LE(f.wins(), f.candidates()) << f.offer_id();
    EXPECT_LE(f.top_wins(), f.wins()) << f.offer_id();
    int drops = 0;
    for (const auto& [reason, count] : f.drops()) drops += count;
    EXPECT_EQ(f.wins() + drops, f.candidates()) << f.offer_id();
    EXPECT_EQ(f.top_drop_reason().empty(), f.drops().empty()) << f.offer_id();
    top_wins += f.top_wins();
  }
  EXPECT_LE(top_wins, 50);
  EXPECT_GT(top_wins, 0);
  EXPECT_LE(w.fallback_decisions(), 50);
}

}  // namespace
}  // namespace nbo::core
