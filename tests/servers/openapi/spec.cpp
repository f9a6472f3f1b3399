#include "tests/servers/openapi/spec.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <mutex>
#include <sstream>

namespace ocne::test::openapi {

namespace {

using json = nlohmann::json;

std::vector<std::string>
split_path(std::string_view path)
{
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= path.size()) {
    const auto slash = path.find('/', start);
    const auto end = slash == std::string_view::npos ? path.size() : slash;
    out.emplace_back(path.substr(start, end - start));
    if (slash == std::string_view::npos) {
      break;
    }
    start = slash + 1;
  }
  return out;
}

bool
is_template(const std::string& segment)
{
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

std::string
upper(std::string s)
{
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return s;
}

// The JSON type a query parameter's schema wants, following $ref and
// single-entry allOf wrappers; "string" when it cannot tell.
std::string
scalar_type(const SchemaValidator& schemas, const json* schema, int depth = 0)
{
  if (schema == nullptr || !schema->is_object() || depth > 16) {
    return "string";
  }
  if (auto ref = schema->find("$ref"); ref != schema->end()) {
    return scalar_type(schemas, schemas.resolve(ref->get<std::string>()), depth + 1);
  }
  if (auto type = schema->find("type"); type != schema->end() && type->is_string()) {
    return type->get<std::string>();
  }
  if (auto all = schema->find("allOf"); all != schema->end() && all->is_array() && all->size() == 1) {
    return scalar_type(schemas, &(*all)[0], depth + 1);
  }
  return "string";
}

// A query or path value as the JSON the schema expects; a value that does not
// parse stays a string so the schema check reports it.
json
coerce(const std::string& raw, const std::string& type)
{
  if (type == "integer") {
    if (!raw.empty() && raw[0] == '-') {
      std::int64_t n = 0;
      auto [p, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), n);
      if (ec == std::errc() && p == raw.data() + raw.size()) {
        return n;
      }
    } else {
      std::uint64_t n = 0;
      auto [p, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), n);
      if (ec == std::errc() && p == raw.data() + raw.size() && !raw.empty()) {
        return n;
      }
    }
    return raw;
  }
  if (type == "boolean") {
    if (raw == "true") {
      return true;
    }
    if (raw == "false") {
      return false;
    }
    return raw;
  }
  if (type == "number") {
    try {
      std::size_t used = 0;
      const double d = std::stod(raw, &used);
      if (used == raw.size()) {
        return d;
      }
    } catch (const std::exception&) {
    }
    return raw;
  }
  return raw;
}

} // namespace

Spec::Spec(json document) : m_document(std::move(document))
{
}

Result<std::shared_ptr<const Spec>>
Spec::from_json(json document)
{
  std::shared_ptr<Spec> spec(new Spec(std::move(document)));
  OCNE_TRY(spec->index());
  return std::shared_ptr<const Spec>(std::move(spec));
}

Result<std::shared_ptr<const Spec>>
Spec::load(const std::filesystem::path& path)
{
  // Parsing ~1 MB of JSON is slow under ASan: once per process per path.
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const Spec>> cache;
  const std::lock_guard lock(mutex);
  const auto key = path.lexically_normal().string();
  if (auto it = cache.find(key); it != cache.end()) {
    return it->second;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return make_error(ErrorKind::not_found, "{}: cannot open the OpenAPI document", path.string());
  }
  std::stringstream text;
  text << in.rdbuf();
  json document;
  try {
    document = json::parse(text.str());
  } catch (const json::exception& e) {
    return make_error(ErrorKind::invalid_input, "{}: not valid JSON: {}", path.string(), e.what());
  }
  auto spec = from_json(std::move(document));
  if (!spec) {
    return make_error(spec.error().with_context(path.string()));
  }
  cache.emplace(key, *spec);
  return *spec;
}

std::string
Spec::version() const
{
  return m_document.value(json::json_pointer("/info/version"), std::string());
}

