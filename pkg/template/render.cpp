#include "pkg/template/render.hpp"

#include "pkg/core/yaml_stream.hpp"
#include "pkg/template/yaml_context.hpp"
#include "pkg/template/yaml_text.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <deque>
#include <map>
#include <optional>
#include <set>

namespace ocne::tmpl {
namespace {

using Json = nlohmann::ordered_json;
using detail::Context;
using detail::k_slot_char;
using detail::Position;
using detail::Slot;

// What a reference resolves to: template text (a default, as written) and
// values, in order.
struct Part
{
  std::string raw;
  const Value* value = nullptr;
  std::string name; // of the variable the value came from
};

bool
is_empty(const Value& v)
{
  if (v.kind() == Value::Kind::node) {
    const auto& j = *v.json();
    return j.is_null() || (j.is_string() && j.get_ref<const std::string&>().empty());
  }
  return v.str().empty();
}

std::string
lines_text(const std::vector<int>& lines)
{
  std::vector<int> sorted = lines;
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  std::string out = sorted.size() == 1 ? "line " : "lines ";
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    out += (i == 0 ? "" : ", ") + std::to_string(sorted[i]);
  }
  return out;
}

class Resolver
{
public:
  Resolver(const Variables& variables, bool probe) : m_variables(variables), m_probe(probe)
  {
  }

  void
  resolve(const Reference& ref, std::vector<Part>& out)
  {
    const Value* v = m_variables.find(ref.name);
    if (v != nullptr && v->kind() == Value::Kind::omit && ref.op != Reference::Op::none) {
      v = nullptr; // a default replaces "no value"
    }
    const bool use_default = (v == nullptr && ref.op != Reference::Op::none) ||
                             (v != nullptr && ref.op == Reference::Op::default_if_empty && is_empty(*v));
    if (use_default) {
      for (const auto& piece : ref.fallback) {
        if (piece.ref) {
          resolve(*piece.ref, out);
        } else {
          out.push_back(Part{ piece.literal, nullptr, {} });
        }
      }
      return;
    }
    if (v == nullptr) {
      m_missing[ref.name].push_back(ref.line);
      return;
    }
    if (m_probe) {
      v = probe(*v);
    }
    out.push_back(Part{ {}, v, ref.name });
  }

  const std::map<std::string, std::vector<int>>&
  missing() const
  {
    return m_missing;
  }

private:
  // Stand-ins used to render the template's own structure: same kind, a
  // harmless word instead of the value. Nodes stay, as they are structure.
  const Value*
  probe(const Value& v)
  {
    if (v.kind() == Value::Kind::node || v.kind() == Value::Kind::omit) {
      return &v;
    }
    m_probes.push_back(v.kind() == Value::Kind::text ? Value::text("x") : Value::string("x"));
    return &m_probes.back();
  }

  const Variables& m_variables;
  bool m_probe;
  std::deque<Value> m_probes;
  std::map<std::string, std::vector<int>> m_missing;
};

struct Output
{
  std::vector<std::string> lines;
  std::vector<int> template_line; // per output line, 1-based
  std::string
  text() const
  {
    std::string out;
    for (std::size_t i = 0; i < lines.size(); ++i) {
      out += lines[i];
      if (i + 1 < lines.size()) {
        out += '\n';
      }
    }
    return out;
  }
};

// Assembles the output from the skeleton, the slot contexts and the
// resolved values.
class Composer
{
public:
  Composer(std::string_view skeleton,
           const std::vector<Slot>& slots,
           const std::vector<std::vector<Part>>& resolved,
           const std::string& source)
    : m_t(skeleton), m_slots(slots), m_resolved(resolved), m_source(source)
  {
    for (std::size_t i = 0; i < m_t.size(); ++i) {
      if (m_t[i] == k_slot_char) {
        m_offsets.push_back(i);
      }
    }
  }

  Output
  run()
  {
    std::size_t start = 0;
    int line = 1;
    std::size_t k = 0;
    while (true) {
      auto end = m_t.find('\n', start);
      const bool last = end == std::string_view::npos;
      if (last) {
        end = m_t.size();
      }
      compose_line(start, end, line, k);
      if (last) {
        break;
      }
      start = end + 1;
      ++line;
    }
    return std::move(m_out);
  }

  const std::vector<std::string>&
  errors() const
  {
    return m_errors;
  }

private:
  void
  fail(int line, std::string message)
  {
    m_errors.push_back(fmt::format("{}:{}: {}", m_source, line, message));
  }

