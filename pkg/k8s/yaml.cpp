#include "pkg/k8s/yaml.hpp"

#include "pkg/core/strings.hpp"

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cmath>
#include <cstdlib>

namespace ocne::k8s {

using nlohmann::json;

namespace {

// A conversion failure inside one document, with the YAML line it points at.
struct ConvertError
{
  int line; // 0-based within the document text
  std::string message;
};

bool
is_digits(std::string_view s, int base)
{
  if (s.empty()) {
    return false;
  }
  for (const char c : s) {
    const bool ok = base == 16  ? std::isxdigit(static_cast<unsigned char>(c)) != 0
                    : base == 8 ? (c >= '0' && c <= '7')
                                : (c >= '0' && c <= '9');
    if (!ok) {
      return false;
    }
  }
  return true;
}

// An integer in YAML 1.2 core form (decimal, 0o octal, 0x hex), or nullopt.
std::optional<json>
parse_int(std::string_view s)
{
  bool negative = false;
  std::string_view digits = s;
  if (!digits.empty() && (digits[0] == '-' || digits[0] == '+')) {
    negative = digits[0] == '-';
    digits.remove_prefix(1);
  }
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'o')) {
    base = s[1] == 'x' ? 16 : 8;
    digits = s.substr(2);
    negative = false;
  }
  if (!is_digits(digits, base)) {
    return std::nullopt;
  }
  std::uint64_t magnitude = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), magnitude, base);
  if (ec == std::errc::result_out_of_range || end != digits.data() + digits.size()) {
    // Larger than 64 bits: JSON keeps it as a float, as the Go tools do.
    return json(std::strtod(std::string(s).c_str(), nullptr));
  }
  if (negative) {
    if (magnitude > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) + 1) {
      return json(-static_cast<double>(magnitude));
    }
    return json(static_cast<std::int64_t>(0 - magnitude));
  }
  if (magnitude <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    return json(static_cast<std::int64_t>(magnitude));
  }
  return json(magnitude);
}

// A float in YAML 1.2 core form: [-+]? ( . digits | digits [ . digits* ] ) ( [eE] [-+]? digits )?
bool
looks_like_float(std::string_view s)
{
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) {
    ++i;
  }
  std::size_t int_digits = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])) != 0) {
    ++i;
    ++int_digits;
  }
  std::size_t frac_digits = 0;
  bool dot = false;
  if (i < s.size() && s[i] == '.') {
    dot = true;
    ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])) != 0) {
      ++i;
      ++frac_digits;
    }
  }
  if (int_digits == 0 && frac_digits == 0) {
    return false;
  }
  if (!dot && int_digits > 0 && i == s.size()) {
    return false; // an integer
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) {
      ++i;
    }
    std::size_t exp_digits = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])) != 0) {
      ++i;
      ++exp_digits;
    }
    if (exp_digits == 0) {
      return false;
    }
  }
  return i == s.size();
}

bool
is_special_float(std::string_view s)
{
  static const std::string_view k_specials[] = { ".inf",  ".Inf",  ".INF",  "+.inf", "+.Inf", "+.INF",
                                                 "-.inf", "-.Inf", "-.INF", ".nan",  ".NaN",  ".NAN" };
  for (const auto special : k_specials) {
    if (s == special) {
      return true;
    }
  }
  return false;
}

bool
is_null_word(std::string_view s)
{
  return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
}

std::optional<bool>
bool_word(std::string_view s)
{
  if (s == "true" || s == "True" || s == "TRUE") {
    return true;
  }
  if (s == "false" || s == "False" || s == "FALSE") {
    return false;
  }
  return std::nullopt;
}

// Types a plain (unquoted, untagged) scalar.
tl::expected<json, std::string>
resolve_plain(const std::string& s)
{
  if (is_null_word(s)) {
    return json(nullptr);
  }
  if (auto b = bool_word(s)) {
    return json(*b);
  }
  if (auto i = parse_int(s)) {
    return *i;
  }
  if (looks_like_float(s)) {
    return json(std::strtod(s.c_str(), nullptr));
  }
  if (is_special_float(s)) {
    return tl::unexpected(fmt::format("{} cannot be represented in JSON; quote it to make it a string", s));
  }
  return json(s);
}

constexpr std::string_view k_tag_prefix = "tag:yaml.org,2002:";

