#include "tools/flag_check.h"

#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

ABSL_FLAG(int, fc_count, 0, "test flag");
ABSL_FLAG(bool, fc_verbose, false, "test flag");
ABSL_FLAG(std::string, fc_name, "", "test flag");

namespace nbo::tools {
namespace {

using ::testing::HasSubstr;

TEST(FlagCheckTest, AcceptsEveryFormAbseilAccepts) {
  EXPECT_TRUE(CheckCommandLine({"decide", "--fc_count=3", "-fc_name", "x", "--fc_verbose",
                                "--nofc_verbose", "--fc_verbose=false", "positional"})
                  .ok());
  EXPECT_TRUE(CheckCommandLine({}).ok());
}

TEST(FlagCheckTest, RejectsUnknownFlag) {
  const absl::Status status = CheckCommandLine({"decide", "--no_such_flag=1"});
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "unknown flag --no_such_flag");
}

TEST(FlagCheckTest, RejectsMalformedValue) {
  const absl::Status status = CheckCommandLine({"--fc_count", "many"});
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("--fc_count: "));
}

TEST(FlagCheckTest, RejectsMissingValue) {
  EXPECT_EQ(CheckCommandLine({"--fc_name"}).message(), "missing value for --fc_name");
}

TEST(FlagCheckTest, LeavesAbseilUsageFlagsToAbseil) {
  EXPECT_TRUE(CheckCommandLine({"--helpfull"}).ok());
  EXPECT_TRUE(CheckCommandLine({"--version"}).ok());
}

TEST(FlagCheckTest, StopsAtDoubleDash) {
  EXPECT_TRUE(CheckCommandLine({"--", "--no_such_flag"}).ok());
}

TEST(FlagCheckTest, NegationOnlyForBooleans) {
  EXPECT_EQ(CheckCommandLine({"--nofc_count"}).code(), absl::StatusCode::kInvalidArgument);
}

TEST(FlagCheckTest, NormalizeFlagNamesAcceptsDashes) {
  struct Case {
    std::string name;
    std::vector<std::string> args;
    std::vector<std::string> want;
  };
  const Case cases[] = {
      {"name=value", {"--fc-count=3"}, {"--fc_count=3"}},
      {"single dash", {"-fc-name=x"}, {"-fc_name=x"}},
      {"value in the next argument is kept", {"--fc-name", "a-b"}, {"--fc_name", "a-b"}},
      {"a value that looks like a flag is kept",
       {"--fc-name", "--fc-count"},
       {"--fc_name", "--fc-count"}},
      {"value after = is kept", {"--fc-name=--fc-count"}, {"--fc_name=--fc-count"}},
      {"boolean takes no next argument", {"--fc-verbose", "a-b"}, {"--fc_verbose", "a-b"}},
      {"underscores unchanged", {"--fc_count", "2"}, {"--fc_count", "2"}},
      {"unknown flag keeps its spelling", {"--no-such-flag=1"}, {"--no-such-flag=1"}},
      {"positional unchanged", {"decide", "-", "x-y"}, {"decide", "-", "x-y"}},
      {"after -- unchanged", {"--", "--fc-count=1"}, {"--", "--fc-count=1"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(NormalizeFlagNames(c.args), c.want);
  }
  EXPECT_TRUE(CheckCommandLine(NormalizeFlagNames({"--fc-count=3", "--fc-verbose"})).ok());
  EXPECT_EQ(CheckCommandLine(NormalizeFlagNames({"--fc-cont=3"})).message(),
            "unknown flag --fc-cont");
}

}  // namespace
}  // namespace nbo::tools
