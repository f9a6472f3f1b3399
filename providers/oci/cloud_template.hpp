#pragma once

// OCI's part of a cluster template (pkg/cluster_templates/cloud_template.hpp):
// capi-oci.yaml, its OCI_* variables, the compartment and image lookups, and
// what every OCI node needs on top of the shared Ignition (the instance-id
// hook that fills in the kubelet's provider ID, the metadata service in
// no_proxy).

#include "pkg/cluster_templates/cloud_template.hpp"
#include "providers/oci/lookups.hpp"

#include <memory>

namespace ocne::providers::oci {

// With these lookups (nullptr when nothing will be looked up).
std::unique_ptr<cluster_templates::CloudTemplate> make_cloud_template(std::shared_ptr<Lookups> lookups);

} // namespace ocne::providers::oci
