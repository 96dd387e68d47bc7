// nbo: command-line client of nbo-server. Parses flags and hands over to nbo::tools::RunCli.
#include <unistd.h>

#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/time/time.h"
#include "tools/cli.h"
#include "tools/flag_check.h"

ABSL_FLAG(std::string, addr, "127.0.0.1:50051", "nbo-server address, host:port");
ABSL_FLAG(absl::Duration, timeout, absl::Seconds(5), "deadline of the call, e.g. 5s, 500ms");
ABSL_FLAG(bool, json, false, "print the response as JSON (proto field names)");

ABSL_FLAG(std::string, customer, "", "customer: nbo id (c-1001) or source:external_id");
ABSL_FLAG(std::string, channel, "",
          "channel: web, mobile_app, call_centre, store, email, sms, chat; consent: also all; "
          "strategy validate: the simulated channel");
ABSL_FLAG(std::string, event, "", "event kind: page_view, search, cart_add, ..., survey_answer");
ABSL_FLAG(std::string, event_id, "", "idempotency key of the event; default: random cli-...");
ABSL_FLAG(std::string, source, "",
          "source system that observed the event; consent: where the customer said so");
ABSL_FLAG(std::string, placement, "", "where the offers are shown, e.g. product_page, 0..64 chars");
ABSL_FLAG(std::optional<int>, max_offers, std::nullopt, "most offers wanted, 0..20");
ABSL_FLAG(std::vector<std::string>, product, {}, "product id(s); purchase takes a list a,b");
ABSL_FLAG(std::string, category, "", "category of the page, search, product");
ABSL_FLAG(std::string, page, "", "page_view: page kind or path");
ABSL_FLAG(std::string, query, "", "search: search text");
ABSL_FLAG(std::optional<int>, quantity, std::nullopt, "cart_*, purchase: units per item");
ABSL_FLAG(std::optional<double>, amount, std::nullopt, "purchase: order total paid, >= 0");
ABSL_FLAG(std::optional<double>, margin, std::nullopt, "purchase: order total margin");
ABSL_FLAG(std::string, currency, "", "purchase: ISO 4217 currency code");
ABSL_FLAG(std::string, order_id, "", "purchase: order number");
ABSL_FLAG(std::string, call_reason, "", "why the customer called (decision context), 0..64 chars");
ABSL_FLAG(std::string, product_in_view, "",
          "product on screen (decision context), 0..128 chars; page_view: default --product");
ABSL_FLAG(std::string, store, "", "store_visit: store id");
ABSL_FLAG(std::string, screen, "", "app_open: first screen");
ABSL_FLAG(std::optional<int>, severity, std::nullopt, "complaint: 1 (minor) .. 5 (severe)");
ABSL_FLAG(std::string, topic, "", "complaint: topic");
ABSL_FLAG(std::string, life_event, "",
          "life_event: kind, e.g. moved_home (alone it implies --event life_event)");
ABSL_FLAG(std::optional<int>, nps, std::nullopt, "survey_answer: net promoter score 0..10");
ABSL_FLAG(std::vector<std::string>, interests, {}, "survey_answer: interests a,b");

ABSL_FLAG(bool, document, false, "strategy show: also print the strategy document");
ABSL_FLAG(std::string, file, "", "strategy reload: path on the server to load from");
ABSL_FLAG(std::string, inline_file, "", "strategy reload: local file sent as the document");

ABSL_FLAG(std::optional<int>, sample, std::nullopt,
          "strategy validate: stored profiles to simulate, 0..100000 (default 1000)");

ABSL_FLAG(int, batch, nbo::tools::kDefaultIngestBatch, "ingest: events per message, 1..10000");
ABSL_FLAG(bool, opt_in, false, "consent: the customer opts in");
ABSL_FLAG(bool, opt_out, false, "consent: the customer opts out");
ABSL_FLAG(bool, suppress, false, "forget: drop later events for the customer's identities");
ABSL_FLAG(bool, yes, false, "forget: really erase the customer");
ABSL_FLAG(std::optional<double>, value, std::nullopt,
          "outcome: margin actually earned, >= 0 (default: unknown)");
