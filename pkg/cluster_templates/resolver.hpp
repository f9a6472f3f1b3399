#pragma once

// Lookups a template needs from the clouds: OCI compartment paths to OCIDs,
// OCI images by Kubernetes version and architecture, Oxide images by name.
// `ocne cluster template` works offline: without credentials (or before the
// OCI and Oxide clients are wired in) PlaceholderResolver answers "unknown"
// with a reason, and the template gets a placeholder instead (see
// placeholders.hpp). The real resolvers live with the OCI and Oxide clients.

#include "pkg/core/error.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace ocne::cluster_templates {

// A value found, or why it could not be looked up.
struct Lookup
{
  std::optional<std::string> value;
  std::string reason; // when there is no value: "no OCI credentials", ...

  static Lookup
  found(std::string v)
  {
    return Lookup{ std::move(v), {} };
  }
  static Lookup
  unknown(std::string why)
  {
    return Lookup{ std::nullopt, std::move(why) };
  }
};

// Expected failures that must stop rendering (a compartment path that does
// not exist, refused credentials) are errors; "cannot look it up here" and
// "nothing matches" are Lookups without a value.
class ResourceResolver
{
public:
  virtual ~ResourceResolver() = default;

  // The OCID of a compartment named by a path "a/b/c" below the tenancy.
  virtual Result<Lookup> resolve_compartment(std::string_view path) = 0;
  // The newest OCNE image for a Kubernetes minor version ("1.33") and an
  // architecture ("amd64", "arm64") in a compartment (an OCID).
  virtual Result<Lookup> find_oci_image(std::string_view compartment_id,
                                        std::string_view kubernetes_version,
                                        std::string_view architecture) = 0;
  // The UUID of the image with this name in the project (or the silo).
  virtual Result<Lookup> find_oxide_image(std::string_view project, std::string_view name) = 0;
};

// Looks nothing up; every answer is "unknown" with the given reason.
class PlaceholderResolver : public ResourceResolver
{
public:
  PlaceholderResolver(std::string oci_reason, std::string oxide_reason)
    : m_oci_reason(std::move(oci_reason)), m_oxide_reason(std::move(oxide_reason))
  {
  }

  Result<Lookup>
  resolve_compartment(std::string_view) override
  {
    return Lookup::unknown(m_oci_reason);
  }
  Result<Lookup>
  find_oci_image(std::string_view, std::string_view, std::string_view) override
  {
    return Lookup::unknown(m_oci_reason);
  }
  Result<Lookup>
  find_oxide_image(std::string_view, std::string_view) override
  {
    return Lookup::unknown(m_oxide_reason);
  }

private:
  std::string m_oci_reason;
  std::string m_oxide_reason;
};

} // namespace ocne::cluster_templates
