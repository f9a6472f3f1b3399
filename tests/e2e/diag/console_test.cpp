// `ocne cluster console` through the binary: the console pod (labels,
// deadline, node, privileges), the command run in it, stdin, the remote exit
// code as ocne's, the pod deleted on exit and on Ctrl-C, and leftovers of
// killed runs swept by the next run.

#include "tests/e2e/diag/diag_world.hpp"
#include "tests/support/child.hpp"

#include <gtest/gtest.h>

#include <sys/ioctl.h>
#include <termios.h>

#include <atomic>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

namespace ocne::test {
namespace {

using nlohmann::json;

class ClusterConsole : public DiagCliTest
{
protected:
  void
  SetUp() override
  {
    DiagCliTest::SetUp();
    add_node({ .name = "worker-1" });
    // The kubelet: console pods start running.
    server().on({ .kind = "Pod", .modified = false }, [](kube::KubeTestServer& s, const kube::ObjectEvent& e) {
      const auto ns = (*e.object)["metadata"].value("namespace", "");
      if (ns != "ocne-system") {
        return;
      }
      s.merge_patch(
        "v1", "Pod", ns, (*e.object)["metadata"]["name"], { { "status", { { "phase", "Running" } } } }, "status");
    });
    server().on_exec([this](const kube::ExecCall& call, kube::ExecIo& io) {
      const auto& cmd = call.command;
      if (cmd.back() == "cat") {
        std::string all;
        for (auto in = io.next(); in.kind != kube::ExecIo::Input::Kind::end; in = io.next()) {
          all += in.data;
        }
        io.out(all);
        return 0;
      }
      if (cmd.size() >= 3 && cmd[cmd.size() - 3] == "sh" && cmd[cmd.size() - 2] == "-c" &&
          cmd.back().rfind("exit ", 0) == 0) {
        io.err("leaving\n");
        return std::stoi(cmd.back().substr(5));
      }
      if (cmd.back() == "size") {
        saw_tty = call.tty;
        for (auto in = io.next(); in.kind != kube::ExecIo::Input::Kind::end; in = io.next()) {
          if (in.kind == kube::ExecIo::Input::Kind::resize) {
            io.out(std::to_string(in.width) + "x" + std::to_string(in.height) + ";");
          }
          if (in.kind == kube::ExecIo::Input::Kind::data && in.data.find('q') != std::string::npos) {
            break;
          }
        }
        return 3;
      }
      if (cmd.back() == "wait") {
        started = true;
        for (auto in = io.next(); in.kind != kube::ExecIo::Input::Kind::end; in = io.next()) {
        }
        return 0;
      }
      return 127;
    });
  }

  std::vector<json>
  console_pods()
  {
    return server().list("v1", "Pod", "ocne-system");
  }

