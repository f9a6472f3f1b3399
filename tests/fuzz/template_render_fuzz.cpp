// Fuzzes pkg/template: a template and up to four values (variables A to D).
// Input: template, then values, separated by NUL bytes; each value's first
// byte picks its kind: 't' text, 's' string, 'n' node (JSON; a string when it
// does not parse), 'o' omit. The renderer must never crash, and whatever it
// accepts must parse as YAML.

#include "pkg/template/render.hpp"

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

extern "C" int
LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::size_t start = 0;
  auto next = [&]() {
    const auto end = input.find('\0', start);
    const auto part = input.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    start = end == std::string_view::npos ? input.size() + 1 : end + 1;
    return part;
  };
  const auto text = next();
  ocne::tmpl::Variables vars;
  for (const char* name : { "A", "B", "C", "D" }) {
    if (start > input.size()) {
      break;
    }
    const auto v = next();
    const char kind = v.empty() ? 't' : v[0];
    const std::string body(v.empty() ? v : v.substr(1));
    switch (kind) {
      case 's':
        vars.set(name, ocne::tmpl::Value::string(body));
        break;
      case 'o':
        vars.set(name, ocne::tmpl::Value::omit());
        break;
      case 'n': {
        auto j = nlohmann::ordered_json::parse(body, nullptr, false);
        if (j.is_discarded()) {
          j = body;
        }
        try {
          vars.set(name, ocne::tmpl::Value::node(j));
        } catch (const nlohmann::ordered_json::exception&) {
        }
        break;
      }
      default:
        vars.set(name, ocne::tmpl::Value::text(body));
    }
  }
  (void)ocne::tmpl::template_variables(text, { "fuzz.yaml" });
  auto out = ocne::tmpl::render(text, vars, { "fuzz.yaml" });
  if (out) {
    try {
      (void)YAML::LoadAll(*out);
    } catch (const YAML::Exception&) {
      std::abort(); // the renderer let through a document that does not parse
    } catch (const nlohmann::ordered_json::exception&) {
      std::abort();
    }
  }
  return 0;
}
