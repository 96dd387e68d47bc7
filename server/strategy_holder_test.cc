#include "server/strategy_holder.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "core/test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/hashing.h"

namespace nbo::server {
namespace {

using core::testing::kT0;
using ::testing::HasSubstr;

class StrategyHolderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = ::testing::TempDir() + "/nbo_strategy_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/strategy.json";
    Write(core::testing::kSmallStrategy);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void Write(absl::string_view content) { std::ofstream(path_, std::ios::trunc) << content; }
  std::string dir_, path_;
};

TEST_F(StrategyHolderTest, LoadsFileWithInfo) {
  StrategyHolder holder(path_);
  EXPECT_EQ(holder.Current(), nullptr);
  auto loaded = holder.LoadFile(kT0);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(holder.Current(), *loaded);
  const v1::StrategyInfo& info = (*loaded)->info;
  EXPECT_EQ(info.version(), "test-1");
  EXPECT_EQ(info.source(), path_);
  EXPECT_EQ(info.offers(), 5);
  EXPECT_EQ(info.segments(), 2);
  EXPECT_EQ(info.checksum(), Sha256Hex(core::testing::kSmallStrategy));
  EXPECT_EQ(info.checksum().size(), 64u);
  EXPECT_EQ(core::FromProto(info.loaded_at()), kT0);
}

TEST_F(StrategyHolderTest, InvalidFileKeepsServingTheOldStrategy) {
  StrategyHolder holder(path_);
  ASSERT_TRUE(holder.LoadFile(kT0).ok());
  const auto before = holder.Current();
  Write(R"({"version": "broken", "offers": [{"id": "x", "channels": ["fax"]}]})");
  auto reload = holder.LoadFile(kT0);
  EXPECT_EQ(reload.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(reload.status().message()),
              HasSubstr(R"(offers[0].channels[0]: unknown channel "fax")"));
  EXPECT_EQ(holder.Current(), before);
}

TEST_F(StrategyHolderTest, MissingFileNamesThePath) {
  StrategyHolder holder(dir_ + "/nope.json");
  auto r = holder.LoadFile(kT0);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("nope.json"));
}

TEST_F(StrategyHolderTest, LoadFromAnotherPathBecomesTheConfiguredFile) {
  StrategyHolder holder(dir_ + "/nope.json");
  ASSERT_TRUE(holder.LoadFile(path_, kT0).ok());
  EXPECT_EQ(holder.path(), path_);
  EXPECT_TRUE(holder.LoadFile(kT0).ok());
}

TEST_F(StrategyHolderTest, InlineDocument) {
  StrategyHolder holder(path_);
  auto r = holder.LoadInline(std::string(core::testing::kSmallStrategy), kT0);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)->info.source(), "inline");
  EXPECT_EQ((*r)->document_json, core::testing::kSmallStrategy);
}

TEST(Sha256Test, KnownVector) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace nbo::server
