#include "pkg/image/challenge.hpp"

#include "pkg/core/strings.hpp"

#include <cctype>

namespace ocne::image {

namespace {

bool
is_token_char(char c)
{
  return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
         std::string_view("!#$%&'*+-.^_`|~/").find(c) != std::string_view::npos;
}

class Scanner
{
public:
  explicit Scanner(std::string_view s) : m_s(s)
  {
  }
  bool
  done() const
  {
    return m_i >= m_s.size();
  }
  char
  peek() const
  {
    return done() ? '\0' : m_s[m_i];
  }
  void
  skip_space()
  {
    while (!done() && (m_s[m_i] == ' ' || m_s[m_i] == '\t')) {
      ++m_i;
    }
  }
  void
  skip_commas()
  {
    while (!done() && (m_s[m_i] == ',' || m_s[m_i] == ' ' || m_s[m_i] == '\t')) {
      ++m_i;
    }
  }
  std::string
  token()
  {
    const auto start = m_i;
    while (!done() && is_token_char(m_s[m_i])) {
      ++m_i;
    }
    return std::string(m_s.substr(start, m_i - start));
  }
  // A quoted string with backslash escapes; m_i is at the opening quote.
  std::string
  quoted()
  {
    std::string out;
    ++m_i;
    while (!done() && m_s[m_i] != '"') {
      if (m_s[m_i] == '\\' && m_i + 1 < m_s.size()) {
        ++m_i;
      }
      out += m_s[m_i++];
    }
    if (!done()) {
      ++m_i; // closing quote
    }
    return out;
  }
  std::size_t
  pos() const
  {
    return m_i;
  }
  void
  seek(std::size_t i)
  {
    m_i = i;
  }

private:
  std::string_view m_s;
  std::size_t m_i = 0;
};

} // namespace

std::vector<Challenge>
parse_challenges(std::string_view header)
{
  std::vector<Challenge> out;
  Scanner s(header);
  s.skip_commas();
  while (!s.done()) {
    const auto scheme = s.token();
    if (scheme.empty()) {
      // Not a token: skip one character and try again.
      s.seek(s.pos() + 1);
      s.skip_commas();
      continue;
    }
    Challenge c{ str::to_lower(scheme), {} };
    s.skip_space();
    // auth-params until the next "scheme " (a token not followed by '=').
    while (!s.done()) {
      s.skip_commas();
      const auto mark = s.pos();
      const auto key = s.token();
      s.skip_space();
      if (key.empty() || s.peek() != '=') {
        s.seek(mark);
        break;
      }
      s.seek(s.pos() + 1);
      s.skip_space();
      c.params[str::to_lower(key)] = s.peek() == '"' ? s.quoted() : s.token();
    }
    out.push_back(std::move(c));
    s.skip_commas();
  }
  return out;
}

} // namespace ocne::image
