#include "core/request_validation.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/names.h"
#include "core/time_util.h"

namespace nbo::core {
namespace {

absl::Status Bad(absl::string_view path, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", what));
}

bool PrintableAscii(absl::string_view s) {
  for (char c : s) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

// An identifier-like string: 1..max printable ASCII characters, no spaces.
absl::Status CheckId(absl::string_view value, size_t max, absl::string_view path) {
  if (value.empty()) return Bad(path, "required");
  if (value.size() > max) return Bad(path, absl::StrCat("longer than ", max, " characters"));
  if (!PrintableAscii(value)) {
    return Bad(path, "must be printable ASCII without spaces");
  }
  return absl::OkStatus();
}

// Free text: at most `max` bytes.
absl::Status CheckText(absl::string_view value, size_t max, absl::string_view path) {
  if (value.size() > max) return Bad(path, absl::StrCat("longer than ", max, " characters"));
  return absl::OkStatus();
}

absl::Status CheckQuantity(int32_t q, absl::string_view path) {
  if (q < 0 || q > 10000) return Bad(path, absl::StrCat("must be 0..10000, got ", q));
  return absl::OkStatus();
}

#define NBO_CHECK_OK(expr)     \
  do {                         \
    absl::Status _st = (expr); \
    if (!_st.ok()) return _st; \
  } while (0)

absl::Status ValidateKind(const v1::Event& e, const std::string& p) {
  switch (e.kind_case()) {
    case v1::Event::kPageView:
      NBO_CHECK_OK(CheckText(e.page_view().page(), 256, p + ".page_view.page"));
      NBO_CHECK_OK(CheckText(e.page_view().product(), 128, p + ".page_view.product"));
      return CheckText(e.page_view().category(), 64, p + ".page_view.category");
    case v1::Event::kSearch:
      NBO_CHECK_OK(CheckText(e.search().query(), 256, p + ".search.query"));
      return CheckText(e.search().category(), 64, p + ".search.category");
    case v1::Event::kCartAdd:
    case v1::Event::kCartRemove: {
      const auto& c = e.has_cart_add() ? e.cart_add() : e.cart_remove();
      const std::string q = p + (e.has_cart_add() ? ".cart_add" : ".cart_remove");
      NBO_CHECK_OK(CheckId(c.product(), 128, q + ".product"));
      NBO_CHECK_OK(CheckText(c.category(), 64, q + ".category"));
      return CheckQuantity(c.quantity(), q + ".quantity");
    }
    case v1::Event::kPurchase: {
      const auto& pu = e.purchase();
      if (pu.items().empty()) return Bad(p + ".purchase.items", "at least one item required");
      if (pu.items_size() > 1000) return Bad(p + ".purchase.items", "more than 1000 items");
      if (!pu.currency().empty() && (pu.currency().size() != 3 ||
                                     !std::all_of(pu.currency().begin(), pu.currency().end(),
                                                  [](char c) { return c >= 'A' && c <= 'Z'; }))) {
        return Bad(p + ".purchase.currency", "must be a 3-letter ISO 4217 code such as \"EUR\"");
      }
      NBO_CHECK_OK(CheckText(pu.order_id(), 128, p + ".purchase.order_id"));
      for (int i = 0; i < pu.items_size(); ++i) {
        const auto& item = pu.items(i);
        const std::string q = absl::StrCat(p, ".purchase.items[", i, "]");
        NBO_CHECK_OK(CheckId(item.product(), 128, q + ".product"));
        NBO_CHECK_OK(CheckText(item.category(), 64, q + ".category"));
        NBO_CHECK_OK(CheckQuantity(item.quantity(), q + ".quantity"));
        if (!std::isfinite(item.amount()) || item.amount() < 0) {
          return Bad(q + ".amount", "must be a finite number >= 0");
        }
        if (!std::isfinite(item.margin())) return Bad(q + ".margin", "must be a finite number");
      }
      return absl::OkStatus();
    }
    case v1::Event::kCallStarted:
      return CheckText(e.call_started().reason(), 64, p + ".call_started.reason");
    case v1::Event::kStoreVisit:
      return CheckText(e.store_visit().store_id(), 64, p + ".store_visit.store_id");
    case v1::Event::kAppOpen:
      return CheckText(e.app_open().screen(), 128, p + ".app_open.screen");
    case v1::Event::kComplaint:
      if (e.complaint().severity() < 1 || e.complaint().severity() > 5) {
        return Bad(p + ".complaint.severity",
                   absl::StrCat("must be 1..5, got ", e.complaint().severity()));
      }
      return CheckText(e.complaint().topic(), 64, p + ".complaint.topic");
    case v1::Event::kLifeEvent: {
      NBO_CHECK_OK(CheckId(e.life_event().kind(), 64, p + ".life_event.kind"));
      const auto& ts = e.life_event().happened_at();
      if (e.life_event().has_happened_at() &&
          (ts.nanos() < 0 || ts.nanos() > 999999999 || ts.seconds() < 0)) {
        return Bad(p + ".life_event.happened_at", "not a valid timestamp");
      }
      return absl::OkStatus();
    }
    case v1::Event::kSurveyAnswer: {
      const auto& s = e.survey_answer();
      if (s.has_nps() && (s.nps() < 0 || s.nps() > 10)) {
        return Bad(p + ".survey_answer.nps", absl::StrCat("must be 0..10, got ", s.nps()));
      }
      for (int i = 0; i < s.interests_size(); ++i) {
        NBO_CHECK_OK(
            CheckId(s.interests(i), 64, absl::StrCat(p, ".survey_answer.interests[", i, "]")));
      }
      return absl::OkStatus();
    }
    case v1::Event::kConsentChange:
      if (!v1::Channel_IsValid(e.consent_change().channel())) {
        return Bad(p + ".consent_change.channel",
                   absl::StrCat("unknown channel ", e.consent_change().channel(),
                                "; unspecified (marketing as a whole) or one of: ",
                                absl::StrJoin(ChannelNames(), ", ")));
      }
      return absl::OkStatus();
    case v1::Event::kProductRemoved:
      NBO_CHECK_OK(CheckId(e.product_removed().product(), 128, p + ".product_removed.product"));
      return CheckText(e.product_removed().reason(), 64, p + ".product_removed.reason");
    case v1::Event::KIND_NOT_SET:
      break;
  }
  return Bad(p, absl::StrCat("an event kind is required, one of: ",
                             absl::StrJoin(EventKindNames(), ", ")));
}

}  // namespace

absl::Status ValidateCustomerRef(const v1::CustomerRef& ref, absl::string_view path) {
  const std::string p(path);
  switch (ref.ref_case()) {
    case v1::CustomerRef::kCustomerId:
      return CheckId(ref.customer_id(), 128, p + ".customer_id");
    case v1::CustomerRef::kIdentity: {
      const auto& id = ref.identity();
      NBO_CHECK_OK(CheckId(id.source(), 64, p + ".identity.source"));
      return CheckId(id.external_id(), 256, p + ".identity.external_id");
    }
    case v1::CustomerRef::REF_NOT_SET:
      break;
  }
  return Bad(p, "required: a customer_id or a source identity");
}

absl::Status ValidateEvent(const v1::Event& event, absl::Time now, absl::string_view path) {
  const std::string p(path);
  NBO_CHECK_OK(CheckId(event.event_id(), 128, p + ".event_id"));
  NBO_CHECK_OK(CheckText(event.source(), 64, p + ".source"));
  if (event.channel() == v1::CHANNEL_UNSPECIFIED || !v1::Channel_IsValid(event.channel())) {
    return Bad(p + ".channel",
               absl::StrCat("required, one of: ", absl::StrJoin(ChannelNames(), ", ")));
  }
  if (event.has_occurred_at()) {
    const auto& ts = event.occurred_at();
    if (ts.nanos() < 0 || ts.nanos() > 999999999 || ts.seconds() < 0) {
      return Bad(p + ".occurred_at", "not a valid timestamp");
    }
    if (FromProto(ts) > now + kMaxEventClockSkew) {
      return Bad(p + ".occurred_at",
                 absl::StrCat("more than ", absl::FormatDuration(kMaxEventClockSkew),
                              " in the future of the server's clock"));
    }
  }
  return ValidateKind(event, p);
}

absl::Status ValidateDecideRequest(const v1::DecideRequest& request, absl::Time now) {
  if (!request.has_customer()) return Bad("customer", "required");
  NBO_CHECK_OK(ValidateCustomerRef(request.customer(), "customer"));
  if (!request.has_event()) return Bad("event", "required");
  NBO_CHECK_OK(ValidateEvent(request.event(), now, "event"));
  NBO_CHECK_OK(CheckText(request.placement(), 64, "placement"));
  if (request.max_offers() < 0 || request.max_offers() > kMaxOffersLimit) {
    return Bad("max_offers",
               absl::StrCat("must be 0..", kMaxOffersLimit, ", got ", request.max_offers()));
  }
  NBO_CHECK_OK(CheckText(request.context().call_reason(), 64, "context.call_reason"));
  NBO_CHECK_OK(CheckText(request.context().product_in_view(), 128, "context.product_in_view"));
  return absl::OkStatus();
}

}  // namespace nbo::core
