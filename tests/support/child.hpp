#pragma once

// A child process the test can kill mid-way (run_ocne waits for the end), and
// a run whose stderr is a terminal (to see the progress bars users see).

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace ocne::test {

// "KEY=value" strings for execve, prepared before fork (the child only execs).
inline std::vector<std::string>
env_entries(const std::map<std::string, std::string>& env)
{
  std::vector<std::string> out;
  for (const auto& [k, v] : env) {
    out.push_back(k + "=" + v);
  }
  return out;
}

// In a forked child: replaces it with argv[0] and exactly env.
[[noreturn]] inline void
exec_child(const std::vector<std::string>& argv, const std::vector<std::string>& env)
{
  std::vector<char*> args;
  for (const auto& a : argv) {
    args.push_back(const_cast<char*>(a.c_str()));
  }
  args.push_back(nullptr);
  std::vector<char*> envp;
  for (const auto& e : env) {
    envp.push_back(const_cast<char*>(e.c_str()));
  }
  envp.push_back(nullptr);
  ::execve(args[0], args.data(), envp.data());
  ::_exit(127);
}

class Child
{
public:
  Child(const std::vector<std::string>& argv,
        const std::map<std::string, std::string>& env,
        const std::filesystem::path& out_file,
        const std::filesystem::path& err_file)
  {
    const auto env_strings = env_entries(env);
    m_pid = ::fork();
    if (m_pid < 0) {
      throw std::runtime_error("fork failed");
    }
    if (m_pid == 0) {
      const int out = ::open(out_file.c_str(), O_CREAT | O_TRUNC | O_WRONLY, 0644);
      const int err = ::open(err_file.c_str(), O_CREAT | O_TRUNC | O_WRONLY, 0644);
      ::dup2(out, 1);
      ::dup2(err, 2);
      exec_child(argv, env_strings);
    }
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
    int status = 0;
    ::waitpid(m_pid, &status, 0);
    m_done = true;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
  }
  bool
  running()
  {
    int status = 0;
    return ::waitpid(m_pid, &status, WNOHANG) == 0;
  }

private:
  pid_t m_pid = -1;
  bool m_done = false;
};

struct PtyRun
{
  int exit_code = -1;
  std::string out; // stdout (a pipe)
  std::string err; // what was written to the terminal on stderr
};

// Runs argv with stderr on a pseudo-terminal and stdout on a pipe, draining
// both so the child never blocks on a full buffer.
inline PtyRun
run_with_stderr_tty(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env)
{
  int master = -1;
  int slave = -1;
  if (::openpty(&master, &slave, nullptr, nullptr, nullptr) != 0) {
    throw std::runtime_error("openpty failed");
  }
  int out_pipe[2];
  if (::pipe(out_pipe) != 0) {
    throw std::runtime_error("pipe failed");
  }
  const auto env_strings = env_entries(env);
  const pid_t pid = ::fork();
  if (pid < 0) {
    throw std::runtime_error("fork failed");
  }
  if (pid == 0) {
    ::dup2(out_pipe[1], 1);
    ::dup2(slave, 2);
    ::close(master);
    ::close(out_pipe[0]);
    exec_child(argv, env_strings);
  }
  ::close(slave);
  ::close(out_pipe[1]);
  PtyRun run;
  pollfd fds[2] = {{master, POLLIN, 0}, {out_pipe[0], POLLIN, 0}};
  std::string* sinks[2] = {&run.err, &run.out};
  int open_fds = 2;
  char buf[4096];
  while (open_fds > 0) {
    if (::poll(fds, 2, -1) < 0) {
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) {
        continue;
      }
      const ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        sinks[i]->append(buf, static_cast<std::size_t>(n));
      } else {
        // EOF, or EIO on the master once the child's side is closed.
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
  return run;
}

} // namespace ocne::test
