#pragma once

// A child process the test can kill mid-way (run_ocne waits for the end).

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace ocne::test {

class Child
{
public:
  Child(const std::vector<std::string>& argv,
        const std::map<std::string, std::string>& env,
        const std::filesystem::path& out_file,
        const std::filesystem::path& err_file)
  {
    std::vector<std::string> env_strings;
    for (const auto& [k, v] : env) {
      env_strings.push_back(k + "=" + v);
    }
    m_pid = ::fork();
    if (m_pid < 0) {
      throw std::runtime_error("fork failed");
    }
    if (m_pid == 0) {
      const int out = ::open(out_file.c_str(), O_CREAT | O_TRUNC | O_WRONLY, 0644);
      const int err = ::open(err_file.c_str(), O_CREAT | O_TRUNC | O_WRONLY, 0644);
      ::dup2(out, 1);
      ::dup2(err, 2);
      std::vector<char*> args;
      for (const auto& a : argv) {
        args.push_back(const_cast<char*>(a.c_str()));
      }
      args.push_back(nullptr);
      std::vector<char*> envp;
      for (const auto& e : env_strings) {
        envp.push_back(const_cast<char*>(e.c_str()));
      }
      envp.push_back(nullptr);
      ::execve(args[0], args.data(), envp.data());
      ::_exit(127);
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

} // namespace ocne::test
