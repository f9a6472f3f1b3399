#include "pkg/oci/identity.hpp"

#include "pkg/core/strings.hpp"
#include "pkg/oci/json_util.hpp"

namespace ocne::oci {

using detail::json;
using detail::str_field;

Result<std::vector<Compartment>>
list_compartments(const Client& client, std::string_view parent_id, std::string_view name)
{
  http::QueryParams params = { { "compartmentId", std::string(parent_id) },
                               { "lifecycleState", "ACTIVE" },
                               { "accessLevel", "ANY" },
                               { "limit", "1000" } };
  if (!name.empty()) {
    params.emplace_back("name", std::string(name));
  }
  OCNE_TRY_ASSIGN(const auto items,
                  detail::list_all(client,
                                   fmt::format("list compartments in {}", parent_id),
                                   client.endpoints().identity + "/20160918/compartments",
                                   std::move(params)));
  std::vector<Compartment> out;
  for (const auto& item : items) {
    Compartment c{ str_field(item, "id"),
                   str_field(item, "compartmentId"),
                   str_field(item, "name"),
                   str_field(item, "lifecycleState") };
    // Filters are checked here too: a service may ignore one.
    if (c.lifecycle_state != "ACTIVE" || (!name.empty() && c.name != name)) {
      continue;
    }
    out.push_back(std::move(c));
  }
  return out;
}

Result<std::string>
resolve_compartment(const Client& client, std::string_view tenancy_id, std::string_view path)
{
  const auto trimmed = str::trim(path);
  if (trimmed.empty()) {
    return make_error(ErrorKind::invalid_input, "no compartment given (a name path like parent/child, or an OCID)");
  }
  if (str::starts_with(trimmed, "ocid1.compartment.") || str::starts_with(trimmed, "ocid1.tenancy.")) {
    return std::string(trimmed);
  }
  if (str::starts_with(trimmed, "ocid1.")) {
    return make_error(ErrorKind::invalid_input, "{} is not a compartment or tenancy OCID", str::quote(trimmed));
  }
  const auto elements = str::split(trimmed, '/');
  std::string current(tenancy_id);
  std::string walked;
  for (const auto& element : elements) {
    if (element.empty()) {
      return make_error(ErrorKind::invalid_input, "compartment path {} has an empty element", str::quote(trimmed));
    }
    auto children = list_compartments(client, current, element);
    if (!children) {
      return make_error(
        children.error().with_context(fmt::format("resolving compartment path {}", str::quote(trimmed))));
    }
    if (children->empty()) {
      return make_error(ErrorKind::not_found,
                        "compartment path {}: {} has no active compartment named {}",
                        str::quote(trimmed),
                        walked.empty() ? fmt::format("the tenancy ({})", tenancy_id) : str::quote(walked),
                        str::quote(element));
    }
    current = children->front().id;
    walked += (walked.empty() ? "" : "/") + element;
  }
  return current;
}

} // namespace ocne::oci
