#pragma once

// Errors in ocne come in two tiers (see docs/ARCHITECTURE.md):
//  - failures that happen in normal operation are values: Result<T> is a
//    tl::expected<T, Error>, passed up with OCNE_TRY / OCNE_TRY_ASSIGN;
//  - aborting uses one exception family, ocne::Fatal, thrown where a layer
//    decides it cannot go on and printed once by the CLI as "ocne: error: ...".
//
// Messages start lowercase and say what failed, on which object and why.
// Config errors carry "file:line: " in front.

#include <fmt/core.h>
#include <tl/expected.hpp>

#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace ocne {

// What kind of failure this is, so callers can branch (retry, skip, report).
enum class ErrorKind {
  invalid_input, // the user's config, flags or files are wrong: fix and rerun
  not_found,     // the object asked for does not exist
  already_exists,
  conflict,    // concurrent modification, lock held, state mismatch
  auth,        // credentials missing or refused
  transient,   // network hiccup, 429/5xx: retrying may help
  timeout,     // waited and gave up
  not_ready,   // a state that waiting may change: poll() looks again (see poll.hpp)
  io,          // local file system or device error
  unavailable, // a feature or service that is not available here
  cancelled,   // interrupted by the user
  internal,    // a bug in ocne
};

std::string_view to_string(ErrorKind kind);

class Error
{
public:
  Error(ErrorKind kind, std::string message) : m_kind(kind), m_message(std::move(message))
  {
  }

  ErrorKind
  kind() const
  {
    return m_kind;
  }

  const std::string&
  message() const
  {
    return m_message;
  }

  // Returns this error with "<context>: " in front of the message.
  Error with_context(std::string_view context) const&;
  Error with_context(std::string_view context) &&;

  bool operator==(const Error&) const = default;

private:
  ErrorKind m_kind;
  std::string m_message;
};

template<typename T>
using Result = tl::expected<T, Error>;
using Status = tl::expected<void, Error>;

// make_error(kind, "format {}", args...) -> tl::unexpected<Error>, ready to return.
template<typename... Args>
tl::unexpected<Error>
make_error(ErrorKind kind, fmt::format_string<Args...> format, Args&&... args)
{
  return tl::unexpected<Error>(Error(kind, fmt::format(format, std::forward<Args>(args)...)));
}

inline tl::unexpected<Error>
make_error(Error error)
{
  return tl::unexpected<Error>(std::move(error));
}

// The one exception family. Fatal aborts the command; the CLI prints its
// message once as "ocne: error: <message>" and exits with its exit code.
class Fatal : public std::runtime_error
{
public:
  explicit Fatal(Error error, int exit_code = 1)
    : std::runtime_error(error.message()), m_error(std::move(error)), m_exit_code(exit_code)
  {
  }

  template<typename... Args>
  explicit Fatal(fmt::format_string<Args...> format, Args&&... args)
    : Fatal(Error(ErrorKind::invalid_input, fmt::format(format, std::forward<Args>(args)...)))
  {
  }

  const Error&
  error() const
  {
    return m_error;
  }

  int
  exit_code() const
  {
    return m_exit_code;
  }

private:
  Error m_error;
  int m_exit_code;
};

// Turns an unexpected value into a Fatal at the layer where aborting is right.
template<typename T>
T
value_or_throw(Result<T>&& result)
{
  if (!result) {
    throw Fatal(std::move(result).error());
  }
  if constexpr (!std::is_void_v<T>) {
    return std::move(*result);
  }
}

inline void
throw_on_error(const Status& status)
{
  if (!status) {
    throw Fatal(status.error());
  }
}

} // namespace ocne

// OCNE_TRY(expr): evaluate a Result/Status; on error return it from the caller.
#define OCNE_TRY(...)                                                                                                  \
  do {                                                                                                                 \
    auto&& ocne_try_result_ = (__VA_ARGS__);                                                                           \
    if (!ocne_try_result_) {                                                                                           \
      return ::tl::unexpected<::ocne::Error>(std::move(ocne_try_result_).error());                                     \
    }                                                                                                                  \
  } while (false)

#define OCNE_TRY_CAT2_(a, b) a##b
#define OCNE_TRY_CAT_(a, b) OCNE_TRY_CAT2_(a, b)
// OCNE_TRY_ASSIGN(auto x, expr): declare x from a Result's value, or return its error.
#define OCNE_TRY_ASSIGN(decl, ...)                                                                                     \
  auto&& OCNE_TRY_CAT_(ocne_try_tmp_, __LINE__) = (__VA_ARGS__);                                                       \
  if (!OCNE_TRY_CAT_(ocne_try_tmp_, __LINE__)) {                                                                       \
    return ::tl::unexpected<::ocne::Error>(std::move(OCNE_TRY_CAT_(ocne_try_tmp_, __LINE__)).error());                 \
  }                                                                                                                    \
  decl = std::move(*OCNE_TRY_CAT_(ocne_try_tmp_, __LINE__))
