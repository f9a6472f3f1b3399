#include "pkg/http/transport.hpp"

#include "pkg/core/fs.hpp"
#include "tests/support/fake_clock.hpp"
#include "tests/support/http_server.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

namespace ocne::http {
namespace {

using test::Fault;

TransportOptions
fast_retries()
{
  TransportOptions o;
  o.retry.initial_backoff = std::chrono::milliseconds(10);
  o.retry.max_backoff = std::chrono::milliseconds(50);
  o.retry.max_attempts = 4;
  return o;
}

class TransportTest : public test::TempDirTest
{
protected:
  void
  SetUp() override
  {
    auto& r = server.routes();
    r.Get("/hello", [](const httplib::Request&, httplib::Response& res) { res.set_content("hi", "text/plain"); });
    r.Post("/echo", [this](const httplib::Request& req, httplib::Response& res) {
      last_content_type = req.get_header_value("Content-Type");
      res.set_content(req.body, "application/octet-stream");
    });
    r.Put("/echo", [](const httplib::Request& req, httplib::Response& res) {
      res.set_content(std::to_string(req.body.size()) + ":" + req.body.substr(0, 4), "text/plain");
    });
    r.Patch("/echo", [](const httplib::Request& req, httplib::Response& res) {
      res.set_content(req.method + " " + req.body, "text/plain");
    });
    r.Delete("/echo", [](const httplib::Request& req, httplib::Response& res) {
      res.set_content(req.method + " " + req.body, "text/plain");
    });
    r.Get("/big", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(std::string(3 << 20, 'b'), "application/octet-stream");
    });
    r.Get("/missing", [](const httplib::Request&, httplib::Response& res) {
      res.status = 404;
      res.set_content(R"({"message":"not here"})", "application/json");
    });
    server.start();
  }

  test::TestHttpServer server;
  std::string last_content_type;
};

TEST_F(TransportTest, GetAndPostWithBody)
{
  Transport t(fast_retries());
  auto r = t.send({ .method = "GET", .url = server.url() + "/hello" });
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "hi");
  EXPECT_EQ(r->header("content-type"), "text/plain");
  EXPECT_EQ(r->attempts, 1);

  Request post{ .method = "POST", .url = server.url() + "/echo" };
  post.body = "payload";
  r = t.send(post);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "payload");
  // curl's form content type must not sneak in.
  EXPECT_EQ(last_content_type, "");
}

TEST_F(TransportTest, OtherMethodsCarryTheirBodies)
{
  Transport t(fast_retries());
  Request patch{ .method = "PATCH", .url = server.url() + "/echo" };
  patch.body = "{}";
  patch.headers.set("Content-Type", "application/apply-patch+yaml");
  auto r = t.send(patch);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "PATCH {}");
  Request del{ .method = "DELETE", .url = server.url() + "/echo" };
  del.body = R"({"propagationPolicy":"Foreground"})";
  r = t.send(del);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, R"(DELETE {"propagationPolicy":"Foreground"})");
}

TEST_F(TransportTest, StreamsAFileRangeUpload)
{
  const auto file = write("part.bin", "0123456789abcdef");
  auto body = file_body(file.string(), 4, 8);
  ASSERT_TRUE(body);
  Transport t(fast_retries());
  Request put{ .method = "PUT", .url = server.url() + "/echo" };
  put.body_source = *body;
  const auto r = t.send(put);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "8:4567");
}

TEST_F(TransportTest, StreamsTheResponseBody)
{
  Transport t(fast_retries());
  std::size_t received = 0;
  long seen_status = 0;
  Request get{ .method = "GET", .url = server.url() + "/big" };
  get.on_headers = [&](long status, const Headers&) { seen_status = status; };
  get.on_body = [&](std::string_view chunk) {
    received += chunk.size();
    return true;
  };
  const auto r = t.send(get);
  ASSERT_TRUE(r);
  EXPECT_EQ(seen_status, 200);
  EXPECT_EQ(received, 3U << 20);
  EXPECT_TRUE(r->body.empty());
}

TEST_F(TransportTest, ErrorBodiesOfStreamingRequestsAreBuffered)
{
  Transport t(fast_retries());
  bool streamed = false;
  Request get{ .method = "GET", .url = server.url() + "/missing" };
  get.on_body = [&](std::string_view) {
    streamed = true;
    return true;
  };
  const auto r = t.send(get);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(r->body, R"({"message":"not here"})");
  EXPECT_FALSE(streamed);
}

