#include "tools/decide_request.h"

#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <random>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "tools/customer_ref.h"
#include "tools/enum_names.h"

namespace nbo::tools {
namespace {

constexpr int kMaxOffers = 20;
constexpr int kMaxQuantity = 10000;
constexpr size_t kMaxPurchaseItems = 1000;
// The server's limits (core/request_validation.cc), checked here so the error names the flag.
constexpr size_t kMaxPlacement = 64;
constexpr size_t kMaxCallReason = 64;
constexpr size_t kMaxProductInView = 128;
constexpr size_t kMaxLifeEventKind = 64;

// A flag that only some event kinds use, and whether it was given.
struct KindFlag {
  absl::string_view name;
  bool given;
  std::initializer_list<absl::string_view> kinds;
};

absl::Status CheckFlagsApply(const DecideArgs& a) {
  const KindFlag flags[] = {
      {"product", !a.products.empty(), {"page_view", "cart_add", "cart_remove", "purchase"}},
      {"category",
       !a.category.empty(),
       {"page_view", "search", "cart_add", "cart_remove", "purchase"}},
      {"page", !a.page.empty(), {"page_view"}},
      {"query", !a.query.empty(), {"search"}},
      {"quantity", a.quantity.has_value(), {"cart_add", "cart_remove", "purchase"}},
      {"amount", a.amount.has_value(), {"purchase"}},
      {"margin", a.margin.has_value(), {"purchase"}},
      {"currency", !a.currency.empty(), {"purchase"}},
      {"order_id", !a.order_id.empty(), {"purchase"}},
      {"store", !a.store.empty(), {"store_visit"}},
      {"screen", !a.screen.empty(), {"app_open"}},
      {"severity", a.severity.has_value(), {"complaint"}},
      {"topic", !a.topic.empty(), {"complaint"}},
      {"life_event", !a.life_event.empty(), {"life_event"}},
      {"nps", a.nps.has_value(), {"survey_answer"}},
      {"interests", !a.interests.empty(), {"survey_answer"}},
  };
  for (const KindFlag& flag : flags) {
    if (!flag.given) continue;
    bool applies = false;
    for (absl::string_view kind : flag.kinds) applies = applies || kind == a.event;
    if (!applies) {
      return absl::InvalidArgumentError(
          absl::StrCat("--", flag.name, " does not apply to --event ", a.event,
                       " (used by: ", absl::StrJoin(flag.kinds, ", "), ")"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckRange(absl::string_view flag, const std::optional<int>& value, int lo, int hi) {
  if (value.has_value() && (*value < lo || *value > hi)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, " must be in ", lo, "..", hi, ", got ", *value));
  }
  return absl::OkStatus();
}

absl::Status CheckLength(absl::string_view flag, absl::string_view value, size_t max) {
  if (value.size() <= max) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("--", flag, " must be at most ", max, " characters, got ", value.size()));
}

// A life event kind as LifeEvent.kind documents it: 1..64 characters of [a-z0-9_]. An empty kind
// is left to Require (it is only required for --event life_event).
absl::Status CheckLifeEventKind(absl::string_view kind) {
  if (kind.empty()) return absl::OkStatus();
  if (kind.size() > kMaxLifeEventKind) return CheckLength("life_event", kind, kMaxLifeEventKind);
  for (char c : kind) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--life_event \"", kind, "\": use lower-case letters, digits and _, e.g. moved_home"));
    }
  }
  return absl::OkStatus();
}

absl::Status Require(bool given, absl::string_view flag, absl::string_view event,
                     absl::string_view what) {
  if (given) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("--event ", event, " needs --", flag, " (", what, ")"));
}

absl::StatusOr<std::string> SingleProduct(const DecideArgs& a) {
  if (a.products.size() > 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("--event ", a.event, " takes one --product, got ", a.products.size()));
  }
  return a.products.empty() ? std::string() : a.products.front();
}

