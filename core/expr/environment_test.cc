#include "core/expr/environment.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace nbo::core::expr {
namespace {

TEST(EnvironmentTest, FindsDeclaredNames) {
  Environment env;
  ASSERT_TRUE(env.AddVariable("value.potential", Type::kNumber, 3).ok());
  ASSERT_TRUE(env.AddFunction("holds", {Type::kString}, Type::kBool, 7).ok());
  const VariableInfo* v = env.FindVariable("value.potential");
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->type, Type::kNumber);
  EXPECT_EQ(v->slot, 3);
  const FunctionInfo* f = env.FindFunction("holds");
  ASSERT_NE(f, nullptr);
  EXPECT_THAT(f->params, ::testing::ElementsAre(Type::kString));
  EXPECT_EQ(f->result, Type::kBool);
  EXPECT_EQ(f->index, 7);
  EXPECT_EQ(env.FindVariable("holds"), nullptr);
  EXPECT_EQ(env.FindFunction("value.potential"), nullptr);
  EXPECT_THAT(env.VariableNames(), ::testing::ElementsAre("value.potential"));
  EXPECT_THAT(env.FunctionNames(), ::testing::ElementsAre("holds"));
}

TEST(EnvironmentTest, RejectsMalformedNames) {
  Environment env;
  for (const char* name :
       {"", "1a", "a-b", "a.", ".a", "a..b", "a.1", "true", "false", "in", "a b"}) {
    EXPECT_EQ(env.AddVariable(name, Type::kBool, 0).code(), absl::StatusCode::kInvalidArgument)
        << name;
  }
  EXPECT_TRUE(env.AddVariable("a.b_2.C", Type::kBool, 0).ok());
}

TEST(EnvironmentTest, RejectsDuplicateNames) {
  Environment env;
  ASSERT_TRUE(env.AddVariable("x", Type::kBool, 0).ok());
  EXPECT_EQ(env.AddVariable("x", Type::kNumber, 1).code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(env.AddFunction("x", {}, Type::kNumber, 1).code(), absl::StatusCode::kAlreadyExists);
}

TEST(EnvironmentTest, RejectsTooManyParamsAndNegativeIndices) {
  Environment env;
  EXPECT_EQ(
      env.AddFunction("f", {Type::kBool, Type::kBool, Type::kBool, Type::kBool}, Type::kBool, 0)
          .code(),
      absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(env.AddFunction("g", {}, Type::kBool, -1).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(env.AddVariable("v", Type::kBool, -1).code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace nbo::core::expr
