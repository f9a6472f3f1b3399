#include "pkg/core/error.hpp"

namespace ocne {

std::string_view
to_string(ErrorKind kind)
{
  switch (kind) {
    case ErrorKind::invalid_input:
      return "invalid input";
    case ErrorKind::not_found:
      return "not found";
    case ErrorKind::already_exists:
      return "already exists";
    case ErrorKind::conflict:
      return "conflict";
    case ErrorKind::auth:
      return "authentication";
    case ErrorKind::transient:
      return "transient";
    case ErrorKind::timeout:
      return "timeout";
    case ErrorKind::not_ready:
      return "not ready";
    case ErrorKind::io:
      return "i/o";
    case ErrorKind::unavailable:
      return "unavailable";
    case ErrorKind::cancelled:
      return "cancelled";
    case ErrorKind::internal:
      return "internal";
  }
  return "unknown";
}

Error
Error::with_context(std::string_view context) const&
{
  return Error(m_kind, fmt::format("{}: {}", context, m_message));
}

Error
Error::with_context(std::string_view context) &&
{
  m_message = fmt::format("{}: {}", context, m_message);
  return std::move(*this);
}

} // namespace ocne
