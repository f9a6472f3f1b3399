#pragma once

// Secret holds a token, private key or pass phrase. It cannot be streamed or
// formatted by accident: fmt prints it as "[redacted]", and the only way to
// the bytes is the explicit reveal(). The memory is wiped on destruction.

#include <fmt/format.h>

#include <string>
#include <string_view>
#include <utility>

namespace ocne {

class Secret
{
public:
  Secret() = default;
  explicit Secret(std::string value) : m_value(std::move(value))
  {
  }
  Secret(const Secret&) = default;
  Secret(Secret&& other) noexcept : m_value(std::move(other.m_value))
  {
    other.wipe();
  }
  Secret&
  operator=(const Secret& other)
  {
    if (this != &other) {
      wipe();
      m_value = other.m_value;
    }
    return *this;
  }
  Secret&
  operator=(Secret&& other) noexcept
  {
    if (this != &other) {
      wipe();
      m_value = std::move(other.m_value);
      other.wipe();
    }
    return *this;
  }
  ~Secret()
  {
    wipe();
  }

  // The secret bytes. Call sites are easy to audit: grep for reveal().
  const std::string&
  reveal() const
  {
    return m_value;
  }

  bool
  empty() const
  {
    return m_value.empty();
  }

  bool
  operator==(const Secret& other) const
  {
    return m_value == other.m_value;
  }

private:
  void
  wipe() noexcept
  {
    // volatile stops the compiler from dropping the stores as dead.
    volatile char* p = m_value.data();
    for (std::size_t i = 0; i < m_value.size(); ++i) {
      p[i] = 0;
    }
    m_value.clear();
  }

  std::string m_value;
};

} // namespace ocne

template<>
struct fmt::formatter<ocne::Secret> : fmt::formatter<std::string_view>
{
  template<typename FormatContext>
  auto
  format(const ocne::Secret& secret, FormatContext& ctx) const
  {
    return fmt::formatter<std::string_view>::format(secret.empty() ? "" : "[redacted]", ctx);
  }
};
