#include "pkg/template/yaml_context.hpp"

#include <algorithm>
#include <utility>

namespace ocne::tmpl::detail {
namespace {

bool
is_space(char c)
{
  return c == ' ' || c == '\t';
}

bool
is_flow_indicator(char c)
{
  return c == ',' || c == '[' || c == ']' || c == '{' || c == '}';
}

class Lexer
{
public:
  explicit Lexer(std::string_view text) : m_t(text)
  {
  }

  std::vector<Slot>
  run()
  {
    std::size_t start = 0;
    while (start <= m_t.size()) {
      auto end = m_t.find('\n', start);
      if (end == std::string_view::npos) {
        end = m_t.size();
      }
      m_ls = start;
      m_le = end;
      ++m_line;
      lex_line();
      if (end == m_t.size()) {
        break;
      }
      start = end + 1;
    }
    // Every slot gets a context; one the lexer did not reach counts as a
    // plain scalar of its own (the structure check has the last word).
    std::sort(m_found.begin(), m_found.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<Slot> out;
    std::size_t k = 0;
    for (std::size_t i = 0; i < m_t.size(); ++i) {
      if (m_t[i] != k_slot_char) {
        continue;
      }
      while (k < m_found.size() && m_found[k].first < i) {
        ++k;
      }
      if (k < m_found.size() && m_found[k].first == i) {
        out.push_back(m_found[k].second);
      } else {
        Slot slot;
        slot.span_begin = i;
        slot.span_end = i + 1;
        out.push_back(slot);
      }
    }
    return out;
  }

private:
  enum class Mode { normal, double_quoted, single_quoted, block };

  char
  at(std::size_t i) const
  {
    return i < m_le ? m_t[i] : '\0';
  }

  std::size_t
  skip_spaces(std::size_t p) const
  {
    while (p < m_le && is_space(m_t[p])) {
      ++p;
    }
    return p;
  }

  std::size_t
  rtrim(std::size_t begin, std::size_t end) const
  {
    while (end > begin && is_space(m_t[end - 1])) {
      --end;
    }
    return end;
  }

  void
  mark(std::size_t from, std::size_t to, const Slot& proto)
  {
    for (std::size_t i = from; i < to && i < m_le; ++i) {
      if (m_t[i] == k_slot_char) {
        m_found.emplace_back(i, proto);
      }
    }
  }

  void
  comment(std::size_t p)
  {
    Slot s;
    s.context = Context::comment;
    mark(p, m_le, s);
  }

  void
  lex_line()
  {
    m_indent = 0;
    while (m_ls + m_indent < m_le && m_t[m_ls + m_indent] == ' ') {
      ++m_indent;
    }
    // Tabs cannot indent, but they separate: a node may start after one.
    const std::size_t first = skip_spaces(m_ls + static_cast<std::size_t>(m_indent));
    if (first == m_le && m_mode == Mode::normal && m_flow_depth == 0) {
      return; // a blank line: a plain scalar may go on after it
    }
    if (m_mode == Mode::block) {
      if (skip_spaces(m_ls) == m_le) {
        return;
      }
      bool first_line = false;
      if (m_block_content < 0) {
        if (m_indent > m_block_parent) {
          m_block_content = m_indent;
          first_line = true;
        } else {
          m_mode = Mode::normal;
        }
      }
      if (m_mode == Mode::block && m_indent >= m_block_content) {
        for (std::size_t i = m_ls; i < m_le; ++i) {
          if (m_t[i] == k_slot_char) {
            Slot s;
            s.context = Context::block_scalar;
            s.node_indent = m_block_content;
            s.starts_block = first_line && i == m_ls + static_cast<std::size_t>(m_block_content);
            m_found.emplace_back(i, s);
          }
        }
        return;
      }
      m_mode = Mode::normal;
    }
    if (m_mode == Mode::double_quoted || m_mode == Mode::single_quoted) {
      const auto q = m_mode == Mode::double_quoted ? scan_double(m_ls, false) : scan_single(m_ls, false);
      if (q == std::string_view::npos) {
        return;
      }
      m_mode = Mode::normal;
      if (m_flow_depth > 0) {
        lex_flow(q);
      } else {
        after_quoted(q, m_indent);
      }
      return;
    }
    if (m_flow_depth > 0) {
      lex_flow(m_ls);
      return;
    }
    if (first == m_le) {
      return;
    }
    if (m_t[first] == '#') {
      comment(first);
      return;
    }
    if (m_indent == 0 && m_t[first] == '%') {
      return; // a directive (%YAML, %TAG)
    }
    if (m_indent == 0 && (m_t.substr(first, 3) == "---" || m_t.substr(first, 3) == "...") &&
        (first + 3 == m_le || is_space(m_t[first + 3]))) {
      const auto p = skip_spaces(first + 3);
      if (m_t[first] == '.') {
        // Only a comment may follow "..."; anything else is looked at like
        // a node, so that yaml-cpp's error points at it.
        if (p < m_le && m_t[p] != '#') {
          node(p, Position::other, 0);
        }
        return;
      }
      if (p < m_le) {
        node(p, Position::other, 0);
      }
      return;
    }
    std::size_t p = first;
    int dash_col = -1;
    while (p < m_le && (m_t[p] == '-' || m_t[p] == '?' || m_t[p] == ':') && (p + 1 == m_le || is_space(m_t[p + 1]))) {
      dash_col = m_t[p] == '-' ? static_cast<int>(p - m_ls) : -2;
      p = skip_spaces(p + 1);
    }
    if (p == m_le) {
      return;
    }
    if (dash_col >= 0) {
      node(p, Position::seq_item, dash_col + 2);
    } else if (dash_col == -1) {
      node(p, Position::standalone, m_indent);
    } else {
      node(p, Position::other, m_indent);
    }
  }

  // A node in block context starting at p.
  void
  node(std::size_t p, Position position, int node_indent)
  {
    // Anchors and tags come before the node itself; a flow indicator ends them.
    while (p < m_le && (m_t[p] == '&' || m_t[p] == '!')) {
      if (m_t.substr(p, 2) == "!<") {
        // A verbatim tag, !<tag:yaml.org,2002:str>, may hold ','.
        while (p < m_le && m_t[p] != '>') {
          ++p;
        }
      }
      while (p < m_le && !is_space(m_t[p]) && !is_flow_indicator(m_t[p])) {
        ++p;
      }
      p = skip_spaces(p);
      position = position == Position::standalone ? Position::other : position;
    }
    if (p == m_le) {
      return;
    }
    const char c = m_t[p];
    if (c == '#') {
      comment(p);
    } else if (c == '"' || c == '\'') {
      const auto q = c == '"' ? scan_double(p, true) : scan_single(p, true);
      if (q == std::string_view::npos) {
        m_mode = c == '"' ? Mode::double_quoted : Mode::single_quoted;
        return;
      }
      after_quoted(q, static_cast<int>(p - m_ls));
    } else if (c == '[' || c == '{') {
      lex_flow(p);
    } else if (c == '|' || c == '>') {
      m_mode = Mode::block;
      m_block_parent = m_indent;
      m_block_content = -1;
      std::size_t h = p + 1;
      while (h < m_le && !is_space(m_t[h])) {
        if (m_t[h] >= '1' && m_t[h] <= '9') {
          m_block_content = m_indent + (m_t[h] - '0');
        }
        ++h;
      }
      h = skip_spaces(h);
      if (h < m_le) {
        comment(h);
      }
    } else {
      plain(p, position, node_indent);
    }
  }

  void
  plain(std::size_t p, Position position, int node_indent)
  {
    std::size_t end = m_le;
    for (std::size_t j = p; j < m_le; ++j) {
      const char c = m_t[j];
      if (c == ':' && (j + 1 == m_le || is_space(m_t[j + 1]))) {
        // A mapping key; its value follows.
        Slot key;
        key.span_begin = p;
        key.span_end = rtrim(p, j);
        key.position = Position::key;
        mark(p, j, key);
        const auto v = skip_spaces(j + 1);
        if (v < m_le) {
          node(v, Position::map_value, static_cast<int>(p - m_ls) + 2);
        }
        return;
      }
      if (c == '#' && j > p && is_space(m_t[j - 1])) {
        end = j;
        break;
      }
    }
    Slot s;
    s.span_begin = p;
    s.span_end = rtrim(p, end);
    s.position = position;
    s.node_indent = node_indent;
    if (position == Position::standalone && end != m_le) {
      s.position = Position::other; // a comment follows on the line
    }
    mark(p, s.span_end, s);
    if (end < m_le) {
      comment(end);
    }
  }

  void
  after_quoted(std::size_t q, int key_col)
  {
    q = skip_spaces(q);
    if (q < m_le && m_t[q] == ':' && (q + 1 == m_le || is_space(m_t[q + 1]))) {
      const auto v = skip_spaces(q + 1);
      if (v < m_le) {
        node(v, Position::map_value, key_col + 2);
      }
      return;
    }
    if (q < m_le && m_t[q] == '#') {
      comment(q);
    }
  }

  // Returns the offset after the closing quote, or npos when the scalar
  // continues on the next line. open: p is the opening quote.
  std::size_t
  scan_double(std::size_t p, bool open)
  {
    Slot s;
    s.context = Context::double_quoted;
    std::size_t i = open ? p + 1 : p;
    while (i < m_le) {
      const char c = m_t[i];
      if (c == '\\') {
        mark(i + 1, i + 2, s);
        i += 2;
        continue;
      }
      if (c == '"') {
        return i + 1;
      }
      if (c == k_slot_char) {
        m_found.emplace_back(i, s);
      }
      ++i;
    }
    return std::string_view::npos;
  }

  std::size_t
  scan_single(std::size_t p, bool open)
  {
    Slot s;
    s.context = Context::single_quoted;
    std::size_t i = open ? p + 1 : p;
    while (i < m_le) {
      const char c = m_t[i];
      if (c == '\'') {
        if (at(i + 1) == '\'') {
          i += 2;
          continue;
        }
        return i + 1;
      }
      if (c == k_slot_char) {
        m_found.emplace_back(i, s);
      }
      ++i;
    }
    return std::string_view::npos;
  }

  void
  lex_flow(std::size_t p)
  {
    while (p < m_le) {
      const char c = m_t[p];
      if (is_space(c) || c == ',') {
        ++p;
      } else if (c == '[' || c == '{') {
        ++m_flow_depth;
        ++p;
      } else if (c == ']' || c == '}') {
        --m_flow_depth;
        ++p;
        if (m_flow_depth <= 0) {
          m_flow_depth = 0;
          after_quoted(p, m_indent);
          return;
        }
      } else if (c == '#' && (p == m_ls || is_space(m_t[p - 1]))) {
        comment(p);
        return;
      } else if (c == '"' || c == '\'') {
        const auto q = c == '"' ? scan_double(p, true) : scan_single(p, true);
        if (q == std::string_view::npos) {
          m_mode = c == '"' ? Mode::double_quoted : Mode::single_quoted;
          return;
        }
        p = q;
      } else if ((c == ':' || c == '?') && (p + 1 == m_le || is_space(m_t[p + 1]) || is_flow_indicator(m_t[p + 1]))) {
        ++p;
      } else {
        std::size_t j = p;
        while (j < m_le) {
          const char d = m_t[j];
          if (is_flow_indicator(d) || (d == '#' && j > p && is_space(m_t[j - 1]))) {
            break;
          }
          if (d == ':' && (j + 1 == m_le || is_space(m_t[j + 1]) || is_flow_indicator(m_t[j + 1]))) {
            break;
          }
          ++j;
        }
        Slot s;
        s.flow = true;
        s.span_begin = p;
        s.span_end = rtrim(p, j);
        mark(p, s.span_end, s);
        p = j == p ? j + 1 : j;
      }
    }
  }

  std::string_view m_t;
  std::vector<std::pair<std::size_t, Slot>> m_found;
  std::size_t m_ls = 0;
  std::size_t m_le = 0;
  int m_indent = 0;
  Mode m_mode = Mode::normal;
  int m_flow_depth = 0;
  int m_block_parent = 0;
  int m_block_content = -1;
  int m_line = 0;
};

} // namespace

std::vector<Slot>
classify_slots(std::string_view skeleton)
{
  return Lexer(skeleton).run();
}

} // namespace ocne::tmpl::detail