TEST_F(TransportTest, RetriesServiceUnavailableHonouringRetryAfter)
{
  Fault f;
  f.status = 503;
  f.retry_after = 1;
  server.faults().fail_next(1, f, "GET", "/hello");
  test::FakeClock clock;
  auto options = fast_retries();
  options.clock = &clock;
  Transport t(options);
  int signed_times = 0;
  Request get{ .method = "GET", .url = server.url() + "/hello" };
  get.before_send = [&](Request& req) -> Status {
    ++signed_times;
    req.headers.set("X-Attempt", std::to_string(signed_times));
    return {};
  };
  const auto r = t.send(get);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->attempts, 2);
  EXPECT_EQ(signed_times, 2);
  // Retry-After: 1 beats the 10 ms backoff; the fake clock took the second.
  EXPECT_EQ(clock.sleeps(), std::vector<std::chrono::milliseconds>{ std::chrono::seconds(1) });
}

TEST_F(TransportTest, PostIsRetriedOn429ButNotOn503)
{
  Transport t(fast_retries());
  Fault unavailable;
  unavailable.status = 503;
  server.faults().fail_next(1, unavailable, "POST", "/echo");
  Request post{ .method = "POST", .url = server.url() + "/echo" };
  post.body = "x";
  auto r = t.send(post);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(r->attempts, 1);

  Fault throttled;
  throttled.status = 429;
  throttled.retry_after = 0;
  server.faults().fail_next(2, throttled, "POST", "/echo");
  r = t.send(post);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->attempts, 3);
  EXPECT_EQ(r->body, "x");
}

TEST_F(TransportTest, GivesUpAfterMaxAttemptsWithTheLastAnswer)
{
  Fault f;
  f.status = 500;
  server.faults().fail_next(10, f, "GET", "/hello");
  Transport t(fast_retries());
  const auto r = t.send({ .method = "GET", .url = server.url() + "/hello" });
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
  EXPECT_EQ(r->attempts, 4);
  EXPECT_EQ(server.faults().injected(), 4);
}

TEST_F(TransportTest, ConnectionDroppedMidBodyIsRetried)
{
  Fault f;
  f.kind = Fault::Kind::drop_mid_body;
  server.faults().fail_next(2, f, "GET", "/hello");
  Transport t(fast_retries());
  const auto r = t.send({ .method = "GET", .url = server.url() + "/hello" });
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->body, "hi");
  EXPECT_EQ(r->attempts, 3);
}

TEST_F(TransportTest, ConnectionRefusedIsATransientErrorNamingTheUrl)
{
  const int port = server.port();
  server.stop();
  auto o = fast_retries();
  o.retry.max_attempts = 2;
  Transport t(o);
  const auto r = t.send({ .method = "GET", .url = fmt::format("http://127.0.0.1:{}/api?token=s3cret", port) });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind(), ErrorKind::transient);
  const auto& msg = r.error().message();
  EXPECT_EQ(msg.rfind(fmt::format("GET http://127.0.0.1:{}/api?token=[redacted]: ", port), 0), 0U) << msg;
  EXPECT_NE(msg.find("(after 2 attempts)"), std::string::npos) << msg;
  EXPECT_EQ(msg.find("s3cret"), std::string::npos);
}

TEST_F(TransportTest, IdleTimeoutFailsAStalledRequest)
{
  Fault f;
  f.kind = Fault::Kind::slow;
  f.delay = std::chrono::milliseconds(2500);
  server.faults().fail_next(1, f, "GET", "/hello");
  Transport t(fast_retries());
  Request get{ .method = "GET", .url = server.url() + "/hello" };
  get.timeout = std::chrono::milliseconds(500);
  get.max_attempts = 1;
  const auto r = t.send(get);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind(), ErrorKind::timeout);
}

TEST_F(TransportTest, ParallelSendsAreSafe)
{
  Transport t(fast_retries());
  std::vector<std::thread> threads;
  std::atomic<int> ok{ 0 };
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      for (int j = 0; j < 10; ++j) {
        auto r = t.send({ .method = "GET", .url = server.url() + "/hello" });
        if (r && r->body == "hi") {
          ++ok;
        }
      }
    });
  }
  for (auto& th : threads) {
    th.join();
  }
  EXPECT_EQ(ok.load(), 80);
}

} // namespace
} // namespace ocne::http