  void
  push(const std::string& text, int line)
  {
    std::size_t start = 0;
    while (true) {
      const auto end = text.find('\n', start);
      m_out.lines.push_back(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
      m_out.template_line.push_back(line);
      if (end == std::string::npos) {
        return;
      }
      start = end + 1;
    }
  }

  void
  compose_line(std::size_t ls, std::size_t le, int line, std::size_t& k)
  {
    m_cur.clear();
    m_drop = false;
    std::size_t c = ls;
    while (k < m_offsets.size() && m_offsets[k] < le) {
      const Slot& slot = m_slots[k];
      if (slot.context == Context::plain && slot.span_begin <= m_offsets[k] && m_offsets[k] < slot.span_end) {
        m_cur += m_t.substr(c, slot.span_begin - c);
        std::size_t k2 = k;
        while (k2 < m_offsets.size() && m_offsets[k2] < slot.span_end) {
          ++k2;
        }
        c = compose_plain(slot, k, k2, le, line);
        k = k2;
      } else {
        m_cur += m_t.substr(c, m_offsets[k] - c);
        compose_other(slot, m_resolved[k], line);
        c = m_offsets[k] + 1;
        ++k;
      }
    }
    if (c < le) {
      m_cur += m_t.substr(c, le - c);
    }
    if (!m_drop) {
      push(m_cur, line);
    }
  }

  static std::string
  value_text(const Value& v)
  {
    if (v.kind() != Value::Kind::node) {
      return v.str();
    }
    const auto& j = *v.json();
    if (j.is_string()) {
      return j.get<std::string>();
    }
    return yaml::inline_value(j, 0).front();
  }

  // A value that must be text here (a scalar); false (with an error) for a
  // mapping or list.
  bool
  check_scalar(const Part& p, int line)
  {
    if (p.value->kind() == Value::Kind::omit) {
      fail(line,
           fmt::format("variable {} has no value and can only leave out a whole value (after \"key: \", after "
                       "\"- \" or on a line of its own)",
                       p.name));
      return false;
    }
    if (p.value->kind() == Value::Kind::node && yaml::is_collection(*p.value->json())) {
      fail(line,
           fmt::format("variable {} holds a YAML {} and must stand alone as a value (after \"key: \", after \"- \" "
                       "or on a line of its own)",
                       p.name,
                       p.value->json()->is_object() ? "mapping" : "list"));
      return false;
    }
    if (p.value->kind() != Value::Kind::node && !yaml::valid_utf8(p.value->str())) {
      fail(line, fmt::format("the value of {} is not valid UTF-8", p.name));
      return false;
    }
    return true;
  }

  void
  compose_other(const Slot& slot, const std::vector<Part>& parts, int line)
  {
    for (const auto& p : parts) {
      if (p.value == nullptr) {
        m_cur += p.raw;
        continue;
      }
      if (slot.context == Context::comment) {
        if (p.value->kind() == Value::Kind::node) {
          m_cur += yaml::flow(*p.value->json());
        } else if (p.value->kind() != Value::Kind::omit) {
          m_cur += yaml::escape_double(p.value->str());
        }
        continue;
      }
      if (!check_scalar(p, line)) {
        continue;
      }
      const auto text = value_text(*p.value);
      switch (slot.context) {
        case Context::double_quoted:
          m_cur += yaml::escape_double(text);
          break;
        case Context::single_quoted:
          if (!yaml::single_quote_is_safe(text)) {
            fail(line,
                 fmt::format("the value of {0} holds a line break or control character, which a single-quoted YAML "
                             "string cannot hold; put ${{{0}}} in double quotes in the template",
                             p.name));
            break;
          }
          m_cur += yaml::single_quoted(text).substr(1, yaml::single_quoted(text).size() - 2);
          break;
        case Context::block_scalar:
          compose_block_scalar(slot, p, text, line);
          break;
        default:
          m_cur += text;
      }
    }
  }

  void
  compose_block_scalar(const Slot& slot, const Part& p, const std::string& text, int line)
  {
    for (const char ch : text) {
      const auto c = static_cast<unsigned char>(ch);
      if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7F) {
        fail(line,
             fmt::format("the value of {} holds a control character, which a YAML block scalar cannot hold", p.name));
        return;
      }
    }
    if (slot.starts_block && !text.empty() && (text.front() == ' ' || text.front() == '\t')) {
      fail(line,
           fmt::format("the value of {} starts with a space at the start of a block scalar, which would change the "
                       "block's indentation",
                       p.name));
      return;
    }
    const std::string pad(static_cast<std::size_t>(slot.node_indent), ' ');
    std::size_t start = 0;
    while (true) {
      const auto end = text.find('\n', start);
      m_cur += text.substr(start, end == std::string::npos ? std::string::npos : end - start);
      if (end == std::string::npos) {
        return;
      }
      m_cur += '\n';
      const auto next = text.find('\n', end + 1);
      const bool next_empty = (next == end + 1) || (end + 1 == text.size());
      if (!next_empty) {
        m_cur += pad;
      }
      start = end + 1;
    }
  }

