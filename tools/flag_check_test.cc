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

}  // namespace
}  // namespace nbo::tools