absl::Status FillPurchase(const DecideArgs& a, v1::Purchase& purchase) {
  if (absl::Status s = Require(!a.products.empty(), "product", a.event, "comma-separated list");
      !s.ok()) {
    return s;
  }
  if (a.products.size() > kMaxPurchaseItems) {
    return absl::InvalidArgumentError("--product: at most 1000 products per purchase");
  }
  if (a.amount.has_value() && !(std::isfinite(*a.amount) && *a.amount >= 0)) {
    return absl::InvalidArgumentError("--amount must be a finite number >= 0");
  }
  if (a.margin.has_value() && !std::isfinite(*a.margin)) {
    return absl::InvalidArgumentError("--margin must be a finite number");
  }
  const double n = static_cast<double>(a.products.size());
  for (const std::string& product : a.products) {
    if (product.empty()) return absl::InvalidArgumentError("--product: empty product id in list");
    v1::PurchaseItem* item = purchase.add_items();
    item->set_product(product);
    item->set_category(a.category);
    item->set_quantity(a.quantity.value_or(0));
    item->set_amount(a.amount.value_or(0) / n);
    item->set_margin(a.margin.value_or(0) / n);
  }
  purchase.set_currency(a.currency);
  purchase.set_order_id(a.order_id);
  return absl::OkStatus();
}

// Fills the oneof member of Event.kind named a.event. REQUIRES: a.event is a valid kind name.
absl::Status FillEventKind(const DecideArgs& a, v1::DecideRequest& request) {
  v1::Event& event = *request.mutable_event();
  const std::string& kind = a.event;
  if (kind == "page_view") {
    absl::StatusOr<std::string> product = SingleProduct(a);
    if (!product.ok()) return product.status();
    v1::PageView& view = *event.mutable_page_view();
    view.set_page(a.page);
    view.set_product(*product);
    view.set_category(a.category);
    if (!product->empty()) request.mutable_context()->set_product_in_view(*product);
  } else if (kind == "search") {
    event.mutable_search()->set_query(a.query);
    event.mutable_search()->set_category(a.category);
  } else if (kind == "cart_add" || kind == "cart_remove") {
    absl::StatusOr<std::string> product = SingleProduct(a);
    if (!product.ok()) return product.status();
    if (absl::Status s = Require(!product->empty(), "product", kind, "the product id"); !s.ok()) {
      return s;
    }
    v1::CartChange& change =
        kind == "cart_add" ? *event.mutable_cart_add() : *event.mutable_cart_remove();
    change.set_product(*product);
    change.set_category(a.category);
    change.set_quantity(a.quantity.value_or(0));
  } else if (kind == "purchase") {
    return FillPurchase(a, *event.mutable_purchase());
  } else if (kind == "call_started") {
    event.mutable_call_started()->set_reason(a.call_reason);
  } else if (kind == "store_visit") {
    event.mutable_store_visit()->set_store_id(a.store);
  } else if (kind == "app_open") {
    event.mutable_app_open()->set_screen(a.screen);
  } else if (kind == "complaint") {
    if (absl::Status s = Require(a.severity.has_value(), "severity", kind, "1 minor .. 5 severe");
        !s.ok()) {
      return s;
    }
    event.mutable_complaint()->set_severity(*a.severity);
    event.mutable_complaint()->set_topic(a.topic);
  } else if (kind == "life_event") {
    if (absl::Status s = Require(!a.life_event.empty(), "life_event", kind, "e.g. moved_home");
        !s.ok()) {
      return s;
    }
    event.mutable_life_event()->set_kind(a.life_event);
  } else if (kind == "survey_answer") {
    v1::SurveyAnswer& answer = *event.mutable_survey_answer();
    if (a.nps.has_value()) answer.set_nps(*a.nps);
    for (const std::string& interest : a.interests) answer.add_interests(interest);
  } else {
    return absl::InternalError(absl::StrCat("event kind ", kind, " has no builder"));
  }
  return absl::OkStatus();
}

