// Pipes a rendered registry with every metric type through `promtool check metrics`.

#include <sys/wait.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "gtest/gtest.h"
#include "server/metrics/process_collector.h"
#include "server/metrics/registry.h"
#include "server/metrics/text_format.h"

namespace nbo::metrics {
namespace {

bool PromtoolOnPath() { return std::system("command -v promtool >/dev/null 2>&1") == 0; }

// Runs `promtool check metrics` on `text`; returns its exit code and fills `output`.
int PromtoolCheck(const std::string& text, std::string* output) {
  char path[] = "/tmp/nbo_metrics_promtoolXXXXXX";
  const int fd = mkstemp(path);
  if (fd < 0) return -1;
  FILE* file = fdopen(fd, "w");
  std::fwrite(text.data(), 1, text.size(), file);
  std::fclose(file);
  const std::string command = std::string("promtool check metrics < ") + path + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  char buffer[512];
  size_t n;
  while (pipe != nullptr && (n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0) {
    output->append(buffer, n);
  }
  const int status = pipe != nullptr ? pclose(pipe) : -1;
  std::remove(path);
  return status >= 0 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(PromtoolTest, RenderedRegistryPassesPromtoolCheck) {
  if (!PromtoolOnPath()) GTEST_SKIP() << "promtool not on PATH (Debian package 'prometheus')";
  Registry registry;
  Family<Counter>& decisions =
      registry.AddCounter("nbo_decisions_total", "Decisions by channel and result.");
  decisions.Add({{"channel", "web"}, {"result", "ok"}}).Increment(3);
  decisions.Add({{"channel", "store"}, {"result", "error"}}).Increment(0.5);
  registry.AddGauge("nbo_strategy_info", "Loaded strategy \\ with\nnewline.")
      .Add({{"version", "v\"1\"\n\\x"}})
      .Set(1);
  registry.AddGauge("nbo_budget_remaining", "Budget left.")
      .Add({{"offer", "o1"}})
      .Set(std::nan(""));
  Family<Histogram>& latency = registry.AddHistogram("nbo_decide_latency_seconds",
                                                     "Decide latency.", DefaultLatencyBuckets());
  for (double v : {0.0001, 0.003, 0.02, 0.7, 9.0}) latency.Add({{"channel", "web"}}).Observe(v);
  latency.Add({});
  registry.AddCallbackGauge("nbo_strategy_load_time_seconds", "Load time.", {},
                            [] { return 1.7e9 + 0.123; });
  registry.AddCallbackFamily(MetricType::kCounter, "nbo_rocksdb_stalls_total", "Stalls.", [] {
    return LabeledValues{{{{"cause", "l0"}}, 2}, {{{"cause", "pending"}}, 0}};
  });
  FamilyOptions one;
  one.max_label_sets = 1;
  Family<Counter>& offers = registry.AddCounter("nbo_offers_total", "Offers.", one);
  offers.Add({{"offer", "a"}}).Increment();
  offers.Add({{"offer", "b"}}).Increment();  // overflow: renders the internal overflow family
  AddProcessMetrics(registry);

  const std::string text = Render(registry);
  std::string output;
  const int exit_code = PromtoolCheck(text, &output);
  EXPECT_EQ(exit_code, 0) << "promtool said:\n" << output << "\non:\n" << text;
  EXPECT_EQ(output, "") << text;  // no lint warnings either
}

}  // namespace
}  // namespace nbo::metrics
