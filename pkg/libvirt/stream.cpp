#include "pkg/libvirt/stream.hpp"

#include "pkg/libvirt/error.hpp"
#include "pkg/libvirt/stats.hpp"

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include <thread>

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
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string buffer(max, '\0');
  while (true) {
    const int n = virStreamRecv(m_handle.get(), buffer.data(), buffer.size());
    if (n > 0) {
      buffer.resize(static_cast<std::size_t>(n));
      return buffer;
    }
    if (n == 0) {
      return std::string();
    }
    if (n != -2) {
      return tl::unexpected(last_error("receiving data from libvirt"));
    }
    // -2: nothing yet on a non-blocking stream
    if (std::chrono::steady_clock::now() >= deadline) {
      return std::string();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
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
