#include "pkg/core/yaml_stream.hpp"

#include "pkg/core/strings.hpp"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <optional>
#include <sstream>

namespace ocne {
namespace {

// Remembers where the current document starts; the events themselves are
// not needed.
class DocumentStart final : public YAML::EventHandler
{
public:
  void
  OnDocumentStart(const YAML::Mark& mark) override
  {
    m_mark = mark;
  }
  void
  OnDocumentEnd() override
  {
  }
  void
  OnNull(const YAML::Mark&, YAML::anchor_t) override
  {
  }
  void
  OnAlias(const YAML::Mark&, YAML::anchor_t) override
  {
  }
  void
  OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override
  {
  }
  void
  OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override
  {
  }
  void
  OnSequenceEnd() override
  {
  }
  void
  OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override
  {
  }
  void
  OnMapEnd() override
  {
  }

  const YAML::Mark&
  mark() const
  {
    return m_mark;
  }

private:
  YAML::Mark m_mark;
};

// A document that starts where the one before it started consumed nothing,
// so the next one would too: yaml-cpp is stuck on a token it cannot place.
std::optional<YamlSyntaxError>
find_stuck_document(const std::string& text)
{
  std::istringstream in(text);
  YAML::Parser parser(in);
  DocumentStart start;
  std::optional<int> previous;
  while (parser.HandleNextDocument(start)) {
    const auto& mark = start.mark();
    if (previous && *previous == mark.pos) {
      const auto pos = static_cast<std::size_t>(mark.pos);
      const auto what = pos < text.size() ? str::quote(text.substr(pos, 1)) : std::string("end of input");
      return YamlSyntaxError{ mark.line, mark.column, "unexpected " + what + ", which cannot start a node here" };
    }
    previous = mark.pos;
  }
  return std::nullopt;
}

} // namespace

tl::expected<std::vector<YAML::Node>, YamlSyntaxError>
load_yaml_stream(const std::string& text)
{
  try {
    if (auto stuck = find_stuck_document(text)) {
      return tl::unexpected(std::move(*stuck));
    }
    // The same parser on the same text: it now ends.
    return YAML::LoadAll(text);
  } catch (const YAML::Exception& e) {
    return tl::unexpected(YamlSyntaxError{ e.mark.line, e.mark.column, e.msg });
  }
}

} // namespace ocne
