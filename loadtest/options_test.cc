#include "loadtest/options.h"

#include <functional>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace nbo::loadtest {
namespace {

using testing::HasSubstr;

TEST(OptionsTest, DefaultsAreValid) { EXPECT_TRUE(ValidateOptions(LoadtestOptions{}).ok()); }

TEST(OptionsTest, OpenModeNeedsARate) {
  LoadtestOptions o;
  o.mode = Mode::kOpen;
  const absl::Status s = ValidateOptions(o);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "--rate must be > 0 in open mode");
  o.rate = 1000;
  EXPECT_TRUE(ValidateOptions(o).ok());
}

TEST(OptionsTest, ConcurrencyIsIgnoredInOpenMode) {
  LoadtestOptions o;
  o.mode = Mode::kOpen;
  o.rate = 10;
  o.concurrency = 0;
  EXPECT_TRUE(ValidateOptions(o).ok());
}

// Each case breaks one field; the error must name its flag.
struct BadCase {
  const char* flag;
  std::function<void(LoadtestOptions&)> breaks;
};

TEST(OptionsTest, EachBadValueNamesItsFlag) {
  const BadCase cases[] = {
      {"--concurrency", [](LoadtestOptions& o) { o.concurrency = 0; }},
      {"--channels", [](LoadtestOptions& o) { o.channels = 0; }},
      {"--cq_threads", [](LoadtestOptions& o) { o.cq_threads = 65; }},
      {"--senders", [](LoadtestOptions& o) { o.senders = 0; }},
      {"--warmup", [](LoadtestOptions& o) { o.warmup = absl::Seconds(-1); }},
      {"--duration", [](LoadtestOptions& o) { o.duration = absl::ZeroDuration(); }},
      {"--deadline", [](LoadtestOptions& o) { o.deadline = absl::Seconds(6); }},
      {"--connect_timeout", [](LoadtestOptions& o) { o.connect_timeout = absl::ZeroDuration(); }},
      {"--customers", [](LoadtestOptions& o) { o.customers = 0; }},
      {"--zipf_s", [](LoadtestOptions& o) { o.zipf_s = -1; }},
      {"--outcome_share", [](LoadtestOptions& o) { o.outcome_share = 1; }},
      {"--max_offers", [](LoadtestOptions& o) { o.max_offers = 21; }},
      {"--run_id", [](LoadtestOptions& o) { o.run_id = "has space"; }},
      {"--preload", [](LoadtestOptions& o) { o.preload = -1; }},
      {"--preload_batch", [](LoadtestOptions& o) { o.preload_batch = 10001; }},
      {"--preload_only", [](LoadtestOptions& o) { o.preload_only = true; }},
      {"--server_pid", [](LoadtestOptions& o) { o.server_pid = -3; }},
      {"--address", [](LoadtestOptions& o) { o.address.clear(); }},
  };
  for (const BadCase& c : cases) {
    LoadtestOptions o;
    c.breaks(o);
    const absl::Status s = ValidateOptions(o);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << c.flag;
    EXPECT_THAT(s.message(), HasSubstr(c.flag)) << s.message();
  }
}

TEST(OptionsTest, UnknownEnumValuesNameTheFlagAndTheChoices) {
  EXPECT_EQ(ParseMode("half-open").status().message(),
            "--mode must be closed or open, got \"half-open\"");
  EXPECT_THAT(ParseTarget("redis").status().message(), HasSubstr("--target must be nbo or echo"));
  EXPECT_THAT(ParseClientApi("sync").status().message(), HasSubstr("--client_api"));
  EXPECT_THAT(ParseCustomerRefKind("email").status().message(), HasSubstr("--customer_ref"));
}

TEST(OptionsTest, EnumNamesRoundTrip) {
  EXPECT_EQ(*ParseMode(ModeName(Mode::kOpen)), Mode::kOpen);
  EXPECT_EQ(*ParseTarget(TargetName(Target::kEcho)), Target::kEcho);
  EXPECT_EQ(*ParseClientApi(ClientApiName(ClientApi::kCallback)), ClientApi::kCallback);
}

}  // namespace
}  // namespace nbo::loadtest
