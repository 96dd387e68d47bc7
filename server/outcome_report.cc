#include "server/outcome_report.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"

namespace nbo::server {
namespace {

// Counter keys: "report/<arm>/<segment_id>/<offer_id>/<field>". Every part is an id of
// [a-z0-9_-], so '/' cannot occur inside one.
constexpr char kPrefix[] = "report/";
constexpr char kDefaultArm[] = "model";
constexpr char kOffered[] = "offered";
constexpr char kPresented[] = "presented";
constexpr char kAccepted[] = "accepted";
constexpr char kDeclined[] = "declined";
constexpr char kIgnored[] = "ignored";
constexpr char kValueCents[] = "value_cents";

constexpr size_t kMaxIdLength = 64;
// z for a two-sided 95% interval.
constexpr double kZ95 = 1.96;
// Larger values (in major units) would overflow the cents counter; the outcome flow accepts any
// finite value, so such a value is not counted rather than wrapped.
constexpr double kMaxValue = 1e15;

bool IsId(absl::string_view s) {
  if (s.empty() || s.size() > kMaxIdLength) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return false;
  }
  return true;
}

std::string Key(absl::string_view arm, absl::string_view segment, absl::string_view offer,
                absl::string_view field) {
  return absl::StrCat(kPrefix, arm, "/", segment, "/", offer, "/", field);
}

absl::string_view ArmOf(const v1::DecideResponse& response) {
  return response.arm().empty() ? absl::string_view(kDefaultArm) : response.arm();
}

// The field name of an outcome kind; nullptr for one that is not counted.
const char* OutcomeField(v1::Outcome outcome) {
  switch (outcome) {
    case v1::OUTCOME_PRESENTED:
      return kPresented;
    case v1::OUTCOME_ACCEPTED:
      return kAccepted;
    case v1::OUTCOME_DECLINED:
      return kDeclined;
    case v1::OUTCOME_IGNORED:
      return kIgnored;
    default:
      return nullptr;
  }
}

bool IsField(absl::string_view field) {
  for (absl::string_view known :
       {kOffered, kPresented, kAccepted, kDeclined, kIgnored, kValueCents}) {
    if (field == known) return true;
  }
  return false;
}

// Adds `delta` to field `field` (IsField) of `row`, or to `value_cents`.
void AddField(absl::string_view field, int64_t delta, v1::OutcomeReportRow& row,
              int64_t& value_cents) {
  if (field == kOffered) {
    row.set_offered(row.offered() + delta);
  } else if (field == kPresented) {
    row.set_presented(row.presented() + delta);
  } else if (field == kAccepted) {
    row.set_accepted(row.accepted() + delta);
  } else if (field == kDeclined) {
    row.set_declined(row.declined() + delta);
  } else if (field == kIgnored) {
    row.set_ignored(row.ignored() + delta);
  } else if (field == kValueCents) {
    value_cents += delta;
  }
}

// The acceptance rate and its 95% Wilson score interval: accepted / (accepted + declined +
// ignored); rate 0 with [0, 1] when there are no outcomes.
void SetAcceptance(v1::OutcomeReportRow& row) {
  const double n = static_cast<double>(row.accepted() + row.declined() + row.ignored());
  if (!(n > 0)) {
    row.set_acceptance_rate(0);
    row.set_acceptance_low(0);
    row.set_acceptance_high(1);
    return;
  }
  const double p = std::clamp(static_cast<double>(row.accepted()) / n, 0.0, 1.0);
  const double z2 = kZ95 * kZ95;
  const double denominator = 1 + z2 / n;
  const double center = (p + z2 / (2 * n)) / denominator;
  const double half = kZ95 * std::sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denominator;
  row.set_acceptance_rate(p);
  row.set_acceptance_low(std::max(0.0, center - half));
  row.set_acceptance_high(std::min(1.0, center + half));
}

struct Accumulated {
  v1::OutcomeReportRow row;
  int64_t value_cents = 0;
};

void Finish(Accumulated& a) {
  a.row.set_value(static_cast<double>(a.value_cents) / 100.0);
  SetAcceptance(a.row);
}

void AddCounts(const Accumulated& from, Accumulated& to) {
  to.row.set_offered(to.row.offered() + from.row.offered());
  to.row.set_presented(to.row.presented() + from.row.presented());
  to.row.set_accepted(to.row.accepted() + from.row.accepted());
  to.row.set_declined(to.row.declined() + from.row.declined());
  to.row.set_ignored(to.row.ignored() + from.row.ignored());
  to.value_cents += from.value_cents;
}

}  // namespace

