#pragma once

// Errors the way the Kubernetes API server reports them: a metav1.Status
// body with code, reason, message and details. Internal to the server; the
// public API throws ApiError too, so tests can inspect code() and reason().

#include <nlohmann/json_fwd.hpp>

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace ocne::test::kube {

// One field.Error of k8s.io/apimachinery/pkg/util/validation/field.
struct FieldError
{
  enum class Type {
    required,      // "Required value"
    invalid,       // "Invalid value: <value>: <detail>"
    type_invalid,  // same text, reason FieldValueTypeInvalid
    not_supported, // "Unsupported value: <value>: supported values: ..."
    duplicate,     // "Duplicate value: <value>"
    too_long,      // "Too long: <detail>"
    too_many,      // "Too many: <n>: <detail>"
    forbidden,     // "Forbidden: <detail>"
  };
  Type type = Type::invalid;
  std::string field;                // "spec.replicas"
  std::optional<std::string> value; // the bad value as Go prints it ("\"x\"", "3", "null")
  std::string detail;

  // value may be null when the message shows no value.
  static FieldError make(Type type, std::string field, const nlohmann::json* value, std::string detail = "");

  // "Invalid value: \"x\": detail" (no field).
  std::string body() const;
  // "spec.replicas: Invalid value: ..."
  std::string to_string() const;
  // "FieldValueInvalid", ...
  std::string reason() const;
};

class ApiError : public std::exception
{
public:
  ApiError(int code, std::string reason, std::string message);

  int
  code() const
  {
    return m_code;
  }
  const std::string&
  reason() const
  {
    return m_reason;
  }
  const std::string&
  message() const
  {
    return m_message;
  }
  const char*
  what() const noexcept override
  {
    return m_message.c_str();
  }

  // details: name, group, kind, uid, causes, retryAfterSeconds.
  ApiError& with_details(std::string name, std::string group, std::string kind);
  ApiError& with_cause(std::string type, std::string message, std::string field);
  ApiError& with_retry_after(int seconds);
  std::optional<int>
  retry_after() const
  {
    return m_retry_after;
  }

  // The metav1.Status JSON text.
  std::string status_json() const;
  // The same as a JSON value (defined in api_error.cpp, needs nlohmann/json.hpp).
  nlohmann::json status() const;

private:
  struct Cause
  {
    std::string type, message, field;
  };
  int m_code;
  std::string m_reason;
  std::string m_message;
  bool m_has_details = false;
  std::string m_name, m_group, m_kind;
  std::vector<Cause> m_causes;
  std::optional<int> m_retry_after;
};

// "deployments.apps" or "configmaps" (core group).
std::string qualified_resource(const std::string& group, const std::string& resource);

ApiError err_not_found(const std::string& group, const std::string& resource, const std::string& name);
ApiError err_already_exists(const std::string& group, const std::string& resource, const std::string& name);
// "Operation cannot be fulfilled on <res> \"<name>\": <why>"
ApiError err_conflict(const std::string& group,
                      const std::string& resource,
                      const std::string& name,
                      const std::string& why);
// The usual stale-resourceVersion conflict.
ApiError err_stale(const std::string& group, const std::string& resource, const std::string& name);
// 422 with one cause per field error; kind is the Kind ("Cluster"), group its group.
ApiError err_invalid(const std::string& group,
                     const std::string& kind,
                     const std::string& name,
                     const std::vector<FieldError>& errors);
ApiError err_bad_request(const std::string& message);
ApiError err_method_not_allowed(const std::string& message);
ApiError err_unsupported_media_type(const std::string& message);
ApiError err_gone(const std::string& message);    // reason Gone
ApiError err_expired(const std::string& message); // reason Expired (410)
ApiError err_forbidden(const std::string& message);
ApiError err_unauthorized();
ApiError err_internal(const std::string& message);
ApiError err_not_acceptable(const std::string& message);
ApiError err_request_too_large(const std::string& message);

} // namespace ocne::test::kube