  std::atomic<bool> started{ false };
  std::atomic<bool> saw_tty{ false };
};

// Reads the terminal until text appears (or 60 s pass).
bool
read_until(int fd, const std::string& text, std::string& seen)
{
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  char buf[4096];
  while (seen.find(text) == std::string::npos) {
    if (std::chrono::steady_clock::now() > deadline) {
      return false;
    }
    pollfd p{ fd, POLLIN, 0 };
    if (::poll(&p, 1, 200) > 0) {
      const auto n = ::read(fd, buf, sizeof buf);
      if (n <= 0) {
        return false;
      }
      seen.append(buf, static_cast<std::size_t>(n));
    }
  }
  return true;
}

TEST_F(ClusterConsole, OnATerminalTheSizeAndItsChangesReachTheNodeAndTheTerminalIsRestored)
{
  int master = -1;
  int slave = -1;
  winsize size{ 40, 120, 0, 0 };
  ASSERT_EQ(::openpty(&master, &slave, nullptr, nullptr, &size), 0);
  ::fcntl(master, F_SETFD, FD_CLOEXEC);
  ::fcntl(slave, F_SETFD, FD_CLOEXEC);
  termios before{};
  ASSERT_EQ(::tcgetattr(slave, &before), 0);
  const auto err_file = dir() / "err.txt";
  const pid_t pid = spawn_child(
    { ocne_binary().string(), "cluster", "console", "-N", "worker-1", "-k", kubeconfig().string(), "--", "size" },
    ocne_environment(dir(), {}),
    [&](posix_spawn_file_actions_t& a) {
      posix_spawn_file_actions_adddup2(&a, slave, 0);
      posix_spawn_file_actions_adddup2(&a, slave, 1);
      posix_spawn_file_actions_addopen(&a, 2, err_file.c_str(), O_CREAT | O_TRUNC | O_WRONLY, 0644);
    });
  std::string seen;
  EXPECT_TRUE(read_until(master, "120x40;", seen)) << seen;
  winsize smaller{ 24, 80, 0, 0 };
  ::ioctl(master, TIOCSWINSZ, &smaller);
  ::kill(pid, SIGWINCH); // the kernel sends it only to a controlling terminal's process group
  EXPECT_TRUE(read_until(master, "80x24;", seen)) << seen;
  ASSERT_EQ(::write(master, "q", 1), 1);
  int status = 0;
  ::waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 3);
  EXPECT_TRUE(saw_tty);
  termios after{};
  ASSERT_EQ(::tcgetattr(slave, &after), 0);
  EXPECT_EQ(after.c_lflag, before.c_lflag) << "the terminal is left in raw mode";
  ::close(master);
  ::close(slave);
}

TEST_F(ClusterConsole, RunsTheCommandInALabelledPodWithADeadlineAndRemovesIt)
{
  std::mutex m;
  json created;
  server().on({ .kind = "Pod", .modified = false }, [&](kube::KubeTestServer&, const kube::ObjectEvent& e) {
    const std::lock_guard lock(m);
    created = *e.object;
  });
  const auto r = ocne({ "cluster", "console", "-N", "worker-1", "--", "cat" }, "hello node\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "hello node\n");
  EXPECT_TRUE(console_pods().empty()) << "the console pod is left";
  server().wait_idle();
  const std::lock_guard lock(m);
  EXPECT_EQ(created["metadata"]["namespace"], "ocne-system");
  EXPECT_EQ(created["metadata"]["labels"]["app.kubernetes.io/managed-by"], "ocne");
  EXPECT_EQ(created["metadata"]["labels"]["ocne.oracle.com/purpose"], "console");
  EXPECT_GT(created["spec"]["activeDeadlineSeconds"].get<int>(), 0);
  EXPECT_EQ(created["spec"]["nodeName"], "worker-1");
  EXPECT_EQ(created["spec"]["hostPID"], true);
  EXPECT_EQ(created["spec"]["containers"][0]["securityContext"]["privileged"], true);
  const auto call = server().exec_calls().back();
  EXPECT_EQ(call.container, "console");
  EXPECT_EQ(call.command, std::vector<std::string>{ "cat" });
  EXPECT_TRUE(call.stdin);
  EXPECT_FALSE(call.tty) << "stdin is not a terminal here";
}

TEST_F(ClusterConsole, TheImageIsOracleLinuxTheToolboxOrTheOneGiven)
{
  std::mutex m;
  std::vector<std::string> images;
  server().on({ .kind = "Pod", .modified = false }, [&](kube::KubeTestServer&, const kube::ObjectEvent& e) {
    const std::lock_guard lock(m);
    images.push_back((*e.object)["spec"]["containers"][0]["image"]);
  });
  for (const auto& flags :
       std::vector<std::vector<std::string>>{ {}, { "-t" }, { "--image", "registry.example/tools/debug:2" } }) {
    std::vector<std::string> args = { "cluster", "console", "-N", "worker-1" };
    args.insert(args.end(), flags.begin(), flags.end());
    args.insert(args.end(), { "--", "sh", "-c", "exit 0" });
    const auto r = ocne(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  server().wait_idle();
  {
    const std::lock_guard lock(m);
    EXPECT_EQ(images,
              (std::vector<std::string>{ "container-registry.oracle.com/os/oraclelinux:8",
                                         "container-registry.oracle.com/olcne/ock:toolbox",
                                         "registry.example/tools/debug:2" }));
  }
  const auto r = ocne({ "cluster", "console", "-N", "worker-1", "-t", "--image", "x", "--", "true" });
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("--image"), std::string::npos) << r.err;
}

TEST_F(ClusterConsole, TheRemoteExitCodeIsOcnes)
{
  auto r = ocne({ "cluster", "console", "-N", "worker-1", "--", "sh", "-c", "exit 7" });
  EXPECT_EQ(r.exit_code, 7) << r.err;
  EXPECT_EQ(r.err.find("ocne: error"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("leaving\n"), std::string::npos) << r.err;
  r = ocne({ "cluster", "console", "-N", "worker-1", "-d", "--", "sh", "-c", "exit 0" });
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(server().exec_calls().back().command,
            (std::vector<std::string>{ "chroot", "/hostroot", "sh", "-c", "exit 0" }));
  EXPECT_TRUE(console_pods().empty());
}

TEST_F(ClusterConsole, CtrlCEndsTheSessionAndRemovesThePod)
{
  int in[2];
  ASSERT_EQ(::pipe2(in, O_CLOEXEC), 0);
  auto env = ocne_environment(dir(), {});
  const auto err_file = dir() / "err.txt";
  const pid_t pid = spawn_child(
    { ocne_binary().string(), "cluster", "console", "-N", "worker-1", "-k", kubeconfig().string(), "--", "wait" },
    env,
    [&](posix_spawn_file_actions_t& a) {
      posix_spawn_file_actions_adddup2(&a, in[0], 0);
      posix_spawn_file_actions_addopen(&a, 1, "/dev/null", O_WRONLY, 0);
      posix_spawn_file_actions_addopen(&a, 2, err_file.c_str(), O_CREAT | O_TRUNC | O_WRONLY, 0644);
    });
  ::close(in[0]);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!started && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(started) << "the session never started";
  ASSERT_EQ(console_pods().size(), 1U);
  ::kill(pid, SIGINT);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ::close(in[1]);
  EXPECT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 130);
  EXPECT_TRUE(console_pods().empty()) << "the console pod is left after Ctrl-C";
}

TEST_F(ClusterConsole, LeftoversOfKilledRunsAreSweptOthersAreKept)
{
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  add_namespace("ocne-system");
  auto leftover = [&](const std::string& name, const std::string& owner) {
    server().create(
      { { "apiVersion", "v1" },
        { "kind", "Pod" },
        { "metadata",
          { { "name", name },
            { "namespace", "ocne-system" },
            { "labels", { { "app.kubernetes.io/managed-by", "ocne" }, { "ocne.oracle.com/purpose", "console" } } },
            { "annotations", { { "ocne.oracle.com/owner", owner } } } } },
        { "spec",
          { { "nodeName", "worker-1" }, { "containers", { { { "name", "console" }, { "image", "i" } } } } } } });
  };
  // A pid that no longer exists: a child that has ended.
  const pid_t gone = spawn_child({ "/bin/true" }, {}, [](posix_spawn_file_actions_t&) {});
  int status = 0;
  ::waitpid(gone, &status, 0);
  server().wait_idle();
  leftover("killed-run", std::string(host) + "/" + std::to_string(gone));
  leftover("live-run", std::string(host) + "/" + std::to_string(::getpid()));
  leftover("other-host", "elsewhere.example/" + std::to_string(gone));
  server().wait_idle();
  // The kubelet hook made them Running; one ended since.
  server().merge_patch("v1", "Pod", "ocne-system", "other-host", { { "status", { { "phase", "Failed" } } } }, "status");
  const auto r = ocne({ "cluster", "console", "-N", "worker-1", "--", "sh", "-c", "exit 0" });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> names;
  for (const auto& p : console_pods()) {
    names.push_back(p["metadata"]["name"]);
  }
  EXPECT_EQ(names, std::vector<std::string>{ "live-run" });
}

TEST_F(ClusterConsole, AnUnknownNodeIsAnError)
{
  const auto r = ocne({ "cluster", "console", "-N", "nope", "--", "true" });
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "ocne: error: node nope does not exist\n");
  EXPECT_EQ(ocne({ "cluster", "console" }).exit_code, 2);
}

} // namespace
} // namespace ocne::test