void AddOfferedCounts(const v1::DecideResponse& response, storage::WriteSet& writes) {
  const absl::string_view arm = ArmOf(response);
  if (!IsId(arm) || !IsId(response.segment_id())) return;
  for (const v1::RankedOffer& offer : response.offers()) {
    if (!IsId(offer.offer_id())) continue;
    writes.counter_adds.emplace_back(Key(arm, response.segment_id(), offer.offer_id(), kOffered),
                                     1);
  }
}

void AddOutcomeCounts(const v1::DecisionRecord& decision, const v1::OutcomeRequest& request,
                      storage::WriteSet& writes) {
  const v1::DecideResponse& response = decision.response();
  const absl::string_view arm = ArmOf(response);
  const char* field = OutcomeField(request.outcome());
  if (field == nullptr || !IsId(arm) || !IsId(response.segment_id()) || !IsId(request.offer_id())) {
    return;
  }
  writes.counter_adds.emplace_back(Key(arm, response.segment_id(), request.offer_id(), field), 1);
  const double value = request.value_realised();
  if (request.outcome() == v1::OUTCOME_ACCEPTED && value > 0 && value < kMaxValue) {
    const int64_t cents = std::llround(value * 100);
    if (cents > 0) {
      writes.counter_adds.emplace_back(
          Key(arm, response.segment_id(), request.offer_id(), kValueCents), cents);
    }
  }
}

absl::StatusOr<v1::OutcomeReport> BuildOutcomeReport(storage::Store& store,
                                                     const v1::OutcomeReportRequest& request) {
  // Checked before the store is read, so a typo is an error rather than an empty report.
  if (!request.segment_id().empty() && !IsId(request.segment_id())) {
    return absl::InvalidArgumentError(absl::StrCat("segment_id: \"", request.segment_id(),
                                                   "\" must be 1..64 characters of [a-z0-9_-]"));
  }
  if (!request.offer_id().empty() && !IsId(request.offer_id())) {
    return absl::InvalidArgumentError(absl::StrCat("offer_id: \"", request.offer_id(),
                                                   "\" must be 1..64 characters of [a-z0-9_-]"));
  }
  absl::StatusOr<std::vector<std::pair<std::string, int64_t>>> counters =
      store.ListCounters(kPrefix);
  if (!counters.ok()) return counters.status();

  // Key order is not (arm, segment, offer) order ('-' sorts before '/'): sort by the parts.
  std::map<std::tuple<std::string, std::string, std::string>, Accumulated> rows;
  for (const auto& [key, count] : *counters) {
    const std::vector<absl::string_view> parts =
        absl::StrSplit(absl::string_view(key).substr(sizeof(kPrefix) - 1), '/');
    if (parts.size() != 4 || !IsId(parts[0]) || !IsId(parts[1]) || !IsId(parts[2]) ||
        !IsField(parts[3])) {
      continue;
    }
    if (!request.segment_id().empty() && parts[1] != request.segment_id()) continue;
    if (!request.offer_id().empty() && parts[2] != request.offer_id()) continue;
    Accumulated& a = rows[{std::string(parts[0]), std::string(parts[1]), std::string(parts[2])}];
    AddField(parts[3], count, a.row, a.value_cents);
  }

  v1::OutcomeReport report;
  std::map<std::string, Accumulated> arms;
  for (auto& [id, a] : rows) {
    const auto& [arm, segment, offer] = id;
    a.row.set_arm(arm);
    a.row.set_segment_id(segment);
    a.row.set_offer_id(offer);
    Accumulated& total = arms[arm];
    total.row.set_arm(arm);
    AddCounts(a, total);
    Finish(a);
    *report.add_rows() = std::move(a.row);
  }
  for (auto& [arm, a] : arms) {
    Finish(a);
    *report.add_arms() = std::move(a.row);
  }
  return report;
}

}  // namespace nbo::server
