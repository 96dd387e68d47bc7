// Values collected from metrics at scrape time, in a form the text renderer consumes.

#ifndef NBO_SERVER_METRICS_SAMPLE_H_
#define NBO_SERVER_METRICS_SAMPLE_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace nbo::metrics {

// Label name -> value. Ordered, so children render in a stable (lexicographic) order.
// Names must satisfy IsValidLabelName(); values are any UTF-8 text (escaped on output).
using Labels = std::map<std::string, std::string>;

enum class MetricType { kCounter, kGauge, kHistogram };

// "counter", "gauge" or "histogram", as written on a `# TYPE` line.
const char* MetricTypeName(MetricType type);

// One line of exposition: <family name><suffix>{labels[,le="..."]} <value>.
struct Sample {
  std::string suffix;  // "" or, for histograms, "_bucket", "_sum", "_count".
  Labels labels;
  std::optional<double> le;  // Histogram bucket upper bound (may be +Inf); none = no le label.
  double value = 0;
};

// A whole family as seen by one scrape.
struct FamilySnapshot {
  std::string name;
  std::string help;
  MetricType type = MetricType::kGauge;
  std::vector<Sample> samples;
};

// Anything the Registry can collect at scrape time.
// Thread-safety: Collect() may be called concurrently with updates and with other Collect() calls.
class Collectable {
 public:
  virtual ~Collectable() = default;
  virtual const std::string& name() const = 0;
  virtual MetricType type() const = 0;
  // Appends the current samples of this family to `out->samples`; name/help/type are set by the
  // caller.
  virtual void Collect(FamilySnapshot* out) const = 0;
};

}  // namespace nbo::metrics

#endif  // NBO_SERVER_METRICS_SAMPLE_H_
