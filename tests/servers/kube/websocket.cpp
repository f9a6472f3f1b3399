#include "tests/servers/kube/websocket.hpp"

#include "tests/servers/kube/json_util.hpp"

#include <openssl/sha.h>

namespace ocne::test::kube {

std::string
websocket_accept(const std::string& key)
{
  const std::string text = key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  return base64_encode(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

bool
WebSocket::fill(std::size_t n)
{
  while (m_buffer.size() < n) {
    if (!m_conn.read_some(m_buffer)) {
      return false;
    }
  }
  return true;
}

std::optional<WebSocket::Message>
WebSocket::read()
{
  Message message;
  bool in_message = false;
  while (true) {
    if (!fill(2)) {
      m_peer_closed = true;
      return std::nullopt;
    }
    const auto b0 = static_cast<unsigned char>(m_buffer[0]);
    const auto b1 = static_cast<unsigned char>(m_buffer[1]);
    const bool fin = (b0 & 0x80) != 0;
    const int opcode = b0 & 0x0f;
    const bool masked = (b1 & 0x80) != 0;
    std::uint64_t length = b1 & 0x7f;
    std::size_t header = 2;
    if (length == 126) {
      if (!fill(4)) {
        return std::nullopt;
      }
      length = (static_cast<unsigned char>(m_buffer[2]) << 8) | static_cast<unsigned char>(m_buffer[3]);
      header = 4;
    } else if (length == 127) {
      if (!fill(10)) {
        return std::nullopt;
      }
      length = 0;
      for (int i = 0; i < 8; ++i) {
        length = (length << 8) | static_cast<unsigned char>(m_buffer[2 + static_cast<std::size_t>(i)]);
      }
      header = 10;
    }
    auto fail = [&](const std::string& why) -> std::optional<Message> {
      m_violation = why;
      close(1002, why);
      return std::nullopt;
    };
    if ((b0 & 0x70) != 0) {
      return fail("reserved bits set");
    }
    if (!masked) {
      return fail("client frames must be masked");
    }
    if (opcode >= 8 && (!fin || length > 125)) {
      return fail("control frames must be short and unfragmented");
    }
    if (length > (64U << 20)) {
      return fail("frame too large");
    }
    if (!fill(header + 4 + length)) {
      return std::nullopt;
    }
    const std::string mask = m_buffer.substr(header, 4);
    std::string payload = m_buffer.substr(header + 4, length);
    m_buffer.erase(0, header + 4 + length);
    for (std::size_t i = 0; i < payload.size(); ++i) {
      payload[i] = static_cast<char>(payload[i] ^ mask[i % 4]);
    }
    switch (opcode) {
      case 0x8: // close
        m_peer_closed = true;
        close(payload.size() >= 2
                ? ((static_cast<unsigned char>(payload[0]) << 8) | static_cast<unsigned char>(payload[1]))
                : 1000);
        return std::nullopt;
      case 0x9: // ping
        send_frame(0xA, payload);
        continue;
      case 0xA: // pong
        continue;
      case 0x0:
        if (!in_message) {
          return fail("continuation without a message");
        }
        break;
      case 0x1:
      case 0x2:
        if (in_message) {
          return fail("new message inside a fragmented one");
        }
        in_message = true;
        message.binary = opcode == 0x2;
        break;
      default:
        return fail("unknown opcode");
    }
    message.data += payload;
    if (fin) {
      return message;
    }
  }
}

bool
WebSocket::send_frame(int opcode, std::string_view payload)
{
  std::string frame;
  frame += static_cast<char>(0x80 | opcode);
  if (payload.size() < 126) {
    frame += static_cast<char>(payload.size());
  } else if (payload.size() < 65536) {
    frame += static_cast<char>(126);
    frame += static_cast<char>((payload.size() >> 8) & 0xff);
    frame += static_cast<char>(payload.size() & 0xff);
  } else {
    frame += static_cast<char>(127);
    for (int i = 7; i >= 0; --i) {
      frame += static_cast<char>((static_cast<std::uint64_t>(payload.size()) >> (8 * i)) & 0xff);
    }
  }
  frame.append(payload);
  return m_conn.write_all(frame);
}

bool
WebSocket::send_binary(std::string_view data)
{
  return !m_sent_close && send_frame(0x2, data);
}

void
WebSocket::close(int code, std::string_view reason)
{
  if (m_sent_close) {
    return;
  }
  m_sent_close = true;
  std::string payload;
  payload += static_cast<char>((code >> 8) & 0xff);
  payload += static_cast<char>(code & 0xff);
  payload.append(reason.substr(0, 120));
  send_frame(0x8, payload);
}

} // namespace ocne::test::kube
