#include "tools/format.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "google/protobuf/util/json_util.h"
#include "tools/customer_ref.h"
#include "tools/enum_names.h"

namespace nbo::tools {
namespace {

// One "Label      value" line; labels are padded so values line up.
// An empty value prints the label alone (a heading for the indented lines below it).
void Line(std::string& out, absl::string_view label, absl::string_view value) {
  if (value.empty()) {
    absl::StrAppend(&out, label, "\n");
  } else {
    absl::StrAppendFormat(&out, "%-13s %s\n", label, value);
  }
}

std::string Money(double value) { return absl::StrFormat("%.2f", value); }

}  // namespace

std::string FormatTimestamp(const google::protobuf::Timestamp& ts) {
  if (ts.seconds() == 0 && ts.nanos() == 0) return "-";
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::FromUnixSeconds(ts.seconds()),
                          absl::UTCTimeZone());
}

std::string FormatDecision(const v1::DecideResponse& r) {
  std::string out;
  Line(out, "Decision", absl::StrCat(r.decision_id(), " at ", FormatTimestamp(r.decided_at())));
  Line(out, "Customer", r.customer_id());
  std::string segment = r.segment_id().empty() ? "-" : r.segment_id();
  if (!r.segment_name().empty()) segment = absl::StrCat(r.segment_name(), " (", segment, ")");
  Line(out, "Segment", segment);
  Line(out, "Strategy", r.strategy_version().empty() ? "-" : r.strategy_version());
  if (r.fallback()) {
    Line(out, "Fallback",
         absl::StrCat("yes (", r.fallback_cause().empty() ? "no cause given" : r.fallback_cause(),
                      ")"));
  }
  Line(out, "Offers", r.offers().empty() ? "none" : absl::StrCat(r.offers_size()));
  int rank = 0;
  for (const v1::RankedOffer& offer : r.offers()) {
    ++rank;
    absl::StrAppendFormat(&out, "  %d. %s (%s), %s, score %.4g\n", rank,
                          offer.name().empty() ? offer.offer_id() : offer.name(), offer.offer_id(),
                          OfferKindName(offer.kind()), offer.score());
    if (!offer.reason().empty()) absl::StrAppend(&out, "     ", offer.reason(), "\n");
  }
  return out;
}

std::string FormatProfile(const v1::GetProfileResponse& response) {
  const v1::Profile& p = response.profile();
  std::string out;
  Line(out, "Customer", p.customer_id());
  std::vector<std::string> identities;
  for (const v1::SourceIdentity& id : p.identities()) {
    identities.push_back(absl::StrCat(id.source(), ":", id.external_id()));
  }
  Line(out, "Identities", identities.empty() ? "none" : absl::StrJoin(identities, ", "));
  Line(out, "First seen", FormatTimestamp(p.first_seen()));
  Line(out, "Last seen", FormatTimestamp(p.last_seen()));
  Line(out, "Interactions", absl::StrCat(p.interactions()));
  for (const v1::ChannelUsage& usage : p.channel_usage()) {
    absl::StrAppendFormat(&out, "  %-12s %6d  last %s\n", ChannelName(usage.channel()),
                          usage.interactions(), FormatTimestamp(usage.last_seen()));
  }
  Line(out, "Holdings", p.holdings().empty() ? "none" : absl::StrCat(p.holdings_size()));
  for (const v1::Holding& holding : p.holdings()) {
    absl::StrAppend(&out, "  ", holding.product());
    if (!holding.category().empty()) absl::StrAppend(&out, " (", holding.category(), ")");
    absl::StrAppend(&out, " since ", FormatTimestamp(holding.since()), "\n");
  }
  Line(out, "Purchases", absl::StrCat(p.purchases()));
  Line(out, "Monetary", Money(p.monetary_total()));
  Line(out, "Margin", Money(p.margin_total()));
  if (p.segment_id().empty()) {
    Line(out, "Segment", "none yet");
  } else {
    std::string segment =
        absl::StrCat(p.segment_id(), " since ", FormatTimestamp(p.segment_since()));
    if (!p.segment_strategy_version().empty()) {
      absl::StrAppend(&segment, " (strategy ", p.segment_strategy_version(), ")");
    }
    Line(out, "Segment", segment);
  }
  Line(out, "Highlights", response.highlights().empty() ? "none" : "");
  for (const std::string& highlight : response.highlights()) {
    absl::StrAppend(&out, "  - ", highlight, "\n");
  }
  return out;
}

std::string FormatStrategyInfo(const v1::StrategyInfo& info) {
  std::string out;
  std::string title = info.version().empty() ? "-" : info.version();
  if (!info.name().empty()) absl::StrAppend(&title, " \"", info.name(), "\"");
  Line(out, "Strategy", title);
  Line(out, "Checksum", info.checksum().empty() ? "-" : info.checksum());
  Line(out, "Loaded",
       absl::StrCat(FormatTimestamp(info.loaded_at()), " from ",
                    info.source().empty() ? "-" : info.source()));
  Line(out, "Contents", absl::StrCat(info.segments(), " segments, ", info.offers(), " offers"));
  Line(out, "Warnings", info.warnings().empty() ? "none" : absl::StrCat(info.warnings_size()));
  for (const v1::StrategyProblem& warning : info.warnings()) {
    absl::StrAppend(&out, "  ", warning.location().empty() ? "(document)" : warning.location(),
                    ": ", warning.message(), "\n");
  }
  return out;
}

std::string FormatGetStrategy(const v1::GetStrategyResponse& response) {
  std::string out = FormatStrategyInfo(response.info());
  if (!response.document_json().empty()) {
    absl::StrAppend(&out, "\n", response.document_json());
    if (out.back() != '\n') out.push_back('\n');
  }
  return out;
}

std::string FormatReload(const v1::ReloadStrategyResponse& response) {
  std::string out = absl::StrCat(
      "Reloaded strategy ", response.info().version(), " (was ",
      response.previous_version().empty() ? "none" : response.previous_version(), ")\n");
  absl::StrAppend(&out, FormatStrategyInfo(response.info()));
  return out;
}

absl::StatusOr<std::string> ToJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = true;
  std::string json;
  const auto status = google::protobuf::util::MessageToJsonString(message, &json, options);
  if (!status.ok()) {
    return absl::InternalError(absl::StrCat("cannot print JSON: ", status.ToString()));
  }
  if (json.empty() || json.back() != '\n') json.push_back('\n');
  return json;
}

}  // namespace nbo::tools
