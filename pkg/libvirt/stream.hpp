#pragma once

// A libvirt data stream (volume upload/download, domain console).

#include "pkg/core/error.hpp"
#include "pkg/libvirt/handles.hpp"

#include <chrono>
#include <string>
#include <string_view>

namespace ocne::libvirt {

class Stream
{
public:
  explicit Stream(detail::Owned<_virStream> handle) : m_handle(std::move(handle))
  {
  }

  // Sends all of data (blocking).
  Status send(std::string_view data);
  // Reads up to max bytes; an empty result means the end of the stream.
  Result<std::string> receive(std::size_t max = 64 * 1024);
  // Reads whatever arrives within timeout (a non-blocking stream: the
  // console). Empty when nothing came.
  Result<std::string> receive_for(std::chrono::milliseconds timeout, std::size_t max = 64 * 1024);
  // Completes the transfer; the daemon reports errors of the whole transfer here.
  Status finish();
  // Cancels the transfer; the daemon discards it.
  void abort();

  _virStream*
  raw() const
  {
    return m_handle.get();
  }

private:
  detail::Owned<_virStream> m_handle;
  bool m_done = false;
};

} // namespace ocne::libvirt
