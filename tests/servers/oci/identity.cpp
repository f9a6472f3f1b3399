// Identity: ListCompartments and GetCompartment.

#include "tests/servers/oci/server_impl.hpp"

namespace ocne::test::oci {

namespace {

json
compartment_json(const Compartment& c)
{
  return json{ { "id", c.id },
               { "compartmentId", c.parent },
               { "name", c.name },
               { "description", c.name },
               { "lifecycleState", c.state },
               { "timeCreated", c.time_created },
               { "isAccessible", true },
               { "freeformTags", json::object() },
               { "definedTags", json::object() } };
}

void
list_compartments(OciTestServer::Impl& s, Call& c)
{
  const auto parent = c.param("compartmentId");
  if (parent.empty()) {
    OciTestServer::Impl::error(c, 400, "MissingParameter", "compartmentId is required");
    return;
  }
  const bool subtree = c.param("compartmentIdInSubtree") == "true";
  const auto name = c.param("name");
  const auto state = c.param("lifecycleState");
  std::vector<Compartment> candidates;
  {
    const std::lock_guard lock(s.mutex);
    if (!s.compartment_exists(parent)) {
      OciTestServer::Impl::error(
        c, 404, "NotAuthorizedOrNotFound", "Authorization failed or requested resource not found.");
      return;
    }
    if (subtree && parent != s.options.tenancy) {
      OciTestServer::Impl::error(
        c, 400, "InvalidParameter", "compartmentIdInSubtree can only be set when compartmentId is the tenancy");
      return;
    }
    for (const auto& id : s.compartment_order) {
      const auto& comp = s.compartments.at(id);
      if (subtree || comp.parent == parent) {
        candidates.push_back(comp);
      }
    }
  }
  // Paging happens before filtering, as a service may do: a page can hold
  // fewer items than the limit, even none, and still have a next page.
  json out = json::array();
  for (const auto& comp : s.page(c, candidates)) {
    if ((!name.empty() && comp.name != name) || (!state.empty() && comp.state != state)) {
      continue;
    }
    out.push_back(compartment_json(comp));
  }
  OciTestServer::Impl::reply_json(c, 200, out);
}

void
get_compartment(OciTestServer::Impl& s, Call& c)
{
  const std::lock_guard lock(s.mutex);
  const auto it = s.compartments.find(c.path_arg(1));
  if (it == s.compartments.end()) {
    OciTestServer::Impl::error(
      c, 404, "NotAuthorizedOrNotFound", "Authorization failed or requested resource not found.");
    return;
  }
  OciTestServer::Impl::reply_json(c, 200, compartment_json(it->second));
}

} // namespace

void
OciTestServer::Impl::register_identity()
{
  add_route("GET", "/20160918/compartments", "ListCompartments", BodyKind::none, list_compartments);
  add_route("GET", "/20160918/compartments/{}", "GetCompartment", BodyKind::none, get_compartment);
}

} // namespace ocne::test::oci
