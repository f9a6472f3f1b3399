#pragma once

// Setting<T>: a configuration value that may be unset. Layers of
// configuration merge by "set wins over unset", so a later layer overrides an
// earlier one only for the keys it actually sets (ocne's rule: an empty string
// in a file means "not set").

#include <optional>
#include <utility>

namespace ocne::config {

template<typename T>
class Setting
{
public:
  Setting() = default;
  Setting(T value) : m_value(std::move(value)) // NOLINT: implicit on purpose, reads like a plain field
  {
  }
  Setting&
  operator=(T value)
  {
    m_value = std::move(value);
    return *this;
  }

  bool
  is_set() const
  {
    return m_value.has_value();
  }
  // The value, or a default-constructed T when unset ("" / 0 / false / {}).
  const T&
  get() const
  {
    static const T empty{};
    return m_value ? *m_value : empty;
  }
  const T&
  operator*() const
  {
    return get();
  }
  const T*
  operator->() const
  {
    return &get();
  }
  T
  value_or(T fallback) const
  {
    return m_value ? *m_value : std::move(fallback);
  }
  void
  reset()
  {
    m_value.reset();
  }
  T&
  mutable_value()
  {
    if (!m_value) {
      m_value.emplace();
    }
    return *m_value;
  }

  bool operator==(const Setting&) const = default;

private:
  std::optional<T> m_value;
};

} // namespace ocne::config
