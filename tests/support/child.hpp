#pragma once

// A child process the test can kill mid-way (run_ocne waits for the end), and
// a run whose stderr is a terminal (to see the progress bars users see).
// Both are started with posix_spawn, never a bare fork (see spawn_child).

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace ocne::test {

// Starts argv[0] (a path) with exactly env, after setup has said which
// descriptors it gets. The test process has many threads (the test
// servers'), so children are started with posix_spawn: a fork()ed child that
// allocated before exec could block forever on an allocator lock another
// thread held at the fork. Throws when the program cannot start.
inline pid_t
spawn_child(const std::vector<std::string>& argv,
            const std::map<std::string, std::string>& env,
            const std::function<void(posix_spawn_file_actions_t&)>& setup)
{
  std::vector<std::string> entries;
  for (const auto& [k, v] : env) {
    entries.push_back(k + "=" + v);
  }
  std::vector<char*> args;
  for (const auto& a : argv) {
    args.push_back(const_cast<char*>(a.c_str()));
  }
  args.push_back(nullptr);
  std::vector<char*> envp;
  for (auto& e : entries) {
    envp.push_back(e.data());
  }
  envp.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  setup(actions);
  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, args[0], &actions, nullptr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    throw std::runtime_error("cannot start " + argv[0]);
  }
  return pid;
}

class Child
{
public:
  Child(const std::vector<std::string>& argv,
        const std::map<std::string, std::string>& env,
        const std::filesystem::path& out_file,
        const std::filesystem::path& err_file)
  {
    m_pid = spawn_child(argv, env, [&](posix_spawn_file_actions_t& actions) {
      posix_spawn_file_actions_addopen(&actions, 1, out_file.c_str(), O_CREAT | O_TRUNC | O_WRONLY, 0644);
      posix_spawn_file_actions_addopen(&actions, 2, err_file.c_str(), O_CREAT | O_TRUNC | O_WRONLY, 0644);
    });
  }
  ~Child()
  {
    if (m_pid > 0 && !m_done) {
      ::kill(m_pid, SIGKILL);
      wait();
    }
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  void
  kill(int sig)
  {
    ::kill(m_pid, sig);
  }
  // Exit code, or -signal when killed.
  int
  wait()
  {
    if (!m_done) {
      ::waitpid(m_pid, &m_status, 0);
      m_done = true;
    }
    return WIFEXITED(m_status) ? WEXITSTATUS(m_status) : -WTERMSIG(m_status);
  }
  // Whether it still runs; once it has ended, wait() says how.
  bool
  running()
  {
    if (m_done) {
      return false;
    }
    if (::waitpid(m_pid, &m_status, WNOHANG) == m_pid) {
      m_done = true;
      return false;
    }
    return true;
  }

private:
  pid_t m_pid = -1;
  bool m_done = false;
  int m_status = 0;
};

struct PtyRun
{
  int exit_code = -1;
  std::string out; // stdout (a pipe)
  std::string err; // what was written to the terminal on stderr
};

// Runs argv with stderr on a pseudo-terminal and stdout on a pipe, draining
// both so the child never blocks on a full buffer. A child still running
// after timeout is killed (exit_code -SIGKILL) and what it wrote is kept.
inline PtyRun
run_with_stderr_tty(const std::vector<std::string>& argv,
                    const std::map<std::string, std::string>& env,
                    std::chrono::seconds timeout = std::chrono::seconds(300))
{
  int master = -1;
  int slave = -1;
  if (::openpty(&master, &slave, nullptr, nullptr, nullptr) != 0) {
    throw std::runtime_error("openpty failed");
  }
  // Not inherited by other children the test process starts meanwhile, or
  // the terminal and the pipe would stay open after this child ends.
  ::fcntl(master, F_SETFD, FD_CLOEXEC);
  ::fcntl(slave, F_SETFD, FD_CLOEXEC);
  int out_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) {
    throw std::runtime_error("pipe failed");
  }
  const pid_t pid = spawn_child(argv, env, [&](posix_spawn_file_actions_t& actions) {
    posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
    posix_spawn_file_actions_adddup2(&actions, slave, 2);
  });
  ::close(slave);
  ::close(out_pipe[1]);
  PtyRun run;
  pollfd fds[2] = { { master, POLLIN, 0 }, { out_pipe[0], POLLIN, 0 } };
  std::string* sinks[2] = { &run.err, &run.out };
  int open_fds = 2;
  char buf[4096];
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  bool killed = false;
  while (open_fds > 0) {
    const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 && !killed) {
      ::kill(pid, SIGKILL); // the ends of the pipe and terminal close with it
      killed = true;
    }
    const int ready = ::poll(fds, 2, killed ? 1000 : static_cast<int>(std::min<long long>(left.count(), 1000)));
    if (ready < 0 && errno == EINTR) {
      continue;
    }
    if (ready < 0) {
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) {
        continue;
      }
      const ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        sinks[i]->append(buf, static_cast<std::size_t>(n));
      } else if (n < 0 && errno == EINTR) {
        continue;
      } else {
        // EOF, or EIO on the master once the child's side is closed.
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  for (const auto& f : fds) {
    if (f.fd >= 0) {
      ::close(f.fd);
    }
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
  if (killed) {
    run.err += "\n[killed after " + std::to_string(timeout.count()) + " s]\n";
  }
  return run;
}

} // namespace ocne::test
