#pragma once

// What an OCI template needs from the cloud: the compartment's OCID (a path
// is looked up) and the boot image of each architecture (configured, else
// the newest image tagged for the Kubernetes version). What cannot be found
// is a ${NAME} placeholder, with the reason. `cluster template` works
// offline: without credentials the live lookups answer "unknown" and say why.

#include "pkg/cluster_templates/resolver.hpp"
#include "pkg/config/cluster_config.hpp"
#include "pkg/config/versions.hpp"
#include "pkg/core/env.hpp"
#include "pkg/core/error.hpp"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ocne::providers::oci {

// Expected failures that must stop rendering (a compartment path that does
// not exist, refused credentials) are errors; "cannot look it up here" and
// "nothing matches" are Lookups without a value.
class Lookups
{
public:
  virtual ~Lookups() = default;

  // The OCID of a compartment named by a path "a/b/c" below the tenancy.
  virtual Result<cluster_templates::Lookup> resolve_compartment(std::string_view path) = 0;
  // The newest OCNE image for a Kubernetes minor version ("1.33") and an
  // architecture ("amd64", "arm64") in a compartment (an OCID).
  virtual Result<cluster_templates::Lookup> find_image(std::string_view compartment_id,
                                                       std::string_view kubernetes_version,
                                                       std::string_view architecture) = 0;
};

// Asks OCI when a profile is there and says why not otherwise. The profile
// is only read when a lookup is actually needed, so a cluster file that
// already carries OCIDs renders without touching ~/.oci. profile is
// providers.oci.profile when the user set it, else nullopt (the built-in
// DEFAULT leaves room for OCI_CLI_PROFILE).
std::unique_ptr<Lookups> make_live_lookups(const Environment& env, std::optional<std::string> profile);

// A value for a template variable, or its placeholder and why.
struct Resolved
{
  std::string value;
  std::vector<std::string> notes;
  bool found = false; // looked up in the cloud (not configured)
};

// providers.oci.compartment: an OCID as it is, a path through the lookups.
Result<Resolved> resolve_compartment(const config::ClusterConfig& c, Lookups& lookups);

// The image for one architecture: providers.oci.images.<arch>, else the
// newest tagged image in the compartment.
Result<Resolved> resolve_image(const config::ClusterConfig& c,
                               const config::KubeVersion& kube,
                               const std::string& compartment_id,
                               std::string_view arch,
                               Lookups& lookups);

} // namespace ocne::providers::oci
