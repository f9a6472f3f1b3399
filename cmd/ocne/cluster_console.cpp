#include "cmd/ocne/commands.hpp"
#include "cmd/ocne/config_flags.hpp"
#include "cmd/ocne/diag_flags.hpp"
#include "pkg/core/interrupt.hpp"
#include "pkg/diag/console.hpp"

#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <atomic>
#include <csignal>

namespace ocne::cli {

namespace {

struct ConsoleFlags
{
  diag::Target target;
  diag::ConsoleOptions options;
};

std::atomic<bool> g_resized{ false };

void
on_winch(int)
{
  g_resized = true;
}

// Raw mode on the terminal for the session (keys, Ctrl-C included, go to
// the remote shell), restored however the session ends.
class RawTerminal
{
public:
  RawTerminal()
  {
    if (::tcgetattr(0, &m_saved) != 0) {
      return;
    }
    termios raw = m_saved;
    ::cfmakeraw(&raw);
    m_active = ::tcsetattr(0, TCSANOW, &raw) == 0;
  }
  ~RawTerminal()
  {
    if (m_active) {
      ::tcsetattr(0, TCSANOW, &m_saved);
    }
  }
  RawTerminal(const RawTerminal&) = delete;
  RawTerminal& operator=(const RawTerminal&) = delete;

private:
  termios m_saved{};
  bool m_active = false;
};

std::optional<std::pair<int, int>>
window_size()
{
  winsize ws{};
  if (::ioctl(1, TIOCGWINSZ, &ws) != 0 || ws.ws_col == 0) {
    return std::nullopt;
  }
  return std::pair<int, int>(ws.ws_col, ws.ws_row);
}

void
write_fd(int fd, std::string_view data)
{
  while (!data.empty()) {
    const auto n = ::write(fd, data.data(), data.size());
    if (n <= 0) {
      return;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

void
run_console(ConsoleFlags& f, Context& ctx)
{
  auto client = target_client(f.target, ctx);
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  f.options.owner = std::string(host) + "/" + std::to_string(::getpid());
  f.options.tty = ::isatty(0) == 1 && ::isatty(1) == 1;
  std::unique_ptr<RawTerminal> raw;
  bool first_size = true;
  if (f.options.tty) {
    std::signal(SIGWINCH, on_winch);
    raw = std::make_unique<RawTerminal>();
  }
  k8s::ExecSession::PumpIo io;
  io.input_fd = 0;
  // A TTY merges stderr into stdout remotely; both go where the user looks.
  io.output = [](int channel, std::string_view data) { write_fd(channel == 2 ? 2 : 1, data); };
  io.take_resize = [&]() -> std::optional<std::pair<int, int>> {
    if (!f.options.tty || !(first_size || g_resized.exchange(false))) {
      return std::nullopt;
    }
    first_size = false;
    return window_size();
  };
  io.stop = [] { return interrupted(); };
  auto code = diag::run_console(*client, f.options, io);
  raw.reset();
  if (!code) {
    throw Fatal(code.error());
  }
  ctx.exit_code = *code;
}

} // namespace

void
add_cluster_console(CLI::App& cluster, Context& ctx)
{
  auto* cmd = cluster.add_subcommand("console", "Open a shell, or run a command, on a cluster node");
  auto f = std::make_shared<ConsoleFlags>();
  add_target_flags(*cmd, f->target);
  cmd->add_option("-N,--node", f->options.node, "The node")->required();
  auto* t =
    cmd->add_flag("-t,--toolbox",
                  f->options.toolbox,
                  "Use the OCK toolbox image (container-registry.oracle.com/olcne/ock:toolbox, more tools) instead of "
                  "Oracle Linux" +
                    default_note("false"));
  cmd
    ->add_option("--image",
                 f->options.image,
                 "Run the console in this image instead (it needs sleep, and chroot for -d)" +
                   default_note("container-registry.oracle.com/os/oraclelinux:8"))
    ->excludes(t);
  cmd->add_flag("-d,--direct",
                f->options.direct,
                "Run in the node's own root (chroot /hostroot) instead of the console container" +
                  default_note("false"));
  cmd->add_option("command", f->options.command, "The command to run (after --); without one, a shell");
  cmd->callback([f, &ctx] { run_console(*f, ctx); });
}

} // namespace ocne::cli
