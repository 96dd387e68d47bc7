#include "loadtest/workload.h"

#include <algorithm>
#include <cmath>
#include <iterator>

#include "absl/strings/str_cat.h"

namespace nbo::loadtest {
namespace {

using v1::Event;

// Northwind's catalogue (examples/strategy.json): product id, category, monthly price in EUR.
struct Product {
  const char* id;
  const char* category;
  double price;
};
constexpr Product kCatalogue[] = {{"mobile_basic", "mobile", 12},
                                  {"mobile_unlimited", "mobile", 35},
                                  {"family_plan", "mobile", 55},
                                  {"broadband_basic", "broadband", 25},
                                  {"broadband_fibre", "broadband", 45},
                                  {"fibre_premium", "broadband", 60},
                                  {"tv_basic", "tv", 20},
                                  {"tv_sports", "tv", 15},
                                  {"tv_movies", "tv", 9},
                                  {"streaming_bundle", "tv", 18},
                                  {"home_phone", "fixed", 5},
                                  {"smart_home_kit", "devices", 129},
                                  {"wifi_extender", "devices", 79},
                                  {"device_insurance", "insurance", 6},
                                  {"roaming_pack", "addons", 10},
                                  {"data_addon", "addons", 5},
                                  {"accessory_bundle", "accessories", 39}};
// What new customers start with: the products the segments are built around.
constexpr int kCoreProducts[] = {0, 1, 3, 4, 6};

// A value with its weight, for the small weighted choices below.
template <typename T>
struct Weighted {
  T value;
  double weight;
};

template <typename T, size_t N>
T Choose(SplitMix64& rng, const Weighted<T> (&options)[N]) {
  double total = 0;
  for (const auto& o : options) total += o.weight;
  double u = rng.NextDouble() * total;
  for (const auto& o : options) {
    if (u < o.weight) return o.value;
    u -= o.weight;
  }
  return options[N - 1].value;
}

template <typename T, size_t N>
const T& Pick(SplitMix64& rng, const T (&options)[N]) {
  return options[rng.Below(N)];
}

const Product& AnyProduct(SplitMix64& rng) { return Pick(rng, kCatalogue); }

// Channel, source system and placement together: they come from the same front end.
struct Touchpoint {
  v1::Channel channel;
  const char* source;
  const char* placement;
};
constexpr Touchpoint kWeb{v1::CHANNEL_WEB, "webshop", "product_page"};
constexpr Touchpoint kApp{v1::CHANNEL_MOBILE_APP, "app", "app_home"};
constexpr Touchpoint kCall{v1::CHANNEL_CALL_CENTRE, "callcentre", "agent_desktop"};
constexpr Touchpoint kStore{v1::CHANNEL_STORE, "pos", "store_desk"};
constexpr Touchpoint kEmail{v1::CHANNEL_EMAIL, "email", ""};
constexpr Touchpoint kChat{v1::CHANNEL_CHAT, "chat", "chat_window"};

void SetTouchpoint(const Touchpoint& t, v1::DecideRequest& r) {
  r.mutable_event()->set_channel(t.channel);
  r.mutable_event()->set_source(t.source);
  r.set_placement(t.placement);
}

void BuildPageView(SplitMix64& rng, v1::DecideRequest& r) {
  SetTouchpoint(rng.NextDouble() < 0.8 ? kWeb : kApp, r);
  const Product& p = AnyProduct(rng);
  auto* pv = r.mutable_event()->mutable_page_view();
  pv->set_page(absl::StrCat("/", p.category, "/", p.id));
  pv->set_product(p.id);
  pv->set_category(p.category);
  r.mutable_context()->set_product_in_view(p.id);
}

void BuildSearch(SplitMix64& rng, v1::DecideRequest& r) {
  static constexpr Weighted<const char*> kQueries[] = {
      {"fibre speed test", 3}, {"cheapest broadband", 3}, {"unlimited data", 2},
      {"live football tv", 2}, {"smart home", 1},         {"roaming countries", 1}};
  SetTouchpoint(kWeb, r);
  r.set_placement("search_results");
  r.mutable_event()->mutable_search()->set_query(Choose(rng, kQueries));
}

void BuildCart(SplitMix64& rng, bool add, v1::DecideRequest& r) {
  SetTouchpoint(add && rng.NextDouble() < 0.15 ? kApp : kWeb, r);
  r.set_placement("cart");
  const Product& p = AnyProduct(rng);
  auto* c = add ? r.mutable_event()->mutable_cart_add() : r.mutable_event()->mutable_cart_remove();
  c->set_product(p.id);
  c->set_category(p.category);
  c->set_quantity(1);
  r.mutable_context()->set_product_in_view(p.id);
}

void AddItem(const Product& p, v1::Purchase& purchase) {
  auto* item = purchase.add_items();
  item->set_product(p.id);
  item->set_category(p.category);
  item->set_quantity(1);
  item->set_amount(p.price);
  item->set_margin(std::round(p.price * 40) / 100);  // 40% margin, in cents
}

void BuildPurchase(SplitMix64& rng, int index, v1::DecideRequest& r) {
  static constexpr Weighted<int> kWhere[] = {{0, 0.6}, {1, 0.25}, {2, 0.15}};
  switch (Choose(rng, kWhere)) {
    case 0:
      SetTouchpoint(kWeb, r);
      r.set_placement("checkout");
      break;
    case 1:
      SetTouchpoint(kStore, r);
      break;
    default:
      SetTouchpoint(kCall, r);
      break;
  }
  auto* purchase = r.mutable_event()->mutable_purchase();
  const int items = 1 + static_cast<int>(rng.Below(2));
  for (int i = 0; i < items; ++i) AddItem(AnyProduct(rng), *purchase);
  purchase->set_currency("EUR");
  purchase->set_order_id(absl::StrCat("lt-order-", index));
}

void BuildCall(SplitMix64& rng, v1::DecideRequest& r) {
  static constexpr Weighted<const char*> kReasons[] = {
      {"billing", 30}, {"technical", 25}, {"sales", 20},   {"cancel", 10},
      {"outage", 5},   {"moving", 5},     {"switching", 5}};
  SetTouchpoint(kCall, r);
  const char* reason = Choose(rng, kReasons);
  r.mutable_event()->mutable_call_started()->set_reason(reason);
  r.mutable_context()->set_call_reason(reason);
}

void BuildAppOpen(SplitMix64& rng, v1::DecideRequest& r) {
  static constexpr const char* kScreens[] = {"home", "usage", "bills", "offers"};
  SetTouchpoint(kApp, r);
  r.mutable_event()->mutable_app_open()->set_screen(Pick(rng, kScreens));
}

void BuildStoreVisit(SplitMix64& rng, v1::DecideRequest& r) {
  SetTouchpoint(kStore, r);
  r.mutable_event()->mutable_store_visit()->set_store_id(absl::StrCat("s-", 100 + rng.Below(40)));
}

void BuildComplaint(SplitMix64& rng, v1::DecideRequest& r) {
  static constexpr Weighted<const Touchpoint*> kWhere[] = {
      {&kCall, 0.6}, {&kEmail, 0.2}, {&kChat, 0.2}};
  static constexpr const char* kTopics[] = {"billing", "outage", "technical", "service"};
  SetTouchpoint(*Choose(rng, kWhere), r);
  auto* c = r.mutable_event()->mutable_complaint();
  c->set_severity(1 + static_cast<int>(rng.Below(5)));
  c->set_topic(Pick(rng, kTopics));
}

void BuildLifeEvent(SplitMix64& rng, v1::DecideRequest& r) {
  static constexpr Weighted<const char*> kKinds[] = {
      {"moved_home", 40}, {"new_child", 20}, {"married", 15}, {"new_job", 15}, {"retired", 10}};
  if (rng.NextDouble() < 0.5) {
    SetTouchpoint(kCall, r);
  } else {
    SetTouchpoint(kWeb, r);
    r.set_placement("account_page");
  }
  r.mutable_event()->mutable_life_event()->set_kind(Choose(rng, kKinds));
}

void BuildSurvey(SplitMix64& rng, v1::DecideRequest& r) {
  SetTouchpoint(kEmail, r);
  auto* s = r.mutable_event()->mutable_survey_answer();
  s->set_nps(static_cast<int>(rng.Below(11)));
  s->add_interests(AnyProduct(rng).category);
}

void BuildTemplate(Event::KindCase kind, SplitMix64& rng, int index, int max_offers,
                   v1::DecideRequest& r) {
  switch (kind) {
    case Event::kPageView:
      BuildPageView(rng, r);
      break;
    case Event::kSearch:
      BuildSearch(rng, r);
      break;
    case Event::kCartAdd:
    case Event::kCartRemove:
      BuildCart(rng, kind == Event::kCartAdd, r);
      break;
    case Event::kPurchase:
      BuildPurchase(rng, index, r);
      break;
    case Event::kCallStarted:
      BuildCall(rng, r);
      break;
    case Event::kAppOpen:
      BuildAppOpen(rng, r);
      break;
    case Event::kStoreVisit:
      BuildStoreVisit(rng, r);
      break;
    case Event::kComplaint:
      BuildComplaint(rng, r);
      break;
    case Event::kLifeEvent:
      BuildLifeEvent(rng, r);
      break;
    default:
      BuildSurvey(rng, r);
      break;
  }
  r.set_max_offers(max_offers);
}

void SetTime(absl::Time t, google::protobuf::Timestamp& ts) {
  const int64_t ns = absl::ToUnixNanos(t);
  ts.set_seconds(ns / 1000000000);
  ts.set_nanos(static_cast<int32_t>(ns % 1000000000));
}

// Writes "lt-" and the rank with at least six digits into `out`, reusing its buffer.
void WriteCustomerName(int64_t rank, std::string& out) {
  char digits[24];
  int n = 0;
  for (int64_t v = rank; v > 0 || n < 6; v /= 10) digits[n++] = static_cast<char>('0' + v % 10);
  out.assign("lt-");
  while (n > 0) out.push_back(digits[--n]);
}

}  // namespace

const std::vector<KindShare>& DecideMix() {
  static const auto* mix = new std::vector<KindShare>{
      {Event::kPageView, 0.55},   {Event::kCallStarted, 0.10}, {Event::kSearch, 0.08},
      {Event::kCartAdd, 0.08},    {Event::kPurchase, 0.05},    {Event::kAppOpen, 0.05},
      {Event::kCartRemove, 0.02}, {Event::kStoreVisit, 0.02},  {Event::kComplaint, 0.02},
      {Event::kLifeEvent, 0.02},  {Event::kSurveyAnswer, 0.01}};
  return *mix;
}

absl::StatusOr<std::unique_ptr<Workload>> Workload::Create(const WorkloadOptions& options) {
  if (options.run_id.empty()) return absl::InvalidArgumentError("--run_id must not be empty");
  absl::StatusOr<ZipfSampler> zipf = ZipfSampler::Create(options.customers, options.zipf_s);
  if (!zipf.ok()) return zipf.status();
  std::unique_ptr<Workload> w(new Workload(options, *std::move(zipf)));
  // The pool holds each kind in its exact share; a uniform draw from it keeps the shares.
  SplitMix64 rng(options.seed);
  w->templates_.reserve(kTemplates);
  for (const KindShare& ks : DecideMix()) {
    const int count = static_cast<int>(std::lround(ks.share * kTemplates));
    for (int i = 0; i < count && w->templates_.size() < kTemplates; ++i) {
      v1::DecideRequest& r = w->templates_.emplace_back();
      BuildTemplate(ks.kind, rng, static_cast<int>(w->templates_.size()), options.max_offers, r);
    }
  }
  return w;
}

void Workload::SetCustomer(int64_t rank, v1::CustomerRef& ref) const {
  if (options_.customer_ref == CustomerRefKind::kCustomerId) {
    WriteCustomerName(rank, *ref.mutable_customer_id());
    return;
  }
  v1::SourceIdentity* id = ref.mutable_identity();
  if (id->source().empty()) id->set_source("loadtest");
  WriteCustomerName(rank, *id->mutable_external_id());
}

std::string Workload::CustomerName(int64_t rank) {
  std::string name;
  WriteCustomerName(rank, name);
  return name;
}

void Workload::FillDecide(SplitMix64& rng, uint64_t seq, absl::Time now,
                          v1::DecideRequest& request) const {
  request = templates_[rng.Below(templates_.size())];
  SetCustomer(zipf_.Sample(rng), *request.mutable_customer());
  v1::Event* event = request.mutable_event();
  std::string* id = event->mutable_event_id();
  id->assign("lt-");
  absl::StrAppend(id, options_.run_id, "-", seq);
  SetTime(now, *event->mutable_occurred_at());
}

void Workload::FillOutcome(SplitMix64& rng, absl::string_view decision_id,
                           absl::string_view offer_id, v1::OutcomeRequest& request) {
  static constexpr Weighted<v1::Outcome> kOutcomes[] = {{v1::OUTCOME_PRESENTED, 0.50},
                                                        {v1::OUTCOME_IGNORED, 0.25},
                                                        {v1::OUTCOME_DECLINED, 0.15},
                                                        {v1::OUTCOME_ACCEPTED, 0.10}};
  request.Clear();
  request.mutable_decision_id()->assign(decision_id.data(), decision_id.size());
  request.mutable_offer_id()->assign(offer_id.data(), offer_id.size());
  request.set_outcome(Choose(rng, kOutcomes));
}

void Workload::FillPreloadEvent(SplitMix64& rng, int64_t rank, absl::Time now,
                                v1::IngestEvent& out) const {
  out.Clear();
  SetCustomer(rank, *out.mutable_customer());
  v1::Event* e = out.mutable_event();
  e->set_event_id(absl::StrCat("lt-", options_.run_id, "-p", rank));
  const double days = 1 + rng.NextDouble() * 729;
  SetTime(now - absl::Hours(24 * days), *e->mutable_occurred_at());
  const double u = rng.NextDouble();
  if (u < 0.7) {
    e->set_channel(rng.NextDouble() < 0.6 ? v1::CHANNEL_WEB : v1::CHANNEL_STORE);
    e->set_source(e->channel() == v1::CHANNEL_WEB ? "webshop" : "pos");
    auto* purchase = e->mutable_purchase();
    const int items = 1 + static_cast<int>(rng.Below(2));
    for (int i = 0; i < items; ++i) AddItem(kCatalogue[Pick(rng, kCoreProducts)], *purchase);
    purchase->set_currency("EUR");
  } else if (u < 0.9) {
    e->set_channel(v1::CHANNEL_WEB);
    e->set_source("webshop");
    const Product& p = AnyProduct(rng);
    e->mutable_page_view()->set_product(p.id);
    e->mutable_page_view()->set_category(p.category);
  } else {
    e->set_channel(v1::CHANNEL_MOBILE_APP);
    e->set_source("app");
    e->mutable_app_open()->set_screen("home");
  }
}

OutcomeRing::OutcomeRing(size_t capacity) : entries_(std::max<size_t>(1, capacity)) {}

void OutcomeRing::Push(absl::string_view decision_id, absl::string_view offer_id) {
  absl::MutexLock lock(&mu_);
  Entry* e;
  if (size_ < entries_.size()) {
    e = &entries_[size_++];
  } else {
    e = &entries_[next_overwrite_];
    next_overwrite_ = (next_overwrite_ + 1) % entries_.size();
  }
  e->decision_id.assign(decision_id.data(), decision_id.size());
  e->offer_id.assign(offer_id.data(), offer_id.size());
}

bool OutcomeRing::Take(SplitMix64& rng, std::string* decision_id, std::string* offer_id) {
  absl::MutexLock lock(&mu_);
  if (size_ == 0) return false;
  Entry& e = entries_[rng.Below(size_)];
  decision_id->swap(e.decision_id);
  offer_id->swap(e.offer_id);
  // The last live entry fills the hole; the swapped-in buffers are reused by later pushes.
  std::swap(e, entries_[--size_]);
  return true;
}

size_t OutcomeRing::size() const {
  absl::MutexLock lock(&mu_);
  return size_;
}

}  // namespace nbo::loadtest
