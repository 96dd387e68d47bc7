#include "tools/ingest.h"

#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "core/names.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace nbo::tools {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// The status message as a std::string (gMock string matchers need one; absl::string_view is not
// std::string_view on Debian).
std::string Message(const absl::Status& status) { return std::string(status.message()); }

constexpr char kGoodLine[] =
    R"({"customer":{"customer_id":"c-1"},"event":{"event_id":"e1","channel":"CHANNEL_WEB",)"
    R"("page_view":{"page":"home"}}})";

// A valid line whose event id is `id`.
std::string Line(absl::string_view id) {
  return absl::StrCat(R"({"customer":{"customer_id":"c-1"},"event":{"event_id":")", id,
                      R"(","channel":"CHANNEL_WEB","page_view":{"page":"home"}}})");
}

// `n` valid lines e1..en, each ending in a newline.
std::string Lines(int n) {
  std::string text;
  for (int i = 1; i <= n; ++i) absl::StrAppend(&text, Line(absl::StrCat("e", i)), "\n");
  return text;
}

// The sizes of the requests IngestReader makes of `text`.
std::vector<int> BatchSizes(const std::string& text, int batch) {
  std::istringstream in(text);
  IngestReader reader(in, batch);
  v1::IngestRequest request;
  std::vector<int> sizes;
  while (reader.Next(request)) sizes.push_back(request.events_size());
  EXPECT_EQ(request.events_size(), 0);
  return sizes;
}

TEST(ParseIngestLineTest, ParsesProtobufJson) {
  absl::StatusOr<v1::IngestEvent> event = ParseIngestLine(kGoodLine);
  ASSERT_TRUE(event.ok()) << event.status();
  EXPECT_EQ(event->customer().customer_id(), "c-1");
  EXPECT_EQ(event->event().event_id(), "e1");
  EXPECT_EQ(event->event().channel(), v1::CHANNEL_WEB);
  EXPECT_EQ(event->event().page_view().page(), "home");
}

TEST(ParseIngestLineTest, AcceptsIdentitiesCamelCaseAndTimestamps) {
  absl::StatusOr<v1::IngestEvent> event = ParseIngestLine(
      R"({"customer":{"identity":{"source":"loyalty","externalId":"L-1001"}},)"
      R"("event":{"eventId":"e2","occurredAt":"2026-10-03T10:15:00Z","channel":"CHANNEL_STORE",)"
      R"("purchase":{"items":[{"product":"tv_basic","amount":20}]}}})");
  ASSERT_TRUE(event.ok()) << event.status();
  EXPECT_EQ(event->customer().identity().external_id(), "L-1001");
  EXPECT_EQ(event->event().occurred_at().seconds(),
            absl::ToUnixSeconds(
                absl::FromCivil(absl::CivilSecond(2026, 10, 3, 10, 15, 0), absl::UTCTimeZone())));
  EXPECT_EQ(event->event().purchase().items(0).amount(), 20);
}

TEST(ParseIngestLineTest, RejectsWithAReason) {
  for (const char* line : {
           "not json",
           "[1, 2]",
           R"({"customer":{"customer_id":"c-1"},"event":{"event_id":"e1","colour":"red"}})",
           R"({"customer":{"customer_id":"c-1"},"event":{"channel":"CHANNEL_FAX"}})",
           R"({"customer":{"customer_id":"c-1"},"event":{"event_id":"e1"})",
       }) {
    absl::StatusOr<v1::IngestEvent> event = ParseIngestLine(line);
    EXPECT_EQ(event.status().code(), absl::StatusCode::kInvalidArgument) << line;
    EXPECT_THAT(Message(event.status()), StartsWith("invalid JSON IngestEvent: ")) << line;
  }
  EXPECT_THAT(Message(ParseIngestLine(R"({"event":{"event_id":"e1"}})").status()),
              StartsWith("missing \"customer\""));
  EXPECT_EQ(ParseIngestLine(R"({"customer":{"customer_id":"c-1"}})").status().message(),
            "missing \"event\"");
}

