#include "cmd/ocne/man.hpp"

#include "pkg/core/strings.hpp"

#include <fmt/format.h>

#include <regex>
#include <utility>

namespace ocne::cli {

namespace {

// Characters roff would read as escapes or requests.
std::string
roff_escape(std::string_view text)
{
  std::string out;
  for (const char c : text) {
    if (c == '\\') {
      out += "\\e";
    } else if (c == '-') {
      out += "\\-";
    } else {
      out += c;
    }
  }
  return out;
}

std::string
upper(std::string s)
{
  for (auto& c : s) {
    if (c >= 'a' && c <= 'z') {
      c = static_cast<char>(c - 'a' + 'A');
    }
  }
  return s;
}

// A text line may not start with a control character.
std::string
text_line(std::string line)
{
  if (!line.empty() && (line[0] == '.' || line[0] == '\'')) {
    line.insert(0, "\\&");
  }
  return line + "\n";
}

struct Section
{
  std::string title;
  std::vector<std::string> lines;
};

std::vector<Section>
parse_sections(const std::string& markdown)
{
  std::vector<Section> sections;
  for (const auto& line : str::split(markdown, '\n')) {
    if (str::starts_with(line, "## ")) {
      sections.push_back({ std::string(str::trim(line.substr(3))), {} });
    } else if (!sections.empty()) {
      sections.back().lines.push_back(line);
    }
  }
  return sections;
}

const Section*
find_section(const std::vector<Section>& sections, std::string_view title)
{
  for (const auto& s : sections) {
    if (s.title == title) {
      return &s;
    }
  }
  return nullptr;
}

// Paragraphs, "- " bullets (continued by indented lines) and code blocks
// (indented four spaces) to roff. Bullets are left out when skip_bullets.
std::string
blocks_to_roff(const std::vector<std::string>& lines, bool skip_bullets = false)
{
  enum class Block { none, paragraph, bullet, code };
  std::string out;
  Block block = Block::none;
  std::string text;
  auto flush = [&] {
    if (block == Block::paragraph) {
      out += ".PP\n" + text_line(roff_inline(text));
    } else if (block == Block::bullet && !skip_bullets) {
      out += ".IP \\(bu 2\n" + text_line(roff_inline(text));
    } else if (block == Block::code) {
      out += ".fi\n.RE\n";
    }
    block = Block::none;
    text.clear();
  };
  for (const auto& line : lines) {
    const auto trimmed = std::string(str::trim(line));
    if (trimmed.empty()) {
      flush();
    } else if (str::starts_with(line, "    ") && block != Block::bullet) {
      if (block != Block::code) {
        flush();
        out += ".PP\n.RS 4\n.nf\n";
        block = Block::code;
      }
      out += text_line(roff_escape(line.substr(4)));
    } else if (str::starts_with(line, "- ")) {
      flush();
      block = Block::bullet;
      text = line.substr(2);
    } else {
      if (block == Block::code) {
        flush();
      }
      if (block == Block::none) {
        block = Block::paragraph;
      }
      text += (text.empty() ? "" : " ") + trimmed;
    }
  }
  flush();
  return out;
}

std::string
option_names(const CLI::Option& opt)
{
  if (opt.get_positional()) {
    return "\\fI" + roff_escape(opt.get_name()) + "\\fR";
  }
  std::vector<std::string> names;
  for (const auto& s : opt.get_snames()) {
    names.push_back("\\fB\\-" + roff_escape(s) + "\\fR");
  }
  for (const auto& l : opt.get_lnames()) {
    names.push_back("\\fB\\-\\-" + roff_escape(l) + "\\fR");
  }
  auto text = str::join(names, ", ");
  if (opt.get_type_size_max() > 0 && !opt.get_type_name().empty()) {
    text += " \\fI" + roff_escape(opt.get_type_name()) + "\\fR";
  }
  return text;
}

std::vector<const CLI::App*>
subcommands_of(const CLI::App& app)
{
  return app.get_subcommands([](const CLI::App*) { return true; });
}

void
add_pages(const CLI::App& app,
          const std::vector<std::string>& words,
          const std::function<std::string(const std::string&)>& markdown,
          std::string_view version,
          std::vector<ManPage>& pages)
{
  const auto name = str::join(words, "-");
  const auto command = str::join(words, " ");
  const auto sections = parse_sections(markdown(name));
  const auto subs = subcommands_of(app);

  std::string roff = fmt::format(".\\\" Generated from the ocne command tree and docs/man/{}.md; do not edit.\n", name);
  roff += fmt::format(".TH \"{}\" 1 \"\" \"ocne {}\" \"ocne manual\"\n", upper(name), roff_escape(version));
  roff += ".nh\n"; // no hyphenation: page names and flags stay whole
  roff += ".SH NAME\n" + text_line(roff_escape(name) + " \\- " + roff_inline(app.get_description()));

  roff += ".SH SYNOPSIS\n";
  if (const auto* s = find_section(sections, "SYNOPSIS")) {
    roff += blocks_to_roff(s->lines);
  } else {
    roff += ".PP\n" + text_line("\\fB" + roff_escape(command) + "\\fR" + (subs.empty() ? "" : " \\fICOMMAND\\fR") +
                                " [\\fIOPTIONS\\fR]");
  }

  roff += ".SH DESCRIPTION\n";
  if (const auto* s = find_section(sections, "DESCRIPTION")) {
    roff += blocks_to_roff(s->lines);
  } else {
    roff += ".PP\n" + text_line(roff_inline(app.get_description()) + ".");
  }

  if (!subs.empty()) {
    roff += ".SH COMMANDS\n";
    for (const auto* sub : subs) {
      auto sub_words = words;
      sub_words.push_back(sub->get_name());
      std::string title = "\\fB" + roff_escape(str::join(sub_words, " ")) + "\\fR";
      for (const auto& alias : sub->get_aliases()) {
        title += ", \\fB" + roff_escape(alias) + "\\fR";
      }
      roff += ".TP\n" + text_line(title) +
              text_line(roff_inline(sub->get_description()) + "; see \\fB" + roff_escape(str::join(sub_words, "-")) +
                        "\\fR(1).");
    }
  }

  roff += ".SH OPTIONS\n";
  if (const auto* s = find_section(sections, "OPTIONS")) {
    roff += blocks_to_roff(s->lines, true);
  }
  for (const auto* opt : app.get_options([](const CLI::Option*) { return true; })) {
    roff += ".TP\n" + text_line(option_names(*opt)) + text_line(roff_inline(opt->get_description()));
  }
  if (words.size() > 1) {
    roff += ".PP\n" + text_line("The global options \\fB\\-l\\fR, \\fB\\-\\-log\\-level\\fR and "
                                "\\fB\\-\\-log\\-format\\fR are described in \\fBocne\\fR(1).");
  }

  for (const auto& s : sections) {
    if (s.title == "NAME" || s.title == "SYNOPSIS" || s.title == "DESCRIPTION" || s.title == "OPTIONS" ||
        s.title == "SEE ALSO") {
      continue;
    }
    roff += ".SH " + roff_escape(s.title) + "\n" + blocks_to_roff(s.lines);
  }

  roff += ".SH \"SEE ALSO\"\n";
  if (const auto* s = find_section(sections, "SEE ALSO")) {
    roff += blocks_to_roff(s->lines);
  } else {
    std::vector<std::string> refs;
    for (std::size_t n = 1; n < words.size(); ++n) {
      refs.push_back(fmt::format(
        "\\fB{}\\fR(1)", roff_escape(str::join(std::vector<std::string>(words.begin(), words.begin() + n), "-"))));
    }
    for (const auto* sub : subs) {
      refs.push_back(fmt::format("\\fB{}\\-{}\\fR(1)", roff_escape(name), roff_escape(sub->get_name())));
    }
    roff += ".PP\n" + text_line(str::join(refs, ", "));
  }

  pages.push_back({ name, std::move(roff) });
  for (const auto* sub : subs) {
    auto sub_words = words;
    sub_words.push_back(sub->get_name());
    add_pages(*sub, sub_words, markdown, version, pages);
  }
}

} // namespace

std::string
roff_inline(std::string_view md)
{
  static const std::regex k_page_ref(R"(^[a-z][a-z0-9-]*\([0-9]\)$)");
  std::string out;
  bool bold = false;
  for (std::size_t i = 0; i < md.size(); ++i) {
    const char c = md[i];
    if (c == '`' || md.substr(i, 2) == "**") {
      out += bold ? "\\fR" : "\\fB";
      bold = !bold;
      i += c == '`' ? 0 : 1;
    } else if (c == '[') {
      const auto close = md.find("](", i);
      const auto end = close == std::string_view::npos ? close : md.find(')', close);
      if (end == std::string_view::npos) {
        out += '[';
        continue;
      }
      const auto text = std::string(md.substr(i + 1, close - i - 1));
      if (std::regex_match(text, k_page_ref)) {
        const auto paren = text.find('(');
        out += "\\fB" + roff_escape(text.substr(0, paren)) + "\\fR" + text.substr(paren);
      } else {
        out += roff_inline(text);
      }
      i = end;
    } else {
      out += roff_escape(std::string_view(&md[i], 1));
    }
  }
  if (bold) {
    out += "\\fR";
  }
  return out;
}

std::vector<ManPage>
man_pages(const CLI::App& root,
          const std::function<std::string(const std::string&)>& markdown,
          std::string_view version)
{
  std::vector<ManPage> pages;
  add_pages(root, { root.get_name() }, markdown, version, pages);
  return pages;
}

} // namespace ocne::cli
