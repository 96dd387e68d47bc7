// Evaluation must not allocate: this binary counts every global operator new.
#include <atomic>
#include <cstdlib>
#include <new>

#include "core/expr/compiled_expr.h"
#include "core/expr/test_context.h"
#include "gtest/gtest.h"

namespace {
std::atomic<long> g_allocations{0};
}  // namespace

void* operator new(std::size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace nbo::core::expr {
namespace {

TEST(EvalAllocTest, EvaluationDoesNotAllocate) {
  const Environment env = testing::TestEnvironment();
  std::vector<CompiledExpr> rules;
  for (const char* source : {
           "monetary_total > 1000 && holds(\"broadband\") && !holds(\"tv\") && "
           "months_held(\"broadband\") >= 12",
           "channel == \"call_centre\" || interactions_on(\"web\") > 20",
           "channel in [\"web\", \"mobile_app\"] && value.potential * 0.3 + monetary_total / 12 "
           "> 150 && !is_vip",
           "label(segment, opted_in) == \"gold\" && clamp(months_active, 0, 24) / 0 == 0",
       }) {
    absl::StatusOr<CompiledExpr> rule = Compile(source, env, Type::kBool);
    ASSERT_TRUE(rule.ok()) << rule.status();
    rules.push_back(*std::move(rule));
  }
  const testing::TestContext ctx = testing::SampleCustomer();
  const long before = g_allocations.load();
  int matches = 0;
  for (int i = 0; i < 1000; ++i) {
    for (const CompiledExpr& rule : rules) matches += rule.EvalBool(ctx) ? 1 : 0;
  }
  const long after = g_allocations.load();
  EXPECT_EQ(after - before, 0);
  EXPECT_EQ(matches, 4000);
}

TEST(EvalAllocTest, CountingAllocatorSeesAllocations) {
  // Guards the test above against a counter that never counts.
  const long before = g_allocations.load();
  auto* p = new std::vector<int>(100);
  delete p;
  EXPECT_GE(g_allocations.load() - before, 2);
}

}  // namespace
}  // namespace nbo::core::expr
