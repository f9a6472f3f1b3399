#include "pkg/template/yaml_text.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>

namespace ocne::tmpl::yaml {
namespace {

using Json = nlohmann::ordered_json;

// Unicode characters YAML 1.1 treats as line breaks (NEL, LS, PS) and the
// byte order mark: harmless in JSON, but they would break a plain or
// single-quoted scalar, so they are escaped or force quoting.
std::size_t
special_unicode_length(std::string_view s, std::size_t i)
{
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  if (i + 1 < s.size() && b(i) == 0xC2 && b(i + 1) == 0x85) {
    return 2; // U+0085 NEL
  }
  if (i + 2 < s.size() && b(i) == 0xE2 && b(i + 1) == 0x80 && (b(i + 2) == 0xA8 || b(i + 2) == 0xA9)) {
    return 3; // U+2028 LS, U+2029 PS
  }
  if (i + 2 < s.size() && b(i) == 0xEF && b(i + 1) == 0xBB && b(i + 2) == 0xBF) {
    return 3; // U+FEFF BOM
  }
  return 0;
}

bool
is_control(unsigned char c)
{
  return c < 0x20 || c == 0x7F;
}

bool
has_special_characters(std::string_view s, bool allow_tab_and_newline)
{
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (is_control(c) && !(allow_tab_and_newline && (c == '\t' || c == '\n'))) {
      return true;
    }
    if (special_unicode_length(s, i) != 0) {
      return true;
    }
  }
  return false;
}

bool
is_flow_indicator(char c)
{
  return c == ',' || c == '[' || c == ']' || c == '{' || c == '}';
}

std::string
lower(std::string_view s)
{
  std::string out(s);
  for (auto& c : out) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return out;
}

std::string
number_text(const Json& value)
{
  if (value.is_number_integer()) {
    return value.is_number_unsigned() ? std::to_string(value.get<std::uint64_t>())
                                      : std::to_string(value.get<std::int64_t>());
  }
  return value.dump();
}

} // namespace

bool
valid_utf8(std::string_view s)
{
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t extra = 0;
    std::uint32_t code = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      extra = 1;
      code = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
      code = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3;
      code = c & 0x07;
    } else {
      return false;
    }
    if (i + extra >= s.size()) {
      return false;
    }
    for (std::size_t k = 1; k <= extra; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) {
        return false;
      }
      code = (code << 6) | (cc & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are invalid.
    static constexpr std::array<std::uint32_t, 4> k_min = { 0, 0x80, 0x800, 0x10000 };
    if (code < k_min[extra] || (code >= 0xD800 && code <= 0xDFFF) || code > 0x10FFFF) {
      return false;
    }
    i += extra + 1;
  }
  return true;
}

bool
plain_is_safe(std::string_view s, bool flow)
{
  if (s.empty() || has_special_characters(s, false)) {
    return false;
  }
  if (s.front() == ' ' || s.back() == ' ' || s.front() == '\t' || s.back() == '\t') {
    return false;
  }
  if (s.substr(0, 3) == "---" || s.substr(0, 3) == "...") {
    return false;
  }
  const char first = s.front();
  switch (first) {
    case ',':
    case '[':
    case ']':
    case '{':
    case '}':
    case '#':
    case '&':
    case '*':
    case '!':
    case '|':
    case '>':
    case '\'':
    case '"':
    case '%':
    case '@':
    case '`':
      return false;
    case '-':
    case '?':
    case ':':
      // Allowed only when followed by a character that starts a scalar.
      if (s.size() == 1 || s[1] == ' ' || s[1] == '\t' || (flow && is_flow_indicator(s[1]))) {
        return false;
      }
      break;
    default:
      break;
  }
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == ':') {
      if (i + 1 == s.size() || s[i + 1] == ' ' || s[i + 1] == '\t' || (flow && is_flow_indicator(s[i + 1]))) {
        return false;
      }
    }
    if (c == '#' && i > 0 && (s[i - 1] == ' ' || s[i - 1] == '\t')) {
      return false;
    }
    if (flow && is_flow_indicator(c)) {
      return false;
    }
  }
  return true;
}

bool
plain_reads_as_string(std::string_view s)
{
  if (s.empty()) {
    return false;
  }
  static constexpr std::array<std::string_view, 14> k_words = { "null", "~", "true", "false", "yes",  "no", "on",
                                                                "off",  "y", "n",    ".inf",  ".nan", "<<", "=" };
  const auto l = lower(s);
  for (const auto w : k_words) {
    if (l == w) {
      return false;
    }
  }
  const char c0 = s[0];
  if (c0 >= '0' && c0 <= '9') {
    return false;
  }
  if ((c0 == '+' || c0 == '-' || c0 == '.') && s.size() > 1) {
    const char c1 = s[1];
    if ((c1 >= '0' && c1 <= '9') || c1 == '.' || l.substr(1) == "inf" || l.substr(1) == ".inf") {
      return false;
    }
  }
  return true;
}