TEST(IngestReaderTest, BatchSizeBoundaries) {
  EXPECT_THAT(BatchSizes(Lines(5), 2), ElementsAre(2, 2, 1));
  EXPECT_THAT(BatchSizes(Lines(4), 2), ElementsAre(2, 2));
  EXPECT_THAT(BatchSizes(Lines(3), 1), ElementsAre(1, 1, 1));
  EXPECT_THAT(BatchSizes(Lines(3), 3), ElementsAre(3));
  EXPECT_THAT(BatchSizes(Lines(3), 1000), ElementsAre(3));
  EXPECT_THAT(BatchSizes("", 10), ElementsAre());
  EXPECT_THAT(BatchSizes("\n\n", 10), ElementsAre());
  // Out-of-range sizes are clamped to 1..10000 (the CLI refuses them before).
  EXPECT_THAT(BatchSizes(Lines(2), 0), ElementsAre(1, 1));
  EXPECT_THAT(BatchSizes(Lines(10001), 20000), ElementsAre(10000, 1));
}

TEST(IngestReaderTest, KeepsEventsInFileOrder) {
  std::istringstream in(Lines(3));
  IngestReader reader(in, 2);
  v1::IngestRequest request;
  ASSERT_TRUE(reader.Next(request));
  EXPECT_EQ(request.events(0).event().event_id(), "e1");
  EXPECT_EQ(request.events(1).event().event_id(), "e2");
  ASSERT_TRUE(reader.Next(request));
  ASSERT_EQ(request.events_size(), 1);
  EXPECT_EQ(request.events(0).event().event_id(), "e3");
  EXPECT_FALSE(reader.Next(request));
  EXPECT_EQ(reader.events(), 3);
  EXPECT_EQ(reader.lines(), 3);
}

TEST(IngestReaderTest, ReportsBadLinesWithLineNumbersAndSkipsBlankOnes) {
  const std::string text = absl::StrCat("\xEF\xBB\xBF", Line("e1"), "\r\n",  // line 1: BOM, CRLF
                                        "\n",                                // 2: blank
                                        "{oops\n",                           // 3
                                        Line("e2"), "\n",                    // 4
                                        "  \t\n",                            // 5: blank
                                        R"({"event":{"event_id":"e3"}})", "\n",  // 6
                                        Line("e4"));                             // 7: no newline
  std::istringstream in(text);
  IngestReader reader(in, 10);
  v1::IngestRequest request;
  ASSERT_TRUE(reader.Next(request));
  EXPECT_EQ(request.events_size(), 3);
  EXPECT_FALSE(reader.Next(request));
  EXPECT_EQ(reader.lines(), 7);
  EXPECT_EQ(reader.events(), 3);
  EXPECT_EQ(reader.rejected(), 2);
  EXPECT_EQ(reader.processed(), 5);
  ASSERT_EQ(reader.rejections().size(), 2u);
  EXPECT_THAT(reader.rejections()[0], StartsWith("line 3: invalid JSON IngestEvent: "));
  EXPECT_THAT(reader.rejections()[1], StartsWith("line 6: missing \"customer\""));
  EXPECT_FALSE(reader.read_error());
}

TEST(IngestReaderTest, ListsTheFirstTwentyRejectionsAndCountsThemAll) {
  std::string text;
  for (int i = 0; i < 25; ++i) absl::StrAppend(&text, "bad\n");
  absl::StrAppend(&text, Line("e1"), "\n");
  std::istringstream in(text);
  IngestReader reader(in, 10);
  v1::IngestRequest request;
  ASSERT_TRUE(reader.Next(request));
  EXPECT_EQ(reader.rejected(), 25);
  ASSERT_EQ(reader.rejections().size(), kMaxListedRejections);
  EXPECT_THAT(reader.rejections().back(), StartsWith("line 20: "));
}

