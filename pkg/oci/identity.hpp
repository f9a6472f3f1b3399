#pragma once

// Identity: compartments and compartment paths.

#include "pkg/oci/client.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace ocne::oci {

struct Compartment
{
  std::string id;
  std::string parent_id;
  std::string name;
  std::string lifecycle_state;
};

// Direct children of parent_id (a compartment or the tenancy), every page;
// with name set, only that name. Only ACTIVE compartments.
Result<std::vector<Compartment>> list_compartments(const Client& client,
                                                   std::string_view parent_id,
                                                   std::string_view name = {});

// "parent/child/grandchild" below the tenancy to an OCID, one lookup per
// level. An OCID (ocid1.compartment..., ocid1.tenancy...) is returned as is.
// A level that does not exist is an error naming it.
Result<std::string> resolve_compartment(const Client& client, std::string_view tenancy_id, std::string_view path);

} // namespace ocne::oci