// Event kinds that are records rather than interactions to answer with offers, and the command
// that sends them instead; "" for the kinds decide builds.
absl::string_view NotForDecide(absl::string_view kind) {
  if (kind == "consent_change") return "nbo consent";
  if (kind == "product_removed") return "nbo ingest";
  return "";
}

}  // namespace

std::vector<std::string> EventKindNames() {
  std::vector<std::string> names;
  const google::protobuf::OneofDescriptor* oneof = v1::Event::descriptor()->FindOneofByName("kind");
  for (int i = 0; i < oneof->field_count(); ++i) {
    if (NotForDecide(oneof->field(i)->name()).empty()) names.push_back(oneof->field(i)->name());
  }
  return names;
}

absl::StatusOr<v1::DecideRequest> BuildDecideRequest(const DecideArgs& flags) {
  DecideArgs args = flags;  // with the event kind a --life_event implies
  if (args.event.empty() && !args.life_event.empty()) args.event = "life_event";
  if (args.customer.empty()) {
    return absl::InvalidArgumentError("decide needs --customer (c-1001 or source:external_id)");
  }
  if (args.channel.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("decide needs --channel (", absl::StrJoin(ChannelNames(), ", "), ")"));
  }
  if (absl::string_view instead = NotForDecide(args.event); !instead.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--event ", args.event, " is not sent through decide; use ", instead));
  }
  const std::vector<std::string> kinds = EventKindNames();
  bool known_kind = false;
  for (const std::string& kind : kinds) known_kind = known_kind || kind == args.event;
  if (!known_kind) {
    return absl::InvalidArgumentError(absl::StrCat(
        args.event.empty() ? "decide needs --event" : "unknown event \"" + args.event + "\"",
        "; valid events: ", absl::StrJoin(kinds, ", ")));
  }
  absl::StatusOr<v1::CustomerRef> customer = ParseCustomerRef(args.customer);
  if (!customer.ok()) return customer.status();
  absl::StatusOr<v1::Channel> channel = ParseChannel(args.channel);
  if (!channel.ok()) return channel.status();
  if (absl::Status s = CheckFlagsApply(args); !s.ok()) return s;
  for (absl::Status s :
       {CheckRange("max_offers", args.max_offers, 0, kMaxOffers),
        CheckRange("quantity", args.quantity, 0, kMaxQuantity),
        CheckRange("severity", args.severity, 1, 5), CheckRange("nps", args.nps, 0, 10)}) {
    if (!s.ok()) return s;
  }
  for (absl::Status s : {CheckLength("placement", args.placement, kMaxPlacement),
                         CheckLength("call_reason", args.call_reason, kMaxCallReason),
                         CheckLength("product_in_view", args.product_in_view, kMaxProductInView),
                         CheckLifeEventKind(args.life_event)}) {
    if (!s.ok()) return s;
  }

  v1::DecideRequest request;
  *request.mutable_customer() = *std::move(customer);
  v1::Event& event = *request.mutable_event();
  event.set_event_id(args.event_id.empty() ? RandomEventId() : args.event_id);
  event.set_source(args.source);
  event.set_channel(*channel);
  request.set_placement(args.placement);
  request.set_max_offers(args.max_offers.value_or(0));
  if (!args.call_reason.empty()) request.mutable_context()->set_call_reason(args.call_reason);
  if (absl::Status s = FillEventKind(args, request); !s.ok()) return s;
  // After FillEventKind: an explicit --product_in_view wins over page_view's --product.
  if (!args.product_in_view.empty()) {
    request.mutable_context()->set_product_in_view(args.product_in_view);
  }
  return request;
}

std::string RandomEventId() {
  std::random_device device;
  const uint64_t high = device();
  const uint64_t low = device();
  return absl::StrFormat("cli-%016x", (high << 32) | (low & 0xffffffffu));
}

}  // namespace nbo::tools
