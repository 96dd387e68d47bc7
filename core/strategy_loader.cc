#include "core/strategy_loader.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "core/names.h"
#include "core/strategy_problems.h"
#include "google/protobuf/util/json_util.h"

namespace nbo::core {
namespace {

using internal::AddRuleError;
using internal::CheckId;
using internal::CheckName;
using internal::CheckWeight;
using internal::CompileRequiredRule;
using internal::Problems;
using internal::ResolveOffers;

constexpr size_t kMaxOffers = 10000;
constexpr size_t kMaxSegments = 1000;
constexpr size_t kMaxTriggers = 1000;
constexpr size_t kMaxContextWeights = 1000;

// Turns protobuf's JSON error ("(offers[1].margin): invalid value ...", "(offers[1]) margn: Cannot
// find field.", or a syntax error with a snippet and a caret) into a located problem.
void AddJsonError(absl::string_view json, absl::string_view message, Problems& problems) {
  absl::string_view msg = message;
  if (absl::ConsumePrefix(&msg, "(")) {
    const size_t close = msg.find(')');
    if (close != absl::string_view::npos) {
      std::string location(msg.substr(0, close));
      absl::string_view rest = absl::StripLeadingAsciiWhitespace(msg.substr(close + 1));
      absl::ConsumePrefix(&rest, ":");
      rest = absl::StripLeadingAsciiWhitespace(rest);
      // "(offers[1]) margn: Cannot find field." names the field after the parenthesis.
      const size_t colon = rest.find(':');
      if (absl::StrContains(rest, "Cannot find field") && colon != absl::string_view::npos) {
        const std::string field(rest.substr(0, colon));
        location = location.empty() ? field : absl::StrCat(location, ".", field);
        problems.Error(location, absl::StrCat("unknown field \"", field, "\""));
        return;
      }
      problems.Error(location.empty() ? "(document)" : location, std::string(rest));
      return;
    }
  }
  // Syntax error: "what\n<snippet>\n<spaces>^". The snippet is a piece of the document (it may
  // span lines) and the caret's column is an offset into it; finding it gives a line and column.
  const size_t first = msg.find('\n');
  const size_t last = msg.rfind('\n');
  std::string location = "(document)";
  if (first != absl::string_view::npos && last > first) {
    const absl::string_view snippet = msg.substr(first + 1, last - first - 1);
    const size_t caret = msg.substr(last + 1).find('^');
    const size_t at = json.find(snippet);
    if (!snippet.empty() && caret != absl::string_view::npos && at != absl::string_view::npos &&
        json.find(snippet, at + 1) == absl::string_view::npos) {
      const size_t offset = at + caret;
      size_t line = 1, column = 1;
      for (size_t i = 0; i < offset && i < json.size(); ++i) {
        if (json[i] == '\n') {
          ++line;
          column = 1;
        } else {
          ++column;
        }
      }
      location = absl::StrCat("line ", line, ", column ", column);
    }
  }
  const absl::string_view what = msg.substr(0, first);
  problems.Error(location, std::string(absl::StripTrailingAsciiWhitespace(what)));
}

void CompileOffers(const v1::Strategy& doc, Strategy& s, Problems& problems) {
  if (doc.offers().empty()) problems.Error("offers", "at least one offer is required");
  if (static_cast<size_t>(doc.offers_size()) > kMaxOffers) {
    problems.Error("offers", absl::StrCat("more than ", kMaxOffers, " offers"));
  }
  s.offers.resize(doc.offers_size());
  for (int i = 0; i < doc.offers_size(); ++i) {
    const v1::Offer& o = doc.offers(i);
    CompiledOffer& c = s.offers[i];
    c.def = &o;
    const std::string path = absl::StrCat("offers[", i, "]");
    CheckId(o.id(), path + ".id", problems);
    if (!o.id().empty() && !s.offer_index.emplace(o.id(), i).second) {
      problems.Error(path + ".id", absl::StrCat("duplicate offer id \"", o.id(), "\""));
    }
    CheckName(o.name(), path + ".name", problems);
    if (auto kind = ParseOfferKind(o.kind())) {
      c.kind = *kind;
    } else {
      problems.Error(path + ".kind",
                     o.kind().empty()
                         ? absl::StrCat("required, one of: ", absl::StrJoin(OfferKindNames(), ", "))
                         : absl::StrCat("unknown kind \"", o.kind(),
                                        "\"; one of: ", absl::StrJoin(OfferKindNames(), ", ")));
    }
    if (c.kind == v1::OFFER_KIND_UPSELL && o.requires_any().empty()) {
      problems.Error(path + ".requires_any",
                     "an upsell needs the base product(s) the customer must hold");
    }
    if (o.product().size() > 128) problems.Error(path + ".product", "longer than 128 characters");
    if (o.product().empty() && (!o.product_category().empty() || o.has_hold_on_accept())) {
      problems.Error(path + (o.has_hold_on_accept() ? ".hold_on_accept" : ".product_category"),
                     "only for an offer with a product");
    }
    if (o.product_category().size() > 128) {
      problems.Error(path + ".product_category", "longer than 128 characters");
    }
    for (int j = 0; j < o.channels_size(); ++j) {
      if (auto ch = ParseChannel(o.channels(j))) {
        c.channel_mask |= 1u << *ch;
      } else {
        problems.Error(absl::StrCat(path, ".channels[", j, "]"),
                       absl::StrCat("unknown channel \"", o.channels(j),
                                    "\"; one of: ", absl::StrJoin(ChannelNames(), ", ")));
      }
    }
    if (!std::isfinite(o.margin()) || o.margin() < 0) {
      problems.Error(path + ".margin", "must be a finite number >= 0");
    }
    if (o.has_prior() && (o.prior().alpha() != 0 || o.prior().beta() != 0)) {
      const double a = o.prior().alpha(), b = o.prior().beta();
      if (o.prior().rate() != 0 || o.prior().weight() != 0) {
        problems.Error(path + ".prior", "give either rate and weight, or alpha and beta");
      }
      if (!(a > 0) || !std::isfinite(a)) {
        problems.Error(path + ".prior.alpha", absl::StrCat("must be > 0, got ", a));
      } else if (!(b > 0) || !std::isfinite(b)) {
        problems.Error(path + ".prior.beta", absl::StrCat("must be > 0, got ", b));
      } else {
        c.prior_rate = a / (a + b);
        c.prior_weight = a + b;
      }
    } else if (o.has_prior()) {
      if (o.prior().rate() != 0) c.prior_rate = o.prior().rate();
      if (o.prior().weight() != 0) c.prior_weight = o.prior().weight();
      if (!(c.prior_rate > 0 && c.prior_rate < 1)) {
        problems.Error(path + ".prior.rate", absl::StrCat("must be in (0, 1), got ", c.prior_rate));
      }
      if (!(c.prior_weight > 0) || !std::isfinite(c.prior_weight)) {
        problems.Error(path + ".prior.weight", absl::StrCat("must be > 0, got ", c.prior_weight));
      }
    }
    if (auto t = ReasonTemplate::Parse(o.reason()); t.ok()) {
      c.reason = *std::move(t);
    } else {
      problems.Error(path + ".reason", std::string(t.status().message()));
    }
    if (o.reason().empty()) problems.Warning(path + ".reason", "no reason text for agents");
    if (!o.eligibility().empty()) {
      if (auto r = Rule::Compile(o.eligibility()); r.ok()) {
        c.eligibility = *std::move(r);
      } else {
        AddRuleError(path + ".eligibility", r.status().message(), problems);
      }
    }
    internal::CompileOfferPolicy(o, path, c, problems);
  }
}

void CompileSegments(const v1::Strategy& doc, Strategy& s, Problems& problems) {
  if (doc.segments().empty()) problems.Error("segments", "at least one segment is required");
  if (static_cast<size_t>(doc.segments_size()) > kMaxSegments) {
    problems.Error("segments", absl::StrCat("more than ", kMaxSegments, " segments"));
  }
  absl::flat_hash_set<std::string> ids;
  for (int i = 0; i < doc.segments_size(); ++i) {
    const v1::Segment& seg = doc.segments(i);
    const std::string path = absl::StrCat("segments[", i, "]");
    CheckId(seg.id(), path + ".id", problems);
    if (!seg.id().empty() && !ids.insert(seg.id()).second) {
      problems.Error(path + ".id", absl::StrCat("duplicate segment id \"", seg.id(), "\""));
    }
    CheckName(seg.name(), path + ".name", problems);
    auto rule = Rule::Compile(seg.rule());
    if (seg.rule().empty()) {
      problems.Error(path + ".rule", "required (\"true\" matches everyone)");
    } else if (!rule.ok()) {
      AddRuleError(path + ".rule", rule.status().message(), problems);
    }
    if (i == doc.segments_size() - 1 && seg.rule() != "true") {
      problems.Error(path + ".rule",
                     "the last segment's rule must be \"true\" so every customer has a segment");
    }
    std::vector<CompiledTreatment> treatments;
    if (seg.treatments().empty()) problems.Warning(path + ".treatments", "segment has no offers");
    for (int j = 0; j < seg.treatments_size(); ++j) {
      const v1::Treatment& t = seg.treatments(j);
      const std::string tpath = absl::StrCat(path, ".treatments[", j, "]");
      CompiledTreatment ct;
      if (auto it = s.offer_index.find(t.offer_id()); it != s.offer_index.end()) {
        ct.offer = it->second;
      } else {
        problems.Error(tpath + ".offer_id", absl::StrCat("unknown offer \"", t.offer_id(), "\""));
      }
      ct.weight = t.weight() == 0 ? 1 : t.weight();
      if (!(ct.weight > 0) || !std::isfinite(ct.weight)) {
        problems.Error(tpath + ".weight", absl::StrCat("must be > 0, got ", t.weight()));
      }
      treatments.push_back(ct);
    }
    if (rule.ok()) {
      s.segments.push_back(CompiledSegment{&seg, *std::move(rule), std::move(treatments), {}});
    }
  }
}

void CompileFallbacks(const v1::Strategy& doc, Strategy& s, Problems& problems) {
  std::vector<int> any;
  bool has_any = false;
  std::array<bool, kChannelSlots> has{};
  absl::flat_hash_set<std::string> placement_lists;  // "channel/placement" seen
  for (int i = 0; i < doc.fallbacks_size(); ++i) {
    const v1::Fallback& f = doc.fallbacks(i);
    const std::string path = absl::StrCat("fallbacks[", i, "]");
    int channel = -1;
    if (f.channel() != "*") {
      if (auto ch = ParseChannel(f.channel())) {
        channel = *ch;
      } else {
        problems.Error(path + ".channel",
                       absl::StrCat("unknown channel \"", f.channel(), "\"; one of: \"*\", ",
                                    absl::StrJoin(ChannelNames(), ", ")));
        continue;
      }
    }
    std::vector<int>* target = nullptr;
    if (!f.placement().empty()) {
      if (f.placement().size() > 64)
        problems.Error(path + ".placement", "longer than 64 characters");
      if (!placement_lists.insert(absl::StrCat(f.channel(), "/", f.placement())).second) {
        problems.Error(path + ".placement",
                       absl::StrCat("a second list for \"", f.channel(), "\" and placement \"",
                                    f.placement(), "\""));
      }
      target =
          &s.placement_fallbacks.emplace_back(PlacementFallback{channel, f.placement(), {}}).offers;
    } else if (channel < 0) {
      if (has_any) problems.Error(path + ".channel", "a second \"*\" list");
      has_any = true;
      target = &any;
    } else {
      if (has[channel])
        problems.Error(path + ".channel", absl::StrCat("a second list for \"", f.channel(), "\""));
      has[channel] = true;
      target = &s.fallbacks[channel];
    }
    for (int j = 0; j < f.offer_ids_size(); ++j) {
      if (auto it = s.offer_index.find(f.offer_ids(j)); it != s.offer_index.end()) {
        target->push_back(it->second);
      } else {
        problems.Error(absl::StrCat(path, ".offer_ids[", j, "]"),
                       absl::StrCat("unknown offer \"", f.offer_ids(j), "\""));
      }
    }
  }
  for (const std::string& name : ChannelNames()) {
    const v1::Channel ch = *ParseChannel(name);
    if (has[ch]) continue;
    if (has_any) {
      s.fallbacks[ch] = any;
    } else {
      problems.Warning("fallbacks", absl::StrCat("no fallback offers for channel \"", name,
                                                 "\" and no \"*\" list"));
    }
  }
}

bool IsReasonCodeChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

void CompileTriggers(const v1::Strategy& doc, Strategy& s, Problems& problems) {
  if (static_cast<size_t>(doc.triggers_size()) > kMaxTriggers) {
    problems.Error("triggers", absl::StrCat("more than ", kMaxTriggers, " triggers"));
  }
  absl::flat_hash_set<std::string> ids;
  for (int i = 0; i < doc.triggers_size(); ++i) {
    const v1::Trigger& t = doc.triggers(i);
    const std::string path = absl::StrCat("triggers[", i, "]");
    CheckId(t.id(), path + ".id", problems);
    if (!t.id().empty() && !ids.insert(t.id()).second) {
      problems.Error(path + ".id", absl::StrCat("duplicate trigger id \"", t.id(), "\""));
    }
    std::optional<Rule> rule = CompileRequiredRule(t.rule(), path + ".rule", problems);
    if (t.offer_ids().empty())
      problems.Error(path + ".offer_ids", "at least one offer is required");
    std::vector<int> offers = ResolveOffers(t.offer_ids(), path, s, problems);
    const double weight = t.weight() == 0 ? kDefaultTriggerWeight : t.weight();
    CheckWeight(t.weight() == 0 ? weight : t.weight(), path + ".weight", problems);
    if (t.reason_code().size() > 64 ||
        !std::all_of(t.reason_code().begin(), t.reason_code().end(), IsReasonCodeChar)) {
      problems.Error(
          path + ".reason_code",
          absl::StrCat("\"", t.reason_code(), "\" must be 0..64 characters of [A-Z0-9_]"));
    }
    if (rule)
      s.triggers.push_back(CompiledTrigger{&t, *std::move(rule), std::move(offers), weight});
  }
}

void CompileContextWeights(const v1::Strategy& doc, Strategy& s, Problems& problems) {
  if (static_cast<size_t>(doc.context_weights_size()) > kMaxContextWeights) {
    problems.Error("context_weights",
                   absl::StrCat("more than ", kMaxContextWeights, " context weights"));
  }
  absl::flat_hash_set<std::string> ids;
  for (int i = 0; i < doc.context_weights_size(); ++i) {
    const v1::ContextWeight& w = doc.context_weights(i);
    const std::string path = absl::StrCat("context_weights[", i, "]");
    CheckId(w.id(), path + ".id", problems);
    if (!w.id().empty() && !ids.insert(w.id()).second) {
      problems.Error(path + ".id", absl::StrCat("duplicate context weight id \"", w.id(), "\""));
    }
    std::optional<Rule> rule = CompileRequiredRule(w.rule(), path + ".rule", problems);
    uint32_t kind_mask = 0;
    for (int j = 0; j < w.offer_kinds_size(); ++j) {
      if (auto kind = ParseOfferKind(w.offer_kinds(j))) {
        kind_mask |= 1u << *kind;
      } else {
        problems.Error(absl::StrCat(path, ".offer_kinds[", j, "]"),
                       absl::StrCat("unknown kind \"", w.offer_kinds(j),
                                    "\"; one of: ", absl::StrJoin(OfferKindNames(), ", ")));
      }
    }
    std::vector<int> offers = ResolveOffers(w.offer_ids(), path, s, problems);
    if (w.weight() == 0) {
      problems.Error(path + ".weight", "required, a finite number > 0");
    } else {
      CheckWeight(w.weight(), path + ".weight", problems);
    }
    if (rule) {
      s.context_weights.push_back(
          CompiledContextWeight{&w, *std::move(rule), kind_mask, std::move(offers), w.weight()});
    }
  }
}

}  // namespace

const std::vector<int>& Strategy::FallbacksFor(v1::Channel channel,
                                               absl::string_view placement) const {
  if (!placement.empty() && !placement_fallbacks.empty()) {
    const PlacementFallback* any = nullptr;
    for (const PlacementFallback& f : placement_fallbacks) {
      if (f.placement != placement) continue;
      if (f.channel == channel) return f.offers;
      if (f.channel < 0) any = &f;
    }
    if (any != nullptr) return any->offers;
  }
  static const std::vector<int> kNone;
  if (channel < 0 || channel >= kChannelSlots) return kNone;
  return fallbacks[channel];
}

absl::Status StrategyLoadResult::ToStatus() const {
  if (ok()) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("strategy is invalid: ", FormatProblems(problems, false)));
}