Status
Spec::index()
{
  const auto paths = m_document.find("paths");
  if (paths == m_document.end() || !paths->is_object()) {
    return make_error(ErrorKind::invalid_input, "the OpenAPI document has no \"paths\"");
  }
  const SchemaValidator resolver(m_document);
  auto deref = [&](const json& node) -> const json* {
    const json* at = &node;
    for (int i = 0; i < 8 && at != nullptr && at->is_object() && at->contains("$ref"); ++i) {
      at = resolver.resolve((*at)["$ref"].get<std::string>());
    }
    return at;
  };
  for (const auto& [path, item] : paths->items()) {
    for (const auto& [method, op] : item.items()) {
      if (!op.is_object() || !op.contains("responses")) {
        continue; // "parameters" or "summary" at path level
      }
      Operation operation;
      operation.method = upper(method);
      operation.path_template = path;
      operation.operation_id = op.value("operationId", "");
      operation.segments = split_path(path);
      for (const auto* list : { item.contains("parameters") ? &item["parameters"] : nullptr,
                                op.contains("parameters") ? &op["parameters"] : nullptr }) {
        if (list == nullptr) {
          continue;
        }
        for (const auto& raw : *list) {
          const json* p = deref(raw);
          if (p == nullptr) {
            return make_error(ErrorKind::invalid_input, "{} {}: unresolvable parameter", operation.method, path);
          }
          Parameter parameter;
          parameter.name = p->value("name", "");
          parameter.in = p->value("in", "");
          parameter.required = p->value("required", false) || parameter.in == "path";
          parameter.schema = p->contains("schema") ? &(*p)["schema"] : nullptr;
          operation.parameters.push_back(std::move(parameter));
        }
      }
      if (auto body = op.find("requestBody"); body != op.end()) {
        const json* b = deref(*body);
        if (b != nullptr) {
          operation.body_required = b->value("required", false);
          if (auto content = b->find("content"); content != b->end() && content->is_object() && !content->empty()) {
            operation.body_content_type = content->begin().key();
            if (content->contains("application/json")) {
              operation.body_content_type = "application/json";
              const auto& media = (*content)["application/json"];
              operation.body_schema = media.contains("schema") ? &media["schema"] : nullptr;
            }
          }
        }
      }
      if (auto pagination = op.find("x-dropshot-pagination"); pagination != op.end()) {
        operation.paginated = true;
        for (const auto& name : pagination->value("required", json::array())) {
          operation.first_page_required.push_back(name.get<std::string>());
        }
      }
      for (const auto& [status, response] : op["responses"].items()) {
        operation.responses[status] = deref(response);
      }
      m_operations.push_back(std::move(operation));
    }
  }
  return {};
}

std::optional<OperationMatch>
Spec::find(std::string_view method, std::string_view path) const
{
  const auto segments = split_path(path);
  const auto wanted = upper(std::string(method));
  const Operation* best = nullptr;
  int best_literals = -1;
  for (const auto& op : m_operations) {
    if (op.method != wanted || op.segments.size() != segments.size()) {
      continue;
    }
    int literals = 0;
    bool ok = true;
    for (std::size_t i = 0; i < segments.size() && ok; ++i) {
      if (is_template(op.segments[i])) {
        ok = !segments[i].empty();
      } else {
        ok = op.segments[i] == segments[i];
        ++literals;
      }
    }
    // A literal segment beats a template ("/v1/me" over "/v1/{x}").
    if (ok && literals > best_literals) {
      best = &op;
      best_literals = literals;
    }
  }
  if (best == nullptr) {
    return std::nullopt;
  }
  OperationMatch match{ best, {} };
  for (std::size_t i = 0; i < segments.size(); ++i) {
    if (is_template(best->segments[i])) {
      match.path_params[best->segments[i].substr(1, best->segments[i].size() - 2)] = segments[i];
    }
  }
  return match;
}

bool
Spec::has_path(std::string_view path) const
{
  for (const char* method : { "GET", "POST", "PUT", "DELETE", "PATCH" }) {
    if (find(method, path)) {
      return true;
    }
  }
  return false;
}

const Operation*
Spec::by_id(std::string_view operation_id) const
{
  for (const auto& op : m_operations) {
    if (op.operation_id == operation_id) {
      return &op;
    }
  }
  return nullptr;
}

Validator::Validator(std::shared_ptr<const Spec> spec, ValidateOptions options)
  : m_spec(std::move(spec)), m_schemas(m_spec->document(), options)
{
}

std::vector<std::string>
Validator::check_parameter(const Parameter& parameter, const std::string& raw) const
{
  if (parameter.schema == nullptr) {
    return {};
  }
  const auto value = coerce(raw, scalar_type(m_schemas, parameter.schema));
  return m_schemas.validate(value, *parameter.schema, parameter.in + "." + parameter.name);
}