  std::string
  rest_of_line(std::size_t from, std::size_t le) const
  {
    auto rest = m_t.substr(from, le - from);
    while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) {
      rest.remove_prefix(1);
    }
    while (!rest.empty() && (rest.back() == ' ' || rest.back() == '\t')) {
      rest.remove_suffix(1);
    }
    return std::string(rest);
  }

  static void
  rtrim(std::string& s)
  {
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
      s.pop_back();
    }
  }

  static std::string
  join_lines(const std::vector<std::string>& lines, std::size_t from)
  {
    std::string out;
    for (std::size_t i = from; i < lines.size(); ++i) {
      out += lines[i];
      if (i + 1 < lines.size()) {
        out += '\n';
      }
    }
    return out;
  }

  // A node value that is the whole scalar at its place. Returns where the
  // caller continues on the template line.
  std::size_t
  insert_node(const Slot& slot, const Part& p, std::size_t e, std::size_t le, int line)
  {
    const Json& j = *p.value->json();
    const bool collection = yaml::is_collection(j);
    if (slot.flow) {
      m_cur += yaml::flow(j);
      return e;
    }
    switch (slot.position) {
      case Position::standalone:
        if (!collection) {
          if (j.is_null() || j.is_object() || j.is_array()) {
            m_drop = true; // nothing to insert: the line goes away
            return le;
          }
          fail(line,
               fmt::format("variable {} stands alone on its line, so it must hold a YAML mapping or list, not a "
                           "scalar",
                           p.name));
          return le;
        }
        m_cur = join_lines(yaml::block_lines(j, slot.node_indent), 0);
        return le;
      case Position::map_value:
        if (collection) {
          rtrim(m_cur);
          if (const auto rest = rest_of_line(e, le); !rest.empty()) {
            m_cur += " " + rest;
          }
          m_cur += "\n" + join_lines(yaml::block_lines(j, slot.node_indent), 0);
          return le;
        }
        break;
      case Position::seq_item:
        if (collection) {
          auto lines = yaml::block_lines(j, slot.node_indent);
          m_cur += lines.front().substr(static_cast<std::size_t>(slot.node_indent));
          if (lines.size() > 1) {
            m_cur += "\n" + join_lines(lines, 1);
          }
          return le;
        }
        break;
      default:
        if (collection) {
          check_scalar(p, line);
          return e;
        }
        break;
    }
    const auto v = yaml::inline_value(j, slot.node_indent);
    if (v.size() > 1 && !rest_of_line(e, le).empty()) {
      m_cur += yaml::double_quoted(j.get<std::string>());
      return e;
    }
    m_cur += v.front();
    if (v.size() > 1) {
      m_cur += "\n" + join_lines(v, 1);
      return le;
    }
    return e;
  }

  std::size_t
  compose_plain(const Slot& slot, std::size_t k, std::size_t k2, std::size_t le, int line)
  {
    std::vector<Part> parts;
    std::size_t kk = k;
    for (std::size_t i = slot.span_begin; i < slot.span_end; ++i) {
      if (m_t[i] == k_slot_char) {
        if (kk < k2) {
          parts.insert(parts.end(), m_resolved[kk].begin(), m_resolved[kk].end());
          ++kk;
        }
      } else if (!parts.empty() && parts.back().value == nullptr) {
        parts.back().raw += m_t[i];
      } else {
        parts.push_back(Part{ std::string(1, m_t[i]), nullptr, {} });
      }
    }
    const auto e = slot.span_end;
    const bool has_value = std::any_of(parts.begin(), parts.end(), [](const Part& p) { return p.value != nullptr; });
    if (!has_value) {
      for (const auto& p : parts) {
        m_cur += p.raw;
      }
      return e;
    }
    const bool single = parts.size() == 1;
    if (single && parts[0].value->kind() == Value::Kind::node) {
      return insert_node(slot, parts[0], e, le, line);
    }
    if (single && parts[0].value->kind() == Value::Kind::omit && !slot.flow &&
        (slot.position == Position::map_value || slot.position == Position::seq_item ||
         slot.position == Position::standalone)) {
      m_drop = true; // the key or item goes away with its value
      return le;
    }
    bool ok = true;
    bool has_string = false;
    bool all_text = true;
    std::string composed;
    for (const auto& p : parts) {
      if (p.value == nullptr) {
        composed += p.raw;
        continue;
      }
      ok = check_scalar(p, line) && ok;
      const bool is_string = p.value->kind() == Value::Kind::string ||
                             (p.value->kind() == Value::Kind::node && p.value->json()->is_string());
      has_string = has_string || is_string;
      all_text = all_text && p.value->kind() == Value::Kind::text;
      composed += value_text(*p.value);
    }
    if (!ok) {
      return e;
    }
    if (composed.empty() && all_text) {
      return e; // clusterctl's empty value: the scalar becomes null
    }
    if (single && composed.find('\n') != std::string::npos && !slot.flow &&
        (slot.position == Position::map_value || slot.position == Position::seq_item) && rest_of_line(e, le).empty() &&
        yaml::literal_block_is_safe(composed)) {
      const auto lines = yaml::literal_block(composed, slot.node_indent);
      m_cur += lines.front() + "\n" + join_lines(lines, 1);
      return le;
    }
    const bool quote =
      !yaml::plain_is_safe(composed, slot.flow) || (has_string && !yaml::plain_reads_as_string(composed));
    m_cur += quote ? yaml::double_quoted(composed) : composed;
    return e;
  }

  std::string_view m_t;
  const std::vector<Slot>& m_slots;
  const std::vector<std::vector<Part>>& m_resolved;
  const std::string& m_source;
  std::vector<std::size_t> m_offsets;
  Output m_out;
  std::string m_cur;
  bool m_drop = false;
  std::vector<std::string> m_errors;
};