ABSL_FLAG(std::string, segment, "", "report outcomes: only this segment id");
ABSL_FLAG(std::string, offer, "", "report outcomes: only this offer id");

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(nbo::tools::Usage());
  // Flags may be spelled with dashes (--max-offers); abseil only knows the underscore names.
  std::vector<std::string> raw =
      nbo::tools::NormalizeFlagNames(std::vector<std::string>(argv + 1, argv + argc));
  for (const std::string& arg : raw) {
    if (arg == "--") break;
    if (arg == "--help" || arg == "-help" || arg == "-h") {
      std::cout << nbo::tools::Usage();
      return nbo::tools::kExitOk;
    }
  }
  if (absl::Status status = nbo::tools::CheckCommandLine(raw); !status.ok()) {
    std::cerr << "nbo: " << status.message() << "; see nbo help\n";
    return nbo::tools::kExitUsage;
  }
  std::vector<char*> normalized_argv = {argv[0]};
  for (std::string& arg : raw) normalized_argv.push_back(arg.data());
  normalized_argv.push_back(nullptr);  // argv[argc], as main() gets it
  const std::vector<char*> positional =
      absl::ParseCommandLine(argc, normalized_argv.data());  // pointers into `raw`

  nbo::tools::CliOptions options;
  options.addr = absl::GetFlag(FLAGS_addr);
  options.timeout = absl::GetFlag(FLAGS_timeout);
  options.json = absl::GetFlag(FLAGS_json);
  options.document = absl::GetFlag(FLAGS_document);
  options.file = absl::GetFlag(FLAGS_file);
  options.inline_file = absl::GetFlag(FLAGS_inline_file);
  options.sample = absl::GetFlag(FLAGS_sample);
  options.batch = absl::GetFlag(FLAGS_batch);
  options.progress = isatty(STDERR_FILENO) == 1;
  options.opt_in = absl::GetFlag(FLAGS_opt_in);
  options.opt_out = absl::GetFlag(FLAGS_opt_out);
  options.suppress = absl::GetFlag(FLAGS_suppress);
  options.yes = absl::GetFlag(FLAGS_yes);
  options.value = absl::GetFlag(FLAGS_value);
  options.segment = absl::GetFlag(FLAGS_segment);
  options.offer = absl::GetFlag(FLAGS_offer);
  nbo::tools::DecideArgs& d = options.decide;
  d.customer = absl::GetFlag(FLAGS_customer);
  d.channel = absl::GetFlag(FLAGS_channel);
  d.event = absl::GetFlag(FLAGS_event);
  d.event_id = absl::GetFlag(FLAGS_event_id);
  d.source = absl::GetFlag(FLAGS_source);
  d.placement = absl::GetFlag(FLAGS_placement);
  d.max_offers = absl::GetFlag(FLAGS_max_offers);
  d.products = absl::GetFlag(FLAGS_product);
  d.category = absl::GetFlag(FLAGS_category);
  d.page = absl::GetFlag(FLAGS_page);
  d.query = absl::GetFlag(FLAGS_query);
  d.quantity = absl::GetFlag(FLAGS_quantity);
  d.amount = absl::GetFlag(FLAGS_amount);
  d.margin = absl::GetFlag(FLAGS_margin);
  d.currency = absl::GetFlag(FLAGS_currency);
  d.order_id = absl::GetFlag(FLAGS_order_id);
  d.call_reason = absl::GetFlag(FLAGS_call_reason);
  d.product_in_view = absl::GetFlag(FLAGS_product_in_view);
  d.store = absl::GetFlag(FLAGS_store);
  d.screen = absl::GetFlag(FLAGS_screen);
  d.severity = absl::GetFlag(FLAGS_severity);
  d.topic = absl::GetFlag(FLAGS_topic);
  d.life_event = absl::GetFlag(FLAGS_life_event);
  d.nps = absl::GetFlag(FLAGS_nps);
  d.interests = absl::GetFlag(FLAGS_interests);

  // positional[0] is the program name.
  const std::vector<std::string> command(positional.begin() + 1, positional.end());
  return nbo::tools::RunCli(command, options, std::cout, std::cerr);
}
