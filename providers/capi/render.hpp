#pragma once

// Rendering a cluster's Cluster API resources for `cluster start`, shared by
// oci and oxide: the user's clusterDefinition as it is, or the provider's
// template with its boot images settled first. An image the config names is
// used as it is; else the one the cloud already has (looked up as
// `cluster template` does); else the session builds and uploads it, every
// missing architecture at once, and the template is rendered again with the
// new ids. Any other placeholder left is an error listing each. The session
// answers through plain calls; it never calls back in here.

#include "pkg/cluster_templates/cluster_template.hpp"
#include "pkg/config/cluster_config.hpp"
#include "providers/capi/cloud_session.hpp"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace ocne::providers::capi {

// The boot images (configured ids win, then images found in the cloud, else
// built and uploaded) and the cluster's resources rendered with them, for
// the session's configuration; the user's clusterDefinition instead when
// there is one.
Result<RenderedResources> render_resources(CloudSession& cloud, const KnownImages& known, ProgressSink& progress);

} // namespace ocne::providers::capi