struct Prepared
{
  std::string skeleton;
  std::vector<const Reference*> refs; // top-level, in order
  ParsedTemplate parsed;
};

Result<Prepared>
prepare(std::string_view text, const RenderOptions& options)
{
  if (!yaml::valid_utf8(text)) {
    return make_error(ErrorKind::invalid_input, "{}: not valid UTF-8 text", options.source);
  }
  if (const auto bad = text.find(k_slot_char); bad != std::string_view::npos) {
    const auto line = 1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(bad), '\n');
    return make_error(
      ErrorKind::invalid_input, "{}:{}: control character U+0001 in the template", options.source, line);
  }
  Prepared out;
  out.parsed = parse_references(text);
  if (!out.parsed.errors.empty()) {
    std::vector<std::string> lines;
    for (const auto& e : out.parsed.errors) {
      lines.push_back(fmt::format("{}:{}: {}", options.source, e.line, e.message));
    }
    std::string message;
    for (std::size_t i = 0; i < lines.size(); ++i) {
      message += (i == 0 ? "" : "\n") + lines[i];
    }
    return make_error(ErrorKind::invalid_input, "{}", message);
  }
  for (const auto& piece : out.parsed.pieces) {
    if (piece.ref) {
      out.skeleton += k_slot_char;
      out.refs.push_back(piece.ref.get());
    } else {
      out.skeleton += piece.literal;
    }
  }
  return out;
}

struct Rendered
{
  Output output;
  std::vector<std::string> errors;
  std::map<std::string, std::vector<int>> missing;
};

Rendered
compose(const Prepared& prepared,
        const std::vector<Slot>& slots,
        const Variables& variables,
        bool probe,
        const std::string& source)
{
  Resolver resolver(variables, probe);
  std::vector<std::vector<Part>> resolved;
  resolved.reserve(prepared.refs.size());
  for (const auto* ref : prepared.refs) {
    resolved.emplace_back();
    resolver.resolve(*ref, resolved.back());
  }
  Rendered out;
  out.missing = resolver.missing();
  if (!out.missing.empty()) {
    return out;
  }
  Composer composer(prepared.skeleton, slots, resolved, source);
  out.output = composer.run();
  out.errors = composer.errors();
  return out;
}

enum class Shape { map, seq, leaf };

Shape
shape_of(const YAML::Node& n)
{
  if (n.IsMap()) {
    return Shape::map;
  }
  if (n.IsSequence()) {
    return Shape::seq;
  }
  return Shape::leaf;
}

