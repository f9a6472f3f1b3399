#include "tests/servers/kube/api_error.hpp"

#include "tests/servers/kube/json_util.hpp"

#include <set>

namespace ocne::test::kube {

namespace {

const char*
type_text(FieldError::Type type)
{
  switch (type) {
    case FieldError::Type::required:
      return "Required value";
    case FieldError::Type::invalid:
    case FieldError::Type::type_invalid:
      return "Invalid value";
    case FieldError::Type::not_supported:
      return "Unsupported value";
    case FieldError::Type::duplicate:
      return "Duplicate value";
    case FieldError::Type::too_long:
      return "Too long";
    case FieldError::Type::too_many:
      return "Too many";
    case FieldError::Type::forbidden:
      return "Forbidden";
  }
  return "Invalid value";
}

} // namespace

FieldError
FieldError::make(Type type, std::string field, const Json* value, std::string detail)
{
  FieldError e;
  e.type = type;
  e.field = std::move(field);
  e.detail = std::move(detail);
  if (value != nullptr) {
    if (value->is_string()) {
      e.value = go_quote(value->get<std::string>());
    } else if (value->is_null()) {
      e.value = "null";
    } else {
      e.value = go_value(*value);
    }
  }
  return e;
}

std::string
FieldError::body() const
{
  std::string s = type_text(type);
  const bool shows_value =
    type != Type::required && type != Type::forbidden && type != Type::too_long && value.has_value();
  if (shows_value) {
    s += ": " + *value;
  }
  if (!detail.empty()) {
    s += ": " + detail;
  }
  return s;
}

std::string
FieldError::to_string() const
{
  return field + ": " + body();
}

std::string
FieldError::reason() const
{
  switch (type) {
    case Type::required:
      return "FieldValueRequired";
    case Type::invalid:
      return "FieldValueInvalid";
    case Type::type_invalid:
      return "FieldValueTypeInvalid";
    case Type::not_supported:
      return "FieldValueNotSupported";
    case Type::duplicate:
      return "FieldValueDuplicate";
    case Type::too_long:
      return "FieldValueTooLong";
    case Type::too_many:
      return "FieldValueTooMany";
    case Type::forbidden:
      return "FieldValueForbidden";
  }
  return "FieldValueInvalid";
}

ApiError::ApiError(int code, std::string reason, std::string message)
  : m_code(code), m_reason(std::move(reason)), m_message(std::move(message))
{
}

ApiError&
ApiError::with_details(std::string name, std::string group, std::string kind)
{
  m_has_details = true;
  m_name = std::move(name);
  m_group = std::move(group);
  m_kind = std::move(kind);
  return *this;
}

ApiError&
ApiError::with_cause(std::string type, std::string message, std::string field)
{
  m_has_details = true;
  m_causes.push_back({ std::move(type), std::move(message), std::move(field) });
  return *this;
}

ApiError&
ApiError::with_retry_after(int seconds)
{
  m_has_details = true;
  m_retry_after = seconds;
  return *this;
}

Json
ApiError::status() const
{
  Json s = { { "kind", "Status" },    { "apiVersion", "v1" },   { "metadata", Json::object() },
             { "status", "Failure" }, { "message", m_message }, { "reason", m_reason },
             { "code", m_code } };
  if (m_reason.empty()) {
    s.erase("reason");
  }
  if (m_has_details) {
    Json d = Json::object();
    if (!m_name.empty()) {
      d["name"] = m_name;
    }
    if (!m_group.empty()) {
      d["group"] = m_group;
    }
    if (!m_kind.empty()) {
      d["kind"] = m_kind;
    }
    if (!m_causes.empty()) {
      Json causes = Json::array();
      for (const auto& c : m_causes) {
        Json cause = Json::object();
        if (!c.type.empty()) {
          cause["reason"] = c.type;
        }
        if (!c.message.empty()) {
          cause["message"] = c.message;
        }
        if (!c.field.empty()) {
          cause["field"] = c.field;
        }
        causes.push_back(std::move(cause));
      }
      d["causes"] = std::move(causes);
    }
    if (m_retry_after) {
      d["retryAfterSeconds"] = *m_retry_after;
    }
    s["details"] = std::move(d);
  }
  return s;
}

std::string
ApiError::status_json() const
{
  return status().dump();
}

std::string
qualified_resource(const std::string& group, const std::string& resource)
{
  return group.empty() ? resource : resource + "." + group;
}

ApiError
err_not_found(const std::string& group, const std::string& resource, const std::string& name)
{
  ApiError e(404, "NotFound", qualified_resource(group, resource) + " " + go_quote(name) + " not found");
  e.with_details(name, group, resource);
  return e;
}

ApiError
err_already_exists(const std::string& group, const std::string& resource, const std::string& name)
{
  ApiError e(409, "AlreadyExists", qualified_resource(group, resource) + " " + go_quote(name) + " already exists");
  e.with_details(name, group, resource);
  return e;
}

ApiError
err_conflict(const std::string& group, const std::string& resource, const std::string& name, const std::string& why)
{
  ApiError e(409,
             "Conflict",
             "Operation cannot be fulfilled on " + qualified_resource(group, resource) + " " + go_quote(name) + ": " +
               why);
  e.with_details(name, group, resource);
  return e;
}

ApiError
err_stale(const std::string& group, const std::string& resource, const std::string& name)
{
  return err_conflict(group,
                      resource,
                      name,
                      "the object has been modified; please apply your changes to the latest version and try again");
}

ApiError
err_invalid(const std::string& group,
            const std::string& kind,
            const std::string& name,
            const std::vector<FieldError>& errors)
{
  const std::string qualified_kind = group.empty() ? kind : kind + "." + group;
  // errors.ToAggregate() drops repeated messages and prints [a, b] for more than one.
  std::vector<std::string> messages;
  std::set<std::string> seen;
  for (const auto& e : errors) {
    auto text = e.to_string();
    if (seen.insert(text).second) {
      messages.push_back(std::move(text));
    }
  }
  std::string message = qualified_kind + " " + go_quote(name) + " is invalid";
  if (messages.size() == 1) {
    message += ": " + messages[0];
  } else if (messages.size() > 1) {
    message += ": [";
    for (std::size_t i = 0; i < messages.size(); ++i) {
      message += (i == 0 ? "" : ", ") + messages[i];
    }
    message += "]";
  }
  ApiError out(422, "Invalid", message);
  out.with_details(name, group, kind);
  for (const auto& e : errors) {
    out.with_cause(e.reason(), e.body(), e.field);
  }
  return out;
}

ApiError
err_bad_request(const std::string& message)
{
  return ApiError(400, "BadRequest", message);
}

ApiError
err_method_not_allowed(const std::string& message)
{
  return ApiError(405, "MethodNotAllowed", message);
}

ApiError
err_unsupported_media_type(const std::string& message)
{
  return ApiError(415, "UnsupportedMediaType", message);
}

ApiError
err_gone(const std::string& message)
{
  return ApiError(410, "Gone", message);
}

ApiError
err_expired(const std::string& message)
{
  return ApiError(410, "Expired", message);
}

ApiError
err_forbidden(const std::string& message)
{
  return ApiError(403, "Forbidden", message);
}

ApiError
err_unauthorized()
{
  return ApiError(401, "Unauthorized", "Unauthorized");
}

ApiError
err_internal(const std::string& message)
{
  return ApiError(500, "InternalError", "Internal error occurred: " + message);
}

ApiError
err_not_acceptable(const std::string& message)
{
  return ApiError(406, "NotAcceptable", message);
}

ApiError
err_request_too_large(const std::string& message)
{
  return ApiError(413, "RequestEntityTooLarge", message);
}

} // namespace ocne::test::kube
