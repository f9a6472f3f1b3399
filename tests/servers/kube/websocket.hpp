#pragma once

// The server side of RFC 6455 for the test server's exec endpoint: the
// handshake answer and frames over an upgraded connection. Strict where a
// client can be wrong: client frames must be masked, control frames short
// and unfragmented, and only one subprotocol the server offers is accepted.

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace ocne::test::kube {

// The bytes of an upgraded connection.
class RawConnection
{
public:
  virtual ~RawConnection() = default;
  // Appends what arrives to out; false at end of stream.
  virtual bool read_some(std::string& out) = 0;
  virtual bool write_all(std::string_view data) = 0;
};

// Sec-WebSocket-Accept for a Sec-WebSocket-Key.
std::string websocket_accept(const std::string& key);

class WebSocket
{
public:
  explicit WebSocket(RawConnection& conn) : m_conn(conn)
  {
  }

  struct Message
  {
    bool binary = true;
    std::string data;
  };
  // The next data message; nullopt when the client closed (or broke the
  // protocol, then the connection is closed with 1002).
  std::optional<Message> read();
  bool send_binary(std::string_view data);
  // Sends a close frame (once).
  void close(int code = 1000, std::string_view reason = {});
  bool
  closed_by_peer() const
  {
    return m_peer_closed;
  }
  // What the client got wrong, if anything.
  const std::string&
  violation() const
  {
    return m_violation;
  }

private:
  bool send_frame(int opcode, std::string_view payload);
  bool fill(std::size_t n);

  RawConnection& m_conn;
  std::string m_buffer;
  bool m_sent_close = false;
  bool m_peer_closed = false;
  std::string m_violation;
};

} // namespace ocne::test::kube
