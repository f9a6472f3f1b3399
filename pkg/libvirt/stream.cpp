#include "pkg/libvirt/stream.hpp"

#include "pkg/core/poll.hpp"
#include "pkg/libvirt/error.hpp"
#include "pkg/libvirt/stats.hpp"

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

namespace ocne::libvirt {

Status
Stream::send(std::string_view data)
{
  CallTimer timer;
  while (!data.empty()) {
    const int n = virStreamSend(m_handle.get(), data.data(), data.size());
    if (n < 0) {
      return tl::unexpected(last_error("sending data to libvirt"));
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}

Result<std::string>
Stream::receive(std::size_t max)
{
  CallTimer timer;
  std::string buffer(max, '\0');
  const int n = virStreamRecv(m_handle.get(), buffer.data(), buffer.size());
  if (n < 0) {
    return tl::unexpected(last_error("receiving data from libvirt"));
  }
  buffer.resize(static_cast<std::size_t>(n));
  return buffer;
}

Result<std::string>
Stream::receive_for(std::chrono::milliseconds timeout, std::size_t max)
{
  CallTimer timer;
  std::string buffer(max, '\0');
  bool quiet = false; // nothing came within the timeout: an empty answer, not an error
  PollMessages messages;
  messages.timed_out = [&](std::string_view) {
    quiet = true;
    return Error(ErrorKind::timeout, "no data");
  };
  auto received = poll({ .timeout = timeout, .interval = std::chrono::milliseconds(20), .watch_interrupt = false },
                       messages,
                       [&]() -> Result<std::string> {
                         const int n = virStreamRecv(m_handle.get(), buffer.data(), buffer.size());
                         if (n == -2) {
                           return not_ready_yet("nothing yet"); // on a non-blocking stream
                         }
                         if (n < 0) {
                           return tl::unexpected(last_error("receiving data from libvirt"));
                         }
                         buffer.resize(static_cast<std::size_t>(n)); // 0: the end of the stream
                         return std::move(buffer);
                       });
  if (!received && quiet) {
    return std::string();
  }
  return received;
}

Status
Stream::finish()
{
  CallTimer timer;
  m_done = true;
  if (virStreamFinish(m_handle.get()) < 0) {
    return tl::unexpected(last_error("finishing the libvirt transfer"));
  }
  return {};
}

void
Stream::abort()
{
  CallTimer timer;
  if (!m_done) {
    m_done = true;
    virStreamAbort(m_handle.get());
    virResetLastError();
  }
}

} // namespace ocne::libvirt
