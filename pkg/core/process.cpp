#include "pkg/core/process.hpp"

#include "pkg/core/fs.hpp"
#include "pkg/core/strings.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

extern char** environ; // NOLINT: POSIX

namespace ocne {

namespace {

struct Pipe
{
  fs::Fd read;
  fs::Fd write;
};

Result<Pipe>
make_pipe()
{
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    return make_error(ErrorKind::io, "pipe: {}", fs::errno_message(errno));
  }
  return Pipe{ fs::Fd(fds[0]), fs::Fd(fds[1]) };
}

std::vector<std::string>
build_env(const ProcessOptions& options)
{
  std::map<std::string, std::string> vars;
  if (options.env) {
    vars = *options.env;
  } else {
    for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
      const std::string_view entry(*e);
      const auto eq = entry.find('=');
      if (eq != std::string_view::npos) {
        vars.emplace(std::string(entry.substr(0, eq)), std::string(entry.substr(eq + 1)));
      }
    }
  }
  for (const auto& [k, v] : options.env_add) {
    vars[k] = v;
  }
  std::vector<std::string> out;
  out.reserve(vars.size());
  for (const auto& [k, v] : vars) {
    out.push_back(k + "=" + v);
  }
  return out;
}

} // namespace

bool
program_exists(std::string_view name)
{
  if (name.find('/') != std::string_view::npos) {
    return ::access(std::string(name).c_str(), X_OK) == 0;
  }
  const char* path = std::getenv("PATH");
  for (const auto& dir : str::split(path != nullptr ? path : "/usr/bin:/bin", ':')) {
    if (!dir.empty() && ::access((dir + "/" + std::string(name)).c_str(), X_OK) == 0) {
      return true;
    }
  }
  return false;
}

Result<ProcessResult>
run_process(const ProcessOptions& options)
{
  if (options.argv.empty()) {
    return make_error(ErrorKind::internal, "run_process: empty argv");
  }
  OCNE_TRY_ASSIGN(auto in, make_pipe());
  OCNE_TRY_ASSIGN(auto out, make_pipe());
  OCNE_TRY_ASSIGN(auto err, make_pipe());

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in.read.get(), 0);
  posix_spawn_file_actions_adddup2(&actions, out.write.get(), 1);
  posix_spawn_file_actions_adddup2(&actions, err.write.get(), 2);
  if (!options.cwd.empty()) {
    posix_spawn_file_actions_addchdir_np(&actions, options.cwd.c_str());
  }
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // The child gets default signal handling and its own process group, so a
  // timeout can kill everything it started.
  sigset_t all;
  sigfillset(&all);
  posix_spawnattr_setsigdefault(&attr, &all);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP);

  std::vector<char*> argv;
  for (const auto& a : options.argv) {
    argv.push_back(const_cast<char*>(a.c_str()));
  }
  argv.push_back(nullptr);
  auto env_strings = build_env(options);
  std::vector<char*> envp;
  for (auto& e : env_strings) {
    envp.push_back(e.data());
  }
  envp.push_back(nullptr);

  pid_t pid = 0;
  const int rc = ::posix_spawnp(&pid, argv[0], &actions, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    return make_error(
      rc == ENOENT ? ErrorKind::not_found : ErrorKind::io, "cannot run {}: {}", options.argv[0], fs::errno_message(rc));
  }
  in.read.reset();
  out.write.reset();
  err.write.reset();

  ProcessResult result;
  std::string_view pending_in = options.stdin_data;
  if (pending_in.empty()) {
    in.write.reset();
  } else {
    ::fcntl(in.write.get(), F_SETFL, O_NONBLOCK);
  }
  ::signal(SIGPIPE, SIG_IGN); // a child that exits early must not kill us

  const auto start = std::chrono::steady_clock::now();
  bool term_sent = false;
  char buffer[65536];
  while (out.read || err.read || in.write) {
    pollfd fds[3];
    nfds_t n = 0;
    if (out.read) {
      fds[n++] = { out.read.get(), POLLIN, 0 };
    }
    if (err.read) {
      fds[n++] = { err.read.get(), POLLIN, 0 };
    }
    if (in.write) {
      fds[n++] = { in.write.get(), POLLOUT, 0 };
    }
    int wait_ms = 200;
    ::poll(fds, n, wait_ms);
    for (nfds_t i = 0; i < n; ++i) {
      if (fds[i].revents == 0) {
        continue;
      }
      if (in.write && fds[i].fd == in.write.get()) {
        const auto w = ::write(in.write.get(), pending_in.data(), pending_in.size());
        if (w > 0) {
          pending_in.remove_prefix(static_cast<std::size_t>(w));
        }
        if (pending_in.empty() || (w < 0 && errno != EAGAIN && errno != EINTR)) {
          in.write.reset();
        }
        continue;
      }
      const auto r = ::read(fds[i].fd, buffer, sizeof(buffer));
      if (r > 0) {
        const std::string_view chunk(buffer, static_cast<std::size_t>(r));
        if (out.read && fds[i].fd == out.read.get()) {
          result.out.append(chunk);
          if (options.on_stdout) {
            options.on_stdout(chunk);
          }
        } else {
          result.err.append(chunk);
        }
      } else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
        if (out.read && fds[i].fd == out.read.get()) {
          out.read.reset();
        } else if (err.read && fds[i].fd == err.read.get()) {
          err.read.reset();
        }
      }
    }
    if (options.timeout.count() > 0) {
      const auto elapsed = std::chrono::steady_clock::now() - start;
      if (!term_sent && elapsed > options.timeout) {
        result.timed_out = true;
        ::kill(-pid, SIGTERM);
        term_sent = true;
      } else if (term_sent && elapsed > options.timeout + std::chrono::seconds(5)) {
        ::kill(-pid, SIGKILL);
      }
    }
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.signal = WTERMSIG(status);
  }
  return result;
}

} // namespace ocne