tl::expected<json, ConvertError> convert(const YAML::Node& node);

tl::expected<json, ConvertError>
convert_scalar(const YAML::Node& node)
{
  const std::string& tag = node.Tag();
  const std::string& value = node.Scalar();
  const int line = node.Mark().line;
  if (tag == "!" || tag == std::string(k_tag_prefix) + "str" || tag == "!!str") {
    return json(value);
  }
  if (tag == "?" || tag.empty()) {
    auto resolved = resolve_plain(value);
    if (!resolved) {
      return tl::unexpected(ConvertError{ line, resolved.error() });
    }
    return *resolved;
  }
  const std::string_view short_tag =
    str::starts_with(tag, k_tag_prefix) ? std::string_view(tag).substr(k_tag_prefix.size()) : std::string_view(tag);
  if (short_tag == "int" || short_tag == "float" || short_tag == "bool" || short_tag == "null") {
    auto resolved = resolve_plain(value);
    if (!resolved) {
      return tl::unexpected(ConvertError{ line, resolved.error() });
    }
    const bool fits = (short_tag == "int" && resolved->is_number_integer()) ||
                      (short_tag == "float" && resolved->is_number()) ||
                      (short_tag == "bool" && resolved->is_boolean()) || (short_tag == "null" && resolved->is_null());
    if (!fits) {
      return tl::unexpected(ConvertError{ line, fmt::format("{} is not a valid !!{}", str::quote(value), short_tag) });
    }
    return *resolved;
  }
  // Other tags (!!binary, custom ones) keep the text.
  return json(value);
}

tl::expected<std::string, ConvertError>
key_text(const YAML::Node& key)
{
  if (!key.IsScalar() && !key.IsNull()) {
    return tl::unexpected(ConvertError{ key.Mark().line, "a mapping key must be a scalar" });
  }
  return key.IsNull() ? std::string("null") : key.Scalar();
}

tl::expected<json, ConvertError>
convert_map(const YAML::Node& node)
{
  json out = json::object();
  std::vector<json> merges;
  for (const auto& entry : node) {
    auto key = key_text(entry.first);
    if (!key) {
      return tl::unexpected(key.error());
    }
    auto value = convert(entry.second);
    if (!value) {
      return value;
    }
    if (*key == "<<" && entry.first.Tag() == "?") {
      // Merge key: its mapping (or list of mappings) fills in missing keys.
      if (value->is_object()) {
        merges.push_back(std::move(*value));
        continue;
      }
      if (value->is_array()) {
        for (auto& item : *value) {
          if (!item.is_object()) {
            return tl::unexpected(ConvertError{ entry.second.Mark().line, "a merge key (<<) takes mappings only" });
          }
          merges.push_back(std::move(item));
        }
        continue;
      }
      return tl::unexpected(ConvertError{ entry.second.Mark().line, "a merge key (<<) takes mappings only" });
    }
    if (out.contains(*key)) {
      return tl::unexpected(ConvertError{ entry.first.Mark().line, fmt::format("duplicate key {}", str::quote(*key)) });
    }
    out[*key] = std::move(*value);
  }
  for (auto& merged : merges) {
    for (auto& [k, v] : merged.items()) {
      if (!out.contains(k)) {
        out[k] = std::move(v);
      }
    }
  }
  return out;
}

tl::expected<json, ConvertError>
convert(const YAML::Node& node)
{
  switch (node.Type()) {
    case YAML::NodeType::Null:
      if (node.Tag() == "!") {
        return json(std::string()); // "" or '' quoted
      }
      return json(nullptr);
    case YAML::NodeType::Scalar:
      return convert_scalar(node);
    case YAML::NodeType::Sequence: {
      json out = json::array();
      for (const auto& item : node) {
        auto value = convert(item);
        if (!value) {
          return value;
        }
        out.push_back(std::move(*value));
      }
      return out;
    }
    case YAML::NodeType::Map:
      return convert_map(node);
    case YAML::NodeType::Undefined:
      break;
  }
  return json(nullptr);
}

struct Chunk
{
  std::string text;
  int first_line = 0; // 0-based line of the chunk's first line in the stream
  int index = 0;      // 1-based document number
};