std::string FormatProblems(const std::vector<v1::StrategyProblem>& problems, bool warnings) {
  std::vector<std::string> lines;
  for (const auto& p : problems) {
    if (p.warning() != warnings) continue;
    lines.push_back(p.message().empty() ? p.location()
                                        : absl::StrCat(p.location(), ": ", p.message()));
  }
  return absl::StrJoin(lines, "; ");
}

StrategyLoadResult CompileStrategy(v1::Strategy document) {
  auto s = std::make_shared<Strategy>();
  s->document = std::move(document);
  const v1::Strategy& doc = s->document;
  Problems problems;
  if (doc.version().empty()) {
    problems.Error("version", "required");
  } else if (doc.version().size() > 64) {
    problems.Error("version", "longer than 64 characters");
  }
  if (!doc.currency().empty() &&
      (doc.currency().size() != 3 || !std::all_of(doc.currency().begin(), doc.currency().end(),
                                                  [](char c) { return c >= 'A' && c <= 'Z'; }))) {
    problems.Error("currency", absl::StrCat("\"", doc.currency(),
                                            "\" is not a 3-letter ISO 4217 code such as \"EUR\""));
  }
  if (doc.default_max_offers() < 0 || doc.default_max_offers() > 20) {
    problems.Error("default_max_offers",
                   absl::StrCat("must be 1..20 (0 = 2), got ", doc.default_max_offers()));
  }
  if (doc.default_max_offers() > 0) s->default_max_offers = doc.default_max_offers();
  internal::CompileTimeZone(doc, *s, problems);
  CompileOffers(doc, *s, problems);
  CompileSegments(doc, *s, problems);
  internal::CompileDimensions(doc, *s, problems);
  internal::CompileMicroSegments(doc, *s, problems);
  CompileFallbacks(doc, *s, problems);
  CompileTriggers(doc, *s, problems);
  CompileContextWeights(doc, *s, problems);
  internal::CompileContactPolicy(doc, *s, problems);
  internal::CompileCapacities(doc, *s, problems);
  internal::CompileLearning(doc, *s, problems);
  internal::CompileChallenger(doc, *s, problems);

  StrategyLoadResult result;
  const bool failed = problems.has_errors();
  result.problems = problems.Take();
  for (const auto& p : result.problems) {
    if (p.warning()) s->warnings.push_back(p);
  }
  if (!failed) result.strategy = std::move(s);
  return result;
}

StrategyLoadResult LoadStrategy(absl::string_view json) {
  v1::Strategy document;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  const auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), &document, options);
  if (!status.ok()) {
    Problems problems;
    AddJsonError(json, status.message().as_string(), problems);
    StrategyLoadResult result;
    result.problems = problems.Take();
    return result;
  }
  return CompileStrategy(std::move(document));
}

}  // namespace nbo::core
