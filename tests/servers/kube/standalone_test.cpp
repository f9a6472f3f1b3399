// ocne-kube-test-server as a program: a kubeadm-style CA given on the
// command line, the ready line, a node, a kubeconfig, and SIGTERM.

#include "pkg/core/fs.hpp"
#include "pkg/core/process.hpp"
#include "pkg/http/transport.hpp"
#include "tests/servers/kube/pki.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>

extern char** environ;

namespace ocne::test::kube {
namespace {

using nlohmann::json;

// The server as a child process whose first stdout line we read.
class Child
{
public:
  explicit Child(std::vector<std::string> args)
  {
    int out[2];
    if (::pipe2(out, O_CLOEXEC) != 0) {
      throw std::runtime_error("pipe");
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    std::vector<char*> argv;
    args.insert(args.begin(), OCNE_KUBE_SERVER_BINARY);
    for (auto& a : args) {
      argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    if (posix_spawn(&m_pid, argv[0], &actions, nullptr, argv.data(), environ) != 0) {
      throw std::runtime_error("spawn");
    }
    posix_spawn_file_actions_destroy(&actions);
    ::close(out[1]);
    m_out = out[0];
  }
  ~Child()
  {
    if (m_pid > 0) {
      ::kill(m_pid, SIGKILL);
      ::waitpid(m_pid, nullptr, 0);
    }
    ::close(m_out);
  }

  // The first line of stdout, or "" after 30 s.
  std::string
  first_line()
  {
    std::string line;
    for (int i = 0; i < 300; ++i) {
      pollfd p{ m_out, POLLIN, 0 };
      if (::poll(&p, 1, 100) <= 0) {
        continue;
      }
      char c;
      while (::read(m_out, &c, 1) == 1) {
        if (c == '\n') {
          return line;
        }
        line += c;
      }
      if (line.empty()) {
        return line; // EOF: the program ended
      }
    }
    return line;
  }

  // Sends sig and returns the exit status.
  int
  stop(int sig)
  {
    ::kill(m_pid, sig);
    int status = 0;
    ::waitpid(m_pid, &status, 0);
    m_pid = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
  }

  int
  wait_exit()
  {
    int status = 0;
    ::waitpid(m_pid, &status, 0);
    m_pid = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
  }

private:
  pid_t m_pid = -1;
  int m_out = -1;
};

using StandaloneTest = test::TempDirTest;

TEST_F(StandaloneTest, IssuesItsCertificatesFromAGivenCaAndServesUntilSigterm)
{
  const auto ca = make_ca("kubernetes");
  const auto ca_crt = write("pki/ca.crt", ca.cert_pem);
  const auto ca_key = write("pki/ca.key", ca.key_pem, 0600);
  Child child({ "--ca-cert",
                ca_crt.string(),
                "--ca-key",
                ca_key.string(),
                "--san",
                "10.9.8.7",
                "--kubeconfig",
                (dir() / "admin.conf").string(),
                "--node",
                "node-1" });
  const std::string line = child.first_line();
  const std::string prefix = "ocne-kube-test-server: serving https://127.0.0.1:";
  ASSERT_EQ(line.rfind(prefix, 0), 0U) << line;
  const std::string url = line.substr(std::string("ocne-kube-test-server: serving ").size());

  EXPECT_EQ(*fs::file_mode(dir() / "admin.conf"), 0600U);
  // Anyone holding a certificate from the same CA is let in.
  const auto user = issue_cert(ca, "someone", { "system:masters" }, {}, true, false);
  http::TransportOptions o;
  o.tls.ca_pem = ca.cert_pem;
  o.tls.client_cert_pem = user.cert_pem;
  o.tls.client_key_pem = Secret(user.key_pem);
  o.retry.max_attempts = 1;
  const http::Transport t(o);
  const auto nodes = t.send({ .method = "GET", .url = url + "/api/v1/nodes" });
  ASSERT_TRUE(nodes) << nodes.error().message();
  ASSERT_EQ(nodes->status, 200) << nodes->body;
  const auto list = json::parse(nodes->body);
  ASSERT_EQ(list["items"].size(), 1U);
  EXPECT_EQ(list["items"][0]["metadata"]["name"], "node-1");
  EXPECT_EQ(list["items"][0]["status"]["conditions"][0]["type"], "Ready");
  EXPECT_EQ(list["items"][0]["status"]["conditions"][0]["status"], "True");

  EXPECT_EQ(child.stop(SIGTERM), 0);
}

TEST_F(StandaloneTest, ServesAGivenCertificateAndRejectsBadFlags)
{
  const auto ca = make_ca("given");
  const auto serving = issue_cert(ca, "apiserver", {}, { "IP:127.0.0.1" }, false, true);
  const auto crt = write("tls.crt", serving.cert_pem);
  const auto key = write("tls.key", serving.key_pem, 0600);
  const auto tokens = write("tokens", "t0ken\n", 0600);
  Child child({ "--tls-cert", crt.string(), "--tls-key", key.string(), "--token-file", tokens.string() });
  const std::string line = child.first_line();
  ASSERT_EQ(line.rfind("ocne-kube-test-server: serving https://", 0), 0U) << line;
  http::TransportOptions o;
  o.tls.ca_pem = ca.cert_pem;
  o.retry.max_attempts = 1;
  const http::Transport t(o);
  http::Request r{ .method = "GET", .url = line.substr(line.find("https://")) + "/api/v1/namespaces/default" };
  r.headers.set("Authorization", "Bearer t0ken");
  const auto ns = t.send(r);
  ASSERT_TRUE(ns) << ns.error().message();
  EXPECT_EQ(ns->status, 200);
  EXPECT_EQ(child.stop(SIGINT), 0);

  ProcessOptions bad;
  bad.argv = { OCNE_KUBE_SERVER_BINARY, "--port", "http" };
  const auto r1 = run_process(bad);
  ASSERT_TRUE(r1);
  EXPECT_EQ(r1->exit_code, 2);
  EXPECT_EQ(r1->err, "ocne-kube-test-server: --port http: not a port number\n");
  bad.argv = { OCNE_KUBE_SERVER_BINARY, "--ca-cert", (dir() / "missing.crt").string(), "--ca-key", key.string() };
  const auto r2 = run_process(bad);
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->exit_code, 2);
  EXPECT_EQ(r2->err,
            "ocne-kube-test-server: CA certificate " + (dir() / "missing.crt").string() +
              ": cannot read: No such file or directory\n");
}

} // namespace
} // namespace ocne::test::kube
