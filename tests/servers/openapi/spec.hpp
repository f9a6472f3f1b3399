#pragma once

// An OpenAPI 3.0 document loaded once per process, its operations indexed by
// method and path template, and checks of a request or a response against
// the operation it belongs to: path and query parameters, the JSON body, the
// status code and the response body.

#include "pkg/core/error.hpp"
#include "tests/servers/openapi/schema_validator.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ocne::test::openapi {

struct Parameter
{
  std::string name;
  std::string in; // "path", "query" or "header"
  bool required = false;
  const nlohmann::json* schema = nullptr;
};

struct Operation
{
  std::string method; // upper case: "GET", "POST", ...
  std::string path_template;
  std::string operation_id;
  std::vector<std::string> segments; // the template split on '/'
  std::vector<Parameter> parameters;
  const nlohmann::json* body_schema = nullptr; // application/json bodies only
  std::string body_content_type;               // empty: the operation takes no body
  bool body_required = false;
  // x-dropshot-pagination: parameters required on the first page only.
  bool paginated = false;
  std::vector<std::string> first_page_required;
  // "200", "4XX", "default", ... -> the response object ($ref resolved).
  std::map<std::string, const nlohmann::json*> responses;
};

struct OperationMatch
{
  const Operation* operation = nullptr;
  std::map<std::string, std::string> path_params; // decoded
};

class Spec
{
public:
  // Parses the document at path, once per process per path (later calls
  // return the same object), and indexes its operations.
  static Result<std::shared_ptr<const Spec>> load(const std::filesystem::path& path);
  // Builds a spec from a document in memory (unit tests).
  static Result<std::shared_ptr<const Spec>> from_json(nlohmann::json document);

  const nlohmann::json&
  document() const
  {
    return m_document;
  }
  // info.version, for example "2026072800.0.0".
  std::string version() const;
  const std::vector<Operation>&
  operations() const
  {
    return m_operations;
  }

  // The operation serving method + path (path without the query string).
  std::optional<OperationMatch> find(std::string_view method, std::string_view path) const;
  // Whether some operation has this path with any method (405 vs 404).
  bool has_path(std::string_view path) const;
  const Operation* by_id(std::string_view operation_id) const;

private:
  explicit Spec(nlohmann::json document);
  Status index();

  nlohmann::json m_document;
  std::vector<Operation> m_operations;
};

using Query = std::multimap<std::string, std::string>;

// Request and response checks for one spec. Thread-safe (read only).
class Validator
{
public:
  explicit Validator(std::shared_ptr<const Spec> spec, ValidateOptions options = {});

  // Errors in the request: "query.limit: ...", "path.disk: ...", "body: ...".
  std::vector<std::string> check_request(const OperationMatch& match,
                                         const Query& query,
                                         std::string_view content_type,
                                         const std::string& body) const;
  // Errors in a response the server is about to send.
  std::vector<std::string> check_response(const Operation& operation,
                                          int status,
                                          std::string_view content_type,
                                          const std::string& body) const;
  // Validates a value against a named component schema ("Disk").
  std::vector<std::string> check_schema(const nlohmann::json& value, const std::string& schema_name) const;

  const Spec&
  spec() const
  {
    return *m_spec;
  }

private:
  std::vector<std::string> check_parameter(const Parameter& parameter, const std::string& raw) const;

  std::shared_ptr<const Spec> m_spec;
  SchemaValidator m_schemas;
};

} // namespace ocne::test::openapi