TEST(IngestReaderTest, ClosesARequestBeforeItGetsTooLarge) {
  const std::string big_page(1000, 'p');
  std::string text;
  for (int i = 0; i < 4000; ++i) {
    absl::StrAppend(&text, R"({"customer":{"customer_id":"c-1"},"event":{"event_id":"e)", i,
                    R"(","channel":"CHANNEL_WEB","page_view":{"page":")", big_page, "\"}}}\n");
  }
  std::istringstream in(text);
  IngestReader reader(in, kMaxIngestBatch);
  v1::IngestRequest request;
  int64_t total = 0;
  int requests = 0;
  while (reader.Next(request)) {
    EXPECT_LT(request.ByteSizeLong(), kMaxIngestRequestBytes + 2000);
    total += request.events_size();
    ++requests;
  }
  EXPECT_EQ(total, 4000);
  EXPECT_EQ(requests, 2);
}

TEST(CountEventLinesTest, CountsNonBlankLines) {
  const std::string path = testing::TempDir() + "/nbo_ingest_count.jsonl";
  std::ofstream(path) << "a\n\n  \nb\r\nc";
  EXPECT_EQ(CountEventLines(path), 3);
  std::ofstream(path) << "";
  EXPECT_EQ(CountEventLines(path), 0);
  std::remove(path.c_str());
  EXPECT_EQ(CountEventLines(path), std::nullopt);
  EXPECT_EQ(CountEventLines(testing::TempDir()), std::nullopt);  // a directory
}

TEST(FormatIngestProgressTest, BarCountsAndRate) {
  EXPECT_EQ(FormatIngestProgress(120000, 250000, 48210.4),
            "[=====>    ] 120000/250000 events  48,210 ev/s");
  EXPECT_EQ(FormatIngestProgress(0, 250000, 0), "[>         ] 0/250000 events  0 ev/s");
  EXPECT_EQ(FormatIngestProgress(250000, 250000, 1234567.6),
            "[==========] 250000/250000 events  1,234,568 ev/s");
  EXPECT_EQ(FormatIngestProgress(0, 0, 0), "[==========] 0/0 events  0 ev/s");
  EXPECT_EQ(FormatIngestProgress(5, 4, 999), "[==========] 5/4 events  999 ev/s");
  EXPECT_EQ(FormatIngestProgress(1, 4, 1, 4), "[=>  ] 1/4 events  1 ev/s");
}

TEST(FormatIngestProgressTest, UnknownTotalHasNoBar) {
  EXPECT_EQ(FormatIngestProgress(120000, std::nullopt, 48210), "120000 events  48,210 ev/s");
  EXPECT_EQ(FormatIngestProgress(3, std::nullopt, -1), "3 events  0 ev/s");
}

TEST(WithThousandsTest, GroupsDigits) {
  EXPECT_EQ(WithThousands(0), "0");
  EXPECT_EQ(WithThousands(999), "999");
  EXPECT_EQ(WithThousands(1000), "1,000");
  EXPECT_EQ(WithThousands(48210), "48,210");
  EXPECT_EQ(WithThousands(1234567), "1,234,567");
  EXPECT_EQ(WithThousands(-1234), "-1,234");
}

IngestStats SampleStats() {
  IngestStats stats;
  stats.input = "events.jsonl";
  stats.lines = 204;
  stats.sent = 200;
  stats.messages = 1;
  stats.local_rejected = 2;
  stats.local_rejections = {"line 17: missing \"event\"", "line 90: invalid JSON IngestEvent: x"};
  stats.elapsed = absl::Milliseconds(400);
  return stats;
}

TEST(FormatIngestSummaryTest, CountsAndEveryListedRejection) {
  v1::IngestSummary server;
  server.set_applied(190);
  server.set_duplicates(6);
  server.set_rejected(4);
  server.add_first_rejections("ev-9: unknown product \"fax\"");
  server.add_first_rejections("ev-12: occurred_at in the future");
  EXPECT_EQ(FormatIngestSummary(server, SampleStats()),
            "Input         events.jsonl, 204 lines\n"
            "Sent          200 events in 1 message, 0.4 s (500 ev/s)\n"
            "Applied       190\n"
            "Duplicates    6\n"
            "Rejected      6 (2 unparsable lines, 4 by the server)\n"
            "  line 17: missing \"event\"\n"
            "  line 90: invalid JSON IngestEvent: x\n"
            "  ev-9: unknown product \"fax\"\n"
            "  ev-12: occurred_at in the future\n"
            "  ... and 2 more\n");
}

