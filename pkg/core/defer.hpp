#pragma once

// DEFER(statement;) runs the statement when the enclosing scope ends.

#include <utility>

namespace ocne {

template<typename F>
class Deferred
{
public:
  explicit Deferred(F f) : m_f(std::move(f))
  {
  }
  ~Deferred()
  {
    if (m_armed) {
      m_f();
    }
  }
  Deferred(const Deferred&) = delete;
  Deferred& operator=(const Deferred&) = delete;
  // Disarms the deferred call (for "undo unless we reach the end").
  void
  cancel()
  {
    m_armed = false;
  }

private:
  F m_f;
  bool m_armed = true;
};

} // namespace ocne

#define OCNE_DEFER_CAT2_(a, b) a##b
#define OCNE_DEFER_CAT_(a, b) OCNE_DEFER_CAT2_(a, b)
#define DEFER(...) ::ocne::Deferred OCNE_DEFER_CAT_(ocne_defer_, __LINE__)([&]() { __VA_ARGS__; })