std::string
escape_double(std::string_view s)
{
  std::string out;
  out.reserve(s.size() + 8);
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (const auto n = special_unicode_length(s, i); n != 0) {
      // \uXXXX rather than YAML's \N, \L, \P: every parser decodes it alike.
      const auto b2 = static_cast<unsigned char>(s[i + 1]);
      if (n == 2) {
        out += "\\u0085";
      } else if (b2 == 0x80) {
        out += static_cast<unsigned char>(s[i + 2]) == 0xA8 ? "\\u2028" : "\\u2029";
      } else {
        out += "\\uFEFF";
      }
      i += n - 1;
      continue;
    }
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      case 0:
        out += "\\0";
        break;
      default:
        if (is_control(c)) {
          out += fmt::format("\\x{:02X}", c);
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out;
}

std::string
double_quoted(std::string_view s)
{
  return "\"" + escape_double(s) + "\"";
}

bool
single_quote_is_safe(std::string_view s)
{
  return !has_special_characters(s, false);
}

std::string
single_quoted(std::string_view s)
{
  std::string out = "'";
  for (const char c : s) {
    out += c;
    if (c == '\'') {
      out += '\'';
    }
  }
  return out + "'";
}

std::string
string_scalar(std::string_view s, bool flow)
{
  if (plain_is_safe(s, flow) && plain_reads_as_string(s)) {
    return std::string(s);
  }
  // Double quotes read best; single quotes avoid escaping strings full of
  // double quotes (JSON, shell).
  if (s.find('"') != std::string_view::npos && s.find('\\') == std::string_view::npos && single_quote_is_safe(s)) {
    return single_quoted(s);
  }
  return double_quoted(s);
}

bool
literal_block_is_safe(std::string_view s)
{
  if (s.find('\n') == std::string_view::npos || has_special_characters(s, true)) {
    return false;
  }
  // A line that is only spaces before the first content line would confuse
  // indentation detection; double quotes handle such strings.
  std::size_t start = 0;
  while (start < s.size()) {
    auto end = s.find('\n', start);
    if (end == std::string_view::npos) {
      end = s.size();
    }
    const auto line = s.substr(start, end - start);
    if (!line.empty() && line.find_first_not_of(' ') == std::string_view::npos) {
      return false;
    }
    start = end + 1;
  }
  // Tabs at the start of a line are content in a literal block, but some
  // parsers reject them; keep it simple and quote.
  return s.find("\n\t") == std::string_view::npos && s.front() != '\t';
}

std::vector<std::string>
literal_block(std::string_view s, int indent)
{
  std::size_t trailing = 0;
  while (trailing < s.size() && s[s.size() - 1 - trailing] == '\n') {
    ++trailing;
  }
  std::string header = "|";
  if (!s.empty() && s.front() == ' ') {
    header += "2";
  }
  if (trailing == 0) {
    header += "-";
  } else if (trailing > 1) {
    header += "+";
  }
  std::vector<std::string> out{ header };
  const auto body = s.substr(0, s.size() - trailing);
  const std::string pad(static_cast<std::size_t>(indent), ' ');
  std::size_t start = 0;
  while (start <= body.size()) {
    auto end = body.find('\n', start);
    if (end == std::string_view::npos) {
      end = body.size();
    }
    const auto line = body.substr(start, end - start);
    out.push_back(line.empty() ? std::string() : pad + std::string(line));
    start = end + 1;
  }
  for (std::size_t i = 1; i < trailing; ++i) {
    out.emplace_back();
  }
  return out;
}

bool
is_collection(const Json& value)
{
  return (value.is_object() || value.is_array()) && !value.empty();
}

std::vector<std::string>
inline_value(const Json& value, int indent)
{
  switch (value.type()) {
    case Json::value_t::null:
      return { "null" };
    case Json::value_t::boolean:
      return { value.get<bool>() ? "true" : "false" };
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float:
      return { number_text(value) };
    case Json::value_t::string: {
      const auto& s = value.get_ref<const std::string&>();
      if (literal_block_is_safe(s)) {
        return literal_block(s, indent);
      }
      return { string_scalar(s, false) };
    }
    case Json::value_t::object:
    case Json::value_t::array:
      return { flow(value) };
    default:
      return { "null" };
  }
}

std::vector<std::string>
block_lines(const Json& value, int indent)
{
  std::vector<std::string> out;
  const std::string pad(static_cast<std::size_t>(indent), ' ');
  if (value.is_object()) {
    for (const auto& [key, child] : value.items()) {
      const auto k = string_scalar(key, false);
      if (is_collection(child)) {
        out.push_back(pad + k + ":");
        auto sub = block_lines(child, indent + 2);
        out.insert(out.end(), sub.begin(), sub.end());
      } else {
        auto sub = inline_value(child, indent + 2);
        out.push_back(pad + k + ": " + sub.front());
        out.insert(out.end(), sub.begin() + 1, sub.end());
      }
    }
  } else if (value.is_array()) {
    for (const auto& child : value) {
      if (is_collection(child)) {
        auto sub = block_lines(child, indent + 2);
        // The first line of the nested block goes on the dash's line.
        sub.front() = pad + "- " + sub.front().substr(static_cast<std::size_t>(indent) + 2);
        out.insert(out.end(), sub.begin(), sub.end());
      } else {
        auto sub = inline_value(child, indent + 2);
        out.push_back(pad + "- " + sub.front());
        out.insert(out.end(), sub.begin() + 1, sub.end());
      }
    }
  }
  return out;
}

std::string
flow(const Json& value)
{
  switch (value.type()) {
    case Json::value_t::object: {
      std::string out = "{";
      bool first = true;
      for (const auto& [key, child] : value.items()) {
        out += first ? "" : ", ";
        first = false;
        out += string_scalar(key, true) + ": " + flow(child);
      }
      return out + "}";
    }
    case Json::value_t::array: {
      std::string out = "[";
      bool first = true;
      for (const auto& child : value) {
        out += first ? "" : ", ";
        first = false;
        out += flow(child);
      }
      return out + "]";
    }
    case Json::value_t::string:
      return string_scalar(value.get_ref<const std::string&>(), true);
    default:
      return inline_value(value, 0).front();
  }
}

} // namespace ocne::tmpl::yaml