TEST(FormatIngestSummaryTest, CleanRun) {
  IngestStats stats;
  stats.input = "stdin";
  stats.lines = 1;
  stats.sent = 1;
  stats.messages = 1;
  v1::IngestSummary server;
  server.set_applied(1);
  EXPECT_EQ(FormatIngestSummary(server, stats),
            "Input         stdin, 1 line\n"
            "Sent          1 event in 1 message, 0.0 s\n"
            "Applied       1\n"
            "Duplicates    0\n"
            "Rejected      0\n");
  server.set_rejected(1);
  server.set_suppressed(2);
  EXPECT_THAT(FormatIngestSummary(server, stats),
              HasSubstr("Duplicates    0\n"
                        "Suppressed    2 (events for erased customers, dropped)\n"
                        "Rejected      1 (by the server)\n"));
}

TEST(MergeIngestSummaryTest, FoldsInTheLocalRejections) {
  v1::IngestSummary server;
  server.set_applied(190);
  server.set_rejected(1);
  server.add_first_rejections("ev-9: bad");
  const v1::IngestSummary merged = MergeIngestSummary(server, SampleStats());
  EXPECT_EQ(merged.applied(), 190);
  EXPECT_EQ(merged.rejected(), 3);
  EXPECT_THAT(merged.first_rejections(),
              ElementsAre("line 17: missing \"event\"", "line 90: invalid JSON IngestEvent: x",
                          "ev-9: bad"));
}

// examples/events.jsonl: every line parses with the CLI's own parser, and the file is the
// realistic sample the README promises.
TEST(ExampleEventsTest, EveryLineParses) {
  std::ifstream in(std::string(NBO_EXAMPLES_DIR) + "/events.jsonl");
  ASSERT_TRUE(in) << NBO_EXAMPLES_DIR;
  const absl::Time end = absl::FromCivil(absl::CivilDay(2026, 11, 1), absl::UTCTimeZone());
  std::set<std::string> event_ids;
  std::set<std::string> customers;
  std::set<std::string> kinds;
  int identities = 0;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    absl::StatusOr<v1::IngestEvent> event = ParseIngestLine(line);
    ASSERT_TRUE(event.ok()) << "line " << number << ": " << event.status();
    EXPECT_TRUE(event_ids.insert(event->event().event_id()).second)
        << "line " << number << ": duplicate event id " << event->event().event_id();
    if (event->customer().has_identity()) {
      ++identities;
    } else {
      customers.insert(event->customer().customer_id());
    }
    kinds.insert(std::string(core::EventKindName(event->event())));
    EXPECT_NE(event->event().channel(), v1::CHANNEL_UNSPECIFIED) << "line " << number;
    ASSERT_TRUE(event->event().has_occurred_at()) << "line " << number;
    const absl::Time at = absl::FromUnixSeconds(event->event().occurred_at().seconds());
    EXPECT_LT(at, end) << "line " << number;
    EXPECT_GE(at, end - absl::Hours(24 * 90)) << "line " << number;
  }
  EXPECT_GE(number, 180);
  EXPECT_EQ(customers.size(), 20u);
  EXPECT_EQ(*customers.begin(), "c-2001");
  EXPECT_EQ(*customers.rbegin(), "c-2020");
  EXPECT_GT(identities, 0);
  for (const char* kind :
       {"page_view", "search", "cart_add", "purchase", "call_started", "complaint", "life_event",
        "survey_answer", "consent_change", "product_removed"}) {
    EXPECT_TRUE(kinds.count(kind)) << "no " << kind << " event";
  }
}

}  // namespace
}  // namespace nbo::tools
