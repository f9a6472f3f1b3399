#pragma once

// Requests and responses of the one HTTP transport every REST client uses.
// No libcurl types appear here; see transport.hpp for sending.

#include "pkg/core/error.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ocne::http {

// Header names compare case-insensitively; order is kept as added.
class Headers
{
public:
  struct Entry
  {
    std::string name;
    std::string value;
  };

  // Adds a header (a repeated name gives several lines).
  void add(std::string name, std::string value);
  // Replaces every header of that name with one value.
  void set(std::string name, std::string value);
  void remove(std::string_view name);
  std::optional<std::string> get(std::string_view name) const;
  bool has(std::string_view name) const;
  const std::vector<Entry>&
  entries() const
  {
    return m_entries;
  }
  void
  clear()
  {
    m_entries.clear();
  }

private:
  std::vector<Entry> m_entries;
};

// A request body read in pieces, for uploads larger than memory. It must be
// able to start over (rewind) so a failed attempt can be retried.
class BodySource
{
public:
  virtual ~BodySource() = default;
  // Total bytes the body will produce.
  virtual std::uint64_t size() const = 0;
  // Fills up to max bytes; returns how many (0 at the end) or an error.
  virtual Result<std::size_t> read(char* buffer, std::size_t max) = 0;
  // Starts over from the first byte.
  virtual Status rewind() = 0;
};

// A body held in memory.
std::shared_ptr<BodySource> memory_body(std::string data);
// A byte range of a file, read with pread (thread-safe, no shared offset).
Result<std::shared_ptr<BodySource>> file_body(const std::string& path, std::uint64_t offset, std::uint64_t length);

struct Request
{
  std::string method = "GET";
  std::string url;
  Headers headers;
  // The body, either in memory or streamed (body_source wins when set).
  std::string body;
  std::shared_ptr<BodySource> body_source;

  // Runs before every attempt, retries included, with the request about to be
  // sent: the place to add a Date and sign (OCI) or refresh a token.
  std::function<Status(Request&)> before_send;

  // Streams the response body to this callback instead of Response::body.
  // Return false to stop the transfer (the result is then a cancelled error).
  std::function<bool(std::string_view chunk)> on_body;
  // Called once the status line and headers have arrived, before any body.
  std::function<void(long status, const Headers& headers)> on_headers;

  // Overall time limit for one attempt (0 = the transport's default, none).
  std::chrono::milliseconds timeout{ 0 };
  // Fails an attempt when no byte moves for this long (0 = the transport's
  // default). Long-lived streams (watches) use this instead of timeout.
  std::chrono::milliseconds idle_timeout{ 0 };

  // Whether the request may be sent twice. Unset: GET, HEAD, PUT, DELETE and
  // OPTIONS are idempotent; POST and PATCH are not.
  std::optional<bool> idempotent;
  // Caps attempts for this request (0 = the transport's policy).
  int max_attempts = 0;
  // Follows up to 10 redirects (http and https only). Custom headers such as
  // Authorization are not sent on to another host.
  bool follow_redirects = false;

  bool is_idempotent() const;
};

struct Response
{
  long status = 0;
  Headers headers;
  std::string body;
  // How many attempts it took (1 when the first one answered).
  int attempts = 0;

  bool
  ok() const
  {
    return status >= 200 && status < 300;
  }
  std::optional<std::string>
  header(std::string_view name) const
  {
    return headers.get(name);
  }
};

} // namespace ocne::http
