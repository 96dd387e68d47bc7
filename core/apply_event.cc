#include "core/apply_event.h"

#include "core/time_util.h"

namespace nbo::core {
namespace {

void CountChannel(v1::Profile& profile, v1::Channel channel, absl::Time at) {
  v1::ChannelUsage* usage = nullptr;
  for (auto& u : *profile.mutable_channel_usage()) {
    if (u.channel() == channel) {
      usage = &u;
      break;
    }
  }
  if (usage == nullptr) {
    usage = profile.add_channel_usage();
    usage->set_channel(channel);
  }
  usage->set_interactions(usage->interactions() + 1);
  if (!usage->has_last_seen() || FromProto(usage->last_seen()) < at) {
    ToProto(at, usage->mutable_last_seen());
  }
}

void AddHolding(v1::Profile& profile, const v1::PurchaseItem& item, absl::Time at) {
  for (auto& h : *profile.mutable_holdings()) {
    if (h.product() == item.product()) {
      if (FromProto(h.since()) > at) ToProto(at, h.mutable_since());
      if (h.category().empty()) h.set_category(item.category());
      return;
    }
  }
  auto* h = profile.add_holdings();
  h->set_product(item.product());
  h->set_category(item.category());
  ToProto(at, h->mutable_since());
}

void ApplyPurchase(v1::Profile& profile, const v1::Purchase& purchase, absl::Time at) {
  profile.set_purchases(profile.purchases() + 1);
  double amount = 0, margin = 0;
  for (const auto& item : purchase.items()) {
    amount += item.amount();
    margin += item.margin();
    AddHolding(profile, item, at);
  }
  profile.set_monetary_total(profile.monetary_total() + amount);
  profile.set_margin_total(profile.margin_total() + margin);
}

}  // namespace

absl::Time OccurredAt(const v1::Event& event, absl::Time now) {
  return event.has_occurred_at() ? FromProto(event.occurred_at()) : now;
}

void ApplyEvent(v1::Profile& profile, const v1::Event& event, absl::Time now) {
  const absl::Time at = OccurredAt(event, now);
  if (!profile.has_first_seen() || FromProto(profile.first_seen()) > at) {
    ToProto(at, profile.mutable_first_seen());
  }
  if (!profile.has_last_seen() || FromProto(profile.last_seen()) < at) {
    ToProto(at, profile.mutable_last_seen());
  }
  profile.set_interactions(profile.interactions() + 1);
  CountChannel(profile, event.channel(), at);
  if (event.has_purchase()) ApplyPurchase(profile, event.purchase(), at);
}

}  // namespace nbo::core
