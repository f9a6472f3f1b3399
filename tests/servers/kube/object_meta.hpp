#pragma once

// metav1.ObjectMeta rules: which fields exist, name formats, labels,
// annotations, finalizers and owner references, with kube-apiserver's
// messages.

#include "tests/servers/kube/api_error.hpp"
#include "tests/servers/kube/json_util.hpp"

#include <string>
#include <vector>

namespace ocne::test::kube {

bool is_dns1123_subdomain(const std::string& s);
bool is_dns1123_label(const std::string& s);
bool is_qualified_name(const std::string& s);
bool is_label_value(const std::string& s);

// Messages for a name that is not valid ("a lowercase RFC 1123 ...").
std::vector<std::string> dns1123_subdomain_errors(const std::string& s);
std::vector<std::string> dns1123_label_errors(const std::string& s);
std::vector<std::string> qualified_name_errors(const std::string& s);
std::vector<std::string> label_value_errors(const std::string& s);

// Drops fields ObjectMeta does not have from obj["metadata"] (their paths
// go to unknown). Throws a 400 ApiError when a known field has the wrong
// JSON type (labels that are not strings, ...), like decoding would.
void normalize_metadata(Json& obj, const std::string& kind, std::vector<std::string>* unknown);

enum class NameRules {
  subdomain, // most kinds
  label,     // namespaces
  path_segment,
};

// Validates metadata of an object about to be stored.
void validate_metadata(const Json& meta, NameRules rules, bool namespaced, std::vector<FieldError>& errors);

} // namespace ocne::test::kube
