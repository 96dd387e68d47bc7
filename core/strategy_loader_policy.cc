// Compiling the policy parts of a strategy: what limits an offer (placements, validity, action
// class, cost, budget), the contact policy, channel capacities, micro-segment dimensions.
#include <algorithm>
#include <cmath>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/names.h"
#include "core/strategy_problems.h"
#include "core/time_util.h"

namespace nbo::core::internal {
namespace {

constexpr size_t kMaxCapacities = 1000;
constexpr size_t kMaxDimensions = 16;
constexpr size_t kMaxLevels = 100;
constexpr size_t kMaxMicroSegments = 1000;
// The contact log keeps at most this many entries, so no cap may be larger.
constexpr int kMaxCap = 200;
constexpr double kMaxDays = 3650;

// Money in hundredths; NaN, negative and absurd amounts are reported by the caller's checks.
int64_t Cents(double amount) { return static_cast<int64_t>(std::llround(amount * 100)); }

void CheckMoney(double amount, const std::string& path, Problems& problems) {
  if (!std::isfinite(amount) || amount < 0 || amount > 1e13) {
    problems.Error(path, absl::StrCat("must be a finite amount >= 0 (at most 1e13), got ", amount));
  }
}

void CheckCount(int64_t count, const std::string& path, Problems& problems) {
  if (count < 0) problems.Error(path, absl::StrCat("must be >= 0 (0 = no limit), got ", count));
}

void CheckCap(int cap, const std::string& path, Problems& problems) {
  if (cap < 0 || cap > kMaxCap) {
    problems.Error(path, absl::StrCat("must be 0..", kMaxCap, " (0 = no cap), got ", cap));
  }
}

absl::Duration Days(double days, const std::string& path, Problems& problems) {
  if (!std::isfinite(days) || days < 0 || days > kMaxDays) {
    problems.Error(path, absl::StrCat("must be 0..", kMaxDays, " days, got ", days));
    return absl::ZeroDuration();
  }
  return absl::Seconds(days * 86400);
}

// Protobuf's JSON parser accepts years 1..9999; keep offers within something plausible.
bool ValidTimestamp(const google::protobuf::Timestamp& ts, const std::string& path,
                    Problems& problems) {
  constexpr int64_t kYear2000 = 946684800;
  constexpr int64_t kYear2200 = 7258118400;
  if (ts.seconds() < kYear2000 || ts.seconds() >= kYear2200 || ts.nanos() < 0 ||
      ts.nanos() >= 1000000000) {
    problems.Error(path, "must be a time between 2000 and 2200");
    return false;
  }
  return true;
}

void CompileBudget(const v1::Budget& b, const std::string& path, CompiledOffer& c,
                   Problems& problems) {
  CompiledBudget budget;
  CheckCount(b.daily_count(), path + ".daily_count", problems);
  CheckCount(b.total_count(), path + ".total_count", problems);
  CheckMoney(b.daily_amount(), path + ".daily_amount", problems);
  CheckMoney(b.total_amount(), path + ".total_amount", problems);
  budget.daily_count = std::max<int64_t>(0, b.daily_count());
  budget.total_count = std::max<int64_t>(0, b.total_count());
  budget.daily_amount = std::max<int64_t>(0, Cents(b.daily_amount()));
  budget.total_amount = std::max<int64_t>(0, Cents(b.total_amount()));
  if (budget.daily_count == 0 && budget.total_count == 0 && budget.daily_amount == 0 &&
      budget.total_amount == 0) {
    problems.Warning(path, "a budget without any limit has no effect");
  }
  if ((budget.daily_amount > 0 || budget.total_amount > 0) && c.cost_cents == 0) {
    problems.Warning(path, "a money limit on an offer whose cost is 0 never spends anything");
  }
  if (b.charge_on().empty() || b.charge_on() == "decision") {
    budget.charge_on = ChargeOn::kDecision;
  } else if (b.charge_on() == "acceptance") {
    budget.charge_on = ChargeOn::kAcceptance;
  } else {
    problems.Error(path + ".charge_on",
                   absl::StrCat("unknown \"", b.charge_on(), "\"; one of: decision, acceptance"));
  }
  if (b.pacing().empty() || b.pacing() == "even") {
    budget.paced = true;
  } else if (b.pacing() == "none") {
    budget.paced = false;
  } else {
    problems.Error(path + ".pacing",
                   absl::StrCat("unknown \"", b.pacing(), "\"; one of: even, none"));
  }
  std::array<double, 24> shape;
  shape.fill(1);
  if (!b.hourly_shape().empty()) {
    if (b.hourly_shape_size() != 24) {
      problems.Error(path + ".hourly_shape",
                     absl::StrCat("needs 24 weights (one per hour), got ", b.hourly_shape_size()));
    } else {
      double total = 0;
      for (int h = 0; h < 24; ++h) {
        const double w = b.hourly_shape(h);
        if (!std::isfinite(w) || w < 0) {
          problems.Error(absl::StrCat(path, ".hourly_shape[", h, "]"),
                         absl::StrCat("must be a finite weight >= 0, got ", w));
        } else {
          shape[h] = w;
          total += w;
        }
      }
      if (total <= 0) problems.Error(path + ".hourly_shape", "weights must not all be 0");
    }
  }
  double total = 0;
  for (double w : shape) total += w;
  if (total <= 0) total = 1;
  budget.plan_by_hour[0] = 0;
  for (int h = 0; h < 24; ++h)
    budget.plan_by_hour[h + 1] = budget.plan_by_hour[h] + shape[h] / total;
  budget.plan_by_hour[24] = 1;
  c.budget = budget;
}

}  // namespace

void CompileTimeZone(const v1::Strategy& doc, Strategy& s, Problems& problems) {
  if (doc.time_zone().empty() || doc.time_zone() == "UTC") return;
  if (!absl::LoadTimeZone(doc.time_zone(), &s.time_zone)) {
    problems.Error("time_zone", absl::StrCat("unknown time zone \"", doc.time_zone(),
                                             "\"; use an IANA name such as \"Europe/Berlin\""));
  }
}

void CompileOfferPolicy(const v1::Offer& o, const std::string& path, CompiledOffer& c,
                        Problems& problems) {
  absl::flat_hash_set<absl::string_view> placements;
  for (int j = 0; j < o.placements_size(); ++j) {
    const std::string& p = o.placements(j);
    const std::string jpath = absl::StrCat(path, ".placements[", j, "]");
    if (p.empty() || p.size() > 64) {
      problems.Error(jpath, "must be 1..64 characters");
    } else if (!placements.insert(p).second) {
      problems.Error(jpath, absl::StrCat("placement \"", p, "\" listed twice"));
    }
  }
  if (o.has_valid_from() && ValidTimestamp(o.valid_from(), path + ".valid_from", problems)) {
    c.valid_from = FromProto(o.valid_from());
  }
  if (o.has_valid_until() && ValidTimestamp(o.valid_until(), path + ".valid_until", problems)) {
    c.valid_until = FromProto(o.valid_until());
  }
  if (c.valid_until <= c.valid_from) {
    problems.Error(path + ".valid_until", "must be after valid_from");
  }
  if (o.action_class().empty() || o.action_class() == "marketing") {
    c.action_class = ActionClass::kMarketing;
  } else if (o.action_class() == "service") {
    c.action_class = ActionClass::kService;
  } else if (o.action_class() == "mandatory") {
    c.action_class = ActionClass::kMandatory;
  } else {
    problems.Error(
        path + ".action_class",
        absl::StrCat("unknown \"", o.action_class(), "\"; one of: marketing, service, mandatory"));
  }
  if (!o.group().empty()) {
    if (o.group().size() > 64 || !std::all_of(o.group().begin(), o.group().end(), IsIdChar)) {
      problems.Error(path + ".group",
                     absl::StrCat("\"", o.group(), "\" must be 1..64 characters of [a-z0-9_-]"));
    }
  }
  CheckMoney(o.cost(), path + ".cost", problems);
  if (std::isfinite(o.cost()) && o.cost() > 0) c.cost_cents = Cents(o.cost());
  if (std::isfinite(o.margin()) && std::isfinite(o.cost())) {
    c.value = std::max(0.0, o.margin() - std::max(0.0, o.cost()));
  }
  if (std::isfinite(o.margin()) && std::isfinite(o.cost()) && o.cost() > 0 &&
      o.cost() >= o.margin()) {
    problems.Warning(path + ".cost", "cost is not below margin: the offer's value is 0");
  }
  if (o.has_budget()) CompileBudget(o.budget(), path + ".budget", c, problems);
}

void CompileContactPolicy(const v1::Strategy& doc, Strategy& s, Problems& problems) {
  if (!doc.has_contact_policy()) return;
  const v1::ContactPolicy& p = doc.contact_policy();
  CompiledContactPolicy& c = s.contact_policy;
  const std::string path = "contact_policy";
  CheckCap(p.max_per_day(), path + ".max_per_day", problems);
  CheckCap(p.max_per_week(), path + ".max_per_week", problems);
  c.max_per_day = std::clamp(p.max_per_day(), 0, kMaxCap);
  c.max_per_week = std::clamp(p.max_per_week(), 0, kMaxCap);
  if (c.max_per_day > 0 && c.max_per_week > 0 && c.max_per_week < c.max_per_day) {
    problems.Warning(path + ".max_per_week", "smaller than max_per_day");
  }
  c.has_caps = c.max_per_day > 0 || c.max_per_week > 0;
  std::array<bool, kChannelSlots> seen{};
  for (int i = 0; i < p.channels_size(); ++i) {
    const v1::ChannelContactPolicy& ch = p.channels(i);
    const std::string cpath = absl::StrCat(path, ".channels[", i, "]");
    const std::optional<v1::Channel> channel = ParseChannel(ch.channel());
    if (!channel) {
      problems.Error(cpath + ".channel",
                     absl::StrCat("unknown channel \"", ch.channel(),
                                  "\"; one of: ", absl::StrJoin(ChannelNames(), ", ")));
      continue;
    }
    if (seen[*channel]) {
      problems.Error(cpath + ".channel",
                     absl::StrCat("a second entry for channel \"", ch.channel(), "\""));
    }
    seen[*channel] = true;
    CheckCap(ch.max_per_day(), cpath + ".max_per_day", problems);
    CheckCap(ch.max_per_week(), cpath + ".max_per_week", problems);
    if (ch.max_per_interaction() < 0 || ch.max_per_interaction() > 20) {
      problems.Error(cpath + ".max_per_interaction",
                     absl::StrCat("must be 0..20 (0 = no cap), got ", ch.max_per_interaction()));
    }
    CompiledContactPolicy::ChannelCaps& caps = c.channels[*channel];
    caps.max_per_day = std::clamp(ch.max_per_day(), 0, kMaxCap);
    caps.max_per_week = std::clamp(ch.max_per_week(), 0, kMaxCap);
    caps.max_per_interaction = std::clamp(ch.max_per_interaction(), 0, 20);
    if (caps.max_per_day > 0 || caps.max_per_week > 0) c.has_caps = true;
  }
  c.decline_cooldown = Days(p.decline_cooldown_days(), path + ".decline_cooldown_days", problems);
  c.group_decline_cooldown =
      Days(p.group_decline_cooldown_days(), path + ".group_decline_cooldown_days", problems);
  c.allow_repeat_accepted = p.allow_repeat_accepted();
  if (p.ignore_limit() < 0 || p.ignore_limit() > 1000) {
    problems.Error(path + ".ignore_limit",
                   absl::StrCat("must be 0..1000 (0 = no pause), got ", p.ignore_limit()));
  }
  c.ignore_limit = std::clamp(p.ignore_limit(), 0, 1000);
  c.ignore_pause = Days(p.ignore_pause_days(), path + ".ignore_pause_days", problems);
  if (c.ignore_limit > 0 && c.ignore_pause == absl::ZeroDuration()) {
    problems.Warning(path + ".ignore_pause_days", "ignore_limit is set but the pause is 0 days");
  }
}

void CompileCapacities(const v1::Strategy& doc, Strategy& s, Problems& problems) {
  if (static_cast<size_t>(doc.capacities_size()) > kMaxCapacities) {
    problems.Error("capacities", absl::StrCat("more than ", kMaxCapacities, " capacities"));
  }
  absl::flat_hash_set<std::string> ids;
  for (int i = 0; i < doc.capacities_size(); ++i) {
    const v1::Capacity& cap = doc.capacities(i);
    const std::string path = absl::StrCat("capacities[", i, "]");
    CheckId(cap.id(), path + ".id", problems);
    if (!cap.id().empty() && !ids.insert(cap.id()).second) {
      problems.Error(path + ".id", absl::StrCat("duplicate capacity id \"", cap.id(), "\""));
    }
    CompiledCapacity c;
    c.def = &cap;
    if (auto ch = ParseChannel(cap.channel())) {
      c.channel = *ch;
    } else {
      problems.Error(path + ".channel",
                     cap.channel().empty()
                         ? absl::StrCat("required, one of: ", absl::StrJoin(ChannelNames(), ", "))
                         : absl::StrCat("unknown channel \"", cap.channel(),
                                        "\"; one of: ", absl::StrJoin(ChannelNames(), ", ")));
    }
    uint32_t kind_mask = 0;
    for (int j = 0; j < cap.offer_kinds_size(); ++j) {
      if (auto kind = ParseOfferKind(cap.offer_kinds(j))) {
        kind_mask |= 1u << *kind;
      } else {
        problems.Error(absl::StrCat(path, ".offer_kinds[", j, "]"),
                       absl::StrCat("unknown kind \"", cap.offer_kinds(j),
                                    "\"; one of: ", absl::StrJoin(OfferKindNames(), ", ")));
      }
    }
    const std::vector<int> offers = ResolveOffers(cap.offer_ids(), path, s, problems);
    CheckCount(cap.per_hour(), path + ".per_hour", problems);
    CheckCount(cap.per_day(), path + ".per_day", problems);
    if (cap.per_hour() <= 0 && cap.per_day() <= 0) {
      problems.Error(path, "needs per_hour or per_day (or both)");
    }
    c.per_hour = std::max<int64_t>(0, cap.per_hour());
    c.per_day = std::max<int64_t>(0, cap.per_day());
    const int index = static_cast<int>(s.capacities.size());
    bool covers_any = false;
    for (size_t o = 0; o < s.offers.size(); ++o) {
      CompiledOffer& offer = s.offers[o];
      if (kind_mask != 0 && (kind_mask & (1u << offer.kind)) == 0) continue;
      if (!offers.empty() &&
          std::find(offers.begin(), offers.end(), static_cast<int>(o)) == offers.end()) {
        continue;
      }
      offer.capacities.push_back(index);
      covers_any = true;
    }
    if (!covers_any && !problems.has_errors()) {
      problems.Warning(path, "covers no offer (check offer_kinds and offer_ids)");
    }
    s.capacities.push_back(c);
  }
}

namespace {

// Merges `treatments` into `base` (replace = false) or takes them alone, as micro-segments do.
std::vector<CompiledTreatment> MergeTreatments(
    std::vector<CompiledTreatment> base, bool replace,
    const google::protobuf::RepeatedPtrField<v1::Treatment>& treatments, const std::string& path,
    const Strategy& s, Problems& problems) {
  if (replace) base.clear();
  for (int j = 0; j < treatments.size(); ++j) {
    const v1::Treatment& t = treatments.Get(j);
    const std::string tpath = absl::StrCat(path, ".treatments[", j, "]");
    auto it = s.offer_index.find(t.offer_id());
    if (it == s.offer_index.end()) {
      problems.Error(tpath + ".offer_id", absl::StrCat("unknown offer \"", t.offer_id(), "\""));
      continue;
    }
    const double weight = t.weight() == 0 ? 1 : t.weight();
    CheckWeight(weight, tpath + ".weight", problems);
    auto same = std::find_if(base.begin(), base.end(),
                             [&](const CompiledTreatment& x) { return x.offer == it->second; });
    if (same != base.end()) {
      same->weight = weight;
    } else {
      base.push_back(CompiledTreatment{it->second, weight});
    }
  }
  return base;
}

}  // namespace

void CompileChallenger(const v1::Strategy& doc, Strategy& s, Problems& problems) {
  if (!doc.has_challenger()) return;
  const v1::Challenger& c = doc.challenger();
  const std::string path = "challenger";
  CompiledChallenger out;
  out.def = &c;
  CheckId(c.id(), path + ".id", problems);
  if (!std::isfinite(c.share()) || c.share() <= 0 || c.share() > 0.5) {
    problems.Error(path + ".share", absl::StrCat("must be in (0, 0.5], got ", c.share()));
  } else {
    out.share = c.share();
  }
  if (c.segments().empty()) {
    problems.Warning(path + ".segments", "no segments: the challenger decides as the champion");
  }
  out.treatments.resize(s.segments.size());
  for (int i = 0; i < c.segments_size(); ++i) {
    const v1::ChallengerSegment& cs = c.segments(i);
    const std::string spath = absl::StrCat(path, ".segments[", i, "]");
    int index = -1;
    for (size_t k = 0; k < s.segments.size(); ++k) {
      if (s.segments[k].def->id() == cs.segment_id()) index = static_cast<int>(k);
    }
    if (index < 0) {
      problems.Error(spath + ".segment_id",
                     absl::StrCat("unknown segment \"", cs.segment_id(), "\""));
      continue;
    }
    if (out.treatments[index].has_value()) {
      problems.Error(spath + ".segment_id",
                     absl::StrCat("segment \"", cs.segment_id(), "\" listed twice"));
      continue;
    }
    out.treatments[index] = MergeTreatments(s.segments[index].treatments, cs.replace(),
                                            cs.treatments(), spath, s, problems);
  }
  s.challenger = std::move(out);
}

void CompileLearning(const v1::Strategy& doc, Strategy& s, Problems& problems) {
  const v1::Learning& l = doc.learning();
  CompiledLearning& c = s.learning;
  const std::string path = "learning";
  if (l.mode().empty() || l.mode() == "adaptive") {
    c.mode = LearningMode::kAdaptive;
  } else if (l.mode() == "prior_only") {
    c.mode = LearningMode::kPriorOnly;
  } else {
    problems.Error(path + ".mode",
                   absl::StrCat("unknown \"", l.mode(), "\"; one of: adaptive, prior_only"));
  }
  const auto share = [&](double v, double max, double fallback, const char* field) {
    if (v == 0) return fallback;
    if (!std::isfinite(v) || v < 0 || v > max) {
      problems.Error(
          absl::StrCat(path, ".", field),
          absl::StrCat("must be in [0, ", max, "] (0 = default ", fallback, "), got ", v));
      return fallback;
    }
    return v;
  };
  c.exploration_share = share(l.exploration_share(), 1, 0.05, "exploration_share");
  c.control_share = share(l.control_share(), 0.5, 0.02, "control_share");
  if (l.half_life_days() != 0) {
    if (!std::isfinite(l.half_life_days()) || l.half_life_days() < 0.01 ||
        l.half_life_days() > 3650) {
      problems.Error(path + ".half_life_days",
                     absl::StrCat("must be 0.01..3650 days (0 = 30), got ", l.half_life_days()));
    } else {
      c.half_life = absl::Seconds(l.half_life_days() * 86400);
    }
  }
  if (l.min_channel_evidence() != 0) {
    if (!std::isfinite(l.min_channel_evidence()) || l.min_channel_evidence() < 0 ||
        l.min_channel_evidence() > 1e9) {
      problems.Error(path + ".min_channel_evidence",
                     absl::StrCat("must be >= 0 (0 = 50), got ", l.min_channel_evidence()));
    } else {
      c.min_channel_evidence = l.min_channel_evidence();
    }
  }
  if (l.control_policy().empty() || l.control_policy() == "prior") {
    c.control_policy = ControlPolicy::kPrior;
  } else if (l.control_policy() == "random") {
    c.control_policy = ControlPolicy::kRandom;
  } else {
    problems.Error(path + ".control_policy",
                   absl::StrCat("unknown \"", l.control_policy(), "\"; one of: prior, random"));
  }
  const std::string& period = l.control_period();
  if (period.empty() || period == "year") {
    c.control_period = ControlPeriod::kYear;
  } else if (period == "quarter") {
    c.control_period = ControlPeriod::kQuarter;
  } else if (period == "month") {
    c.control_period = ControlPeriod::kMonth;
  } else if (period == "never") {
    c.control_period = ControlPeriod::kNever;
  } else {
    problems.Error(path + ".control_period",
                   absl::StrCat("unknown \"", period, "\"; one of: year, quarter, month, never"));
  }
  if (l.selection_probability_samples() != 0) {
    if (l.selection_probability_samples() < 1 || l.selection_probability_samples() > 1000) {
      problems.Error(
          path + ".selection_probability_samples",
          absl::StrCat("must be 1..1000 (0 = 32), got ", l.selection_probability_samples()));
    } else {
      c.selection_probability_samples = l.selection_probability_samples();
    }
  }
}

void CompileDimensions(const v1::Strategy& doc, Strategy& s, Problems& problems) {
  if (static_cast<size_t>(doc.dimensions_size()) > kMaxDimensions) {
    problems.Error("dimensions", absl::StrCat("more than ", kMaxDimensions, " dimensions"));
  }
  absl::flat_hash_set<std::string> ids;
  for (int i = 0; i < doc.dimensions_size(); ++i) {
    const v1::Dimension& d = doc.dimensions(i);
    const std::string path = absl::StrCat("dimensions[", i, "]");
    CheckId(d.id(), path + ".id", problems);
    if (!d.id().empty() && !ids.insert(d.id()).second) {
      problems.Error(path + ".id", absl::StrCat("duplicate dimension id \"", d.id(), "\""));
    }
    if (d.levels().empty()) problems.Error(path + ".levels", "at least one level is required");
    if (static_cast<size_t>(d.levels_size()) > kMaxLevels) {
      problems.Error(path + ".levels", absl::StrCat("more than ", kMaxLevels, " levels"));
    }
    CompiledDimension c;
    c.def = &d;
    absl::flat_hash_set<std::string> level_ids;
    bool ok = true;
    for (int j = 0; j < d.levels_size(); ++j) {
      const v1::DimensionLevel& level = d.levels(j);
      const std::string lpath = absl::StrCat(path, ".levels[", j, "]");
      CheckId(level.id(), lpath + ".id", problems);
      if (!level.id().empty() && !level_ids.insert(level.id()).second) {
        problems.Error(lpath + ".id", absl::StrCat("duplicate level id \"", level.id(), "\""));
      }
      std::optional<Rule> rule = CompileRequiredRule(level.rule(), lpath + ".rule", problems);
      if (rule) {
        c.levels.push_back(*std::move(rule));
      } else {
        ok = false;
      }
    }
    if (ok) s.dimensions.push_back(std::move(c));
  }
}

void CompileMicroSegments(const v1::Strategy& doc, Strategy& s, Problems& problems) {
  // Segments that failed to compile are missing from s.segments; match them up by definition.
  for (CompiledSegment& seg : s.segments) {
    const v1::Segment& def = *seg.def;
    int i = 0;
    while (i < doc.segments_size() && &doc.segments(i) != &def) ++i;
    const std::string spath = absl::StrCat("segments[", i, "].micro_segments");
    if (static_cast<size_t>(def.micro_segments_size()) > kMaxMicroSegments) {
      problems.Error(spath, absl::StrCat("more than ", kMaxMicroSegments, " micro-segments"));
    }
    absl::flat_hash_set<std::string> ids;
    for (int m = 0; m < def.micro_segments_size(); ++m) {
      const v1::MicroSegment& micro = def.micro_segments(m);
      const std::string path = absl::StrCat(spath, "[", m, "]");
      CheckId(micro.id(), path + ".id", problems);
      if (!micro.id().empty() && !ids.insert(micro.id()).second) {
        problems.Error(path + ".id",
                       absl::StrCat("duplicate micro-segment id \"", micro.id(), "\""));
      }
      CompiledMicroSegment c;
      c.def = &micro;
      if (micro.when().empty()) {
        problems.Error(path + ".when", "at least one dimension level is required");
      }
      // Map order is unspecified: sort by dimension for a stable error order and `when` order.
      std::vector<std::pair<std::string, std::string>> when(micro.when().begin(),
                                                            micro.when().end());
      std::sort(when.begin(), when.end());
      for (const auto& [dimension, level] : when) {
        const std::string wpath = absl::StrCat(path, ".when.", dimension);
        int d = -1;
        for (size_t k = 0; k < s.dimensions.size(); ++k) {
          if (s.dimensions[k].def->id() == dimension) d = static_cast<int>(k);
        }
        if (d < 0) {
          problems.Error(wpath, absl::StrCat("unknown dimension \"", dimension, "\""));
          continue;
        }
        int l = -1;
        const auto& levels = s.dimensions[d].def->levels();
        for (int k = 0; k < levels.size(); ++k) {
          if (levels.Get(k).id() == level) l = k;
        }
        if (l < 0) {
          problems.Error(wpath, absl::StrCat("unknown level \"", level, "\" of dimension \"",
                                             dimension, "\""));
          continue;
        }
        c.when.emplace_back(d, l);
      }
      // Effective treatments: the segment's with overrides, or the micro-segment's alone.
      if (micro.treatments().empty()) problems.Warning(path + ".treatments", "no treatments");
      c.treatments =
          MergeTreatments(seg.treatments, micro.replace(), micro.treatments(), path, s, problems);
      seg.micro_segments.push_back(std::move(c));
    }
  }
}

}  // namespace nbo::core::internal