bool
is_marker(std::string_view line, std::string_view marker)
{
  return str::starts_with(line, marker) && (line.size() == marker.size() || line[marker.size()] == ' ' ||
                                            line[marker.size()] == '\t' || line[marker.size()] == '\r');
}

// Splits a stream at column-0 "---" and "..." markers. Block scalars are
// indented, so a marker at column 0 always ends a document.
std::vector<Chunk>
split_documents(std::string_view text)
{
  std::vector<Chunk> chunks;
  Chunk current{ "", 0, 1 };
  bool has_marker_start = false;
  int line_no = 0;
  std::size_t pos = 0;
  auto flush = [&](int next_line) {
    chunks.push_back(std::move(current));
    current = Chunk{ "", next_line, static_cast<int>(chunks.size()) + 1 };
  };
  while (pos <= text.size()) {
    const auto nl = text.find('\n', pos);
    const auto line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    if (is_marker(line, "---")) {
      if (line_no > 0 || has_marker_start) {
        flush(line_no);
      }
      has_marker_start = true;
      current.first_line = line_no;
      // Content after the marker belongs to the new document; keep columns.
      current.text.append("   ");
      current.text.append(line.substr(3));
      current.text.push_back('\n');
    } else if (is_marker(line, "...")) {
      current.text.push_back('\n');
    } else if (str::starts_with(line, "%")) {
      current.text.push_back('\n'); // a directive (%YAML 1.2): nothing to keep
    } else {
      current.text.append(line);
      current.text.push_back('\n');
    }
    if (nl == std::string_view::npos) {
      break;
    }
    pos = nl + 1;
    ++line_no;
  }
  chunks.push_back(std::move(current));
  return chunks;
}

Result<std::optional<json>>
parse_chunk(const Chunk& chunk, std::string_view source, bool name_document)
{
  const auto where = [&](int line) {
    const auto doc = name_document ? fmt::format(" document {}:", chunk.index) : std::string();
    return fmt::format("{}:{}:{}", source, chunk.first_line + line + 1, doc);
  };
  YAML::Node node;
  try {
    node = YAML::Load(chunk.text);
  } catch (const YAML::Exception& e) {
    return make_error(ErrorKind::invalid_input, "{} {}", where(e.mark.line), e.msg);
  }
  if (!node.IsDefined() || (node.IsNull() && node.Tag() != "!")) {
    return std::optional<json>();
  }
  auto converted = convert(node);
  if (!converted) {
    return make_error(ErrorKind::invalid_input, "{} {}", where(converted.error().line), converted.error().message);
  }
  return std::optional<json>(std::move(*converted));
}

// The 0-based line of a chunk's first content (not blank, not a comment),
// or -1 when it holds nothing else.
int
first_content_line(std::string_view text)
{
  int n = 0;
  for (const auto& line : str::split(text, '\n')) {
    const auto t = str::trim(line);
    if (!t.empty() && t[0] != '#') {
      return n;
    }
    ++n;
  }
  return -1;
}

bool
is_blank(std::string_view text)
{
  return first_content_line(text) < 0;
}

} // namespace

Result<std::vector<json>>
parse_yaml_stream(std::string_view text, std::string_view source, std::vector<ParsedDocument>* where)
{
  std::vector<json> out;
  std::vector<ParsedDocument> places;
  // Documents are numbered as a reader counts them: comment-only ones do not count.
  auto chunks = split_documents(text);
  int number = 0;
  for (auto& chunk : chunks) {
    chunk.index = is_blank(chunk.text) ? number : ++number;
  }
  for (const auto& chunk : chunks) {
    OCNE_TRY_ASSIGN(auto doc, parse_chunk(chunk, source, true));
    if (!doc) {
      continue;
    }
    const int line = chunk.first_line + std::max(0, first_content_line(chunk.text)) + 1;
    if (!doc->is_object()) {
      return make_error(ErrorKind::invalid_input,
                        "{}:{}: document {}: expected a Kubernetes object (a mapping), found {}",
                        source,
                        line,
                        chunk.index,
                        doc->is_array() ? "a list" : "a scalar");
    }
    const auto kind = doc->find("kind");
    if (kind != doc->end() && kind->is_string() && str::ends_with(kind->get<std::string>(), "List") &&
        doc->contains("items")) {
      const auto& items = (*doc)["items"];
      if (!items.is_array()) {
        return make_error(
          ErrorKind::invalid_input, "{}:{}: document {}: items of a List must be a list", source, line, chunk.index);
      }
      for (std::size_t i = 0; i < items.size(); ++i) {
        if (!items[i].is_object()) {
          return make_error(ErrorKind::invalid_input,
                            "{}:{}: document {}: item {} of the List is not an object",
                            source,
                            line,
                            chunk.index,
                            i);
        }
        out.push_back(items[i]);
        places.push_back({ chunk.index, line, static_cast<int>(i) });
      }
      continue;
    }
    out.push_back(std::move(*doc));
    places.push_back({ chunk.index, line, -1 });
  }
  if (where != nullptr) {
    *where = std::move(places);
  }
  return out;
}