// The 0-based line in `real` where its structure first differs from `probe`.
std::optional<int>
first_difference(const YAML::Node& real, const YAML::Node& probe, int parent_line)
{
  const int line = real.Mark().line >= 0 ? real.Mark().line : parent_line;
  if (shape_of(real) != shape_of(probe) || real.size() != probe.size()) {
    return line;
  }
  if (real.IsMap()) {
    auto a = real.begin();
    auto b = probe.begin();
    for (; a != real.end() && b != probe.end(); ++a, ++b) {
      if (auto d = first_difference(a->first, b->first, line)) {
        return d;
      }
      if (auto d = first_difference(a->second, b->second, line)) {
        return d;
      }
    }
  } else if (real.IsSequence()) {
    for (std::size_t i = 0; i < real.size(); ++i) {
      if (auto d = first_difference(real[i], probe[i], line)) {
        return d;
      }
    }
  }
  return std::nullopt;
}

std::string
variables_on_line(const Prepared& prepared, int line)
{
  std::set<std::string> names;
  for (const auto* ref : prepared.refs) {
    if (ref->line == line) {
      names.insert(ref->name);
    }
  }
  std::string out;
  for (const auto& n : names) {
    out += (out.empty() ? "" : ", ") + n;
  }
  return out;
}

int
template_line(const Output& out, int output_line0)
{
  if (output_line0 >= 0 && static_cast<std::size_t>(output_line0) < out.template_line.size()) {
    return out.template_line[static_cast<std::size_t>(output_line0)];
  }
  return out.template_line.empty() ? 1 : out.template_line.back();
}

Result<std::vector<YAML::Node>>
parse_all(const std::string& text, const Output& out, const std::string& source, const std::string& what)
{
  auto docs = load_yaml_stream(text);
  if (!docs) {
    const auto& e = docs.error();
    return make_error(ErrorKind::invalid_input, "{}:{}: {}: {}", source, template_line(out, e.line), what, e.message);
  }
  return std::move(*docs);
}

// Renders the template's own structure (values replaced by stand-ins) and
// checks that the real output has the same shape.
Status
check_structure(const Prepared& prepared,
                const std::vector<Slot>& slots,
                const Variables& variables,
                const Rendered& real,
                const std::string& real_text,
                const std::string& source)
{
  const auto probe = compose(prepared, slots, variables, true, source);
  if (!probe.errors.empty()) {
    return make_error(ErrorKind::invalid_input, "{}", probe.errors.front());
  }
  const auto probe_text = probe.output.text();
  OCNE_TRY_ASSIGN(auto probe_docs, parse_all(probe_text, probe.output, source, "the template is not valid YAML"));
  auto real_docs = parse_all(real_text, real.output, source, "the rendered YAML does not parse");
  if (!real_docs) {
    return make_error(real_docs.error());
  }
  std::optional<int> diff;
  if (real_docs->size() != probe_docs.size()) {
    diff = 0;
  }
  for (std::size_t i = 0; !diff && i < real_docs->size(); ++i) {
    diff = first_difference((*real_docs)[i], probe_docs[i], 0);
  }
  if (diff) {
    const int line = template_line(real.output, *diff);
    const auto names = variables_on_line(prepared, line);
    if (names.empty()) {
      return make_error(
        ErrorKind::invalid_input, "{}:{}: the values change the structure of the YAML document", source, line);
    }
    return make_error(ErrorKind::invalid_input,
                      "{}:{}: the value of {} changes the structure of the YAML document",
                      source,
                      line,
                      names);
  }
  return {};
}

} // namespace

Result<std::string>
render(std::string_view text, const Variables& variables, const RenderOptions& options)
{
  OCNE_TRY_ASSIGN(auto prepared, prepare(text, options));
  const auto slots = detail::classify_slots(prepared.skeleton);
  auto real = compose(prepared, slots, variables, false, options.source);
  if (!real.missing.empty()) {
    std::string list;
    for (const auto& [name, lines] : real.missing) {
      list += (list.empty() ? "" : ", ") + fmt::format("{} ({})", name, lines_text(lines));
    }
    return make_error(ErrorKind::invalid_input,
                      "{}: no value for required variable{}: {}",
                      options.source,
                      real.missing.size() == 1 ? "" : "s",
                      list);
  }
  if (!real.errors.empty()) {
    std::string message;
    for (const auto& e : real.errors) {
      message += (message.empty() ? "" : "\n") + e;
    }
    return make_error(ErrorKind::invalid_input, "{}", message);
  }
  auto out = real.output.text();
  OCNE_TRY(check_structure(prepared, slots, variables, real, out, options.source));
  return out;
}

Result<std::vector<VariableInfo>>
template_variables(std::string_view text, const RenderOptions& options)
{
  OCNE_TRY_ASSIGN(auto prepared, prepare(text, options));
  return list_variables(prepared.parsed);
}

} // namespace ocne::tmpl
