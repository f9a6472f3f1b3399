#include "tests/servers/kube/json_util.hpp"

#include <yaml-cpp/yaml.h>

#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <limits>
#include <random>
#include <stdexcept>

namespace ocne::test::kube {

namespace {

bool
is_one_of(std::string_view s, std::initializer_list<std::string_view> options)
{
  for (auto o : options) {
    if (s == o) {
      return true;
    }
  }
  return false;
}

// Resolves a plain (unquoted) YAML scalar the way sigs.k8s.io/yaml does
// (YAML 1.1 booleans included, since kubectl reads manifests that way).
Json
resolve_plain_scalar(const std::string& s)
{
  if (s.empty() || is_one_of(s, { "~", "null", "Null", "NULL" })) {
    return nullptr;
  }
  if (is_one_of(s, { "true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON", "y", "Y" })) {
    return true;
  }
  if (is_one_of(s, { "false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF", "n", "N" })) {
    return false;
  }
  // Integers: decimal, 0x hex, 0o / leading-0 octal.
  std::size_t i = 0;
  bool negative = false;
  if (s[0] == '-' || s[0] == '+') {
    negative = s[0] == '-';
    i = 1;
  }
  const std::string_view digits(s.data() + i, s.size() - i);
  if (!digits.empty()) {
    int base = 10;
    std::string_view body = digits;
    if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
      base = 16;
      body = digits.substr(2);
    } else if (digits.size() > 2 && digits[0] == '0' && digits[1] == 'o') {
      base = 8;
      body = digits.substr(2);
    } else if (digits.size() > 1 && digits[0] == '0') {
      base = 8;
      body = digits.substr(1);
    }
    bool all_digits = !body.empty();
    for (char c : body) {
      const bool ok =
        base == 16 ? std::isxdigit(static_cast<unsigned char>(c)) != 0 : (c >= '0' && c <= (base == 8 ? '7' : '9'));
      all_digits = all_digits && ok;
    }
    if (all_digits) {
      try {
        const long long v = std::stoll(std::string(body), nullptr, base);
        return negative ? -v : v;
      } catch (const std::out_of_range&) {
        // Too big for int64: fall through to a float.
      }
    }
  }
  if (is_one_of(s, { ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF" })) {
    return std::numeric_limits<double>::infinity();
  }
  if (is_one_of(s, { "-.inf", "-.Inf", "-.INF" })) {
    return -std::numeric_limits<double>::infinity();
  }
  // Floats: [-+]digits[.digits][e[-+]digits] or .digits
  bool seen_digit = false;
  bool seen_dot = false;
  bool seen_exp = false;
  bool ok = true;
  for (std::size_t j = i; j < s.size() && ok; ++j) {
    const char c = s[j];
    if (c >= '0' && c <= '9') {
      seen_digit = true;
    } else if (c == '.' && !seen_dot && !seen_exp) {
      seen_dot = true;
    } else if ((c == 'e' || c == 'E') && seen_digit && !seen_exp) {
      seen_exp = true;
      if (j + 1 < s.size() && (s[j + 1] == '-' || s[j + 1] == '+')) {
        ++j;
      }
      if (j + 1 >= s.size()) {
        ok = false;
      }
    } else {
      ok = false;
    }
  }
  if (ok && seen_digit && (seen_dot || seen_exp)) {
    try {
      return std::stod(s);
    } catch (const std::exception&) {
    }
  }
  return s;
}

Json
yaml_to_json(const YAML::Node& node)
{
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      return nullptr;
    case YAML::NodeType::Scalar: {
      const std::string& tag = node.Tag();
      const std::string& value = node.Scalar();
      if (tag == "?") {
        return resolve_plain_scalar(value);
      }
      if (tag == "tag:yaml.org,2002:int" || tag == "tag:yaml.org,2002:float" || tag == "tag:yaml.org,2002:bool" ||
          tag == "tag:yaml.org,2002:null") {
        return resolve_plain_scalar(value);
      }
      return value; // quoted, block scalars and !!str
    }
    case YAML::NodeType::Sequence: {
      Json out = Json::array();
      for (const auto& item : node) {
        out.push_back(yaml_to_json(item));
      }
      return out;
    }
    case YAML::NodeType::Map: {
      Json out = Json::object();
      for (const auto& kv : node) {
        const auto key = yaml_to_json(kv.first);
        std::string name;
        if (key.is_string()) {
          name = key.get<std::string>();
        } else if (key.is_null()) {
          name = "null";
        } else {
          name = key.dump();
        }
        out[name] = yaml_to_json(kv.second);
      }
      return out;
    }
  }
  return nullptr;
}

std::string_view
trim_left(std::string_view s)
{
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  return s;
}

} // namespace

Json
parse_json_or_yaml(std::string_view text)
{
  const auto trimmed = trim_left(text);
  if (!trimmed.empty() && (trimmed.front() == '{' || trimmed.front() == '[')) {
    try {
      return Json::parse(trimmed);
    } catch (const Json::parse_error& e) {
      throw std::invalid_argument(e.what());
    }
  }
  try {
    return yaml_to_json(YAML::Load(std::string(text)));
  } catch (const YAML::Exception& e) {
    throw std::invalid_argument(std::string("yaml: ") + e.what());
  }
}

std::vector<Json>
parse_documents(std::string_view text)
{
  std::vector<Json> out;
  const auto trimmed = trim_left(text);
  if (!trimmed.empty() && trimmed.front() == '{') {
    out.push_back(parse_json_or_yaml(trimmed));
    return out;
  }
  try {
    for (const auto& doc : YAML::LoadAll(std::string(text))) {
      auto j = yaml_to_json(doc);
      if (!j.is_null()) {
        out.push_back(std::move(j));
      }
    }
  } catch (const YAML::Exception& e) {
    throw std::invalid_argument(std::string("yaml: ") + e.what());
  }
  return out;
}

namespace {
constexpr std::string_view k_b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
}

std::string
base64_encode(std::string_view data)
{
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(data[i]) << 16) | (static_cast<unsigned char>(data[i + 1]) << 8) |
                       static_cast<unsigned char>(data[i + 2]);
    out += k_b64[(v >> 18) & 63];
    out += k_b64[(v >> 12) & 63];
    out += k_b64[(v >> 6) & 63];
    out += k_b64[v & 63];
  }
  if (i + 1 == data.size()) {
    const unsigned v = static_cast<unsigned char>(data[i]) << 16;
    out += k_b64[(v >> 18) & 63];
    out += k_b64[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == data.size()) {
    const unsigned v = (static_cast<unsigned char>(data[i]) << 16) | (static_cast<unsigned char>(data[i + 1]) << 8);
    out += k_b64[(v >> 18) & 63];
    out += k_b64[(v >> 12) & 63];
    out += k_b64[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

std::optional<std::string>
base64_decode(std::string_view text)
{
  std::string clean;
  clean.reserve(text.size());
  for (char c : text) {
    if (c != '\n' && c != '\r') {
      clean += c;
    }
  }
  if (clean.size() % 4 != 0) {
    return std::nullopt;
  }
  std::string out;
  out.reserve(clean.size() / 4 * 3);
  for (std::size_t i = 0; i < clean.size(); i += 4) {
    unsigned v = 0;
    int pad = 0;
    for (std::size_t j = 0; j < 4; ++j) {
      const char c = clean[i + j];
      unsigned d = 0;
      if (c == '=') {
        // Padding only in the last group, only in the last two places.
        if (i + 4 != clean.size() || j < 2) {
          return std::nullopt;
        }
        ++pad;
      } else {
        if (pad > 0) {
          return std::nullopt;
        }
        const auto pos = k_b64.find(c);
        if (pos == std::string_view::npos) {
          return std::nullopt;
        }
        d = static_cast<unsigned>(pos);
      }
      v = (v << 6) | d;
    }
    out += static_cast<char>((v >> 16) & 0xff);
    if (pad < 2) {
      out += static_cast<char>((v >> 8) & 0xff);
    }
    if (pad < 1) {
      out += static_cast<char>(v & 0xff);
    }
  }
  return out;
}

std::string
rfc3339_now()
{
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::array<char, 32> buf{};
  std::strftime(buf.data(), buf.size(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf.data();
}

std::string
new_uid()
{
  thread_local std::mt19937_64 rng{ std::random_device{}() };
  std::array<unsigned char, 16> b{};
  for (std::size_t i = 0; i < b.size(); i += 8) {
    const auto v = rng();
    for (std::size_t j = 0; j < 8; ++j) {
      b[i + j] = static_cast<unsigned char>(v >> (8 * j));
    }
  }
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
  std::array<char, 40> buf{};
  std::snprintf(buf.data(),
                buf.size(),
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                b[0],
                b[1],
                b[2],
                b[3],
                b[4],
                b[5],
                b[6],
                b[7],
                b[8],
                b[9],
                b[10],
                b[11],
                b[12],
                b[13],
                b[14],
                b[15]);
  return buf.data();
}

const Json*
child(const Json& obj, std::string_view key)
{
  if (!obj.is_object()) {
    return nullptr;
  }
  const auto it = obj.find(key);
  return it == obj.end() ? nullptr : &*it;
}

Json*
child(Json& obj, std::string_view key)
{
  if (!obj.is_object()) {
    return nullptr;
  }
  const auto it = obj.find(key);
  return it == obj.end() ? nullptr : &*it;
}

std::string
string_at(const Json& obj, std::string_view key)
{
  const Json* v = child(obj, key);
  return v != nullptr && v->is_string() ? v->get<std::string>() : std::string();
}

std::string
go_value(const Json& value)
{
  if (value.is_number_float()) {
    const double d = value.get<double>();
    if (std::isfinite(d) && std::floor(d) == d && std::fabs(d) < 1e21) {
      return std::to_string(static_cast<long long>(d));
    }
    return value.dump();
  }
  if (value.is_string()) {
    return value.get<std::string>();
  }
  return value.dump();
}

std::string
go_quote(std::string_view text)
{
  std::string out = "\"";
  for (const char c : text) {
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
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          std::array<char, 8> buf{};
          std::snprintf(buf.data(), buf.size(), "\\x%02x", static_cast<unsigned char>(c));
          out += buf.data();
        } else {
          out += c;
        }
    }
  }
  out += '"';
  return out;
}

} // namespace ocne::test::kube