Result<json>
parse_yaml(std::string_view text, std::string_view source)
{
  Chunk chunk{ std::string(text), 0, 1 };
  OCNE_TRY_ASSIGN(auto doc, parse_chunk(chunk, source, false));
  if (!doc) {
    return json(nullptr);
  }
  return std::move(*doc);
}

namespace {

bool
needs_quotes(const std::string& s)
{
  if (s.empty() || s != std::string(str::trim(s))) {
    return true;
  }
  // Anything our reader (or a YAML 1.1 reader) would type differently.
  if (is_null_word(s) || bool_word(s) || parse_int(s) || looks_like_float(s) || is_special_float(s)) {
    return true;
  }
  static const std::string_view k_yaml11_words[] = { "y",  "Y",  "yes", "Yes", "YES", "n",   "N",   "no",
                                                     "No", "NO", "on",  "On",  "ON",  "off", "Off", "OFF" };
  for (const auto w : k_yaml11_words) {
    if (s == w) {
      return true;
    }
  }
  if (std::string_view("-?:,[]{}#&*!|>'\"%@`").find(s[0]) != std::string_view::npos) {
    return true;
  }
  for (const char c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return true;
    }
  }
  return s.find(": ") != std::string::npos || s.find(" #") != std::string::npos || s.back() == ':';
}

std::string
scalar_text(const json& v)
{
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    return needs_quotes(s) ? v.dump() : s;
  }
  if (v.is_null()) {
    return "null";
  }
  if (v.is_object()) {
    return "{}";
  }
  if (v.is_array()) {
    return "[]";
  }
  return v.dump();
}

bool
is_block(const json& v)
{
  return (v.is_object() || v.is_array()) && !v.empty();
}

void emit(const json& v, int indent, std::string& out);

void
emit_map(const json& v, int indent, std::string& out)
{
  const std::string pad(static_cast<std::size_t>(indent), ' ');
  for (const auto& [key, value] : v.items()) {
    out += pad;
    out += needs_quotes(key) ? json(key).dump() : key;
    out += ':';
    if (is_block(value)) {
      out += '\n';
      emit(value, value.is_array() ? indent : indent + 2, out);
    } else {
      out += ' ';
      out += scalar_text(value);
      out += '\n';
    }
  }
}

void
emit_seq(const json& v, int indent, std::string& out)
{
  const std::string pad(static_cast<std::size_t>(indent), ' ');
  for (const auto& item : v) {
    out += pad;
    out += "- ";
    if (item.is_object() && !item.empty()) {
      // The first key goes on the dash line; the rest line up under it.
      std::string nested;
      emit_map(item, indent + 2, nested);
      out += nested.substr(static_cast<std::size_t>(indent + 2));
    } else if (item.is_array() && !item.empty()) {
      std::string nested;
      emit_seq(item, indent + 2, nested);
      out += nested.substr(static_cast<std::size_t>(indent + 2));
    } else {
      out += scalar_text(item);
      out += '\n';
    }
  }
}

void
emit(const json& v, int indent, std::string& out)
{
  if (v.is_object() && !v.empty()) {
    emit_map(v, indent, out);
  } else if (v.is_array() && !v.empty()) {
    emit_seq(v, indent, out);
  } else {
    out += std::string(static_cast<std::size_t>(indent), ' ') + scalar_text(v) + '\n';
  }
}

} // namespace

std::string
to_yaml(const json& value)
{
  std::string out;
  emit(value, 0, out);
  return out;
}

} // namespace ocne::k8s
