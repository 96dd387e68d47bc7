#include "server/metrics/exporter.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace nbo::metrics {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

struct HttpResult {
  std::string status_line;
  std::string headers;  // lower-cased? no: as sent
  std::string body;
};

// Sends `method path HTTP/1.0` to 127.0.0.1:port and reads the whole response (the server closes
// the connection). A receive timeout bounds the test if the server misbehaves.
HttpResult Fetch(int port, const std::string& path, const std::string& method = "GET") {
  HttpResult result;
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return result;
  timeval timeout{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    close(fd);
    return result;
  }
  const std::string request =
      absl::StrCat(method, " ", path, " HTTP/1.0\r\nHost: localhost\r\n\r\n");
  if (write(fd, request.data(), request.size()) != static_cast<ssize_t>(request.size())) {
    close(fd);
    return result;
  }
  std::string response;
  char buffer[4096];
  ssize_t n;
  while ((n = read(fd, buffer, sizeof(buffer))) > 0) response.append(buffer, n);
  close(fd);
  const size_t line_end = response.find("\r\n");
  const size_t head_end = response.find("\r\n\r\n");
  if (line_end == std::string::npos || head_end == std::string::npos) return result;
  result.status_line = response.substr(0, line_end);
  result.headers = response.substr(line_end + 2, head_end - line_end - 2);
  result.body = response.substr(head_end + 4);
  return result;
}

ExporterOptions AnyPort() {
  ExporterOptions options;
  options.listen_address = "127.0.0.1:0";
  return options;
}

class ExporterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    registry_.AddCounter("nbo_test_requests_total", "Requests.").Add({{"path", "x"}}).Increment(7);
  }
  Registry registry_;
};

TEST_F(ExporterTest, PicksAFreePortForPortZero) {
  absl::StatusOr<std::unique_ptr<Exporter>> exporter = Exporter::Start(&registry_, AnyPort());
  ASSERT_TRUE(exporter.ok()) << exporter.status();
  EXPECT_GT((*exporter)->port(), 0);
}

TEST_F(ExporterTest, ServesMetrics) {
  absl::StatusOr<std::unique_ptr<Exporter>> exporter = Exporter::Start(&registry_, AnyPort());
  ASSERT_TRUE(exporter.ok()) << exporter.status();
  const HttpResult result = Fetch((*exporter)->port(), "/metrics");
  EXPECT_THAT(result.status_line, StartsWith("HTTP/1."));
  EXPECT_THAT(result.status_line, HasSubstr(" 200 "));
  EXPECT_THAT(result.headers,
              HasSubstr("Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"));
  EXPECT_EQ(result.body,
            "# HELP nbo_test_requests_total Requests.\n"
            "# TYPE nbo_test_requests_total counter\n"
            "nbo_test_requests_total{path=\"x\"} 7\n");
}

TEST_F(ExporterTest, RendersCurrentValuesOnEachScrape) {
  absl::StatusOr<std::unique_ptr<Exporter>> exporter = Exporter::Start(&registry_, AnyPort());
  ASSERT_TRUE(exporter.ok()) << exporter.status();
  registry_.AddGauge("nbo_test_late", "Added after start.").Add({}).Set(3);
  EXPECT_THAT(Fetch((*exporter)->port(), "/metrics").body, HasSubstr("nbo_test_late 3\n"));
}

TEST_F(ExporterTest, HeadHasNoBody) {
  absl::StatusOr<std::unique_ptr<Exporter>> exporter = Exporter::Start(&registry_, AnyPort());
  ASSERT_TRUE(exporter.ok()) << exporter.status();
  const HttpResult result = Fetch((*exporter)->port(), "/metrics", "HEAD");
  EXPECT_THAT(result.status_line, HasSubstr(" 200 "));
  EXPECT_EQ(result.body, "");
}

TEST_F(ExporterTest, UnknownPathIs404) {
  absl::StatusOr<std::unique_ptr<Exporter>> exporter = Exporter::Start(&registry_, AnyPort());
  ASSERT_TRUE(exporter.ok()) << exporter.status();
  EXPECT_THAT(Fetch((*exporter)->port(), "/nope").status_line, HasSubstr(" 404 "));
  EXPECT_THAT(Fetch((*exporter)->port(), "/metrics/extra").status_line, HasSubstr(" 404 "));
  EXPECT_THAT(Fetch((*exporter)->port(), "/").status_line, HasSubstr(" 404 "));
}

TEST_F(ExporterTest, PostToMetricsIs405) {
  absl::StatusOr<std::unique_ptr<Exporter>> exporter = Exporter::Start(&registry_, AnyPort());
  ASSERT_TRUE(exporter.ok()) << exporter.status();
  const HttpResult result = Fetch((*exporter)->port(), "/metrics", "POST");
  EXPECT_THAT(result.status_line, HasSubstr(" 405 "));
  EXPECT_THAT(result.headers, HasSubstr("Allow: GET, HEAD"));
}

TEST_F(ExporterTest, ServesExtraHandlers) {
  ExporterOptions options = AnyPort();
  options.handlers["/healthz"] = [] { return HttpResponse{503, "text/plain", "starting\n"}; };
  absl::StatusOr<std::unique_ptr<Exporter>> exporter = Exporter::Start(&registry_, options);
  ASSERT_TRUE(exporter.ok()) << exporter.status();
  const HttpResult result = Fetch((*exporter)->port(), "/healthz");
  EXPECT_THAT(result.status_line, HasSubstr(" 503 "));
  EXPECT_EQ(result.body, "starting\n");
}

TEST_F(ExporterTest, ReservedHandlerPathIsInvalidArgument) {
  ExporterOptions options = AnyPort();
  options.handlers["/metrics"] = [] { return HttpResponse{}; };
  EXPECT_EQ(Exporter::Start(&registry_, options).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(ExporterTest, MalformedAddressIsInvalidArgument) {
  ExporterOptions options;
  options.listen_address = "nowhere:99999";
  absl::StatusOr<std::unique_ptr<Exporter>> exporter = Exporter::Start(&registry_, options);
  EXPECT_EQ(exporter.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(exporter.status().message()),
              StartsWith("metrics_listen \"nowhere:99999\": "));
}

TEST_F(ExporterTest, AddressInUseIsUnavailable) {
  absl::StatusOr<std::unique_ptr<Exporter>> first = Exporter::Start(&registry_, AnyPort());
  ASSERT_TRUE(first.ok()) << first.status();
  ExporterOptions options;
  options.listen_address = absl::StrCat("127.0.0.1:", (*first)->port());
  absl::StatusOr<std::unique_ptr<Exporter>> second = Exporter::Start(&registry_, options);
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(second.status().message(),
            absl::StrCat("metrics_listen \"", options.listen_address, "\": address in use"));
}

TEST_F(ExporterTest, NonLocalAddressIsInvalidArgument) {
  ExporterOptions options;
  options.listen_address = "192.0.2.1:0";  // TEST-NET-1, never assigned to this host
  absl::StatusOr<std::unique_ptr<Exporter>> exporter = Exporter::Start(&registry_, options);
  EXPECT_EQ(exporter.status().code(), absl::StatusCode::kInvalidArgument) << exporter.status();
}

}  // namespace
}  // namespace nbo::metrics
