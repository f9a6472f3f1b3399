// pkg/k8s exec over WebSocket against the Kubernetes test server: v5 with
// stdin closed, the v4 fallback, exit codes from the final status, stderr,
// resize frames, and the API's refusals.

#include "pkg/k8s/exec.hpp"

#include "tests/servers/kube/kube_server.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace ocne::k8s {
namespace {

using nlohmann::json;
using test::kube::ExecCall;
using test::kube::ExecIo;

class ExecTest : public test::TempDirTest
{
protected:
  void
  SetUp() override
  {
    test::kube::ServerOptions o;
    o.kubeconfig_path = dir() / "kubeconfig";
    server = std::make_unique<test::kube::KubeTestServer>(o);
    server->start();
    server->create(
      json::parse(R"({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "etcd-cp-1", "namespace": "kube-system"},
      "spec": {"nodeName": "cp-1", "containers": [{"name": "etcd", "image": "etcd"}]}})"));
    server->merge_patch(
      "v1", "Pod", "kube-system", "etcd-cp-1", json::parse(R"({"status": {"phase": "Running"}})"), "status");
    auto loaded = load_kubeconfig({ dir() / "kubeconfig" });
    ASSERT_TRUE(loaded) << loaded.error().message();
    access = *loaded;
    // A tiny shell: "cat" echoes stdin to stdout, "fail N" exits N with a
    // message on stderr, "size" reports the resizes it saw.
    server->on_exec([](const ExecCall& call, ExecIo& io) {
      const auto& cmd = call.command;
      if (cmd[0] == "cat") {
        std::string all;
        for (auto in = io.next(); in.kind != ExecIo::Input::Kind::end; in = io.next()) {
          all += in.data;
        }
        io.out(all);
        return 0;
      }
      if (cmd[0] == "fail") {
        io.err("failing on purpose\n");
        return std::stoi(cmd[1]);
      }
      if (cmd[0] == "size") {
        for (auto in = io.next(); in.kind != ExecIo::Input::Kind::end; in = io.next()) {
          if (in.kind == ExecIo::Input::Kind::resize) {
            io.out(std::to_string(in.width) + "x" + std::to_string(in.height) + "\n");
          }
          if (in.kind == ExecIo::Input::Kind::data && in.data == "q") {
            break;
          }
        }
        return 0;
      }
      io.out("ran:");
      for (const auto& c : cmd) {
        io.out(" " + c);
      }
      return 0;
    });
  }

  ExecRequest
  request(std::vector<std::string> command, bool with_stdin = false)
  {
    ExecRequest r;
    r.namespace_ = "kube-system";
    r.pod = "etcd-cp-1";
    r.command = std::move(command);
    r.stdin = with_stdin;
    return r;
  }

  std::unique_ptr<test::kube::KubeTestServer> server;
  ClusterAccess access;
};

TEST_F(ExecTest, V5RunsACommandFeedsStdinAndClosesIt)
{
  auto r = exec_collect(access, request({ "sh", "-c", "echo 'a b'" }));
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->exit_code, 0);
  EXPECT_EQ(r->out, "ran: sh -c echo 'a b'");
  r = exec_collect(access, request({ "cat" }, true), std::string(200000, 'x') + "end");
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->out.size(), 200003U);
  EXPECT_EQ(server->exec_calls().back().protocol, "v5.channel.k8s.io");
  EXPECT_EQ(server->exec_calls().back().container, "etcd");
}

TEST_F(ExecTest, ExitCodeAndStderrComeBack)
{
  const auto r = exec_collect(access, request({ "fail", "3" }));
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->exit_code, 3);
  EXPECT_EQ(r->err, "failing on purpose\n");
  server->on_exec(nullptr);
  const auto none = exec_collect(access, request({ "nope" }));
  ASSERT_TRUE(none) << none.error().message();
  EXPECT_EQ(none->exit_code, 127);
}

TEST_F(ExecTest, FallsBackToV4WhenTheServerHasNoV5)
{
  server->set_exec_protocols({ "v4.channel.k8s.io" });
  auto session = ExecSession::open(access, request({ "size" }, true));
  ASSERT_TRUE(session) << session.error().message();
  EXPECT_EQ((*session)->protocol(), "v4.channel.k8s.io");
  ASSERT_TRUE((*session)->resize(120, 40));
  ASSERT_TRUE((*session)->resize(80, 24));
  ASSERT_TRUE((*session)->write_stdin("q"));
  std::string out;
  while (true) {
    auto frame = (*session)->read();
    ASSERT_TRUE(frame) << frame.error().message();
    if (!*frame) {
      break;
    }
    out += (*frame)->data;
  }
  EXPECT_EQ(out, "120x40\n80x24\n");
  EXPECT_EQ((*session)->exit_code(), 0);
}

TEST_F(ExecTest, RefusalsCarryTheApisMessage)
{
  server->set_exec_protocols({ "channel.k8s.io" });
  auto r = exec_collect(access, request({ "true" }));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("the server speaks none of v5.channel.k8s.io, v4.channel.k8s.io"),
            std::string::npos)
    << r.error().message();
  server->set_exec_protocols({ "v5.channel.k8s.io" });
  auto req = request({ "true" });
  req.pod = "gone";
  r = exec_collect(access, req);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind(), ErrorKind::not_found);
  EXPECT_NE(r.error().message().find("pods \"gone\" not found"), std::string::npos) << r.error().message();
  req = request({ "true" });
  req.container = "nope";
  r = exec_collect(access, req);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("container nope is not valid for pod etcd-cp-1"), std::string::npos)
    << r.error().message();
}

TEST(ExecStatus, ExitCodesFromTheFinalStatus)
{
  EXPECT_EQ(*exit_code_from_status(R"({"metadata":{},"status":"Success"})"), 0);
  EXPECT_EQ(*exit_code_from_status(R"({"status":"Failure","reason":"NonZeroExitCode",
    "details":{"causes":[{"reason":"ExitCode","message":"42"}]}})"),
            42);
  const auto other = exit_code_from_status(R"({"status":"Failure","reason":"InternalError","message":"boom"})");
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().message(), "exec: boom");
}

} // namespace
} // namespace ocne::k8s
