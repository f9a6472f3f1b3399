#include "pkg/clusterctl/variables.hpp"

#include "pkg/core/strings.hpp"
#include "pkg/template/reference.hpp"

#include <fmt/format.h>

#include <set>

namespace ocne::clusterctl {

namespace {

// Blanks out first-column comment lines, keeping line numbers.
std::string
without_comment_lines(std::string_view text)
{
  std::string out;
  out.reserve(text.size());
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    const bool last = end == std::string_view::npos;
    if (last) {
      end = text.size();
    }
    if (text[pos] != '#') {
      out.append(text.substr(pos, end - pos));
    }
    if (!last) {
      out.push_back('\n');
    }
    pos = end + 1;
  }
  return out;
}

Result<tmpl::ParsedTemplate>
parse(std::string_view text, std::string_view source)
{
  auto parsed = tmpl::parse_references(text);
  if (!parsed.errors.empty()) {
    const auto& e = parsed.errors.front();
    return make_error(ErrorKind::invalid_input, "{}:{}: {}", source, e.line, e.message);
  }
  return parsed;
}

class Substituter
{
public:
  explicit Substituter(const Lookup& lookup) : m_lookup(lookup)
  {
  }

  void
  render(const std::vector<tmpl::Piece>& pieces, std::string& out)
  {
    for (const auto& piece : pieces) {
      if (!piece.ref) {
        out += piece.literal;
        continue;
      }
      const auto& ref = *piece.ref;
      const auto value = m_lookup(ref.name);
      using Op = tmpl::Reference::Op;
      const bool use_default =
        (ref.op == Op::default_if_empty && (!value || value->empty())) || (ref.op == Op::default_if_unset && !value);
      if (use_default) {
        if (ref.fallback_text.empty()) {
          m_missing.insert(ref.name);
        }
        render(ref.fallback, out);
      } else if (value) {
        out += *value;
      } else {
        m_missing.insert(ref.name);
      }
    }
  }

  const std::set<std::string>&
  missing() const
  {
    return m_missing;
  }

private:
  const Lookup& m_lookup;
  std::set<std::string> m_missing;
};

} // namespace

Result<std::vector<VariableUse>>
list_component_variables(std::string_view text, std::string_view source)
{
  OCNE_TRY_ASSIGN(auto parsed, parse(without_comment_lines(text), source));
  std::vector<VariableUse> out;
  for (const auto& v : tmpl::list_variables(parsed)) {
    // clusterctl: required unless every use has a non-empty default.
    out.push_back({ v.name, v.required || v.default_text.empty(), v.default_text });
  }
  return out;
}

Result<std::string>
substitute_variables(std::string_view text, const Lookup& lookup, std::string_view source)
{
  OCNE_TRY_ASSIGN(auto parsed, parse(without_comment_lines(text), source));
  Substituter subst(lookup);
  std::string out;
  out.reserve(text.size());
  subst.render(parsed.pieces, out);
  if (!subst.missing().empty()) {
    return make_error(ErrorKind::invalid_input,
                      "{}: missing variables: {} (set them in the environment or in clusterctl.yaml)",
                      source,
                      str::join(std::vector<std::string>(subst.missing().begin(), subst.missing().end()), ", "));
  }
  return out;
}

} // namespace ocne::clusterctl