std::vector<std::string>
Validator::check_request(const OperationMatch& match,
                         const Query& query,
                         std::string_view content_type,
                         const std::string& body) const
{
  std::vector<std::string> errors;
  const Operation& op = *match.operation;
  const bool next_page = query.count("page_token") > 0;
  for (const auto& parameter : op.parameters) {
    if (parameter.in == "path") {
      if (auto it = match.path_params.find(parameter.name); it != match.path_params.end()) {
        auto e = check_parameter(parameter, it->second);
        errors.insert(errors.end(), e.begin(), e.end());
      }
      continue;
    }
    if (parameter.in != "query") {
      continue; // header parameters are not used by the operations we serve
    }
    const auto count = query.count(parameter.name);
    bool required = parameter.required;
    if (op.paginated && !next_page &&
        std::find(op.first_page_required.begin(), op.first_page_required.end(), parameter.name) !=
          op.first_page_required.end()) {
      required = true;
    }
    if (count == 0) {
      if (required) {
        errors.push_back(fmt::format("query: missing required parameter \"{}\"", parameter.name));
      }
      continue;
    }
    if (count > 1) {
      errors.push_back(fmt::format("query.{}: given {} times", parameter.name, count));
    }
    auto e = check_parameter(parameter, query.find(parameter.name)->second);
    errors.insert(errors.end(), e.begin(), e.end());
  }
  if (m_schemas.options().strict_properties) {
    for (const auto& [name, value] : query) {
      const bool known = std::any_of(op.parameters.begin(), op.parameters.end(), [&](const Parameter& p) {
        return p.in == "query" && p.name == name;
      });
      if (!known) {
        errors.push_back(fmt::format("query: unknown parameter \"{}\"", name));
      }
    }
  }

  if (op.body_content_type.empty()) {
    if (!body.empty()) {
      errors.push_back("body: this operation takes no request body");
    }
    return errors;
  }
  if (body.empty()) {
    if (op.body_required) {
      errors.push_back("body: a request body is required");
    }
    return errors;
  }
  const auto semicolon = content_type.find(';');
  const auto media = content_type.substr(0, semicolon);
  if (media != op.body_content_type) {
    errors.push_back(fmt::format("body: content type \"{}\", expected \"{}\"", content_type, op.body_content_type));
    return errors;
  }
  if (op.body_schema == nullptr) {
    return errors;
  }
  json value;
  try {
    value = json::parse(body);
  } catch (const json::exception& e) {
    errors.push_back(fmt::format("body: not valid JSON: {}", e.what()));
    return errors;
  }
  auto e = m_schemas.validate(value, *op.body_schema, "body");
  errors.insert(errors.end(), e.begin(), e.end());
  return errors;
}

std::vector<std::string>
Validator::check_response(const Operation& op, int status, std::string_view content_type, const std::string& body) const
{
  std::vector<std::string> errors;
  const auto code = std::to_string(status);
  const std::string range = std::string(1, code[0]) + "XX";
  const json* response = nullptr;
  for (const auto& key : { code, range, std::string("default") }) {
    if (auto it = op.responses.find(key); it != op.responses.end()) {
      response = it->second;
      break;
    }
  }
  if (response == nullptr) {
    errors.push_back(
      fmt::format("response: status {} is not documented for {} {}", status, op.method, op.path_template));
    return errors;
  }
  const json* schema = nullptr;
  bool has_content = false;
  if (auto content = response->find("content"); content != response->end() && content->is_object()) {
    has_content = !content->empty();
    if (auto media = content->find("application/json"); media != content->end() && media->contains("schema")) {
      schema = &(*media)["schema"];
    }
  }
  if (!has_content) {
    if (!body.empty()) {
      errors.push_back(fmt::format("response: status {} must have an empty body", status));
    }
    return errors;
  }
  if (schema == nullptr) {
    return errors;
  }
  if (content_type.substr(0, content_type.find(';')) != "application/json") {
    errors.push_back(fmt::format("response: content type \"{}\", expected \"application/json\"", content_type));
  }
  json value;
  try {
    value = json::parse(body);
  } catch (const json::exception& e) {
    errors.push_back(fmt::format("response: not valid JSON: {}", e.what()));
    return errors;
  }
  auto e = m_schemas.validate(value, *schema, "response");
  errors.insert(errors.end(), e.begin(), e.end());
  return errors;
}

std::vector<std::string>
Validator::check_schema(const json& value, const std::string& schema_name) const
{
  const json* schema = m_schemas.resolve("#/components/schemas/" + schema_name);
  if (schema == nullptr) {
    return { "no schema named " + schema_name };
  }
  return m_schemas.validate(value, *schema, schema_name);
}

} // namespace ocne::test::openapi
